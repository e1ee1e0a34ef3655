// SPDX-License-Identifier: MIT
// The Web Worker that owns the wasm core: downloads, decodes, builds peaks and renders.
// The main thread never decodes or computes peaks.
import createAvsegCore from './avseg-core.js';
import { parseContentRange, rangeAnswerProblem } from './byte-range.js';

const CHUNK_FOLD_BYTES = 8 << 20;     // fold downloaded chunks into the Blob every 8 MiB
const MAX_AHEAD_BYTES = 4 << 20;      // stop reading the network while this much awaits decoding
const SLICE_MS = 12;                  // decode this long, then let messages through
const PROGRESS_MS = 100;

let corePromise;
let M_CORE = null;      // the module, once loaded (renders only happen after that)
function core() {
  corePromise ??= createAvsegCore({ locateFile: (file) => new URL(file, import.meta.url).href }).then((m) => { M_CORE = m; return m; });
  return corePromise;
}

let load = null; // the current load; a new `load` message replaces it

const RANGE_MIN_AHEAD = 64 * 1024;
const RANGE_MAX_AHEAD = 4 << 20;
const RANGE_CACHE_BYTES = 32 << 20;

/**
 * A remote file read synchronously (from inside the core's demuxer) through HTTP Range requests.
 * A read that continues the previous one fetches ahead, twice as far each time (64 KiB to
 * 4 MiB); a read elsewhere (a demuxer skipping over pictures) fetches just what it asks for.
 * The last 32 MiB fetched are kept. Sync XHR is allowed in workers, and is what a synchronous
 * read needs.
 */
class RangeSource {
  constructor(url, size) {
    this.url = url;
    this.size = size;
    this.chunks = [];       // {start, bytes}, most recently used last
    this.cached = 0;
    this.fetched = 0;
    this.requests = 0;
    this.error = null;
    this.lastEnd = -1;
    this.ahead = RANGE_MIN_AHEAD;
  }

  read(position, length) {
    const end = Math.min(position + length, this.size);
    if (this.error || end <= position) return new Uint8Array(0);
    const sequential = position === this.lastEnd;
    this.lastEnd = end;
    for (let i = this.chunks.length - 1; i >= 0; i--) {
      const c = this.chunks[i];
      if (c.start <= position && end <= c.start + c.bytes.length) {
        if (i !== this.chunks.length - 1) this.chunks.push(...this.chunks.splice(i, 1));
        return c.bytes.subarray(position - c.start, end - c.start);
      }
    }
    this.ahead = sequential ? Math.min(this.ahead * 2, RANGE_MAX_AHEAD) : RANGE_MIN_AHEAD;
    const fetchEnd = Math.min(this.size, Math.max(end, sequential ? position + this.ahead : end));
    const bytes = this.fetch(position, fetchEnd);
    if (!bytes) return new Uint8Array(0);
    this.chunks.push({ start: position, bytes });
    this.cached += bytes.length;
    while (this.cached > RANGE_CACHE_BYTES && this.chunks.length > 1) this.cached -= this.chunks.shift().bytes.length;
    return bytes.subarray(0, end - position);
  }

  /** Bytes already fetched (the probe's), counted as fetched. */
  seed(start, bytes) {
    this.chunks.push({ start, bytes });
    this.cached += bytes.length;
    this.fetched += bytes.length;
    this.requests++;
  }

  fetch(start, end) {
    const xhr = new XMLHttpRequest();
    try {
      xhr.open('GET', this.url, false);
      xhr.responseType = 'arraybuffer';
      xhr.setRequestHeader('Range', `bytes=${start}-${end - 1}`);
      xhr.send();
    } catch (err) {
      this.error = `the download of bytes ${start}-${end - 1} failed (${err?.message ?? err})`;
      return null;
    }
    // Bytes from elsewhere in the file, or a whole file answered to a range, are never decoded.
    const problem = rangeAnswerProblem({ status: xhr.status, contentRange: xhr.getResponseHeader('content-range'), received: xhr.response?.byteLength ?? 0 },
      start, end, this.size);
    if (problem) {
      this.error = problem;
      this.refused = true;
      return null;
    }
    this.requests++;
    this.fetched += end - start;
    return new Uint8Array(xhr.response);
  }
}

/**
 * Peaks in BBC audiowaveform's format (.dat version 1 or 2, or its JSON), as 16-bit min/max
 * pairs. Throws with what is wrong.
 */
