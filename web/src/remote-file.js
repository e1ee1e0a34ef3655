// SPDX-License-Identifier: MIT
// A remote file read in place through HTTP Range requests: few, large, concurrent, coalesced
// requests (multi-range where the server proves it answers them), one open-ended request for
// reading start to end, a bounded cache, and synchronous reads for what the demuxer asks for
// that is not there yet. An answer that is not exactly what was asked for is never used.
import { parseContentRange, rangeAnswerProblem } from './byte-range.js';
import { ByterangesParser, MultipartError, multipartBoundary } from './multipart.js';

const EMPTY = new Uint8Array(0);
const GAP = 64 << 10;              // ranges closer than this are fetched as one
const SYNC_MIN = 64 << 10;         // a synchronous read fetches at least this much
// Ranges in one multi-range request, and characters of its Range header. First what every server
// takes (Apache answers more than 200 ranges with the whole file); each answered request of a
// level's size opens the next: header lines up to nginx's and Apache's 8 KiB, then Node's 16 KiB
// of headers. A refusal of a larger request goes back one level for good. (An hour of an MP4
// interleaved frame by frame has ~90,000 runs of sound: ~200 requests at 8,000 characters.)
const MULTI_LEVELS = [{ ranges: 100, chars: 7000 }, { ranges: 1000, chars: 8000 }, { ranges: 1000, chars: 14000 }];
const PIECE_BYTES = 1 << 20;       // the stream's bytes are cached in pieces this large
const SCRATCH_BYTES = 256 << 10;   // the stream's reused buffer, one network read at most
const SPARE_PIECES = 4;
const FINGERPRINT_BYTES = 4096;    // compared against a fresh URL's first bytes
const EXPIRY_STATUSES = new Set([400, 401, 403, 410]);
const RETRY_MS = [250, 1000];      // waits before the 2nd and 3rd attempt of a request that broke
// A connection lost after earlier reads succeeded: the file pauses and looks again after these
// waits (the last repeated while the file is open).
const RECONNECT_MS = [1000, 2000, 4000, 8000, 16000, 30000];
const PAUSING = new Set(['link-expired', 'connection-lost']);
const RATE_MIN_BYTES = 256 << 10;  // answers at least this large measure the throughput
const STREAM_ATTEMPTS = 4;         // reopenings of the stream in a row that bring no byte
// A server that sends less than STALL_BYTES in stallMs (no answer, a stalled or trickling body)
// is given up on and asked again: a load never hangs on one connection.
const STALL_MS = 30000;
const STALL_BYTES = 1024;
const REQUEST_CHUNKS = 4;          // a request asks for at most this many chunkBytes

export class RemoteError extends Error {
  /** code: 'cors-blocked' | 'fetch-failed' | 'link-expired' | 'connection-lost' | 'range-refused'; status: the HTTP status or 0 */
  constructor(code, message, status = 0) {
    super(message);
    this.name = 'RemoteError';
    this.code = code;
    this.status = status;
  }
}

/** A failure in transit (connection broken, HTTP 5xx): worth asking again. */
class Transient extends Error {}

/**
 * Calls onStall when, in a window of `ms`, fewer than STALL_BYTES (or what is still `need`ed)
 * arrived while it ran.
 */
class Watchdog {
  constructor(ms, onStall) {
    this.ms = ms;
    this.onStall = onStall;
    this.bytes = 0;
    this.mark = 0;
    this.timer = null;
    this.stalled = false;
    this.need = () => Infinity;
    this.busy = null;   // while it says true, silence is not a stall (see RemoteFile.send)
  }

  start() {
    if (this.timer || this.stalled || !(this.ms > 0 && this.ms < Infinity)) return;
    this.mark = this.bytes;
    this.timer = setTimeout(() => {
      this.timer = null;
      if (this.bytes - this.mark >= Math.min(STALL_BYTES, this.need()) || this.busy?.()) this.start();
      else {
        this.stalled = true;
        this.onStall();
      }
    }, this.ms);
    this.timer.unref?.();
  }

  progress(n) { this.bytes += n; }

  stop() {
    clearTimeout(this.timer);
    this.timer = null;
  }
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const pageOrigin = () => globalThis.location?.origin;
const originOf = (url) => {
  try { return new URL(url).origin; } catch { return 'the media server'; }
};
function deferred() {
  const d = {};
  d.promise = new Promise((resolve, reject) => { d.resolve = resolve; d.reject = reject; });
  d.promise.catch(() => {});
  return d;
}
const rangeHeader = (ranges) => `bytes=${ranges.map(([s, e]) => `${s}-${e - 1}`).join(',')}`;
const cancelBody = (response) => { response.body?.cancel().catch(() => {}); };
/** A byte position a read can start at (a bug in a caller must not become a `bytes=-5-` request). */
const validPosition = (p) => Number.isSafeInteger(p) && p >= 0;
/** A header's non-negative integer value, or NaN ("1e3", "", "-1" and null are not one). */
const decimal = (value) => (/^\s*\d+\s*$/.test(value ?? '') ? Number(value) : NaN);

/** A synchronous Range request with XMLHttpRequest (allowed in workers). */
function xhrSyncFetch(url, start, end, { timeoutMs = 0 } = {}) {
  const xhr = new XMLHttpRequest();
  xhr.open('GET', url, false);
  xhr.responseType = 'arraybuffer';
  // Allowed for synchronous requests in workers: a stalled server must not hold the worker forever.
  try { xhr.timeout = timeoutMs; } catch { /* a document: not settable */ }
  xhr.setRequestHeader('Range', `bytes=${start}-${end - 1}`);
  xhr.send();
  return {
    status: xhr.status,
    contentRange: xhr.getResponseHeader('content-range'),
    lastModified: xhr.getResponseHeader('last-modified'),
    etag: xhr.getResponseHeader('etag'),
    bytes: new Uint8Array(xhr.response ?? EMPTY.buffer),
  };
}

/**
 * The cached bytes: chunks sorted by start, found by binary search, never overlapping. Unpinned
 * chunks are evicted least recently used first (those below `forgetBelow` before any), keeping
 * their total within `limit`; chunks that overlap a pinned range stay.
 */
class ByteCache {
  constructor(limit, maxPinned = Infinity) {
    this.limit = limit;
    this.maxPinned = maxPinned;  // of pinned ranges: a hostile file's "index" beyond it is only cached
    this.pinnedRanges = 0;
    this.chunks = [];          // { start, end, bytes, pinned, live }
    this.lru = new Map();      // unpinned chunks, least recently used first
    this.bytes = 0;            // unpinned
    this.pinnedBytes = 0;
    this.pins = [];            // sorted, merged [start, end) ranges
    this.forgetBelow = 0;
    // The sequential stream's chunks that nothing but the reader ahead of `passedBelow` has read:
    // dropped once that reader is past them (pass()).
    this.streamed = new Set();
    this.passedBelow = 0;
    // Buffers of whole pieces dropped by pass(), for the stream's next pieces: a new one per MiB
    // would leave the garbage collector as many as it lets pile up (tens of MB) on a long file.
    this.spare = [];
  }

  /** Index of the last chunk starting at or before `pos`, or -1. */
  floor(pos) {
    let lo = 0;
    let hi = this.chunks.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (this.chunks[mid].start <= pos) { found = mid; lo = mid + 1; } else hi = mid - 1;
    }
    return found;
  }

  at(pos) {
    const i = this.floor(pos);
    return i >= 0 && this.chunks[i].end > pos ? i : -1;
  }

  /** The start of the first chunk after `pos`, or Infinity. */
  nextStart(pos) {
    return this.chunks[this.floor(pos) + 1]?.start ?? Infinity;
  }

  /** The parts of [start, end) not cached. */
  missing(start, end) {
    const gaps = [];
    let pos = start;
    for (let i = Math.max(0, this.floor(start)); i < this.chunks.length && pos < end; i++) {
      const c = this.chunks[i];
      if (c.end <= pos) continue;
      if (c.start >= end) break;
      if (c.start > pos) gaps.push([pos, c.start]);
      pos = c.end;
    }
    if (pos < end) gaps.push([pos, end]);
    return gaps;
  }

