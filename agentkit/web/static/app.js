// agentkit web: the page. Plain script, no build step, nothing loaded from elsewhere.
// Everything it shows comes from the server's event stream (/api/events): the same events
// the CLI prints, as JSON messages. Text from the model, tools or sessions is always put
// into the page as text (textContent), never as markup.
"use strict";

const token = document.body.dataset.token;
const $ = (id) => document.getElementById(id);

const view = {
  turn: 0,            // the turn being drawn
  running: false,
  textBlock: null,    // the model's text being streamed into, if any
  calls: new Map(),   // page call id -> {element, state, ...}
  questions: new Map(),
  steps: new Map(),   // "turn:step" -> timeline record
  turns: new Map(),   // turn -> {started, rows element}
  totals: { prompt: 0, output: 0, thinking: 0, cost: 0, costKnown: true },
};

// -- talking to the server ---------------------------------------------------------------

async function post(path, body) {
  let response;
  try {
    response = await fetch(path, {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-Agentkit-Token": token },
      body: JSON.stringify(body || {}),
    });
  } catch (error) {
    alertLine("error: the server cannot be reached (was agentkit web stopped?)");
    return null;
  }
  let answer = {};
  try { answer = await response.json(); } catch (error) { answer = {}; }
  if (!response.ok) {
    alertLine("error: " + (answer.error || ("the server answered " + response.status)));
    return null;
  }
  return answer;
}

async function getJSON(path) {
  const response = await fetch(path, { headers: { "X-Agentkit-Token": token } });
  if (!response.ok) throw new Error("the server answered " + response.status);
  return response.json();
}

function follow() {
  const stream = new EventSource("/api/events?token=" + encodeURIComponent(token));
  stream.onopen = () => { $("connection").textContent = "connected"; };
  stream.onerror = () => {
    $("connection").textContent = "disconnected: trying again (is agentkit web still running?)";
  };
  stream.onmessage = (event) => {
    let message;
    try { message = JSON.parse(event.data); } catch (error) { return; }
    handle(message, false);
  };
}

// -- small helpers -----------------------------------------------------------------------

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined && text !== null) node.textContent = text;
  return node;
}

function log() { return $("log"); }

function append(node) {
  view.textBlock = null;
  const empty = log().querySelector(".empty-note");
  if (empty && node !== empty && !node.classList.contains("empty-note")) empty.remove();
  log().appendChild(node);
  node.scrollIntoView({ block: "nearest" });
  return node;
}

function alertLine(line) {
  const alerts = $("alerts");
  alerts.textContent = "";
  alerts.appendChild(el("p", "error-line", line));
}

function json(value) { return JSON.stringify(value); }
function pretty(value) { return JSON.stringify(value, null, 2); }

function shownArgs(args) {
  return Object.entries(args || {}).map(([k, v]) => k + "=" + json(v)).join(", ");
}

function ms(seconds) {
  if (seconds === null || seconds === undefined) return "";
  const value = seconds * 1000;
  return value >= 1000 ? (seconds.toFixed(2) + " s") : (value < 10 ? value.toFixed(1) : Math.round(value)) + " ms";
}

function cost(value) {
  return value === null || value === undefined ? "unknown" : "$" + value.toFixed(6);
}

function count(value) { return Number(value || 0).toLocaleString("en-US"); }

function setTurnState(text) { $("turn-state").textContent = text; }

// -- messages ----------------------------------------------------------------------------

