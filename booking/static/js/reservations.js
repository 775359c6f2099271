// Reservation form: show only the repeat fields that apply. Without JavaScript, all show.
(function () {
  "use strict";
  var box = document.querySelector("[data-repeat]");
  if (!box) { return; }
  var parts = box.querySelectorAll("[data-repeat-part]");
  function update() {
    var checked = box.querySelector("input[name=repeat]:checked");
    var value = checked ? checked.value : "none";
    parts.forEach(function (part) {
      part.hidden = part.getAttribute("data-repeat-part").split(" ").indexOf(value) === -1;
    });
  }
  box.addEventListener("change", update);
  update();
})();

// After "Preview the dates", bring the list of dates into view for keyboard and screen reader users.
(function () {
  "use strict";
  var heading = document.getElementById("preview-heading");
  if (!heading) { return; }
  heading.setAttribute("tabindex", "-1");
  heading.focus();
})();
