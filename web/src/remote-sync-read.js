// SPDX-License-Identifier: MIT
// The range reader's synchronous fallback: a read of bytes nobody fetched ahead, by synchronous XHR.
import { EMPTY, GAP, RETRY_MS, SYNC_MIN, validPosition } from './remote-common.js';

/** A synchronous Range request with XMLHttpRequest (in a worker; on the page's thread for page-thread-core.js). */
export function xhrSyncFetch(url, start, end, { timeoutMs = 0 } = {}) {
  const xhr = new XMLHttpRequest();
  xhr.open('GET', url, false);
  // A document refuses a response type on synchronous requests: the bytes come as x-user-defined text.
  const inDocument = typeof document !== 'undefined';
  if (inDocument) xhr.overrideMimeType('text/plain; charset=x-user-defined');
  else xhr.responseType = 'arraybuffer';
  // Allowed for synchronous requests in workers: a stalled server must not hold the worker forever.
  try { xhr.timeout = timeoutMs; } catch { /* a document: not settable */ }
  xhr.setRequestHeader('Range', `bytes=${start}-${end - 1}`);
  xhr.send();
  return {
    status: xhr.status,
    contentRange: xhr.getResponseHeader('content-range'),
    lastModified: xhr.getResponseHeader('last-modified'),
    etag: xhr.getResponseHeader('etag'),
    bytes: inDocument ? textBytes(xhr.responseText) : new Uint8Array(xhr.response ?? EMPTY.buffer),
  };
}

function textBytes(text) {
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i) & 0xff;
  return bytes;
}

/** RemoteFile's synchronous read (mixed into it by remote-reader.js). */
export class SyncRead {
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
}
