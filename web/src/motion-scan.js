// SPDX-License-Identifier: MIT
// The browser's motion scan: a hidden second <video> on the same URL reaches every frame of the
// frame index, by seeks just after each frame's start (as seekFrame does) while that is quicker,
// else by playing muted and taking each frame it presents (requestVideoFrameCallback; its time
// looked up in the frame index) and seeking to the ones playing skipped. Each picture is drawn into
// a small canvas; the grey pictures go in order, in batches, to the worker, whose
// MotionAnalyzer finds the motion, cuts and jerks (doc/analysis.md "Motion and cuts").
// The same size and the same grey as avseg-cli's native path (VideoLumaReader), so both find the
// same cuts: full-range luma by BT.601's weights, which for limited-range video is its Y stretched
// to 0-255, as swscale gives natively.
import { Emitter } from './emitter.js';
import { frameShownAt, frameTolerance, seekTarget } from './frame-clock.js';

export const MOTION_WIDTH = 64;
export const MOTION_HEIGHT = 36;
const BATCH = 16;
const SEEK_TIMEOUT_MS = 10000;
// How long a seek's picture may take to be presented (a hidden tab presents none).
const PRESENT_TIMEOUT_MS = 1000;
// Frames captured beyond one playing skipped before that one is reached by a seek.
const HOLD = 256;
// Frames a second the hidden video presents at most when playing (playbackRate follows the video's
// rate). A frame callback's picture is taken as a VideoFrame, whose timestamp says which frame it is:
// Chromium's current picture can already be the next frame (played faster than 1x, or late under
// load). Without VideoFrame the picture is drawn from the element, at 1x at most, and a late
// callback's is left to a seek.
const PRESENTED_PER_SECOND = 40;
const MAX_RATE = 1.5;
const MAX_RATE_UNSTAMPED = 1;
// Playing gives up when no frame is presented for this long (a throttled or stalled player).
const STALL_MS = 2000;

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
  #size;
  #playback;
  #ctx = null;
  #next = 0;              // the first frame not sent yet
  #held = new Map();      // frame -> its grey picture, captured ahead of #next
  #batch = null;          // {first, count, luma} being filled from #next on
  #running = null;
  #stopped = false;
  #disposed = false;
  #reloadedFor = -1;      // the frame the hidden video was last loaded again for, after an error
  #src;
  #playing = false;
  #played = 0;

  /**
   * @param {{src: string, times: ArrayLike<number>, sink: MotionSink, width?: number, height?: number, playback?: boolean}} options
   *   times: each frame's start in seconds, then the last frame's end (the element's `frames.times`);
   *   playback: 'auto' (seek while seeking is quicker than playing, else play), 'always' or 'never'
   */
  constructor({ src, times, sink, width = MOTION_WIDTH, height = MOTION_HEIGHT, playback = 'auto' }) {
    super();
    this.#times = times;
    this.#tolerance = frameTolerance(times);
    this.#sink = sink;
    this.#width = width;
    this.#height = height;
    this.#size = width * height;
    this.#playback = playback;
    const video = this.#video;
    video.muted = true;
    video.crossOrigin = 'anonymous';
    video.playsInline = true;
    // Every frame is wanted: the browser may read the file through (once started).
    video.preload = 'auto';
    this.#src = src;
  }

  get total() { return Math.max(0, this.#times.length - 1); }
  get progress() { return { done: this.#next, total: this.total }; }
  get running() { return this.#running !== null; }
  /** Frames taken from the hidden video while it played (the others were reached by seeks). */
  get played() { return this.#played; }

  /** A fresh link of the same video (the old one expired): the scan goes on from where it is. */
  setSource(src) {
    this.#src = src;
    if (!this.#video.getAttribute('src')) return;
    const at = this.#video.currentTime;
    this.#video.src = src;
    this.#video.currentTime = at;
  }

  /** Scans the frames not sent yet; resolves true once all were sent and the sink told to finish. */
  start() {
    this.#stopped = false;
    if (!this.#video.getAttribute('src')) this.#video.src = this.#src;
    this.#running ??= this.#scan().finally(() => { this.#running = null; });
    return this.#running;
  }

  /** Stops soon (the frames in hand are sent); start() goes on from there. */
  stop() { this.#stopped = true; }

  /** Stops for good and lets the hidden video go. */
  dispose() {
    this.stop();
    // The frames in hand are not sent: the sink's load may be over.
    this.#disposed = true;
    this.#batch = null;
    this.#video.pause();
    this.#video.removeAttribute('src');
    this.#video.load();
  }

  async #scan() {
    const total = this.total;
    if (!this.#ctx) {
      const canvas = typeof OffscreenCanvas === 'function' ? new OffscreenCanvas(this.#width, this.#height)
        : Object.assign(document.createElement('canvas'), { width: this.#width, height: this.#height });
      this.#ctx = canvas.getContext('2d', { willReadFrequently: true, alpha: false });
      // Mipmapped downscaling: close to the area average swscale takes natively.
      this.#ctx.imageSmoothingEnabled = true;
      this.#ctx.imageSmoothingQuality = 'high';
    }
    // A seek decodes from the key frame before its frame: with key frames far apart (a camera's,
    // x264's default 250) playing is far quicker. The frames playing skips are then reached by seeks.
    const canPlay = this.#playback !== 'never' && 'requestVideoFrameCallback' in this.#video;
    let play = canPlay && this.#playback === 'always';
    let mayPlay = canPlay && this.#playback === 'auto';
    const playMs = 1000 / (this.#framesPerSecond() * this.#playbackRate());
    try {
      while (this.#next < total && !this.#stopped) {
        if (play) {
          const before = this.#next + this.#held.size;
          await this.#play();
          // Playing that gets nowhere (a hidden tab's video presents nothing) is not tried again.
          if (this.#next + this.#held.size <= before + 1) play = mayPlay = false;
          if (this.#stopped) break;
          if (!(await this.#fill(play))) return false;
        } else {
          const started = performance.now();
          const from = this.#next;
          if (!(await this.#fill(false))) return false;
          // Seeks get slower further from the key frame before them: play once they are slower than playing.
          if (mayPlay && (performance.now() - started) / Math.max(1, this.#next - from) > playMs) play = true;
        }
      }
    } finally {
      this.#video.pause();
      this.#send();
    }
    if (this.#stopped || this.#disposed || this.#next < total) return false;
    this.#sink.finishMotion();
    this.emit('done', { frames: total });
    return true;
  }

  /** Draws `picture` (the hidden video, or a VideoFrame of it) as frame n's grey: sent at once if it is the next one, else held. */
  #capture(n, picture = this.#video) {
    if (this.#playing) this.#played++;
    this.#ctx.drawImage(picture, 0, 0, this.#width, this.#height);
    const grey = lumaOf(this.#ctx.getImageData(0, 0, this.#width, this.#height).data);
    if (n === this.#next) this.#append(grey);
    else this.#held.set(n, grey);
    for (let g; (g = this.#held.get(this.#next)); ) {
      this.#held.delete(this.#next);
      this.#append(g);
    }
  }

  #append(grey) {
    const size = this.#size;
    this.#batch ??= { first: this.#next, count: 0, luma: new Uint8Array(BATCH * size) };
    const batch = this.#batch;
    batch.luma.set(grey, batch.count * size);
    batch.count++;
    this.#next++;
    if (batch.count === BATCH) this.#send();
  }

  #send() {
    const batch = this.#batch;
    if (!batch || this.#disposed) return;
    this.#batch = null;
    const luma = batch.count === BATCH ? batch.luma : batch.luma.slice(0, batch.count * this.#size);
    this.#sink.pushMotionFrames({ first: batch.first, count: batch.count, width: this.#width, height: this.#height, luma: luma.buffer });
    this.emit('progress', this.progress);
  }

  /**
   * Plays the hidden video from frame #next, capturing each frame it presents, until it ends, the
   * held frames reach HOLD (frames skipped wait for #fill), frames stop coming, or stop().
   */
  async #play() {
    const video = this.#video;
    const times = this.#times;
    if (!(await this.#reach(this.#next))) return;
    const count = this.total;
    if (this.#next >= count) return;
    video.playbackRate = this.#playbackRate();
    this.#playing = true;
    // A callback this late may draw the frame after its own: that frame is left to a seek.
    const lateMs = 500 / (this.#framesPerSecond() * video.playbackRate);
    await new Promise((resolve) => {
      let handle = 0;
      let watchdog = 0;
      const finish = () => {
        clearTimeout(watchdog);
        video.cancelVideoFrameCallback(handle);
        video.removeEventListener('ended', finish);
        video.removeEventListener('error', finish);
        video.pause();
        this.#playing = false;
        resolve();
      };
      const arm = () => {
        clearTimeout(watchdog);
        watchdog = setTimeout(finish, STALL_MS);
      };
      const onFrame = (now, metadata) => {
        if (typeof VideoFrame === 'function') this.#grab();
        else if (!(performance.now() - metadata.expectedDisplayTime > lateMs)) {
          const n = frameShownAt(times, metadata.mediaTime, this.#tolerance);
          if (n >= this.#next && !this.#held.has(n)) this.#capture(n);
        }
        if (this.#stopped || this.#held.size >= HOLD || this.#next >= count) finish();
        else {
          handle = video.requestVideoFrameCallback(onFrame);
          arm();
        }
      };
      video.addEventListener('ended', finish);
      video.addEventListener('error', finish);
      handle = video.requestVideoFrameCallback(onFrame);
      arm();
      video.play().catch(finish);
    });
  }

  #framesPerSecond() {
    const count = this.total;
    return count / Math.max(1e-3, this.#times[count] - this.#times[0]);
  }

  #playbackRate() {
    const most = typeof VideoFrame === 'function' ? MAX_RATE : MAX_RATE_UNSTAMPED;
    return Math.min(most, Math.max(0.25, PRESENTED_PER_SECOND / this.#framesPerSecond()));
  }

  /**
   * Reaches by seeks the frames from #next up to `end`, or else to the last one held (when none is
   * held: none if playing goes on, else a batch); false when a frame could not be shown.
   */
  async #fill(ahead, end = undefined) {
    const held = [...this.#held.keys()];
    end ??= held.length ? Math.max(...held) + 1 : ahead ? this.#next : Math.min(this.total, this.#next + BATCH);
    while (this.#next < end && !this.#stopped) {
      const n = this.#next;
      if (!(await this.#reach(n))) {
        this.#stopped = true;
        this.emit('error', { frame: n, message: `frame ${n} of the video could not be shown for the motion scan` });
        return false;
      }
    }
    return true;
  }

  /**
   * Seeks to frame n and takes its picture. Under load 'seeked' can come while the element still
   * holds the frame before, so the picture is taken as a VideoFrame whose timestamp says which
   * frame it is, and taken again as new frames are presented (without VideoFrame: once the seek's
   * frame is presented, as tests/browser/frames.test.mjs waits).
   */
  async #reach(n) {
    for (let attempt = 0; attempt < 3; attempt++) {
      if (typeof VideoFrame !== 'function') {
        const presented = this.#presented();
        if (!(await this.#show(n))) return false;
        await presented;
        this.#capture(n);
        return true;
      }
      if (!(await this.#show(n))) return false;
      this.#grab();
      for (let wait = 0; wait < 3 && this.#next <= n; wait++) {
        if (!(await this.#presented())) break;
        this.#grab();
      }
      if (this.#next > n) return true;
    }
    return false;
  }

  /** Takes the hidden video's picture as the frame its VideoFrame's timestamp names. */
  #grab() {
    let frame;
    try {
      frame = new VideoFrame(this.#video);
    } catch {
      return;   // no picture at hand
    }
    try {
      const n = frameShownAt(this.#times, frame.timestamp / 1e6, this.#tolerance);
      if (n >= this.#next && !this.#held.has(n)) this.#capture(n, frame);
    } finally {
      frame.close();
    }
  }

  /** Resolves true when the hidden video presents a frame, false after PRESENT_TIMEOUT_MS. */
  #presented() {
    const video = this.#video;
    if (!('requestVideoFrameCallback' in video)) return Promise.resolve(true);
    return new Promise((resolve) => {
      const handle = video.requestVideoFrameCallback(() => {
        clearTimeout(timer);
        resolve(true);
      });
      const timer = setTimeout(() => {
        video.cancelVideoFrameCallback(handle);
        resolve(false);
      }, PRESENT_TIMEOUT_MS);
    });
  }

  /** Seeks the hidden video into frame n; resolves false on an error or after SEEK_TIMEOUT_MS. */
  async #show(n) {
    const video = this.#video;
    // An error met while playing ahead (data missing further on) says nothing of frame n: the
    // video is loaded again, once for each frame, before n is said not to be shown.
    if (video.error) {
      if (this.#reloadedFor === n) return false;
      this.#reloadedFor = n;
      video.src = this.#src;
    }
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