const handlers = {
  session(message) {
    resetView();
    $("current-session").textContent = message.name;
    showSessions(message.sessions, message.name);
    for (const item of message.items) handle(item, true);
    if (!message.items.length) append(el("p", "notice empty-note", "A new session: nothing said yet."));
  },
  user(message) {
    const item = el("article", "msg user");
    item.appendChild(el("h3", "who", "you"));
    item.appendChild(el("p", "said", message.text));
    append(item);
  },
  turn(message) {
    if (message.state === "running") {
      view.turn = message.turn;
      view.running = true;
      startTurnTimeline(message.turn, message.at);
      setTurnState("running: turn " + message.turn);
    } else {
      view.running = false;
      for (const question of view.questions.values()) retireQuestion(question, "not answered: the turn ended");
      view.questions.clear();
      for (const call of view.calls.values()) {
        if (call.state === "running" || call.state === "waiting for approval") setCallState(call, "not answered");
      }
      setTurnState("idle (turn " + message.turn + " " + message.state + ")");
      const focused = document.activeElement;
      if (!focused || focused === document.body) $("message").focus();
    }
    $("send").disabled = view.running;
    $("stop").disabled = !view.running;
  },
  text(message) {
    if (!view.textBlock) {
      const item = el("article", "msg model");
      const empty = log().querySelector(".empty-note");
      if (empty) empty.remove();
      item.appendChild(el("h3", "who", "model"));
      view.textBlock = el("p", "said");
      item.appendChild(view.textBlock);
      log().appendChild(item);
    }
    view.textBlock.textContent += message.text;
    view.textBlock.scrollIntoView({ block: "nearest" });
    noteModelDone(message, false);
  },
  thought(message) {
    const item = el("details", "thought");
    item.appendChild(el("summary", null, "thinking (step " + message.step + ")"));
    item.appendChild(el("p", null, message.text));
    append(item);
  },
  call(message) {
    // The call stays in view as one line; its arguments and result open below it. An error
    // is said beside it, outside the part that opens.
    const item = el("div", "call");
    item.id = "call-" + message.call;
    const details = el("details");
    const summary = el("summary");
    const state = el("span", "state", "[running]");
    summary.append(state, " ", el("code", "call-name", message.name), "(", el("span", "args", shownArgs(message.args)), ")");
    const duration = el("span", "duration");
    summary.append(" ", duration);
    details.appendChild(summary);
    const body = el("div", "call-body");
    body.appendChild(el("h4", null, "arguments"));
    body.appendChild(el("pre", null, pretty(message.args)));
    details.appendChild(body);
    item.appendChild(details);
    append(item);
    const call = { element: item, stateNode: state, duration, body, name: message.name, state: "running" };
    view.calls.set(message.call, call);
    if (message.at) noteModelDone(message, true);
    if (message.at) addCallRow(message);
  },
  result(message) {
    let call = view.calls.get(message.call);
    if (!call) {  // a result whose call was not seen (should not happen): show it alone
      handlers.call({ call: message.call, name: message.name, args: {}, step: message.step });
      call = view.calls.get(message.call);
    }
    setCallState(call, message.status);
    if (message.duration !== null && message.duration !== undefined && message.started_at) {
      call.duration.textContent = "· " + ms(message.duration);
    }
    const heading = message.status === "ok" ? "result" : message.status;
    call.body.appendChild(el("h4", null, heading));
    call.body.appendChild(el("pre", "response", pretty(message.response)));
    if (message.status !== "ok") {
      const error = (message.response && message.response.error) || {};
      call.element.appendChild(el("p", "call-error", message.status + ": " + (error.message || json(error))));
    }
    if (message.at) finishCallRow(message);
  },
  progress(message) {
    const call = view.calls.get(message.call);
    if (!call) return;
    let text = String(message.progress);
    if (message.total) text += "/" + message.total + " (" + Math.round(100 * message.progress / message.total) + "%)";
    if (message.message) text += " " + message.message;
    call.duration.textContent = "· " + text;
  },
  code(message) {
    const item = el("details", "code-run");
    item.appendChild(el("summary", null, "ran code: " + (message.outcome || "no outcome")));
    item.appendChild(el("pre", null, message.code));
    if (message.output !== null) item.appendChild(el("pre", null, message.output));
    append(item);
  },
  retry(message) {
    if (message.source === "model" && view.textBlock) {
      view.textBlock.parentNode.appendChild(el("p", "dropped", "(dropped: the model is asked again)"));
    }
    append(el("p", "note", "retry (" + message.source + ", attempt " + message.attempt + "): " + message.reason));
  },
  compacted(message) {
    append(el("p", "note", "context compacted: " + count(message.tokens_before) + " → " + count(message.tokens_after) + " tokens; the transcript keeps everything"));
  },
  confirm(message) { askQuestion(message); },
  confirmed(message) {
    const question = view.questions.get(message.question);
    if (question) {
      retireQuestion(question, message.state);
      view.questions.delete(message.question);
    }
    const call = view.calls.get(question ? question.call : "");
    if (call) setCallState(call, message.approved ? "approved, running" : "denied");
    for (const record of view.steps.values()) {
      const entry = question && record.calls.get(question.call);
      if (entry) entry.said.textContent = message.approved ? "approved, running" : "denied";
    }
    setTurnState(view.running ? "running: turn " + view.turn : "idle");
  },
  step(message) { addUsageRow(message); finishStep(message); },
  run(message) {
    const usage = message.usage;
    append(el("p", "run-summary",
      message.stop_reason + " · " + message.steps + " model call(s) · " + message.tool_calls +
      " tool call(s) · " + count(usage.total) + " tokens (" + count(usage.prompt) + " in, " +
      count(usage.output) + " out, " + count(usage.thinking) + " thinking) · " + cost(message.cost_usd)));
    addToTotals(message);
  },
  home(message) { showHome(message.state, message.changed); },
  error(message) { append(el("p", "error-line", "error: " + message.line)); },
  notice(message) { append(el("p", "notice", message.line)); },
};

