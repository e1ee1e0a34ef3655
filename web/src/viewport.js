// SPDX-License-Identifier: MIT
// The viewport owns the view window (the span of media time shown): zoom, scroll, following the load
// while it grows, the overview's window box, the scrollbar thumb and the play cursors, and the pointer
// gestures that move them (click to seek and drag to pan the waveform, the wheel, overview/scrollbar drags).
import { Emitter } from './emitter.js';
import { clampView, minSpan, scrollView, thumb, timeToX, xToTime, zoomAround } from './layout.js';

/** Where zooming anchors: the time `t` (the cursor) if it is in view, else the view's middle. */
export function zoomAnchor(view, t) {
  return t >= view.start && t <= view.end ? t : (view.start + view.end) / 2;
}

/** While playing: the view paged so that `t` is in it (5% in from its left edge), or null if it is in sight. */
export function pageTo(view, t) {
  const span = view.end - view.start;
  return t > view.end || t < view.start ? { start: t - span * 0.05, end: t + span * 0.95 } : null;
}

/** The view moved to show [start, end] (centred if it fits in 90% of the span, else exactly it), or null if in sight. */
export function revealSpan(view, start, end) {
  const span = view.end - view.start;
  if (start >= view.start && end <= view.end) return null;
  if (end - start >= span * 0.9) return { start, end };
  const left = start - (span - (end - start)) / 2;
  return { start: left, end: left + span };
}

/** The view of the same span centred on `t`. */
export function centreOn(view, t) {
  const span = view.end - view.start;
  return { start: t - span / 2, end: t + span / 2 };
}

/**
 * What the viewport reads from the media side.
 * @typedef {object} ViewportHost
 * @property {() => number} duration  seconds (0 until known)
 * @property {() => number} currentTime
 * @property {(t: number) => void} seek  a click on the waveform
 * @property {() => number} rate  samples (or timeline positions) per second, for the deepest zoom
 */

/**
 * @typedef {object} ViewportEvents
 * @property {{start: number, end: number}} change  the view moved (not by a reset or a new duration)
 * @property {{}} cursor  the cursors were placed for the current time
 */

/** @extends {Emitter<ViewportEvents>} */
export class Viewport extends Emitter {
  #view = { start: 0, end: 1 };
  #followLoad = true;     // the view tracks the growing file until the user moves it
  #el;
  #host;

  /**
   * @param {{wave: HTMLElement, waveCanvas: HTMLCanvasElement, overview: HTMLElement, viewport: HTMLElement,
   *          scrollbar: HTMLElement, thumb: HTMLElement, cursor: HTMLElement, spectroCursor: HTMLElement,
   *          overviewCursor: HTMLElement}} elements
   * @param {ViewportHost} host
   */
  constructor(elements, host) {
    super();
    this.#el = elements;
    this.#host = host;
  }

