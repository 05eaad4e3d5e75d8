// The dashboard: one WebSocket for live state (newest only), HTTP for commands.
// The token comes from the URL fragment (#token=...), which never reaches the server's
// logs, and is kept for this tab only.
"use strict";

const params = new URLSearchParams(location.hash.slice(1));
if (params.get("token")) {
  sessionStorage.setItem("massage-token", params.get("token"));
  history.replaceState(null, "", location.pathname);
}
const token = sessionStorage.getItem("massage-token");
const clientName = sessionStorage.getItem("massage-client") ||
  ("dashboard-" + Math.random().toString(16).slice(2, 8));
sessionStorage.setItem("massage-client", clientName);

const $ = (id) => document.getElementById(id);
const states = new Map();
let programs = [];
let selected = null;
let socket = null;
let userChose = false;

function notice(text) {
  $("notice").textContent = text;
  $("notice").hidden = !text;
}

async function api(method, path, body) {
  const headers = { "X-Massage-Client": clientName };
  if (token) headers["Authorization"] = "Bearer " + token;
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const answer = await response.json().catch(() => ({}));
  if (!response.ok) {
    notice(answer.error ? answer.error.message : ("the service answered " + response.status));
    throw new Error(response.status);
  }
  notice("");
  return answer;
}

function command(name, body) {
  const device = encodeURIComponent(selected);
  return api("POST", "/api/v1/devices/" + device + "/" + name, body).then(show).catch(() => {});
}

function connect() {
  const scheme = location.protocol === "https:" ? "wss://" : "ws://";
  socket = new WebSocket(scheme + location.host + "/api/v1/stream");
  socket.onopen = () => {
    $("link").textContent = "live";
    $("link").className = "pill on";
    // With the token, this page's pings keep it present as a controller (dead-man switch).
    socket.send(JSON.stringify(token ? { type: "hello", client: clientName, token: token } : { type: "hello", client: clientName }));
  };
  socket.onmessage = (event) => {
    const message = JSON.parse(event.data);
    if (message.type === "state") show(message.state);
  };
  socket.onclose = () => {
    $("link").textContent = "reconnecting…";
    $("link").className = "pill off";
    setTimeout(connect, 1000);
  };
}

// Pings keep this page the live controller of a run it started (dead-man switch).
setInterval(() => {
  if (socket && socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify({ type: "ping" }));
}, 1000);

function show(state) {
  states.set(state.device, state);
  // Until the person picks one, the device shown is one with motors or heat (the mat has
  // its own section below, whichever device is shown).
  const drives = (s) => s && (s.motors > 0 || s.has_heater);
  if (!selected || (!userChose && !drives(states.get(selected)) && drives(state))) selected = state.device;
  renderDevices();
  renderMat();
  if (state.device !== selected) return;

  $("device-line").textContent = state.connected
    ? `${state.vendor} ${state.model} · serial ${state.serial} · ${state.motors} motors`
    : "not connected: " + (state.error || "connecting…");

  $("device-note").textContent = state.note || "";
  $("device-note").hidden = !state.note;

  const motors = $("motors");
  while (motors.children.length > state.motors) motors.lastChild.remove();
  while (motors.children.length < state.motors) {
    const index = motors.children.length;
    const row = document.createElement("div");
    row.className = "bar-row";
    row.innerHTML = `<span class="bar-label">motor ${index + 1}</span><div class="bar"><div class="fill" id="motor-${index}"></div></div><span class="bar-value" id="motor-${index}-value">0</span>`;
    motors.appendChild(row);
  }
  state.outputs.forEach((value, index) => {
    const bar = $("motor-" + index);
    if (!bar) return;
    bar.style.width = (value / 10) + "%";
    bar.dataset.value = value;
    $("motor-" + index + "-value").textContent = Math.round(value / 10) + " %";
  });

  if (state.temperature_celsius != null) {
    $("temperature").textContent = state.temperature_celsius.toFixed(1) + " °C";
    $("temperature-bar").style.width = Math.max(0, Math.min(100, (state.temperature_celsius - 20) / 23 * 100)) + "%";
  } else {
    $("temperature").textContent = "–";
  }
  $("dose").textContent = state.dose_points.toFixed(2);
  $("dose-bar").style.width = Math.min(100, state.dose_points) + "%";

  const faults = $("faults");
  faults.textContent = "";
  for (const fault of state.faults) {
    const item = document.createElement("div");
    item.className = "fault";
    const name = document.createElement("b");
    name.textContent = "Fault: " + fault.name;
    const advice = document.createElement("span");
    advice.textContent = "What to do: " + fault.advice;
    item.append(name, advice);
    faults.appendChild(item);
  }
  $("clear-fault").hidden = state.faults.length === 0;

  const run = state.run;
  if (run) {
    const left = Math.max(0, run.duration - run.seconds);
    $("run-line").textContent = `${run.title}: ${run.state}, ${clock(run.seconds)} of ${clock(run.duration)} (${clock(left)} left) · step ${run.step} · controlled by ${run.controller}${run.detached ? " (detached)" : ""}`;
    $("progress-bar").style.width = (run.seconds / run.duration * 100) + "%";
    if (document.activeElement !== $("intensity")) {
      $("intensity").value = run.intensity;
      $("intensity-value").textContent = run.intensity;
    }
  } else {
    $("run-line").textContent = state.last_run
      ? `Last: ${state.last_run.program}: ${state.last_run.note}; ${state.last_run.stop}.`
      : "No program running.";
    $("progress-bar").style.width = "0";
  }
  $("start").disabled = !!run || !state.connected;
  $("pause").disabled = !run || run.state === "paused";
  $("resume").disabled = !run || run.state !== "paused";
  $("run-line").dataset.state = run ? run.state : "idle";

  if (!run && state.last_run && state.last_run.program !== shownLastRun) {
    shownLastRun = state.last_run.program + state.last_run.note;
    loadHistory();
  }
}
let shownLastRun = null;
let shownMatEnd = null;