  touch(c) {
    if (c.pinned) return;
    this.lru.delete(c);
    this.lru.set(c, true);
  }

  /** The cached bytes contiguous from `pos`, at most `length`, or null if `pos` is not cached. */
  read(pos, length) {
    const i = this.at(pos);
    if (i < 0) return null;
    const first = this.chunks[i];
    const end = pos + length;
    // A read behind the sequential reader (a view) makes what it read worth keeping.
    const behind = pos < this.passedBelow;
    if (behind) this.streamed.delete(first);
    this.touch(first);
    if (first.end >= end || this.chunks[i + 1]?.start !== first.end) {
      return first.bytes.subarray(pos - first.start, Math.min(first.end, end) - first.start);
    }
    let j = i;
    while (this.chunks[j].end < end && this.chunks[j + 1]?.start === this.chunks[j].end) j++;
    const stop = Math.min(this.chunks[j].end, end);
    const out = new Uint8Array(stop - pos);
    for (let k = i, at = pos; k <= j; k++) {
      const c = this.chunks[k];
      if (behind) this.streamed.delete(c);
      this.touch(c);
      const to = Math.min(c.end, stop);
      out.set(c.bytes.subarray(at - c.start, to - c.start), at - pos);
      at = to;
    }
    return out;
  }

  isPinned(start, end) {
    let lo = 0;
    let hi = this.pins.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const [s, e] = this.pins[mid];
      if (e <= start) lo = mid + 1;
      else if (s >= end) hi = mid - 1;
      else return true;
    }
    return false;
  }

  pin(asked) {
    const ranges = [];
    for (const [s, e] of asked) {
      if (this.pinnedRanges + (e - s) > this.maxPinned) break;
      this.pinnedRanges += e - s;   // an upper bound: ranges pinned twice count twice
      ranges.push([s, e]);
    }
    const all = [...this.pins, ...ranges].sort((a, b) => a[0] - b[0]);
    this.pins = [];
    for (const [s, e] of all) {
      const last = this.pins[this.pins.length - 1];
      if (last && s <= last[1]) last[1] = Math.max(last[1], e);
      else this.pins.push([s, e]);
    }
    for (const [s, e] of ranges) {
      for (let i = Math.max(0, this.floor(s)); i < this.chunks.length && this.chunks[i].start < e; i++) {
        const c = this.chunks[i];
        if (c.end <= s || c.pinned) continue;
        c.pinned = true;
        this.lru.delete(c);
        this.bytes -= c.end - c.start;
        this.pinnedBytes += c.end - c.start;
      }
    }
  }

  /** Adds a chunk that overlaps none. */
  add(c) {
    this.chunks.splice(this.floor(c.start) + 1, 0, c);
    c.pinned = this.isPinned(c.start, c.end);
    if (c.pinned) this.pinnedBytes += c.end - c.start;
    else {
      this.bytes += c.end - c.start;
      this.lru.set(c, true);
    }
  }

  /**
   * The sequential reader is past `before`: the stream's chunks below it that no other read used
   * are dropped now rather than filling the cache up to its limit (a file read start to end needs
   * only what is ahead; views keep the LRU's room for themselves).
   */
  pass(before) {
    this.passedBelow = before;
    const gone = new Set();
    for (const c of this.streamed) {
      if (c.live || c.end > before) continue;
      this.streamed.delete(c);
      if (!c.pinned) gone.add(c);
    }
    if (!gone.size) return;
    this.chunks = this.chunks.filter((c) => !gone.has(c));
    for (const c of gone) {
      this.lru.delete(c);
      this.bytes -= c.end - c.start;
      const buffer = c.bytes.buffer;
      if (c.bytes.byteOffset === 0 && buffer.byteLength === PIECE_BYTES && this.spare.length < SPARE_PIECES) this.spare.push(buffer);
      c.bytes = EMPTY;
    }
  }

  /** A buffer for the stream's next piece. */
  pieceBuffer(capacity) {
    return capacity === PIECE_BYTES && this.spare.length ? new Uint8Array(this.spare.pop()) : new Uint8Array(capacity);
  }

  /** The live chunk `c` grew by `n` bytes at its end. */
  grew(c, n) {
    if (c.pinned) this.pinnedBytes += n;
    else this.bytes += n;
  }

  /** Caches the parts of `bytes` (found at `start`) that are not cached yet. */
  insert(start, bytes) {
    for (const [s, e] of this.missing(start, start + bytes.length)) {
      let piece = bytes.subarray(s - start, e - start);
      // A small piece of a large answer is copied, so that the rest of it can be freed.
      if (piece.length * 2 < piece.buffer.byteLength) piece = piece.slice();
      this.add({ start: s, end: e, bytes: piece, pinned: false, live: false });
    }
    this.evict();
  }

  /**
   * Evicts down to a little below the limit in one pass over the chunks: removing them one at a
   * time costs a pass each (an interleaved MP4's hours of small runs are 100,000s of chunks).
   */
  evict() {
    if (this.bytes <= this.limit) return;
    const goal = this.limit - Math.min(this.limit >> 4, 4 << 20);
    const victims = new Set();
    let left = this.bytes;
    for (let i = 0; i < this.chunks.length && this.chunks[i].end <= this.forgetBelow && left > goal; i++) {
      const c = this.chunks[i];
      if (c.pinned || c.live) continue;
      victims.add(c);
      left -= c.end - c.start;
    }
    if (left > goal) {
      for (const c of this.lru.keys()) {
        if (c.live || victims.has(c)) continue;
        victims.add(c);
        left -= c.end - c.start;
        if (left <= goal) break;
      }
    }
    if (!victims.size) return;
    this.chunks = this.chunks.filter((c) => !victims.has(c));
    for (const c of victims) {
      this.lru.delete(c);
      this.streamed.delete(c);
    }
    this.bytes = left;
  }
}

/**
 * Opens `url` for reading in place with one `Range: bytes=0-` request (CORS-safelisted: no
 * preflight). See the RemoteFile class; `fileOptions` go to its constructor.
 * Returns { kind: 'ranges', file, head } or { kind: 'stream', response } (the server answered with
 * the whole file); throws a RemoteError.
 */
