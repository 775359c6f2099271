// Door display: every N seconds, ask for the page again with If-None-Match and swap
// the content when it changed; show when it was last confirmed, a pause button
// (WCAG 2.2.2), and keep the last content through network blips. Without this
// script the page refreshes itself (<noscript><meta http-equiv="refresh">).
(function () {
  "use strict";
  var main = document.getElementById("main");
  var content = document.getElementById("door-content");
  if (!main || !content || !window.fetch || !window.DOMParser) { return; }
  var seconds = parseInt(main.getAttribute("data-poll-seconds"), 10) || 30;
  var paused = main.getAttribute("data-paused") === "true";
  var button = document.getElementById("door-pause");
  var offline = document.getElementById("door-offline");
  var updatedAt = document.getElementById("door-updated-at");
  // The page's own ETag (a script cannot read the headers of the page it runs in): the
  // first check is already conditional. A paused page's differs (?pause=1 is dropped).
  var etag = main.getAttribute("data-paused") === "true" ? null : main.getAttribute("data-etag");
  var timer = null;
  var format = null;
  try {
    format = new Intl.DateTimeFormat(main.getAttribute("data-lang") || "fr",
      { hour: "2-digit", minute: "2-digit", timeZone: "Europe/Paris" });
  } catch (e) { format = null; }

  function pageUrl() {
    // The same address without ?pause (the pause is this script's own state).
    var url = new URL(window.location.href);
    url.searchParams.delete("pause");
    return url.toString();
  }

  function confirmed(now) {
    offline.textContent = "";
    offline.classList.remove("door-offline-shown");
    if (updatedAt && format) {
      updatedAt.textContent = format.format(now);
      updatedAt.setAttribute("datetime", now.toISOString());
    }
  }

  function lost() {
    offline.textContent = offline.getAttribute("data-message");
    offline.classList.add("door-offline-shown");
  }

  function swap(html) {
    var doc = new DOMParser().parseFromString(html, "text/html");
    var fresh = doc.getElementById("door-content");
    var bar = doc.getElementById("door-updated-at");
    var clock = doc.querySelector(".door-clock");
    if (!fresh) { throw new Error("no content"); }
    content.innerHTML = fresh.innerHTML;
    var oldClock = document.querySelector(".door-clock");
    if (clock && oldClock) { oldClock.innerHTML = clock.innerHTML; }
    if (bar && updatedAt) { updatedAt.textContent = bar.textContent; }
  }

  function check() {
    var headers = { "Accept": "text/html" };
    if (etag) { headers["If-None-Match"] = etag; }
    fetch(pageUrl(), { headers: headers, cache: "no-store", credentials: "omit" })
      .then(function (response) {
        if (response.status === 304) { confirmed(new Date()); return null; }
        if (!response.ok) { throw new Error("HTTP " + response.status); }
        etag = response.headers.get("ETag") || etag;
        return response.text().then(function (html) { swap(html); confirmed(new Date()); });
      })
      .catch(lost)
      .then(schedule);
  }

  function schedule() {
    window.clearTimeout(timer);
    timer = paused ? null : window.setTimeout(check, seconds * 1000);
  }

  function show() {
    button.textContent = button.getAttribute(paused ? "data-resume" : "data-pause");
    button.setAttribute("aria-pressed", paused ? "true" : "false");
  }

  if (button) {
    button.hidden = false;
    show();
    button.addEventListener("click", function () {
      paused = !paused;
      show();
      if (paused) { window.clearTimeout(timer); timer = null; } else { check(); }
    });
  }
  schedule();
})();
