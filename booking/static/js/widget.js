// Inside the widget's frame: tell the embedding page how tall the content is,
// so that widget-embed.js can size the iframe (no scrollbar inside a partner's page).
(function () {
  "use strict";
  if (window.parent === window) { return; }
  var last = 0;
  function report() {
    var height = document.documentElement.scrollHeight;
    if (height !== last) {
      last = height;
      window.parent.postMessage({ type: "salles-ouvertes:height", height: height }, "*");
    }
  }
  window.addEventListener("load", report);
  window.addEventListener("resize", report);
  if (document.readyState !== "loading") { report(); } else { document.addEventListener("DOMContentLoaded", report); }
})();
