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

// CPV picker: next to every field marked data-cpv-picker="<search url>", a search box that
// finds codes by number or words (a native <datalist>, so keyboards and screen readers work
// as with any input). Choosing a code adds it to the field; typing codes by hand still works.
(function () {
  "use strict";
  var counter = 0;
  function add(field, code) {
    var parts = field.value.split(/[\s,]+/).filter(Boolean);
    if (parts.indexOf(code) !== -1) { return; }
    if (field.tagName === "TEXTAREA") {
      parts.push(code);
      field.value = parts.join("\n");
    } else if (field.hasAttribute("data-cpv-single")) {
      field.value = code;
    } else {
      parts.push(code);
      field.value = parts.join(", ");
    }
    field.dispatchEvent(new Event("change", { bubbles: true }));
  }
  function attach(field) {
    counter += 1;
    var id = (field.id || "cpv") + "-picker-" + counter;
    var wrap = document.createElement("span");
    wrap.className = "cpv-picker";
    var label = document.createElement("label");
    label.setAttribute("for", id);
    label.textContent = field.getAttribute("data-cpv-label") || "CPV";
    var search = document.createElement("input");
    search.type = "search";
    search.id = id;
    search.autocomplete = "off";
    search.setAttribute("list", id + "-list");
    search.setAttribute("data-testid", "cpv-search");
    var list = document.createElement("datalist");
    list.id = id + "-list";
    wrap.appendChild(label);
    wrap.appendChild(search);
    wrap.appendChild(list);
    field.insertAdjacentElement("afterend", wrap);
    var timer = null;
    var known = {};
    search.addEventListener("input", function () {
      var value = search.value.trim();
      var code = value.split(" ")[0];
      if (known[code] && value.indexOf(code) === 0) {
        add(field, code);
        search.value = "";
        return;
      }
      clearTimeout(timer);
      if (value.length < 2) { return; }
      timer = setTimeout(function () {
        var url = field.getAttribute("data-cpv-picker") + "?q=" + encodeURIComponent(value);
        fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
          .then(function (r) { return r.ok ? r.json() : { results: [] }; })
          .then(function (data) {
            list.textContent = "";
            known = {};
            (data.results || []).forEach(function (item) {
              known[item.code] = true;
              var option = document.createElement("option");
              option.value = item.code + " — " + item.label;
              list.appendChild(option);
            });
          })
          .catch(function () {});
      }, 250);
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-cpv-picker]").forEach(attach);
  });
})();

// City picker: an input marked data-city-picker="<search url>" (with its <datalist>) suggests
// cities by name; a city picked from the list becomes a ticked box in the enclosing
// [data-city-chosen] fieldset, and the input is free for the next. Without the script, names
// typed in the input (separated by semicolons) are resolved by the server.
(function () {
  "use strict";
  function attach(input) {
    var list = document.getElementById(input.getAttribute("list"));
    var box = input.closest("[data-city-chosen]");
    if (!list || !box) { return; }
    var known = {};
    var timer = null;
    function choose(city) {
      if (box.querySelector('input[name="cities"][value="' + city.id + '"]')) {
        input.value = "";
        return;
      }
      var none = box.querySelector("[data-city-none]");
      if (none) { none.remove(); }
      var p = document.createElement("p");
      var label = document.createElement("label");
      var tick = document.createElement("input");
      tick.type = "checkbox";
      tick.name = "cities";
      tick.value = String(city.id);
      tick.checked = true;
      label.appendChild(tick);
      label.appendChild(document.createTextNode(" " + city.name));
      p.appendChild(label);
      input.closest("p").insertAdjacentElement("beforebegin", p);
      input.value = "";
    }
    input.addEventListener("input", function () {
      var value = input.value.trim();
      if (known[value.toLowerCase()]) {
        choose(known[value.toLowerCase()]);
        return;
      }
      clearTimeout(timer);
      if (value.length < 2 || value.indexOf(";") !== -1) { return; }
      timer = setTimeout(function () {
        var url = input.getAttribute("data-city-picker") + "?q=" + encodeURIComponent(value);
        fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
          .then(function (r) { return r.ok ? r.json() : { results: [] }; })
          .then(function (data) {
            list.textContent = "";
            known = {};
            (data.results || []).forEach(function (city) {
              known[city.name.toLowerCase()] = city;
              var option = document.createElement("option");
              option.value = city.name;
              list.appendChild(option);
            });
          })
          .catch(function () {});
      }, 200);
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-city-picker]").forEach(attach);
  });
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
