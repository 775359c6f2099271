// Sign-up: show the association fields only when declaring a new association.
// Without JavaScript every field stays visible and the server ignores them when not needed.
(function () {
  "use strict";
  var fields = document.getElementById("association-fields");
  var radios = document.querySelectorAll('input[name="association_choice"]');
  if (!fields || !radios.length) { return; }
  function update() {
    var checked = document.querySelector('input[name="association_choice"]:checked');
    fields.hidden = !!checked && checked.value !== "new";
  }
  radios.forEach(function (radio) { radio.addEventListener("change", update); });
  update();
})();
