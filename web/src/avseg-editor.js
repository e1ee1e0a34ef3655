// SPDX-License-Identifier: MIT
import { CoreClient } from './core-client.js';
import { TrackLanes } from './track-lanes.js';
import { TrackControls } from './track-controls.js';
import { drawRuler } from './ruler.js';
import { SpectrogramStrip } from './spectrogram-strip.js';
import { AnnotationSession } from './annotation-session.js';
import { Drafts } from './drafts.js';
import { Subscriptions } from './emitter.js';
import { check } from './model.js';
import { clampView, formatTime, minSpan, scrollView, thumb, timeToX, xToTime, zoomAround } from './layout.js';
import { SegmentPanel } from './segment-panel.js';
import { SegmentList, listingIndex, trackName } from './segment-list.js';
import { Filmstrip } from './filmstrip.js';
import { SourceLinks, expiredMessage } from './source-refresh.js';
import { seekTarget } from './frame-clock.js';
import { frameAt, nextFrameBoundary, timelineRate, videoIndex } from './time-base.js';
import { adoptStyles, buildShadow } from './element-markup.js';
import { takePresetProperties } from './upgrade-properties.js';
import { handleKey } from './keys.js';
import { holdPlayerSource, startPlayer } from './player-source.js';

function parseColor(text, fallback) {
  const m = /^#([0-9a-f]{6})([0-9a-f]{2})?$/i.exec(text.trim());
  if (!m) return fallback;
  return ((parseInt(m[1], 16) << 8) | parseInt(m[2] ?? 'ff', 16)) >>> 0;
}

export class AvsegEditor extends HTMLElement {
  static observedAttributes = ['src'];

  // First of the fields: what the page set before the class was defined, before fields overwrite it.
  #restorePresets = takePresetProperties(this, Object.getPrototypeOf(this));
  #focusDefaulted = false;

  #client = new CoreClient((msg) => this.#onCore(msg));
  #loadId = 0;
  #parts = {};
  #info = null;           // media facts once the header is read
  #duration = 0;
  #ready = false;
  #announcedReady = false;
  #failed = false;
  #view = { start: 0, end: 1 };
  #followLoad = true;
  #amplitude = 1;     // the view tracks the growing file until the user moves it
  #renders = { main: { busy: false, dirty: true, seq: 0 }, overview: { busy: false, dirty: true, seq: 0 }, spectrogram: { busy: false, dirty: true, seq: 0 } };
  #frameRequested = false;
  #resizeObserver = null;
  #pendingSeek = null;
  #session = null;        // the annotation model, its transactions and its events (annotation-session.js)
  #drafts = null;         // the task's draft: lock, restore, discard (drafts.js)
  #subs = new Subscriptions(); // every part's DOM listeners while connected
  #selected = null;
  #lastOverviewRender = 0;
  #links = null;          // expired links and fresh ones (source-refresh.js)
  #connectionLost = null; // the message shown while the media server does not answer
  #adopting = false;      // refreshSource is writing the fresh URL into the src attribute

