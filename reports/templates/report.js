// Filters for the behaviours table. State lives in the URL hash, e.g.
// #status=fail,error&area=VAL&level=MUST&q=ttl, so a filtered view can be linked.
(function () {
  "use strict";
  var rows = Array.prototype.slice.call(document.querySelectorAll("tbody.behaviour"));
  var buttons = Array.prototype.slice.call(document.querySelectorAll("[data-filter-status]"));
  var area = document.getElementById("filter-area");
  var level = document.getElementById("filter-level");
  var query = document.getElementById("filter-q");
  var shown = document.getElementById("shown-count");
  var state = { status: [], area: "", level: "", q: "" };

  function readHash() {
    var params = new URLSearchParams(window.location.hash.replace(/^#/, ""));
    state.status = (params.get("status") || "").split(",").filter(Boolean);
    state.area = params.get("area") || "";
    state.level = params.get("level") || "";
    state.q = params.get("q") || "";
  }

  function writeHash() {
    var params = new URLSearchParams();
    if (state.status.length) params.set("status", state.status.join(","));
    if (state.area) params.set("area", state.area);
    if (state.level) params.set("level", state.level);
    if (state.q) params.set("q", state.q);
    var hash = params.toString();
    history.replaceState(null, "", hash ? "#" + hash : window.location.pathname + window.location.search);
  }

  function apply() {
    var needle = state.q.toLowerCase();
    var count = 0;
    rows.forEach(function (row) {
      var visible = (!state.status.length || state.status.indexOf(row.dataset.status) >= 0) &&
        (!state.area || row.dataset.area === state.area) &&
        (!state.level || row.dataset.level === state.level) &&
        (!needle || row.textContent.toLowerCase().indexOf(needle) >= 0);
      row.hidden = !visible;
      if (visible) count += 1;
    });
    buttons.forEach(function (button) {
      var on = state.status.indexOf(button.dataset.filterStatus) >= 0;
      button.setAttribute("aria-pressed", on ? "true" : "false");
    });
    area.value = state.area;
    level.value = state.level;
    query.value = state.q;
    shown.textContent = String(count);
  }

  buttons.forEach(function (button) {
    button.addEventListener("click", function () {
      var status = button.dataset.filterStatus;
      var at = state.status.indexOf(status);
      if (at >= 0) state.status.splice(at, 1); else state.status.push(status);
      writeHash(); apply();
    });
  });
  area.addEventListener("change", function () { state.area = area.value; writeHash(); apply(); });
  level.addEventListener("change", function () { state.level = level.value; writeHash(); apply(); });
  query.addEventListener("input", function () { state.q = query.value; writeHash(); apply(); });
  document.getElementById("filter-reset").addEventListener("click", function () {
    state = { status: [], area: "", level: "", q: "" }; writeHash(); apply();
  });
  document.getElementById("expand-failures").addEventListener("click", function () {
    rows.forEach(function (row) {
      var status = row.dataset.status;
      if (!row.hidden && (status === "fail" || status === "error")) {
        row.querySelectorAll("details").forEach(function (d) { d.open = true; });
      }
    });
  });
  window.addEventListener("hashchange", function () { readHash(); apply(); });
  readHash();
  apply();
  document.body.dataset.filtersReady = "true";
})();
