// SPDX-License-Identifier: MIT
// Pitch jobs of a load's analyses (mixed into LoadAnalysis): the window first, then the whole file in idle slices, a speaker's range pass, the ceiling a rate allows.
import { ANALYSIS, ERROR } from './protocol.js';
import { ErrorCode } from './error-codes.js';
import { bytesToFetch, fetchSpan } from './view-bytes.js';

export const SLICE_MS = 4;        // one idle slice of pitch: what a render arriving meanwhile may wait
const POST_MS = 250;              // pitch of the whole file gathered this long into one message
export const PITCH_HOP_SECONDS = 0.001;
const WIDE_HOP_SECONDS = 0.01;    // the first, coarse pass that finds a speaker's range
const DECODE_MARGIN_SECONDS = 0.1;   // pitch during the decode stays this far behind it (its windows)
const AHEAD_SECONDS = 30;         // a file read in place: pitch's bytes fetched this far ahead

/** Half-open integer intervals, sorted and merged: the pitch grid points computed. */
export class Coverage {
  spans = [];

  add(a, b) {
    if (!(b > a)) return;
    const kept = [];
    for (const [s, e] of this.spans) {
      if (e < a || s > b) kept.push([s, e]);
      else {
        a = Math.min(a, s);
        b = Math.max(b, e);
      }
    }
    kept.push([a, b]);
    kept.sort((x, y) => x[0] - y[0]);
    this.spans = kept;
  }

  /** The first gap within [from, to), or null. */
  gap(from, to) {
    let at = from;
    for (const [s, e] of this.spans) {
      if (e <= at) continue;
      if (s > at) break;
      at = e;
    }
    if (at >= to) return null;
    const next = this.spans.find(([s]) => s > at);
    return [at, Math.min(to, next ? next[0] : to)];
  }

  covers(from, to) { return this.gap(from, to) === null; }
}

/** Pitch on a grid: what is done, what is asked for first, and the piece being gathered. */
class PitchWork {
  constructor(options, speaker) {
    this.floorHz = options.floorHz;
    this.ceilingHz = options.ceilingHz;
    this.speaker = speaker;         // the range is the speaker's, found by a wide pass first
    this.wide = speaker ? { coverage: new Coverage(), hz: null, clarity: null, hop: 0 } : null;
    this.coverage = new Coverage();
    this.hop = 0;
    this.msPerPoint = 0.01;
    this.piece = null;              // {firstIndex, hz: Float32Array[], clarity: Float32Array[], count}
    this.lastPost = 0;
    this.windowDone = null;         // the window whose pitch was said complete
  }
}

/** LoadAnalysis's pitch (mixed into it by worker-analysis.js; its state is LoadAnalysis's). */
export class PitchJobs {
  /** Pitch for [startFrame, endFrame) first, then (once decoded) the rest of the file. */
  analyze(msg) {
    if (msg.kind !== 'pitch') return;
    this.window = [Math.max(0, Math.floor(msg.startFrame)), Math.max(0, Math.ceil(msg.endFrame))];
    this.kick();
  }

  kick() {
    if (this.pending || this.stopped) return;
    this.pending = true;
    const generation = this.generation;
    this.schedule(() => this.slice(generation));
  }

  /** What pitch covers now: the grid points whose windows are decoded. */
  available(session, hop) {
    const info = session.info();
    const frames = this.load.done ? info.frames : Math.max(0, info.frames - DECODE_MARGIN_SECONDS * info.sampleRate);
    return Math.ceil(frames / hop);
  }

