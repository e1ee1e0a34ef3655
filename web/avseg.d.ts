// SPDX-License-Identifier: MIT
// Hand-written types for <avseg-editor>. doc/element-api.md describes the same contract.

/**
 * Every code the element reports: in `error` events, in the Errors its methods throw, in
 * refreshSource()'s rejections. The one list is web/src/error-codes.js (the core's codes spelled
 * in wasm/core/MediaError.h); doc/element-api.md's table says what each means.
 */
export type AvsegErrorCode =
  | 'fetch-failed'        // network error or an HTTP error status
  | 'cors-blocked'        // the media server sent no Access-Control-Allow-Origin for this page
  | 'unsupported-format'  // not a container/codec this build decodes
  | 'corrupt-media'       // damaged data (fatal when nothing decodes; otherwise a warning)
  | 'truncated-media'     // shorter than its header declares (warning: what decodes is shown)
  | 'empty-media'         // no bytes, or an audio stream with no samples
  | 'no-audio'            // a video without an audio track
  | 'internal'            // a bug, or the worker could not start
  | 'invalid-config'      // a malformed label config (doc/label-config.md); the message names the key
  | 'invalid-document'    // a malformed annotation document given as `value`
  | 'invalid-value'       // an edit or a method was given a value it cannot take (thrown; an event for a refused edit in the UI)
  | 'refused'             // an edit that breaks a rule (an overlap, too short): thrown, or an event for one made in the UI
  | 'invalid-peaks'       // the `peaks` file could not be used (not fatal)
  | 'invalid-analysis'    // the `analysis` sidecar could not be used (not fatal)
  | 'link-expired'        // a presigned link stopped working after earlier reads (not fatal): give refreshSource() a fresh one
  | 'connection-lost'     // the media server stopped answering after earlier reads (not fatal): retried until it answers
  | 'range-refused'       // refreshSource(): the fresh link is to another file, or its server answers no Range requests
  | 'range-required'      // no Range support and not openable within 256 MiB (an MP4 with its index at the end)
  | 'samples-unavailable' // a view finer than the peaks of a file that was streamed and not kept (warning)
  | 'frames-unavailable'  // a video streamed without being kept: no frame index (warning)
  | 'playback-failed'     // the browser's media element cannot play the file (warning)
  | 'motion-scan-failed'  // a video frame could not be shown for the Motion strip's scan; the message names it (warning)
  | 'not-ready'           // thrown: the media or the annotation model is still loading
  | 'no-media'            // refreshSource(): there is no media (src) to give a fresh link to
  | 'load-failed'         // refreshSource(): the media had failed to load; set src again instead
  | 'superseded'          // refreshSource(): another src was set before the fresh link was checked
  | 'autosave-failed'     // the browser refused to store the draft (warning: submit before leaving)
  | 'draft-in-other-tab'  // another tab holds this task: this one saves no draft (warning)
  | 'draft-unreadable'    // a kept draft could not be loaded; the next change replaces it (warning)
  | 'invalid-draft-days'  // the draft-days attribute is not a positive number (30 days kept)
  | 'drafts-in-memory'    // the browser refuses IndexedDB: drafts are kept in the page's memory only, a reload loses them (warning)
  | 'wasm-refused'        // the page's Content-Security-Policy refuses WebAssembly: script-src needs 'wasm-unsafe-eval' (fatal)
  | 'core-on-page-thread'; // no worker could start (CSP worker-src without blob:, ...): the core runs on the page's thread, which may be slower (warning)

/** What the element's methods throw, and refreshSource() rejects with: an Error saying why. */
export interface AvsegError extends Error {
  code: AvsegErrorCode;
}

export interface AvsegView {
  /** Seconds from the start of the media. */
  start: number;
  end: number;
}

export interface AvsegProgressDetail {
  /** Bytes received (read in place: bytes fetched by Range requests). */
  loadedBytes: number;
  /** 0 when the server sent no Content-Length. */
  totalBytes: number;
  decodedSeconds: number;
  /** Range requests made so far when the file is read in place, else 0. */
  rangeRequests: number;
  /** Of those, the synchronous ones (a read nobody fetched ahead for). */
  syncRequests: number;
}

