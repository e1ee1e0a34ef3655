// SPDX-License-Identifier: MIT
// The element's media side: makes the load session, playback, viewport, render scheduler and the
// waveform, spectrogram and analysis strips, joins them (who hears whom), and forwards their events
// that the element fires. The element's public media API delegates to these parts.
import { AnalysisStrips } from './analysis-strips.js';
import { ErrorCode } from './error-codes.js';
import { LoadSession } from './load-session.js';
import { MotionScan } from './motion-scan.js';
import { Playback } from './playback.js';
import { RenderScheduler } from './render-scheduler.js';
import { drawRuler } from './ruler.js';
import { SpectrogramStrip } from './spectrogram-strip.js';
import { timelineRate } from './time-base.js';
import { Viewport } from './viewport.js';
import { WaveformStrip } from './waveform-strip.js';

/**
 * What the media side needs from the element.
 * @typedef {object} MediaHost
 * @property {HTMLElement} element  the <avseg-editor> (attributes, CSS custom properties, events)
 * @property {(type: string, detail: object) => void} emit  fires one of the element's events
 * @property {() => Promise<void>} modelReady  see load-session.js's SessionHost
 * @property {(load: number) => Promise<void>} annotate
 * @property {() => object | null} analysisConfig  the label config's `analysis` block, or null
 */

export class MediaSide {
  #p;
  #emit;
  #motionScan = null;   // the browser's motion scan of this load's video (motion-scan.js), once asked

  /**
   * @param {Record<string, HTMLElement>} p  the shadow DOM's parts (element-markup.js)
   * @param {MediaHost} host
   */
  constructor(p, host) {
    const { element, emit } = host;
    this.#p = p;
    this.#emit = emit;
    this.strip = new WaveformStrip(p, element);
    this.spectrogram = new SpectrogramStrip({ strip: p.spectrogram, toggle: p.spectro, controls: p.spectroControls, scale: p.spectroScale, windowSize: p.spectroWindow, colors: p.spectroColors });
    this.viewport = new Viewport(p, {
      duration: () => this.session.duration,
      currentTime: () => this.playback.currentTime,
      seek: (t) => { this.playback.currentTime = t; },
      rate: () => this.session.info?.sampleRate || this.timelineRate(),
    });
    // `session` is made last (it drives the others): these callbacks run only after construction.
    this.scheduler = new RenderScheduler({
      get client() { return session.client; },
      loadId: () => session.loadId,
      info: () => session.info,
      duration: () => session.duration,
      ready: () => session.decoded,
      audioStart: () => session.audioStart,
      view: () => this.viewport.view,
      strip: this.strip,
      spectrogram: () => this.spectrogram,
    });
    this.playback = new Playback(p, {
      duration: () => session.duration,
      loadId: () => session.loadId,
      src: () => (element.getAttribute('src') ? new URL(element.getAttribute('src'), document.baseURI).href : ''),
      layout: () => this.layout(),
    });
    this.analysis = new AnalysisStrips(p, {
      view: () => this.viewport.view, sampleRate: () => session.info?.sampleRate ?? 0, audioStart: () => session.audioStart, video: () => this.playback.video,
      ready: () => session.decoded, width: () => p.waveCanvas.width, config: host.analysisConfig,
      analyzeWindow: (start, end) => session.analyzeWindow(start, end), setAnalysisOptions: (options) => session.setAnalysisOptions(options),
      scanMotion: () => this.#scanMotion(),
    });
    const session = this.session = new LoadSession(p, { element, modelReady: host.modelReady, annotate: host.annotate, analysisOptions: () => this.analysis.options() }, this);
    const { viewport, scheduler, playback, analysis } = this;
    session.on('loading', () => {
      this.#motionScan?.dispose();
      this.#motionScan = null;
      analysis.reset();
    });
    session.on('analysis', (msg) => analysis.data.take(msg));
    session.on('error', ({ code }) => { if (code === ErrorCode.InvalidAnalysis) analysis.sidecarRefused(); });
    // The config is in the model by now (it may have come before the model loaded).
    session.on('ready', () => {
      analysis.configChanged();
      analysis.refreshShown();
    });
    analysis.on('analysis', ({ kind }) => emit('analysis', { kind }));
    playback.on('frames', () => analysis.refreshShown());

    viewport.on('change', (view) => {
      scheduler.invalidate('main', 'spectrogram');
      // Asked now rather than at the next animation frame, the waveform is shown a frame sooner.
      scheduler.request('main');
      emit('viewchange', view);
    });
    viewport.on('cursor', () => playback.updateTime());
    playback.on('timeupdate', (detail) => {
      viewport.updateCursor();
      emit('timeupdate', detail);
    });
    playback.on('play', () => scheduler.schedule());
    playback.on('pause', () => viewport.updateCursor());
    scheduler.on('frame', () => {
      drawRuler(p.ruler, viewport.view, session.duration);
      analysis.draw();
      if (playback.video) playback.filmstrip?.follow(viewport.view, playback.video.count);
      viewport.updateOverlay();
    });
    scheduler.on('asked', () => {
      if (playback.paused) return;
      // While playing, page the view so the cursor stays in sight.
      playback.watchSpan();
      viewport.follow(playback.currentTime);
      scheduler.schedule();
    });
    scheduler.on('painted', ({ target, fromSamples }) => {
      element.dispatchEvent(new CustomEvent(target === 'main' ? 'avseg-rendered' : 'avseg-spectrogram', { detail: { fromSamples } }));
    });
    this.spectrogram.on('toggle', ({ on }) => this.showSpectrogram(on));
    this.spectrogram.on('options', ({ options }) => this.setSpectrogramOptions(options));
    for (const type of ['progress', 'peaks', 'error', 'ready']) session.on(type, (detail) => emit(type, detail));
    for (const type of ['frames', 'framechange']) playback.on(type, (detail) => emit(type, detail));
  }

