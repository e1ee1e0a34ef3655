// SPDX-License-Identifier: MIT
// The media core's wasm module (dist/avseg-core.js, wasm/bindings/Bindings.cpp), as the worker
// uses it: a Session per load (decode, peaks, renders), VideoIndex for a video's frames, ReadPlan
// for the bytes of an MP4 worth fetching. Numbers past 2^53 (frames, bytes) cross as doubles.
// tests/wasm/types.test.mjs checks this file against the module itself.

import type { AvsegErrorCode } from './avseg.js';

/** Every call that can fail answers this shape: code 'none' and message '' when ok. */
export interface BindingResult {
  ok: boolean;
  code: AvsegErrorCode | 'none' | 'no-video';
  message: string;
}

/** What every object made by the module has (Embind): the C++ object is freed by delete() only. */
export interface EmbindHandle {
  /** Frees the C++ object; the JS object is unusable after it. */
  delete(): void;
  isDeleted(): boolean;
  /** A second handle to the same C++ object (each must be deleted). */
  clone(): this;
  isAliasOf(other: unknown): boolean;
  /** Deletes it once the current task is done (needs the module's setDelayFunction: unused). */
  deleteLater(): this;
}

/** A pump's result: state 0 wants bytes, 1 is decoding, 2 is done, -1 failed (ok false). */
export interface Status extends BindingResult {
  state: -1 | 0 | 1 | 2;
}

/** What the decode has found out so far. */
export interface Info {
  format: string;
  codec: string;
  sampleRate: number;
  channels: number;
  /** Frames (samples per channel) decoded so far; all of them once done. */
  frames: number;
  /** The container's duration in seconds, -1 if it gives none. */
  declaredDuration: number;
  /** The audio stream's start in seconds (a video's audio may start late). */
  startTime: number;
  bytesReceived: number;
  hasVideo: boolean;
}

/** A waveform view: frames [startFrame, startFrame + width x framesPerPixel) on width x height pixels. */
export interface View {
  startFrame: number;
  framesPerPixel: number;
  width: number;
  height: number;
  /** Colours as 0xAABBGGRR (the bytes R, G, B, A in memory). */
  background: number;
  wave: number;
  axis: number;
  sampleDot: number;
  /** Vertical zoom: 1 fits full scale. */
  amplitude: number;
}

export type FrequencyScale = 'linear' | 'mel' | 'log';
export type ColorMap = 'magma' | 'viridis' | 'grayscale';

export interface SpectrogramView {
  startFrame: number;
  framesPerPixel: number;
  width: number;
  height: number;
  /** FFT window, samples (a power of two). */
  windowSize: number;
  scale: FrequencyScale | string;
  colorMap: ColorMap | string;
  minDb: number;
  maxDb: number;
  /** 0: from 0 Hz; maxHz 0: up to half the sample rate. */
  minHz: number;
  maxHz: number;
}

/** A waveform render into pixels(). */
export interface Rendered extends BindingResult {
  /** Drawn from decoded samples rather than the peaks. */
  fromSamples: boolean;
  /** Samples were decoded for it (not only read from the cache). */
  decoded: boolean;
  /** The peak pyramid level drawn from. */
  level: number;
}

export interface SpectrogramRendered extends BindingResult {
  /** false: no seekable copy yet, only the floor colour was drawn. */
  fromSamples: boolean;
  tilesComputed: number;
  tilesReused: number;
}

/** A peaks file read (Session.seedPeaksFile): its header, or code 'invalid-peaks' and why. */
export interface PeaksRead extends BindingResult {
  version: number;
  bits: number;
  channels: number;
  sampleRate: number;
  samplesPerPixel: number;
  /** Pixels. */
  length: number;
}

/** A problem the decode met and got past (a damaged packet, a gap). */
export interface MediaProblem {
  code: AvsegErrorCode;
  message: string;
}

/** The energy envelope (Session.energy): the level of each block of `hop` frames, about a millisecond. */
export interface Energy {
  sampleRate: number;
  hop: number;
  /** dBFS per block (mean square of the channels' mean; -150 for digital silence). */
  levels: Float32Array;
}