// The mat: the selected device when it is a mat, else the first device that is one.
function matDevice() {
  const chosen = states.get(selected);
  if (chosen && chosen.mat_zones > 0) return chosen;
  for (const state of states.values()) if (state.mat_zones > 0) return state;
  return null;
}

function renderMat() {
  const state = matDevice();
  const zones = $("mat-zones");
  const count = state ? state.mat_zones : 0;
  if (zones.children.length !== count) {
    zones.textContent = "";
    for (let index = 0; index < count; index++) {
      const zone = document.createElement("div");
      zone.className = "zone";
      zone.textContent = "zone " + (index + 1);
      zones.appendChild(zone);
    }
  }
  if (!state) {
    $("mat-session-line").textContent = "No mat is connected to the service.";
    $("mat-start").disabled = true;
    $("mat-end").disabled = true;
    return;
  }
  state.mat_pressures.forEach((value, index) => {
    if (zones.children[index]) zones.children[index].classList.toggle("contact", value > 300);
  });
  const session = state.mat_session;
  const running = !!(session && session.running);
  $("mat-start").disabled = running || !state.connected;
  $("mat-end").disabled = !running;
  $("mat-session-line").dataset.state = running ? "running" : (session ? "ended" : "idle");
  if (!session) {
    $("mat-session-line").textContent = "No mat session.";
    return;
  }
  const today = session.earlier_today_seconds + session.time_on_mat_seconds;
  $("mat-session-line").textContent = running
    ? `Mat session on ${state.device}: ${clock(session.session_seconds)}, on the mat ${clock(session.time_on_mat_seconds)}${session.on_mat ? " (on it now)" : ""} · started by ${session.started_by}`
    : `Last mat session: ${clock(session.session_seconds)}, on the mat ${clock(session.time_on_mat_seconds)}; ${session.ended}`;
  if (session.goal_seconds > 0) {
    $("mat-goal").textContent = `today on the mat ${clock(today)} of ${clock(session.goal_seconds)}${session.goal_met ? " · goal reached" : ""} · ${session.goal_explanation}`;
    $("mat-goal-bar").style.width = Math.min(100, today / session.goal_seconds * 100) + "%";
  }
  if (session.warnings.length) notice(session.warnings.join("; "));
  if (!running && session.ended !== shownMatEnd) {
    shownMatEnd = session.ended;
    loadHistory();
    loadGoal().catch(() => {});
  }
}

function matCommand(name, body) {
  const state = matDevice();
  if (!state) return;
  api("POST", "/api/v1/devices/" + encodeURIComponent(state.device) + "/mat-session/" + name, body).then(show).catch(() => {});
}

function renderDevices() {
  const select = $("device-select");
  if (select.options.length !== states.size) {
    select.textContent = "";
    for (const name of states.keys()) select.add(new Option(name, name));
  }
  if (select.value !== selected) select.value = selected;
}

function clock(seconds) {
  const whole = Math.floor(seconds);
  return Math.floor(whole / 60) + ":" + String(whole % 60).padStart(2, "0");
}

async function loadPrograms() {
  const answer = await api("GET", "/api/v1/programs");
  programs = answer.programs;
  const select = $("program-select");
  select.textContent = "";
  for (const program of programs) select.add(new Option(`${program.title} (${clock(program.duration)})`, program.name));
  describeProgram();
}

function describeProgram() {
  const program = programs.find((p) => p.name === $("program-select").value);
  $("program-about").textContent = program ? program.description : "";
}

async function loadHistory() {
  const answer = await api("GET", "/api/v1/history?limit=8");
  const body = $("history").tBodies[0];
  body.textContent = "";
  for (const entry of answer.entries) {
    const row = body.insertRow();
    row.className = "history-row";
    const when = new Date(entry.started_at);
    for (const text of [when.toLocaleString(), entry.name, clock(entry.elapsed_seconds), entry.outcome + (entry.note ? ": " + entry.note : "")]) {
      row.insertCell().textContent = text;
    }
  }
}

async function loadGoal() {
  const goal = await api("GET", "/api/v1/mat/goal");
  $("mat-goal").textContent = `today on the mat ${clock(goal.today_seconds)} of ${clock(goal.goal_seconds)} · ${goal.explanation}`;
  $("mat-goal-bar").style.width = Math.min(100, goal.today_seconds / goal.goal_seconds * 100) + "%";
}

$("device-select").onchange = (event) => { userChose = true; selected = event.target.value; show(states.get(selected)); };
$("program-select").onchange = describeProgram;
$("start").onclick = () => command("start", { program: $("program-select").value, intensity: Number($("intensity").value) });
$("pause").onclick = () => command("pause");
$("resume").onclick = () => command("resume");
$("stop").onclick = () => command("stop");
$("clear-fault").onclick = () => command("clear-fault");
$("mat-start").onclick = () => matCommand("start");
$("mat-end").onclick = () => matCommand("end");
$("intensity").oninput = () => { $("intensity-value").textContent = $("intensity").value; };
$("intensity").onchange = () => {
  if (states.get(selected) && states.get(selected).run) command("intensity", { percent: Number($("intensity").value) });
};

if (!token) notice("Watching only: open the URL that `massagectl serve --show-url` prints to control the device.");
api("GET", "/api/v1/devices").then((answer) => answer.devices.forEach(show)).catch(() => {});
loadPrograms().catch(() => {});
loadHistory().catch(() => {});
loadGoal().catch(() => {});
setInterval(() => loadGoal().catch(() => {}), 30000);
connect();
