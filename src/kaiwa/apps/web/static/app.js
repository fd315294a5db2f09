// kaiwa web: the page. The agents run on the server; this page is microphone, speaker, screen.
// Protocol: see kaiwa/apps/web/app.py.

const $ = (id) => document.getElementById(id);
const token = document.querySelector('meta[name="kaiwa-token"]').content;

// What tests (and curious people) can read: window.kaiwa.
const state = (window.kaiwa = {
  connected: false,
  audioFramesReceived: 0,
  msPlayed: 0,
  interruptions: 0,
  reconnects: 0,
  micOn: false,
  entries: new Map(),
  get socket() {
    return ws;
  },
});

let ws = null;
let ctx = null;
let player = null;
let micNode = null;
let micStream = null;
let muted = false;
let wanted = false; // the user asked to be connected: reconnect when the socket drops
let retry = 0;
let audioKey = null; // the item the next binary frames belong to
let inspectorAudio = false;
let micWarning = ""; // said until the microphone works
let micAsked = false; // asked for the microphone since Connect was pressed

// -- screen -----------------------------------------------------------------------------------

function banner(text, kind = "info") {
  const b = $("banner");
  if (!text) {
    b.hidden = true;
    return;
  }
  b.textContent = text;
  b.dataset.kind = kind;
  b.hidden = false;
}

function setStatus(s) {
  const el = $("status");
  el.dataset.state = s.replace(/ /g, "-");
  el.textContent = s;
}

function el(tag, cls, text) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}

function pretty(json) {
  try {
    const v = JSON.parse(json);
    return Object.entries(v)
      .map(([k, x]) => `${k}: ${typeof x === "string" ? x : JSON.stringify(x)}`)
      .join(", ");
  } catch {
    return String(json);
  }
}

function render(entry) {
  let li = document.querySelector(`[data-id="${CSS.escape(entry.id)}"]`);
  const fresh = !li;
  if (fresh) {
    li = el("li", `entry ${entry.kind}`);
    li.dataset.id = entry.id;
    li.dataset.kind = entry.kind;
  }
  li.replaceChildren();
  switch (entry.kind) {
    case "user": {
      li.append(el("span", "who", "you"));
      const t = el("span", "text", entry.text || "…");
      if (!entry.final) t.classList.add("partial");
      li.append(t);
      break;
    }
    case "agent": {
      li.append(el("span", "who", entry.agent || "agent"));
      const t = el("span", "text", entry.text || "…");
      if (!entry.final) t.classList.add("partial");
      li.append(t);
      if (entry.interrupted) li.append(el("span", "tag cut", "interrupted"));
      if (entry.latency_ms != null) {
        const l = el("span", "tag latency", `${(entry.latency_ms / 1000).toFixed(2)} s`);
        l.title = "from the end of your speech to the first audio of this answer";
        li.append(l);
      }
      break;
    }
    case "tool": {
      li.append(el("span", "who", "tool"));
      const body = el("span", "text");
      body.append(el("code", "call", `${entry.name}(${pretty(entry.arguments)})`));
      if (entry.output != null) body.append(el("span", "result", `→ ${entry.output}`));
      else body.append(el("span", "result pending", "running…"));
      li.append(body);
      break;
    }
    case "approval": {
      li.append(el("span", "who", "approve?"));
      const body = el("span", "text");
      body.append(`${entry.agent} wants to run `);
      body.append(el("code", "call", `${entry.tool}(${pretty(entry.arguments)})`));
      li.append(body);
      li.dataset.state = entry.state;
      if (entry.state === "pending") {
        const yes = el("button", "approve primary", "Approve");
        const no = el("button", "reject", "Reject");
        yes.type = no.type = "button";
        yes.dataset.action = "approve";
        no.dataset.action = "reject";
        yes.onclick = () => send({ type: "approve", call_id: entry.call_id });
        no.onclick = () => send({ type: "reject", call_id: entry.call_id });
        li.append(yes, no);
        if (fresh) setTimeout(() => yes.focus(), 0);
      } else {
        li.append(el("span", `tag ${entry.state}`, entry.state));
      }
      break;
    }
    case "handoff":
      li.append(el("span", "who", "handoff"));
      li.append(el("span", "text", `${entry.from} → ${entry.to}`));
      break;
    default:
      li.append(el("span", "who", entry.kind));
      li.append(el("span", "text", entry.text || ""));
  }
  if (fresh) {
    const list = $("transcript");
    const atBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 80;
    list.append(li);
    $("empty").hidden = true;
    if (atBottom || entry.kind !== "agent") li.scrollIntoView({ block: "end" });
  }
}

