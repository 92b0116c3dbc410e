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

  // htmx: when the editor form itself was saved (a 2xx; a 422 means the form
  // came back with errors), nothing is unsaved. The live preview is a request
  // from the body field, not from the form, so it never clears the flag.
  document.addEventListener("htmx:afterRequest", function (event) {
    var elt = event.detail.elt;
    var status = event.detail.xhr ? event.detail.xhr.status : 0;
    if (!elt || !elt.matches || status < 200 || status >= 300) return;
    if (elt.matches("form[data-warn-unsaved]")) dirty = false;
  });

  window.addEventListener("beforeunload", function (event) {
    if (!dirty) return;
    event.preventDefault();
    event.returnValue = "";
  });
})();
