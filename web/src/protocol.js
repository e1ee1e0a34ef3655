// SPDX-License-Identifier: MIT
// The messages between the element (core-client.js) and its worker (worker.js): every type and its shape.
// Both sides name a type by these constants, so that a misspelt one fails when the module loads.

// ---- the element to the worker ----
export const LOAD = 'load';
export const RENDER = 'render';
export const RECYCLE = 'recycle';
export const REFRESH_URL = 'refresh-url';
export const UNLOAD = 'unload';
export const STATS = 'stats';               // both ways: the question and its answer
export const ANALYZE = 'analyze';
export const ANALYSIS_OPTIONS = 'analysis-options';
export const SNAP = 'snap';
export const MOTION_FRAMES = 'motion-frames';

// ---- the worker to the element (each names its load, except `hello` and the answer to `stats`) ----
export const HELLO = 'hello';
export const OPENED = 'opened';
export const PROGRESS = 'progress';
export const PEAKS = 'peaks';
export const FRAMES = 'frames';
export const READY = 'ready';
export const FRAME = 'frame';
export const ERROR = 'error';
export const SOURCE_REFRESHED = 'source-refreshed';
export const SOURCE_RESUMED = 'source-resumed';
export const ANALYSIS = 'analysis';
export const SNAPPED = 'snapped';

export const TO_WORKER = Object.freeze([LOAD, RENDER, RECYCLE, REFRESH_URL, UNLOAD, STATS, ANALYZE, ANALYSIS_OPTIONS, SNAP, MOTION_FRAMES]);
export const FROM_WORKER = Object.freeze([HELLO, OPENED, PROGRESS, PEAKS, FRAMES, READY, FRAME, ERROR, SOURCE_REFRESHED, SOURCE_RESUMED, STATS,
  ANALYSIS, SNAPPED]);

/**
 * A new load replaces the current one (whatever it was doing).
 * @typedef {object} LoadMessage
 * @property {'load'} type
 * @property {number} load                the load's id: every message about it names it
 * @property {string} url                 the media (absolute)
 * @property {number} [rangeThreshold]    files smaller than this are read whole by the first request
 * @property {string|null} [peaks]        a precomputed peaks file (audiowaveform .dat or .json)
 * @property {string|null} [analysis]     a precomputed analysis file (.avsa, doc/analysis-format.md)
 * @property {AnalysisOptions} [analysisOptions]
 */

/**
 * How pauses, pitch and loudness jumps are found (the config's `analysis`, doc/label-config.md).
 * @typedef {object} AnalysisOptions
 * @property {{thresholdDb: number, minDuration: number}} [pauses]   dB relative to the speech level; seconds
 * @property {{floorHz: number, ceilingHz: number, range: 'config'|'speaker'}} [pitch]
 * @property {{jumpLu: number}} [loudness]
 */

/**
 * The core's view of the samples: which, at what scale, into how many pixels, in what style.
 * @typedef {object} RenderView
 * @property {number} startFrame          first sample frame at the left edge
 * @property {number} framesPerPixel
 * @property {number} width
 * @property {number} height
 * @property {number} [amplitude]         vertical zoom of the waveform
 * Besides: the waveform's colours (background, wave, axis, sampleDot) or the spectrogram's options.
 */

/**
 * A frame of `target` wanted; answered by one or more `frame` messages (the last with interim false).
 * @typedef {object} RenderMessage
 * @property {'render'} type
 * @property {number} load
 * @property {number} request             the element's sequence number of the request, given back in its frames
 * @property {'main'|'overview'|'spectrogram'} target
 * @property {RenderView} view
 * @property {number} [received]          set by the worker: when it took the request (ms since the epoch)
 */

/**
 * A frame's pixel buffer, painted: given back (transferred) for a later frame.
 * @typedef {object} RecycleMessage
 * @property {'recycle'} type
 * @property {ArrayBuffer} buffer
 */

/**
 * A fresh URL for the same media of load `load`; answered by `source-refreshed`.
 * @typedef {object} RefreshUrlMessage
 * @property {'refresh-url'} type
 * @property {number} load
 * @property {string} url
 */

/**
 * The current load stops; nothing is loaded.
 * @typedef {object} UnloadMessage
 * @property {'unload'} type
 */

