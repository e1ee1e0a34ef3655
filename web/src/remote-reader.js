// SPDX-License-Identifier: MIT
// RemoteFile: a file read in place through Range requests, its public API; its parts are mixed in.
import { GAP, PAUSING, RemoteError, STALL_MS, SYNC_MIN, validPosition } from './remote-common.js';
import { mixIn } from './mix-in.js';
import { ByteCache } from './byte-cache.js';
import { SyncRead, xhrSyncFetch } from './remote-sync-read.js';
import { AnswerChecks } from './remote-answers.js';
import { MULTI_LEVELS, RequestPlan } from './remote-plan.js';
import { RangeFetch } from './remote-fetch.js';
import { Pauses } from './remote-pause.js';
import { SequentialStream } from './remote-stream.js';
import { ErrorCode } from './error-codes.js';

/**
 * The fetch function is a parameter (fetchImpl; syncFetch for synchronous reads), so Node tests
 * read real servers through it. See doc/remote-reading.md.
 */
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
    return new RemoteError(ErrorCode.FetchFailed, 'The media was closed.');
  }

  /**
   * grow(first, bytes): see request(); an MP4 plan's moofs read through (a single-range server) say
   * where their fragment's sound is, so it is kept as that read passes it rather than read again.
   * also: ranges fetched with these (in the same requests where they touch) but never pinned.
   */
  async want(ranges, { pin = false, gap = GAP, grow = null, also = null } = {}) {
    let asked = this.normalize(ranges);
    if (pin) this.cache.pin(asked);
    if (also?.length) asked = this.normalize([...asked, ...also]);
    // Bytes evicted before the caller got to them are asked for again, but not forever.
    for (let round = 0; round < 3; round++) {
      const waits = this.request(asked, gap, round ? null : grow);
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

  store(start, bytes) {
    this.cache.insert(start, bytes);
    this.takeFingerprint();
  }
}

mixIn(RemoteFile, SyncRead, AnswerChecks, RequestPlan, RangeFetch, Pauses, SequentialStream);