export interface AvsegReadyDetail {
  /** Exact: decoded frames / sampleRate. */
  duration: number;
  sampleRate: number;
  channels: number;
  /**
   * False when the file was streamed from a server without Range support and was too large to
   * keep: views finer than the peaks are drawn from the peaks (a 'samples-unavailable' warning).
   */
  seekable: boolean;
}

export interface AvsegErrorDetail {
  code: AvsegErrorCode;
  message: string;
  /** false for warnings: the waveform of what could be decoded is still shown. */
  fatal: boolean;
}

export interface AvsegStats {
  /** Bytes held by the core: peak pyramid, undecoded input, seek index, sample cache. */
  coreBytes: number;
  /** Size of the wasm linear memory. */
  wasmHeapBytes: number;
  /** Bytes of a download kept for sample-level views (0 when read in place). */
  keptBytes?: number;
  /** The in-place reader's figures, or null for a download. */
  remote?: { requests: number; syncRequests: number; bytesFetched: number; cachedBytes: number; pinnedBytes: number; multiRange: boolean | null } | null;
}

/** The annotation document: doc/annotation-format.md. */
export interface AvsegDocument {
  format: 'avseg.annotation';
  version: number;
  taskId: string;
  media: Record<string, unknown>;
  timebase: { rate: number; frames: number };
  tracks: { id: string; category: string; tag: string; allowOverlap: boolean; minLength: number }[];
  segments: {
    id: string; track: string;
    /** Exact frame positions: the segment covers [start, end). */
    start: number; end: number;
    startTime: number; endTime: number;
    fields: Record<string, unknown>;
  }[];
  classifications: Record<string, unknown>;
}

export interface AvsegProblem {
  /** Segment id, or '' for a track or a classification. */
  segment: string;
  track: string;
  /** Field or classification name, or ''. */
  field: string;
  message: string;
}

export interface AvsegSegmentChanges {
  start?: number;
  end?: number;
  track?: string;
  /** A field set to null is cleared. */
  fields?: Record<string, unknown>;
}

export interface AvsegSpectrogramOptions {
  windowSize?: 256 | 512 | 1024 | 2048 | 4096 | 8192;
  scale?: 'linear' | 'mel' | 'log';
  colorMap?: 'magma' | 'viridis' | 'grayscale';
  minDb?: number;
  maxDb?: number;
}

/** A video's frames, from the container's own timestamps. */
export interface AvsegFrames {
  count: number;
  /** Start of each frame in media seconds, then the end of the last one (count + 1 values). */
  times: Float64Array;
  /** 1 for each key frame. */
  keyFrames: Uint8Array;
  width: number;
  height: number;
  codec: string;
}

/**
 * The element's events (doc/element-api.md, Events). `error` does not bubble and is not composed,
 * like a media element's: listen on the element. The others but the `avseg-` diagnostics bubble and
 * are composed, so a listener on a parent, on `document` or on the host of an enclosing shadow root hears them.
 */
/** A draft as the element saves it: keep it as it is. */
export interface AvsegDraft {
  text: string;
  savedAt: number;
  expiresAt?: number;
  base?: { doc: string | null; time: number | null };
}

/** A store the page gives for the element's drafts (`editor.draftStore`); each method may return a promise. */
export interface AvsegDraftStore {
  load(key: string): AvsegDraft | null | undefined | Promise<AvsegDraft | null | undefined>;
  save(key: string, draft: AvsegDraft): void | Promise<void>;
  remove(key: string): void | Promise<void>;
  /** Named in the element's line: "Drafts: <description>." */
  description?: string;
}

