// SPDX-License-Identifier: MIT
// One media file's load in the worker: read in place when the server answers Range requests
// (any format, any size: nothing of the file is held whole), else a streamed download that keeps
// the file only while it is small. Decodes in slices between messages, indexes a video's frames,
// pauses across an expired link until the host hands a fresh URL.
import { openRemote } from './remote-file.js';
import { NoReadAhead, PlannedAhead, SequentialAhead, planMp4, tailRead } from './read-ahead.js';
import { parsePeaks } from './peaks-file.js';

const CHUNK_FOLD_BYTES = 8 << 20;     // fold downloaded chunks into the Blob every 8 MiB
const MAX_AHEAD_BYTES = 4 << 20;      // stop reading the network while this much awaits decoding
export const MAX_KEPT_BYTES = 256 << 20;   // without Range support, a larger file is not kept
export const WHOLE_BELOW_BYTES = 16 << 20; // range-threshold's default: smaller files are read whole
// Streamed, a file whose demuxer cannot open before this much arrived (an MP4 with its index at
// the end) would sit whole in the wasm heap: the load stops with the reason instead.
export const MAX_UNOPENED_BYTES = MAX_KEPT_BYTES;
const SLICE_MS = 12;                  // decode this long, then let messages through
const INTERRUPTED = 3;                // Session.pump's state: a read failed, the decode goes on once reads work
const PROGRESS_MS = 100;

/** An MP4/MOV file: its first box is "ftyp". */
const isMp4 = (bytes) => bytes.length >= 8 && String.fromCharCode(...bytes.subarray(4, 8)) === 'ftyp';
const NO_AUDIO = { format: '', codec: '', sampleRate: 0, channels: 0, frames: 0, declaredDuration: -1, startTime: 0, bytesReceived: 0 };
const MIB = (bytes) => `${Math.round(bytes / (1 << 20))} MiB`;
// Reader errors that pause the load (nothing is thrown away) until the reads work again: a fresh
// URL for an expired link, the server answering again after a lost connection.
const PAUSING = new Set(['link-expired', 'connection-lost']);
const pauses = (error) => PAUSING.has(error?.code);

/**
 * readFn for the frame indexer of a planned MP4: its audio runs read as zeros. The indexer needs no
 * sample bytes, but the demuxer's short forward seeks read through the sound between two pictures,
 * which the decoder has left behind (evicted): a synchronous request for each.
 */
function skippingSound(readFn, media) {
  return (position, length) => {
    let lo = 0;
    let hi = media.length >> 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (media[2 * mid + 1] <= position) lo = mid + 1; else hi = mid;
    }
    if (lo < media.length >> 1 && media[2 * lo] <= position) return new Uint8Array(Math.min(length, media[2 * lo + 1] - position));
    return readFn(position, length);
  };
}

export const yieldToMessages = () => new Promise((resolve) => {
  const channel = new MessageChannel();
  channel.port1.onmessage = () => resolve();
  channel.port2.postMessage(null);
});

function safeOrigin(url) {
  try { return new URL(url).origin; } catch { return url; }
}

export class MediaLoad {
  /**
   * core: () => Promise of the wasm module. rangeThreshold: files smaller than this are read
   * whole by their first request (no read plan).
   */
  constructor({ id, url, rangeThreshold, peaksUrl = null, core }) {
    this.id = id;
    this.url = url;
    this.peaksUrl = peaksUrl;
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
  }

  post(message, transfer) {
    if (!this.aborted) postMessage({ ...message, load: this.id }, transfer ?? []);
  }

