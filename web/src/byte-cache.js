// SPDX-License-Identifier: MIT
// The range reader's cache of fetched bytes: sorted chunks, pins, LRU eviction, the stream's pieces.
import { EMPTY } from './remote-common.js';

export const PIECE_BYTES = 1 << 20;       // the stream's bytes are cached in pieces this large
const SPARE_PIECES = 4;

/**
 * The cached bytes: chunks sorted by start, found by binary search, never overlapping. Unpinned
 * chunks are evicted least recently used first (those below `forgetBelow` before any), keeping
 * their total within `limit`; chunks that overlap a pinned range stay.
 */
export class ByteCache {
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