/** What the analysis found so far (doc/element-api.md#analysis): frames of the audio, and the media's seconds; a copy. */
export interface AvsegAnalysis {
  pauses?: {
    sampleRate: number; speechLevelDb: number; thresholdDb: number; minDuration: number; final: boolean; from: 'core' | 'sidecar';
    spans: Array<{ start: number; end: number; startTime: number; endTime: number }>;
  };
  loudness?: {
    sampleRate: number; stepFrames: number; integrated: number | null; range: number | null; final: boolean; from: 'core' | 'sidecar';
    momentary: Float32Array; shortTerm: Float32Array; jumps: Array<{ frame: number; time: number; from: number; to: number }>;
  };
  /** hz: one value a hop (value g at frame g·hop); 0 unvoiced, NaN not computed yet. */
  pitch?: { sampleRate: number; hop: number; floorHz: number; ceilingHz: number; final: boolean; from: 'core' | 'sidecar'; hz: Float32Array };
  /** Per video frame; cuts and jerks by frame index with the frame's start time. */
  motion?: {
    frames: number; final: boolean; from: 'core' | 'sidecar'; motion: Float32Array;
    cuts: Array<{ frame: number; time: number }>; jerks: Array<{ frame: number; time: number }>;
  };
}

export interface AvsegEditorEventMap extends Omit<HTMLElementEventMap, 'error' | 'progress' | 'timeupdate'> {
  progress: CustomEvent<AvsegProgressDetail>;
  ready: CustomEvent<AvsegReadyDetail>;
  /** A problem (`fatal`) or a warning. Stays at the element: it does not reach `window` or a parent's bubbling listener. */
  error: CustomEvent<AvsegErrorDetail>;
  timeupdate: CustomEvent<{ currentTime: number }>;
  viewchange: CustomEvent<AvsegView>;
  change: CustomEvent<{ value: AvsegDocument }>;
  validity: CustomEvent<{ problems: AvsegProblem[] }>;
  select: CustomEvent<{ segment: string | null }>;
  /** A draft saved by an earlier visit was restored (before `ready`). */
  restored: CustomEvent<{ savedAt: number; value: AvsegDocument }>;
  /** The annotator chose between a kept draft and the host's value (epoch ms; null: time unknown). */
  draftchoice: CustomEvent<{ choice: 'draft' | 'host'; draftSavedAt: number; answerSavedAt: number | null }>;
  /** The browser answered the Storage Access API request made on the annotator's first gesture (drafts were in memory). */
  storageaccess: CustomEvent<{ granted: boolean; reason?: string }>;
  /** Precomputed peaks (the `peaks` attribute) are drawn, before the file is decoded. */
  peaks: CustomEvent<{ duration: number; sampleRate: number; channels: number }>;
  /** A video's frame index is known (before `ready`). */
  frames: CustomEvent<{ count: number; width: number; height: number; codec: string }>;
  /** Another frame is on screen (from requestVideoFrameCallback). */
  framechange: CustomEvent<{ frame: number; time: number }>;
  /** The analysis of a kind arrived or changed (read `analysis`). */
  analysis: CustomEvent<{ kind: 'pauses' | 'energy' | 'loudness' | 'pitch' | 'motion' }>;
  /** Diagnostic, not bubbling: a main-view frame was painted. */
  'avseg-rendered': CustomEvent<{ fromSamples: boolean }>;
  /** Diagnostic, not bubbling: a spectrogram frame was painted. */
  'avseg-spectrogram': CustomEvent<{ fromSamples: boolean }>;
}

export declare class AvsegEditor extends HTMLElement {
  static readonly observedAttributes: string[];
  /** Media URL; setting it (property or attribute) starts loading. */
  src: string;
  /** Seconds; while loading, the container's estimate or what has decoded so far. */
  readonly duration: number;
  /** Seconds; settable (seeks). */
  currentTime: number;
  /** 0.25 to 4, pitch preserved. */
  /** Silences the editor's sound (a comparison hears one clip at a time). */
  muted: boolean;
  /** 0..1. */
  volume: number;
  /** A factor on `playbackRate` (the rate box stays as it is): a comparison keeps a muted clip in step with it. */
  set rateNudge(factor: number);
  playbackRate: number;
  /** The visible window; settable, clamped to the media and the deepest zoom. */
  view: AvsegView;
  readonly sampleRate: number;
  readonly channels: number;
  /** Vertical zoom of the main waveform, 0.25 to 1000 (1 = full scale fills the height). */
  amplitude: number;
  play(): Promise<void>;
  pause(): void;
  /** Shows [start, end] seconds. */
  zoomTo(start: number, end: number): void;
  /** factor > 1 zooms in, < 1 out, around `anchor` seconds (default: the cursor if visible, else the centre). */
  zoomBy(factor: number, anchor?: number): void;
  stats(): Promise<AvsegStats>;
  /**
   * A fresh URL for the same media (after a `link-expired` error): loading, sample-level views and
   * playback go on from it, at the same time and playing or paused as before; annotations, view,
   * undo history and draft are untouched. Rejects with an Error whose `code` says why, and then
   * nothing changes: 'range-refused' (another file, or a server without Range support),
   * 'link-expired' or 'fetch-failed' (the fresh link is refused too, or unreachable),
   * 'invalid-value', 'no-media', 'load-failed', 'superseded' (another src was set meanwhile).
   */
  refreshSource(url: string): Promise<void>;