  constructor() {
    super();
    const root = this.attachShadow({ mode: 'open' });
    this.#parts = buildShadow(root);
    // The host takes focus and the keyboard shortcuts: name it, or it is announced by all its content.
    const internals = this.attachInternals();
    internals.role = 'group';
    internals.ariaLabel = 'Audio editor';
    this.#session = new AnnotationSession({
      ready: () => this.#ready && Boolean(this.#info), hasMedia: () => Boolean(this.#info), rate: () => this.#timelineRate(), video: () => this.#video,
      media: () => ({ src: this.src, duration: this.#duration, sampleRate: this.sampleRate, channels: this.channels }),
    });
    this.#drafts = new Drafts(this.#session, this.#parts.notice, {
      attribute: (name) => this.getAttribute(name), scope: () => this.draftScope, src: () => this.src, valueTime: () => this.valueTime,
      loadId: () => this.#loadId, hasMedia: () => Boolean(this.#info), emit: (type, detail) => this.#emit(type, detail),
    });
    this.#session.on('change', () => this.#changed());
    this.#session.on('error', ({ code, message }) => {
      this.#showError(message, false);
      this.#emit('error', { code, message, fatal: false });
    });
    this.#wire();
    this.#restorePresets();
  }

  // ---- public API ----

  get src() { return this.getAttribute('src') ?? ''; }
  set src(value) { this.setAttribute('src', value); }

  get duration() { return this.#duration; }
  /** True from the `ready` event on: the media is decoded and the annotations are in place. */
  get ready() { return this.#announcedReady; }
  get sampleRate() { return this.#info?.sampleRate ?? 0; }
  get channels() { return this.#info?.channels ?? 0; }

  get currentTime() { return this.#pendingSeek ?? this.#parts.media.currentTime; }
  set currentTime(t) {
    const time = Math.min(Math.max(Number(t) || 0, 0), this.#duration || Infinity);
    if (this.#parts.media.readyState >= 1) this.#parts.media.currentTime = time;
    else this.#pendingSeek = time;
    this.#updateCursor();
    this.#emit('timeupdate', { currentTime: time });
  }

  get playbackRate() { return this.#parts.media.playbackRate; }
  set playbackRate(rate) {
    const r = Math.min(Math.max(Number(rate) || 1, 0.25), 4);
    this.#parts.media.playbackRate = r;
    this.#parts.rate.value = String(r);
  }

  /** Vertical zoom of the main waveform: 1 shows full scale; quiet recordings want more. */
  get amplitude() { return this.#amplitude; }
  set amplitude(value) {
    const a = Math.min(Math.max(Number(value) || 1, 0.25), 1000);
    if (a === this.#amplitude) return;
    this.#amplitude = a;
    this.#renders.main.dirty = true;
    this.#schedule();
  }

  get view() { return { ...this.#view }; }
  set view(v) { this.zoomTo(v.start, v.end); }

  play() { return this.#parts.media.play(); }
  pause() { this.#parts.media.pause(); }

  zoomTo(start, end) {
    this.#followLoad = false;
    this.#setView({ start: Number(start), end: Number(end) });
  }

  zoomBy(factor, anchor) {
    this.#followLoad = false;
    const t = anchor ?? this.#zoomAnchor();
    this.#setView(zoomAround(this.#view, Number(factor), t, this.#duration, this.#minSpan()));
  }

  /** Memory figures from the worker (for benchmarks and diagnostics). */
  stats() { return this.#client.stats(); }

  /**
   * A fresh URL for the same media (a presigned link signed again after a `link-expired` error):
   * loading, sample-level views and playback go on from it; annotations, the view, undo and the
   * draft stay as they are. Rejects (an Error with `code`) if the worker finds it is another file,
   * and then nothing changes.
   */
  async refreshSource(url) {
    const refuse = (code, message) => Object.assign(new Error(message), { code });
    let href;
    try {
      href = typeof url === 'string' && url ? new URL(url, document.baseURI).href : null;
    } catch { /* said below */ }
    if (!href) throw refuse('invalid-value', `refreshSource needs the media's fresh URL, not ${JSON.stringify(url)}`);
    if (!this.src) throw refuse('no-media', 'refreshSource: the editor has no media (src) to give a fresh link to');
    if (this.#failed) throw refuse('load-failed', 'refreshSource: the media failed to load, so there is nothing to resume: set src to load it again');
    const load = this.#loadId;
    const answer = await this.#client.refreshUrl(load, href);
    if (load !== this.#loadId) throw refuse('superseded', 'refreshSource: another media was loaded meanwhile; the fresh link was not used');
    if (!answer.ok) throw refuse(answer.code || 'refused', answer.message || 'the fresh link was refused; nothing changed');
    const shown = this.#links.adopt(href, this.currentTime, (t) => { this.#pendingSeek = t; });
    this.#adopting = true;
    try {
      this.setAttribute('src', url);
    } finally {
      this.#adopting = false;
    }
    if (this.#video) this.#filmstrip?.setSource(href);
    if (shown !== null && this.#parts.error.textContent === shown) this.#showError(null);
    this.#invalidate();
  }

  // ---- annotations (the model lives in the core; every edit is undoable) ----

  /** The label config (doc/label-config.md); a malformed one is refused with an `error` event naming the key. */
  get config() { return this.#session.config; }
  set config(value) { this.#session.config = value; }

  /** The annotation document (doc/annotation-format.md), always current; setting it loads pre-annotations. */
  get value() { return this.#session.value; }
  set value(doc) { this.#session.value = doc; }

  /** Scopes autosaved drafts (the labeling job): a draft saved under another scope is not restored. */
  draftScope = '';
  /** When the host's `value` was saved (ISO 8601, Date or epoch ms), shown if a draft competes with it. */
  valueTime = null;

  get taskId() { return this.#session.taskId; }
  set taskId(id) { this.#session.taskId = id; }

  addTrack(category, tag) { return this.#session.addTrack(category, tag); }
  /** start/end in seconds; stored as exact frame positions of the media. */
  addSegment(trackId, start, end, fields = {}) { return this.#session.addSegment(trackId, start, end, fields); }
  /**
   * changes: {start?, end?, track?, fields?} (seconds; a field set to null is cleared). All or
   * nothing, one undo step; the new place is checked as a whole, not move by move.
   */
  updateSegment(id, changes = {}) { return this.#session.updateSegment(id, changes); }
  removeSegment(id) { return this.#session.removeSegment(id); }
  removeTrack(id) { return this.#session.removeTrack(id); }
  setClassification(name, value) { return this.#session.setClassification(name, value); }
  undo() { return this.#session.undo(); }
  redo() { return this.#session.redo(); }

  /**
   * The annotations in another tool's format (doc/exports.md): 'jsonl', 'vtt', 'srt', 'audacity',
   * 'textgrid', 'eaf', 'rttm' or 'csv'. Options: {track} (Audacity: one track's labels).
   */
  exportAs(format, options = {}) { return this.#session.exportAs(format, options); }

  /**
   * Another tool's segments as an annotation document, at this media's sample rate, to review
   * as pre-annotations (set it as `value`): 'audacity', 'textgrid', 'eaf' or 'vtt'
   * (doc/exports.md), from the file's text, bytes or Blob. Options: {category, tag,
   * skipInvalid, pointDuration, onWarning}. Rejects with a message saying what is wrong.
   */
  async importAs(format, file, options = {}) { return this.#session.importAs(format, file, options); }

  /** What blocks submitting: [{segment, track, field, message}], empty when complete. */
  validate() { return this.#session.validate(); }

  /** True while the annotator has not chosen between a kept draft and the host's value. */
  get draftChoicePending() { return this.#drafts.choicePending; }
  /** Deletes the autosaved draft and keeps the editor as it is (its answer was accepted). */
  forgetDraft() { return this.#drafts.forget(); }
  /** Drops the autosaved draft and goes back to what the host gave (pre-annotations or nothing). */
  discardDraft() { return this.#drafts.discard(); }
  /** Resolves once every edit so far is saved in the browser (hosts may await it before leaving). */
  flushDraft() { return this.#drafts.flush(); }

  // ---- lifecycle ----

  connectedCallback() {
    // Not in the constructor: an element made by createElement or new must have no attributes.
    if (!this.#focusDefaulted && !this.hasAttribute('tabindex')) this.tabIndex = 0;
    this.#focusDefaulted = true;
    this.#resizeObserver ??= new ResizeObserver(() => this.#layout());
    this.#resizeObserver.observe(this.#parts.wave);
    this.#resizeObserver.observe(this.#parts.overview);
    this.#layout();
    if (!this.#subs.size) this.#connectParts(this.#subs);
    this.#session.ensure();
    if (this.src && this.#loadId === 0) this.#load(this.src);
  }

  adoptedCallback() {
    // Moved into another document (an iframe's): its sheets from the old one no longer apply.
    adoptStyles(this.shadowRoot);
  }

  disconnectedCallback() {
    this.#subs.releaseAll();
    this.#resizeObserver?.disconnect();
    this.pause();
  }

  /** Every part's DOM listeners, registered through `subs` so that a disconnect releases them all. */
  #connectParts(subs) {
    this.#drafts.connect(subs);
  }

  attributeChangedCallback(name, oldValue, value) {
    if (name === 'src' && oldValue !== value && this.isConnected && !this.#adopting) this.#load(value);
  }

  // ---- loading ----

  #load(url) {
    this.#loadId++;
    this.#drafts.close();
    this.#video = null;
    this.#shownFrame = -1;
    this.#frameWatch = false;
    this.#audioStart = 0;
    this.#parts.frameBox.hidden = true;
    this.#parts.filmstrip.hidden = true;
    this.#filmstrip?.clear();
    this.#announcedReady = false;
    this.#parts.media.hidden = true;
    this.#info = null;
    this.#ready = false;
    this.#failed = false;
    this.#duration = 0;
    this.#followLoad = true;
    this.#view = { start: 0, end: 1 };
    this.#showError(null);
    this.#links.reset();
    this.#setControls(false);
    this.#parts.status.textContent = url ? 'Loading…' : '';
    this.#parts.progress.hidden = !url;
    this.#parts.progressBar.style.width = '0%';
    holdPlayerSource(this.#parts.media, url);
    if (!url) {
      this.#client.unload();
      this.#invalidate();
      return;
    }
    const threshold = Number(this.getAttribute('range-threshold'));
    const peaks = this.getAttribute('peaks');
    this.#client.load(this.#loadId, new URL(url, document.baseURI).href, this.hasAttribute('range-threshold') && threshold >= 0 ? threshold : undefined,
      peaks ? new URL(peaks, document.baseURI).href : undefined);
    this.#invalidate();
  }

  #onCore(msg) {
    if (msg.load !== this.#loadId && msg.load !== -1) return;
    switch (msg.type) {
      case 'opened':
        this.#info = msg.info;
        this.#setDuration(msg.info.declaredDuration > 0 ? msg.info.declaredDuration : 0);
        break;
      case 'progress': {
        const decoded = msg.decodedSeconds;
        if (!this.#ready) this.#setDuration(Math.max(this.#duration, decoded, msg.declaredDuration > 0 ? msg.declaredDuration : 0));
        const fraction = msg.totalBytes ? msg.loadedBytes / msg.totalBytes : 0;
        this.#parts.progressBar.style.width = `${(fraction * 100).toFixed(1)}%`;
        this.#parts.progress.setAttribute('aria-valuenow', String(Math.round(fraction * 100)));
        this.#parts.status.textContent = `Loading… ${formatTime(decoded, 1)} decoded`;
        this.#emit('progress', { loadedBytes: msg.loadedBytes, totalBytes: msg.totalBytes, decodedSeconds: decoded, rangeRequests: msg.requests ?? 0, syncRequests: msg.syncRequests ?? 0 });
        this.#invalidate();
        break;
      }
      case 'ready': {
        this.#info = msg.info;
        this.#ready = true;
        startPlayer(this.#parts.media);
        // A video's audio may start late (a stream offset); the timeline is the media's own.
        this.#audioStart = this.#video ? Math.max(0, msg.info.startTime || 0) : 0;
        const audioEnd = msg.info.sampleRate ? this.#audioStart + msg.info.frames / msg.info.sampleRate : 0;
        this.#setDuration(Math.max(audioEnd, this.#video ? this.#video.times[this.#video.count] : 0));
        this.#parts.progress.hidden = true;
        const videoText = this.#video ? `${this.#video.width}×${this.#video.height} ${this.#video.codec}, ${this.#video.count} frames` : '';
        this.#parts.status.textContent = msg.info.sampleRate
          ? `${videoText ? `${videoText} · ` : ''}${msg.info.sampleRate} Hz · ${msg.info.channels === 1 ? 'mono' : msg.info.channels === 2 ? 'stereo' : msg.info.channels + ' ch'} · ${msg.info.codec}`
          : `${videoText} · no audio`;
        if (!msg.info.sampleRate) this.#showSilentWave();
        this.#setControls(true);
        this.#invalidate();
        const load = this.#loadId;
        this.#session.ensure().then(() => {
          if (load !== this.#loadId) return;
          this.#session.setTimebase();
          this.#session.updateMedia();
          this.#lanes.draw();
          this.#renderPanel(true);
          // A saved draft is back in place before the host hears `ready`.
          return this.#drafts.restore(load).then(() => {
            if (load !== this.#loadId) return;
            this.#announcedReady = true;
            this.#emit('ready', { duration: this.#duration, sampleRate: msg.info.sampleRate, channels: msg.info.channels, seekable: msg.seekable !== false });
          });
        }, (err) => {
          this.#showError(`The annotation model could not be loaded: ${err?.message ?? err}`, true);
          this.#emit('error', { code: 'internal', message: String(err?.message ?? err), fatal: true });
        });
        break;
      }
      case 'frame':
        this.#paint(msg);
        break;
      case 'source-resumed':
        if (this.#connectionLost !== null && this.#parts.error.textContent === this.#connectionLost) this.#showError(null);
        this.#connectionLost = null;
        this.#invalidate();
        break;
      case 'frames':
        this.#setFrames(msg);
        break;
      case 'peaks':
        // Precomputed peaks: the whole file's waveform before it is decoded.
        this.#info ??= { sampleRate: msg.sampleRate, channels: msg.channels, declaredDuration: msg.duration, frames: 0, codec: '' };
        if (!this.#ready) this.#setDuration(Math.max(this.#duration, msg.duration));
        this.#emit('peaks', { duration: msg.duration, sampleRate: msg.sampleRate, channels: msg.channels });
        this.#invalidate();
        break;
      case 'error':
        if (msg.code === 'link-expired' && !msg.fatal) {
          // A render the expiry stopped is not answered: the view is asked again once a fresh link came.
          for (const state of Object.values(this.#renders)) state.busy = false;
          this.#links.expire(msg.message);
          break;
        }
        if (msg.code === 'connection-lost' && !msg.fatal) {
          // The worker retries by itself; the message goes when it answers again (source-resumed).
          for (const state of Object.values(this.#renders)) state.busy = false;
          this.#connectionLost = msg.message;
        }
        if (msg.fatal) {
          this.#failed = true;
          this.#parts.progress.hidden = true;
          this.#parts.status.textContent = '';
        }
        // A silent video is said in the waveform band, not as an error.
        if (msg.code !== 'no-audio' || msg.fatal) this.#showError(msg.message, msg.fatal);
        this.#emit('error', { code: msg.code, message: msg.message, fatal: msg.fatal });
        break;
      default:
        break;
    }
  }

  #setDuration(d) {
    if (!(d > 0)) return;
    this.#duration = d;
    if (this.#followLoad) this.#view = { start: 0, end: d };
    else this.#view = clampView(this.#view, d, this.#minSpan());
    this.#updateTime();
  }

  // ---- view ----

  #minSpan() {
    return minSpan(this.#parts.waveCanvas.width || 1000, this.sampleRate || this.#timelineRate());
  }

  #zoomAnchor() {
    const t = this.currentTime;
    return t >= this.#view.start && t <= this.#view.end ? t : (this.#view.start + this.#view.end) / 2;
  }

  #setView(v) {
    if (!(this.#duration > 0) || !Number.isFinite(v.start) || !Number.isFinite(v.end)) return;
    const next = clampView(v, this.#duration, this.#minSpan());
    if (next.start === this.#view.start && next.end === this.#view.end) return;
    this.#view = next;
    this.#renders.main.dirty = true;
    this.#renders.spectrogram.dirty = true;
    this.#schedule();
    // Asked now rather than at the next animation frame, the waveform is shown a frame sooner.
    this.#request('main');
    this.#emit('viewchange', { start: next.start, end: next.end });
  }

  #invalidate() {
    this.#renders.main.dirty = true;
    this.#renders.overview.dirty = true;
    this.#renders.spectrogram.dirty = true;
    this.#schedule();
  }

  #schedule() {
    if (this.#frameRequested) return;
    this.#frameRequested = true;
    requestAnimationFrame(() => {
      this.#frameRequested = false;
      drawRuler(this.#parts.ruler, this.#view, this.#duration);
      if (this.#video) this.#filmstrip?.follow(this.#view, this.#video.count);
      this.#lanes.draw();
      this.#updateOverlay();
      this.#request('main');
      this.#request('overview');
      if (this.#spectro.shown) this.#request('spectrogram');
      if (!this.#parts.media.paused) this.#follow();
    });
  }

  #style() {
    const cs = getComputedStyle(this);
    return {
      background: parseColor(cs.getPropertyValue('--avseg-background'), 0xffffffff),
      wave: parseColor(cs.getPropertyValue('--avseg-wave'), 0x2f6fb3ff),
      axis: parseColor(cs.getPropertyValue('--avseg-axis'), 0xc8d0dcff),
      sampleDot: parseColor(cs.getPropertyValue('--avseg-sample'), 0x173d66ff),
    };
  }

  /** A video without sound: the waveform band says so instead. */
  #showSilentWave() {
    this.#parts.wave.setAttribute('aria-label', 'Waveform: this video has no audio track');
    for (const canvas of [this.#parts.waveCanvas, this.#parts.overviewCanvas]) {
      const ctx = canvas.getContext('2d');
      const dpr = window.devicePixelRatio || 1;
      ctx.fillStyle = '#f4f6f9';
      ctx.fillRect(0, 0, canvas.width, canvas.height);
      if (canvas !== this.#parts.waveCanvas) continue;
      ctx.fillStyle = '#4a5566';
      ctx.font = `${13 * dpr}px system-ui, sans-serif`;
      ctx.textAlign = 'center';
      ctx.textBaseline = 'middle';
      ctx.fillText('This video has no audio track', canvas.width / 2, canvas.height / 2);
    }
  }

  #request(target) {
    const state = this.#renders[target];
    if (!state.dirty || state.busy || !this.#info || !(this.#duration > 0)) return;
    if (!this.#info.sampleRate) {
      if (this.#ready) this.#showSilentWave();
      return;
    }
    // The overview only needs refreshing a few times a second while loading.
    if (target === 'overview' && !this.#ready && performance.now() - this.#lastOverviewRender < 250) {
      setTimeout(() => this.#schedule(), 250);
      return;
    }
    // The spectrogram needs the complete file (samples are decoded on demand from it).
    if (target === 'spectrogram' && !this.#ready) return;
    const canvas = { main: this.#parts.waveCanvas, overview: this.#parts.overviewCanvas, spectrogram: this.#parts.spectroCanvas }[target];
    if (!canvas.width || !canvas.height) return;
    const view = target === 'overview' ? { start: 0, end: this.#duration } : this.#view;
    const sr = this.#info.sampleRate;
    state.dirty = false;
    state.busy = true;
    state.seq++;
    if (target === 'overview') this.#lastOverviewRender = performance.now();
    this.#client.render(this.#loadId, state.seq, target, {
      startFrame: (view.start - this.#audioStart) * sr,
      framesPerPixel: ((view.end - view.start) * sr) / canvas.width,
      width: canvas.width,
      height: canvas.height,
      amplitude: target === 'main' ? this.#amplitude : 1,
      ...(target === 'spectrogram' ? { ...this.#spectro.options, minHz: 0, maxHz: 0 } : this.#style()),
    });
  }

  #paint(msg) {
    const state = this.#renders[msg.target];
    if (!msg.interim) state.busy = false;
    const canvas = { main: this.#parts.waveCanvas, overview: this.#parts.overviewCanvas, spectrogram: this.#parts.spectroCanvas }[msg.target];
    if (canvas.width === msg.width && canvas.height === msg.height) {
      const image = new ImageData(new Uint8ClampedArray(msg.pixels), msg.width, msg.height);
      canvas.getContext('2d').putImageData(image, 0, 0);
      if (msg.axis) this.#spectro.drawAxis(canvas, msg.axis);
      if (msg.target === 'main') canvas.dataset.fromSamples = String(msg.fromSamples);
    } else {
      state.dirty = true;
    }
    this.#client.recycle(msg.pixels);
    if (msg.interim) return;
    if (state.dirty) this.#schedule();
    if (msg.target === 'main') this.dispatchEvent(new CustomEvent('avseg-rendered', { detail: { fromSamples: msg.fromSamples } }));
    if (msg.target === 'spectrogram') this.dispatchEvent(new CustomEvent('avseg-spectrogram', { detail: { fromSamples: msg.fromSamples } }));
  }

  #layout() {
    const dpr = window.devicePixelRatio || 1;
    for (const [canvas, box] of [[this.#parts.waveCanvas, this.#parts.wave], [this.#parts.overviewCanvas, this.#parts.overview], [this.#parts.spectroCanvas, this.#parts.spectrogram]]) {
      const w = Math.max(1, Math.round(box.clientWidth * dpr));
      const h = Math.max(1, Math.round(box.clientHeight * dpr));
      if (canvas.width !== w || canvas.height !== h) {
        canvas.width = w;
        canvas.height = h;
      }
    }
    for (const strip of [this.#parts.ruler, this.#parts.filmstrip]) {
      strip.width = Math.max(1, Math.round(strip.clientWidth * dpr));
      strip.height = Math.max(1, Math.round(strip.clientHeight * dpr));
    }
    this.#filmstrip?.invalidate();
    this.#invalidate();
  }

  #updateOverlay() {
    const wave = this.#parts.wave.clientWidth;
    const over = this.#parts.overview.clientWidth;
    const d = this.#duration;
    if (d > 0) {
      const left = (this.#view.start / d) * over;
      const width = Math.max(2, ((this.#view.end - this.#view.start) / d) * over);
      this.#parts.viewport.style.left = `${left}px`;
      this.#parts.viewport.style.width = `${width}px`;
      const th = thumb(this.#view, d, this.#parts.scrollbar.clientWidth);
      this.#parts.thumb.style.left = `${th.left}px`;
      this.#parts.thumb.style.width = `${th.width}px`;
    }
    this.#updateCursor(wave, over);
  }

  #updateCursor(wave = this.#parts.wave.clientWidth, over = this.#parts.overview.clientWidth) {
    const t = this.currentTime;
    const x = timeToX(t, this.#view, wave);
    const visible = this.#duration > 0 && x >= 0 && x <= wave;
    for (const cursor of [this.#parts.cursor, this.#parts.spectroCursor]) {
      cursor.style.display = visible ? '' : 'none';
      cursor.style.transform = `translateX(${x}px)`;
    }
    this.#parts.overviewCursor.style.transform = `translateX(${this.#duration > 0 ? (t / this.#duration) * over : 0}px)`;
    this.#updateTime();
  }

  #updateTime() {
    const frame = this.#video ? ` · frame ${this.#shownFrame >= 0 ? this.#shownFrame + 1 : '–'} / ${this.#video.count}` : '';
    this.#parts.time.textContent = `${formatTime(this.currentTime)} / ${formatTime(this.#duration)}${frame}`;
  }

  /** While playing, page the view so the cursor stays in sight. */
  #follow() {
    this.#watchSpan();
    const t = this.currentTime;
    const span = this.#view.end - this.#view.start;
    if (t > this.#view.end || t < this.#view.start) this.#setView({ start: t - span * 0.05, end: t + span * 0.95 });
    this.#updateCursor();
    this.#schedule();
  }

  #setControls(enabled) {
    for (const b of [this.#parts.play, this.#parts.zoomIn, this.#parts.zoomOut, this.#parts.zoomFit]) b.disabled = !enabled;
  }

  #showError(message, fatal = true) {
    const box = this.#parts.error;
    box.hidden = !message;
    box.textContent = message ?? '';
    box.dataset.fatal = String(!!fatal);
  }

  #emit(type, detail) {
    // `error` stays at the element, as a media element's does: page-wide reporters listen for script errors on window.
    const outward = type !== 'error';
    this.dispatchEvent(new CustomEvent(type, { detail, bubbles: outward, composed: outward }));
  }

  #changed() {
    const problems = this.#session.store.problems();
    this.#lanes.draw();
    this.#renderPanel(!this.#panel.typing);
    this.#emit('change', this.#session.changeDetail());
    this.#emit('validity', { problems: problems.map((x) => ({ ...x })) });
  }

  #video = null;          // {times: Float64Array (seconds, one per frame, then the end), keyFrames, width, height, codec}
  #shownFrame = -1;       // the frame on screen, from requestVideoFrameCallback

  #setFrames(msg) {
    const { video } = msg;
    this.#video = videoIndex(msg);
    const { times } = this.#video;
    this.#requestedFrame = null;
    this.#parts.frameBox.hidden = false;
    this.#parts.frameInput.max = String(this.#video.count);
    this.#parts.filmstrip.hidden = false;
    this.#layout();
    this.#filmstrip ??= new Filmstrip(this.#parts.filmstrip);
    this.#filmstrip.load(this.src ? new URL(this.src, document.baseURI).href : '', times, (t) => this.frameAt(t), video.width, video.height);
    this.#watchFrames();
    this.#emit('frames', { count: this.#video.count, width: video.width, height: video.height, codec: video.codec });
  }

  /** The video's frames, or null for audio: {count, times (start of each frame, then the end, seconds), keyFrames}. */
  get frames() {
    const v = this.#video;
    return v ? { count: v.count, times: v.times.slice(), keyFrames: v.keyFrames.slice(), width: v.width, height: v.height, codec: v.codec } : null;
  }

  /** The frame on screen (0-based), or -1 (no video, or none shown yet). */
  get frame() { return this.#shownFrame; }

  /** The index of the frame shown at `t` seconds of the media (a time within the rounding
   * tolerance of a frame's start is that frame, doc/video.md), or -1. */
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

  #requestedFrame = null;  // {frame, time}: the last seekFrame, until the time moves elsewhere

  #watchFrames() {
    const media = this.#parts.media;
    if (!this.#video || this.#frameWatch || !('requestVideoFrameCallback' in media)) return;
    const load = this.#loadId;
    const onFrame = (_now, metadata) => {
      if (load !== this.#loadId) {
        this.#frameWatch = false;
        return;
      }
      const n = this.frameAt(metadata.mediaTime);
      if (n !== this.#shownFrame) {
        this.#shownFrame = n;
        this.#updateTime();
        if (this.#parts.frameInput !== this.shadowRoot.activeElement) this.#parts.frameInput.value = n >= 0 ? String(n + 1) : '';
        this.#emit('framechange', { frame: n, time: n >= 0 ? this.#video.times[n] : 0 });
      }
      media.requestVideoFrameCallback(onFrame);
    };
    this.#frameWatch = true;
    media.requestVideoFrameCallback(onFrame);
  }

  #frameWatch = false;
  #spectro = null;        // the spectrogram's settings and controls (spectrogram-strip.js)

  /** Shows the spectrogram under the waveform (the toolbar's Spectrogram box). */
  get spectrogram() { return this.#spectro.shown; }
  set spectrogram(on) {
    this.#spectro.shown = on;
    this.#layout();
  }

  /** {windowSize (256..8192), scale ('linear' | 'mel' | 'log'), colorMap ('magma' | 'viridis' | 'grayscale'), minDb, maxDb}. */
  get spectrogramOptions() { return this.#spectro.options; }
  set spectrogramOptions(options) {
    this.#spectro.options = options;
    this.#renders.spectrogram.dirty = true;
    this.#schedule();
  }

  #filmstrip = null;      // the video's thumbnails (filmstrip.js)

  #audioStart = 0;        // media time of the first audio sample (seconds)

  /** Moves the selected segment's start or end by `frames` samples, or (0, a video) to the next frame boundary. */
  #nudge(edge, direction, frames) {
    const seg = this.#session.store?.segment(this.#selected);
    if (!seg) return;
    const rate = this.#session.store.rate();
    let at = seg[edge] + direction * frames;
    if (!frames) at = nextFrameBoundary(this.#video, seg[edge], rate, direction);
    try {
      this.#session.edit((a) => check(edge === 'end' ? a.setBounds(seg.id, seg.start, at) : a.setBounds(seg.id, at, seg.end)));
    } catch (err) {
      this.#session.reportError(err.code ?? 'refused', err.message);
    }
  }

  /** Positions per second of the annotation timebase: the audio's sample rate, or for a video
   * without sound its time base, so frame boundaries stay whole numbers. */
  #timelineRate() { return timelineRate(this.#info?.sampleRate, this.#video); }

  #lanes = null;          // the track lanes and their pointer gestures (track-lanes.js)
  #trackControls = null;  // the toolbar's track, record and history buttons (track-controls.js)

  /** Drags snap to the cursor and other segments' edges within 6 px (the toolbar's Snap box). */
  get snapping() { return this.#lanes.snapping; }
  set snapping(on) {
    this.#lanes.snapping = on;
    if (this.#parts.snap) this.#parts.snap.checked = this.#lanes.snapping;
  }
  /** The selected segment's id, or null; settable. */
  get selectedSegment() { return this.#selected; }
  set selectedSegment(id) {
    const next = id ?? null;
    if (next === this.#selected) return;
    this.#selected = next;
    this.#session.model?.endTyping();
    // Its track becomes the selected one, unless it is already among the selected.
    const track = next == null ? null : this.#session.store?.segment(next)?.track;
    if (track && !this.#selectedTracks.includes(track)) {
      this.#selectedTracks = [track];
      this.#renderTrackControls();
    }
    this.#lanes.draw();
    this.#renderPanel(true);
    this.#list.reveal(next);
    this.#announceSelection();
    this.#emit('select', { segment: this.#selected });
  }

  /** Plays [start, end] seconds once (or looping until paused). */
  playSpan(start, end, loop = false) {
    this.#span = { start, end, loop };
    this.currentTime = start;
    return this.play();
  }

  #span = null;

  #watchSpan() {
    const span = this.#span;
    const media = this.#parts.media;
    if (!span || media.paused) return;
    if (media.currentTime >= span.end) {
      if (span.loop) media.currentTime = span.start;
      else {
        this.pause();
        this.#span = null;
      }
    }
  }

  /** Rebuilds the panel's forms (rebuild) or only refreshes values, problems and the list. */
  #renderPanel(rebuild) {
    this.#panel.render(rebuild);
    this.#list.render();
    this.#renderTrackControls();
  }

  #selectedTracks = [];
  #recording = null;
  #list = null;           // the segment list (segment-list.js)
  #panel = null;          // the selected segment's and the whole file's forms (segment-panel.js)
  /** Seconds a human needs to react; recorded boundaries are moved this much earlier. */
  reactionTime = 0.15;

  /** The first selected track (recording uses all of them); set by clicking its lane. */
  get selectedTrack() { return this.#selectedTracks[0] ?? null; }
  set selectedTrack(id) { this.selectedTracks = id == null ? [] : [id]; }

  /** The tracks recording makes segments on; Ctrl+click on a lane or Shift+T adds one. */
  get selectedTracks() { return [...this.#selectedTracks]; }
  set selectedTracks(ids) {
    const known = new Set((this.#session.store?.tracks() ?? []).map((t) => t.id));
    this.#selectedTracks = [...new Set((ids ?? []).map(String))].filter((id) => !this.#session.store || known.has(id));
    this.#renderTrackControls();
    this.#lanes.draw();
    const names = this.#selectedTracks.map((id) => trackName(this.#session.store, id));
    this.#announce(names.length ? `Selected track${names.length === 1 ? '' : 's'}: ${names.join(', ')}` : 'No track selected');
  }

  /** Selects the next track (wrapping), or adds it to the selection (extend). */
  #stepTrack(extend) {
    const tracks = this.#session.store?.tracks() ?? [];
    if (!tracks.length) return;
    const last = this.#selectedTracks.at(-1);
    const at = tracks.findIndex((t) => t.id === last);
    const next = tracks[(at + 1) % tracks.length].id;
    this.selectedTracks = extend ? [...this.#selectedTracks, next] : [next];
  }

  /** Selects the previous or next segment in time (only the selected tracks', if any). */
  #stepSegment(direction) {
    const store = this.#session.store;
    if (!store) return;
    const listing = store.listing(false);
    const tracks = store.tracks();
    const rows = new Set(this.#selectedTracks.map((id) => tracks.findIndex((t) => t.id === id)));
    const eligible = (i) => !rows.size || rows.has(listing.spans[i * 3 + 2]);
    let at = listingIndex(store, listing, this.#selected);
    if (at < 0) {
      // Nothing selected: start from the cursor.
      const f = this.currentTime * store.rate();
      at = direction > 0 ? -1 : listing.count;
      for (let i = 0; i < listing.count; i++) if (listing.spans[i * 3] < f) at = direction > 0 ? i : i + 1;
    }
    for (let i = at + direction; i >= 0 && i < listing.count; i += direction) {
      if (eligible(i)) {
        this.selectedSegment = listing.id(i);
        const seg = store.segment(this.#selected);
        if (seg) this.#reveal(seg.start / store.rate(), seg.end / store.rate());
        return;
      }
    }
  }

  /** Scrolls the view to show [start, end] if it is not in sight. */
  #reveal(start, end) {
    const span = this.#view.end - this.#view.start;
    if (start >= this.#view.start && end <= this.#view.end) return;
    this.#followLoad = false;
    this.#setView(end - start < span * 0.9 ? { start: start - (span - (end - start)) / 2, end: start - (span - (end - start)) / 2 + span } : { start, end });
  }

  #announce(text) {
    // Cleared first so the same words twice are announced twice.
    const box = this.#parts.announce;
    box.textContent = '';
    queueMicrotask(() => { box.textContent = text; });
  }

  #announceSelection() {
    const seg = this.#session.store?.segment(this.#selected);
    if (!seg) {
      this.#announce('No segment selected');
      return;
    }
    const rate = this.#session.store.rate();
    const problem = this.#session.store.problemSegments().has(seg.id) ? ', has a problem' : '';
    this.#announce(`Segment on ${trackName(this.#session.store, seg.track)}, ${formatTime(seg.start / rate)} to ${formatTime(seg.end / rate)}${problem}`);
  }

  get recording() { return this.#recording !== null; }

  /** Merges the selected segment with the next one on its track (fields joined); returns its id. */
  mergeWithNext() {
    const seg = this.#session.store?.segment(this.#selected);
    if (!seg) return null;
    const next = this.#session.model.nextOnTrack(seg.id);
    if (!next) {
      this.#session.reportError('refused', 'there is no later segment on this track to merge with');
      return null;
    }
    try {
      return this.#session.edit((a) => check(a.mergeSegments(seg.id, next)));
    } catch (err) {
      this.#session.reportError(err.code ?? 'refused', err.message);
      return null;
    }
  }

  /**
   * Begin Recording / Stop Recording on the selected tracks: one segment on each, from begin to
   * stop less the reaction time, made in one undo step. Returns the first segment's id.
   */
  toggleRecording() {
    const now = this.currentTime;
    if (!this.#recording) {
      if (!this.#selectedTracks.length) {
        this.#session.reportError('refused', 'Select a track first (click its lane, or press T), then record.');
        return null;
      }
      this.#recording = { tracks: [...this.#selectedTracks], start: this.#session.toFrameBoundary(Math.max(0, now - this.reactionTime)) };
      if (this.#parts.media.paused) this.play().catch(() => {});
      this.#renderTrackControls();
      this.#announce(`Recording on ${this.#recording.tracks.map((id) => trackName(this.#session.store, id)).join(', ')}`);
      return null;
    }
    const { tracks, start } = this.#recording;
    this.#recording = null;
    this.#renderTrackControls();
    const end = this.#session.toFrameBoundary(Math.min(this.#duration, Math.max(0, now - this.reactionTime)));
    const made = [];
    const refused = [];
    try {
      const rate = this.#session.rate();
      this.#session.edit((a) => {
        a.beginGroup();
        try {
          for (const track of tracks) {
            const r = a.addSegment(track, Math.round(start * rate), Math.round(end * rate), '{}');
            if (r.ok) made.push(r.id);
            else refused.push(`${trackName(this.#session.store, track)}: ${r.message}`);
          }
        } finally {
          a.endGroup();
        }
      });
    } catch (err) {
      refused.push(err.message);
    }
    if (refused.length) this.#session.reportError('refused', `Not recorded on ${refused.join('; ')}`);
    if (made.length) this.selectedSegment = made[0];
    return made[0] ?? null;
  }

  #renderTrackControls() {
    this.#trackControls.render({
      configText: this.#panel.configText, ready: this.#ready, selectedTracks: this.#selectedTracks.length, recording: this.#recording !== null,
      canUndo: Boolean(this.#session.model?.canUndo()), canRedo: Boolean(this.#session.model?.canRedo()),
    });
  }

  #toggleHelp(show = this.#parts.helpOverlay.hidden) {
    const overlay = this.#parts.helpOverlay;
    overlay.hidden = !show;
    if (show) overlay.focus();
    else this.focus();
  }

  // ---- input ----

  #wire() {
    const p = this.#parts;
    const media = p.media;
    this.#lanes = new TrackLanes({ canvas: p.lanes, wave: p.wave }, {
      store: () => this.#session.store,
      model: () => this.#session.model,
      view: () => this.#view,
      selected: () => this.#selected,
      selectedTracks: () => this.#selectedTracks,
      ready: () => this.#ready,
      hasMedia: () => Boolean(this.#info),
      duration: () => this.#duration,
      currentTime: () => this.currentTime,
      rate: () => this.#timelineRate(),
      video: () => this.#video,
    });
    const laneEdit = (fn) => {
      try {
        return this.#session.edit((a) => check(fn(a)));
      } catch (err) {
        this.#session.reportError(err.code ?? 'refused', err.message);
        return undefined;
      }
    };
    this.#lanes.on('tracks', ({ ids }) => { this.selectedTracks = ids; });
    this.#lanes.on('track', ({ id }) => { this.selectedTrack = id; });
    this.#lanes.on('select', ({ id }) => { this.selectedSegment = id; });
    this.#lanes.on('create', ({ track, start, end }) => {
      const id = laneEdit((a) => a.addSegment(track, start, end, '{}'));
      if (id !== undefined) this.selectedSegment = id;
    });
    this.#lanes.on('move', ({ id, start, track }) => laneEdit((a) => a.moveSegment(id, start, track)));
    this.#lanes.on('resize', ({ id, start, end }) => laneEdit((a) => a.setBounds(id, start, end)));
    this.#lanes.on('play', ({ id }) => {
      const s = this.#session.store?.segment(id);
      if (s) this.playSpan(s.start / this.#session.store.rate(), s.end / this.#session.store.rate()).catch(() => {});
    });
    this.#list = new SegmentList({ list: p.list, rows: p.rows, count: p.listCount, order: p.listOrder }, { store: () => this.#session.store, selected: () => this.#selected });
    this.#list.on('select', ({ id, seek }) => {
      this.selectedSegment = id;
      const s = this.#session.store?.segment(id);
      if (!s) return;
      if (seek) this.currentTime = s.start / this.#session.store.rate();
      this.#reveal(s.start / this.#session.store.rate(), s.end / this.#session.store.rate());
    });
    this.#list.on('play', ({ id }) => {
      const s = this.#session.store?.segment(id);
      if (s) this.playSpan(s.start / this.#session.store.rate(), s.end / this.#session.store.rate());
    });
    this.#panel = new SegmentPanel({ segmentEditor: p.segmentEditor, classifications: p.classificationsBox }, {
      store: () => this.#session.store,
      selected: () => this.#selected,
      edit: (fn) => this.#session.edit(fn),
      report: (code, message) => this.#session.reportError(code, message),
      toFrameBoundary: (t) => this.#session.toFrameBoundary(t),
      endTyping: () => this.#session.model.endTyping(),
      playSpan: (start, end, loop) => this.playSpan(start, end, loop),
      remove: (id) => { this.removeSegment(id); this.selectedSegment = null; },
      mergeWithNext: () => this.mergeWithNext(),
    });
    p.play.addEventListener('click', () => (media.paused ? this.play() : this.pause()));
    p.zoomIn.addEventListener('click', () => this.zoomBy(2));
    p.zoomOut.addEventListener('click', () => this.zoomBy(0.5));
    p.zoomFit.addEventListener('click', () => this.zoomTo(0, this.#duration));
    this.#trackControls = new TrackControls({ category: p.category, tag: p.tag, addTrack: p.addTrack, removeTrack: p.removeTrack, record: p.record, undo: p.undoButton, redo: p.redoButton });
    this.#trackControls.on('add', ({ category, tag }) => {
      try {
        this.selectedTrack = this.addTrack(category, tag);
      } catch (err) {
        this.#session.reportError(err.code ?? 'refused', err.message);
      }
    });
    this.#trackControls.on('record', () => this.toggleRecording());
    this.#trackControls.on('undo', () => this.undo());
    this.#trackControls.on('redo', () => this.redo());
    p.snap.addEventListener('change', () => { this.snapping = p.snap.checked; });
    this.#spectro = new SpectrogramStrip({ strip: p.spectrogram, toggle: p.spectro, controls: p.spectroControls, scale: p.spectroScale, windowSize: p.spectroWindow, colors: p.spectroColors });
    this.#spectro.on('toggle', ({ on }) => { this.spectrogram = on; });
    this.#spectro.on('options', ({ options }) => { this.spectrogramOptions = options; });
    this.#trackControls.on('remove', () => {
      const ids = this.#selectedTracks;
      if (!ids.length) return;
      this.#session.edit((a) => {
        a.beginGroup();
        try {
          for (const id of ids) a.removeTrack(id);
        } finally {
          a.endGroup();
        }
      });
      this.selectedTrack = null;
      this.selectedSegment = null;
    });
    p.help.addEventListener('click', () => this.#toggleHelp());
    p.helpOverlay.addEventListener('keydown', (e) => { if (e.key === 'Escape' || e.key === '?') { e.stopPropagation(); this.#toggleHelp(false); } });
    p.rate.addEventListener('change', () => { this.playbackRate = Number(p.rate.value); });
    p.frameInput.addEventListener('change', () => {
      const n = Number(p.frameInput.value);
      if (Number.isInteger(n) && n >= 1) this.seekFrame(n - 1);
    });
    media.preservesPitch = true;

    media.addEventListener('loadedmetadata', () => {
      // One media element for both: a video's picture is shown, an audio file shows none.
      media.hidden = !(media.videoWidth > 0);
      if (this.#pendingSeek != null) {
        media.currentTime = this.#pendingSeek;
        this.#pendingSeek = null;
      }
    });
    media.addEventListener('play', () => {
      p.play.textContent = '❚❚';
      p.play.setAttribute('aria-label', 'Pause');
      this.#schedule();
    });
    media.addEventListener('pause', () => {
      p.play.textContent = '▶';
      p.play.setAttribute('aria-label', 'Play');
      this.#updateCursor();
    });
    for (const type of ['timeupdate', 'seeked']) {
      media.addEventListener(type, () => {
        this.#updateCursor();
        this.#emit('timeupdate', { currentTime: this.currentTime });
      });
    }
    this.#links = new SourceLinks(media, {
      message: (reason) => expiredMessage(reason, { drafts: this.getAttribute('autosave') !== 'off' }),
      report: (message) => {
        this.#showError(message, false);
        if (!this.#ready && !this.#failed) this.#parts.status.textContent = 'Loading paused: the link to the media expired';
        this.#emit('error', { code: 'link-expired', message, fatal: false });
      },
    });
    media.addEventListener('error', async () => {
      // A file the core can't read has already been reported; this is for one the browser can't play.
      if (this.#failed || !media.error || !media.getAttribute('src')) return;
      if (await this.#links.mediaFailed()) return;
      const message = `The browser cannot play this file (media error ${media.error.code}${media.error.message ? `: ${media.error.message}` : ''}); the waveform is still shown.`;
      this.#showError(message, false);
      this.#emit('error', { code: 'playback-failed', message, fatal: false });
    });

    // Click to seek, drag to pan.
    p.wave.addEventListener('pointerdown', (e) => {
      if (!(this.#duration > 0) || e.button !== 0) return;
      p.wave.setPointerCapture(e.pointerId);
      const startX = e.clientX;
      const startView = this.#view;
      const width = p.wave.clientWidth;
      let dragged = false;
      const move = (ev) => {
        const dx = ev.clientX - startX;
        if (Math.abs(dx) > 3) dragged = true;
        if (dragged) {
          this.#followLoad = false;
          this.#setView(scrollView(startView, (-dx / width) * (startView.end - startView.start), this.#duration, this.#minSpan()));
        }
      };
      const up = (ev) => {
        p.wave.removeEventListener('pointermove', move);
        p.wave.removeEventListener('pointerup', up);
        if (!dragged) {
          const rect = p.wave.getBoundingClientRect();
          this.currentTime = xToTime(ev.clientX - rect.left, this.#view, rect.width);
        }
      };
      p.wave.addEventListener('pointermove', move);
      p.wave.addEventListener('pointerup', up);
    });


    p.wave.addEventListener('wheel', (e) => {
      if (!(this.#duration > 0)) return;
      const rect = p.wave.getBoundingClientRect();
      if (e.ctrlKey || e.metaKey) {
        e.preventDefault();
        const anchor = xToTime(e.clientX - rect.left, this.#view, rect.width);
        this.zoomBy(Math.exp(-e.deltaY * 0.0025), anchor);
      } else if (e.shiftKey || Math.abs(e.deltaX) > Math.abs(e.deltaY)) {
        e.preventDefault();
        const delta = e.shiftKey && !e.deltaX ? e.deltaY : e.deltaX;
        this.#followLoad = false;
        this.#setView(scrollView(this.#view, (delta / rect.width) * (this.#view.end - this.#view.start), this.#duration, this.#minSpan()));
      }
    }, { passive: false });

    const centreOn = (clientX, element) => {
      const rect = element.getBoundingClientRect();
      const t = ((clientX - rect.left) / rect.width) * this.#duration;
      const span = this.#view.end - this.#view.start;
      this.#followLoad = false;
      this.#setView({ start: t - span / 2, end: t + span / 2 });
    };
    for (const element of [p.overview, p.scrollbar]) {
      element.addEventListener('pointerdown', (e) => {
        if (!(this.#duration > 0) || e.button !== 0) return;
        element.setPointerCapture(e.pointerId);
        centreOn(e.clientX, element);
        const move = (ev) => centreOn(ev.clientX, element);
        const up = () => {
          element.removeEventListener('pointermove', move);
          element.removeEventListener('pointerup', up);
        };
        element.addEventListener('pointermove', move);
        element.addEventListener('pointerup', up);
      });
    }

    const keyActions = {
      togglePlay: () => (media.paused ? this.play() : this.pause()),
      undo: () => this.undo(),
      redo: () => this.redo(),
      nudge: (edge, direction, unit) => this.#nudge(edge, direction, this.#video ? 0 : unit === 'sample' ? 1 : Math.round((unit === '1ms' ? 0.001 : 0.01) * this.#timelineRate())),
      stepFrame: (delta) => this.stepFrame(delta),
      toggleHelp: () => this.#toggleHelp(),
      zoomBy: (factor) => this.zoomBy(factor),
      zoomFit: () => this.zoomTo(0, this.#duration),
      scroll: (fraction) => {
        this.#followLoad = false;
        this.#setView(scrollView(this.#view, fraction * (this.#view.end - this.#view.start), this.#duration, this.#minSpan()));
      },
      amplify: (direction) => { if (direction > 0) this.amplitude *= Math.SQRT2; else this.amplitude /= Math.SQRT2; },
      seekEdge: (where) => { this.currentTime = where === 'end' ? this.#duration : 0; },
      toggleRecording: () => this.toggleRecording(),
      stepTrack: (extend) => this.#stepTrack(extend),
      stepSegment: (direction) => this.#stepSegment(direction),
      merge: () => this.mergeWithNext(),
      deleteSelected: () => { if (this.#selected) { this.removeSegment(this.#selected); this.selectedSegment = null; } },
      split: () => {
        if (!this.#selected) return;
        try {
          this.#session.edit((a) => check(a.splitSegment(this.#selected, Math.round(this.#session.toFrameBoundary(this.currentTime) * this.#timelineRate()))));
        } catch (err) {
          this.#session.reportError(err.code ?? 'refused', err.message);
        }
      },
    };
    this.addEventListener('keydown', (e) => {
      // Events from inside the shadow root are retargeted to the host: only the host's own keys count.
      if (e.composedPath()[0] !== this || !(this.#duration > 0)) return;
      handleKey(e, { selection: Boolean(this.#selected), video: Boolean(this.#video) }, keyActions);
    });
  }
}
