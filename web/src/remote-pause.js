// SPDX-License-Identifier: MIT
// The range reader's pauses: an expired link until a fresh URL of the same file, a lost connection
// until it answers again.
import { parseContentRange } from './byte-range.js';
import { EXPIRY_STATUSES, FINGERPRINT_BYTES, PAUSING, RemoteError, cancelBody, decimal, sleep } from './remote-common.js';
import { ErrorCode } from './error-codes.js';

// A connection lost after earlier reads succeeded: the file pauses and looks again after these
// waits (the last repeated while the file is open).
const RECONNECT_MS = [1000, 2000, 4000, 8000, 16000, 30000];

/** RemoteFile's pauses and failures (mixed into it by remote-reader.js). */
export class Pauses {
  async setUrl(url) {
    const different = (why) => new RemoteError(ErrorCode.RangeRefused, `The fresh link is to a different file (${why}); the media was not changed.`);
    let x;
    try {
      x = await this.send(url, 'bytes=0-');
    } catch (err) {
      throw new RemoteError(ErrorCode.FetchFailed, `The fresh link to the media could not be read: ${err?.message ?? err}.`);
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
      if (status === 200) throw new RemoteError(ErrorCode.RangeRefused, 'The fresh link to the media is to a server that does not answer Range requests (HTTP 200).', status);
      throw new RemoteError(EXPIRY_STATUSES.has(status) ? ErrorCode.LinkExpired : ErrorCode.FetchFailed, `The fresh link to the media was refused (HTTP ${status}).`, status);
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
      throw new RemoteError(ErrorCode.FetchFailed, `The fresh link to the media could not be read: ${err?.message ?? err}.`);
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
    if (was?.code === ErrorCode.ConnectionLost) {
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
      this.fail(new RemoteError(ErrorCode.FetchFailed, `Reading the media in place broke off: ${why}.`), entries);
      return;
    }
    this.fail(new RemoteError(ErrorCode.ConnectionLost, `The connection to the media server was lost (${why}); `
      + 'what is drawn and annotated stays, and reading resumes by itself when the server answers again.'), entries);
    this.reconnect();
  }

  async reconnect() {
    if (this.reconnecting) return;
    this.reconnecting = true;
    try {
      for (let i = 0; this.error?.code === ErrorCode.ConnectionLost && !this.closed; i++) {
        await sleep(RECONNECT_MS[Math.min(i, RECONNECT_MS.length - 1)]);
        if (this.error?.code !== ErrorCode.ConnectionLost || this.closed) return;
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
        if (this.error?.code !== ErrorCode.ConnectionLost || url !== this.url) return;
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

  takeFingerprint() {
    if (this.fingerprint) return;
    const n = Math.min(FINGERPRINT_BYTES, this.size);
    const head = this.cache.read(0, n);
    if (head?.length === n) this.fingerprint = head.slice();
  }
}