  /** True from the `ready` event on (media decoded, annotations in place); false while loading or after a failure. */
  readonly ready: boolean;
  /**
   * Where the media core runs: 'worker' (a module Web Worker), 'classic-worker' (a classic one,
   * where module workers are refused, as in a frame sandboxed without allow-same-origin), 'page'
   * (no worker could start, as under a Content-Security-Policy whose worker-src refuses blob:;
   * the page may be slower, and a 'core-on-page-thread' warning says why), or null before the
   * core started (no media yet, or starting).
   */
  readonly coreThread: 'worker' | 'classic-worker' | 'page' | null;
  /**
   * How the wasm modules came: 'fetch' (both .wasm files fetched), 'script' (a fetch was refused
   * by the page's connect-src or by CORS, as for a sandboxed frame's Origin: null, so that module's
   * bytes came from its script variant, dist/FILE.wasm.js, which needs neither), or null until
   * both are loaded.
   */
  readonly wasmVia: 'fetch' | 'script' | null;
  /** Shows the spectrogram under the waveform (the toolbar's Spectrogram box; off by default). */
  spectrogram: boolean;
  /** Its settings; unknown values fall back to the defaults (2048, 'mel', 'magma', -100, 0). */
  spectrogramOptions: AvsegSpectrogramOptions;
  /** What the analysis found so far (the `analysis` attribute names a precomputed file): pauses, loudness, pitch, motion. */
  readonly analysis: AvsegAnalysis;
  /** A video's frame index, or null for audio. */
  readonly frames: AvsegFrames | null;
  /** The frame on screen (0-based), or -1. */
  readonly frame: number;
  /** The frame shown at `t` media seconds (within min(0.5 ms, a quarter of the shortest frame) of a frame's start counts as it: browsers round frame times), or -1. */
  frameAt(t: number): number;
  /** Shows frame n (0-based), seeking inside its display interval. */
  seekFrame(n: number): void;
  /** Pauses and steps the picture by `delta` frames (keys Shift+← →). */
  stepFrame(delta: number): void;
  /** The label config (doc/label-config.md). A malformed one is refused: an `error` event (invalid-config) names the key. */
  config: Record<string, unknown>;
  /** The annotation document, always current; setting it loads pre-annotations (invalid-document if malformed). */
  value: AvsegDocument | null;
  /** The host's task id, written into the document. */
  taskId: string;
  /** Scopes autosaved drafts (the labeling job): a draft saved under another scope is not restored. */
  draftScope: string;
  /** When the host's `value` was saved (ISO 8601, Date or epoch ms), shown if a kept draft competes with it. */
  valueTime: string | number | Date | null;
  /** The selected segment's id, or null. */
  selectedSegment: string | null;
  /** Drags on the lanes snap to the cursor and other segments' edges within 6 px (default true). */
  snapping: boolean;
  /** The first selected track; setting it selects that track alone. */
  selectedTrack: string | null;
  /** The tracks recording makes segments on (click a lane; Ctrl+click or Shift+T adds one). */
  selectedTracks: string[];
  /** Seconds recorded boundaries are moved earlier, for the annotator's reaction time (default 0.15). */
  reactionTime: number;
  readonly recording: boolean;
  /** Begin Recording / Stop Recording on the selected tracks (key R), one segment on each in one undo step; returns the first new segment's id on stop. */
  toggleRecording(): string | null;
  /** Another tool's segments as a document to set as `value` (pre-annotations to review), from the file's text, bytes or Blob (doc/exports.md). */
  importAs(format: 'audacity' | 'textgrid' | 'eaf' | 'vtt', file: string | ArrayBuffer | ArrayBufferView | Blob, options?: { category?: string; tag?: string; rate?: number; skipInvalid?: boolean; pointDuration?: number; onWarning?: (message: string) => void }): Promise<AvsegDocument>;
  /** The annotations in another tool's format (doc/exports.md); options.track: one track's Audacity labels. */
  exportAs(format: 'jsonl' | 'vtt' | 'srt' | 'audacity' | 'textgrid' | 'eaf' | 'rttm' | 'csv', options?: { track?: string }): string;
  /** Merges the selected segment with the next one on its track (key M); returns its id, or null. */
  mergeWithNext(): string | null;
  /** Plays [start, end] seconds once, or looping until paused. */
  playSpan(start: number, end: number, loop?: boolean): Promise<void>;
  /** Edits below throw an Error (with `code`) saying why when refused, and then change nothing (no `change` event); each is all or nothing, one undoable step, one `change`. */
  addTrack(category: string, tag: string): string;
  /** Seconds in; exact frame positions stored. */
  addSegment(trackId: string, start: number, end: number, fields?: Record<string, unknown>): string;
  updateSegment(id: string, changes: AvsegSegmentChanges): string;
  removeSegment(id: string): string;
  removeTrack(id: string): string;
  setClassification(name: string, value: unknown): string;
  undo(): boolean;
  redo(): boolean;
  /** What blocks submitting; empty when complete. */
  validate(): AvsegProblem[];
  /** Resolves once every edit so far is saved in the browser (IndexedDB, keyed by draftScope, taskId and src). */
  flushDraft(): Promise<void>;
  /** Drops the autosaved draft and goes back to the host's value (pre-annotations or nothing). */
  discardDraft(): Promise<void>;
  /** Deletes the autosaved draft and keeps the editor as it is (its answer was accepted). */
  forgetDraft(): Promise<void>;
  /** True while the annotator has not chosen between a kept draft and the host's value. */
  readonly draftChoicePending: boolean;
  /**
   * Where the task's draft is kept: 'host' (the page's draftStore), 'indexeddb' (survives a
   * reload), 'indexeddb-partitioned' (a cross-site frame's partition: survives a reload in this
   * portal only), 'storage-access' (the site's own storage, granted by the Storage Access API on the
   * annotator's first gesture), 'memory' (nothing else offered, as in an opaque-origin frame: only
   * while the page stays open; a 'drafts-in-memory' warning says so) or null (no draft kept:
   * autosave="off", another tab holds the task, or the media is not ready yet).
   */
  readonly draftStorage: 'host' | 'indexeddb' | 'indexeddb-partitioned' | 'storage-access' | 'memory' | null;
  /**
   * The page's own draft store, tried before the browser's (null: none). Set it before the media
   * is ready to have a kept draft restored from it.
   */
  draftStore: AvsegDraftStore | null;

