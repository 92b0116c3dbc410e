// The staff area's small behaviours. Progressive: every page works without it.
(function () {
  "use strict";

  // Warn before leaving the article editor with unsaved changes.
  var dirty = false;

  function editorOf(element) {
    return element && element.closest ? element.closest("form[data-warn-unsaved]") : null;
  }

  document.addEventListener("input", function (event) {
    if (editorOf(event.target)) dirty = true;
  });
  document.addEventListener("change", function (event) {
    if (editorOf(event.target)) dirty = true;
  });

  // A plain (no-htmx) submit leaves the page on purpose.
  document.addEventListener("submit", function (event) {
    if (event.target.matches && event.target.matches("form[data-warn-unsaved]")) {
      dirty = false;
    }
  });

  // htmx: when the editor form itself was saved successfully, nothing is unsaved.
  // The live preview is a request from the body field, not from the form.
  document.addEventListener("htmx:afterRequest", function (event) {
    var elt = event.detail.elt;
    if (!event.detail.successful || !elt || !elt.matches) return;
    if (elt.matches("form[data-warn-unsaved]")) dirty = false;
  });

  // htmx submit: it will not be a navigation, but keep the flag until the answer.
  window.addEventListener("beforeunload", function (event) {
    if (!dirty) return;
    event.preventDefault();
    event.returnValue = "";
  });
})();
