// agentkit web: the timeline of a run's steps. Each step is the model's answer, then its
// calls, one lane each; calls that ran at the same time overlap on their lanes and are
// said to run in parallel. Times are the server's: each message's "at", and each call's
// start and duration (measured where the tool ran).
"use strict";

(function () {
  const { el, ms, cost, count } = window.AgentkitWeb.dom;

  class Timeline {
    constructor(container) {
      this.container = container;
      this.reset();
    }

    reset() {
      this.container.textContent = "";
      this.turns = new Map();   // turn -> {started, ended, rows, lanes: []}
      this.steps = new Map();   // "turn:step" -> step record
      this.calls = new Map();   // page call id -> lane
    }

    startTurn(turn, at) {
      const section = el("section", "turn-timeline");
      section.appendChild(el("h3", null, "Turn " + turn));
      const rows = el("ol", "rows");
      section.appendChild(rows);
      this.container.appendChild(section);
      this.turns.set(turn, { started: at, ended: at, rows, lanes: [] });
    }

    // The step's record, made when its first message arrives.
    step(turn, step) {
      const key = turn + ":" + step;
      let record = this.steps.get(key);
      const run = this.turns.get(turn);
      if (record || !run) return record || null;
      const previous = this.steps.get(turn + ":" + (step - 1));
      const started = previous && previous.ended ? previous.ended : run.started;
      const group = el("li", "step");
      group.appendChild(el("h4", null, "step " + step));
      const lanes = el("ol", "lanes");
      group.appendChild(lanes);
      run.rows.appendChild(group);
      record = { run, started, ended: null, modelDone: false, group, lanes, calls: [] };
      record.model = this.lane(record, "model", "answering");
      this.steps.set(key, record);
      return record;
    }

    lane(record, label, state) {
      const row = el("li", "lane");
      const bar = el("span", "bar");
      const track = el("span", "track");
      track.appendChild(bar);
      const said = el("span", "lane-state", state);
      row.append(el("span", "lane-name", label), track, said);
      record.lanes.appendChild(row);
      const lane = { row, bar, said, start: null, end: null };
      record.run.lanes.push(lane);
      return lane;
    }

    modelDone(record, at) {
      if (record.modelDone) return;
      record.modelDone = true;
      record.model.start = record.started;
      record.model.end = at;
      record.model.said.textContent = "done · " + ms(at - record.started);
      this.redraw(record.run);
    }

    // The model asked for a call: its answer is complete, the call waits to run.
    call(turn, message) {
      const record = this.step(turn, message.step);
      if (!record) return;
      this.modelDone(record, message.at);
      const lane = this.lane(record, message.name, "running");
      record.calls.push(lane);
      this.calls.set(message.call, lane);
    }

    said(callId, text) {
      const lane = this.calls.get(callId);
      if (lane) lane.said.textContent = text;
    }

    result(turn, message) {
      const lane = this.calls.get(message.call);
      const record = this.steps.get(turn + ":" + message.step);
      if (!lane || !record) return;
      if (message.started_at) {
        lane.start = message.started_at;
        lane.end = message.started_at + message.duration;
        lane.said.textContent = message.status + " · " + ms(message.duration);
      } else {
        lane.said.textContent = message.status + " · not run";
      }
      this.markParallel(record);
      this.redraw(record.run);
    }

    markParallel(record) {
      const ran = record.calls.filter((lane) => lane.start !== null);
      for (const lane of ran) {
        const beside = ran.filter((other) => other !== lane && other.start < lane.end && lane.start < other.end).length;
        const note = lane.row.querySelector(".parallel");
        if (note) note.remove();
        lane.row.dataset.parallel = beside ? "yes" : "no";
        if (beside) lane.row.appendChild(el("span", "parallel", "· in parallel with " + beside + " other" + (beside > 1 ? "s" : "")));
      }
    }

    stepFinished(turn, message) {
      const record = this.step(turn, message.step);
      if (!record) return;
      record.ended = message.at;
      this.modelDone(record, message.at);
      record.run.ended = Math.max(record.run.ended, message.at);
      record.group.querySelector("h4").textContent = "step " + message.step + " · " +
        ms(message.at - record.started) + " · " + count(message.usage.total) + " tokens · " + cost(message.cost_usd);
      this.redraw(record.run);
    }

    // Bars are placed on the turn's span, from its start to its last known moment.
    redraw(run) {
      let end = run.ended;
      for (const lane of run.lanes) if (lane.end !== null) end = Math.max(end, lane.end);
      const span = Math.max(end - run.started, 0.001);
      for (const lane of run.lanes) {
        if (lane.start === null) continue;
        const left = Math.min(Math.max(0, (lane.start - run.started) / span) * 100, 99.2);
        const width = Math.max(((lane.end - lane.start) / span) * 100, 0.8);
        lane.bar.style.left = left + "%";
        lane.bar.style.width = Math.min(width, 100 - left) + "%";
      }
    }
  }

  window.AgentkitWeb.Timeline = Timeline;
})();
