// agentkit web: the page. Plain script, no build step, nothing loaded from elsewhere.
// Everything it shows comes from the server's event stream (/api/events): the same events
// the CLI prints, as JSON messages. Text from the model, tools or sessions is always put
// into the page as text (textContent), never as markup. dom.js, timeline.js and home.js
// are loaded before it.
"use strict";

const { el, json, pretty, ms, cost, count } = window.AgentkitWeb.dom;

const token = document.body.dataset.token;
const $ = (id) => document.getElementById(id);

const view = {
  turn: 0,            // the turn being drawn
  running: false,
  textBlock: null,    // the model's text being streamed into, if any
  calls: new Map(),   // page call id -> {element, state, ...}
  questions: new Map(),
  timeline: null,     // AgentkitWeb.Timeline, made at start
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

function shownArgs(args) {
  return Object.entries(args || {}).map(([k, v]) => k + "=" + json(v)).join(", ");
}

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
      view.timeline.startTurn(message.turn, message.at);
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
    if (message.at) view.timeline.step(view.turn, message.step);
  },
  thought(message) {
    // A thought streams in pieces: they join the step's open thought while nothing else
    // came between.
    const last = log().lastElementChild;
    if (last && last.classList.contains("thought") && last.dataset.step === String(message.step)) {
      last.querySelector("p").textContent += message.text;
      return;
    }
    const item = el("details", "thought");
    item.dataset.step = String(message.step);
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
    if (message.at) view.timeline.call(view.turn, message);
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
    if (message.at) view.timeline.result(view.turn, message);
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
    if (question) view.timeline.said(question.call, message.approved ? "approved, running" : "denied");
    setTurnState(view.running ? "running: turn " + view.turn : "idle");
  },
  step(message) { addUsageRow(message); view.timeline.stepFinished(view.turn, message); },
  run(message) {
    const usage = message.usage;
    append(el("p", "run-summary",
      message.stop_reason + " · " + message.steps + " model call(s) · " + message.tool_calls +
      " tool call(s) · " + count(usage.total) + " tokens (" + count(usage.prompt) + " in, " +
      count(usage.output) + " out, " + count(usage.thinking) + " thinking) · " + cost(message.cost_usd)));
    addToTotals(message);
  },
  home(message) {
    $("home").hidden = false;
    window.AgentkitWeb.renderHome($("home-state"), message.state, message.changed);
  },
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
  view.timeline.reset();
  view.totals = { prompt: 0, output: 0, thinking: 0, cost: 0, costKnown: true };
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
  view.timeline.said(message.call, "waiting for approval");
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

// -- starting ----------------------------------------------------------------------------

async function start() {
  view.timeline = new window.AgentkitWeb.Timeline($("timeline"));
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
