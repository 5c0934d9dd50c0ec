// agentkit web: small helpers the page's scripts share. Plain script, no build step.
// Text is always put into the page as text (textContent), never as markup.
"use strict";

window.AgentkitWeb = window.AgentkitWeb || {};

window.AgentkitWeb.dom = {
  el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = text;
    return node;
  },
  json(value) { return JSON.stringify(value); },
  pretty(value) { return JSON.stringify(value, null, 2); },
  // A duration in seconds, as a person reads it: "8.9 ms", "157 ms", "1.20 s".
  ms(seconds) {
    if (seconds === null || seconds === undefined) return "";
    const value = seconds * 1000;
    if (value >= 1000) return seconds.toFixed(2) + " s";
    return (value < 10 ? value.toFixed(1) : String(Math.round(value))) + " ms";
  },
  cost(value) { return value === null || value === undefined ? "unknown" : "$" + value.toFixed(6); },
  count(value) { return Number(value || 0).toLocaleString("en-US"); },
};