export async function openRemote(url, { headBytes = 1 << 20, fetchImpl, signal, ...fileOptions } = {}) {
  const fetchFn = fetchImpl ?? ((u, o) => fetch(u, o));
  const stallMs = fileOptions.stallMs ?? STALL_MS;
  let response;
  let asked = performance.now();
  try {
    // S3 asks clients to retry its 500 InternalError and 503 SlowDown; a silent server is given up on.
    for (let attempt = 0; ; attempt++) {
      const controller = new AbortController();
      const abort = () => controller.abort();
      signal?.addEventListener('abort', abort);
      if (signal?.aborted) abort();
      const watch = new Watchdog(stallMs, abort);
      watch.start();
      asked = performance.now();
      try {
        response = await fetchFn(url, { headers: { Range: 'bytes=0-' }, credentials: 'omit', signal: controller.signal });
      } catch (err) {
        if (!watch.stalled || signal?.aborted) throw err;
        if (attempt >= RETRY_MS.length) throw new TypeError(`no answer in ${stallMs / 1000} s`);
      } finally {
        watch.stop();
        signal?.removeEventListener('abort', abort);
      }
      if (response && !(response.status >= 500 || response.status === 429) || attempt >= RETRY_MS.length) break;
      if (response) cancelBody(response);
      response = null;
      await sleep(RETRY_MS[attempt]);
    }
  } catch (err) {
    if (err?.name === 'AbortError') throw err;
    // Fetch hides why; an opaque no-cors request tells a CORS refusal from an unreachable server.
    let reachable = false;
    try {
      await fetchFn(url, { mode: 'no-cors', credentials: 'omit', signal });
      reachable = !!pageOrigin();
    } catch { /* unreachable */ }
    const origin = originOf(url);
    if (reachable) {
      throw new RemoteError('cors-blocked', `The media server ${origin} does not allow this page to read the file `
        + '(no Access-Control-Allow-Origin header), so the waveform cannot be drawn. Playback may still work. '
        + `Add a CORS rule to the bucket or server allowing GET from ${pageOrigin() === 'null' ? 'this page' : 'the page origin'}.`);
    }
    throw new RemoteError('fetch-failed', `Could not download the media from ${origin}: the server is unreachable (${err?.message ?? err}).`);
  }
  const { status } = response;
  if (status === 200) return { kind: 'stream', response: watched(response, stallMs) };
  if (status !== 206) {
    cancelBody(response);
    throw new RemoteError('fetch-failed', `Could not download the media: the server answered HTTP ${status}`
      + `${response.statusText ? ` ${response.statusText}` : ''}${status === 403 ? ' (an expired or unsigned link?)' : ''}.`, status);
  }
  // A range of a compressed representation cannot be read in place (S3 serves an object stored
  // with Content-Encoding gzip so whatever the request's Accept-Encoding); its whole body, which
  // the browser decodes, can be streamed.
  const encoding = response.headers.get('content-encoding');
  if (encoding && !/^\s*identity\s*$/i.test(encoding)) return { kind: 'stream', response: watched(response, stallMs) };
  const contentRange = response.headers.get('content-range');
  let size;
  if (contentRange !== null) {
    const range = parseContentRange(contentRange);
    // A server may answer an open-ended range with less than the rest (the stream reads on).
    if (!range || range.first !== 0) {
      cancelBody(response);
      throw new RemoteError('range-refused', `The media could not be read in place: the server answered a request for bytes 0- `
        + `(the whole file) with Content-Range "${contentRange}"; nothing of that answer was used.`, status);
    }
    size = range.total;
  } else {
    // S3 behind Ground Truth's usual CORS rule exposes no Content-Range; Content-Length is always readable.
    size = decimal(response.headers.get('content-length'));
  }
  // The whole file from its first byte, of a size not said: it can only be streamed.
  if (!(size > 0)) return { kind: 'stream', response: watched(response, stallMs) };
  if (!Number.isSafeInteger(size)) {
    cancelBody(response);
    throw new RemoteError('range-refused', `The media could not be read in place: the server says it has ${contentRange ?? response.headers.get('content-length')} bytes, more than can be addressed.`, status);
  }
  const answered = performance.now();
  const file = new RemoteFile(url, size, { fetchImpl: fetchFn, ...fileOptions });
  file.measure(answered - asked);
  file.lastModified = response.headers.get('last-modified');
  file.etag = response.headers.get('etag');
  file.contentRangeHidden = contentRange === null;
  file.requests = 1;
  file.successes = 1;
  const sent = contentRange !== null ? parseContentRange(contentRange).last + 1 : size;
  file.attachStream(streamReader(response.body), 0, Math.min(size, headBytes), sent);
  // An expired link pauses a want; here it ends the opening.
  const failed = new Promise((resolve) => { file.onerror = resolve; });
  try {
    await Promise.race([file.want([[0, Math.min(size, headBytes)]]), failed]);
  } catch (err) {
    file.close();
    throw err;
  }
  file.onerror = null;
  if (file.error) {
    file.close();
    // Nothing was read yet: a lost connection fails the opening.
    if (file.error.code === 'connection-lost') throw new RemoteError('fetch-failed', `Could not download the media: ${file.error.message.replace(/;.*$/, '')}.`);
    throw file.error;
  }
  file.measure(null, Math.min(size, headBytes), performance.now() - answered);
  const head = file.cache.read(0, Math.min(size, headBytes)) ?? EMPTY;
  return { kind: 'ranges', file, head: head.slice() };
}

/**
 * `response` with a body that errors (a TypeError, as a broken connection) when the server sends
 * less than STALL_BYTES in `stallMs`: a streamed download never hangs on a silent server.
 */
function watched(response, stallMs) {
  if (!response.body || !(stallMs > 0 && stallMs < Infinity)) return response;
  const reader = response.body.getReader();
  // The window runs while a read waits; a consumer that stops reading (back-pressure) is no stall.
  let bytes = 0;
  let mark = 0;
  let timer = null;
  let waiting = false;
  let stalled = false;
  let stream;
  const arm = () => {
    mark = bytes;
    timer = setTimeout(check, stallMs);
    timer.unref?.();
  };
  const check = () => {
    timer = null;
    if (!waiting) return;
    if (bytes - mark >= STALL_BYTES) return arm();
    stalled = true;
    stream.error(new TypeError(`the server sent less than ${STALL_BYTES} bytes in ${stallMs / 1000} s`));
    reader.cancel().catch(() => {});
  };
  const body = new ReadableStream({
    start(controller) { stream = controller; },
    async pull(controller) {
      waiting = true;
      if (!timer) arm();
      try {
        const { done, value } = await reader.read();
        if (stalled) return;
        if (done) {
          clearTimeout(timer);
          controller.close();
        } else {
          bytes += value.length;
          controller.enqueue(value);
        }
      } catch (err) {
        clearTimeout(timer);
        if (!stalled) controller.error(err);
      } finally {
        waiting = false;
      }
    },
    cancel(reason) {
      clearTimeout(timer);
      return reader.cancel(reason);
    },
  });
  return new Response(body, { status: response.status, statusText: response.statusText, headers: response.headers });
}

export class RemoteFile {
  constructor(url, size, { cacheBytes = 64 << 20, maxInFlight = 4, chunkBytes = 4 << 20, fetchImpl, syncFetch, stallMs = STALL_MS,
    maxPinnedBytes = 256 << 20 } = {}) {
    this.url = url;
    this.size = size;
    this.lastModified = null;
    this.etag = null;                 // when readable (same origin, or exposed)
    this.stallMs = stallMs;
    this.lastProgress = -Infinity;    // when bytes last arrived on any of its connections
    this.controllers = new Set();     // of the requests out now (close() aborts them)
    this.requests = 0;
    this.bytesFetched = 0;
    this.syncRequests = 0;
    this.inFlight = 0;
    this.multiRange = null;
    this.error = null;
    this.onerror = null;              // called with this.error when it is set
    this.maxInFlight = maxInFlight;
    this.chunkBytes = chunkBytes;
    this.fetchImpl = fetchImpl ?? ((u, o) => fetch(u, o));
    this.syncFetch = syncFetch ?? (typeof XMLHttpRequest === 'function' ? xhrSyncFetch : null);
    this.cache = new ByteCache(cacheBytes, maxPinnedBytes);
    this.contentRangeHidden = false;
    this.successes = 0;               // answers used: an expiry is a refusal after one
    this.queue = [];                  // ranges waiting for a request: { start, end, done, attempts }
    this.flying = [];                 // ranges in a request now
    this.probing = false;             // a multi-range request whose answer decides multiRange is out
    this.multiLevel = 0;
    this.multiTop = MULTI_LEVELS.length - 1;
    this.stream = null;
    this.fingerprint = null;
    this.syncAhead = SYNC_MIN;
    this.syncEnd = -Infinity;
    this.rttMs = null;                // time to the first byte of answers (moving average)
    this.bytesPerMs = null;           // throughput of one connection, from large answers
    this.onresume = null;             // called when a lost connection answers again
    this.reconnecting = false;
  }

  /** Takes in a measured round trip (ms to the answer's headers) and/or a body's bytes and time. */
  measure(rttMs, bytes = 0, ms = 0) {
    const mix = (old, v) => (old === null ? v : 0.7 * old + 0.3 * v);
    if (rttMs !== null && rttMs >= 0) this.rttMs = mix(this.rttMs, rttMs);
    if (bytes >= RATE_MIN_BYTES) this.bytesPerMs = mix(this.bytesPerMs, bytes / Math.max(ms, 1));
  }

  /**
   * The gap under which wanted ranges are fetched as one request: while every range costs a
   * request of its own, fetching a gap is cheaper than another round trip when it takes less
   * time than that round trip at one connection's measured throughput (which already shares the
   * link with the others in flight). At least `floor`, at most the request size bound.
   */
  crossGap(floor) {
    if (this.multiRange !== false || this.rttMs === null || this.bytesPerMs === null) return floor;
    return Math.max(floor, Math.min(REQUEST_CHUNKS * this.chunkBytes, Math.floor(this.rttMs * this.bytesPerMs)));
  }

