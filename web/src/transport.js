// SPDX-License-Identifier: MIT
// The transport buttons beside Play (start, step back, step forward, end), what the ← → keys
// do: scroll the view (avseg's default) or seek by the seek step (the AWS sample's habit), and
// what a click on a segment list row does: select it (default) or also play it (the sample's), as
// the element's `arrow-keys`, `seek-step` and `row-click` attributes say.

export const DEFAULT_SEEK_STEP = 5;

/** The `seek-step` attribute in seconds: a positive number, DEFAULT_SEEK_STEP when absent or unusable. */
export function seekStep(text) {
  const n = Number(text);
  return text != null && text !== '' && Number.isFinite(n) && n > 0 ? n : DEFAULT_SEEK_STEP;
}

/** What ← → do, from the `arrow-keys` attribute: 'seek' or 'scroll' (the default). */
export function arrowKeys(text) {
  return String(text ?? '').trim().toLowerCase() === 'seek' ? 'seek' : 'scroll';
}

/** The time `step` seek steps from `time`, inside [0, duration]. */
export function stepped(time, step, duration) {
  return Math.min(Math.max(time + step, 0), duration > 0 ? duration : 0);
}

/** What a click on a segment list row does, from the `row-click` attribute: 'play' or 'select' (the default). */
export function rowClick(text) {
  return String(text ?? '').trim().toLowerCase() === 'play' ? 'play' : 'select';
}

export class Transport {
  #el;
  #parts;

  /**
   * @param {HTMLElement & {currentTime: number, duration: number}} element
   * @param {{seekStart: HTMLButtonElement, seekBack: HTMLButtonElement, seekForward: HTMLButtonElement, seekEnd: HTMLButtonElement}} parts
   */
  constructor(element, parts) {
    this.#el = element;
    this.#parts = parts;
  }

  /** Seeks `direction` seek steps (the element's `seek-step`). */
  step(direction) {
    const el = this.#el;
    if (!(el.duration > 0)) return;
    el.currentTime = stepped(el.currentTime, direction * seekStep(el.getAttribute('seek-step')), el.duration);
  }

  /** True if a click on a segment list row plays it. */
  get rowClickPlays() { return rowClick(this.#el.getAttribute('row-click')) === 'play'; }

  /** True if the ← → keys seek rather than scroll. */
  get arrowsSeek() { return arrowKeys(this.#el.getAttribute('arrow-keys')) === 'seek'; }

  connect(subs) {
    const el = this.#el;
    const p = this.#parts;
    subs.listen(p.seekStart, 'click', () => { if (el.duration > 0) el.currentTime = 0; });
    subs.listen(p.seekBack, 'click', () => this.step(-1));
    subs.listen(p.seekForward, 'click', () => this.step(1));
    subs.listen(p.seekEnd, 'click', () => { if (el.duration > 0) el.currentTime = el.duration; });
  }
}
