// The menu editor's drag and drop (Staff → Menus). Progressive: without this
// file the Move up / Move down buttons do the same, as plain forms or htmx.
// An item is dragged by its handle and moves in the list as it goes; when it
// is dropped in a new place, its own move form is sent with that place
// (position, 1 = first), so htmx swaps in the menu the server stored. No
// inline styles (the CSP forbids them): state is classes and attributes.
(function () {
  "use strict";

  var dragged = null;
  var origin = null; // where the item was: [list, next sibling], to undo a cancelled drag

  function prepare(root) {
    var items = root.querySelectorAll("[data-menu-item]");
    for (var i = 0; i < items.length; i++) {
      var handle = items[i].querySelector("[data-drag-handle]");
      if (!handle) continue;
      handle.hidden = false;
      handle.draggable = true;
    }
  }

  function itemOf(element) {
    return element && element.closest ? element.closest("[data-menu-item]") : null;
  }

  function place(item) {
    var list = item.parentNode;
    return Array.prototype.indexOf.call(list.children, item) + 1;
  }

  document.addEventListener("dragstart", function (event) {
    if (!event.target.matches || !event.target.matches("[data-drag-handle]")) return;
    dragged = itemOf(event.target);
    origin = [dragged.parentNode, dragged.nextSibling, place(dragged)];
    dragged.classList.add("is-dragging");
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", dragged.id);
    event.dataTransfer.setDragImage(dragged, 16, 16);
  });

  document.addEventListener("dragover", function (event) {
    if (!dragged) return;
    var list = event.target.closest && event.target.closest("[data-menu-list]");
    if (list !== dragged.parentNode) return;
    event.preventDefault(); // a drop is allowed here
    event.dataTransfer.dropEffect = "move";
    var over = itemOf(event.target);
    if (!over || over === dragged) return;
    var box = over.getBoundingClientRect();
    var after = event.clientY > box.top + box.height / 2;
    list.insertBefore(dragged, after ? over.nextSibling : over);
  });

  document.addEventListener("drop", function (event) {
    if (!dragged) return;
    event.preventDefault();
    var item = dragged;
    var moved = place(item) !== origin[2];
    finish();
    if (!moved) return;
    var form = item.querySelector("[data-move-form]");
    form.querySelector("[data-position]").value = String(place(item));
    form.requestSubmit();
  });

  document.addEventListener("dragend", function () {
    if (!dragged) return;
    // Not dropped in the list: put the item back where it was.
    origin[0].insertBefore(dragged, origin[1]);
    finish();
  });

  function finish() {
    dragged.classList.remove("is-dragging");
    dragged = null;
    origin = null;
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () {
      prepare(document);
    });
  } else {
    prepare(document);
  }
  // A menu htmx swapped in is new markup: make its handles draggable too.
  document.addEventListener("htmx:load", function (event) {
    prepare(event.target);
  });
})();