/** EBU R128 loudness (Session.loudness), or why it failed. */
export interface Loudness extends BindingResult {
  sampleRate: number;
  /** Value i is the window ending at frame (i + 1) x stepFrames (100 ms). */
  stepFrames: number;
  /** LUFS per step: 400 ms windows, and 3 s windows. */
  momentary: Float32Array;
  shortTerm: Float32Array;
  /** Gated integrated loudness (LUFS) and loudness range (LU); null when nothing passes the gates. */
  integrated: number | null;
  range: number | null;
  /** Where momentary loudness rose or fell by at least the LU asked for. */
  jumps: { frame: number; from: number; to: number }[];
}

/** Pauses found (Session.pauses): frames [start, end), end exclusive. */
export interface Pauses extends BindingResult {
  sampleRate: number;
  /** The file's speech level (dBFS) the threshold is relative to. */
  speechLevelDb: number;
  thresholdDb: number;
  minDuration: number;
  pauses: { start: number; end: number }[];
}

/** F0 on a grid (Session.pitch): value i is centred on frame (firstIndex + i) x hop; hz 0 where unvoiced. */
export interface Pitch extends BindingResult {
  hop: number;
  firstIndex: number;
  hz: Float32Array;
  /** 1 - YIN's aperiodicity, in [0, 1]. */
  clarity: Float32Array;
}

/** A boundary snapped (Session.snap): where it goes and to what; kind null when nothing was in reach. */
export interface Snapped {
  frame: number;
  kind: 'pause' | 'energy' | 'zero' | null;
}

/** A pitch range in Hz (speakerPitchRange). */
export interface PitchRange {
  floorHz: number;
  ceilingHz: number;
}

/** Motion.result(): per frame the mean absolute luma difference to the one before, cuts and jerks (frame indices). */
export interface MotionResult {
  frames: number;
  motion: Float32Array;
  cuts: number[];
  jerks: number[];
}

/** Reads [position, position + length) of the file; fewer bytes (none) where it cannot. */
export type ReadFunction = (position: number, length: number) => Uint8Array;

/** One media being decoded: bytes pushed in (or read in place), peaks, renders. */
export declare class Session implements EmbindHandle {
  constructor();
  /** The next bytes of a streamed file (copied). */
  push(bytes: Uint8Array): void;
  /** No more bytes will be pushed. */
  finish(): void;
  /** Decodes at most maxPackets packets. */
  pump(maxPackets: number): Status;
  info(): Info;
  opened(): boolean;
  /** Bytes pushed but not decoded yet. */
  bytesAhead(): number;
  memoryBytes(): number;
  /** Frames per pixel of the peaks' finest level: a finer view needs the file's samples. */
  peaksBaseFrames(): number;
  problems(): MediaProblem[];
  /** The whole file, for reads at any position once a streamed decode is done (state 2 or -1). */
  attachSeekable(read: ReadFunction, size: number): Status;
  /** Decodes from the start through read (HTTP Range requests), nothing pushed. */
  openSeekable(read: ReadFunction, size: number): Status;
  /** A peaks file (audiowaveform's .dat or JSON bytes), drawn until the decode is done. */
  seedPeaksFile(bytes: Uint8Array): PeaksRead;
  /** How the seeded peaks fail to fit the media; '' when they fit or nothing is known yet. */
  peaksMismatch(): string;
  needsDecode(view: View): boolean;
  framesToDecode(view: View): number;
  /** Decodes for at most budgetMs what views after this one likely need; true while more remains. */
  prefetch(view: View, budgetMs: number): boolean;
  /** [start, end) of the bytes render(view, true) will read; [0, 0] when none. */
  bytesFor(view: View): Float64Array;
  bytesForPrefetch(view: View): Float64Array;
  /** decode false: coarser from the peaks now rather than decode samples. */
  render(view: View, decode: boolean): Rendered;
  renderSpectrogram(view: SpectrogramView): SpectrogramRendered;
  /** RGBA of the last render, a view into the module's memory: valid until the next call. */
  pixels(): Uint8Array;
  /** Decoded samples [first, first + count), planar; empty without a seekable copy. */
  samples(first: number, count: number): Float32Array;
  /** The energy envelope of what is decoded so far (a copy). */
  energy(): Energy;
  /** Loudness of what is decoded so far; jumps of at least jumpLu LU. */
  loudness(jumpLu: number): Loudness;
  /** Pauses in what is decoded so far, kept for snap(); exact: edges to the sample from the file (the seekable copy). */
  pauses(thresholdDb: number, minDuration: number, exact: boolean): Pauses;
  /** The pitch grid's hop in frames for these options; 0 before the media is open. */
  pitchHop(floorHz: number, ceilingHz: number, hopSeconds: number): number;
  /** F0 at the grid points centred in [first, first + count), from the seekable copy (empty without one). */
  pitch(first: number, count: number, floorHz: number, ceilingHz: number, hopSeconds: number): Pitch;
  /** `frame` snapped within `radius` frames; kinds: 1 pause edge, 2 energy minimum, 4 zero crossing (bits). */
  snap(frame: number, radius: number, kinds: number): Snapped;
  /** [start, end) of the bytes decoding frames [first, end) reads; [0, 0] when none. */
  bytesForFrames(first: number, end: number): Float64Array;
  delete(): void;
  isDeleted(): boolean;
  clone(): this;
  isAliasOf(other: unknown): boolean;
  deleteLater(): this;
}