function showEvent(ev) {
  if (!inspectorAudio && /audio\.delta|audio_buffer\.append/.test(ev.type || "")) return;
  const list = $("events");
  const li = el("li");
  const head = el("button", "event-head", ev.type || "?");
  head.type = "button";
  const body = el("pre", "event-body", JSON.stringify(ev, null, 2));
  body.hidden = true;
  head.onclick = () => (body.hidden = !body.hidden);
  li.append(head, body);
  list.append(li);
  while (list.childElementCount > 500) list.firstElementChild.remove();
  if (!$("inspector").hidden) li.scrollIntoView({ block: "end" });
}

// -- audio ------------------------------------------------------------------------------------

async function startAudio() {
  ctx = new AudioContext({ sampleRate: 24000, latencyHint: "interactive" });
  await ctx.audioWorklet.addModule("/static/worklets.js");
  player = new AudioWorkletNode(ctx, "kaiwa-player", { outputChannelCount: [1] });
  player.connect(ctx.destination);
  player.port.onmessage = (e) => {
    const m = e.data;
    if (m.type !== "played") return;
    const [item_id, content_index] = JSON.parse(m.key);
    send({ type: "played", item_id, content_index, ms: Math.round(m.ms) });
    state.msPlayed += 100;
  };
}

// The microphone opens once the conversation is ready (after "hello"): what is said while the
// agent is still loading would not be heard in time, so it is not captured at all.
async function startMic() {
  micAsked = true;
  try {
    micStream = await navigator.mediaDevices.getUserMedia({
      audio: { echoCancellation: true, noiseSuppression: true, autoGainControl: true, channelCount: 1 },
    });
  } catch (err) {
    micWarning = `Microphone refused (${err.name}): allow it in the address bar and reconnect. You can still type.`;
    banner(micWarning, "warn");
    return;
  }
  const source = ctx.createMediaStreamSource(micStream);
  micNode = new AudioWorkletNode(ctx, "kaiwa-capture", { numberOfInputs: 1, numberOfOutputs: 0 });
  micNode.port.onmessage = (e) => {
    if (!muted && state.connected && ws.readyState === WebSocket.OPEN && ws.bufferedAmount < 256 * 1024) {
      ws.send(e.data);
    }
  };
  source.connect(micNode);
  state.micOn = true;
  micWarning = "";
  $("mute").disabled = false;
}

function play(data) {
  if (!player || audioKey === null) return;
  const pcm = new Int16Array(data);
  const samples = new Float32Array(pcm.length);
  for (let i = 0; i < pcm.length; i++) samples[i] = pcm[i] / 0x8000;
  player.port.postMessage({ type: "audio", key: audioKey, samples }, [samples.buffer]);
  state.audioFramesReceived++;
}

function stopPlayback() {
  if (player) player.port.postMessage({ type: "flush" });
  audioKey = null;
  state.interruptions++;
}

// -- socket -----------------------------------------------------------------------------------

function send(msg) {
  if (ws && ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(msg));
}

