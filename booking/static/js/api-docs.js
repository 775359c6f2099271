// The API documentation page: Swagger UI over our own OpenAPI description.
// Swagger UI names its operation buttons with an aria-label that differs from their
// visible text, and leaves some selects unnamed: both are corrected as it renders.
(function () {
  "use strict";
  var target = document.getElementById("swagger-ui");
  if (!target || typeof window.SwaggerUIBundle !== "function") {
    return;
  }
  function repair(root) {
    root.querySelectorAll(".opblock-summary-control[aria-label]").forEach(function (button) {
      button.removeAttribute("aria-label");
    });
    root.querySelectorAll("select:not([aria-label])").forEach(function (select) {
      var label = select.closest("label");
      if (!label) {
        select.setAttribute("aria-label", target.getAttribute("data-select-label") || "Choice");
      }
    });
  }
  new MutationObserver(function () { repair(target); }).observe(target, { childList: true, subtree: true });
  window.SwaggerUIBundle({
    url: target.getAttribute("data-spec-url"),
    domNode: target,
    deepLinking: false,
    tryItOutEnabled: false
  });
})();
