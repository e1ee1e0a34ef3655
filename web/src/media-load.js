// SPDX-License-Identifier: MIT
// One media file's load in the worker: read in place when the server answers Range requests
// (any format, any size: nothing of the file is held whole), else a streamed download that keeps
// the file only while it is small. Decodes in slices between messages, indexes a video's frames,
// pauses across an expired link until the host hands a fresh URL. This module holds the load's
// state and its peaks; its parts: load-in-place.js, load-download.js, load-decode.js,
// load-video-index.js, load-pause.js.
import { openRemote } from './remote-file.js';
import { mixIn } from './mix-in.js';
import { LoadPauses, brokeOff, pauses } from './load-pause.js';
import { InPlaceLoad } from './load-in-place.js';
import { StreamedLoad } from './load-download.js';
import { Decoding, NO_AUDIO } from './load-decode.js';
import { VideoIndexing } from './load-video-index.js';
import { LoadAnalysis } from './worker-analysis.js';
import { ERROR, PEAKS, READY } from './protocol.js';
import { ErrorCode } from './error-codes.js';
import { wasmRefused, wasmRefusedMessage } from './wasm-refusal.js';

export { MAX_KEPT_BYTES, MAX_UNOPENED_BYTES } from './load-download.js';
export { yieldToMessages } from './load-decode.js';
export const WHOLE_BELOW_BYTES = 16 << 20; // range-threshold's default: smaller files are read whole

function safeOrigin(url) {
  try { return new URL(url).origin; } catch { return url; }
}

/** A peaks file's bytes, or why they could not be fetched; never rejects. */
async function fetchPeaks(url) {
  try {
    const response = await fetch(url, { credentials: 'omit' });
    if (!response.ok) return { error: `the server answered HTTP ${response.status}` };
    return { bytes: new Uint8Array(await response.arrayBuffer()) };
  } catch (err) {
    return { error: err?.message ?? String(err) };
  }
}

export class MediaLoad {
  /**
   * core: () => Promise of the wasm module; send(message, transfer): to the element. rangeThreshold: files smaller than this are read
   * whole by their first request (no read plan).
   */
  constructor({ id, url, rangeThreshold, peaksUrl = null, analysisUrl = null, analysisOptions = null, core, send }) {
    this.id = id;
    this.send = send; // posts a message to the element (worker-host.js: the port it serves)
    this.url = url;
    this.peaksUrl = peaksUrl;
    // Fetched at once, beside the media's first bytes; read once the core's session exists.
    this.peaksFile = peaksUrl ? fetchPeaks(peaksUrl) : null;
    // Read whole, a file must fit the reader's cache (64 MiB) with room to spare.
    this.rangeThreshold = Math.min(rangeThreshold ?? WHOLE_BELOW_BYTES, 32 << 20);
    this.core = core;
    this.abortController = new AbortController();
    this.file = null;       // the RemoteFile when read in place
    this.readFn = null;     // the file, read synchronously: in place, or the kept download
    this.session = null;
    this.aborted = false;
    this.seekable = false;
    this.seekableProblem = null;
    this.blob = new Blob([]);
    this.keeping = true;
    this.pending = [];
    this.pendingBytes = 0;
    this.totalBytes = 0;
    this.loadedBytes = 0;
    this.lastProgress = 0;
    this.done = false;
    this.paused = null;     // a promise while an expired link waits for a fresh URL
    // Pauses, loudness, pitch, snapping and motion; a precomputed analysis file fetched at once.
    this.analysis = new LoadAnalysis(this, { url: analysisUrl, options: analysisOptions });
  }

  post(message, transfer) {
    if (!this.aborted) this.send({ ...message, load: this.id }, transfer ?? []);
  }

  fail(code, message) {
    this.post({ type: ERROR, code, message, fatal: true });
    this.abort();
  }

  async run() {
    this.running = true;
    try {
      let opened;
      try {
        opened = await openRemote(this.url, { signal: this.abortController.signal });
      } catch (err) {
        if (this.aborted) return;
        // A range from the first byte on is not satisfiable only in a file of no bytes.
        if (err?.status === 416) this.fail(ErrorCode.EmptyMedia, 'The file is empty (0 bytes).');
        // The element's codes: a refused range is one way of failing to fetch.
        else this.fail(err?.code === ErrorCode.CorsBlocked ? ErrorCode.CorsBlocked : ErrorCode.FetchFailed, err?.message ?? String(err));
        return;
      }
      if (this.aborted) return;
      if (opened.kind === 'ranges') await this.readInPlace(opened.file, opened.head);
      else await this.download(opened.response);
    } finally {
      this.running = false;
      if (this.aborted) this.release();
    }
  }

