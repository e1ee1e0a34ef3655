// SPDX-License-Identifier: MIT
// The browser's motion scan: a hidden second <video> on the same URL is stepped through every
// frame of the frame index (a seek just after each frame's start, as seekFrame does), each picture
// is drawn into a small canvas, turned into grey, and sent in batches to the worker, whose
// MotionAnalyzer finds the motion, cuts and jerks (doc/analysis.md "Motion and cuts").
// The same size and the same grey as avseg-cli's native path (VideoLumaReader), so both find the
// same cuts: full-range luma by BT.601's weights, which for limited-range video is its Y stretched
// to 0-255, as swscale gives natively.
import { Emitter } from './emitter.js';
import { frameTolerance, seekTarget } from './frame-clock.js';

export const MOTION_WIDTH = 64;
export const MOTION_HEIGHT = 36;
const BATCH = 16;
const SEEK_TIMEOUT_MS = 10000;

/** Grey (0-255) of RGBA pixels: 0.299 R + 0.587 G + 0.114 B, in 8-bit fixed point. Pure, for tests. */
export function lumaOf(rgba, out = new Uint8Array(rgba.length >> 2)) {
  for (let p = 0, q = 0; p < out.length; p++, q += 4) out[p] = (77 * rgba[q] + 150 * rgba[q + 1] + 29 * rgba[q + 2] + 128) >> 8;
  return out;
}

/**
 * @typedef {object} MotionSink  what the pictures go to: a LoadSession (load-session.js)
 * @property {(frames: {first: number, count: number, width: number, height: number, luma: ArrayBuffer}) => void} pushMotionFrames
 * @property {() => void} finishMotion
 */

/**
 * Events: `progress` {done, total} after each batch; `done` {frames} once every frame was sent and
 * the sink told to finish; `error` {frame, message} when a frame could not be shown (the scan stops;
 * what was sent stays sent).
 */
export class MotionScan extends Emitter {
  #video = document.createElement('video');
  #times;
  #tolerance;
  #sink;
  #width;
  #height;
  #next = 0;
  #running = null;
  #stopped = false;

  /**
   * @param {{src: string, times: ArrayLike<number>, sink: MotionSink, width?: number, height?: number}} options
   *   times: each frame's start in seconds, then the last frame's end (the element's `frames.times`)
   */
  constructor({ src, times, sink, width = MOTION_WIDTH, height = MOTION_HEIGHT }) {
    super();
    this.#times = times;
    this.#tolerance = frameTolerance(times);
    this.#sink = sink;
    this.#width = width;
    this.#height = height;
    const video = this.#video;
    video.muted = true;
    video.crossOrigin = 'anonymous';
    video.playsInline = true;
    // Every frame is wanted: the browser may read the file through.
    video.preload = 'auto';
    video.src = src;
  }

  get total() { return Math.max(0, this.#times.length - 1); }
  get progress() { return { done: this.#next, total: this.total }; }
  get running() { return this.#running !== null; }

  /** A fresh link of the same video (the old one expired): the scan goes on from where it is. */
  setSource(src) {
    const at = this.#video.currentTime;
    this.#video.src = src;
    this.#video.currentTime = at;
  }

  /** Scans the frames not sent yet; resolves true once all were sent and the sink told to finish. */
  start() {
    this.#stopped = false;
    this.#running ??= this.#scan().finally(() => { this.#running = null; });
    return this.#running;
  }

  /** Stops after the frame in hand; start() goes on from there. */
  stop() { this.#stopped = true; }

  /** Stops for good and lets the hidden video go. */
  dispose() {
    this.stop();
    this.#video.removeAttribute('src');
    this.#video.load();
  }

  async #scan() {
    const total = this.total;
    const size = this.#width * this.#height;
    const canvas = typeof OffscreenCanvas === 'function' ? new OffscreenCanvas(this.#width, this.#height) : Object.assign(document.createElement('canvas'), { width: this.#width, height: this.#height });
    const ctx = canvas.getContext('2d', { willReadFrequently: true, alpha: false });
    // Mipmapped downscaling: close to the area average swscale takes natively.
    ctx.imageSmoothingEnabled = true;
    ctx.imageSmoothingQuality = 'high';
    while (this.#next < total && !this.#stopped) {
      const first = this.#next;
      const count = Math.min(BATCH, total - first);
      const luma = new Uint8Array(count * size);
      for (let k = 0; k < count; k++) {
        if (this.#stopped) return false;
        const shown = await this.#show(first + k);
        if (!shown) {
          this.#stopped = true;
          this.emit('error', { frame: first + k, message: `frame ${first + k} of the video could not be shown for the motion scan` });
          return false;
        }
        ctx.drawImage(this.#video, 0, 0, this.#width, this.#height);
        lumaOf(ctx.getImageData(0, 0, this.#width, this.#height).data, luma.subarray(k * size, (k + 1) * size));
      }
      this.#sink.pushMotionFrames({ first, count, width: this.#width, height: this.#height, luma: luma.buffer });
      this.#next = first + count;
      this.emit('progress', this.progress);
    }
    if (this.#stopped || this.#next < total) return false;
    this.#sink.finishMotion();
    this.emit('done', { frames: total });
    return true;
  }

  /** Seeks the hidden video into frame n; resolves false on an error or after SEEK_TIMEOUT_MS. */
  async #show(n) {
    const video = this.#video;
    if (video.readyState < HTMLMediaElement.HAVE_METADATA && !(await this.#event('loadedmetadata'))) return false;
    const seeked = this.#event('seeked');
    video.currentTime = seekTarget(this.#times, n, this.#tolerance).time;
    return seeked;
  }

  #event(type) {
    const video = this.#video;
    return new Promise((resolve) => {
      const finish = (ok) => {
        clearTimeout(timer);
        video.removeEventListener(type, onEvent);
        video.removeEventListener('error', onError);
        resolve(ok);
      };
      const onEvent = () => finish(true);
      const onError = () => finish(false);
      const timer = setTimeout(() => finish(false), SEEK_TIMEOUT_MS);
      video.addEventListener(type, onEvent);
      video.addEventListener('error', onError);
    });
  }
}