/**
 * Memory and reading figures, answered by a StatsAnswer with the same `request`.
 * @typedef {object} StatsMessage
 * @property {'stats'} type
 * @property {number} request
 */

/**
 * Pitch wanted for frames [startFrame, endFrame) (the visible window) first, then the rest of the
 * file in idle slices; answered by `analysis` messages of kind 'pitch'.
 * @typedef {object} AnalyzeMessage
 * @property {'analyze'} type
 * @property {number} load
 * @property {'pitch'} kind
 * @property {number} startFrame
 * @property {number} endFrame
 */

/**
 * New analysis options: pauses found again and sent; pitch started again if its range changed.
 * @typedef {object} AnalysisOptionsMessage
 * @property {'analysis-options'} type
 * @property {number} load
 * @property {AnalysisOptions} options
 */

/**
 * A boundary at `frame` to snap within `radius` frames to the kinds asked; answered by `snapped`.
 * @typedef {object} SnapMessage
 * @property {'snap'} type
 * @property {number} load
 * @property {number} request             the element's sequence number, given back
 * @property {number} frame
 * @property {number} radius
 * @property {Array<'pause'|'energy'|'zero'>} kinds
 */

/**
 * Small grey pictures of a video's frames [first, first + count) (motion-scan.js), luma transferred;
 * `done: true` (nothing else) once there are no more: the motion is then decided and sent.
 * @typedef {object} MotionFramesMessage
 * @property {'motion-frames'} type
 * @property {number} load
 * @property {number} [first]             the frame index of the first picture
 * @property {number} [count]
 * @property {number} [width]
 * @property {number} [height]
 * @property {ArrayBuffer} [luma]         count x width x height bytes, row by row
 * @property {boolean} [done]
 */

/**
 * @typedef {LoadMessage|RenderMessage|RecycleMessage|RefreshUrlMessage|UnloadMessage|StatsMessage|AnalyzeMessage
 *   |AnalysisOptionsMessage|SnapMessage|MotionFramesMessage} ToWorkerMessage
 */

/**
 * What the core knows of the media (its Session.info()).
 * @typedef {object} MediaInfo
 * @property {string} format
 * @property {string} codec
 * @property {number} sampleRate          0 without sound
 * @property {number} channels
 * @property {number} frames              sample frames decoded so far
 * @property {number} declaredDuration    seconds the container says, or -1
 * @property {number} startTime           the sound's start in the container's time, seconds
 * @property {number} bytesReceived
 * @property {boolean} [hasVideo]
 */

/**
 * The core's message loop started (worker-host.js serve()): sent first, once. Until it comes, the
 * element queues its messages, and a start that fails moves on to the next way (core-client.js).
 * @typedef {object} HelloMessage
 * @property {'hello'} type
 */

/**
 * The demuxer opened the media: what it is.
 * @typedef {object} OpenedMessage
 * @property {'opened'} type
 * @property {number} load
 * @property {MediaInfo} info
 */

/**
 * The load's progress, about ten times a second.
 * @typedef {object} ProgressMessage
 * @property {'progress'} type
 * @property {number} load
 * @property {number} loadedBytes
 * @property {number} requests            Range requests so far (0 for a streamed download)
 * @property {number} syncRequests        of which synchronous
 * @property {boolean|null} multiRange    whether the server answers multi-range requests (null: not known)
 * @property {number} totalBytes          0 while not known
 * @property {number} decodedSeconds
 * @property {number} frames
 * @property {number} declaredDuration
 */

/**
 * Precomputed peaks were read: the whole waveform is drawable before the decode ends.
 * @typedef {object} PeaksMessage
 * @property {'peaks'} type
 * @property {number} load
 * @property {number} sampleRate
 * @property {number} channels
 * @property {number} duration            seconds
 */

/**
 * A video's frame index (its arrays transferred).
 * @typedef {object} FramesMessage
 * @property {'frames'} type
 * @property {number} load
 * @property {{width: number, height: number, codec: string, timeBaseNum: number, timeBaseDen: number}} video
 * @property {Float64Array} frames        every frame's time, in the container's time base
 * @property {Uint8Array} keyFrames       1 where the frame is a key frame
 */

