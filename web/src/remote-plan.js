// SPDX-License-Identifier: MIT
// Range request planning: what to ask for, coalesced, packed into multi-range requests, a few at a time.
import { GAP, PAUSING, REQUEST_CHUNKS, deferred } from './remote-common.js';

// Ranges in one multi-range request, and characters of its Range header. First what every server
// takes (Apache answers more than 200 ranges with the whole file); each answered request of a
// level's size opens the next: header lines up to nginx's and Apache's 8 KiB, then Node's 16 KiB
// of headers. A refusal of a larger request goes back one level for good. (An hour of an MP4
// interleaved frame by frame has ~90,000 runs of sound: ~200 requests at 8,000 characters.)
export const MULTI_LEVELS = [{ ranges: 100, chars: 7000 }, { ranges: 1000, chars: 8000 }, { ranges: 1000, chars: 14000 }];
const RATE_MIN_BYTES = 256 << 10;  // answers at least this large measure the throughput

/** RemoteFile's request planning (mixed into it by remote-reader.js). */
export class RequestPlan {
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

  /** A request fetching across gaps streamed [start, end) by: its dropped bytes are not fetched across again. */
  noteReadAcross(start, end) {
    const spans = this.spansRead ??= [];
    let i = 0;
    while (i < spans.length && spans[i][1] < start) i++;
    let j = i;
    while (j < spans.length && spans[j][0] <= end) {
      start = Math.min(start, spans[j][0]);
      end = Math.max(end, spans[j][1]);
      j++;
    }
    spans.splice(i, j - i, [start, end]);
  }

  /**
   * True when most of the gap [start, end) was streamed by already (and dropped): fetched across
   * again it would be read twice, so the ranges either side are asked on their own.
   */
  readAcross(start, end) {
    const spans = this.spansRead;
    if (!spans?.length) return false;
    let lo = 0;
    let hi = spans.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (spans[mid][1] <= start) lo = mid + 1; else hi = mid;
    }
    let covered = 0;
    for (let i = lo; i < spans.length && spans[i][0] < end; i++) covered += Math.min(end, spans[i][1]) - Math.max(start, spans[i][0]);
    return covered * 2 > end - start;
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

  /**
   * Asks for what of `asked` is neither cached nor coming; the promises of all that is coming, or null if all is cached.
   * grow(first, bytes): called with each asked range a request fetching across gaps brings, while its body still
   * streams; the ranges it returns are kept too where that body (or another request's) has not passed them yet.
   */
  request(asked, gap = GAP, grow = null) {
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
      const span = r[0] - last?.[1];
      if (last && span < gap && (span < floor || !this.readAcross(last[1], r[0]))) {
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
        if (grow) entry.grow = grow;
        if (keep.length > 1) {
          const mine = keep.filter(([ks, ke]) => ke > start && ks < end).map(([ks, ke]) => [Math.max(ks, start), Math.min(ke, end)]);
          // A piece that keeps everything it fetches keeps it as one.
          if (mine.length > 1 || !mine.length || mine[0][0] > start || mine[0][1] < end) entry.keep = mine;
          // The pieces of a read-through that grows tile it: what it learns may lie in any.
          if (!grow) {
            if (!mine.length) continue;
            entry.start = mine[0][0];
            entry.end = mine[mine.length - 1][1];
            if (mine.length === 1) delete entry.keep;
          }
        }
        if (entry.keep) this.noteReadAcross(entry.start, entry.end);
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
      // A read-through that grows goes piece after piece: what one piece's moofs say (the sound
      // after them) is known before the next piece streams past it.
      if (this.queue[0].grow && this.queue[0].keep && this.flying.some((e) => e.grow && e.keep)) return;
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

  shrinkMultiRange(entries, level) {
    this.multiTop = Math.min(this.multiTop, level - 1);
    this.multiLevel = Math.min(this.multiLevel, this.multiTop);
    this.queue.unshift(...entries);
  }

  noMultiRange(entries) {
    this.multiRange = false;
    this.queue.unshift(...entries);
    this.acrossGaps();
  }

  /**
   * Once only single ranges are answered, what was queued for multi-range requests is regrouped as
   * request() would have grouped it: ranges closer than a round trip's worth of bytes become one
   * request keeping only them (the pieces of one that grows tile it, as in request()).
   */
  acrossGaps() {
    const gap = this.crossGap(GAP);
    if (gap <= GAP || this.queue.length < 2) return;
    const most = REQUEST_CHUNKS * this.chunkBytes;
    const groups = [];
    for (const e of [...this.queue].sort((a, b) => a.start - b.start)) {
      const last = groups[groups.length - 1];
      if (last && e.start - last.end < gap && e.end - last.start <= most && !this.readAcross(last.end, e.start)) {
        last.members.push(e);
        last.end = Math.max(last.end, e.end);
      } else groups.push({ start: e.start, end: e.end, members: [e] });
    }
    this.queue = groups.map((g, i) => {
      if (g.members.length === 1 && !g.members[0].grow) return g.members[0];
      const grow = g.members.find((m) => m.grow)?.grow ?? null;
      const next = groups[i + 1];
      const entry = {
        start: g.start, end: grow && next && next.start - g.end < gap ? next.start : g.end, done: deferred(), attempts: 0,
        keep: g.members.flatMap((m) => m.keep ?? [[m.start, m.end]]),
      };
      if (grow) entry.grow = grow;
      this.noteReadAcross(entry.start, entry.end);
      entry.done.promise.then(() => { for (const m of g.members) m.done.resolve(); }, (err) => { for (const m of g.members) m.done.reject(err); });
      return entry;
    });
  }
}
