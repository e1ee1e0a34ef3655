// SPDX-License-Identifier: MIT
// Playback owns the media element (<video>, also for audio) and what it plays: the current time
// (with a seek asked before the media can take it), the rate, a span played once or looped, the
// play button and the time readout; and for a video its frame index, the frame on screen (watched
// with requestVideoFrameCallback), frame seeks and steps, the frame box and the filmstrip.
import { Emitter } from './emitter.js';
import { Filmstrip } from './filmstrip.js';
import { seekTarget } from './frame-clock.js';
import { formatTime } from './layout.js';
import { holdPlayerSource, startPlayer } from './player-source.js';
import { frameAt, videoIndex } from './time-base.js';

/** The playback rates offered, and the range a rate set from script is kept in. */
export const RATES = [0.25, 0.5, 0.75, 1, 1.25, 1.5, 2, 3, 4];
export function clampRate(rate) { return Math.min(Math.max(Number(rate) || 1, RATES[0]), RATES.at(-1)); }

/**
 * What playback reads from the media side.
 * @typedef {object} PlaybackHost
 * @property {() => number} duration  seconds (0 until known)
 * @property {() => number} loadId  the media being loaded; a frame watcher of an older one stops
 * @property {() => string} src  the media's absolute URL ('' if none)
 * @property {() => void} layout  the strips' sizes changed (the frame box and filmstrip appeared)
 */

/**
 * @typedef {object} PlaybackEvents
 * @property {{currentTime: number}} timeupdate  the time moved (playing, seeked, or set)
 * @property {{}} play
 * @property {{}} pause
 * @property {{count: number, width: number, height: number, codec: string}} frames  a video's frame index arrived
 * @property {{frame: number, time: number}} framechange  another frame is on screen
 */

/** A promise with its resolve, and whether it was called. */
function settled() {
  const s = { done: false };
  s.promise = new Promise((resolve) => {
    s.resolve = () => {
      s.done = true;
      resolve();
    };
  });
  return s;
}

/** @extends {Emitter<PlaybackEvents>} */
export class Playback extends Emitter {
  #el;
  #host;
  #pendingSeek = null;     // a time set before the media could seek
  #span = null;            // {start, end, loop} played by playSpan
  #video = null;           // {times: Float64Array (seconds, one per frame, then the end), keyFrames, width, height, codec, count, tolerance}
  #shownFrame = -1;        // the frame on screen, from requestVideoFrameCallback
  #requestedFrame = null;  // {frame, time}: the last seekFrame, until the time moves elsewhere
  #frameWatch = false;
  #filmstrip = null;       // the video's thumbnails (filmstrip.js)
  #shown = settled();      // the media element can show this media's first picture (sound: knows its length)

  /**
   * @param {{media: HTMLVideoElement, play: HTMLButtonElement, rate: HTMLSelectElement, time: HTMLElement,
   *          frameBox: HTMLElement, frameInput: HTMLInputElement, filmstrip: HTMLCanvasElement}} elements
   * @param {PlaybackHost} host
   */
  constructor(elements, host) {
    super();
    this.#el = elements;
    this.#host = host;
    elements.media.preservesPitch = true;
  }

