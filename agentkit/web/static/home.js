// agentkit web: the home's state (tools.home), in words: lights, thermostat, locks, blinds.
// What the last update changed is marked "changed" (and shaded).
"use strict";

(function () {
  const { el } = window.AgentkitWeb.dom;

  function table(box, title, part, entries, describe, changed) {
    box.appendChild(el("h3", null, title));
    const grid = el("table", "home-table");
    grid.dataset.part = part;
    for (const [name, value] of entries) {
      const row = el("tr");
      row.dataset.name = name;
      const label = el("th", null, name);
      label.scope = "row";
      row.append(label, el("td", "value", describe(value)));
      const marked = changed.has(part + "." + name) || changed.has(part);
      if (marked) row.classList.add("changed");
      row.appendChild(el("td", "changed-note", marked ? "changed" : ""));
      grid.appendChild(row);
    }
    box.appendChild(grid);
  }

  function blinds(position) {
    if (position === 0) return "closed (0% open)";
    if (position === 100) return "fully open (100%)";
    return position + "% open";
  }

  window.AgentkitWeb.renderHome = function (box, state, changedList) {
    box.textContent = "";
    const changed = new Set(changedList || []);
    table(box, "Lights", "lights", Object.entries(state.lights || {}), (light) =>
      light.on ? "on, " + light.brightness + "%, " + light.color_temperature : "off", changed);
    table(box, "Thermostat", "thermostat", [["thermostat", state.thermostat || {}]], (t) =>
      t.mode + ", target " + t.target_celsius + " °C, now " + t.current_celsius + " °C", changed);
    table(box, "Locks", "locks", Object.entries(state.locks || {}), (locked) =>
      locked ? "locked" : "unlocked", changed);
    table(box, "Blinds", "blinds", Object.entries(state.blinds || {}), blinds, changed);
  };
})();