function connectSocket() {
  const proto = location.protocol === "https:" ? "wss" : "ws";
  const socket = new WebSocket(`${proto}://${location.host}/ws?token=${encodeURIComponent(token)}`);
  ws = socket;
  socket.binaryType = "arraybuffer";
  socket.onopen = () => {
    retry = 0;
  };
  socket.onmessage = (e) => {
    if (socket !== ws) return;
    if (typeof e.data !== "string") return play(e.data);
    const m = JSON.parse(e.data);
    switch (m.type) {
      case "loading":
        $("loading").hidden = false;
        $("loading-step").textContent = m.step || "";
        $("loading-bar").max = m.total || 4;
        $("loading-bar").value = m.done || 0;
        setStatus("loading");
        break;
      case "ready":
        $("loading").hidden = true;
        break;
      case "hello":
        $("loading").hidden = true;
        state.connected = true;
        if (player) player.port.postMessage({ type: "reset" }); // audio of the old socket
        audioKey = null;
        $("mute").disabled = !state.micOn;
        if (!state.micOn && !micAsked && ctx) startMic();
        $("transcript").replaceChildren();
        state.entries.clear();
        for (const entry of m.entries) {
          state.entries.set(entry.id, entry);
          render(entry);
        }
        $("empty").hidden = m.entries.length > 0;
        $("agent").textContent = m.agent;
        if (!m.resumed && $("language").value !== m.language) {
          // chosen before connecting: the new conversation starts in it
          send({ type: "language", language: $("language").value });
        } else $("language").value = m.language;
        setStatus(m.status);
        if (micWarning) banner(micWarning, "warn");
        else if (m.resumed) {
          banner("Reconnected: the conversation goes on.", "ok");
          setTimeout(() => !micWarning && banner(""), 3000);
        } else banner("");
        $("message").disabled = $("send").disabled = $("stop").disabled = false;
        $("connect").textContent = "Disconnect";
        $("agent").title = `answered by the ${m.engine}`;
        break;
      case "entry":
        state.entries.set(m.entry.id, m.entry);
        render(m.entry);
        break;
      case "update": {
        const entry = state.entries.get(m.id);
        if (!entry) break;
        const { type, id, ...fields } = m;
        Object.assign(entry, fields);
        render(entry);
        break;
      }
      case "status":
        setStatus(m.state);
        break;
      case "agent":
        $("agent").textContent = m.name;
        break;
      case "audio_item":
        audioKey = JSON.stringify([m.item_id, m.content_index]);
        break;
      case "interrupted":
        stopPlayback();
        break;
      case "raw":
        showEvent(m.event);
        break;
      case "error":
        banner(m.message, "error");
        break;
    }
  };
  socket.onclose = (e) => {
    if (socket !== ws) return; // an older socket, replaced on purpose
    state.connected = false;
    $("message").disabled = $("send").disabled = true;
    if (!wanted) return;
    if (e.code >= 4000 && e.code < 5000) {
      // ended, taken over by a newer socket, or could not start: reconnecting would not help
      banner(`${e.reason || "The conversation has ended"}. Reload the page to start a new one.`, "error");
      disconnect();
    } else if (retry < 8) {
      retry++;
      state.reconnects++;
      const wait = Math.min(5000, 250 * 2 ** Math.min(retry, 5));
      banner(`Connection lost: reconnecting in ${(wait / 1000).toFixed(1)} s (the conversation is kept)…`, "warn");
      setStatus("reconnecting");
      setTimeout(() => wanted && connectSocket(), wait);
    } else {
      banner(`Could not reconnect (${e.code}${e.reason ? ": " + e.reason : ""}). Reload the page to start a new conversation.`, "error");
      disconnect();
    }
  };
}

async function connect() {
  wanted = true;
  micAsked = false;
  $("connect").disabled = true;
  setStatus("connecting");
  try {
    if (!ctx) await startAudio();
    else await ctx.resume();
  } catch (err) {
    banner(`Audio could not start: ${err.message}. You can still type.`, "warn");
  }
  connectSocket();
  $("connect").disabled = false;
}

// Disconnect pauses: the conversation waits on the server (60 s) for Connect; leaving the
// page ends it (pagehide sends "bye").
function disconnect() {
  wanted = false;
  const socket = ws;
  ws = null;
  if (socket) socket.close(1000);
  if (player) player.port.postMessage({ type: "flush" });
  audioKey = null;
  if (ctx) ctx.suspend();
  setStatus("not connected");
  $("connect").textContent = "Connect";
  $("mute").disabled = $("stop").disabled = true;
}

// -- controls ---------------------------------------------------------------------------------

$("connect").onclick = () => (wanted ? disconnect() : connect());
window.addEventListener("pagehide", () => send({ type: "bye" }));
$("mute").onclick = () => {
  muted = !muted;
  $("mute").textContent = muted ? "Unmute" : "Mute";
  $("mute").setAttribute("aria-pressed", String(muted));
};
$("stop").onclick = () => send({ type: "interrupt" });
$("language").onchange = (e) => send({ type: "language", language: e.target.value });
$("inspect").onclick = () => {
  const panel = $("inspector");
  panel.hidden = !panel.hidden;
  $("inspect").setAttribute("aria-pressed", String(!panel.hidden));
};
$("inspect-audio").onchange = (e) => (inspectorAudio = e.target.checked);
$("inspect-clear").onclick = () => $("events").replaceChildren();
$("composer").onsubmit = (e) => {
  e.preventDefault();
  const text = $("message").value.trim();
  if (!text) return;
  send({ type: "text", text });
  $("message").value = "";
};
document.addEventListener("keydown", (e) => {
  if (e.key === "Escape") send({ type: "interrupt" });
});
$("language").value = document.querySelector('meta[name="kaiwa-language"]').content;