  /** Bytes already fetched (the probe's head). */
  seed(start, bytes) {
    this.bytesFetched += bytes.length;
    this.store(start, bytes);
  }

  has(position, length = 1) {
    if (!validPosition(position) || Number.isNaN(length)) return false;
    const end = Math.min(position + Math.max(0, Math.ceil(length)), this.size);
    return end <= position || this.cache.missing(position, end).length === 0;
  }

  stats() {
    return {
      requests: this.requests, syncRequests: this.syncRequests, bytesFetched: this.bytesFetched,
      cachedBytes: this.cache.bytes, pinnedBytes: this.cache.pinnedBytes, multiRange: this.multiRange,
      rttMs: this.rttMs, bytesPerMs: this.bytesPerMs,
    };
  }

  forget(before) {
    this.cache.forgetBelow = before;
  }

  /**
   * A reader going start to end (prefetch()) is past `before`: what the stream brought below it
   * is dropped now, except bytes a read behind it (a view) has used since.
   */
  passed(before) {
    this.cache.pass(before);
  }

  /** Stops the stream and every request that has not started; what is cached stays. */
  close() {
    this.cancelStream();
    this.closed = true;
    for (const e of this.queue.splice(0)) e.done.reject(this.closedError());
    // Requests out now stop downloading (their wants reject).
    for (const c of this.controllers) c.abort();
  }

  closedError() {
    return new RemoteError('fetch-failed', 'The media was closed.');
  }

  /**
   * The returned bytes are the cache's own, valid until the caller's next await: those a
   * sequential reader has passed are reused for the stream's next bytes (copy what is kept).
   */
  read(position, length) {
    if (!validPosition(position)) return EMPTY;
    const end = Math.min(position + Math.floor(length), this.size);
    if (this.error || !(end > position)) return EMPTY;
    const hit = this.cache.read(position, end - position);
    if (hit) return hit;
    if (this.closed) return EMPTY;
    if (this.stream && !this.stream.used && !this.streamReaches(position, GAP)) this.cancelStream();
    if (!this.syncFetch) return EMPTY;
    // Synchronous reads that follow one another (a demuxer nobody fetched ahead for), or skip a
    // little past the last one's end (one run of sound per picture), fetch twice as far each time,
    // up to chunkBytes.
    const follows = position >= this.syncEnd && position < this.syncEnd + GAP;
    this.syncAhead = follows ? Math.min(this.syncAhead * 2, this.chunkBytes) : SYNC_MIN;
    let stop = Math.min(this.size, position + Math.max(end - position, this.syncAhead));
    const next = this.cache.nextStart(position);
    if (next < stop) stop = next;
    let answer;
    // What breaks in transit (S3's 500 InternalError, 503 SlowDown) is asked again at once: a
    // synchronous read cannot wait.
    for (let attempt = 0; ; attempt++) {
      this.requests++;
      this.syncRequests++;
      try {
        answer = this.syncFetch(this.url, position, stop, { timeoutMs: 4 * this.stallMs + ((stop - position) / (8 << 10)) * 1000 });
      } catch (err) {
        if (attempt < RETRY_MS.length) continue;
        this.lost(`the request for bytes ${position}-${stop - 1} failed ${attempt + 1} times (${err?.message ?? err})`);
        return EMPTY;
      }
      if (!(answer.status >= 500 || answer.status === 429) || attempt >= RETRY_MS.length) break;
    }
    if ((answer.status >= 500 || answer.status === 429) && this.successes > 0) {
      this.lost(`the server answered HTTP ${answer.status} to bytes ${position}-${stop - 1} ${RETRY_MS.length + 1} times`);
      return EMPTY;
    }
    const problem = this.refusal(answer.status, answer.contentRange, answer.bytes.length, position, stop)
      ?? this.changed(answer.lastModified, answer.etag);
    if (problem) {
      this.fail(problem);
      return EMPTY;
    }
    this.successes++;
    this.syncEnd = stop;
    this.bytesFetched += answer.bytes.length;
    this.store(position, answer.bytes);
    return this.cache.read(position, end - position) ?? answer.bytes.subarray(0, end - position);
  }

  async want(ranges, { pin = false, gap = GAP } = {}) {
    const asked = this.normalize(ranges);
    if (pin) this.cache.pin(asked);
    // Bytes evicted before the caller got to them are asked for again, but not forever.
    for (let round = 0; round < 3; round++) {
      const waits = this.request(asked, gap);
      if (!waits) return;
      await Promise.all(waits);
    }
  }

  async ready(position, length = 1) {
    if (Number.isNaN(position) || Number.isNaN(length)) throw new RangeError(`ready(${position}, ${length}): not a byte range`);
    if (position < 0) {
      length += position;
      position = 0;
    }
    position = Math.floor(position);
    const end = Math.min(position + Math.ceil(length), this.size);
    if (this.has(position, end - position)) return;
    if (this.streamReaches(this.cache.missing(position, end)[0][0], GAP)) return this.want([[position, end]]);
    // A small read is fetched as a synchronous read would be: at least 64 KiB.
    const stop = Math.max(end, Math.min(this.size, position + SYNC_MIN, this.cache.nextStart(position)));
    return this.want([[position, stop]]);
  }

  prefetch(position, bytes) {
    if (this.closed || (this.error && !PAUSING.has(this.error.code))) return;
    if (!(position >= 0)) position = Math.max(0, position);
    if (!Number.isFinite(position)) return;
    position = Math.floor(position);
    const end = Math.min(this.size, position + Math.ceil(bytes));
    const gaps = this.cache.missing(position, end);
    if (!gaps.length) return;
    const from = gaps[0][0];
    const s = this.stream;
    if (s && this.streamReaches(from, this.chunkBytes)) {
      s.used = true;
      s.target = Math.max(s.target, end);
      this.pumpStream();
      return;
    }
    this.cancelStream();
    this.attachStream(null, from, end).used = true;
  }

  async setUrl(url) {
    const different = (why) => new RemoteError('range-refused', `The fresh link is to a different file (${why}); the media was not changed.`);
    let x;
    try {
      x = await this.send(url, 'bytes=0-');
    } catch (err) {
      throw new RemoteError('fetch-failed', `The fresh link to the media could not be read: ${err?.message ?? err}.`);
    }
    this.requests++;
    const { response } = x;
    const { status } = response;
    const drop = () => {
      x.release();
      cancelBody(response);
    };
    if (status !== 206) {
      drop();
      if (status === 200) throw new RemoteError('range-refused', 'The fresh link to the media is to a server that does not answer Range requests (HTTP 200).', status);
      throw new RemoteError(EXPIRY_STATUSES.has(status) ? 'link-expired' : 'fetch-failed', `The fresh link to the media was refused (HTTP ${status}).`, status);
    }
    const contentRange = response.headers.get('content-range');
    const size = contentRange !== null ? parseContentRange(contentRange)?.total : decimal(response.headers.get('content-length'));
    if (size !== this.size) {
      drop();
      throw different(Number.isFinite(size) ? `${size} bytes, not ${this.size}` : `its size is not said (Content-Range "${contentRange}")`);
    }
    const lastModified = response.headers.get('last-modified');
    if (lastModified && this.lastModified && lastModified !== this.lastModified) {
      drop();
      throw different(`modified ${lastModified}, not ${this.lastModified}`);
    }
    const etag = response.headers.get('etag');
    if (etag && this.etag && etag !== this.etag) {
      drop();
      throw different(`ETag ${etag}, not ${this.etag}`);
    }
    const head = new Uint8Array(Math.min(FINGERPRINT_BYTES, size));
    let filled = 0;
    try {
      await this.readBody(x, Infinity, (chunk) => {
        const take = Math.min(chunk.length, head.length - filled);
        head.set(chunk.subarray(0, take), filled);
        filled += take;
        return filled < head.length;
      });
    } catch (err) {
      throw new RemoteError('fetch-failed', `The fresh link to the media could not be read: ${err?.message ?? err}.`);
    }
    this.bytesFetched += filled;
    if (this.fingerprint && (filled !== this.fingerprint.length || head.some((b, i) => b !== this.fingerprint[i]))) {
      throw different(`its first ${this.fingerprint.length} bytes differ`);
    }
    this.url = url;
    if (lastModified) this.lastModified = lastModified;
    if (etag) this.etag = etag;
    this.resume();
  }