function parsePeaks(buffer) {
  const bytes = new Uint8Array(buffer);
  if (bytes[0] === 0x7b) {
    const j = JSON.parse(new TextDecoder().decode(bytes));
    const channels = j.channels ?? 1;
    if (![1, 2].includes(j.version) || ![8, 16].includes(j.bits) || !(j.sample_rate > 0) || !(j.samples_per_pixel > 0) || !Array.isArray(j.data)
      || j.data.length !== j.length * channels * 2) throw new Error('the JSON lacks version, bits, sample_rate, samples_per_pixel or length, or its data is not 2 values per pixel and channel');
    return { channels, sampleRate: j.sample_rate, samplesPerPixel: j.samples_per_pixel, data: Int16Array.from(j.data, (v) => (j.bits === 8 ? v * 256 : v)) };
  }
  if (bytes.length < 20) throw new Error('the file is too short for a header');
  const dv = new DataView(buffer);
  const version = dv.getInt32(0, true);
  if (version !== 1 && version !== 2) throw new Error(`version ${version} is not 1 or 2`);
  const eight = (dv.getUint32(4, true) & 1) === 1;
  const sampleRate = dv.getInt32(8, true);
  const samplesPerPixel = dv.getInt32(12, true);
  const length = dv.getUint32(16, true);
  const channels = version === 2 ? dv.getInt32(20, true) : 1;
  const header = version === 2 ? 24 : 20;
  const count = length * channels * 2;
  if (!(sampleRate > 0) || !(samplesPerPixel > 0) || !(channels > 0) || bytes.length < header + count * (eight ? 1 : 2)) {
    throw new Error(`the header (rate ${sampleRate}, ${samplesPerPixel} samples per pixel, ${length} pixels, ${channels} channels) does not match the file's ${bytes.length} bytes`);
  }
  const data = new Int16Array(count);
  for (let i = 0; i < count; i++) data[i] = eight ? dv.getInt8(header + i) * 256 : dv.getInt16(header + 2 * i, true);
  return { channels, sampleRate, samplesPerPixel, data };
}

/** An MP4/MOV file: its first box is "ftyp". */
const isMp4 = (bytes) => bytes.length >= 8 && String.fromCharCode(...bytes.subarray(4, 8)) === 'ftyp';
const NO_AUDIO = { format: '', codec: '', sampleRate: 0, channels: 0, frames: 0, declaredDuration: -1, startTime: 0, bytesReceived: 0 };

const yieldToMessages = () => new Promise((resolve) => {
  const channel = new MessageChannel();
  channel.port1.onmessage = () => resolve();
  channel.port2.postMessage(null);
});

class Load {
  constructor(id, url, rangeThreshold = 64 << 20, peaksUrl = null) {
    this.id = id;
    this.url = url;
    this.peaksUrl = peaksUrl;
    this.rangeThreshold = rangeThreshold;
    this.readFn = null;     // the complete file, read synchronously, once it is there
    this.session = null;
    this.aborted = false;
    this.blob = new Blob([]);
    this.pending = [];
    this.pendingBytes = 0;
    this.totalBytes = 0;
    this.loadedBytes = 0;
    this.lastProgress = 0;
    this.done = false;
  }

  post(message, transfer) {
    if (!this.aborted) postMessage({ ...message, load: this.id }, transfer ?? []);
  }

  fail(code, message) {
    this.post({ type: 'error', code, message, fatal: true });
    this.aborted = true;
  }

  async run() {
    this.running = true;
    try {
      await this.download();
    } finally {
      this.running = false;
      if (this.aborted) this.release();
    }
  }

