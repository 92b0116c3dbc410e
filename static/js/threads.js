// Following a comment thread: "N new comments" polling that rests while the tab
// is hidden, and "Copy link" on each comment. Progressive: without this file
// the feed, the order links and each comment's permalink still work.
(function () {
  "use strict";

  // htmx fires the poll on folio:poll (comments/_news.html). A trigger filter
  // would need eval, which the CSP forbids, so the timer lives here and only
  // fires while the page is visible; coming back after a long absence polls
  // at once.
  var lastPoll = Date.now();
  var timer = null;

  function pollTarget() {
    return document.getElementById("comment-news");
  }

  function poll() {
    var target = pollTarget();
    if (!target || document.visibilityState !== "visible") return;
    lastPoll = Date.now();
    target.dispatchEvent(new CustomEvent("folio:poll"));
  }

  function intervalMs() {
    var target = pollTarget();
    var seconds = target ? parseInt(target.dataset.pollSeconds, 10) : 0;
    return (seconds > 0 ? seconds : 60) * 1000;
  }

  function start() {
    if (timer !== null || !pollTarget()) return;
    timer = window.setInterval(poll, intervalMs());
  }

  function stop() {
    if (timer === null) return;
    window.clearInterval(timer);
    timer = null;
  }

  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible") {
      if (Date.now() - lastPoll >= intervalMs()) poll();
      start();
    } else {
      stop();
    }
  });

  // A comment post carries the count the page shows, so its answer moves the
  // poll's count past the new comment only, not past others' that arrived
  // meanwhile (the cached form cannot hold it; it is read at request time).
  document.addEventListener("htmx:configRequest", function (event) {
    var form = event.detail.elt;
    var target = pollTarget();
    if (!target || !form.matches || !form.matches("form.comment-form")) return;
    if (target.dataset.since) event.detail.parameters.since = target.dataset.since;
  });

  // Tests and other scripts can ask for a poll now.
  window.folioPollComments = poll;

  // "Copy link" buttons start hidden: shown only where the clipboard works.
  function showCopyButtons(root) {
    if (!navigator.clipboard || !window.isSecureContext) return;
    var buttons = root.querySelectorAll("[data-copy-link][hidden]");
    for (var i = 0; i < buttons.length; i++) buttons[i].hidden = false;
  }

  function announce(text) {
    var status = document.getElementById("comment-status");
    if (!status) return;
    status.textContent = "";
    var p = document.createElement("p");
    p.textContent = text;
    status.appendChild(p);
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("[data-copy-link]") : null;
    if (!button) return;
    var url = new URL(window.location.href);
    url.searchParams.delete("replytocom");
    url.hash = button.dataset.copyLink;
    navigator.clipboard.writeText(url.href).then(
      function () { announce("Link copied."); },
      function () { announce("The link could not be copied; use the comment’s date link instead."); }
    );
  });

  // "show them" is replaced along with the poll it sat in: reading goes on at
  // the comments it loaded, not at <body>.
  document.addEventListener("htmx:afterSettle", function (event) {
    var config = event.detail.requestConfig;
    var from = config && config.elt;
    if (!from || !from.matches || !from.matches("[data-show-news]")) return;
    var list = document.querySelector("#comment-list .comment-list");
    if (!list) return;
    list.setAttribute("tabindex", "-1");
    list.focus();
  });

  document.addEventListener("htmx:load", function (event) {
    if (event.target && event.target.querySelectorAll) showCopyButtons(event.target);
  });

  function ready() {
    showCopyButtons(document);
    if (document.visibilityState === "visible") start();
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", ready);
  } else {
    ready();
  }
})();