  /** Reading goes on after a pause (a fresh link, or a lost connection that answers again). */
  resume() {
    const was = this.error;
    this.error = null;
    if (this.stream) this.stream.idle = 0;
    this.pump();
    this.pumpStream();
    if (was?.code === 'connection-lost') {
      try { this.onresume?.(); } catch { /* the listener's own problem */ }
    }
  }

  /**
   * A failure that is no refusal (a network error, a 5xx, a stall) once earlier reads succeeded:
   * the file pauses (what waits stays waiting) and looks again after 1, 2, 4 ... 30 s for as long
   * as it is open, resuming by itself when the server answers. Before any success it is fatal.
   */
  lost(why, entries = []) {
    if (this.successes === 0) {
      this.fail(new RemoteError('fetch-failed', `Reading the media in place broke off: ${why}.`), entries);
      return;
    }
    this.fail(new RemoteError('connection-lost', `The connection to the media server was lost (${why}); `
      + 'what is drawn and annotated stays, and reading resumes by itself when the server answers again.'), entries);
    this.reconnect();
  }

  async reconnect() {
    if (this.reconnecting) return;
    this.reconnecting = true;
    try {
      for (let i = 0; this.error?.code === 'connection-lost' && !this.closed; i++) {
        await sleep(RECONNECT_MS[Math.min(i, RECONNECT_MS.length - 1)]);
        if (this.error?.code !== 'connection-lost' || this.closed) return;
        const url = this.url;
        let x;
        try {
          x = await this.send(url, 'bytes=0-0');
        } catch {
          continue;
        }
        this.requests++;
        const { response } = x;
        x.release();
        cancelBody(response);
        const { status } = response;
        if (this.error?.code !== 'connection-lost' || url !== this.url) return;
        if (status >= 500 || status === 429) continue;
        if (EXPIRY_STATUSES.has(status)) {
          // Back, but the link has expired meanwhile: that pause needs a fresh link.
          this.error = this.expired(status);
          try { this.onerror?.(this.error); } catch { /* the listener's own problem */ }
          return;
        }
        this.resume();
        return;
      }
    } finally {
      this.reconnecting = false;
    }
  }

  // --- internals ---

  /**
   * fetch(url) with a Range header, watched: { response, watch, release() }. No answer within
   * stallMs, or close(), aborts it; a stall is a Transient failure (asked again).
   */
  async send(url, range) {
    const controller = new AbortController();
    const watch = new Watchdog(this.stallMs, () => controller.abort());
    // Until its answer begins, a request may only be waiting for a connection (a browser opens 6
    // to a server: the stream, those in flight, the <video>'s): silent only while nothing flows.
    watch.busy = () => performance.now() - this.lastProgress < this.stallMs;
    this.controllers.add(controller);
    const release = () => {
      watch.stop();
      this.controllers.delete(controller);
    };
    watch.start();
    try {
      const response = await this.fetchImpl(url, { headers: { Range: range }, credentials: 'omit', signal: controller.signal });
      watch.busy = null;
      return { response, watch, release };
    } catch (err) {
      release();
      throw this.stallError(watch, err);
    }
  }

  stallError(watch, err) {
    return watch.stalled ? new Transient(`the server sent less than ${STALL_BYTES} bytes in ${this.stallMs / 1000} s`) : err;
  }

  /**
   * Reads the body of `x` (from send()) chunk by chunk into onChunk; more than `max` bytes in all
   * is refused as `tooMuch(received)` before they are held.
   */
  async readBody(x, max, onChunk, tooMuch) {
    const reader = x.response.body.getReader();
    let received = 0;
    try {
      for (;;) {
        let r;
        try {
          r = await reader.read();
        } catch (err) {
          throw this.stallError(x.watch, err);
        }
        if (r.done) return received;
        received += r.value.length;
        x.watch.progress(r.value.length);
        this.lastProgress = performance.now();
        if (received > max) throw tooMuch(received);
        if (onChunk(r.value) === false) return received;
      }
    } finally {
      x.release();
      reader.cancel().catch(() => {});
    }
  }

  /** The whole body of `x`, at most `max` bytes. */
  async readAll(x, max, tooMuch) {
    const chunks = [];
    const n = await this.readBody(x, max, (c) => { chunks.push(c); }, tooMuch);
    if (chunks.length === 1) return chunks[0];
    const out = new Uint8Array(n);
    let at = 0;
    for (const c of chunks) {
      out.set(c, at);
      at += c.length;
    }
    return out;
  }

  /**
   * A RemoteError when an answer's validators say the file on the server is no longer the one
   * read so far (replaced while an annotator works): its bytes must not be spliced with those.
   */
  changed(lastModified, etag) {
    let why = null;
    if (lastModified && this.lastModified && lastModified !== this.lastModified) why = `Last-Modified "${lastModified}", not "${this.lastModified}"`;
    else if (etag && this.etag && etag !== this.etag) why = `ETag ${etag}, not ${this.etag}`;
    return why && this.refused(`the file on the server changed while it was read (${why}); reload the media`, 0);
  }

  changedIn(headers) {
    return this.changed(headers.get('last-modified'), headers.get('etag'));
  }

  normalize(ranges) {
    const clipped = [];
    for (const [s, e] of ranges) {
      const start = Math.max(0, Math.floor(s));
      const end = Math.min(this.size, Math.ceil(e));
      if (end > start) clipped.push([start, end]);
    }
    clipped.sort((a, b) => a[0] - b[0]);
    const merged = [];
    for (const r of clipped) {
      const last = merged[merged.length - 1];
      if (last && r[0] <= last[1]) last[1] = Math.max(last[1], r[1]);
      else merged.push(r);
    }
    return merged;
  }

  /** Asks for what of `asked` is neither cached nor coming; the promises of all that is coming, or null if all is cached. */
  request(asked, gap = GAP) {
    if (this.error && !PAUSING.has(this.error.code)) throw this.error;
    const gaps = asked.flatMap(([s, e]) => this.cache.missing(s, e));
    if (!gaps.length) return null;
    if (this.closed) throw this.closedError();
    const waits = [];
    const notStreamed = [];
    for (const g of gaps) {
      if (this.streamReaches(g[0], GAP)) waits.push(this.streamTo(g[1]));
      else notStreamed.push(g);
    }
    // The stream nobody continued is the probe's: a read elsewhere (an MP4's tables) ends it.
    if (notStreamed.length && this.stream && !this.stream.used) {
      if (waits.length) this.stream.endAtTarget = true;
      else this.cancelStream();
    }
    // What is queued or in flight is waited for, not asked again (one sweep over both, sorted);
    // of a request fetching across gaps, only the bytes it keeps.
    const pending = [];
    for (const e of [...this.queue, ...this.flying]) {
      if (e.keep) for (const [start, end] of e.keep) pending.push({ start, end, done: e.done });
      else pending.push(e);
    }
    pending.sort((a, b) => a.start - b.start);
    const hits = new Set();
    const rest = [];
    let j = 0;
    for (let [s, e] of notStreamed) {
      while (j < pending.length && pending[j].end <= s) j++;
      for (let k = j; s < e && k < pending.length && pending[k].start < e; k++) {
        const p = pending[k];
        if (p.end <= s) continue;
        if (p.start > s) rest.push([s, p.start]);
        hits.add(p);
        s = p.end;
      }
      if (s < e) rest.push([s, e]);
    }
    for (const done of new Set([...hits].map((p) => p.done))) waits.push(done.promise);
    // Across a gap the floor allows, everything is kept (the floor is small); across a wider one
    // (a measured round trip costs more than its bytes), only the wanted bytes are.
    const floor = gap;
    gap = this.crossGap(floor);
    const coalesced = [];
    for (const r of rest.sort((a, b) => a[0] - b[0])) {
      const last = coalesced[coalesced.length - 1];
      if (last && r[0] - last[1] < gap) {
        const keep = last[2];
        if (r[0] - keep[keep.length - 1][1] < floor) keep[keep.length - 1][1] = Math.max(keep[keep.length - 1][1], r[1]);
        else keep.push([...r]);
        last[1] = Math.max(last[1], r[1]);
      } else coalesced.push([r[0], r[1], [[...r]]]);
    }
    // No request larger than REQUEST_CHUNKS chunkBytes: what is in flight stays bounded however
    // much is wanted (a hostile index, ranges coalesced across a video's pictures).
    const most = REQUEST_CHUNKS * this.chunkBytes;
    for (const [s, e, keep] of coalesced) {
      for (let start = s; start < e; start += most) {
        const end = Math.min(e, start + most);
        const entry = { start, end, done: deferred(), attempts: 0 };
        if (keep.length > 1) {
          const mine = keep.filter(([ks, ke]) => ke > start && ks < end).map(([ks, ke]) => [Math.max(ks, start), Math.min(ke, end)]);
          // A piece that keeps everything it fetches keeps it as one.
          if (mine.length > 1 || mine[0][0] > start || mine[0][1] < end) entry.keep = mine;
          if (!mine.length) continue;
          entry.start = mine[0][0];
          entry.end = mine[mine.length - 1][1];
          if (mine.length === 1) delete entry.keep;
        }
        this.queue.push(entry);
        waits.push(entry.done.promise);
      }
    }
    this.pump();
    return waits;
  }