  async slice(generation) {
    if (generation !== this.generation || this.stopped) return;
    this.pending = false;
    const session = this.session();
    if (!session || !this.window || this.load.file?.error || this.sidecarPitchFits()) return;
    const pitch = (this.pitch ??= this.pitchWork(session));
    if (!pitch) return;
    let work = this.nextWork(session, pitch);
    if (!work) return;
    // Bytes not cached are fetched ahead, asynchronously (a file read in place).
    const fetching = this.ahead(session, work);
    if (fetching) {
      this.pending = true;
      await fetching;
      if (generation !== this.generation) return;
      this.pending = false;
      this.kick();
      return;
    }
    const started = performance.now();
    while (work && performance.now() - started < SLICE_MS) {
      const left = SLICE_MS - (performance.now() - started);
      const points = Math.min(work.end - work.start, Math.max(16, Math.floor(left / work.grid.msPerPoint)));
      const t0 = performance.now();
      const result = session.pitch(work.start * work.hop, points * work.hop, work.floorHz, work.ceilingHz, work.hopSeconds);
      if (!result.ok) {
        this.post({ type: ERROR, code: result.code, message: `Pitch could not be computed: ${result.message}`, fatal: false });
        return;
      }
      const count = result.hz.length;
      // No samples to read (a streamed file too large to keep): no pitch, nothing more to try.
      if (!count) return;
      work.grid.msPerPoint = Math.max(0.0005, (performance.now() - t0) / count);
      work.take(result);
      work.grid.coverage.add(result.firstIndex, result.firstIndex + count);
      work = this.nextWork(session, pitch);
    }
    // Gathered pieces go every POST_MS, at the end, or when nothing more is to be done now; the
    // window's as one piece once it is complete.
    if (!work?.inWindow) this.flushPitch(session, pitch, work ? 'due' : 'now');
    if (work) this.kick();
  }

  /**
   * The pitch work for the options, its ceiling lowered to what the sample rate allows (a quarter of
   * it), said once; null (said once) when not even the floor fits.
   */
  pitchWork(session) {
    const options = this.options.pitch;
    const rate = session.info().sampleRate;
    const most = Math.floor(rate / 4);
    if (options.ceilingHz <= most) return new PitchWork(options, options.range === 'speaker');
    const usable = options.floorHz < most;
    const key = `${options.floorHz}:${options.ceilingHz}:${rate}`;
    if (this.pitchClampSaid !== key) {
      this.pitchClampSaid = key;
      this.post({ type: ERROR, code: ErrorCode.InvalidValue, fatal: false,
        message: usable
          ? `The pitch ceiling ${options.ceilingHz} Hz is above what ${rate} Hz audio allows (a quarter of its rate); pitch is found up to ${most} Hz.`
          : `The pitch range ${options.floorHz}–${options.ceilingHz} Hz is above what ${rate} Hz audio allows (up to ${most} Hz); no pitch is computed.` });
    }
    return usable ? new PitchWork({ ...options, ceilingHz: most }, options.range === 'speaker') : null;
  }

  /**
   * The next span of grid points to compute: the speaker's wide pass (the whole file, once decoded),
   * then the window asked for, then (once decoded, unless the sidecar's pitch fits) the rest from
   * the window on. {start, end, hop, hopSeconds, floorHz, ceilingHz, grid, take}, or null.
   */
  nextWork(session, pitch) {
    if (pitch.wide && !pitch.wide.done) {
      const wide = this.wideWork(session, pitch);
      if (wide) return wide;
      if (!pitch.wide.done) return null;   // the range waits for the whole file
    }
    pitch.hop ||= session.pitchHop(pitch.floorHz, pitch.ceilingHz, PITCH_HOP_SECONDS);
    if (!pitch.hop) return null;
    const total = this.available(session, pitch.hop);
    const fine = (gap, inWindow = false) => gap && { start: gap[0], end: gap[1], hop: pitch.hop, hopSeconds: PITCH_HOP_SECONDS, floorHz: pitch.floorHz,
      ceilingHz: pitch.ceilingHz, grid: pitch, inWindow, take: (r) => this.gather(session, pitch, r) };
    const [from, to] = this.window ? [Math.min(total, Math.ceil(this.window[0] / pitch.hop)), Math.min(total, Math.ceil(this.window[1] / pitch.hop))] : [0, 0];
    const inWindow = fine(pitch.coverage.gap(from, to), true);
    if (inWindow) return inWindow;
    const key = `${from}:${to}`;
    if (to > from && pitch.windowDone !== key) {
      // The window is complete: said at once, before the rest of the file.
      pitch.windowDone = key;
      this.flushPitch(session, pitch, 'now');
    }
    // The whole file only once the element asked for pitch at all (a strip that shows it).
    if (!this.load.done || total <= 0 || !this.window) return null;
    return fine(pitch.coverage.gap(to, total) ?? pitch.coverage.gap(0, total));
  }