function handle(message, replayed) {
  const handler = handlers[message.type];
  if (handler) handler(message, replayed);
}

function resetView() {
  log().textContent = "";
  $("alerts").textContent = "";
  view.textBlock = null;
  view.calls.clear();
  view.questions.clear();
  view.steps.clear();
  view.turns.clear();
  view.totals = { prompt: 0, output: 0, thinking: 0, cost: 0, costKnown: true };
  $("timeline").textContent = "";
  document.querySelector("#usage-table tbody").textContent = "";
  showTotals();
}

function setCallState(call, state) {
  call.state = state;
  call.stateNode.textContent = "[" + state + "]";
  call.element.dataset.state = state.split(",")[0];
}

// -- confirmations -----------------------------------------------------------------------

function askQuestion(message) {
  const box = el("section", "question");
  box.setAttribute("role", "group");
  const headingId = "question-" + message.question;
  box.setAttribute("aria-labelledby", headingId);
  const heading = el("h3", null, "Approval needed");
  heading.id = headingId;
  heading.tabIndex = -1;
  box.appendChild(heading);
  const what = el("p");
  what.append("The agent wants to run ", el("code", null, message.name), " with ", el("code", null, json(message.args)), ".");
  box.appendChild(what);
  const buttons = el("div", "question-buttons");
  const approve = el("button", "approve", "Approve");
  approve.type = "button";
  const deny = el("button", "deny", "Deny");
  deny.type = "button";
  const answer = async (approved) => {
    approve.disabled = deny.disabled = true;
    const done = await post("/api/confirm", { question: message.question, approved });
    if (!done) approve.disabled = deny.disabled = false;
  };
  approve.addEventListener("click", () => answer(true));
  deny.addEventListener("click", () => answer(false));
  buttons.append(approve, " ", deny);
  box.appendChild(buttons);
  append(box);
  view.questions.set(message.question, { element: box, call: message.call });
  const call = view.calls.get(message.call);
  if (call) setCallState(call, "waiting for approval");
  const record = view.steps.get(view.turn + ":" + message.step);
  const entry = record && record.calls.get(message.call);
  if (entry) entry.said.textContent = "waiting for approval";
  setTurnState("waiting for approval: " + message.name);
  heading.focus();
}

function retireQuestion(question, state) {
  const box = question.element;
  const buttons = box.querySelector(".question-buttons");
  if (buttons) buttons.remove();
  box.appendChild(el("p", "answer", "Answer: " + state));
  box.dataset.state = state;
}

// -- sessions ----------------------------------------------------------------------------

function showSessions(names, current) {
  const list = $("session-list");
  list.textContent = "";
  for (const name of names) {
    const item = el("li");
    if (name === current) {
      item.append(el("span", "current", name + " (shown)"));
    } else {
      const open = el("button", "open-session", "Open " + name);
      open.type = "button";
      open.addEventListener("click", () => post("/api/sessions/open", { name }));
      item.appendChild(open);
    }
    list.appendChild(item);
  }
}

// -- usage -------------------------------------------------------------------------------