/**
 * The load is complete (sent after `frames`, for a video).
 * @typedef {object} ReadyMessage
 * @property {'ready'} type
 * @property {number} load
 * @property {MediaInfo} info
 * @property {boolean} seekable           false: no file to decode from (sample-level views come from the peaks)
 * @property {string} [seekableProblem]   why, as a sentence
 */

/**
 * A rendered frame of RGBA pixels (transferred; give the buffer back with `recycle`).
 * @typedef {object} FrameMessage
 * @property {'frame'} type
 * @property {number} load
 * @property {'main'|'overview'|'spectrogram'} target
 * @property {number} request
 * @property {boolean} interim            more frames follow for this request
 * @property {number} width
 * @property {number} height
 * @property {boolean} fromSamples        drawn from decoded samples, not from peaks
 * @property {boolean} [decoded]
 * @property {{hz: number, row: number}[]} [axis]   the spectrogram's frequency ticks
 * @property {number} [received]          when the worker took the request, ms since the epoch
 * @property {number} [renderMs]          what the core's render took
 * @property {number} [posted]            when the frame was posted, ms since the epoch
 * @property {ArrayBuffer} pixels
 */

/**
 * Something went wrong; fatal ends the load. Load -1: the worker itself failed (said by core-client.js).
 * @typedef {object} ErrorMessage
 * @property {'error'} type
 * @property {number} load
 * @property {string} code                one of the element's error codes (web/avseg.d.ts)
 * @property {string} message
 * @property {boolean} fatal
 */

/**
 * The answer to `refresh-url`.
 * @typedef {object} SourceRefreshedMessage
 * @property {'source-refreshed'} type
 * @property {number} load
 * @property {boolean} ok
 * @property {string} [code]              when not ok: why (another file: 'range-refused')
 * @property {string} [message]
 */

/**
 * The server answers again after a lost connection: the load goes on.
 * @typedef {object} SourceResumedMessage
 * @property {'source-resumed'} type
 * @property {number} load
 */

/**
 * The answer to `stats`.
 * @typedef {object} StatsAnswer
 * @property {'stats'} type
 * @property {number} request
 * @property {number} wasmHeapBytes
 * @property {boolean} prefetching        the view prefetch has work left
 * @property {number} coreBytes           the core's session's memory
 * @property {number} [keptBytes]         a streamed download kept whole
 * @property {object|null} [remote]       the range reader's stats() when read in place
 */

/**
 * An analysis of the load: the core's (final once the decode is done; pieces of pitch as they are
 * computed) or a precomputed file's (from 'sidecar', sent at once and replaced by the core's).
 * Frames are sample frames; kind 'motion' counts the video's frame index. Besides `kind`, per kind:
 * - 'pauses': sampleRate, speechLevelDb, thresholdDb, minDuration, pauses: Array<{start, end}> (end exclusive)
 * - 'energy': sampleRate, hop, levels: Float32Array (dBFS per block of hop frames)
 * - 'loudness': sampleRate, stepFrames, momentary: Float32Array, shortTerm: Float32Array, integrated: number|null,
 *   range: number|null, jumps: Array<{frame, from, to}>
 * - 'pitch': sampleRate, hop, firstIndex, hz: Float32Array, clarity: Float32Array, floorHz, ceilingHz (a piece written
 *   at firstIndex of the whole file's grid; final once the whole file is done)
 * - 'motion': frames, motion: Float32Array, cuts: number[], jerks: number[]
 * @typedef {object} AnalysisMessage
 * @property {'analysis'} type
 * @property {number} load
 * @property {'pauses'|'energy'|'loudness'|'pitch'|'motion'} kind
 * @property {'core'|'sidecar'} from
 * @property {boolean} final             false: more of this kind follows (the decode or the pitch goes on)
 */

/**
 * The answer to `snap`: where the boundary goes, and to what (null: nothing in reach, `frame` as asked).
 * @typedef {object} SnappedMessage
 * @property {'snapped'} type
 * @property {number} load
 * @property {number} request
 * @property {number} frame
 * @property {'pause'|'energy'|'zero'|null} kind
 */

/**
 * @typedef {HelloMessage|OpenedMessage|ProgressMessage|PeaksMessage|FramesMessage|ReadyMessage|FrameMessage|ErrorMessage
 *   |SourceRefreshedMessage|SourceResumedMessage|StatsAnswer|AnalysisMessage|SnappedMessage} FromWorkerMessage
 */
