// SPDX-License-Identifier: MIT
// The range reader's sequential stream: one open-ended request read as far as wanted, reopened where it broke off.
import { parseContentRange } from './byte-range.js';
import { EMPTY, RETRY_MS, STALL_BYTES, cancelBody, decimal, deferred, sleep } from './remote-common.js';
import { Watchdog } from './remote-stall.js';
import { PIECE_BYTES } from './byte-cache.js';
import { ErrorCode } from './error-codes.js';

const SCRATCH_BYTES = 256 << 10;   // the stream's reused buffer, one network read at most
const STREAM_ATTEMPTS = 4;         // reopenings of the stream in a row that bring no byte

/** RemoteFile's sequential stream (mixed into it by remote-reader.js). */
export class SequentialStream {
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
      if (url === this.url || problem.code !== ErrorCode.LinkExpired) this.fail(problem);
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
export function streamReader(body) {
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
