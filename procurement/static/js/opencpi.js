// Countdowns: every <time data-countdown datetime="…"> shows the time left, updated each minute.
(function () {
  "use strict";
  var lang = document.documentElement.lang || "es";
  var rtf = window.Intl && Intl.RelativeTimeFormat ? new Intl.RelativeTimeFormat(lang, { numeric: "auto" }) : null;
  function render() {
    var now = Date.now();
    document.querySelectorAll("time[data-countdown]").forEach(function (el) {
      var when = Date.parse(el.getAttribute("datetime"));
      if (isNaN(when) || !rtf) { return; }
      var minutes = Math.round((when - now) / 60000);
      var text;
      if (Math.abs(minutes) < 60) { text = rtf.format(minutes, "minute"); }
      else if (Math.abs(minutes) < 60 * 48) { text = rtf.format(Math.round(minutes / 60), "hour"); }
      else { text = rtf.format(Math.round(minutes / 1440), "day"); }
      el.textContent = text;
    });
  }
  document.addEventListener("DOMContentLoaded", render);
  setInterval(render, 60000);
})();

// A refused form is shown again by the address it was posted to; the page names its own
// address (<link data-page-address>) so that the browser shows it, and a reload reads the page
// instead of posting again.
(function () {
  "use strict";
  var link = document.querySelector("link[data-page-address]");
  if (link && window.history && history.replaceState) {
    history.replaceState(null, "", link.getAttribute("href") + window.location.hash);
  }
})();