  /** The view {start, end} in seconds: replaced when it moves, never changed in place. */
  get view() { return this.#view; }

  /** A new media: the whole of it, following the load. */
  reset() {
    this.#view = { start: 0, end: 1 };
    this.#followLoad = true;
  }

  /** The media's length became known or grew: the whole of it while following, else kept inside it. */
  durationChanged(d) {
    this.#view = this.#followLoad ? { start: 0, end: d } : clampView(this.#view, d, this.minSpan());
  }

  /** The narrowest span allowed at the waveform's width. */
  minSpan() {
    return minSpan(this.#el.waveCanvas.width || 1000, this.#host.rate());
  }

  zoomTo(start, end) {
    this.#followLoad = false;
    this.#set({ start: Number(start), end: Number(end) });
  }

  zoomBy(factor, anchor) {
    this.#followLoad = false;
    const t = anchor ?? zoomAnchor(this.#view, this.#host.currentTime());
    this.#set(zoomAround(this.#view, Number(factor), t, this.#host.duration(), this.minSpan()));
  }

  /** Scrolls by a fraction of the view's span (negative: back). */
  scrollBy(fraction) { this.#scroll(fraction * (this.#view.end - this.#view.start)); }

  /** Scrolls the view to show [start, end] if it is not in sight. */
  reveal(start, end) {
    const next = revealSpan(this.#view, start, end);
    if (!next) return;
    this.#followLoad = false;
    this.#set(next);
  }

  /** While playing, page the view so the cursor stays in sight. */
  follow(t) {
    const next = pageTo(this.#view, t);
    if (next) this.#set(next);
    this.updateCursor();
  }

  #scroll(seconds) {
    this.#followLoad = false;
    this.#set(scrollView(this.#view, seconds, this.#host.duration(), this.minSpan()));
  }

  #set(v) {
    const duration = this.#host.duration();
    if (!(duration > 0) || !Number.isFinite(v.start) || !Number.isFinite(v.end)) return;
    const next = clampView(v, duration, this.minSpan());
    if (next.start === this.#view.start && next.end === this.#view.end) return;
    this.#view = next;
    this.emit('change', { start: next.start, end: next.end });
  }

  /** The overview's window box, the scrollbar thumb and the cursors, for the current view. */
  updateOverlay() {
    const el = this.#el;
    const wave = el.wave.clientWidth;
    const over = el.overview.clientWidth;
    const d = this.#host.duration();
    if (d > 0) {
      el.viewport.style.left = `${(this.#view.start / d) * over}px`;
      el.viewport.style.width = `${Math.max(2, ((this.#view.end - this.#view.start) / d) * over)}px`;
      const th = thumb(this.#view, d, el.scrollbar.clientWidth);
      el.thumb.style.left = `${th.left}px`;
      el.thumb.style.width = `${th.width}px`;
    }
    this.updateCursor(wave, over);
  }

  updateCursor(wave = this.#el.wave.clientWidth, over = this.#el.overview.clientWidth) {
    const t = this.#host.currentTime();
    const d = this.#host.duration();
    const x = timeToX(t, this.#view, wave);
    const visible = d > 0 && x >= 0 && x <= wave;
    for (const cursor of [this.#el.cursor, this.#el.spectroCursor]) {
      cursor.style.display = visible ? '' : 'none';
      cursor.style.transform = `translateX(${x}px)`;
    }
    this.#el.overviewCursor.style.transform = `translateX(${d > 0 ? (t / d) * over : 0}px)`;
    this.emit('cursor', {});
  }

  /** The pointer gestures, kept in `subs` (released on disconnect). */
  connect(subs) {
    const { wave, overview, scrollbar } = this.#el;
    // Click to seek, drag to pan.
    subs.listen(wave, 'pointerdown', (e) => {
      if (!(this.#host.duration() > 0) || e.button !== 0) return;
      wave.setPointerCapture(e.pointerId);
      const startX = e.clientX;
      const startView = this.#view;
      const width = wave.clientWidth;
      let dragged = false;
      const move = (ev) => {
        const dx = ev.clientX - startX;
        if (Math.abs(dx) > 3) dragged = true;
        if (dragged) {
          this.#followLoad = false;
          this.#set(scrollView(startView, (-dx / width) * (startView.end - startView.start), this.#host.duration(), this.minSpan()));
        }
      };
      const up = (ev) => {
        wave.removeEventListener('pointermove', move);
        wave.removeEventListener('pointerup', up);
        if (!dragged) {
          const rect = wave.getBoundingClientRect();
          this.#host.seek(xToTime(ev.clientX - rect.left, this.#view, rect.width));
        }
      };
      wave.addEventListener('pointermove', move);
      wave.addEventListener('pointerup', up);
    });

    subs.listen(wave, 'wheel', (e) => {
      if (!(this.#host.duration() > 0)) return;
      const rect = wave.getBoundingClientRect();
      if (e.ctrlKey || e.metaKey) {
        e.preventDefault();
        this.zoomBy(Math.exp(-e.deltaY * 0.0025), xToTime(e.clientX - rect.left, this.#view, rect.width));
      } else if (e.shiftKey || Math.abs(e.deltaX) > Math.abs(e.deltaY)) {
        e.preventDefault();
        const delta = e.shiftKey && !e.deltaX ? e.deltaY : e.deltaX;
        this.#scroll((delta / rect.width) * (this.#view.end - this.#view.start));
      }
    }, { passive: false });

    const centre = (clientX, element) => {
      const rect = element.getBoundingClientRect();
      this.#followLoad = false;
      this.#set(centreOn(this.#view, ((clientX - rect.left) / rect.width) * this.#host.duration()));
    };
    for (const element of [overview, scrollbar]) {
      subs.listen(element, 'pointerdown', (e) => {
        if (!(this.#host.duration() > 0) || e.button !== 0) return;
        element.setPointerCapture(e.pointerId);
        centre(e.clientX, element);
        const move = (ev) => centre(ev.clientX, element);
        const up = () => {
          element.removeEventListener('pointermove', move);
          element.removeEventListener('pointerup', up);
        };
        element.addEventListener('pointermove', move);
        element.addEventListener('pointerup', up);
      });
    }
  }
}
