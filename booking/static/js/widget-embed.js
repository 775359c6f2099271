// On a partner's page: size each <iframe data-salles-ouvertes> to its content.
// Only messages from the iframe's own window and origin are believed.
(function () {
  "use strict";
  window.addEventListener("message", function (event) {
    var data = event.data;
    if (!data || data.type !== "salles-ouvertes:height" || typeof data.height !== "number") { return; }
    var frames = document.querySelectorAll("iframe[data-salles-ouvertes]");
    for (var i = 0; i < frames.length; i += 1) {
      var frame = frames[i];
      var origin;
      try { origin = new URL(frame.src, window.location.href).origin; } catch (e) { continue; }
      if (frame.contentWindow === event.source && origin === event.origin) {
        frame.style.height = Math.min(Math.max(data.height, 100), 5000) + "px";
      }
    }
  });
})();
