// Load htmx from the CDN with SRI; fall back to the vendored copy when the CDN
// fails or is slow. Loaded with `defer`, so the page renders and plain forms
// work before (and without) htmx.
(function () {
  "use strict";
  var me = document.currentScript;
  var cdn = me.dataset.cdn;
  var local = me.dataset.local;
  var integrity = me.dataset.integrity;
  var settled = false;

  // htmx initialises on DOMContentLoaded, or at once if the document is already
  // "complete". A script added by this loader runs in between ("interactive"),
  // after DOMContentLoaded has fired, so htmx would wait forever: replay the
  // event for it. (Checked on load, which comes before the window's load event.)
  function started() {
    settled = true;
    if (document.readyState === "interactive") {
      document.dispatchEvent(new Event("DOMContentLoaded"));
    }
  }

  function add(src, withIntegrity, onError) {
    var s = document.createElement("script");
    s.src = src;
    if (withIntegrity) {
      s.integrity = integrity;
      s.crossOrigin = "anonymous";
    }
    s.onerror = onError || null;
    s.onload = started;
    document.head.appendChild(s);
    return s;
  }

  function fallback() {
    if (settled || window.htmx) return;
    settled = true;
    add(local, false);
  }

  add(cdn, true, fallback);
  // A CDN that hangs must not leave the page without htmx for long.
  setTimeout(fallback, 3000);
})();
