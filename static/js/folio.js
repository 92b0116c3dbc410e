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
    var invalid = target.querySelector("[aria-invalid='true']");
    if (invalid && target.dataset.focusInvalid !== "false") {
      invalid.focus();
      return;
    }
    var focus = target.querySelector("[data-autofocus]");
    if (focus) focus.focus();
  });

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
})();