function addUsageRow(message) {
  const row = el("tr");
  const usage = message.usage;
  for (const value of [view.turn, message.step, count(usage.prompt), count(usage.output), count(usage.thinking), cost(message.cost_usd)]) {
    row.appendChild(el("td", null, String(value)));
  }
  document.querySelector("#usage-table tbody").appendChild(row);
}

function addToTotals(message) {
  const totals = view.totals;
  totals.prompt += message.usage.prompt;
  totals.output += message.usage.output;
  totals.thinking += message.usage.thinking;
  if (message.cost_usd === null || message.cost_usd === undefined) totals.costKnown = false;
  else totals.cost += message.cost_usd;
  showTotals();
}

function showTotals() {
  const totals = view.totals;
  $("total-in").textContent = count(totals.prompt);
  $("total-out").textContent = count(totals.output);
  $("total-thinking").textContent = count(totals.thinking);
  $("total-cost").textContent = totals.costKnown ? cost(totals.cost) : "unknown";
}

// -- the timeline ------------------------------------------------------------------------
// Times are the server's: each message's "at", and each call's start and duration.

function startTurnTimeline(turn, at) {
  const section = el("section", "turn-timeline");
  section.appendChild(el("h3", null, "Turn " + turn));
  const rows = el("ol", "rows");
  section.appendChild(rows);
  $("timeline").appendChild(section);
  view.turns.set(turn, { started: at, ended: at, rows, bars: [] });
}

function stepRecord(step, at) {
  const key = view.turn + ":" + step;
  let record = view.steps.get(key);
  if (!record) {
    const turn = view.turns.get(view.turn);
    if (!turn) return null;
    const previous = view.steps.get(view.turn + ":" + (step - 1));
    const started = previous && previous.ended ? previous.ended : turn.started;
    const group = el("li", "step");
    group.appendChild(el("h4", null, "step " + step));
    const lanes = el("ol", "lanes");
    group.appendChild(lanes);
    turn.rows.appendChild(group);
    record = { started, modelDone: null, ended: null, lanes, group, model: null, calls: new Map(), turn };
    record.model = lane(record, "model", "answering");
    view.steps.set(key, record);
  }
  return record;
}

function lane(record, label, state) {
  const row = el("li", "lane");
  const name = el("span", "lane-name", label);
  const track = el("span", "track");
  const bar = el("span", "bar");
  track.appendChild(bar);
  const said = el("span", "lane-state", state);
  row.append(name, track, said);
  record.lanes.appendChild(row);
  const entry = { row, bar, said, start: null, end: null };
  record.turn.bars.push(entry);
  return entry;
}

function noteModelDone(message, byCall) {
  const record = stepRecord(message.step, message.at);
  if (!record || record.modelDone) return;
  if (byCall) {
    record.modelDone = message.at;
    record.model.start = record.started;
    record.model.end = message.at;
    record.model.said.textContent = "done · " + ms(message.at - record.started);
    redraw(record.turn);
  }
}

function addCallRow(message) {
  const record = stepRecord(message.step, message.at);
  if (!record) return;
  const entry = lane(record, message.name, "running");
  record.calls.set(message.call, entry);
}

function finishCallRow(message) {
  const record = view.steps.get(view.turn + ":" + message.step);
  if (!record) return;
  const entry = record.calls.get(message.call);
  if (!entry) return;
  if (message.started_at) {
    entry.start = message.started_at;
    entry.end = message.started_at + message.duration;
    entry.said.textContent = message.status + " · " + ms(message.duration);
  } else {
    entry.said.textContent = message.status + " · not run";
  }
  markParallel(record);
  redraw(record.turn);
}

function markParallel(record) {
  const ran = [...record.calls.values()].filter((entry) => entry.start !== null);
  for (const entry of ran) {
    const beside = ran.filter((other) => other !== entry && other.start < entry.end && entry.start < other.end).length;
    entry.row.dataset.parallel = beside ? "yes" : "no";
    const note = entry.row.querySelector(".parallel");
    if (note) note.remove();
    if (beside) entry.row.appendChild(el("span", "parallel", "· in parallel with " + beside + " other" + (beside > 1 ? "s" : "")));
  }
}