  /**
   * A URL named like an MP4 is asked for its first 64 KiB first: when the server answers with
   * a range and the total size, and it is a large MP4, the file is read in place from there, and
   * nothing of it was downloaded in vain. Otherwise the ordinary download follows.
   */
  async probeInPlace() {
    if (!/\.(mp4|m4v|mov)$/i.test(new URL(this.url).pathname)) return false;
    let response;
    try {
      response = await fetch(this.url, { credentials: 'omit', headers: { Range: `bytes=0-${RANGE_MIN_AHEAD - 1}` } });
    } catch {
      return false; // the ordinary download says what is wrong
    }
    const contentRange = response.headers.get('content-range');
    // A server that ignores ranges, or hides its Content-Range from this page, is downloaded.
    if (response.status !== 206 || contentRange === null) {
      response.body?.cancel().catch(() => {});
      return false;
    }
    const refused = (problem) => {
      this.fail('fetch-failed', `The media could not be read in place: ${problem}; nothing of that answer was used.`);
      return false;
    };
    let problem = rangeAnswerProblem({ status: 206, contentRange }, 0, RANGE_MIN_AHEAD);
    if (problem) {
      response.body?.cancel().catch(() => {});
      return refused(problem);
    }
    const total = parseContentRange(contentRange).total;
    if (!(total >= this.rangeThreshold) || !(total > 0)) {
      response.body?.cancel().catch(() => {});
      return false;
    }
    const head = new Uint8Array(await response.arrayBuffer().catch(() => new ArrayBuffer(0)));
    problem = rangeAnswerProblem({ status: 206, contentRange, received: head.length }, 0, RANGE_MIN_AHEAD);
    if (problem) return refused(problem);
    if (!isMp4(head)) return false;
    this.totalBytes = total;
    this.firstBytes = head;
    return true;
  }

  /** The core's session for this load (and the precomputed peaks, if any); false if it can't be. */
  async startSession() {
    let Session;
    try {
      ({ Session } = await core());
    } catch (err) {
      this.fail('internal', `The decoder module could not be loaded: ${err?.message ?? err}`);
      return false;
    }
    if (this.aborted) return false;
    this.session = new Session();
    if (this.peaksUrl) this.loadPeaks();
    return true;
  }