  addEventListener<K extends keyof AvsegEditorEventMap>(
    type: K, listener: (this: AvsegEditor, ev: AvsegEditorEventMap[K]) => unknown, options?: boolean | AddEventListenerOptions): void;
  addEventListener(type: string, listener: EventListenerOrEventListenerObject, options?: boolean | AddEventListenerOptions): void;
  removeEventListener<K extends keyof AvsegEditorEventMap>(
    type: K, listener: (this: AvsegEditor, ev: AvsegEditorEventMap[K]) => unknown, options?: boolean | EventListenerOptions): void;
  removeEventListener(type: string, listener: EventListenerOrEventListenerObject, options?: boolean | EventListenerOptions): void;
}

/**
 * Serves the worker and wasm files from `url`, a folder holding the package's dist/ files (copied
 * there by the host's build), instead of beside the element's modules; null goes back to that.
 * Call it before the first element loads media or a config. For files served apart from the code
 * (a CDN); Vite and webpack 5 bundle the worker and wasm themselves; README "Using the element".
 */
export declare function setAssetBase(url: string | URL | null): void;

/**
 * The element's pure view and ruler math (web/src/layout.js), for hosts drawing their own
 * timeline beside it: times in seconds, x in CSS pixels of a strip `widthPx` wide.
 */
