// kaiwa web's audio worklets: the microphone's capture and the answer's gapless player.
// Both run in an AudioContext at 24 kHz (the session's rate; the browser resamples the mic).

const CHUNK = 960; // 40 ms at 24 kHz

class Capture extends AudioWorkletProcessor {
  constructor() {
    super();
    this.buffer = new Int16Array(CHUNK);
    this.filled = 0;
  }

  process(inputs) {
    const input = inputs[0] && inputs[0][0];
    if (!input) return true;
    for (let i = 0; i < input.length; i++) {
      const s = Math.max(-1, Math.min(1, input[i]));
      this.buffer[this.filled++] = s < 0 ? s * 0x8000 : s * 0x7fff;
      if (this.filled === CHUNK) {
        this.port.postMessage(this.buffer.buffer, [this.buffer.buffer]);
        this.buffer = new Int16Array(CHUNK);
        this.filled = 0;
      }
    }
    return true;
  }
}

// Plays queued chunks back to back; on "flush" it stops at once (a 5 ms fade, no click).
// Reports how much of each item it has played, so the server truncates at what was heard.
class Player extends AudioWorkletProcessor {
  constructor() {
    super();
    this.queue = []; // {key, samples: Float32Array, offset}
    this.played = new Map(); // key -> samples played (the last few items)
    this.current = null; // the item playing (or last played)
    this.reported = -1;
    this.fade = 0;
    this.last = 0;
    this.sinceReport = 0;
    this.port.onmessage = (e) => {
      const m = e.data;
      if (m.type === "audio") this.queue.push({ key: m.key, samples: m.samples, offset: 0 });
      else if (m.type === "reset") {
        this.queue = [];
        this.current = null;
      } else if (m.type === "flush") {
        this.report(true);
        this.queue = [];
        this.fade = this.last === 0 ? 0 : 120;
      }
    };
  }

  // Every 100 ms, the item being played and how much of it has played, when that changed.
  report(force) {
    if (!force && this.sinceReport < 2400) return;
    this.sinceReport = 0;
    const key = this.current;
    if (key === null) return;
    const n = this.played.get(key) || 0;
    if (n === this.reported && !force) return;
    this.reported = n;
    this.port.postMessage({ type: "played", key, ms: (n / 24000) * 1000 });
  }

  queued() {
    let n = 0;
    for (const c of this.queue) n += c.samples.length - c.offset;
    return n;
  }

  process(_inputs, outputs) {
    const out = outputs[0][0];
    let i = 0;
    while (i < out.length && this.queue.length) {
      const c = this.queue[0];
      const n = Math.min(out.length - i, c.samples.length - c.offset);
      out.set(c.samples.subarray(c.offset, c.offset + n), i);
      if (c.key !== this.current) {
        this.current = c.key;
        if (this.played.size > 8) this.played.delete(this.played.keys().next().value);
      }
      this.played.set(c.key, (this.played.get(c.key) || 0) + n);
      c.offset += n;
      i += n;
      if (c.offset >= c.samples.length) this.queue.shift();
    }
    if (i > 0) this.last = out[i - 1];
    else if (this.fade === 0) this.last = 0; // idle: a later flush has nothing to fade
    for (; i < out.length; i++) {
      out[i] = this.fade > 0 ? (this.last * this.fade--) / 120 : 0;
    }
    this.sinceReport += out.length;
    this.report(false);
    return true;
  }
}

registerProcessor("kaiwa-capture", Capture);
registerProcessor("kaiwa-player", Player);
