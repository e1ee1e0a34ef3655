// SPDX-License-Identifier: MIT
// The comparison's one transport: every clip plays together, only the heard one unmuted; switching, drift correction, span loops across clips, frame steps.

/** A muted clip further than this from the heard one is sought to it; closer, its rate is nudged (seconds). */
export const DRIFT_SEEK = 0.15;
/** Closer than this a muted clip is in step: its rate is the heard one's (seconds). */
export const DRIFT_OK = 0.004;
/** A rate nudge closes a drift within about this long (seconds), by at most MAX_NUDGE. */
const NUDGE_HORIZON = 0.3;
const MAX_NUDGE = 0.25;
/** A muted clip just sought is left alone this long, so that its seek can land (ms). */
const SETTLE_MS = 300;
/** The newly heard clip further than this from the previous one is sought to its time (seconds). */
export const SWITCH_TOLERANCE = 0.010;
const TICK_MS = 20;

/**
 * @typedef {object} TransportHost
 * @property {(detail: {from: number, to: number, time: number, offsetMs: number}) => void} switched
 * @property {() => void} changed  playing, paused, heard time or counters moved
 */

export class CompareTransport {
  #editors = [];
  #active = 0;
  #playing = false;
  #span = null;          // {start, end}: loop the span, each clip in turn
  #timer = 0;
  #lastTick = 0;
  #settled = [];         // per clip: performance.now() before which its drift is not corrected
  #seekLead = [];        // per clip: seconds a drift seek aims ahead (what its seeks take to land)
  #sought = [];          // per clip: a drift seek is landing
  #host;
  heardMs = [];          // per shown position
  switches = 0;
  loops = 0;

  /** @param {TransportHost} host */
  constructor(host) {
    this.#host = host;
  }

  /** The editors in shown order; the first is heard. */
  attach(editors) {
    this.pause();
    this.#editors = editors;
    this.#active = 0;
    this.#settled = editors.map(() => 0);
    this.#seekLead = editors.map(() => 0.05);
    this.#sought = editors.map(() => false);
    this.heardMs = editors.map(() => 0);
    this.switches = 0;
    this.loops = 0;
    this.#applyMute();
  }