  /** Starts requests for queued ranges while fewer than maxInFlight are out. */
  pump() {
    while (this.queue.length && this.inFlight < this.maxInFlight && !this.error && !this.closed) {
      let entries;
      if (this.multiRange !== false && this.queue.length > 1) {
        if (this.multiRange === null && this.probing) return;
        let header = 'bytes='.length;
        const limit = MULTI_LEVELS[this.multiLevel];
        let count = 0;
        let bytes = 0;
        while (count < this.queue.length && count < limit.ranges) {
          const { start, end } = this.queue[count];
          header += `${start}-${end - 1},`.length;
          bytes += end - start;
          if ((header > limit.chars || bytes > REQUEST_CHUNKS * this.chunkBytes) && count) break;
          count++;
        }
        entries = this.queue.splice(0, count).sort((a, b) => a.start - b.start);
      } else {
        entries = [this.queue.shift()];
      }
      const multi = entries.length > 1;
      if (multi && this.multiRange === null) this.probing = true;
      this.inFlight++;
      this.flying.push(...entries);
      this.run(entries, multi).finally(() => {
        this.inFlight--;
        if (multi && this.probing) this.probing = false;
        const finished = new Set(entries);
        this.flying = this.flying.filter((e) => !finished.has(e));
        this.pump();
      });
    }
  }

  async run(entries, multi) {
    const url = this.url;
    try {
      if (multi) await this.fetchMulti(entries, url);
      else await this.fetchSingle(entries[0], url);
    } catch (err) {
      if (this.closed) {
        for (const e of entries) e.done.reject(this.closedError());
        return;
      }
      // A refusal of the link given up for a fresh one meanwhile: asked again with the fresh one.
      if (err instanceof RemoteError && err.code === 'link-expired' && url !== this.url) {
        this.queue.unshift(...entries);
        return;
      }
      if (err instanceof RemoteError) {
        this.fail(err, entries);
        return;
      }
      const attempt = Math.max(...entries.map((e) => ++e.attempts));
      const ranges = entries.map((e) => `${e.start}-${e.end - 1}`).join(',');
      if (attempt > RETRY_MS.length) {
        if (this.successes > 0 && !(err instanceof Transient) && await this.answersWithoutCors()) {
          // The same URL passed CORS before; an answer without CORS headers now is an error answer: S3's
          // refusal of an expired link, on a bucket whose rule does not cover errors.
          this.fail(new RemoteError('link-expired', `The link to the media has expired after ${this.successes} reads (the server now refuses it `
            + 'with an answer this page may not read); what is drawn and annotated stays, and reading resumes once the page is given a fresh link to the same file.'), entries);
          return;
        }
        for (const e of entries) e.attempts = 0;
        this.lost(`the request for bytes ${ranges} failed ${attempt} times (${err?.message ?? err})`, entries);
        return;
      }
      await sleep(RETRY_MS[attempt - 1]);
      if (this.closed) for (const e of entries) e.done.reject(this.closedError());
      else this.queue.unshift(...entries);
    }
  }

  async fetchSingle(entry, url) {
    const { start, end } = entry;
    this.requests++;
    const asked = performance.now();
    const x = await this.send(url, rangeHeader([[start, end]]));
    const answered = performance.now();
    this.measure(answered - asked);
    const { response } = x;
    if (response.status >= 500 || response.status === 429) {
      x.release();
      cancelBody(response);
      throw new Transient(`HTTP ${response.status}`);
    }
    const contentRange = response.headers.get('content-range');
    let problem = this.refusal(response.status, contentRange, undefined, start, end) ?? this.changedIn(response.headers);
    if (problem) {
      x.release();
      cancelBody(response);
      throw problem;
    }
    // A body longer than asked (a huge or endless one) is refused before it is held.
    const length = Math.min(end, this.size) - start;
    const tooMuch = (n) => this.refused(`the server's answer to a request for bytes ${start}-${end - 1} goes on past the ${length} bytes asked for (${n} came)`, response.status);
    if (entry.keep) {
      // Fetched across gaps: only the wanted bytes are held, the rest dropped as it streams by.
      const parts = entry.keep.map(([s, e]) => ({ first: s, bytes: new Uint8Array(e - s) }));
      let at = start;
      let k = 0;
      const received = await this.readBody(x, length, (chunk) => {
        const to = at + chunk.length;
        while (k < parts.length && parts[k].first + parts[k].bytes.length <= at) k++;
        for (let j = k; j < parts.length && parts[j].first < to; j++) {
          const p = parts[j];
          const from = Math.max(at, p.first);
          const until = Math.min(to, p.first + p.bytes.length);
          if (until > from) p.bytes.set(chunk.subarray(from - at, until - at), from - p.first);
        }
        at = to;
      }, tooMuch);
      this.measure(null, received, performance.now() - answered);
      problem = this.refusal(response.status, contentRange, received, start, end);
      if (problem) throw problem;
      this.bytesFetched += received - parts.reduce((n, p) => n + p.bytes.length, 0);
      this.accept([entry], parts);
      return;
    }
    const bytes = await this.readAll(x, length, tooMuch);
    this.measure(null, bytes.length, performance.now() - answered);
    problem = this.refusal(response.status, contentRange, bytes.length, start, end);
    if (problem) throw problem;
    this.accept([entry], [{ first: start, bytes }]);
  }