export declare namespace layout {
  /** Fewest device pixels a single sample may span at the deepest zoom. */
  const MAX_PIXELS_PER_SAMPLE: number;
  /** The narrowest span (s) the view may show at this width and sample rate. */
  function minSpan(widthPx: number, sampleRate: number): number;
  /** `view` kept inside [0, duration] and at least `minimum` wide, its centre kept where it can be. */
  function clampView(view: AvsegView, duration: number, minimum: number): AvsegView;
  /** Zoomed by `factor` (>1 zooms in), the time `anchor` staying at the same place on screen. */
  function zoomAround(view: AvsegView, factor: number, anchor: number, duration: number, minimum: number): AvsegView;
  function scrollView(view: AvsegView, seconds: number, duration: number, minimum: number): AvsegView;
  function timeToX(t: number, view: AvsegView, widthPx: number): number;
  function xToTime(x: number, view: AvsegView, widthPx: number): number;
  /** Ruler ticks: the smallest step keeping labels `minLabelPx` apart (default 90); minor ticks at a fifth of it. */
  function rulerTicks(view: AvsegView, widthPx: number, minLabelPx?: number):
    { step: number; ticks: { t: number; x: number; major: boolean; label: string }[] };
  /** Decimals a label needs for ticks `step` seconds apart (0 to 5). */
  function decimalsFor(step: number): number;
  /** h:mm:ss.fff (hours only when needed), never rounded up; `decimals` defaults to 3. */
  function formatTime(seconds: number, decimals?: number): string;
  /** The scrollbar thumb of `view` in a track `trackPx` wide (thumb at least `minThumbPx`, default 16). */
  function thumb(view: AvsegView, duration: number, trackPx: number, minThumbPx?: number): { left: number; width: number };
  /** Seconds from h:mm:ss.fff, m:ss.fff or plain seconds; NaN when the text is not a time. */
  function parseTime(text: string): number;
}

/** A clip of a comparison, in manifest order. */
export interface AvsegCompareClip {
  src: string;
  /** The system that made it; distinct within a comparison; hidden while blind. */
  system: string;
  /** A precomputed peaks file (as the editor's `peaks` attribute). */
  peaks?: string;
  /** A precomputed analysis sidecar (as the editor's `analysis` attribute; doc/analysis-format.md). */
  analysis?: string;
  /** The clip's name in the answer (the manifest's source-ref) when `src` is a presigned address; default `src`. */
  source?: string;
}

/** A problem of a comparison: `path` names the key in manifest order (doc/comparison-format.md). */
export interface AvsegComparisonProblem {
  path: string;
  message: string;
}

/** The comparison document v1 (doc/comparison-format.md "Comparison document"). */
export interface AvsegComparison {
  format: 'avseg-comparison';
  version: 1;
  prompt: string | null;
  taskId: string | null;
  annotator: string | null;
  blind: boolean;
  seed: string | null;
  /** order[k]: the manifest index of the clip shown at position k (A, B, ...). */
  order: number[];
  clips: {
    system: string;
    source: string;
    shownAs: 'A' | 'B' | 'C' | 'D';
    annotation: AvsegDocument | null;
    ratings: Record<string, number>;
    heardMs: number;
  }[];
  judgement:
    | { type: 'preference'; cmos: number | null; shownCmos: number | null; preferred: 0 | 1 | null; reason?: string | null }
    | { type: 'ranking'; ranks: (number | null)[]; reason?: string | null }
    | null;
  timings: { openedAt: string | null; submittedAt: string | null; switches: number; loops: number };
}

export interface AvsegSwitchDetail {
  /** Shown positions (0 = A). */
  from: number;
  to: number;
  /** Seconds: the previously heard clip's position at the switch, where the newly heard one goes on. */
  time: number;
  /** How far the newly heard clip was from the previous one at the switch, before any correction (ms; positive: ahead). */
  offsetMs: number;
}

