// SPDX-License-Identifier: MIT
// The filmstrip: thumbnails of a video's frames along the timeline, following the zoom. A hidden
// second <video> seeks to each thumbnail's frame and the browser decodes it off the main thread
// (doc/video.md says why this rather than WebCodecs); thumbnails fill in one by one and are kept
// in a small cache, so the UI never waits for them.
import { frameTolerance, seekTarget } from './frame-clock.js';

/**
 * Which frame each thumbnail slot shows: slots of `thumbWidth` px across `width` px of the view,
 * each showing the frame on screen at its centre. Pure, for tests.
 * @param {{start: number, end: number}} view seconds
 * @param {(t: number) => number} frameAt the frame shown at a time, or -1
 * @returns {{x: number, frame: number}[]}
 */
export function thumbSlots(view, width, thumbWidth, frameAt) {
  const slots = [];
  const span = view.end - view.start;
  if (!(span > 0) || !(width > 0) || !(thumbWidth > 0)) return slots;
  for (let x = 0; x < width; x += thumbWidth) {
    const t = view.start + ((x + Math.min(thumbWidth, width - x) / 2) / width) * span;
    slots.push({ x, frame: frameAt(t) });
  }
  return slots;
}

const CACHE_LIMIT = 300;

export class Filmstrip {
  #canvas;
  #video = document.createElement('video');
  #times = null;          // frame start times, then the end
  #tolerance = 0;
  #frameAt = null;
  #cache = new Map();     // frame -> ImageBitmap, oldest first
  #wanted = [];           // frames to fetch, nearest first
  #busy = false;
  #slots = [];
  #thumbWidth = 0;
  #generation = 0;

  /** @param {HTMLCanvasElement} canvas */
  constructor(canvas) {
    this.#canvas = canvas;
    this.#video.muted = true;
    // Each thumbnail's seek reads what it needs; 'auto' would buffer on through the file beside
    // the worker's reads.
    this.#video.preload = 'metadata';
    this.#video.crossOrigin = 'anonymous';
    this.#video.playsInline = true;
  }

  /** A new video: its URL, frame times and size. */
  load(src, times, frameAt, width, height) {
    this.#generation++;
    this.#shownView = null;
    for (const bitmap of this.#cache.values()) bitmap.close?.();
    this.#cache.clear();
    this.#wanted = [];
    this.#times = times;
    this.#tolerance = times ? frameTolerance(times) : 0;
    this.#frameAt = frameAt;
    this.#aspect = width > 0 && height > 0 ? width / height : 16 / 9;
    this.#video.src = src;
  }

  #aspect = 16 / 9;

  /** A fresh link of the same video (the old one expired): the thumbnails made stay. */
  setSource(src) {
    if (this.#times) this.#video.src = src;
  }

  clear() {
    this.load('', null, null, 0, 0);
    this.#video.removeAttribute('src');
    const ctx = this.#canvas.getContext('2d');
    ctx.clearRect(0, 0, this.#canvas.width, this.#canvas.height);
  }

  /** The frames the strip shows now (for tests and the accessibility label). */
  get shownFrames() { return this.#slots.map((s) => s.frame); }

  #shownView = null;      // the view and width last shown by follow()

  /** Shows a view unless it is the one on screen already, and names the frames shown in the
   * canvas's accessible label (`count`: the video's frames). */
  follow(view, count) {
    const canvas = this.#canvas;
    const key = `${view.start}/${view.end}/${canvas.width}`;
    if (key === this.#shownView) return;
    this.#shownView = key;
    this.show(view);
    const shown = this.shownFrames.filter((f) => f >= 0);
    canvas.setAttribute('aria-label', shown.length ? `Filmstrip: frames ${shown[0] + 1} to ${shown.at(-1) + 1} of ${count}` : 'Filmstrip');
  }

  /** The next follow() draws even an unchanged view (the canvas was resized or reloaded). */
  invalidate() { this.#shownView = null; }

  /** Redraws for a view; missing thumbnails are fetched in the background. */
  show(view) {
    const canvas = this.#canvas;
    if (!this.#times) return;
    this.#thumbWidth = Math.max(16, Math.round(canvas.height * this.#aspect));
    this.#slots = thumbSlots(view, canvas.width, this.#thumbWidth, this.#frameAt);
    this.#paint();
    const missing = [...new Set(this.#slots.map((s) => s.frame).filter((f) => f >= 0 && !this.#cache.has(f)))];
    this.#wanted = missing;
    this.#pump();
  }

  #paint() {
    const canvas = this.#canvas;
    const ctx = canvas.getContext('2d');
    ctx.fillStyle = '#1d2633';
    ctx.fillRect(0, 0, canvas.width, canvas.height);
    for (const { x, frame } of this.#slots) {
      const bitmap = this.#cache.get(frame);
      if (bitmap) ctx.drawImage(bitmap, x, 0, Math.min(this.#thumbWidth, canvas.width - x), canvas.height);
      ctx.fillStyle = 'rgba(255,255,255,0.35)';
      ctx.fillRect(x, 0, 1, canvas.height);
    }
  }

  async #pump() {
    if (this.#busy) return;
    this.#busy = true;
    const generation = this.#generation;
    try {
      while (this.#wanted.length && generation === this.#generation) {
        const frame = this.#wanted.shift();
        if (this.#cache.has(frame)) continue;
        const bitmap = await this.#grab(frame);
        if (!bitmap || generation !== this.#generation) break;
        this.#cache.set(frame, bitmap);
        if (this.#cache.size > CACHE_LIMIT) {
          const [oldest, old] = this.#cache.entries().next().value;
          this.#cache.delete(oldest);
          old.close?.();
        }
        this.#paint();
      }
    } finally {
      this.#busy = false;
    }
  }

  /** Seeks the hidden video to the frame, as the element does, and takes a small picture of it. */
  #grab(frame) {
    const video = this.#video;
    const times = this.#times;
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        video.removeEventListener('seeked', onSeeked);
        video.removeEventListener('error', onError);
      };
      const onSeeked = () => {
        done();
        const height = this.#canvas.height;
        createImageBitmap(video, { resizeWidth: this.#thumbWidth, resizeHeight: height, resizeQuality: 'medium' })
          .then(resolve, () => resolve(null));
      };
      const onError = () => { done(); resolve(null); };
      const timer = setTimeout(() => { done(); resolve(null); }, 5000);
      video.addEventListener('seeked', onSeeked);
      video.addEventListener('error', onError);
      video.currentTime = seekTarget(times, frame, this.#tolerance).time;
    });
  }
}