  async download() {
    if (await this.probeInPlace()) {
      if (await this.startSession()) await this.readRanges();
      return;
    }
    if (this.aborted) return;
    let response;
    try {
      response = await fetch(this.url, { credentials: 'omit' });
    } catch {
      // Fetch hides why; an opaque no-cors request tells a CORS refusal from an unreachable server.
      let reachable = false;
      try {
        await fetch(this.url, { mode: 'no-cors', credentials: 'omit' });
        reachable = true;
      } catch { /* unreachable */ }
      const origin = safeOrigin(this.url);
      if (reachable) {
        this.fail('cors-blocked', `The media server ${origin} does not allow this page to read the file `
          + '(no Access-Control-Allow-Origin header), so the waveform cannot be drawn. Playback may still work. '
          + `Add a CORS rule to the bucket or server allowing GET from ${self.location.origin === 'null' ? 'this page' : 'the page origin'}.`);
      } else {
        this.fail('fetch-failed', `Could not download the media from ${origin}: the server is unreachable.`);
      }
      return;
    }
    if (!response.ok) {
      this.fail('fetch-failed', `Could not download the media: the server answered HTTP ${response.status}`
        + `${response.statusText ? ' ' + response.statusText : ''}${response.status === 403 ? ' (an expired or unsigned link?)' : ''}.`);
      return;
    }
    this.totalBytes = Number(response.headers.get('content-length')) || 0;
    if (!(await this.startSession())) return;

    const reader = response.body.getReader();
    // A large MP4 from a server that serves ranges is read in place: the demuxer fetches the
    // sound and the tables, not the pictures.
    const ranges = response.headers.get('accept-ranges') === 'bytes' && this.totalBytes >= this.rangeThreshold && this.totalBytes > 0;
    if (ranges) {
      let first;
      try {
        first = await reader.read();
      } catch { first = { done: true }; }
      if (!first.done && isMp4(first.value)) {
        reader.cancel().catch(() => {});
        await this.readRanges();
        return;
      }
      if (!first.done) {
        this.keep(first.value);
        this.session.push(first.value);
        if (!(await this.decodeSlice())) return;
      }
    }
    for (;;) {
      while (!this.videoOnly && this.session.bytesAhead() > MAX_AHEAD_BYTES && !this.aborted) {
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
      if (this.videoOnly) {
        this.maybeProgress();
        continue;
      }
      this.session.push(chunk.value);
      if (!(await this.decodeSlice())) return;
    }
    this.foldChunks();
    if (this.videoOnly) {
      const blob = this.blob;
      this.readFn = (position, length) => new Uint8Array(new FileReaderSync().readAsArrayBuffer(blob.slice(position, position + length)));
      this.finishLoad();
      return;
    }
    this.session.finish();
    // The complete file, for sample-level views and for continuing past an oversized packet.
    const blob = this.blob;
    const readFn = (position, length) => new Uint8Array(new FileReaderSync().readAsArrayBuffer(blob.slice(position, position + length)));
    this.readFn = readFn;
    this.seekable = this.session.attachSeekable(readFn, blob.size).state >= 0;
    while (!this.done && !this.videoOnly) {
      if (!(await this.decodeSlice())) return;
    }
    this.finishLoad();
  }

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

  /** Decodes the file in place through Range requests; nothing of it is kept but the cache. */
  async readRanges() {
    const source = new RangeSource(this.url, this.totalBytes);
    if (this.firstBytes) source.seed(0, this.firstBytes);
    this.rangeSource = source;
    this.readFn = (position, length) => source.read(position, length);
    const status = this.session.openSeekable(this.readFn, this.totalBytes);
    if (source.error) {
      this.fail('fetch-failed', this.rangeFailure());
      return;
    }
    if (status.state < 0) {
      this.fail(status.code, status.message);
      return;
    }
    this.seekable = true;
    while (!this.done && !this.videoOnly) {
      const ok = await this.decodeSlice();
      if (source.error) {
        this.fail('fetch-failed', this.rangeFailure());
        return;
      }
      if (!ok) return;
    }
    this.finishLoad();
  }

  /** Why reading in place stopped, or null. */
  rangeFailure() {
    const source = this.rangeSource;
    if (!source?.error) return null;
    return `Reading the media in place broke off: ${source.error}${source.refused ? '; nothing of that answer was used' : ''}.`;
  }

  /** The same, once, as a warning: after the load, what is drawn and annotated stays. */
  rangeWarning() {
    if (this.rangeWarned || !this.done) return null;
    const message = this.rangeFailure();
    if (message) this.rangeWarned = true;
    return message;
  }

  keep(bytes) {
    this.loadedBytes += bytes.length;
    this.pending.push(bytes);
    this.pendingBytes += bytes.length;
    if (this.pendingBytes >= CHUNK_FOLD_BYTES) this.foldChunks();
  }

  foldChunks() {
    // A Blob built from Blobs references them, so memory stays in the browser's blob store.
    if (this.pending.length) this.blob = new Blob([this.blob, ...this.pending]);
    this.pending = [];
    this.pendingBytes = 0;
  }

  /** Decodes for one slice of time. Returns false when the load ended in an error. */
  async decodeSlice() {
    if (this.aborted) return false;
    const started = performance.now();
    let status;
    do {
      status = this.session.pump(32);
    } while (status.state === 1 && performance.now() - started < SLICE_MS);
    if (status.state < 0 && status.code === 'no-audio' && !this.videoOnly) {
      // A video without sound: no waveform, but its frames are indexed once it has arrived.
      this.videoOnly = true;
      this.session.delete();
      this.session = null;
      this.post({ type: 'error', code: 'no-audio', message: 'This video has no audio track: there is no waveform to show.', fatal: false });
      return true;
    }
    // A refused range is the cause of whatever the demuxer then makes of the missing bytes
    // (an error, or an early end).
    if (status.state < 0 || this.rangeSource?.error) {
      const refused = this.rangeFailure();
      this.fail(refused ? 'fetch-failed' : status.code, refused ?? status.message);
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
    this.post({
      type: 'progress',
      loadedBytes: this.rangeSource ? this.rangeSource.fetched : this.loadedBytes,
      requests: this.rangeSource ? this.rangeSource.requests : 0,
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
    this.indexVideo()
      .catch((err) => this.post({ type: 'error', code: 'internal', message: `The video's frames could not be indexed: ${err?.message ?? err}`, fatal: false }))
      .then(() => {
        this.post({ type: 'ready', info, seekable: this.seekable });
        for (const problem of this.session?.problems() ?? []) {
          this.post({ type: 'error', code: problem.code, message: problem.message, fatal: false });
        }
      });
  }

  /** Every video frame's time from the container (demuxing only), in slices between messages. */
  async indexVideo() {
    const M = await core();
    const readFn = this.readFn;
    if (!readFn) return;
    const index = new M.VideoIndex();
    try {
      const facts = index.open(readFn, this.rangeSource ? this.totalBytes : this.blob.size);
      const refused = () => {
        if (!this.rangeSource?.error) return false;
        this.rangeWarned = true;
        this.post({ type: 'error', code: 'fetch-failed', message: `The video's frames could not be indexed. ${this.rangeFailure()}`, fatal: false });
        return true;
      };
      if (refused()) return;
      if (!facts.ok) {
        if (facts.code !== 'no-video') this.post({ type: 'error', code: facts.code, message: `The video's frames could not be indexed: ${facts.message}`, fatal: false });
        return;
      }
      let more = true;
      while (more && !this.aborted) {
        const started = performance.now();
        do more = index.step(64); while (more && performance.now() - started < SLICE_MS);
        if (more) await yieldToMessages();
      }
      if (this.aborted || refused()) return;
      const frames = index.frames();
      const keyFrames = index.keyFrames();
      const { width, height, codec, timeBaseNum, timeBaseDen } = facts;
      this.post({ type: 'frames', video: { width, height, codec, timeBaseNum, timeBaseDen }, frames, keyFrames }, [frames.buffer, keyFrames.buffer]);
    } finally {
      index.delete();
    }
  }

  render(request) {
    if (!this.session || (!this.session.opened() && !this.seeded)) return;
    if (request.target === 'spectrogram') {
      const result = this.session.renderSpectrogram(request.view);
      if (!result.ok) {
        // A refused range is said as such, by the load or as a warning after it.
        if (!this.rangeSource?.error) this.post({ type: 'error', code: result.code, message: result.message, fatal: false });
        return;
      }
      const pixels = this.session.pixels().slice();
      // Where the frequency axis's ticks fall, by the core's own scale.
      const ticks = [50, 100, 200, 500, 1000, 2000, 5000, 10000, 20000];
      const rows = M_CORE.spectrogramRows(request.view, this.session.info().sampleRate, ticks);
      const axis = ticks.map((hz, i) => ({ hz, row: rows[i] })).filter((t) => Number.isFinite(t.row));
      this.post({
        type: 'frame', target: request.target, request: request.request, interim: false, axis,
        width: request.view.width, height: request.view.height, fromSamples: result.fromSamples, pixels: pixels.buffer,
      }, [pixels.buffer]);
      return;
    }
    // A view that needs samples decoded first gets the peaks at once, then the samples.
    if (this.session.needsDecode(request.view)) this.renderOnce(request, false);
    this.renderOnce(request, true);
  }

  renderOnce(request, decode) {
    const result = this.session.render(request.view, decode);
    if (!result.ok) {
      if (!this.rangeSource?.error) this.post({ type: 'error', code: result.code, message: result.message, fatal: false });
      return;
    }
    const pixels = this.session.pixels().slice(); // copy out before the heap can move
    this.post({
      type: 'frame',
      target: request.target,
      request: request.request,
      interim: !decode,
      width: request.view.width,
      height: request.view.height,
      fromSamples: result.fromSamples,
      pixels: pixels.buffer,
    }, [pixels.buffer]);
  }

  stats() {
    return {
      coreBytes: this.session ? this.session.memoryBytes() : 0,
      wasmHeapBytes: wasmHeapBytes,
    };
  }

  abort() {
    this.aborted = true;
    if (!this.running) this.release();
  }

  release() {
    this.session?.delete();
    this.session = null;
  }
}

let wasmHeapBytes = 0;

function safeOrigin(url) {
  try { return new URL(url).origin; } catch { return url; }
}

self.onmessage = async (event) => {
  const msg = event.data;
  if (msg.type === 'load') {
    load?.abort();
    load = new Load(msg.load, msg.url, msg.rangeThreshold ?? undefined, msg.peaks ?? null);
    try {
      await load.run();
    } catch (err) {
      load?.post({ type: 'error', code: 'internal', message: String(err?.message ?? err), fatal: true });
    }
  } else if (msg.type === 'render') {
    if (load && load.id === msg.load) {
      try {
        load.render(msg);
      } catch (err) {
        load.post({ type: 'error', code: 'internal', message: String(err?.message ?? err), fatal: false });
      }
      // After the load, a view's samples may need new ranges: a refused one is a warning.
      const refused = load.rangeWarning();
      if (refused) load.post({ type: 'error', code: 'fetch-failed', message: refused, fatal: false });
    }
  } else if (msg.type === 'stats') {
    const module = await core();
    wasmHeapBytes = module.HEAPU8.length;
    postMessage({ type: 'stats', request: msg.request, ...(load ? load.stats() : { coreBytes: 0, wasmHeapBytes }) });
  } else if (msg.type === 'unload') {
    load?.abort();
    load = null;
  }
};
