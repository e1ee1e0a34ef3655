// SPDX-License-Identifier: MIT
// What to fetch ahead of a demuxer reading a RemoteFile, so that its synchronous reads find
// their bytes cached: the next bytes of the file for formats read start to end, the next audio
// samples of an MP4's read plan. A decode slice waits (asynchronously) for the bytes it will
// read first; only a read nobody foresaw falls back to a synchronous request.

const SEQUENTIAL_AHEAD = 8 << 20;    // kept cached or in flight past the demuxer's last read
const SEQUENTIAL_BEHIND = 1 << 20;   // kept below it, for a demuxer stepping back a little
const SEQUENTIAL_CHECK = 1 << 20;    // a slice of pump(32) calls reads far less than this
const PLANNED_AHEAD = 16 << 20;      // audio bytes of an MP4 wanted ahead of the demuxer
const PLANNED_CHECK = 64 << 10;     // audio bytes the next slice reads, and more
// An MP4 interleaves its sound with every picture or so: runs of a few hundred bytes between
// pictures of many KiB. In a multi-range request a part costs ~100 bytes, so only gaps this
// small are fetched rather than skipped.
const MULTI_GAP = 4 << 10;
const SINGLE_GAP = 64 << 10;
const PROBE_RANGES = 8;
const TAIL_WINDOW = 64 << 10;

/** [s0, e0, s1, e1, ...] as [[s0, e0], [s1, e1], ...]. */
export function pairs(flat) {
  const out = [];
  for (let i = 0; i + 1 < flat.length; i += 2) out.push([flat[i], flat[i + 1]]);
  return out;
}

/**
 * The bytes at its end that a demuxer reads when it opens a file (an MP3's ID3v1 and APE tags,
 * an Ogg file's last page for its duration), by the file's first bytes; 0 for none.
 */
export function tailRead(head) {
  const text = String.fromCharCode(...head.subarray(0, 4));
  if (text === 'OggS') return 64 << 10;
  if (text.startsWith('ID3') || (head[0] === 0xff && (head[1] & 0xe0) === 0xe0)) return 4 << 10;
  return 0;
}

/** A file read start to end (WAV, FLAC, MP3, Ogg, Matroska): prefetched from the open stream. */
export class SequentialAhead {
  /**
   * tail: bytes at the end of the file the demuxer reads first (fetched beside the stream).
   * keep: what was read stays cached (a small file read whole) instead of being let go behind.
   */
  constructor(file, { tail = 0, keep = false } = {}) {
    this.file = file;
    this.last = 0;
    this.tail = Math.min(tail, file.size);
    this.keep = keep;
  }

  noteRead(position, length) {
    // A look at the end (tags, an index) is not where reading goes on.
    if (position >= this.file.size - TAIL_WINDOW && position > this.last + TAIL_WINDOW) return;
    this.last = position + length;
  }

  #next() {
    return [this.last, Math.min(SEQUENTIAL_CHECK, this.file.size - this.last)];
  }

  /** True when the next slice's reads are cached (a sync request would be needed otherwise). */
  canPump() {
    const [position, length] = this.#next();
    return length <= 0 || this.file.has(position, length);
  }

  async before() {
    const file = this.file;
    file.prefetch(this.last, Math.min(SEQUENTIAL_AHEAD, file.size - this.last));
    file.forget(Math.max(0, this.last - SEQUENTIAL_BEHIND));
    if (!this.keep) file.passed(Math.max(0, this.last - SEQUENTIAL_BEHIND));
    // After the prefetch: asked before it, the tail would end the open stream.
    const tail = this.tail ? file.want([[file.size - this.tail, file.size]]) : null;
    this.tail = 0;
    const [position, length] = this.#next();
    if (length > 0 && !file.has(position, length)) await file.ready(position, length);
    await tail;
  }
}

/**
 * An MP4 whose read plan gave the audio track's bytes (sorted [start, end) ranges): the next
 * 16 MiB to fetch are wanted in a batch (coalesced, concurrent, multi-range where the server
 * can), the next batch once the demuxer is half way through the last one.
 */
export class PlannedAhead {
  constructor(file, mediaRanges) {
    this.file = file;
    this.ranges = pairs(mediaRanges);
    this.last = 0;
    this.wantedTo = 0;      // index into ranges: everything before it was wanted
    this.refillAt = 0;      // the byte position past which the next batch is wanted
  }

  noteRead(position, length) {
    this.last = position + length;
  }

