// SPDX-License-Identifier: MIT
// The media load session owns one load of the element's media: the worker's client and the load's
// id, the media's facts (header, duration, decoded, failed), the worker's messages about it, the
// status line, progress bar and error box, expired links and fresh ones (refreshSource), and the
// controls that wait for the media. It tells the other media parts what changed by calling them.
import { CoreClient } from './core-client.js';
import { cspMessage, violationFor } from './csp-report.js';
import { pageThreadMessage, showCoreNote } from './core-note.js';
import { Emitter } from './emitter.js';
import { ErrorCode } from './error-codes.js';
import { formatTime } from './layout.js';
import { SourceLinks, expiredMessage } from './source-refresh.js';

/** How long `ready` waits for the media element's picture before it is said without it. */
export const PLAYER_WAIT_MS = 10000;

/** The status line once the media is decoded: its picture (a video) and its sound. */
export function readyStatus(info, video) {
  const videoText = video ? `${video.width}×${video.height} ${video.codec}, ${video.count} frames` : '';
  if (!info.sampleRate) return `${videoText} · no audio`;
  const channels = info.channels === 1 ? 'mono' : info.channels === 2 ? 'stereo' : info.channels + ' ch';
  return `${videoText ? `${videoText} · ` : ''}${info.sampleRate} Hz · ${channels} · ${info.codec}`;
}

/**
 * What the session needs from the element.
 * @typedef {object} SessionHost
 * @property {HTMLElement} element  the <avseg-editor>: its attributes (src, peaks, range-threshold, autosave)
 * @property {() => Promise<void>} modelReady  the annotation model is loaded
 * @property {(load: number) => Promise<void>} annotate  the media is decoded: put the annotations in place
 *   (timebase, media facts, a saved draft) before `ready` is announced
 * @property {() => (import('./protocol.js').AnalysisOptions|null)} [analysisOptions]  how pauses, pitch and loudness
 *   jumps are found (the config's `analysis`), given with each load
 */

/**
 * The other media parts the session drives (media-side.js makes them).
 * @typedef {object} SessionParts
 * @property {import('./playback.js').Playback} playback
 * @property {import('./viewport.js').Viewport} viewport
 * @property {import('./render-scheduler.js').RenderScheduler} scheduler
 * @property {import('./waveform-strip.js').WaveformStrip} strip
 */

/**
 * The element's events of a load (doc/element-api.md), and 'loading' as a new one begins.
 * @typedef {object} SessionEvents
 * @property {{url: string}} loading
 * @property {{loadedBytes: number, totalBytes: number, decodedSeconds: number, rangeRequests: number, syncRequests: number}} progress
 * @property {{duration: number, sampleRate: number, channels: number}} peaks
 * @property {{code: string, message: string, fatal: boolean}} error
 * @property {{duration: number, sampleRate: number, channels: number, seekable: boolean}} ready
 * @property {object} analysis  the worker's `analysis` message without type and load (protocol.js AnalysisMessage)
 */

/** @extends {Emitter<SessionEvents>} */
export class LoadSession extends Emitter {
  #client = new CoreClient((msg) => this.#onCore(msg), (start) => this.#coreStarted(start));
  #el;
  #host;
  #m;
  #loadId = 0;
  #info = null;           // media facts once the header is read
  #coreWasmVia = null;
  #duration = 0;
  #decoded = false;       // the worker's ready: decoded to the end
  #announced = false;     // `ready` was emitted (the annotations are in place too)
  #failed = false;
  #audioStart = 0;        // media time of the first audio sample (seconds)
  #links;                 // expired links and fresh ones (source-refresh.js)
  #connectionLost = null; // the message shown while the media server does not answer
  #adopting = false;      // refreshSource is writing the fresh URL into the src attribute
  #playerFailed = null;   // resolves once the media element's failure was reported (this load)
  #onPlayerFailed = null;
  #modelFailure = 0;      // the load whose model failure was said (once, whoever noticed it first)
  #wasmRefusal = 0;       // the load whose refused WebAssembly was said (the worker's and the model's are one cause)