  get active() { return this.#active; }
  get playing() { return this.#playing; }
  get looping() { return Boolean(this.#span); }
  get currentTime() { return this.#editors[this.#active]?.currentTime ?? 0; }

  /** Every clip to `t` seconds (a shorter clip stops at its end). */
  seek(t) {
    for (const editor of this.#editors) editor.currentTime = t;
  }

  async play() {
    if (!this.#editors.length) return;
    const t = this.currentTime;
    for (const [k, editor] of this.#editors.entries()) if (k !== this.#active && Math.abs(editor.currentTime - t) > SWITCH_TOLERANCE) editor.currentTime = t;
    this.#applyMute();
    this.#playing = true;
    this.#startTicks();
    this.#host.changed();
    await Promise.all(this.#editors.map((editor) => (editor.currentTime < editor.duration ? editor.play() : null)));
  }

  pause() {
    this.#span = null;
    if (!this.#playing) {
      for (const editor of this.#editors) editor.pause();
      return;
    }
    this.#playing = false;
    clearInterval(this.#timer);
    this.#tickHeard();
    for (const editor of this.#editors) {
      editor.pause();
      editor.rateNudge = 1;
    }
    // Paused, every clip waits at the heard one's time, so the next play or switch starts in step.
    const t = this.currentTime;
    for (const [k, editor] of this.#editors.entries()) if (k !== this.#active) editor.currentTime = t;
    this.#host.changed();
  }

  toggle() { return this.#playing ? this.pause() : this.play(); }

  /**
   * The clip at shown position `to` is heard from now, at the position the previous one was at,
   * without stopping. offsetMs: how far the newly heard clip was from the previous one when the
   * switch came (before any correction; positive is ahead).
   */
  switchTo(to) {
    const n = this.#editors.length;
    if (!Number.isInteger(to) || to < 0 || to >= n) throw new RangeError(`no clip at position ${to} (there are ${n})`);
    const from = this.#active;
    if (to === from) return null;
    this.#tickHeard();
    const prev = this.#editors[from];
    const next = this.#editors[to];
    const time = prev.currentTime;
    const offsetMs = (next.currentTime - time) * 1000;
    next.rateNudge = 1;
    if (Math.abs(offsetMs) > SWITCH_TOLERANCE * 1000 || !this.#playing) next.currentTime = time;
    this.#active = to;
    this.#applyMute();
    this.switches += 1;
    const detail = { from, to, time, offsetMs };
    this.#host.switched(detail);
    this.#host.changed();
    return detail;
  }

  /** Plays [start, end] on each clip in turn (the heard one first, then the next shown ...) until paused. */
  loop(start, end) {
    const s = Number(start);
    const e = Number(end);
    if (!(Number.isFinite(s) && Number.isFinite(e) && e > s && s >= 0)) throw new RangeError(`a loop needs 0 <= start < end (got ${start}, ${end})`);
    this.pause();
    this.seek(s);
    this.#span = { start: s, end: e };
    return this.play();
  }

  /**
   * Steps the heard clip's picture by `delta` frames and shows on every other clip the frame at
   * the same time (clips of different frame rates stay time-aligned).
   */
  stepFrame(delta) {
    this.pause();
    const lead = this.#editors[this.#active];
    if (!lead) return;
    if (lead.frames) lead.stepFrame(delta);
    this.alignTo(lead.currentTime);
  }

  /** Every clip but the heard one shows `t` (a video: the frame on screen at `t`). */
  alignTo(t) {
    for (const [k, editor] of this.#editors.entries()) {
      if (k === this.#active) continue;
      const frame = editor.frames ? editor.frameAt(t) : -1;
      if (frame >= 0) editor.seekFrame(frame);
      else editor.currentTime = t;
    }
  }

  detach() {
    this.pause();
    this.#editors = [];
  }

  #applyMute() {
    for (const [k, editor] of this.#editors.entries()) editor.muted = k !== this.#active;
  }

  #startTicks() {
    clearInterval(this.#timer);
    this.#lastTick = performance.now();
    this.#timer = setInterval(() => this.#tick(), TICK_MS);
  }

  #tickHeard() {
    const now = performance.now();
    if (this.#playing && this.heardMs.length) this.heardMs[this.#active] += now - this.#lastTick;
    this.#lastTick = now;
  }

  #tick() {
    this.#tickHeard();
    const lead = this.#editors[this.#active];
    if (!lead) return;
    const span = this.#span;
    if (span && lead.currentTime >= span.end) {
      const next = (this.#active + 1) % this.#editors.length;
      this.loops += 1;
      this.seek(span.start);
      this.switchTo(next);
      return;
    }
    if (this.#editors.every((editor) => editor.currentTime >= editor.duration - 1e-3)) {
      this.pause();
      return;
    }
    this.#correctDrift(lead);
  }

  /**
   * Muted clips are kept in step with the heard one (unheard, so no correction is heard): a small
   * drift by nudging their rate, a large one (a stall, a slow seek) by a seek ahead by what the
   * clip's last seek took to land.
   */
  #correctDrift(lead) {
    const now = performance.now();
    const t = lead.currentTime;
    for (const [k, editor] of this.#editors.entries()) {
      if (k === this.#active || now < this.#settled[k] || t >= editor.duration) continue;
      const d = editor.currentTime - t;
      if (Math.abs(d) > DRIFT_SEEK) {
        editor.rateNudge = 1;
        editor.currentTime = t + this.#seekLead[k];
        this.#settled[k] = now + SETTLE_MS;
        this.#sought[k] = true;
        continue;
      }
      // After a seek has landed, what is left of the drift teaches the next seek's lead.
      if (this.#sought[k]) {
        this.#seekLead[k] = Math.min(Math.max(this.#seekLead[k] - d, 0), 1);
        this.#sought[k] = false;
      }
      editor.rateNudge = Math.abs(d) < DRIFT_OK ? 1 : 1 - Math.min(Math.max(d / NUDGE_HORIZON, -MAX_NUDGE), MAX_NUDGE);
    }
  }
}