  /** The speaker's wide pass over the whole file, once decoded; its range set once complete. Null while there is none to do. */
  wideWork(session, pitch) {
    const wide = pitch.wide;
    if (!this.load.done) return null;
    wide.hop ||= session.pitchHop(pitch.floorHz, pitch.ceilingHz, WIDE_HOP_SECONDS);
    if (!wide.hop) return null;
    const total = this.available(session, wide.hop);
    wide.hz ??= new Float32Array(total);
    wide.clarity ??= new Float32Array(total);
    wide.msPerPoint ??= 0.1;
    const gap = wide.coverage.gap(0, total);
    if (gap) {
      return { start: gap[0], end: gap[1], hop: wide.hop, hopSeconds: WIDE_HOP_SECONDS, floorHz: pitch.floorHz, ceilingHz: pitch.ceilingHz, grid: wide,
        take: (r) => {
          wide.hz.set(r.hz.subarray(0, total - r.firstIndex), r.firstIndex);
          wide.clarity.set(r.clarity.subarray(0, total - r.firstIndex), r.firstIndex);
        } };
    }
    const range = this.M?.speakerPitchRange(wide.hz, wide.clarity, pitch.floorHz, pitch.ceilingHz);
    if (range && range.floorHz > 0 && range.ceilingHz > range.floorHz) ({ floorHz: pitch.floorHz, ceilingHz: pitch.ceilingHz } = range);
    pitch.wide = { done: true };
    return null;
  }

  /** A computed piece joins the one being gathered; one that does not join sends it first. */
  gather(session, pitch, result) {
    const piece = pitch.piece;
    if (piece && piece.firstIndex + piece.count !== result.firstIndex) this.flushPitch(session, pitch, 'part');
    pitch.piece ??= { firstIndex: result.firstIndex, hz: [], clarity: [], count: 0 };
    pitch.piece.hz.push(result.hz);
    pitch.piece.clarity.push(result.clarity);
    pitch.piece.count += result.hz.length;
  }

  /**
   * Posts the gathered piece: 'part' (more of it follows elsewhere), 'due' (if POST_MS passed or it
   * completes the file), 'now'. The last piece of the whole file is final.
   */
  flushPitch(session, pitch, when) {
    const piece = pitch.piece;
    if (!piece?.count) return;
    const total = this.load.done && pitch.hop ? this.available(session, pitch.hop) : -1;
    const final = when !== 'part' && total >= 0 && pitch.coverage.covers(0, total);
    if (when === 'due' && !final && performance.now() - pitch.lastPost < POST_MS) return;
    const join = (parts) => {
      const out = new Float32Array(piece.count);
      let at = 0;
      for (const p of parts) { out.set(p, at); at += p.length; }
      return out;
    };
    const hz = join(piece.hz);
    const clarity = join(piece.clarity);
    pitch.piece = null;
    pitch.lastPost = performance.now();
    if (final) this.coreFinal.add('pitch');
    this.post({ type: ANALYSIS, kind: 'pitch', from: 'core', final, sampleRate: session.info().sampleRate, hop: pitch.hop,
      firstIndex: piece.firstIndex, hz, clarity, floorHz: pitch.floorHz, ceilingHz: pitch.ceilingHz }, [hz.buffer, clarity.buffer]);
  }

  /** A promise while bytes the next work reads are fetched (a file read in place), else null. */
  ahead(session, work) {
    const load = this.load;
    if (!load.file || load.file.error) return null;
    const head = this.head();
    if (head) return head;
    const media = load.plan?.media ?? null;
    const own = session.bytesForFrames(work.start * work.hop, Math.min(work.end, work.start + 4096) * work.hop);
    if (!bytesToFetch(load.file, own, media).length) return null;
    const rate = session.info().sampleRate;
    return fetchSpan(load, session.bytesForFrames(work.start * work.hop, work.start * work.hop + AHEAD_SECONDS * rate));
  }
}
