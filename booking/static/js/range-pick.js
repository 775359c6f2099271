// Calendar grids: pick a range, not a half-hour. Choose a free cell for the start, then a
// later free cell of the same row for the end: the booking form opens with both times.
// Choosing the start again cancels it. Rows booked one slot at a time (machines with fixed
// slots, open-lab sessions: `data-single`) keep their plain links. Without JavaScript each free cell opens the form with
// its own shortest booking, whose end can be changed there.
(function () {
  "use strict";
  if (window.rangePickReady) { return; }
  window.rangePickReady = true;

  var chosen = null; // {cell, link, status}

  function bookable(cell) {
    return cell.tagName === "TD" && cell.querySelector("a[href*='start=']") !== null &&
      (cell.classList.contains("slot-free") || cell.classList.contains("slot-pending"));
  }

  function say(status, template, link) {
    if (!status || !template) { return; }
    var time = new URL(link.href, window.location.href).searchParams.get("start") || "";
    status.textContent = template.replace("%(time)s", time);
  }

  function forget() {
    if (chosen) {
      chosen.cell.classList.remove("range-start");
      chosen.link.removeAttribute("aria-current");
    }
    chosen = null;
  }

  function choose(cell, link, status) {
    forget();
    chosen = {cell: cell, link: link, status: status};
    cell.classList.add("range-start");
    link.setAttribute("aria-current", "true");
    say(status, status && status.dataset.start, link);
  }

  // Every cell from the start to the end takes requests: free, or only requests pending.
  function freeBetween(first, last) {
    var row = first.parentNode;
    if (last.parentNode !== row || last.cellIndex < first.cellIndex) { return false; }
    for (var i = first.cellIndex; i <= last.cellIndex; i++) {
      if (!bookable(row.cells[i])) { return false; }
    }
    return true;
  }

  function onClick(event) {
    var link = event.target.closest("a");
    if (!link) { return; }
    var cell = link.closest("td");
    if (!cell || !bookable(cell) || cell.parentNode.hasAttribute("data-single")) { return; }
    var status = document.getElementById(cell.closest("table").id + "-range");
    event.preventDefault();
    if (chosen && chosen.cell === cell) {
      forget();
      if (status) { status.textContent = status.dataset.cancelled || ""; }
      return;
    }
    if (!chosen || !freeBetween(chosen.cell, cell)) {
      choose(cell, link, status);
      return;
    }
    var url = new URL(chosen.link.href, window.location.href);
    var end = new URL(link.href, window.location.href).searchParams.get("end");
    url.searchParams.set("end", end);
    forget();
    window.location.assign(url.toString());
  }

  function init() {
    document.querySelectorAll("table.grid").forEach(function (table) {
      var help = document.getElementById(table.id + "-range-help");
      if (help) { help.hidden = false; }
      table.addEventListener("click", onClick);
    });
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", init); } else { init(); }
})();
