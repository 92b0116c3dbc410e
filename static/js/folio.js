// Folio's small client-side behaviours, all progressive: without this file
// every page and form still works.
(function () {
  "use strict";

  // After htmx swaps in a form with errors, move focus to the first invalid
  // field so keyboard and screen-reader users land where the problem is.
  document.addEventListener("htmx:afterSettle", function (event) {
    var target = event.detail.target;
    // After an outerHTML swap the original target is detached; the event is
    // then fired on the element that replaced it.
    if (target && !target.isConnected) target = event.target;
    if (!target || !target.querySelector) return;
    // Only a submitted form moves focus; a field checked on blur (the contact
    // form) must never pull focus back from where the reader went next.
    var config = event.detail.requestConfig;
    var fromForm = config && config.elt && config.elt.tagName === "FORM";
    var invalid = fromForm ? target.querySelector("[aria-invalid='true']") : null;
    if (invalid && target.dataset.focusInvalid !== "false") {
      invalid.focus();
      return;
    }
    var focus = target.querySelector("[data-autofocus]");
    if (focus) focus.focus();
  });

  // The reader's own replies awaiting moderation are listed after the cached
  // comments (the list is shared by every reader); put each under the comment
  // it answers, where it was shown when it was posted.
  function placeHeldReplies() {
    var held = document.querySelectorAll("#new-comments > li[data-reply-to]");
    for (var i = 0; i < held.length; i++) {
      var replies = document.getElementById("replies-" + held[i].dataset.replyTo);
      if (replies) replies.appendChild(held[i]);
    }
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", placeHeldReplies);
  } else {
    placeHeldReplies();
  }

  // Error fragments retargeted into #alerts: make sure they are seen.
  document.addEventListener("htmx:afterSwap", function (event) {
    if (event.detail.target && event.detail.target.id === "alerts") {
      event.detail.target.scrollIntoView({ block: "nearest" });
    }
  });

  // A network failure (server down, offline) gets a readable message too.
  document.addEventListener("htmx:sendError", function () {
    var alerts = document.getElementById("alerts");
    if (alerts) {
      alerts.innerHTML = "";
      var p = document.createElement("p");
      p.className = "alert alert-error";
      p.setAttribute("role", "alert");
      p.textContent = "The server could not be reached. Check your connection and try again.";
      alerts.appendChild(p);
    }
  });

  // Controls that only work through htmx (the "Load more" button) start
  // hidden; they appear once htmx is running. Without it the plain links stay.
  document.addEventListener("htmx:load", function (event) {
    var root = event.target && event.target.querySelectorAll ? event.target : document;
    var hidden = root.querySelectorAll("[data-needs-htmx][hidden]");
    for (var i = 0; i < hidden.length; i++) hidden[i].hidden = false;
  });

  // After "Load more" appends a page of cards, focus the first new card's link:
  // the button that had focus was replaced, and reading continues there.
  document.addEventListener("htmx:afterSettle", function (event) {
    var target = event.detail.target;
    if (!target || target.id !== "article-list") return;
    var pages = target.querySelectorAll(".article-page");
    var link = pages.length ? pages[pages.length - 1].querySelector("a") : null;
    if (link) link.focus();
  });
})();
