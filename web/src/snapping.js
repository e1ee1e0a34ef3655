// SPDX-License-Identifier: MIT
// Snapping to the sound: while it is on (the bar's "Snap to sound" box, Shift+S; on by default
// when the label config has an `analysis` block), a boundary dragged on the lanes (on release) or
// nudged by a key goes to the nearest pause edge, energy minimum or zero crossing within the
// config's radius, as the worker finds it (load-session.js snap). The edit waits for the answer
// and lands once. Audio only: a video's boundaries are its frame boundaries already.

/**
 * @typedef {object} SnappingHost
 * @property {(frame: number, radius: number, kinds: string[]) => Promise<{frame: number, kind: string} | null>} snap
 * @property {() => {kinds: string[], radiusMs: number}} config  the config's analysis.snap (defaults filled in)
 * @property {() => boolean} configured  the label config has an `analysis` block
 * @property {() => number} sampleRate  0 without sound
 * @property {() => object | null} video
 * @property {(text: string) => void} say
 */

/** How long an edit waits for the worker's snap before it lands unsnapped (a worker waiting on an expired link). */
export const SNAP_WAIT_MS = 300;

export class Snapping {
  #session;
  #box;
  #host;
  #override = null;          // the annotator's choice, over the config's default
  #queue = Promise.resolve();  // one snapped edit at a time: each reads the segment as the last left it

  /**
   * @param {import('./annotation-session.js').AnnotationSession} session
   * @param {HTMLInputElement} box  the "Snap to sound" box
   * @param {SnappingHost} host
   */
  constructor(session, box, host) {
    this.#session = session;
    this.#box = box;
    this.#host = host;
  }

  connect(subs) {
    subs.listen(this.#box, 'change', () => { this.on = this.#box.checked; });
  }

  /** Whether boundaries snap to the sound (a video's never do). */
  get on() { return this.#override ?? this.#host.configured(); }
  set on(value) {
    this.#override = Boolean(value);
    this.#box.checked = this.#override;
  }

  toggle() {
    this.on = !this.on;
    this.#host.say(this.on ? 'Boundaries snap to the sound' : 'Boundaries do not snap to the sound');
  }

  /** The config changed: the box shows the state it gives, unless the annotator chose. */
  configChanged() { this.#box.checked = this.on; }

  get #active() { return this.on && !this.#host.video() && this.#host.sampleRate() > 0; }

  /** Where a boundary at position p goes: the snapped frame if one in reach `fits`, else p. */
  async #snapped(p, fits = () => true) {
    const { kinds, radiusMs } = this.#host.config();
    const radius = Math.max(1, Math.round((radiusMs / 1000) * this.#host.sampleRate()));
    let timer;
    const late = new Promise((resolve) => { timer = setTimeout(() => resolve(null), SNAP_WAIT_MS); });
    const answer = await Promise.race([Promise.resolve(this.#host.snap(p, radius, kinds)).catch(() => null), late]).finally(() => clearTimeout(timer));
    return answer && fits(answer.frame) ? answer.frame : p;
  }

  /**
   * A drag's new bounds: with snapping on, the moved edges snapped first; then edit(start, end),
   * at once when off. Returns what edit returned (a promise of it when snapping).
   */
  bounds(start, end, moveStart, moveEnd, edit) {
    if (!this.#active || (!moveStart && !moveEnd)) return edit(start, end);
    return this.#enqueue(async () => {
      const s = moveStart ? await this.#snapped(start) : start;
      const e = moveEnd ? await this.#snapped(end) : end;
      return e > s ? edit(s, e) : edit(start, end);
    });
  }

  /**
   * A nudge of the selected segment's edge by `frames`: with snapping on, to the nearest point in
   * reach of the nudged place that is still past the old one (so that it never sticks). Returns
   * false when snapping is off or the nudge is by one sample, the fine control (the plain nudge is
   * the caller's).
   */
  nudge(id, edge, direction, frames) {
    if (!this.#active || !frames || Math.abs(frames) <= 1) return false;
    this.#enqueue(async () => {
      const before = this.#session.store?.segment(id);
      if (!before) return;
      const from = before[edge];
      const at = await this.#snapped(from + direction * frames, (f) => direction * (f - from) > 0);
      // Read again: the other edge may have been edited while the answer came.
      const seg = this.#session.store?.segment(id);
      if (!seg || seg[edge] !== from) return;
      this.#session.tryEdit((a) => (edge === 'end' ? a.setBounds(seg.id, seg.start, at) : a.setBounds(seg.id, at, seg.end)));
    });
    return true;
  }

  /** Resolves once every snapped edit asked for so far has landed (tests, hosts). */
  settled() { return this.#queue; }

  #enqueue(step) {
    const run = this.#queue.then(step);
    this.#queue = run.catch(() => {});
    return run;
  }
}