  async fetchMulti(entries, url) {
    const ranges = entries.map((e) => [e.start, e.end]);
    const header = rangeHeader(ranges);
    // Larger than the level below allows: a refusal may be of its size.
    const level = MULTI_LEVELS.findIndex((l) => ranges.length <= l.ranges && header.length <= l.chars);
    const big = level > 0;
    this.requests++;
    let x;
    const sent = performance.now();
    try {
      x = await this.send(url, header);
      this.measure(performance.now() - sent);
    } catch (err) {
      if (err instanceof Transient || this.closed) throw err;
      if (big) return this.shrinkMultiRange(entries, level);
      // A cross-origin server without Range in its allowed headers refuses the preflight that a
      // multi-range Range header needs.
      if (this.multiRange !== true) return this.noMultiRange(entries);
      throw err;
    }
    const { response } = x;
    const { status } = response;
    const drop = () => {
      x.release();
      cancelBody(response);
    };
    // A server that failed on its first multi-range request may not take them at all (501, a 500
    // of its own): ranges go one by one. Once it answered one, a 5xx is asked again (S3's 503 SlowDown).
    if (status >= 500 || status === 429) {
      drop();
      if (this.multiRange !== true || status === 501) return big ? this.shrinkMultiRange(entries, level) : this.noMultiRange(entries);
      throw new Transient(`HTTP ${status}`);
    }
    // nginx answers a header line longer than its buffer with 400.
    if (big && [400, 413, 414, 431].includes(status)) {
      drop();
      return this.shrinkMultiRange(entries, level);
    }
    if (EXPIRY_STATUSES.has(status) && this.successes > 0) {
      drop();
      throw this.expired(status);
    }
    const changed = this.changedIn(response.headers);
    if (changed && (status === 200 || status === 206)) {
      drop();
      throw changed;
    }
    const boundary = status === 206 ? multipartBoundary(response.headers.get('content-type')) : null;
    const lo = ranges[0][0];
    const hi = ranges[ranges.length - 1][1];
    // What an answer may hold: the bytes asked, and the small gaps a server may merge over (RFC 9110 14.6).
    const asked = ranges.reduce((n, [s, e]) => n + e - s, 0);
    const allowance = Math.min(hi - lo, asked + ranges.length * 1024 + GAP);
    let parts;
    if (boundary) {
      const parser = new ByterangesParser(boundary, { maxPartBytes: allowance, maxTotalBytes: 2 * allowance });
      const malformed = (err) => this.refused(`the server's multipart answer to a request for ${ranges.length} ranges is malformed: ${err.message}`, status);
      try {
        // The framing adds ~100 bytes a part.
        await this.readBody(x, 2 * allowance + (ranges.length + 8) * 1024, (chunk) => {
          parser.push(chunk);
          return !parser.done;
        }, () => malformed(new MultipartError('it goes on past what was asked')));
        parts = parser.end();
      } catch (err) {
        if (!(err instanceof MultipartError)) throw err;
        throw malformed(err);
      }
      for (const p of parts) {
        if (Number.isFinite(p.total) ? p.total !== this.size : p.last >= this.size) {
          throw this.refused(`the server answered a request for ${ranges.length} ranges with a part "bytes ${p.first}-${p.last}/${p.total}": a file of ${p.total} bytes, not the ${this.size} it had`, status);
        }
      }
      const uncovered = uncoveredBy(ranges, parts);
      if (uncovered) {
        throw this.refused(`the server's multipart answer to a request for ${ranges.length} ranges leaves bytes ${uncovered[0]}-${uncovered[1] - 1} out`, status);
      }
    } else {
      // One part for all is fine if it covers them (a server may merge ranges); anything else
      // (S3's 200 with the whole file, a 416, a first range only) means: ask one by one.
      // A single part much larger than what was asked (a server that answers many ranges with one
      // from the first to the last, or the whole file as a 206) is not read either.
      const range = status === 206 ? parseContentRange(response.headers.get('content-range')) : null;
      const covers = range && range.first <= lo && range.last + 1 >= hi && (!Number.isFinite(range.total) || range.total === this.size)
        && range.last - range.first + 1 <= Math.max(2 * asked, asked + this.chunkBytes);
      if (!covers) {
        drop();
        return big ? this.shrinkMultiRange(entries, level) : this.noMultiRange(entries);
      }
      const length = range.last - range.first + 1;
      const tooLong = (n) => this.refused(`the server answered a request for ${ranges.length} ranges with Content-Range "${response.headers.get('content-range')}", but its body has ${n} bytes`, status);
      const bytes = await this.readAll(x, length, tooLong);
      if (bytes.length !== length) throw tooLong(bytes.length);
      parts = [{ first: range.first, bytes }];
    }
    this.multiRange = true;
    if (level === this.multiLevel && this.multiLevel < this.multiTop) this.multiLevel++;
    this.accept(entries, parts);
  }

  /** In a page: the server answers (an opaque no-cors request gets through) though a CORS request does not. */
  async answersWithoutCors() {
    if (!pageOrigin()) return false;
    try {
      await this.fetchImpl(this.url, { mode: 'no-cors', credentials: 'omit', headers: { Range: 'bytes=0-0' } });
      return true;
    } catch {
      return false;
    }
  }

  shrinkMultiRange(entries, level) {
    this.multiTop = Math.min(this.multiTop, level - 1);
    this.multiLevel = Math.min(this.multiLevel, this.multiTop);
    this.queue.unshift(...entries);
  }

  noMultiRange(entries) {
    this.multiRange = false;
    this.queue.unshift(...entries);
  }

  accept(entries, parts) {
    this.successes++;
    for (const p of parts) {
      this.bytesFetched += p.bytes.length;
      this.store(p.first, p.bytes);
    }
    for (const e of entries) e.done.resolve();
  }

  store(start, bytes) {
    this.cache.insert(start, bytes);
    this.takeFingerprint();
  }

  takeFingerprint() {
    if (this.fingerprint) return;
    const n = Math.min(FINGERPRINT_BYTES, this.size);
    const head = this.cache.read(0, n);
    if (head?.length === n) this.fingerprint = head.slice();
  }

  /** The RemoteError for an answer to a request for [start, end), or null when it is exactly that. */
  refusal(status, contentRange, received, start, end) {
    if (EXPIRY_STATUSES.has(status) && this.successes > 0) return this.expired(status);
    const hidden = status === 206 && contentRange === null && this.contentRangeHidden;
    const problem = rangeAnswerProblem({ status, contentRange, received, hidden }, start, end, this.size);
    if (!problem) return null;
    if (status >= 500 || status === 429 || status === 0) {
      return new RemoteError('fetch-failed', `Reading the media in place broke off: ${problem}.`, status);
    }
    return this.refused(problem, status);
  }

  refused(problem, status) {
    return new RemoteError('range-refused', `Reading the media in place stopped: ${problem}; nothing of that answer was used.`, status);
  }

  expired(status) {
    return new RemoteError('link-expired', `The link to the media has expired (HTTP ${status}) after ${this.successes} reads; `
      + 'what is drawn and annotated stays, and reading resumes once the page is given a fresh link to the same file.', status);
  }

  /** Sets the error. An expired link pauses (its ranges wait for setUrl); anything else fails what waits. */
  fail(err, entries = []) {
    if (!this.error) {
      this.error = err;
      try { this.onerror?.(err); } catch { /* the listener's own problem */ }
    }
    if (PAUSING.has(this.error.code)) {
      this.queue.unshift(...entries);
      return;
    }
    for (const e of [...entries, ...this.queue]) e.done.reject(this.error);
    this.queue = [];
    const s = this.stream;
    if (s) for (const w of s.waiters.splice(0)) w.done.reject(this.error);
  }

  // --- the sequential stream: one open-ended request read as far as wanted ---

  /** `limit`: where the bytes of the answer read by `reader` end (a server may send less than the rest). */
  attachStream(reader, pos, target, limit = this.size) {
    const s = { reader, pos, target, limit, used: false, cancelled: false, pumping: false, piece: null, waiters: [], idle: 0, sinceOpen: 0, watch: null };
    this.stream = s;
    if (reader) this.watchStream(s);
    this.pumpStream();
    return s;
  }

  /** A stalled or trickling stream is cut, and reopened where it stopped. */
  watchStream(s) {
    s.watch?.stop();
    const reader = s.reader;
    s.watch = new Watchdog(this.stallMs, () => { if (s.reader === reader) reader.cancel().catch(() => {}); });
    s.watch.need = () => s.target - s.pos;
  }

  /**
   * True when the stream brings `pos`: it is to read that far already, or `slack` more would reach
   * it. Planned reads use a small slack (an MP4's sound is not read through its pictures);
   * prefetch, which reads on anyway, chunkBytes.
   */
  streamReaches(pos, slack) {
    const s = this.stream;
    return !!s && !s.cancelled && s.pos < this.size && pos >= s.pos && pos <= Math.max(s.pos, s.target) + slack;
  }