  /**
   * @param {{status: HTMLElement, progress: HTMLElement, progressBar: HTMLElement, error: HTMLElement, media: HTMLMediaElement,
   *          play: HTMLButtonElement, zoomIn: HTMLButtonElement, zoomOut: HTMLButtonElement, zoomFit: HTMLButtonElement}} elements
   * @param {SessionHost} host
   * @param {SessionParts} parts
   */
  constructor(elements, host, parts) {
    super();
    this.#el = elements;
    this.#host = host;
    this.#m = parts;
    this.#links = new SourceLinks(elements.media, {
      message: (reason) => expiredMessage(reason, { drafts: host.element.getAttribute('autosave') !== 'off' }),
      report: (message) => {
        this.showError(message, false);
        if (!this.#decoded && !this.#failed) elements.status.textContent = 'Loading paused: the link to the media expired';
        this.emit('error', { code: ErrorCode.LinkExpired, message, fatal: false });
      },
    });
  }

  get client() { return this.#client; }
  /** Where the media core runs (core-client.js): 'worker', 'classic-worker', 'page' or null. */
  get coreThread() { return this.#client.thread; }
  /** How the core's wasm came to it (wasm-script.js): 'fetch', 'script', or null before it was loaded. */
  get coreWasmVia() { return this.#coreWasmVia; }
  get loadId() { return this.#loadId; }
  get info() { return this.#info; }
  get duration() { return this.#duration; }
  get decoded() { return this.#decoded; }
  get announced() { return this.#announced; }
  get audioStart() { return this.#audioStart; }
  /** True while refreshSource writes the fresh URL into the src attribute (not a new load). */
  get adopting() { return this.#adopting; }

  /** Loads `url` (nothing: unloads), forgetting everything about the media before. */
  load(url) {
    const { playback, viewport, scheduler } = this.#m;
    const el = this.#el;
    const element = this.#host.element;
    this.#loadId++;
    // What is known of the last media is forgotten before `loading` is heard: its listeners
    // (the analysis strips' reset) must not take the last media as decoded, e.g. to scan its motion.
    this.#audioStart = 0;
    this.#announced = false;
    this.#info = null;
    this.#decoded = false;
    this.#failed = false;
    this.#duration = 0;
    playback.reset();
    this.emit('loading', { url: url ?? '' });
    this.#playerFailed = new Promise((resolve) => { this.#onPlayerFailed = resolve; });
    viewport.reset();
    this.showError(null);
    this.#links.reset();
    this.setControls(false);
    el.status.textContent = url ? 'Loading…' : '';
    el.progress.hidden = !url;
    el.progressBar.style.width = '0%';
    playback.setSource(url);
    if (!url) {
      this.#client.unload();
      scheduler.invalidate();
      return;
    }
    const threshold = Number(element.getAttribute('range-threshold'));
    const peaks = element.getAttribute('peaks');
    const analysis = element.getAttribute('analysis');
    this.#client.load(this.#loadId, new URL(url, document.baseURI).href, element.hasAttribute('range-threshold') && threshold >= 0 ? threshold : undefined,
      peaks ? new URL(peaks, document.baseURI).href : undefined,
      { analysis: analysis ? new URL(analysis, document.baseURI).href : null, analysisOptions: this.#host.analysisOptions?.() ?? null });
    // A model that cannot start is said at once, not after the media is decoded.
    const load = this.#loadId;
    this.#host.modelReady().catch((err) => this.#modelFailed(load, err));
    scheduler.invalidate();
  }

  #onCore(msg) {
    if (msg.load !== this.#loadId && msg.load !== -1) return;
    const { playback, scheduler, strip } = this.#m;
    const el = this.#el;
    switch (msg.type) {
      case 'opened':
        this.#info = msg.info;
        this.#coreWasmVia = msg.wasmVia ?? this.#coreWasmVia;
        this.setDuration(msg.info.declaredDuration > 0 ? msg.info.declaredDuration : 0);
        break;
      case 'progress': {
        const decoded = msg.decodedSeconds;
        if (!this.#decoded) this.setDuration(Math.max(this.#duration, decoded, msg.declaredDuration > 0 ? msg.declaredDuration : 0));
        const fraction = msg.totalBytes ? msg.loadedBytes / msg.totalBytes : 0;
        el.progressBar.style.width = `${(fraction * 100).toFixed(1)}%`;
        el.progress.setAttribute('aria-valuenow', String(Math.round(fraction * 100)));
        el.status.textContent = `Loading… ${formatTime(decoded, 1)} decoded`;
        this.emit('progress', { loadedBytes: msg.loadedBytes, totalBytes: msg.totalBytes, decodedSeconds: decoded, rangeRequests: msg.requests ?? 0, syncRequests: msg.syncRequests ?? 0 });
        scheduler.invalidate();
        break;
      }
      case 'ready': {
        const video = playback.video;
        this.#info = msg.info;
        this.#decoded = true;
        playback.start();
        // A video's audio may start late (a stream offset); the timeline is the media's own.
        this.#audioStart = video ? Math.max(0, msg.info.startTime || 0) : 0;
        const audioEnd = msg.info.sampleRate ? this.#audioStart + msg.info.frames / msg.info.sampleRate : 0;
        this.setDuration(Math.max(audioEnd, video ? video.times[video.count] : 0));
        el.progress.hidden = true;
        el.status.textContent = readyStatus(msg.info, video);
        if (!msg.info.sampleRate) strip.showSilent();
        this.setControls(true);
        scheduler.invalidate();
        this.#annotate(msg);
        break;
      }
      case 'frame':
        scheduler.paint(msg);
        break;
      case 'source-resumed':
        if (this.#connectionLost !== null && el.error.textContent === this.#connectionLost) this.showError(null);
        this.#connectionLost = null;
        scheduler.invalidate();
        break;
      case 'frames':
        playback.setFrames(msg);
        break;
      case 'peaks':
        // Precomputed peaks: the whole file's waveform before it is decoded.
        this.#info ??= { sampleRate: msg.sampleRate, channels: msg.channels, declaredDuration: msg.duration, frames: 0, codec: '' };
        if (!this.#decoded) this.setDuration(Math.max(this.#duration, msg.duration));
        this.emit('peaks', { duration: msg.duration, sampleRate: msg.sampleRate, channels: msg.channels });
        scheduler.invalidate();
        break;
      case 'error':
        this.#error(msg);
        break;
      case 'analysis': {
        const { type, load, ...analysis } = msg;
        this.emit('analysis', analysis);
        break;
      }
      default:
        break;
    }
  }

  /**
   * The annotations are put in place for the decoded media and the media element shows its picture,
   * then `ready` is said (unless another load began).
   */
  #annotate(msg) {
    const load = this.#loadId;
    this.#host.modelReady().then(() => {
      if (load !== this.#loadId) return;
      // A saved draft is back in place before the host hears `ready`.
      return this.#host.annotate(load).then(() => this.#playerShown(load)).then(() => {
        if (load !== this.#loadId) return;
        this.#announced = true;
        this.emit('ready', { duration: this.#duration, sampleRate: msg.info.sampleRate, channels: msg.info.channels, seekable: msg.seekable !== false });
      });
    }, (err) => this.#modelFailed(load, err));
  }

  /** The annotation model could not start (a `wasm-refused` Error when the page's CSP refused it): fatal. */
  #modelFailed(load, err) {
    if (load !== this.#loadId || this.#modelFailure === load) return;
    this.#modelFailure = load;
    const refused = err?.code === ErrorCode.WasmRefused;
    this.#error({ code: refused ? ErrorCode.WasmRefused : ErrorCode.Internal, message: refused ? err.message : `The annotation model could not be loaded: ${err?.message ?? err}`, fatal: true });
  }

  /**
   * Resolves once the media element shows the picture (sound: knows its length), has failed (its
   * warning said), or PLAYER_WAIT_MS passed, so that `ready` is never lost. The element reads only
   * from the worker's ready on (player-source.js), so its picture comes after that.
   */
  #playerShown(load) {
    let timer;
    const late = new Promise((resolve) => { timer = setTimeout(() => resolve('late'), PLAYER_WAIT_MS); });
    return Promise.race([this.#m.playback.whenShown(), this.#playerFailed, late]).then((how) => {
      clearTimeout(timer);
      if (how === 'late' && load === this.#loadId) {
        console.warn(`avseg: the media element showed nothing within ${PLAYER_WAIT_MS / 1000} s of the media being decoded; ready is said without its picture`);
      }
    });
  }

  #error(msg) {
    if (msg.code === ErrorCode.WasmRefused) {
      if (this.#wasmRefusal === this.#loadId) return;
      this.#wasmRefusal = this.#loadId;
    }
    if (msg.code === ErrorCode.LinkExpired && !msg.fatal) {
      // A render the expiry stopped is not answered: the view is asked again once a fresh link came.
      this.#m.scheduler.forgetBusy();
      this.#links.expire(msg.message);
      return;
    }
    if (msg.code === ErrorCode.ConnectionLost && !msg.fatal) {
      // The worker retries by itself; the message goes when it answers again (source-resumed).
      this.#m.scheduler.forgetBusy();
      this.#connectionLost = msg.message;
    }
    if (msg.fatal) {
      this.#failed = true;
      this.#el.progress.hidden = true;
      this.#el.status.textContent = '';
    }
    // A silent video is said in the waveform band, not as an error.
    if (msg.code !== ErrorCode.NoAudio || msg.fatal) this.showError(msg.message, msg.fatal);
    this.emit('error', { code: msg.code, message: msg.message, fatal: msg.fatal });
  }

  /** No worker could start: the core runs on the page, said in the element and as a warning. */
  #coreStarted(start) {
    if (start.thread !== 'page') return;
    const message = pageThreadMessage(start);
    showCoreNote(this.#el.error, message);
    this.emit('error', { code: ErrorCode.CoreOnPageThread, message, fatal: false });
  }

  /** The media is at least `d` seconds long (a header, peaks or decoding so far say so). */
  setDuration(d) {
    if (!(d > 0)) return;
    this.#duration = d;
    this.#m.viewport.durationChanged(d);
    this.#m.playback.updateTime();
  }

  /** The error box: a message (fatal: the media cannot be shown) or none. */
  showError(message, fatal = true) {
    const box = this.#el.error;
    box.hidden = !message;
    box.textContent = message ?? '';
    box.dataset.fatal = String(!!fatal);
  }

  /** The controls that need the media (play, zoom). */
  setControls(enabled) {
    for (const b of [this.#el.play, this.#el.seekStart, this.#el.seekBack, this.#el.seekForward, this.#el.seekEnd, this.#el.zoomIn, this.#el.zoomOut, this.#el.zoomFit]) b.disabled = !enabled;
  }

  /** Memory figures from the worker. */
  stats() { return this.#client.stats(); }

  /** Pitch for frames [startFrame, endFrame) (the visible window) first, then the rest of the file: `analysis` events. */
  analyzeWindow(startFrame, endFrame) { this.#client.analyze(this.#loadId, startFrame, endFrame); }

  /** New analysis options (protocol.js AnalysisOptions): pauses come again, pitch again if its range changed. */
  setAnalysisOptions(options) { this.#client.analysisOptions(this.#loadId, options); }

  /**
   * A boundary at `frame` snapped within `radius` frames to the nearest of `kinds` ('pause',
   * 'energy', 'zero'): resolves with {frame, kind}, or null when nothing is in reach.
   */
  snap(frame, radius, kinds) { return this.#client.snap(this.#loadId, frame, radius, kinds); }

  /** Small grey pictures of the video's frames [first, first + count) (motion-scan.js); luma (an ArrayBuffer) is transferred. */
  pushMotionFrames({ first, count, width, height, luma }) { this.#client.motionFrames(this.#loadId, { first, count, width, height, luma }); }

  /** No more pictures: the worker decides the cuts and sends the motion. */
  finishMotion() { this.#client.motionFrames(this.#loadId, { done: true }); }

  /**
   * A motion scan's sink (motion-scan.js MotionSink) bound to this load: what a scan of this load
   * sends once another load began is dropped, never given to the new one.
   */
  motionSink() {
    const load = this.#loadId;
    return {
      pushMotionFrames: (frames) => { if (load === this.#loadId) this.#client.motionFrames(load, frames); },
      finishMotion: () => { if (load === this.#loadId) this.#client.motionFrames(load, { done: true }); },
    };
  }

  /** The worker goes (the element was removed); a later load starts another. */
  close() { this.#client.terminate(); }

  /**
   * A fresh URL for the same media (element.refreshSource, doc/element-api.md): rejects with an
   * Error with `code` when it cannot be used, and then nothing changes.
   */
  async refreshSource(url) {
    const refuse = (code, message) => Object.assign(new Error(message), { code });
    const element = this.#host.element;
    let href;
    try {
      href = typeof url === 'string' && url ? new URL(url, document.baseURI).href : null;
    } catch { /* said below */ }
    if (!href) throw refuse(ErrorCode.InvalidValue, `refreshSource needs the media's fresh URL, not ${JSON.stringify(url)}`);
    if (!element.getAttribute('src')) throw refuse(ErrorCode.NoMedia, 'refreshSource: the editor has no media (src) to give a fresh link to');
    if (this.#failed) throw refuse(ErrorCode.LoadFailed, 'refreshSource: the media failed to load, so there is nothing to resume: set src to load it again');
    const load = this.#loadId;
    const answer = await this.#client.refreshUrl(load, href);
    if (load !== this.#loadId) throw refuse(ErrorCode.Superseded, 'refreshSource: another media was loaded meanwhile; the fresh link was not used');
    if (!answer.ok) throw refuse(answer.code || ErrorCode.Refused, answer.message || 'the fresh link was refused; nothing changed');
    const { playback, scheduler } = this.#m;
    const shown = this.#links.adopt(href, playback.currentTime, (t) => playback.seekLater(t));
    this.#adopting = true;
    try {
      element.setAttribute('src', url);
    } finally {
      this.#adopting = false;
    }
    if (playback.video) playback.filmstrip?.setSource(href);
    if (shown !== null && this.#el.error.textContent === shown) this.showError(null);
    scheduler.invalidate();
  }

  /** The media element's own failures (a file the browser cannot play), kept in `subs`. */
  connect(subs) {
    const media = this.#el.media;
    subs.listen(media, 'error', async () => {
      // A file the core can't read has already been reported; this is for one the browser can't play.
      if (this.#failed || !media.error || !media.getAttribute('src')) return;
      const failed = this.#onPlayerFailed;
      // An expired link is reported as such; either way `ready` need not wait for the picture.
      if (!(await this.#links.mediaFailed())) {
        // A media-src that refuses the media's host is the cause, not the file (csp-report.js).
        const refused = await violationFor({ kind: 'media', url: media.currentSrc || media.src });
        const message = refused
          ? `${cspMessage(refused, { kind: 'media' })} Playback is refused; the waveform is still shown.`
          : `The browser cannot play this file (media error ${media.error.code}${media.error.message ? `: ${media.error.message}` : ''}); the waveform is still shown.`;
        this.showError(message, false);
        this.emit('error', { code: ErrorCode.PlaybackFailed, message, fatal: false });
      }
      failed();
    });
  }
}
