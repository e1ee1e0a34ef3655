// SPDX-License-Identifier: MIT
// The <avseg-editor> facade: owns the element's attributes, its public API (delegations to the parts) and its lifecycle.
import { AnnotationSession } from './annotation-session.js';
import { Drafts } from './drafts.js';
import { Subscriptions } from './emitter.js';
import { Selection } from './selection.js';
import { Input } from './input.js';
import { Transport } from './transport.js';
import { HelpOverlay } from './help-overlay.js';
import { adoptStyles, buildShadow } from './element-markup.js';
import { takePresetProperties } from './upgrade-properties.js';
import { MediaSide } from './media-side.js';
import { modelWasmVia } from './model.js';
import { wasmVia } from './wasm-script.js';

// How long a removed editor may wait to be put back before it lets go of its worker and draft lock.
const FREE_AFTER_MS = 500;

export class AvsegEditor extends HTMLElement {
  static observedAttributes = ['src'];

  // First of the fields: what the page set before the class was defined, before fields overwrite it.
  #restorePresets = takePresetProperties(this, Object.getPrototypeOf(this));
  #focusDefaulted = false;

  #parts = {};
  #media = null;          // load, playback, view, renders and strips (media-side.js)
  #resizeObserver = null;
  #session = null;        // the annotation model, its transactions and its events (annotation-session.js)
  #drafts = null;         // the task's draft: lock, restore, discard (drafts.js)
  #subs = new Subscriptions(); // every part's DOM listeners while connected
  #freeing = 0;           // the timer that frees a removed editor's worker and draft lock
  #freed = false;
  #selection = null;      // selected segment/tracks, recording, lanes, list, panel, track controls (selection.js)
  #input = null;          // keys, and the lanes'/list's/toolbar's gestures as edits (input.js)

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
    this.#selection = new Selection(this.#parts, this.#session, {
      ready: () => this.#ready, hasMedia: () => Boolean(this.#info), duration: () => this.#duration, view: () => this.#view,
      rate: () => this.#timelineRate(), video: () => this.#video, currentTime: () => this.currentTime, paused: () => this.#parts.media.paused,
      play: () => this.play(), playSpan: (start, end, loop) => this.playSpan(start, end, loop),
      reveal: (start, end) => this.#media.viewport.reveal(start, end), reactionTime: () => this.reactionTime,
    });
    this.#selection.on('select', ({ segment }) => this.#emit('select', { segment }));
    this.#input = new Input(this, this.#session, this.#selection, new HelpOverlay(this.#parts, this), {
      paused: () => this.#parts.media.paused, video: () => this.#video, rate: () => this.#timelineRate(), scroll: (fraction) => this.#media.viewport.scrollBy(fraction),
      transport: new Transport(this, this.#parts),
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

  get duration() { return this.#media.session.duration; }
  /** True from the `ready` event on: the media is decoded and the annotations are in place. */
  get ready() { return this.#media.session.announced; }
  /** Where the media core runs: 'worker', 'classic-worker', 'page' (no worker could start) or null. */
  get coreThread() { return this.#media.session.coreThread; }
  /** How the wasm came: 'fetch', or 'script' when a refused fetch was got around (wasm-script.js); null before. */
  get wasmVia() { return wasmVia(modelWasmVia(), this.#media.session.coreWasmVia); }
  get sampleRate() { return this.#info?.sampleRate ?? 0; }
  get channels() { return this.#info?.channels ?? 0; }

  get currentTime() { return this.#media.playback.currentTime; }
  set currentTime(t) { this.#media.playback.currentTime = t; }

  /** Silences the editor's sound (a comparison hears one clip at a time); `volume` is 0..1. */
  get muted() { return this.#media.playback.muted; }
  set muted(on) { this.#media.playback.muted = on; }
  get volume() { return this.#media.playback.volume; }
  set volume(v) { this.#media.playback.volume = v; }
  /** A factor on `playbackRate` that a comparison uses to keep this clip in step (1: none). */
  set rateNudge(f) { this.#media.playback.rateNudge = f; }

  get playbackRate() { return this.#media.playback.playbackRate; }
  set playbackRate(rate) { this.#media.playback.playbackRate = rate; }

  /** Vertical zoom of the main waveform: 1 shows full scale; quiet recordings want more. */
  get amplitude() { return this.#media.strip.amplitude; }
  set amplitude(value) { this.#media.setAmplitude(value); }

  get view() { return { ...this.#view }; }
  set view(v) { this.zoomTo(v.start, v.end); }

  play() { return this.#media.playback.play(); }
  pause() { this.#media.playback.pause(); }
  zoomTo(start, end) { this.#media.viewport.zoomTo(start, end); }
  zoomBy(factor, anchor) { this.#media.viewport.zoomBy(factor, anchor); }

  /** Memory figures from the worker (for benchmarks and diagnostics). */
  stats() { return this.#media.session.stats(); }

  /**
   * A fresh URL for the same media (a presigned link signed again after a `link-expired` error):
   * loading, sample-level views and playback go on from it; annotations, the view, undo and the
   * draft stay as they are. Rejects (an Error with `code`) if the worker finds it is another file,
   * and then nothing changes.
   */
  async refreshSource(url) { return this.#media.session.refreshSource(url); }

  /** Plays [start, end] seconds once (or looping until paused). */
  playSpan(start, end, loop = false) { return this.#media.playback.playSpan(start, end, loop); }

  /** The video's frames, or null for audio: {count, times (start of each frame, then the end, seconds), keyFrames}. */
  get frames() { return this.#media.playback.frames; }
  /** The frame on screen (0-based), or -1 (no video, or none shown yet). */
  get frame() { return this.#media.playback.frame; }
  /** The index of the frame shown at `t` seconds of the media (a time within the rounding
   * tolerance of a frame's start is that frame, doc/video.md), or -1. */
  frameAt(t) { return this.#media.playback.frameAt(t); }
  /** Shows frame n: seeks just after its start, never onto a boundary (doc/video.md). */
  seekFrame(n) { this.#media.playback.seekFrame(n); }
  /** Steps the picture by `delta` frames (pausing playback). */
  stepFrame(delta) { this.#media.playback.stepFrame(delta); }

  /** Shows the spectrogram under the waveform (the toolbar's Spectrogram box). */
  get spectrogram() { return this.#media.spectrogram.shown; }
  set spectrogram(on) { this.#media.showSpectrogram(on); }
  /** {windowSize (256..8192), scale ('linear' | 'mel' | 'log'), colorMap ('magma' | 'viridis' | 'grayscale'), minDb, maxDb}. */
  get spectrogramOptions() { return this.#media.spectrogram.options; }

  /** What the analysis found so far (pauses, loudness, pitch, motion; frames and seconds), a copy: doc/element-api.md#analysis. */
  get analysis() { return this.#media.analysis.data.snapshot(this.#media.session.audioStart, (k) => this.#video?.times[k] ?? NaN, this.#video); }
  set spectrogramOptions(options) { this.#media.setSpectrogramOptions(options); }

  // The media side's state, read by the annotation side.
  get #loadId() { return this.#media.session.loadId; }
  get #info() { return this.#media.session.info; }
  get #duration() { return this.#media.session.duration; }
  get #ready() { return this.#media.session.decoded; }
  get #video() { return this.#media.playback.video; }
  get #view() { return this.#media.viewport.view; }

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
  /** Where the task's draft is kept: 'host', 'indexeddb', 'indexeddb-partitioned', 'storage-access', 'memory' (a reload loses it) or null (none). */
  get draftStorage() { return this.#drafts.storage; }
  /** The page's own draft store {load(key), save(key, draft), remove(key)} (async), tried before the browser's; null for none. */
  get draftStore() { return this.#drafts.hostStore; }
  set draftStore(store) { this.#drafts.hostStore = store; }
  /** Deletes the autosaved draft and keeps the editor as it is (its answer was accepted). */
  forgetDraft() { return this.#drafts.forget(); }
  /** Drops the autosaved draft and goes back to what the host gave (pre-annotations or nothing). */
  discardDraft() { return this.#drafts.discard(); }
  /** Resolves once every edit so far is saved in the browser (hosts may await it before leaving). */
  flushDraft() { return this.#drafts.flush(); }

  // ---- selection and recording ----

  /** Drags snap to the cursor and other segments' edges within 6 px (the toolbar's Snap box). */
  get snapping() { return this.#selection.snapping; }
  set snapping(on) { this.#selection.snapping = on; }
  /** The selected segment's id, or null; settable. */
  get selectedSegment() { return this.#selection.selectedSegment; }
  set selectedSegment(id) { this.#selection.selectedSegment = id; }
  /** The first selected track (recording uses all of them); set by clicking its lane. */
  get selectedTrack() { return this.#selection.selectedTrack; }
  set selectedTrack(id) { this.#selection.selectedTrack = id; }
  /** The tracks recording makes segments on; Ctrl+click on a lane or Shift+T adds one. */
  get selectedTracks() { return this.#selection.selectedTracks; }
  set selectedTracks(ids) { this.#selection.selectedTracks = ids; }
  /** Seconds a human needs to react; recorded boundaries are moved this much earlier. */
  reactionTime = 0.15;
  get recording() { return this.#selection.recording; }
  /** Merges the selected segment with the next one on its track (fields joined); returns its id. */
  mergeWithNext() { return this.#selection.mergeWithNext(); }
  /**
   * Begin Recording / Stop Recording on the selected tracks: one segment on each, from begin to
   * stop less the reaction time, made in one undo step. Returns the first segment's id.
   */
  toggleRecording() { return this.#selection.toggleRecording(); }

  // ---- lifecycle ----

  connectedCallback() {
    clearTimeout(this.#freeing);
    // Not in the constructor: an element made by createElement or new must have no attributes.
    if (!this.#focusDefaulted && !this.hasAttribute('tabindex')) this.tabIndex = 0;
    this.#focusDefaulted = true;
    this.#resizeObserver ??= new ResizeObserver(() => this.#layout());
    this.#resizeObserver.observe(this.#parts.wave);
    this.#resizeObserver.observe(this.#parts.overview);
    this.#layout();
    if (!this.#subs.size) this.#connectParts(this.#subs);
    this.#session.ensure();
    if (this.src && (this.#loadId === 0 || this.#freed)) this.#load(this.src);
    this.#freed = false;
  }

  adoptedCallback() {
    // Moved into another document (an iframe's): its sheets from the old one no longer apply.
    adoptStyles(this.shadowRoot);
  }

  disconnectedCallback() {
    this.#subs.releaseAll();
    this.#resizeObserver?.disconnect();
    this.pause();
    // Not put back soon (a move is at once), it is gone: its worker and its task's draft lock go,
    // so that an editor made again for the task takes the draft over. Put back later, it loads again.
    clearTimeout(this.#freeing);
    this.#freeing = setTimeout(() => {
      if (this.isConnected) return;
      this.#freed = true;
      this.#drafts.release();
      this.#media.close();
    }, FREE_AFTER_MS);
  }

  /** Every part's DOM listeners, registered through `subs` so that a disconnect releases them all. */
  #connectParts(subs) {
    this.#media.connect(subs);
    this.#drafts.connect(subs);
    this.#selection.connect(subs);
    this.#input.connect(subs);
  }

  attributeChangedCallback(name, oldValue, value) {
    if (name === 'src' && oldValue !== value && this.isConnected && !this.#media.session.adopting) this.#load(value);
  }

  // ---- the media side (media-side.js) ----

  #load(url) { this.#media.session.load(url); }
  #layout() { this.#media.layout(); }
  #showError(message, fatal = true) { this.#media.session.showError(message, fatal); }
  /** Positions per second of the annotation timebase (time-base.js). */
  #timelineRate() { return this.#media.timelineRate(); }

  /** The media is decoded: the annotations are put in place for it; a saved draft is back before `ready`. */
  #annotate(load) {
    this.#session.setTimebase();
    this.#session.updateMedia();
    this.#selection.refresh();
    return this.#drafts.restore(load);
  }

  #emit(type, detail) {
    // `error` stays at the element, as a media element's does: page-wide reporters listen for script errors on window.
    const outward = type !== 'error';
    this.dispatchEvent(new CustomEvent(type, { detail, bubbles: outward, composed: outward }));
  }

  #changed() {
    this.#emit('change', this.#session.changeDetail());
    this.#emit('validity', { problems: this.#session.store.problems().map((x) => ({ ...x })) });
  }

  // ---- input ----

  #wire() {
    const p = this.#parts;
    this.#media = new MediaSide(p, {
      element: this,
      emit: (type, detail) => this.#emit(type, detail),
      modelReady: () => this.#session.ensure(),
      annotate: (load) => this.#annotate(load),
      // Before the model loads, the config as given: the first load's analysis options are the config's.
      analysisConfig: () => (this.#session.store ? this.#session.store.config() : this.#session.config).analysis ?? null,
    });
    this.#input.useAnalysis(this.#media, p);
    this.#session.on('change', () => this.#media.analysis.configChanged());
    this.#media.session.on('loading', () => this.#drafts.close());
    this.#media.scheduler.on('frame', () => this.#selection.lanes.draw());
  }
}
