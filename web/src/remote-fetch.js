// SPDX-License-Identifier: MIT
// Range requests sent and their answers read: single and multi-range, retried, the bytes kept.
import { parseContentRange } from './byte-range.js';
import { ByterangesParser, MultipartError, multipartBoundary } from './multipart.js';
import { EXPIRY_STATUSES, GAP, RETRY_MS, RemoteError, STALL_BYTES, Transient, cancelBody, pageOrigin, rangeHeader, sleep } from './remote-common.js';
import { Watchdog } from './remote-stall.js';
import { MULTI_LEVELS } from './remote-plan.js';
import { uncoveredBy } from './remote-answers.js';
import { ErrorCode } from './error-codes.js';

/** RemoteFile's requests (mixed into it by remote-reader.js). */
export class RangeFetch {
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
      if (err instanceof RemoteError && err.code === ErrorCode.LinkExpired && url !== this.url) {
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
          this.fail(new RemoteError(ErrorCode.LinkExpired, `The link to the media has expired after ${this.successes} reads (the server now refuses it `
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
      const parts = entry.parts = entry.keep.map(([s, e, grown]) => ({ first: s, bytes: new Uint8Array(e - s), grown }));
      let at = entry.at = start;
      let k = 0;
      let told = 0;           // parts before this one were handed to entry.grow
      const received = await this.readBody(x, length, (chunk) => {
        const to = at + chunk.length;
        while (k < parts.length && parts[k].first + parts[k].bytes.length <= at) k++;
        for (let j = k; j < parts.length && parts[j].first < to; j++) {
          const p = parts[j];
          const from = Math.max(at, p.first);
          const until = Math.min(to, p.first + p.bytes.length);
          if (until > from) p.bytes.set(chunk.subarray(from - at, until - at), from - p.first);
        }
        at = entry.at = to;
        for (; entry.grow && told < parts.length && parts[told].first + parts[told].bytes.length <= at; told++) {
          if (!parts[told].grown) this.keepAhead(entry.grow(parts[told].first, parts[told].bytes));
        }
      }, tooMuch);
      entry.parts = null;
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
    // What it says may be kept by a read-through still on its way.
    if (entry.grow) this.keepAhead(entry.grow(start, bytes));
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

  /**
   * Ranges found while a read-through streams (an MP4 fragment's sound, from its moof): kept by
   * whichever request fetching across gaps has not passed them yet, so they are never read twice.
   * What no such request will bring is left to the caller's later wants.
   */
  keepAhead(ranges) {
    if (!ranges?.length) return;
    const across = [...this.flying, ...this.queue].filter((e) => e.keep && e.grow);
    for (const [s, e] of ranges) {
      for (const entry of across) {
        const from = Math.max(s, entry.at ?? entry.start);
        const to = Math.min(e, entry.end);
        if (to > from) addKept(entry, from, to);
      }
    }
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

  accept(entries, parts) {
    this.successes++;
    for (const p of parts) {
      this.bytesFetched += p.bytes.length;
      this.store(p.first, p.bytes);
    }
    for (const e of entries) e.done.resolve();
  }
}

/** Adds [from, to) to what `entry` keeps (and to its body's parts while it streams), less what it keeps already. */
function addKept(entry, from, to) {
  const keep = entry.keep;
  let i = 0;
  while (i < keep.length && keep[i][1] <= from) i++;
  for (let at = from; at < to;) {
    const next = i < keep.length ? keep[i] : null;
    if (next && next[0] <= at) {
      at = Math.max(at, next[1]);
      i++;
      continue;
    }
    const end = Math.min(to, next ? next[0] : to);
    keep.splice(i, 0, [at, end, true]);
    if (entry.parts) {
      let j = entry.parts.findIndex((p) => p.first > at);
      if (j < 0) j = entry.parts.length;
      entry.parts.splice(j, 0, { first: at, bytes: new Uint8Array(end - at), grown: true });
    }
    i++;
    at = end;
  }
}