function finishStep(message) {
  const record = stepRecord(message.step, message.at);
  if (!record) return;
  record.ended = message.at;
  if (!record.modelDone) {
    record.modelDone = message.at;
    record.model.start = record.started;
    record.model.end = message.at;
    record.model.said.textContent = "done · " + ms(message.at - record.started);
  }
  record.turn.ended = Math.max(record.turn.ended, message.at);
  const usage = message.usage;
  record.group.querySelector("h4").textContent =
    "step " + message.step + " · " + ms(message.at - record.started) + " · " + count(usage.total) + " tokens · " + cost(message.cost_usd);
  redraw(record.turn);
}

function redraw(turn) {
  let end = turn.ended;
  for (const entry of turn.bars) if (entry.end !== null) end = Math.max(end, entry.end);
  const span = Math.max(end - turn.started, 0.001);
  for (const entry of turn.bars) {
    if (entry.start === null) continue;
    const left = Math.max(0, (entry.start - turn.started) / span) * 100;
    const width = Math.max(((entry.end - entry.start) / span) * 100, 0.8);
    entry.bar.style.left = Math.min(left, 99.2) + "%";
    entry.bar.style.width = Math.min(width, 100 - Math.min(left, 99.2)) + "%";
    entry.bar.classList.add("placed");
  }
}

// -- the home ----------------------------------------------------------------------------

function showHome(state, changed) {
  $("home").hidden = false;
  const box = $("home-state");
  box.textContent = "";
  const changedSet = new Set(changed || []);
  const mark = (row, key) => {
    if (changedSet.has(key)) {
      row.classList.add("changed");
      row.appendChild(el("td", "changed-note", "changed"));
    } else {
      row.appendChild(el("td", "changed-note", ""));
    }
  };
  const table = (title, entries, describe, part) => {
    box.appendChild(el("h3", null, title));
    const grid = el("table", "home-table");
    grid.dataset.part = part;
    for (const [name, value] of entries) {
      const row = el("tr");
      row.dataset.name = name;
      row.appendChild(el("th", null, name));
      row.lastChild.scope = "row";
      row.appendChild(el("td", "value", describe(value)));
      mark(row, part + "." + name);
      grid.appendChild(row);
    }
    box.appendChild(grid);
  };
  table("Lights", Object.entries(state.lights || {}), (light) =>
    light.on ? "on, " + light.brightness + "%, " + light.color_temperature : "off", "lights");
  const thermostat = state.thermostat || {};
  table("Thermostat", [["thermostat", thermostat]], (t) =>
    t.mode + ", target " + t.target_celsius + " °C, now " + t.current_celsius + " °C", "thermostat");
  table("Locks", Object.entries(state.locks || {}), (locked) => (locked ? "locked" : "unlocked"), "locks");
  table("Blinds", Object.entries(state.blinds || {}), (position) =>
    position === 0 ? "closed (0% open)" : position === 100 ? "fully open (100%)" : position + "% open", "blinds");
  if (changedSet.has("thermostat")) {
    const row = box.querySelector('table[data-part="thermostat"] tr');
    if (row) { row.classList.add("changed"); row.lastChild.textContent = "changed"; }
  }
}

// -- starting ----------------------------------------------------------------------------

async function start() {
  $("composer").addEventListener("submit", async (event) => {
    event.preventDefault();
    const input = $("message");
    const text = input.value.trim();
    if (!text || view.running) return;
    $("alerts").textContent = "";
    const answer = await post("/api/send", { text });
    if (answer) input.value = "";
  });
  $("stop").addEventListener("click", () => post("/api/stop", {}));
  $("new-session").addEventListener("submit", async (event) => {
    event.preventDefault();
    const input = $("new-session-name");
    const name = input.value.trim();
    const answer = await post("/api/sessions/new", name ? { name } : {});
    if (answer) input.value = "";
  });
  try {
    const info = await getJSON("/api/info");
    const banner = $("banner");
    for (const line of info.banner) banner.appendChild(el("p", null, line));
    banner.dataset.scripted = info.scripted ? "yes" : "no";
    $("about").textContent = "model " + info.model + " · tools: " + (info.tools.join(", ") || "(none)");
  } catch (error) {
    alertLine("error: the page could not read the server's set-up (" + error.message + ")");
  }
  follow();
}

start();