  fail(code, message) {
    this.post({ type: 'error', code, message, fatal: true });
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
        if (err?.status === 416) this.fail('empty-media', 'The file is empty (0 bytes).');
        // The element's codes: a refused range is one way of failing to fetch.
        else this.fail(err?.code === 'cors-blocked' ? 'cors-blocked' : 'fetch-failed', err?.message ?? String(err));
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
      ({ Session } = await this.core());
    } catch (err) {
      this.fail('internal', `The decoder module could not be loaded: ${err?.message ?? err}`);
      return false;
    }
    if (this.aborted) return false;
    this.session = new Session();
    if (this.peaksUrl) this.loadPeaks();
    return true;
  }

  // ---- reading in place ----

  /**
   * Runs a fetch of the RemoteFile. An expired link holds its requests until a fresh URL came
   * (or rejects them, with another reader): either way the load waits here.
   */
  async wait(fetching) {
    for (;;) {
      try {
        return await fetching();
      } catch (err) {
        if (!pauses(err) || this.aborted) throw err;
        this.expired(err);
        await this.paused;
        if (this.aborted) throw err;
      }
    }
  }

  /**
   * The link expired or the connection was lost: said once per cause, and the load pauses until
   * refresh() or, for a lost connection, until the reader's onresume.
   */
  expired(error) {
    if (this.paused && this.pausedBy === error.code) return;
    this.pausedBy = error.code;
    this.paused ??= new Promise((resolve) => { this.resume = resolve; });
    this.post({ type: 'error', code: error.code, message: error.message, fatal: false });
  }

  /** The reader answers again after a lost connection: the element clears its message. */
  resumed() {
    if (!this.paused) return;
    this.post({ type: 'source-resumed' });
    this.unpause();
  }

  unpause() {
    const resume = this.resume;
    this.paused = null;
    this.pausedBy = null;
    this.resume = null;
    resume?.();
  }

  /** A fresh URL for the same media: checked against what was read, then the load goes on. */
  async refresh(url) {
    if (this.file) {
      try {
        await this.file.setUrl(url);
      } catch (err) {
        this.post({ type: 'source-refreshed', ok: false, code: err?.code ?? 'fetch-failed', message: err?.message ?? String(err) });
        return;
      }
    }
    this.url = url;
    this.post({ type: 'source-refreshed', ok: true });
    this.unpause();
  }

  /** Why reading in place stopped, as a sentence. */
  static brokeOff(error) {
    const message = error?.message ?? String(error);
    return message.startsWith('Reading the media in place') ? message : `Reading the media in place broke off: ${message}`;
  }

  /**
   * Decodes from the server through Range requests; the cache keeps a window of the file (and
   * an MP4's index, pinned), never the whole.
   */
  async readInPlace(file, head) {
    this.file = file;
    this.totalBytes = file.size;
    file.onerror = (err) => { if (pauses(err)) this.expired(err); };
    file.onresume = () => this.resumed();
    if (!file.has(0, head.length)) file.seed(0, head);
    if (!(await this.startSession())) return;
    try {
      this.ahead = await this.readAhead(file, head);
    } catch (err) {
      this.fail('fetch-failed', MediaLoad.brokeOff(err));
      return;
    }
    if (this.aborted) return;
    this.readFn = (position, length) => {
      const bytes = file.read(position, length);
      this.reading?.noteRead(position, bytes.length);
      return bytes;
    };
    const status = this.session.openSeekable(this.readFn, file.size);
    if (status.state < 0) {
      this.fail(status.code, status.message);
      return;
    }
    this.seekable = true;
    // A planned MP4's index boxes are pinned and its sound is skipped: its frames are indexed
    // beside the decode (in its waits on the network) rather than after it; said at `ready`.
    if (this.plan?.media) {
      this.indexing = this.indexVideo({ hold: true });
      this.indexing.catch(() => {});
    }
    while (!this.done && !this.videoOnly) {
      try {
        await this.wait(() => this.ahead.before());
      } catch (err) {
        if (!this.aborted) this.fail('fetch-failed', MediaLoad.brokeOff(err));
        return;
      }
      // Expired or lost under a view's read between slices: no slice starts on a dead link.
      if (pauses(file.error)) {
        this.expired(file.error);
        await this.paused;
        continue;
      }
      const decoded = await this.decodeSlice(this.ahead);
      if (!decoded) return;
      // A synchronous read refused as expired or lost: the slice stopped; on from there once reads work.
      if (pauses(file.error)) {
        this.expired(file.error);
        await this.paused;
      }
      if (decoded === 'expired' && !(await this.decodeAgain(file, head))) return;
    }
    this.finishLoad();
  }

  /** A new session decoding from the start (what was drawn stays drawn until it is redrawn). */
  async decodeAgain(file, head) {
    if (this.aborted) return false;
    this.session.delete();
    this.session = null;
    if (!(await this.startSession())) return false;
    this.ahead = await this.readAhead(file, head);
    const status = this.session.openSeekable(this.readFn, file.size);
    if (status.state < 0) this.fail(status.code, status.message);
    return status.state >= 0;
  }

  /** How this file is read ahead of the demuxer: whole, by its MP4 read plan, or sequentially. */
  async readAhead(file, head) {
    if (file.size < this.rangeThreshold) {
      file.prefetch(0, file.size);
      // An MP4's demuxer jumps about: everything is there first (one request).
      if (isMp4(head)) await this.wait(() => file.ready(0, file.size));
      this.indexAhead = new NoReadAhead();
      return new SequentialAhead(file, { tail: tailRead(head), keep: true });
    }
    if (isMp4(head)) {
      const plan = await planMp4(await this.core(), file, head, (fetching) => this.wait(fetching));
      this.plan = plan;
      // The opening request would read on through the pictures: its job (the head) is done.
      file.cancelStream();
      this.indexAhead = new NoReadAhead();
      // Without a plan, the demuxer's reads are answered as they come (synchronously): reading
      // the file start to end would fetch its pictures too.
      return plan.problem ? new NoReadAhead() : new PlannedAhead(file, plan.media);
    }
    this.indexAhead = new SequentialAhead(file);
    return new SequentialAhead(file, { tail: tailRead(head) });
  }

  // ---- the streamed download (no Range support) ----

  async download(response) {
    this.totalBytes = Number(response.headers.get('content-length')) || 0;
    if (this.totalBytes > MAX_KEPT_BYTES) this.stopKeeping();
    if (!(await this.startSession())) return;
    const reader = response.body.getReader();
    for (;;) {
      // Not opened yet, the demuxer waits for more bytes whatever is buffered (an index at the end).
      while (!this.videoOnly && this.session.opened() && this.session.bytesAhead() > MAX_AHEAD_BYTES && !this.aborted) {
        if (!(await this.decodeSlice())) return;
      }
      let chunk;
      try {
        chunk = await reader.read();
      } catch (err) {
        this.fail('fetch-failed', `The download broke off after ${this.loadedBytes} bytes: ${err.message}`);
        return;
      }
      if (this.aborted) { reader.cancel().catch(() => {}); return; }
      if (chunk.done) break;
      this.keep(chunk.value);
      if (!this.videoOnly && !this.session.opened() && this.loadedBytes > MAX_UNOPENED_BYTES) {
        reader.cancel().catch(() => {});
        this.fail('range-required', this.unopenable());
        return;
      }
      if (this.videoOnly) {
        // Without sound, the download is only for the frame index: pointless once not kept.
        if (!this.keeping) { reader.cancel().catch(() => {}); break; }
        this.maybeProgress();
        continue;
      }
      this.session.push(chunk.value);
      if (!(await this.decodeSlice())) return;
    }
    this.foldChunks();
    if (this.keeping) {
      const blob = this.blob;
      this.readFn = (position, length) => new Uint8Array(new FileReaderSync().readAsArrayBuffer(blob.slice(position, position + length)));
    }
    if (!this.videoOnly) {
      this.session.finish();
      // The complete file, for sample-level views and for continuing past an oversized packet.
      if (this.readFn) this.seekable = this.session.attachSeekable(this.readFn, this.blob.size).state >= 0;
      while (!this.done && !this.videoOnly) {
        if (!(await this.decodeSlice())) return;
      }
    }
    this.finishLoad();
  }

  /** Why a streamed file that could not be opened within MAX_UNOPENED_BYTES stopped, as sentences. */
  unopenable() {
    const head = this.head ?? new Uint8Array(0);
    const fix = 'Serve it from a server that answers Range requests (S3, CloudFront and common static servers do)';
    if (isMp4(head)) {
      return `This MP4 has its index (the moov box) at the end and the server does not answer Range requests, so nothing `
        + `can be decoded before the whole file has arrived, and it is larger than ${MIB(MAX_UNOPENED_BYTES)}, too large to hold. `
        + `${fix}, or move the index to the front: ffmpeg -i in.mp4 -c copy -movflags +faststart out.mp4`;
    }
    return `The first ${MIB(MAX_UNOPENED_BYTES)} of the file could not be opened (the server does not answer Range requests, `
      + `so the file cannot be read at its end before all of it has arrived). ${fix}.`;
  }

  stopKeeping() {
    this.keeping = false;
    this.blob = null;
    this.pending = [];
    this.pendingBytes = 0;
    this.seekableProblem = `The server does not answer Range requests and the file is larger than ${MIB(MAX_KEPT_BYTES)}, `
      + 'so it was not kept: views finer than the overview are drawn from its peaks, and the spectrogram is not available.';
  }

  keep(bytes) {
    if (!this.head) this.head = bytes.slice(0, 16);
    this.loadedBytes += bytes.length;
    if (!this.keeping) return;
    if (this.loadedBytes > MAX_KEPT_BYTES) {
      this.stopKeeping();
      return;
    }
    this.pending.push(bytes);
    this.pendingBytes += bytes.length;
    if (this.pendingBytes >= CHUNK_FOLD_BYTES) this.foldChunks();
  }

  foldChunks() {
    // A Blob built from Blobs references them, so memory stays in the browser's blob store.
    if (this.keeping && this.pending.length) this.blob = new Blob([this.blob, ...this.pending]);
    this.pending = [];
    this.pendingBytes = 0;
  }

  // ---- decoding ----

  /** Precomputed peaks: the whole waveform at once, while the file itself still decodes. */
  async loadPeaks() {
    let peaks;
    try {
      const response = await fetch(this.peaksUrl, { credentials: 'omit' });
      if (!response.ok) throw new Error(`the server answered HTTP ${response.status}`);
      peaks = parsePeaks(await response.arrayBuffer());
    } catch (err) {
      this.post({ type: 'error', code: 'invalid-peaks', message: `The precomputed peaks (${safeOrigin(this.peaksUrl)}) could not be used: ${err.message}; the waveform comes from decoding.`, fatal: false });
      return;
    }
    if (this.aborted || !this.session || this.done) return;
    if (!this.session.seedPeaks(peaks.data, peaks.channels, peaks.sampleRate, peaks.samplesPerPixel)) return;
    this.seeded = true;
    const pixels = peaks.data.length / (2 * peaks.channels);
    this.post({ type: 'peaks', sampleRate: peaks.sampleRate, channels: peaks.channels, duration: (pixels * peaks.samplesPerPixel) / peaks.sampleRate });
  }

  /**
   * Decodes for one slice of time, stopping early where the read-ahead says the next bytes have
   * not arrived (the caller awaits them). Returns false when the load ended in an error.
   */
  async decodeSlice(ahead = null) {
    if (this.aborted) return false;
    const started = performance.now();
    let status;
    this.reading = ahead;
    try {
      do {
        status = this.session.pump(32);
      } while (status.state === 1 && performance.now() - started < SLICE_MS && (!ahead || ahead.canPump()) && !this.file?.error);
    } finally {
      this.reading = null;
    }
    if (status.state < 0 && status.code === 'no-audio' && !this.videoOnly) {
      // A video without sound: no waveform, but its frames are indexed.
      this.videoOnly = true;
      this.session.delete();
      this.session = null;
      this.post({ type: 'error', code: 'no-audio', message: 'This video has no audio track: there is no waveform to show.', fatal: false });
      return true;
    }
    // A refused range is the cause of whatever the demuxer then makes of the missing bytes.
    const refused = this.file?.error;
    // A synchronous read refused as expired or lost: the core stopped where it was (state 3,
    // interrupted) and goes on from there once reads work again.
    if (status.state === INTERRUPTED && pauses(refused)) return 'interrupted';
    if (status.state === INTERRUPTED && !refused) {
      this.fail('fetch-failed', 'Reading the media in place broke off: a read of it came back empty.');
      return false;
    }
    // A core that took the missing bytes for the end (or for damage): decoded again once a fresh
    // link came.
    if (pauses(refused) && status.state !== 1) return 'expired';
    if (status.state < 0 || (refused && !pauses(refused))) {
      this.fail(refused ? 'fetch-failed' : status.code, refused ? MediaLoad.brokeOff(refused) : status.message);
      return false;
    }
    if (status.state === 2) this.done = true;
    this.maybeProgress();
    await yieldToMessages();
    return !this.aborted;
  }

  maybeProgress(force = false) {
    const now = performance.now();
    if (!force && now - this.lastProgress < PROGRESS_MS) return;
    this.lastProgress = now;
    const info = this.session ? this.session.info() : NO_AUDIO;
    if (!this.announced && this.session?.opened()) {
      this.announced = true;
      this.post({ type: 'opened', info });
    }
    const file = this.file;
    this.post({
      type: 'progress',
      loadedBytes: file ? file.bytesFetched : this.loadedBytes,
      requests: file ? file.requests : 0,
      syncRequests: file ? file.syncRequests : 0,
      multiRange: file ? file.multiRange : null,
      totalBytes: this.totalBytes || (this.done ? this.loadedBytes : 0),
      decodedSeconds: info.sampleRate ? info.frames / info.sampleRate : 0,
      frames: info.frames,
      declaredDuration: info.declaredDuration,
    });
  }

  finishLoad() {
    this.maybeProgress(true);
    const info = this.session ? this.session.info() : NO_AUDIO;
    // A video's frames are known before `ready`, so the element's timeline is complete at once.
    (this.indexing ?? this.indexVideo())
      .catch((err) => this.post({ type: 'error', code: 'internal', message: `The video's frames could not be indexed: ${err?.message ?? err}`, fatal: false }))
      .then(() => {
        if (this.heldFrames) this.post(...this.heldFrames);
        this.heldFrames = null;
        this.post({ type: 'ready', info, seekable: this.seekable, ...(this.seekableProblem ? { seekableProblem: this.seekableProblem } : {}) });
        for (const problem of this.session?.problems() ?? []) {
          this.post({ type: 'error', code: problem.code, message: problem.message, fatal: false });
        }
      });
  }

  /**
   * Every video frame's time from the container (demuxing only), in slices between messages.
   * hold: the frames message is kept for finishLoad (the index runs beside the decode).
   */
  async indexVideo({ hold = false } = {}) {
    if (!this.readFn) {
      if (this.videoOnly || this.session?.info().hasVideo) {
        this.post({ type: 'error', code: 'frames-unavailable', fatal: false,
          message: `The video's frames could not be indexed: the server does not answer Range requests and the file is larger than ${MIB(MAX_KEPT_BYTES)}, so it was not kept. Playback works; stepping by frames does not.` });
      }
      return;
    }
    const M = await this.core();
    const index = new M.VideoIndex();
    const file = this.file;
    // An MP4's index is pinned in the cache; other containers are read start to end again.
    const ahead = this.indexAhead ?? new NoReadAhead();
    const broke = () => {
      if (!file?.error) return false;
      this.post({ type: 'error', code: pauses(file.error) ? file.error.code : 'fetch-failed', fatal: false,
        message: `The video's frames could not be indexed. ${MediaLoad.brokeOff(file.error)}` });
      this.warned = file.error;
      return true;
    };
    try {
      this.reading = ahead;
      const facts = index.open(this.plan?.media ? skippingSound(this.readFn, this.plan.media) : this.readFn, file ? file.size : this.blob.size);
      this.reading = null;
      if (broke()) return;
      if (!facts.ok) {
        if (facts.code !== 'no-video') this.post({ type: 'error', code: facts.code, message: `The video's frames could not be indexed: ${facts.message}`, fatal: false });
        return;
      }
      let more = true;
      while (more && !this.aborted) {
        if (file) await this.wait(() => ahead.before());
        // Beside the decode, an expired link or a lost connection pauses it too.
        while (hold && pauses(file?.error) && this.paused && !this.aborted) await this.paused;
        const started = performance.now();
        this.reading = ahead;
        do more = index.step(64); while (more && performance.now() - started < SLICE_MS && ahead.canPump() && !file?.error);
        this.reading = null;
        if (broke()) return;
        if (more) await yieldToMessages();
      }
      if (this.aborted) return;
      const frames = index.frames();
      const keyFrames = index.keyFrames();
      const { width, height, codec, timeBaseNum, timeBaseDen } = facts;
      const message = [{ type: 'frames', video: { width, height, codec, timeBaseNum, timeBaseDen }, frames, keyFrames }, [frames.buffer, keyFrames.buffer]];
      if (hold) this.heldFrames = message; else this.post(...message);
    } finally {
      this.reading = null;
      index.delete();
    }
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
    return { code: 'fetch-failed', message: MediaLoad.brokeOff(error) };
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