  /** The core's session for this load (and the precomputed peaks, if any); false if it can't be. */
  async startSession() {
    let Session;
    try {
      ({ Session, wasmVia: this.wasmVia } = await this.core());
    } catch (err) {
      if (wasmRefused(err)) this.fail(ErrorCode.WasmRefused, wasmRefusedMessage('the media decoder', err));
      else this.fail(ErrorCode.Internal, `The decoder module could not be loaded: ${err?.message ?? err}`);
      return false;
    }
    if (this.aborted) return false;
    this.session = new Session();
    if (this.peaksUrl) this.loadPeaks();
    return true;
  }

  /**
   * Precomputed peaks: the whole waveform at once, while the file itself still decodes. The core
   * reads them (doc/peak-formats.md) and draws its decoded waveform instead once done.
   */
  async loadPeaks() {
    const session = this.session;
    const { bytes, error } = await this.peaksFile;
    if (this.aborted || this.session !== session || this.peaksRefused) return;
    const read = bytes ? session.seedPeaksFile(bytes) : { ok: false, message: error };
    if (!read.ok) {
      // Said once, though a new session (after an expired link) reads them again.
      this.peaksRefused = true;
      this.post({ type: ERROR, code: ErrorCode.InvalidPeaks, message: `The precomputed peaks (${safeOrigin(this.peaksUrl)}) could not be used: ${read.message}; the waveform comes from decoding.`, fatal: false });
      return;
    }
    this.seeded = true;
    if (this.done) this.checkPeaks();
    else this.post({ type: PEAKS, sampleRate: read.sampleRate, channels: read.channels, duration: (read.length * read.samplesPerPixel) / read.sampleRate });
  }

  /** Once decoded: peaks that do not fit the media (channels, rate, length) are said, once. */
  checkPeaks() {
    if (!this.seeded || this.peaksChecked || !this.session || !this.done) return;
    this.peaksChecked = true;
    const mismatch = this.session.peaksMismatch();
    if (mismatch) this.post({ type: ERROR, code: ErrorCode.InvalidPeaks, fatal: false, message: `The precomputed peaks (${safeOrigin(this.peaksUrl)}) do not match the media: ${mismatch}. The waveform is drawn from decoding.` });
  }

  finishLoad() {
    this.maybeProgress(true);
    const info = this.session ? this.session.info() : NO_AUDIO;
    // A video's frames are known before `ready`, so the element's timeline is complete at once.
    (this.indexing ?? this.indexVideo())
      .catch((err) => this.post({ type: ERROR, code: ErrorCode.Internal, message: `The video's frames could not be indexed: ${err?.message ?? err}`, fatal: false }))
      // The decode's pauses, energy and loudness are said before `ready`.
      .then(() => this.analysis.decoded().catch((err) => this.post({ type: ERROR, code: ErrorCode.Internal, message: `The analysis failed: ${err?.message ?? err}`, fatal: false })))
      .then(() => {
        if (this.heldFrames) this.post(...this.heldFrames);
        this.heldFrames = null;
        this.post({ type: READY, info, seekable: this.seekable, ...(this.seekableProblem ? { seekableProblem: this.seekableProblem } : {}) });
        this.checkPeaks();
        for (const problem of this.session?.problems() ?? []) {
          this.post({ type: ERROR, code: problem.code, message: problem.message, fatal: false });
        }
      });
  }

  /**
   * After a render: a read refused since, or an expired link, is said once (what is drawn and
   * annotated stays). Null when there is nothing new to say.
   */
  renderWarning() {
    const error = this.file?.error;
    if (!error || this.warned === error || !this.done) return null;
    this.warned = error;
    if (pauses(error)) return { code: error.code, message: error.message };
    return { code: ErrorCode.FetchFailed, message: brokeOff(error) };
  }

  stats() {
    return {
      coreBytes: this.session ? this.session.memoryBytes() : 0,
      keptBytes: this.keeping && this.blob ? this.blob.size + this.pendingBytes : 0,
      remote: this.file ? this.file.stats() : null,
    };
  }

  abort() {
    this.aborted = true;
    this.analysis.stop();
    this.abortController.abort();
    this.file?.close();
    this.resume?.();
    if (!this.running) this.release();
  }

  release() {
    this.session?.delete();
    this.session = null;
  }
}

mixIn(MediaLoad, LoadPauses, InPlaceLoad, StreamedLoad, Decoding, VideoIndexing);