  streamTo(end) {
    const s = this.stream;
    s.target = Math.max(s.target, end);
    if (s.pos >= end) return Promise.resolve();
    const done = deferred();
    s.waiters.push({ end, done });
    this.pumpStream();
    return done.promise;
  }

  cancelStream() {
    const s = this.stream;
    if (!s) return;
    s.cancelled = true;
    s.watch?.stop();
    s.reader?.cancel().catch(() => {});
    s.reader = null;
    this.endPiece(s);
    this.stream = null;
    // Those who waited for it look again (and ask for what is still missing).
    for (const w of s.waiters.splice(0)) w.done.resolve();
  }

  async pumpStream() {
    const s = this.stream;
    if (!s || s.pumping) return;
    s.pumping = true;
    try {
      while (!s.cancelled && s.pos < s.target && s.pos < this.size && !this.error && !this.closed) {
        if (!s.reader) {
          await this.reopenStream(s);
          continue;
        }
        let chunk;
        s.watch.start();
        try {
          chunk = await readStream(s);
        } catch {
          chunk = null;
        }
        if (s.cancelled) break;
        if (!chunk || chunk.done) {
          // Broke off (or ended early): reopened from where it stopped.
          s.reader = null;
          this.endPiece(s);
          continue;
        }
        this.streamAppend(s, chunk.value);
      }
      s.watch?.stop();
      if (!s.cancelled && s.pos >= this.size) {
        s.reader?.cancel().catch(() => {});
        s.reader = null;
        this.endPiece(s);
      }
      // The opening stream, read as far as planned reads wanted, holds a connection nobody needs.
      if (this.stream === s && !s.used && s.endAtTarget && s.pos >= s.target) this.cancelStream();
    } finally {
      s.pumping = false;
    }
  }

  async reopenStream(s) {
    if (++s.idle > STREAM_ATTEMPTS) {
      this.lost(`the server stopped sending at byte ${s.pos} ${STREAM_ATTEMPTS} times in a row`);
      return;
    }
    if (s.idle > 1) await sleep(RETRY_MS[Math.min(s.idle - 2, RETRY_MS.length - 1)]);
    if (s.cancelled || this.error) return;
    this.requests++;
    const url = this.url;
    let x;
    try {
      x = await this.send(url, `bytes=${s.pos}-`);
    } catch {
      return;
    }
    x.release();
    const { response } = x;
    if (s.cancelled || response.status >= 500 || response.status === 429) {
      cancelBody(response);
      return;
    }
    const contentRange = response.headers.get('content-range');
    const length = decimal(response.headers.get('content-length'));
    const range = parseContentRange(contentRange);
    let limit = this.size;
    let problem = null;
    if (response.status === 206 && range && range.first === s.pos && range.last < this.size - 1
      && (!Number.isFinite(range.total) || range.total === this.size)) {
      limit = range.last + 1;   // less than the rest: read, then reopened from there
    } else {
      problem = this.refusal(response.status, contentRange, Number.isFinite(length) ? length : undefined, s.pos, this.size);
    }
    problem ??= this.changedIn(response.headers);
    if (problem) {
      cancelBody(response);
      // A refusal of the link given up for a fresh one meanwhile is no news.
      if (url === this.url || problem.code !== 'link-expired') this.fail(problem);
      return;
    }
    this.successes++;
    s.reader = streamReader(response.body);
    s.limit = limit;
    s.sinceOpen = 0;
    this.watchStream(s);
  }

  streamAppend(s, value) {
    if (s.pos + value.length > s.limit) {
      s.reader?.cancel().catch(() => {});
      s.reader = null;
      this.fail(this.refused(s.limit === this.size
        ? `the server sent bytes beyond the end of the file (${this.size} bytes) in its answer for bytes ${s.pos}- (a compressed answer, Content-Encoding, if the file is not longer?)`
        : `the server sent more bytes than its Content-Range said (to byte ${s.limit - 1}) in its answer for bytes ${s.pos}-`, 206));
      return;
    }
    s.watch?.progress(value.length);
    this.lastProgress = performance.now();
    s.sinceOpen += value.length;
    // A trickle does not count as the stream going on.
    if (s.sinceOpen >= STALL_BYTES || s.pos + value.length >= s.limit) s.idle = 0;
    this.bytesFetched += value.length;
    const cache = this.cache;
    let off = 0;
    while (off < value.length) {
      const i = cache.at(s.pos);
      if (i >= 0 && cache.chunks[i] !== s.piece?.chunk) {
        // Already fetched by a range request: those bytes are skipped.
        const skip = Math.min(value.length - off, cache.chunks[i].end - s.pos);
        off += skip;
        s.pos += skip;
        this.endPiece(s);
        continue;
      }
      let p = s.piece;
      let added = true;
      if (!p || p.chunk.end !== s.pos || p.filled === p.buf.length) {
        this.endPiece(s);
        const capacity = Math.min(PIECE_BYTES, this.size - s.pos, cache.nextStart(s.pos) - s.pos);
        p = s.piece = { buf: cache.pieceBuffer(capacity), filled: 0, chunk: { start: s.pos, end: s.pos, bytes: EMPTY, pinned: false, live: true } };
        added = false;
      }
      // Not over bytes a range request brought meanwhile.
      const n = Math.min(value.length - off, p.buf.length - p.filled, cache.nextStart(s.pos) - s.pos);
      p.buf.set(value.subarray(off, off + n), p.filled);
      p.filled += n;
      off += n;
      s.pos += n;
      p.chunk.end = p.chunk.start + p.filled;
      p.chunk.bytes = p.buf.subarray(0, p.filled);
      if (added) cache.grew(p.chunk, n);
      else {
        cache.add(p.chunk);
        cache.streamed.add(p.chunk);
      }
      cache.touch(p.chunk);
      if (p.filled === p.buf.length) this.endPiece(s);
    }
    cache.evict();
    this.takeFingerprint();
    if (s.waiters.length) {
      const still = [];
      for (const w of s.waiters) (w.end <= s.pos ? w.done.resolve() : still.push(w));
      s.waiters = still;
    }
  }

  endPiece(s) {
    const p = s.piece;
    if (!p) return;
    s.piece = null;
    p.chunk.live = false;
    // A piece cut short keeps only what it holds.
    if (p.filled * 2 < p.buf.length) p.chunk.bytes = p.chunk.bytes.slice();
  }
}

/**
 * A reader of the open-ended stream's body: a BYOB reader where the body is a byte stream (a
 * browser's fetch), so that its bytes arrive in one reused buffer (readStream) rather than in a
 * new ArrayBuffer per network read: hours of a file read start to end would otherwise leave
 * gigabytes of those for the garbage collector, tens of MB of them held at a time.
 */
function streamReader(body) {
  try {
    return body.getReader({ mode: 'byob' });
  } catch {
    return body.getReader();
  }
}

/** The next bytes of the stream `s` (valid until the next read: copy them out before it). */
async function readStream(s) {
  const reader = s.reader;
  if (typeof ReadableStreamBYOBReader === 'undefined' || !(reader instanceof ReadableStreamBYOBReader)) return reader.read();
  const buffer = s.scratch ?? new ArrayBuffer(SCRATCH_BYTES);
  s.scratch = null;   // transferred to the read: a cancelled read does not give it back
  const chunk = await reader.read(new Uint8Array(buffer));
  if (chunk.value) s.scratch = chunk.value.buffer;
  return chunk;
}

/** The first [start, end) of `ranges` (sorted) not covered by `parts` ({first, bytes}), or null. */
function uncoveredBy(ranges, parts) {
  const spans = parts.map((p) => [p.first, p.first + p.bytes.length]).sort((a, b) => a[0] - b[0]);
  let i = 0;
  let reach = -Infinity;   // the end of the spans starting at or before the position looked at
  for (const [s, e] of ranges) {
    let pos = s;
    for (;;) {
      while (i < spans.length && spans[i][0] <= pos) reach = Math.max(reach, spans[i++][1]);
      if (reach <= pos) return [pos, e];
      if (reach >= e) break;
      pos = reach;
    }
  }
  return null;
}