  /** A video's motion, computed here from its frames when no analysis file gave it (the Motion strip asks once). */
  #scanMotion() {
    const video = this.playback.video;
    const src = this.#p.media.currentSrc || this.#p.media.src;
    if (this.#motionScan || !video || !src) return;
    const load = this.session.loadId;
    const scan = this.#motionScan = new MotionScan({ src, times: video.times, sink: this.session.motionSink() });
    // A scan of an earlier load says nothing (dispose() stops it, but a frame in hand may still come).
    const current = () => this.#motionScan === scan && load === this.session.loadId;
    // The frames in hand are still sent after an error: the label keeps saying where it stopped.
    let stoppedAt;
    scan.on('progress', ({ done, total }) => { if (current()) this.analysis.motionScanState({ done, total, stoppedAt }); });
    scan.on('done', ({ frames }) => { if (current()) this.analysis.motionScanState({ done: frames, total: frames, sent: true }); });
    const failed = (frame, message) => {
      if (!current() || stoppedAt !== undefined) return;
      stoppedAt = frame;
      this.#motionScanFailed(scan, frame, message);
    };
    scan.on('error', ({ frame, message }) => failed(frame, message));
    scan.start().catch((err) => {
      failed(scan.progress.done, `frame ${scan.progress.done} of the video could not be read for the motion scan (${err?.message ?? err})`);
    });
    this.analysis.motionScanState(scan.progress);
  }

  /** Said as the element's non-fatal error and in its alert box; what is annotated is not touched. */
  #motionScanFailed(scan, frame, message) {
    const { done, total } = scan.progress;
    this.analysis.motionScanState({ done, total, stoppedAt: frame });
    const text = `The motion scan stopped: ${message}, so the Motion strip has no cuts or jerks for this video (${done} of ${total} frames measured); the annotations are unchanged.`;
    this.session.showError(text, false);
    this.#emit('error', { code: ErrorCode.MotionScanFailed, message: text, fatal: false });
  }

  /** The element is gone: its worker and any motion scan's hidden video stop. */
  close() {
    this.#motionScan?.dispose();
    this.#motionScan = null;
    this.session.close();
  }

  /** Positions per second of the annotation timebase (time-base.js). */
  timelineRate() { return timelineRate(this.session.info?.sampleRate, this.playback.video); }

  /** The strips' boxes may have changed size: their canvases are sized again and redrawn. */
  layout() {
    this.strip.layout();
    this.analysis.layout();
    this.playback.filmstrip?.invalidate();
    this.scheduler.invalidate();
  }

  /** Vertical zoom of the main waveform. */
  setAmplitude(value) {
    if (this.strip.setAmplitude(value)) this.scheduler.invalidate('main');
  }

  showSpectrogram(on) {
    this.spectrogram.shown = on;
    this.layout();
  }

  setSpectrogramOptions(options) {
    this.spectrogram.options = options;
    this.scheduler.invalidate('spectrogram');
  }

  /** The toolbar's zoom buttons, the strips' controls, the gestures and the media element's events, kept in `subs`. */
  connect(subs) {
    const p = this.#p;
    this.viewport.connect(subs);
    this.playback.connect(subs);
    this.session.connect(subs);
    this.spectrogram.connect(subs);
    this.analysis.connect(subs);
    subs.listen(p.zoomIn, 'click', () => this.viewport.zoomBy(2));
    subs.listen(p.zoomOut, 'click', () => this.viewport.zoomBy(0.5));
    subs.listen(p.zoomFit, 'click', () => this.viewport.zoomTo(0, this.session.duration));
  }
}
