// The contact form's screen-reader feedback. htmx swaps a field (after its
// check on blur) or the whole form (after a submit with errors); the new text
// is read out through #contact-announcer, a live region that stays in the
// page, because a live region inserted by a swap is not reliably announced.
(function () {
  "use strict";

  function announce(text) {
    var announcer = document.getElementById("contact-announcer");
    if (!announcer) return;
    // Clear first so the same message twice is still announced.
    announcer.textContent = "";
    window.setTimeout(function () {
      announcer.textContent = text;
    }, 50);
  }

  function fieldInput(elt) {
    return elt && elt.closest && elt.closest("#contact-form .field") &&
      (elt.tagName === "INPUT" || elt.tagName === "TEXTAREA") ? elt : null;
  }

  // Field checks on their way, and the form's submit while it waits for them.
  var checking = [];
  var waitingSubmit = null;

  // A field's check answers with the field as the server saw it. If the reader
  // has typed since, keep what they typed: the next blur checks the new value.
  document.addEventListener("htmx:beforeRequest", function (event) {
    var input = fieldInput(event.detail.elt);
    if (!input) return;
    input.dataset.checkedValue = input.value;
    checking.push(event.detail.xhr);
  });

  document.addEventListener("htmx:beforeSwap", function (event) {
    // Fired on the target (the field's wrapper); the request came from its input.
    var config = event.detail.requestConfig;
    var input = fieldInput(config && config.elt);
    if (!input) return;
    // The form's answer, on its way next, shows every field again.
    if (waitingSubmit || (input.isConnected && input.value !== input.dataset.checkedValue)) {
      event.detail.shouldSwap = false;
    }
  });

  function submit() {
    var go = waitingSubmit;
    waitingSubmit = null;
    window.clearTimeout(go.timer);
    go();
  }

  document.addEventListener("htmx:afterRequest", function (event) {
    var index = checking.indexOf(event.detail.xhr);
    if (index < 0) return;
    checking.splice(index, 1);
    if (!checking.length && waitingSubmit) submit();
  });

  // Leaving the last field for "Send message" starts that field's check just
  // before the submit, which would abort it (hx-sync), and htmx logs an aborted
  // request as an error. The submit waits for the check instead: it takes
  // milliseconds, and its answer is not swapped. A check that hangs is aborted
  // after 2 s, as before.
  document.addEventListener("htmx:confirm", function (event) {
    if (event.target.id !== "contact-form") return;
    if (waitingSubmit) {
      event.preventDefault(); // clicked again while waiting: it is sent once
    } else if (checking.length) {
      event.preventDefault();
      waitingSubmit = function () {
        event.detail.issueRequest(true);
      };
      waitingSubmit.timer = window.setTimeout(submit, 2000);
    }
  });

  document.addEventListener("htmx:afterSettle", function (event) {
    var elt = event.target;
    if (!elt || !elt.closest || !elt.closest("#contact-form, #contact-thanks")) return;
    if (elt.id === "contact-form") {
      var summary = elt.querySelector("[data-announce]");
      if (summary) announce(summary.textContent.trim());
      var invalid = elt.querySelector("[aria-invalid='true']");
      if (invalid) invalid.focus();
    } else if (elt.id === "contact-thanks") {
      var heading = elt.querySelector("[data-autofocus]");
      if (heading) heading.focus();
      announce(heading ? heading.textContent.trim() : "");
    } else if (elt.classList.contains("field")) {
      var label = elt.querySelector("label");
      var error = elt.querySelector(".field-error");
      var text = error ? error.textContent.trim() : "";
      if (text) announce((label ? label.textContent.trim() + ": " : "") + text);
    }
  });
})();
