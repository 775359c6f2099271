/* Administration forms, small enhancements; every form works without them.
   - Checkbox lists with a filter box: typing hides the names that do not hold every
     word typed (accents and case ignored).
   - Equipment lines: "Add another equipment line" adds a blank line here instead of
     sending the form.
   - Weekly hours: "Apply Monday's hours to Monday-Friday" copies them here instead of
     sending the form (saved with "Save the week"). */
(function () {
  "use strict";

  function fold(text) {
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase().trim();
  }

  document.querySelectorAll("[data-filter-for]").forEach(function (input) {
    var list = document.getElementById(input.dataset.filterFor);
    var box = input.closest(".checklist-filter");
    var count = box.querySelector(".checklist-count");
    var items = Array.prototype.slice.call(list.querySelectorAll("li"));
    box.hidden = false;
    input.addEventListener("input", function () {
      var wanted = fold(input.value);
      var words = wanted.split(/\s+/).filter(Boolean);  // every word, in any order
      var shown = 0;
      items.forEach(function (item) {
        var text = fold(item.textContent);
        var match = words.every(function (word) { return text.indexOf(word) !== -1; });
        item.hidden = !match;
        if (match) { shown += 1; }
      });
      count.textContent = wanted
        ? count.dataset.shown.replace("{shown}", shown).replace("{total}", items.length)
        : "";
    });
  });

  var addLine = document.querySelector("[data-add-line]");
  var lines = document.querySelector("[data-equipment-lines]");
  if (addLine && lines) {
    addLine.addEventListener("click", function (event) {
      var last = lines.querySelector("li.equipment-line:last-child");
      if (!last) { return; }
      event.preventDefault();
      var index = lines.querySelectorAll("li.equipment-line").length;
      var line = last.cloneNode(true);
      line.querySelectorAll("[id], [for], [name], [aria-describedby]").forEach(function (el) {
        ["id", "for", "name", "aria-describedby"].forEach(function (attr) {
          var value = el.getAttribute(attr);
          if (value) { el.setAttribute(attr, value.replace(/equipment-\d+-/g, "equipment-" + index + "-")); }
        });
      });
      line.querySelectorAll("label").forEach(function (label) {
        label.textContent = label.textContent.replace(/\d+(?=\D*$)/, String(index + 1));
      });
      line.querySelectorAll(".error").forEach(function (el) { el.remove(); });
      line.querySelectorAll(".has-error").forEach(function (el) { el.classList.remove("has-error"); });
      line.querySelectorAll("[aria-invalid]").forEach(function (el) { el.removeAttribute("aria-invalid"); });
      line.querySelector("select").value = "0";
      line.querySelector("input[type=number]").value = "1";
      line.querySelector("input[type=checkbox]").checked = false;
      lines.appendChild(line);
      line.querySelector("select").focus();
    });
  }

  var copy = document.querySelector("[data-copy-weekdays]");
  if (copy) {
    copy.addEventListener("click", function (event) {
      event.preventDefault();
      ["opens_1", "closes_1", "opens_2", "closes_2"].forEach(function (name) {
        var monday = document.getElementById("days-0-" + name);
        for (var day = 1; day < 5; day += 1) {
          var input = document.getElementById("days-" + day + "-" + name);
          if (monday && input) { input.value = monday.value; }
        }
      });
      var status = document.getElementById("week-status");
      if (status) { status.textContent = status.dataset.copied; }
    });
  }
}());
