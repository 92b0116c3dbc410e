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
})();