  get media() { return this.#el.media; }
  get paused() { return this.#el.media.paused; }
  /** The frame index of a video, or null for audio (time-base.js's VideoIndex). */
  get video() { return this.#video; }
  get filmstrip() { return this.#filmstrip; }

  /** A new media (or none): no frames, no picture until its metadata says it has one. */
  reset() {
    this.#video = null;
    this.#shownFrame = -1;
    this.#frameWatch = false;
    this.#el.frameBox.hidden = true;
    this.#el.filmstrip.hidden = true;
    this.#filmstrip?.clear();
    this.#el.media.hidden = true;
    if (this.#shown.done) this.#shown = settled();
  }

  /**
   * Resolves once the media element shows the media's picture at its current time (readyState 2,
   * not seeking; then `frame` is that picture's) or, for sound or a picture the browser cannot
   * decode, once it has the metadata. Never rejects: a failure is the media element's 'error'.
   */
  whenShown() { return this.#shown.promise; }

  /** The media element gets `url` (or none), held back until start() (player-source.js). */
  setSource(url) { holdPlayerSource(this.#el.media, url); }
  /** The worker's load is ready: the media element may read. */
  start() { startPlayer(this.#el.media); }

  get currentTime() { return this.#pendingSeek ?? this.#el.media.currentTime; }
  set currentTime(t) {
    const media = this.#el.media;
    const time = Math.min(Math.max(Number(t) || 0, 0), this.#host.duration() || Infinity);
    if (media.readyState >= 1) media.currentTime = time;
    else this.#pendingSeek = time;
    this.emit('timeupdate', { currentTime: time });
  }

  /** Seeks to `time` once the (new) source's metadata is there. */
  seekLater(time) { this.#pendingSeek = time; }

  get playbackRate() { return this.#el.media.playbackRate; }
  set playbackRate(rate) {
    const r = clampRate(rate);
    this.#el.media.playbackRate = r;
    this.#el.rate.value = String(r);
  }

  /** Silenced (a comparison plays every clip and lets one be heard); volume 0..1. */
  get muted() { return this.#el.media.muted; }
  set muted(on) { this.#el.media.muted = Boolean(on); }
  get volume() { return this.#el.media.volume; }
  set volume(v) { this.#el.media.volume = Math.min(Math.max(Number(v) || 0, 0), 1); }

  /** A factor on the chosen rate (the rate box is left as it is): a comparison keeps a muted clip in step with it. */
  set rateNudge(f) { this.#el.media.playbackRate = clampRate(this.#el.rate.value) * (Number(f) || 1); }

  play() { return this.#el.media.play(); }
  pause() { this.#el.media.pause(); }

  /** Plays [start, end] seconds once (or looping until paused). */
  playSpan(start, end, loop = false) {
    this.#span = { start, end, loop };
    this.currentTime = start;
    return this.play();
  }

  /** While playing: stops (or loops) a span at its end. */
  watchSpan() {
    const span = this.#span;
    const media = this.#el.media;
    if (!span || media.paused) return;
    if (media.currentTime >= span.end) {
      if (span.loop) media.currentTime = span.start;
      else {
        this.pause();
        this.#span = null;
      }
    }
  }

  /** The time readout: current / duration, and the frame on screen of a video. */
  updateTime() {
    const v = this.#video;
    const frame = v ? ` · frame ${this.#shownFrame >= 0 ? this.#shownFrame + 1 : '–'} / ${v.count}` : '';
    this.#el.time.textContent = `${formatTime(this.currentTime)} / ${formatTime(this.#host.duration())}${frame}`;
  }

  /** A video's frame index arrived (the worker's 'frames' message). */
  setFrames(msg) {
    const { video } = msg;
    const el = this.#el;
    this.#video = videoIndex(msg);
    this.#requestedFrame = null;
    el.frameBox.hidden = false;
    el.frameInput.max = String(this.#video.count);
    el.filmstrip.hidden = false;
    this.#host.layout();
    this.#filmstrip ??= new Filmstrip(el.filmstrip);
    this.#filmstrip.load(this.#host.src(), this.#video.times, (t) => this.frameAt(t), video.width, video.height);
    this.#watchFrames();
    this.emit('frames', { count: this.#video.count, width: video.width, height: video.height, codec: video.codec });
  }

  /** The video's frames, or null for audio (copies). */
  get frames() {
    const v = this.#video;
    return v ? { count: v.count, times: v.times.slice(), keyFrames: v.keyFrames.slice(), width: v.width, height: v.height, codec: v.codec } : null;
  }

  /** The frame on screen (0-based), or -1. */
  get frame() { return this.#shownFrame; }

  frameAt(t) { return frameAt(this.#video, t); }

  /** Shows frame n: seeks just after its start, never onto a boundary (doc/video.md). */
  seekFrame(n) {
    const target = this.#video && seekTarget(this.#video.times, n, this.#video.tolerance);
    if (!target) return;
    this.currentTime = target.time;
    this.#requestedFrame = { frame: target.frame, time: this.currentTime };
  }

  /** Steps the picture by `delta` frames (pausing playback). */
  stepFrame(delta) {
    const v = this.#video;
    if (!v) return;
    this.pause();
    // A frame asked for a moment ago may not be on screen yet: step from it, not the old picture.
    const asked = this.#requestedFrame;
    const at = asked && Math.abs(this.currentTime - asked.time) <= v.tolerance ? asked.frame
      : this.#shownFrame >= 0 ? this.#shownFrame : this.frameAt(this.currentTime);
    this.seekFrame(Math.max(0, at) + (Math.round(Number(delta)) || 0));
  }

  #watchFrames() {
    const media = this.#el.media;
    if (!this.#video || this.#frameWatch || !('requestVideoFrameCallback' in media)) return;
    const load = this.#host.loadId();
    const onFrame = (_now, metadata) => {
      if (load !== this.#host.loadId()) {
        this.#frameWatch = false;
        return;
      }
      this.#showFrame(this.frameAt(metadata.mediaTime));
      media.requestVideoFrameCallback(onFrame);
    };
    this.#frameWatch = true;
    media.requestVideoFrameCallback(onFrame);
  }

  #showFrame(n) {
    if (n === this.#shownFrame) return;
    const input = this.#el.frameInput;
    this.#shownFrame = n;
    this.updateTime();
    if (input !== input.getRootNode().activeElement) input.value = n >= 0 ? String(n + 1) : '';
    this.emit('framechange', { frame: n, time: n >= 0 ? this.#video.times[n] : 0 });
  }

  /** Called as the media element's state moves: resolves whenShown() once its picture is there. */
  #checkShown() {
    const media = this.#el.media;
    const picture = media.videoWidth > 0;
    if (this.#shown.done || media.seeking || media.readyState < (picture ? 2 : 1)) return;
    // The picture at the current time is there now; a frame callback (none in a background tab)
    // would say so a frame later. Before the first frame's start a player shows the first frame.
    const v = this.#video;
    if (v && picture && this.#shownFrame < 0) {
      const n = this.frameAt(media.currentTime);
      this.#showFrame(n < 0 && v.count > 0 && media.currentTime < v.times[0] ? 0 : n);
    }
    this.#shown.resolve();
  }

  /** The play button, the rate and frame boxes, and the media element's events, kept in `subs`. */
  connect(subs) {
    const { media, play, rate, frameInput } = this.#el;
    subs.listen(play, 'click', () => (media.paused ? this.play() : this.pause()));
    subs.listen(rate, 'change', () => { this.playbackRate = Number(rate.value); });
    subs.listen(frameInput, 'change', () => {
      const n = Number(frameInput.value);
      if (Number.isInteger(n) && n >= 1) this.seekFrame(n - 1);
    });
    subs.listen(media, 'loadedmetadata', () => this.#metadata());
    for (const type of ['loadeddata', 'canplay', 'seeked']) subs.listen(media, type, () => this.#checkShown());
    subs.listen(media, 'play', () => {
      this.#showPlaying(true);
      this.emit('play', {});
    });
    subs.listen(media, 'pause', () => {
      this.#showPlaying(false);
      this.emit('pause', {});
    });
    for (const type of ['timeupdate', 'seeked']) subs.listen(media, type, () => this.emit('timeupdate', { currentTime: this.currentTime }));
    // Connected again after a disconnect: what happened meanwhile was not heard.
    this.#showPlaying(!media.paused);
    if (media.readyState >= 1) this.#metadata();
  }

  #metadata() {
    const media = this.#el.media;
    // One media element for both: a video's picture is shown, an audio file shows none.
    media.hidden = !(media.videoWidth > 0);
    if (this.#pendingSeek != null) {
      media.currentTime = this.#pendingSeek;
      this.#pendingSeek = null;
    }
    this.#checkShown();
  }

  #showPlaying(playing) {
    this.#el.play.textContent = playing ? '❚❚' : '▶';
    this.#el.play.setAttribute('aria-label', playing ? 'Pause' : 'Play');
  }
}
