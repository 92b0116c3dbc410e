// The staff area's small behaviours. Progressive: every page works without it.
// No inline styles anywhere (the CSP forbids them): state is classes, ARIA
// attributes and the hidden attribute, drawn by staff.css.
(function () {
  "use strict";

  function closest(element, selector) {
    return element && element.closest ? element.closest(selector) : null;
  }

  // ---- The sidebar: a <details> that is the "Menu" button on phones. On wide
  // screens staff.css shows its content anyway; opening it there too keeps what
  // assistive technology is told in line with what is on screen.
  var wide = window.matchMedia("(min-width: 48rem)");

  function syncMenu() {
    var menu = document.querySelector("[data-staff-menu]");
    if (menu) menu.open = wide.matches;
  }
  syncMenu();
  if (wide.addEventListener) wide.addEventListener("change", syncMenu);

  // ---- Warn before leaving the article editor with unsaved changes.
  var dirty = false;

  function editorOf(element) {
    return closest(element, "form[data-warn-unsaved]");
  }

  document.addEventListener("input", function (event) {
    if (editorOf(event.target)) dirty = true;
  });
  document.addEventListener("change", function (event) {
    if (editorOf(event.target)) dirty = true;
  });

  // A plain submit leaves the page on purpose. htmx cancels the submit event
  // it handles (its listener on the form runs first), and its answer decides.
  document.addEventListener("submit", function (event) {
    if (event.defaultPrevented) return;
    if (event.target.matches && event.target.matches("form[data-warn-unsaved]")) {
      dirty = false;
    }
  });

  // htmx: when the editor form itself was saved (a 2xx; a 422 means the form
  // came back with errors), nothing is unsaved. beforeSwap, because the form
  // is replaced by the answer and events on a removed element reach no one.
  // The live preview is a request from the body field, so it never clears it.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var config = event.detail.requestConfig;
    var elt = config ? config.elt : null;
    var status = event.detail.xhr ? event.detail.xhr.status : 0;
    if (!elt || !elt.matches || status < 200 || status >= 300) return;
    if (elt.matches("form[data-warn-unsaved]")) dirty = false;
  });

  window.addEventListener("beforeunload", function (event) {
    if (!dirty) return;
    event.preventDefault();
    event.returnValue = "";
  });

  // ---- The editor's Write / Preview tabs (narrow screens; staff.css shows
  // both panels side by side on wide ones and hides the tab row there). The
  // chosen tab survives a save, which replaces the form.
  var editorTab = "write";

  function showTab(form, name) {
    editorTab = name;
    form.classList.toggle("is-previewing", name === "preview");
    var tabs = form.querySelectorAll("[data-editor-tabs] [role='tab']");
    for (var i = 0; i < tabs.length; i++) {
      var selected = tabs[i].id === "editor-tab-" + name;
      tabs[i].setAttribute("aria-selected", selected ? "true" : "false");
      tabs[i].tabIndex = selected ? 0 : -1;
    }
  }

  function initEditor(form) {
    var tabs = form.querySelector("[data-editor-tabs]");
    if (!tabs || form.classList.contains("is-tabbed")) return;
    var panels = { write: "editor-write", preview: "editor-preview" };
    Object.keys(panels).forEach(function (name) {
      var panel = form.querySelector("#" + panels[name]);
      if (!panel) return;
      panel.setAttribute("role", "tabpanel");
      panel.setAttribute("aria-labelledby", "editor-tab-" + name);
    });
    tabs.hidden = false;
    form.classList.add("is-tabbed");
    showTab(form, editorTab);
  }

  function initEditors(root) {
    if (!root || !root.querySelectorAll) return;
    if (root.matches && root.matches("form[data-editor]")) initEditor(root);
    var forms = root.querySelectorAll("form[data-editor]");
    for (var i = 0; i < forms.length; i++) initEditor(forms[i]);
  }
  initEditors(document);
  document.addEventListener("htmx:load", function (event) {
    initEditors(event.target);
  });

  document.addEventListener("click", function (event) {
    var tab = closest(event.target, "[data-editor-tabs] [role='tab']");
    if (!tab) return;
    showTab(closest(tab, "form"), tab.id.replace("editor-tab-", ""));
  });

  document.addEventListener("keydown", function (event) {
    var tab = closest(event.target, "[data-editor-tabs] [role='tab']");
    if (!tab || (event.key !== "ArrowLeft" && event.key !== "ArrowRight")) return;
    var form = closest(tab, "form");
    var next = editorTab === "write" ? "preview" : "write";
    showTab(form, next);
    form.querySelector("#editor-tab-" + next).focus();
    event.preventDefault();
  });

  // ---- The moderation queue's keyboard shortcuts, as in WordPress: j / k
  // select the next / previous comment (focus and aria-current), a / s / t
  // submit its Approve / Spam / Trash form, the very form its button submits
  // (so htmx, or a plain POST without it). Never while typing or with a
  // modifier key held.
  var SHORTCUTS = { a: "approve", s: "spam", t: "trash" };
  var selectedId = null;

  function rowsOf(queue) {
    return Array.prototype.slice.call(queue.querySelectorAll("[data-queue-row]"));
  }

  function markSelected(row) {
    var queue = closest(row, "[data-queue]");
    if (!queue) return;
    rowsOf(queue).forEach(function (other) {
      if (other !== row) other.removeAttribute("aria-current");
    });
    row.setAttribute("aria-current", "true");
    selectedId = row.id;
  }

  function selectedRow(queue) {
    var focused = closest(document.activeElement, "[data-queue-row]");
    if (focused && queue.contains(focused)) return focused;
    var marked = queue.querySelector("[data-queue-row][aria-current='true']");
    if (marked) return marked;
    return selectedId ? document.getElementById(selectedId) : null;
  }

  function move(queue, step) {
    var rows = rowsOf(queue);
    if (!rows.length) return;
    var index = rows.indexOf(selectedRow(queue));
    index = index < 0 ? (step > 0 ? 0 : rows.length - 1) : index + step;
    var row = rows[Math.max(0, Math.min(rows.length - 1, index))];
    markSelected(row);
    row.focus();
    row.scrollIntoView({ block: "nearest" });
  }

  function isTyping(element) {
    if (!element) return false;
    if (element.isContentEditable) return true;
    return !!closest(element, "input, textarea, select");
  }

  document.addEventListener("keydown", function (event) {
    if (event.defaultPrevented || event.isComposing) return;
    if (event.ctrlKey || event.metaKey || event.altKey || event.shiftKey) return;
    if (isTyping(event.target)) return;
    var queue = document.querySelector("[data-queue]");
    if (!queue) return;
    if (event.key === "j" || event.key === "k") {
      event.preventDefault();
      move(queue, event.key === "j" ? 1 : -1);
      return;
    }
    var action = SHORTCUTS[event.key];
    var row = action ? selectedRow(queue) : null;
    var form = row ? row.querySelector("form[data-action='" + action + "']") : null;
    if (!form) return;
    event.preventDefault();
    if (form.requestSubmit) form.requestSubmit();
    else form.submit();
  });

  // Clicking or tabbing into a comment selects it too.
  document.addEventListener("focusin", function (event) {
    var row = closest(event.target, "[data-queue-row]");
    if (row) markSelected(row);
  });

  // A row swapped by htmx (after an action) keeps the selection.
  document.addEventListener("htmx:load", function (event) {
    var row = event.target;
    if (row && row.id && row.id === selectedId && row.matches("[data-queue-row]")) {
      row.setAttribute("aria-current", "true");
    }
  });

  // ---- The media library's upload zone. Without this the file input inside
  // it takes the files (and a drop on the input itself); with it a drop
  // anywhere on the zone does, and the zone shows it is ready for one.
  function dropzoneOf(event) {
    var zone = closest(event.target, "[data-dropzone]");
    var hasFiles = event.dataTransfer && Array.prototype.indexOf.call(
      event.dataTransfer.types || [], "Files") >= 0;
    return zone && hasFiles ? zone : null;
  }

  ["dragenter", "dragover"].forEach(function (type) {
    document.addEventListener(type, function (event) {
      var zone = dropzoneOf(event);
      if (!zone) return;
      event.preventDefault();
      zone.classList.add("is-dragging");
    });
  });

  document.addEventListener("dragleave", function (event) {
    var zone = closest(event.target, "[data-dropzone]");
    if (zone && !zone.contains(event.relatedTarget)) {
      zone.classList.remove("is-dragging");
    }
  });

  document.addEventListener("drop", function (event) {
    var zone = dropzoneOf(event);
    if (!zone) return;
    zone.classList.remove("is-dragging");
    var input = zone.querySelector("input[type='file']");
    if (!input || event.target === input) return; // the input takes it itself
    event.preventDefault();
    input.files = event.dataTransfer.files;
    input.dispatchEvent(new Event("change", { bubbles: true }));
    input.focus();
  });

  // An upload that was stored leaves the form as it was (its answer is the new
  // cards): empty it for the next one. A refused one replaces the form.
  document.addEventListener("htmx:afterRequest", function (event) {
    var form = event.detail.elt;
    if (!form || !form.matches || !form.matches("form[data-media-upload]")) return;
    if (event.detail.successful && form.isConnected) form.reset();
  });

  // The same file uploaded again comes back as the card already in the grid:
  // keep the new copy (at the top), drop the old one.
  document.addEventListener("htmx:load", function (event) {
    var card = event.target;
    if (!card || !card.matches || !card.matches("li.media-card") || !card.id) return;
    var same = document.querySelectorAll("li.media-card[id='" + card.id + "']");
    for (var i = 0; i < same.length; i++) {
      if (same[i] !== card) same[i].remove();
    }
  });

  // ---- Copy buttons beside read-only fields (an image's address, its
  // Markdown): there only with this script; without it the text is selectable.
  function showCopyButtons(root) {
    if (!root || !root.querySelectorAll) return;
    var buttons = root.querySelectorAll("button[data-copy][hidden]");
    for (var i = 0; i < buttons.length; i++) buttons[i].hidden = false;
  }
  showCopyButtons(document);
  document.addEventListener("htmx:load", function (event) {
    showCopyButtons(event.target);
  });

  document.addEventListener("click", function (event) {
    var button = closest(event.target, "button[data-copy]");
    var field = button ? document.getElementById(button.dataset.copy) : null;
    if (!field) return;
    field.select();
    var done = function () {
      button.firstChild.textContent = "Copied";
    };
    if (navigator.clipboard && navigator.clipboard.writeText) {
      navigator.clipboard.writeText(field.value).then(done, function () {});
    }
  });

  // ---- The recovery codes page's Print button (hidden without JavaScript,
  // where the browser's own Print does the same).
  var printButton = document.querySelector("[data-print]");
  if (printButton) {
    printButton.hidden = false;
    printButton.addEventListener("click", function () {
      window.print();
    });
  }

  // ---- A row its own form removes (an empty 200, swapped outerHTML): focus
  // goes to the element the form names before the row goes, not to <body>.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var config = event.detail.requestConfig;
    var form = config && config.elt;
    var selector = form && form.getAttribute("data-focus-after");
    if (!selector || event.detail.isError || !event.detail.shouldSwap) return;
    var next = document.querySelector(selector);
    if (next) next.focus();
  });
})();