export interface AvsegCompareEventMap extends Omit<HTMLElementEventMap, 'error' | 'change'> {
  ready: CustomEvent<{ order: number[]; seed: string }>;
  switch: CustomEvent<AvsegSwitchDetail>;
  change: CustomEvent<{ source: 'clip' | 'panel' | 'restore' }>;
  /** A clip's error (its message begins "clip A: ", `position` its shown position) or the comparison's own. */
  error: CustomEvent<AvsegErrorDetail & { position?: number }>;
}

/**
 * <avseg-compare>: 2 to 4 clips of one prompt, one <avseg-editor> each on a shared time axis in
 * the blind order, one transport, the ratings and judgement panel (doc/element-api.md "Comparisons").
 * Attributes: config, annotator, task-id, seed, blind. Imported from 'avseg/compare'.
 */
export declare class AvsegCompare extends HTMLElement {
  /** The label config with its "comparison" key (the `config` attribute holds it as JSON). */
  config: Record<string, unknown> | null;
  annotator: string;
  readonly taskId: string;
  /** False with blind="false" or a config saying "blind": false: the systems are named. */
  readonly blind: boolean;
  /** The shown position heard (0 = A). */
  readonly active: number;
  /** order[k]: the manifest index of the clip shown at position k. */
  readonly order: number[];
  readonly seed: string;
  /** The <avseg-editor> of each shown position. */
  readonly editors: AvsegEditor[];
  readonly playing: boolean;
  /** The heard clip's position (seconds); setting it moves every clip. */
  currentTime: number;
  /** The shared view; setting it moves every clip. */
  view: AvsegView;
  /** The panel's answers as set, by shown position. */
  readonly panelValue: { ratings: Record<string, number | null>[]; judgement: object } | null;
  /** Shows the clips (manifest order) in this annotator's and task's blind order; resolves once all are ready. */
  setClips(clips: AvsegCompareClip[], options?: { prompt?: string | null; taskId?: string }): Promise<void>;
  /** The clip at shown position `position` is heard from now, at the same position, without stopping. */
  switchTo(position: number): AvsegSwitchDetail | null;
  playAll(): Promise<void>;
  play(): Promise<void>;
  pause(): void;
  /** Plays [start, end] seconds on each clip in turn (A, B, A, B ...) until paused. */
  loop(start: number, end: number): Promise<void>;
  /** Steps the heard clip's picture by `delta` frames; every other clip shows the frame at that time. */
  stepFrame(delta: number): void;
  zoomTo(start: number, end: number): void;
  /** The comparison document, always current. */
  getComparison(): AvsegComparison;
  /**
   * Puts an earlier answer of these clips back (matched by system and source): each clip's marks,
   * the ratings, the judgement and the reason, shown in the document's order with its seed. A
   * document of other clips rejects (a ComparisonError naming the key) and changes nothing.
   */
  restore(doc: AvsegComparison): Promise<void>;
  /** What blocks submitting, empty when complete. */
  problems(): AvsegComparisonProblem[];
  /** Shows the problems beside their controls and focuses the first; returns them. */
  focusFirstProblem(problems?: AvsegComparisonProblem[]): AvsegComparisonProblem[];
  flushDraft(): Promise<void>;
  forgetDraft(): Promise<void>;
  addEventListener<K extends keyof AvsegCompareEventMap>(
    type: K, listener: (this: AvsegCompare, ev: AvsegCompareEventMap[K]) => unknown, options?: boolean | AddEventListenerOptions): void;
  addEventListener(type: string, listener: EventListenerOrEventListenerObject, options?: boolean | AddEventListenerOptions): void;
  removeEventListener<K extends keyof AvsegCompareEventMap>(
    type: K, listener: (this: AvsegCompare, ev: AvsegCompareEventMap[K]) => unknown, options?: boolean | EventListenerOptions): void;
  removeEventListener(type: string, listener: EventListenerOrEventListenerObject, options?: boolean | EventListenerOptions): void;
}
/** The element's interface, as the brief names it. */
export type AvsegCompareElement = AvsegCompare;

declare global {
  interface HTMLElementTagNameMap {
    'avseg-editor': AvsegEditor;
    'avseg-compare': AvsegCompare;
  }
}