/** VideoIndex.open's answer: the video stream's facts, or code 'no-video' / why it failed. */
export interface VideoFacts extends BindingResult {
  width: number;
  height: number;
  codec: string;
  /** Presentation times are in ticks of timeBaseNum / timeBaseDen seconds. */
  timeBaseNum: number;
  timeBaseDen: number;
}

/** The frame index of a complete video file, read through the page's Blob. */
export declare class VideoIndex implements EmbindHandle {
  constructor();
  open(read: ReadFunction, size: number): VideoFacts;
  /** Reads at most maxPackets packets; false once all are read and frames() holds the index. */
  step(maxPackets: number): boolean;
  /** Presentation times of every frame (ticks), then the end of the last one. */
  frames(): Float64Array;
  /** 1 for each key frame, else 0, in frames() order. */
  keyFrames(): Uint8Array;
  delete(): void;
  isDeleted(): boolean;
  clone(): this;
  isAliasOf(other: unknown): boolean;
  deleteLater(): this;
}

export interface ReadPlanState {
  container: 'mp4' | 'unknown';
  done: boolean;
  fragmented: boolean;
  /** The media data lies far from its index: read it by the index, not straight through. */
  hopByHop: boolean;
  /** Why no plan can be made ('' when none). */
  problem: string;
}

/** Which bytes of an MP4 to fetch, in few large batches: ranges as [start, end, start, end, ...]. */
export declare class ReadPlan implements EmbindHandle {
  constructor(size: number);
  feed(start: number, bytes: Uint8Array): void;
  wants(): Float64Array;
  state(): ReadPlanState;
  mediaRanges(): Float64Array;
  indexRanges(): Float64Array;
  delete(): void;
  isDeleted(): boolean;
  clone(): this;
  isAliasOf(other: unknown): boolean;
  deleteLater(): this;
}

/** Motion energy and scene cuts of a video, from small grey pictures of its frames in order. */
export declare class Motion implements EmbindHandle {
  constructor();
  /** `count` pictures of width x height luma bytes, one after another; false (nothing taken) when too short. */
  push(luma: Uint8Array, width: number, height: number, count: number): boolean;
  /** Decides cuts and jerks. */
  finish(): void;
  frames(): number;
  result(): MotionResult;
  delete(): void;
  isDeleted(): boolean;
  clone(): this;
  isAliasOf(other: unknown): boolean;
  deleteLater(): this;
}

export interface AvsegCoreModule {
  Session: typeof Session;
  Motion: typeof Motion;
  /** The speaker's range from a wide pass's hz and clarity (one grid), or the fallback range. */
  speakerPitchRange(hz: Float32Array, clarity: Float32Array, floorHz: number, ceilingHz: number): PitchRange;
  VideoIndex: typeof VideoIndex;
  ReadPlan: typeof ReadPlan;
  /** The rows (0 = top) where these frequencies fall in a spectrogram view; NaN outside it. */
  spectrogramRows(view: SpectrogramView, sampleRate: number, hz: ArrayLike<number>): Float64Array;
}

/** Emscripten's module options the element passes. */
export interface ModuleOptions {
  /** Where the .wasm is, given its file name. */
  locateFile?(file: string, prefix: string): string;
  /** The .wasm's bytes, instead of fetching it (Node). */
  wasmBinary?: ArrayBuffer | Uint8Array;
}

export default function createAvsegCore(options?: ModuleOptions): Promise<AvsegCoreModule>;
