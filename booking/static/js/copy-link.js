// Calendar feeds: a "Copy the address" button next to each read-only address field.
// Progressive enhancement: without JavaScript the button stays hidden and the field can be copied by hand.
(function () {
  "use strict";
  function setUp(button) {
    if (button.dataset.ready) { return; }
    button.dataset.ready = "1";
    var input = document.getElementById(button.dataset.copyTarget);
    var status = button.parentNode.querySelector(".feed-copied");
    if (!input) { return; }
    button.hidden = false;
    button.addEventListener("click", function () {
      input.select();
      var done = function () { if (status) { status.textContent = button.dataset.copiedLabel; } };
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(input.value).then(done, function () { document.execCommand("copy"); done(); });
      } else {
        document.execCommand("copy");
        done();
      }
    });
  }
  function init() {
    document.querySelectorAll("button[data-copy-target]").forEach(setUp);
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", init); } else { init(); }
})();