  /** The index of the first range ending after `position`. */
  #first(position) {
    let lo = 0;
    let hi = this.ranges.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.ranges[mid][1] <= position) lo = mid + 1; else hi = mid;
    }
    return lo;
  }

  /** The next `bytes` of audio at or after `position` among the ranges before `to`, as ranges. */
  #next(position, bytes, to = this.ranges.length) {
    const out = [];
    for (let i = this.#first(position); i < to && bytes > 0; i++) {
      const start = Math.max(this.ranges[i][0], position);
      const end = Math.min(this.ranges[i][1], start + bytes);
      out.push([start, end]);
      bytes -= end - start;
    }
    return out;
  }

  /**
   * The gap below which the reader fetches across rather than around: small while parts of a
   * multi-range request carry the ranges, else a request per range costs a round trip.
   */
  #gap() {
    return this.file.multiRange === false ? SINGLE_GAP : MULTI_GAP;
  }

  canPump() {
    return this.#next(this.last, PLANNED_CHECK).every(([s, e]) => this.file.has(s, e - s));
  }

  #refill() {
    const from = Math.max(this.wantedTo, this.#first(this.last));
    // Until the server has shown whether it answers multi-range requests, a few ranges: one
    // that does not then asks them one by one.
    const maxRanges = this.file.multiRange === null ? PROBE_RANGES : Infinity;
    const gap = this.#gap();
    const batch = [];
    let fetched = 0;        // what the reader will fetch: the ranges and the gaps it fetches across
    let i = from;
    for (; i < this.ranges.length && fetched < PLANNED_AHEAD && batch.length < maxRanges; i++) {
      const [start, end] = this.ranges[i];
      const before = batch.length ? batch[batch.length - 1][1] : start;
      fetched += end - (start - before < gap ? before : start);
      batch.push(this.ranges[i]);
    }
    this.wantedTo = i;
    this.refillAt = batch.length ? batch[batch.length >> 1][0] : Infinity;
    // Not awaited (what the next slice needs is awaited in before()), except the probe.
    const wanted = this.file.want(batch, { gap });
    wanted.catch(() => {});
    if (maxRanges === PROBE_RANGES) this.probe = wanted;
  }

  #due() {
    return this.wantedTo < this.ranges.length && (this.last >= this.refillAt || this.#first(this.last) >= this.wantedTo);
  }

  async before() {
    const file = this.file;
    if (this.#due()) this.#refill();
    if (this.probe) {
      // Its answer decides how the rest is asked for.
      const probe = this.probe;
      this.probe = null;
      await probe;
      this.refillAt = 0;
      if (this.#due()) this.#refill();
    }
    file.forget(this.last);
    // Exactly the wanted bytes (ready() would round a small read up to 64 KiB of pictures).
    const missing = this.#next(this.last, PLANNED_CHECK, this.wantedTo).filter(([s, e]) => !file.has(s, e - s));
    if (missing.length) await file.want(missing, { gap: this.#gap() });
  }
}

/** Nothing fetched ahead: what is read is pinned (an MP4's index) or fetched when read. */
export class NoReadAhead {
  noteRead() {}
  canPump() { return true; }
  async before() {}
}

const MAX_PLAN_ROUNDS = 10000;   // a fragmented MP4 without an index is read moof to moof

/**
 * A fragmented MP4's moofs, wanted all at once, are read through on a server that answers only
 * single ranges (fetching the pictures between them costs less than a round trip each). Each moof
 * that arrives is fed to the plan at once, which then knows its fragment's sound (after it, before
 * the next moof): that is kept as the same read passes it (grow), and the sound known before a
 * round is fetched with it (known), instead of all being read again after the plan. Kept within
 * the cache's room, so nothing kept is evicted before the decoder reads it.
 */
class SoundAlongside {
  constructor(plan, file) {
    this.plan = plan;
    this.file = file;
    this.offered = new Set();
    this.scanned = 0;       // media ranges (of the plan's, sorted) looked at already, but the last
    this.room = file.cache.limit - file.cache.bytes - (file.cache.limit >> 3);
    this.alive = true;
  }

  /** The plan's media ranges found since the last call (all: `again`), not fetched yet, within the room. */
  #fresh(again = false) {
    const media = this.plan.mediaRanges();
    const out = [];
    let i = again ? 0 : Math.max(0, this.scanned - 1);
    for (; 2 * i < media.length && this.room > 0; i++) {
      const start = media[2 * i];
      if ((this.offered.has(start) && !again) || this.file.has(start, media[2 * i + 1] - start)) continue;
      this.offered.add(start);
      const end = Math.min(media[2 * i + 1], start + this.room);
      this.room -= end - start;
      out.push([start, end]);
    }
    this.scanned = i;
    return out;
  }

  /** Before a round: the sound the plan knows of and nothing fetched (none kept what was offered last round). */
  known() {
    return this.#fresh(true);
  }

  /**
   * For RemoteFile.want's grow: wanted bytes arrived (a moof); the sound the plan found since.
   * The plan walks the file in order, so a moof tells its sound once the moofs before it came.
   */
  grow() {
    return (first, bytes) => {
      if (this.room <= 0 || !this.alive) return null;
      this.plan.feed(first, bytes);
      return this.#fresh();
    };
  }
}

/**
 * Runs the core's read plan of an MP4 (M.ReadPlan) over the file: fetches what it asks for,
 * pinned, until it is done. Resolves with { media, index, fragmented } (Float64Array ranges), or
 * { problem } when the plan gave up or the core has none (then the file is read unplanned).
 * `wait(fn)` runs a fetch, pausing the load across an expired link.
 */
export async function planMp4(M, file, head, wait) {
  if (!M.ReadPlan) return { problem: 'this core has no read plan' };
  const plan = new M.ReadPlan(file.size);
  const sound = new SoundAlongside(plan, file);
  try {
    plan.feed(0, head);
    for (let round = 0; round < MAX_PLAN_ROUNDS; round++) {
      const wants = pairs(plan.wants());
      if (!wants.length) break;
      const fragments = plan.state().fragmented;
      const grow = fragments && wants.length > 1 ? sound.grow() : null;
      const also = fragments ? sound.known() : null;
      await wait(() => file.want(wants, { pin: true, grow, also }));
      for (const [start, end] of wants) {
        for (let p = start; p < end;) {
          const bytes = file.read(p, end - p);
          if (!bytes.length) return { problem: `bytes ${p}-${end - 1} could not be read` };
          plan.feed(p, bytes);
          p += bytes.length;
        }
      }
    }
    const state = plan.state();
    if (state.container !== 'mp4' || !state.done || state.problem) return { problem: state.problem || 'the plan did not finish' };
    const index = pairs(plan.indexRanges());
    await wait(() => file.want(index, { pin: true }));
    return { media: plan.mediaRanges(), index, fragmented: state.fragmented };
  } finally {
    sound.alive = false;
    plan.delete();
  }
}
