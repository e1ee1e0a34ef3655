// SPDX-License-Identifier: MIT
// A load's analyses in the worker (doc/analysis.md): pauses, energy and loudness from the streaming
// decode (the core's tee, no second decode), pitch for the visible window first and then the whole
// file in idle slices, snapping, a video's motion from the pictures the element sends, and a
// precomputed analysis file sent at once until the core's own results replace it.
import { parseAnalysisSidecar } from './analysis-sidecar.js';
import { ANALYSIS, ERROR, SNAPPED } from './protocol.js';
import { ErrorCode } from './error-codes.js';
import { bytesToFetch, fetchSpan } from './view-bytes.js';
import { yieldToMessages } from './load-decode.js';

/** @typedef {import('./protocol.js').AnalysisOptions} AnalysisOptions */

export const DEFAULT_OPTIONS = Object.freeze({
  pauses: Object.freeze({ thresholdDb: -30, minDuration: 0.2 }),
  pitch: Object.freeze({ floorHz: 50, ceilingHz: 800, range: 'config' }),
  loudness: Object.freeze({ jumpLu: 10 }),
});

const PIECE_MS = 1000;            // pauses and loudness during the decode, at most this often
const ENERGY_PIECE_BLOCKS = 600_000;   // the envelope during the decode only while this small (10 min at 1 ms)
export const SLICE_MS = 4;        // one idle slice of pitch: what a render arriving meanwhile may wait
const POST_MS = 250;              // pitch of the whole file gathered this long into one message
const PITCH_HOP_SECONDS = 0.001;
const WIDE_HOP_SECONDS = 0.01;    // the first, coarse pass that finds a speaker's range
const DECODE_MARGIN_SECONDS = 0.1;   // pitch during the decode stays this far behind it (its windows)
const AHEAD_SECONDS = 30;         // a file read in place: pitch's bytes fetched this far ahead
const EDGE_SECONDS = 0.05;        // bytes around each pause edge fetched before the edges are refined
const EDGE_BYTES = 32 << 20;      // at most this much of them (the reader's cache holds 64 MiB)
const SNAP_KINDS = Object.freeze({ pause: 1, energy: 2, zero: 4 });
const HEAD_BYTES = 1 << 20;       // what a demuxer's probe may read as a decoder opens the file (RangeDecoder)
const SNAP_FETCH_MS = 250;        // a snap waits this long for its bytes (an expired link never brings them), then snaps without zero crossings
const ENERGY_SLACK_DB = 0.05;     // a sidecar's envelope and the decode's differ by float rounding at most (same code)
const MAX_PITCH_HOP_SECONDS = 1;  // the core's widest pitch hop

/**
 * Settles once `fetching` did, or the reader failed or the load ended (an expired link leaves its
 * fetches pending until a fresh URL: nothing waits for that). Never rejects.
 */
function settled(load, fetching) {
  let timer;
  const failed = new Promise((resolve) => {
    timer = setInterval(() => { if (load.file?.error || load.aborted) resolve(); }, 50);
  });
  return Promise.race([fetching.catch(() => {}), failed]).finally(() => clearInterval(timer));
}

/** The options given, over the defaults (a part left out keeps its defaults). */
export function analysisOptions(given) {
  const out = {};
  for (const [part, defaults] of Object.entries(DEFAULT_OPTIONS)) out[part] = { ...defaults, ...(given?.[part] ?? {}) };
  return out;
}

function safeOrigin(url) {
  try { return new URL(url).origin; } catch { return url; }
}

/** A sidecar's bytes, or why they could not be fetched; never rejects (as the peaks: media-load.js). */
async function fetchSidecar(url) {
  try {
    const response = await fetch(url, { credentials: 'omit' });
    if (!response.ok) return { error: `the server answered HTTP ${response.status}` };
    return { buffer: await response.arrayBuffer() };
  } catch (err) {
    return { error: err?.message ?? String(err) };
  }
}

/** A message's typed arrays copied out (a parsed file's may be views of all of it) and their buffers to transfer. */
function owned(fields) {
  const transfer = [];
  const out = {};
  for (const [key, value] of Object.entries(fields)) {
    if (ArrayBuffer.isView(value)) {
      out[key] = value.slice();
      transfer.push(out[key].buffer);
    } else out[key] = value;
  }
  return [out, transfer];
}

// A message to ourselves: queued behind the messages that arrived meanwhile, so renders go first
// (as view-prefetch.js does).
function macrotask() {
  const channel = new MessageChannel();
  const queue = [];
  channel.port1.onmessage = () => queue.shift()?.();
  channel.port1.unref?.();
  return (fn) => {
    queue.push(fn);
    channel.port2.postMessage(null);
  };
}

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

/** The analyses of one load (MediaLoad.analysis): the load calls progress() and decoded(); worker-host.js the rest. */
export class LoadAnalysis {
  #load;
  #schedule = macrotask();
  #generation = 0;
  #pending = false;
  #lastPiece = 0;
  #pieceEvery = PIECE_MS;
  #window = null;                 // [startFrame, endFrame) asked for last
  #pitch = null;
  #pitchChanged = false;          // the options' pitch range is not the load's first
  #sidecar = null;                // the parsed sidecar, once read (null again if it does not fit)
  #sidecarHeld = false;           // read, not offered yet (the media not open)
  #coreFinal = new Set();         // kinds the core has sent final
  #motion = null;                 // {analyzer, held: Map, lastPost}
  #motionChain = Promise.resolve();
  #M = null;                      // the wasm module, once decoded (speakerPitchRange)
  #pitchClampSaid = null;         // the pitch range whose ceiling was said too high for the rate
  #videoFrames = null;            // the video's frame count, once indexed
  #motionSent = false;            // the sidecar's motion was posted
  #stopped = false;

  /**
   * @param {object} load  the MediaLoad: session, post(), core(), file, done, aborted
   * @param {{url?: string|null, options?: AnalysisOptions}} [given]
   */
  constructor(load, { url = null, options } = {}) {
    this.#load = load;
    this.url = url;
    this.options = analysisOptions(options);
    if (url) fetchSidecar(url).then((read) => this.#readSidecar(read));
  }

  /** Pitch slices wait to run (for stats and tests). */
  get busy() { return this.#pending; }

  #post(message, transfer) { if (!this.#stopped) this.#load.post(message, transfer); }

  #session() {
    const session = this.#load.session;
    return session?.opened() ? session : null;
  }

  #readSidecar({ buffer, error }) {
    if (this.#stopped) return;
    try {
      if (error) throw Object.assign(new Error(error), { code: ErrorCode.InvalidAnalysis });
      this.#sidecar = parseAnalysisSidecar(buffer);
    } catch (err) {
      this.#sidecarProblem(`could not be used: ${err?.message ?? err}`);
      return;
    }
    this.#sidecarHeld = true;
    this.#offerSidecar();
  }

  /**
   * The sidecar's parts, sent once the media is open and its rate (and length, when declared or
   * decoded) fits; those the core has already sent final are left out (they replace the file's).
   */
  #offerSidecar() {
    const data = this.#sidecar;
    if (!this.#sidecarHeld || !data || this.#stopped) return;
    const session = this.#session();
    const soundless = !session && (this.#load.videoOnly || this.#load.done);
    if (!session && !soundless) return;   // not open yet: its facts come with the next progress
    this.#sidecarHeld = false;
    if (session) {
      const info = session.info();
      const declared = info.declaredDuration > 0 ? Math.round(info.declaredDuration * info.sampleRate) : null;
      const frames = this.#load.done ? info.frames : declared;
      const slack = this.#load.done ? 0 : info.sampleRate;
      if (data.sampleRate !== info.sampleRate || (frames !== null && Math.abs(data.frames - frames) > slack)) {
        this.#sidecarMismatch(info);
        return;
      }
    }
    if (data.pitch && !this.#pitchHopFits(data)) return;
    // Said before the rest is sent: the element drops what came from the file when told it is wrong.
    const motionFits = !data.motion || this.#motionFits();
    for (const kind of ['pauses', 'energy', 'loudness', 'pitch', 'motion']) {
      if (!data[kind] || this.#coreFinal.has(kind) || (soundless && kind !== 'motion')) continue;
      if (kind === 'pitch' && !this.#pitchRangeFits(data.pitch)) continue;
      if (kind === 'motion' && !motionFits) continue;
      if (kind === 'motion') this.#motionSent = true;
      const [fields, transfer] = owned(data[kind]);
      this.#post({ type: ANALYSIS, kind, from: 'sidecar', final: true, ...(kind === 'motion' ? {} : { sampleRate: data.sampleRate }), ...fields }, transfer);
    }
  }

  #sidecarMismatch(info) {
    const data = this.#sidecar;
    this.#sidecar = null;
    this.#sidecarProblem(`does not match the media: it is for ${data.frames} frames at ${data.sampleRate} Hz, the media has ${info.frames} at ${info.sampleRate} Hz`);
  }

  /**
   * The video's frames are indexed: a sidecar's motion for another count is not this video's. Not
   * yet sent, it is left out; already sent, the whole file is refused (the element drops it).
   */
  videoFrames(count) {
    this.#videoFrames = count;
    if (!this.#sidecar?.motion || this.#sidecarHeld || this.#stopped) return;
    if (this.#motionSent && this.#sidecar.motion.frames !== count) {
      const frames = this.#sidecar.motion.frames;
      this.#sidecar = null;
      this.#sidecarProblem(`is not this video's: its motion is for ${frames} frames, the video has ${count}`);
    }
  }

  #motionFits() {
    const frames = this.#sidecar.motion.frames;
    if (this.#videoFrames === null || frames === this.#videoFrames) return true;
    this.#sidecarProblem(`has motion for ${frames} frames, the video has ${this.#videoFrames}: its motion is not used`);
    return false;
  }

  /**
   * A pitch grid finer than the core's (1 ms) or coarser than its widest hop is refused: a hop of a
   * few frames would make the page hold an array as long as the file's samples.
   */
  #pitchHopFits(data) {
    const hop = data.pitch.hop;
    const least = Math.max(1, Math.round(PITCH_HOP_SECONDS * data.sampleRate));
    const most = Math.round(MAX_PITCH_HOP_SECONDS * data.sampleRate);
    if (hop >= least && hop <= most) return true;
    this.#sidecar = null;
    this.#sidecarHeld = false;
    this.#sidecarProblem(`could not be used: its pitch hop is ${hop} frames, outside the ${least}–${most} frames (${PITCH_HOP_SECONDS * 1000} ms – ${MAX_PITCH_HOP_SECONDS} s) at ${data.sampleRate} Hz that pitch is computed at`);
    return false;
  }

  /**
   * The sidecar's pitch was found in the range the load asks for: the same floor and ceiling
   * ('config'), or a speaker's range inside them ('speaker'; the file does not say how its range was
   * chosen, so one made with exactly these bounds passes too).
   */
  #pitchRangeFits(pitch) {
    const { floorHz, ceilingHz, range } = this.options.pitch;
    const near = (a, b) => Math.abs(a - b) <= 1e-6 * Math.max(1, Math.abs(b));
    if (range === 'speaker') return pitch.floorHz >= floorHz - 1e-6 && pitch.ceilingHz <= ceilingHz + 1e-6;
    return near(pitch.floorHz, floorHz) && near(pitch.ceilingHz, ceilingHz);
  }

  /**
   * Whose sidecar it is, checked once decoded: its energy envelope is the decode's (the same code
   * computes both, so they differ by rounding at most). False after saying why (the element then
   * drops what came from it).
   */
  #sidecarEnergyFits(energy) {
    const theirs = this.#sidecar?.energy;
    if (!theirs) return true;
    let why = null;
    if (theirs.hop !== energy.hop || theirs.levels.length !== energy.levels.length) {
      why = `its energy envelope has ${theirs.levels.length} blocks of ${theirs.hop} frames, the decoded media ${energy.levels.length} of ${energy.hop}`;
    } else {
      for (let i = 0; i < energy.levels.length; i++) {
        const a = theirs.levels[i];
        const b = energy.levels[i];
        if (a === b || Math.abs(a - b) <= ENERGY_SLACK_DB) continue;
        why = `its energy level at block ${i} (${(i * energy.hop / this.#sidecar.sampleRate).toFixed(3)} s) is ${a.toFixed(2)} dB, the decoded media's ${b.toFixed(2)} dB`;
        break;
      }
    }
    if (!why) return true;
    this.#sidecar = null;
    this.#sidecarHeld = false;
    this.#sidecarProblem(`is not this media's: ${why} (a file made by an older avseg whose envelope was computed otherwise is not used either)`);
    return false;
  }

  #sidecarProblem(what) {
    this.#post({ type: ERROR, code: ErrorCode.InvalidAnalysis, fatal: false,
      message: `The precomputed analysis (${safeOrigin(this.url)}) ${what}; the analysis comes from decoding.` });
  }

  /** The sidecar's pitch is this media's (same rate and length) and the pitch options are the load's first. */
  #sidecarPitchFits() {
    const data = this.#sidecar;
    const session = this.#session();
    if (!data?.pitch || this.#pitchChanged || !session || !this.#pitchRangeFits(data.pitch)) return false;
    const info = session.info();
    return data.sampleRate === info.sampleRate && (!this.#load.done || data.frames === info.frames);
  }

  /** During the decode (load-decode.js, about ten times a second): pieces at most every second. */
  progress() {
    this.#offerSidecar();
    const session = this.#session();
    if (!session) return;
    if (this.#window && !this.#pending) this.#kick();
    const now = performance.now();
    if (now - this.#lastPiece < this.#pieceEvery || this.#load.done) return;
    this.#sendLevels(session, false);
    this.#sendPauses(session, false, false);
    // Finding pauses reads every block so far: on a long file the pieces come more seldom, so that
    // they never take more than a tenth of the decode's time.
    this.#lastPiece = performance.now();
    this.#pieceEvery = Math.max(PIECE_MS, 10 * (this.#lastPiece - now));
  }

  /** The decode is done (before `ready`): the final pauses, energy and loudness; then pitch in idle slices. */
  async decoded() {
    this.#M = await this.#load.core();
    // The file's parts go first (when it came and fits); one sent earlier is checked against the
    // decoded length: one that does not fit is said (the element then drops what came from it).
    this.#offerSidecar();
    const session = this.#session();
    if (!session) return;
    const info = session.info();
    if (this.#sidecar && !this.#sidecarHeld && this.#sidecar.frames !== info.frames) this.#sidecarMismatch(info);
    const energy = session.energy();
    if (this.#sidecar && !this.#sidecarHeld) this.#sidecarEnergyFits(energy);
    this.#sendLevels(session, true, energy);
    // Each step reads every block of a long file: renders asked meanwhile go between them.
    await yieldToMessages();
    await this.#edgeBytes(session);
    if (this.#load.session !== session || this.#stopped) return;
    this.#sendPauses(session, true, true);
    this.#kick();
  }

  #sendLevels(session, final, energy = session.energy()) {
    if (final || energy.levels.length <= ENERGY_PIECE_BLOCKS) {
      this.#post({ type: ANALYSIS, kind: 'energy', from: 'core', final, ...energy }, [energy.levels.buffer]);
    }
    if (final) this.#coreFinal.add('energy').add('loudness');
    const loudness = session.loudness(this.options.loudness.jumpLu);
    if (!loudness.ok) return;
    const { ok, code, message, ...fields } = loudness;
    this.#post({ type: ANALYSIS, kind: 'loudness', from: 'core', final, ...fields }, [fields.momentary.buffer, fields.shortTerm.buffer]);
  }

  #sendPauses(session, final, exact) {
    const { thresholdDb, minDuration } = this.options.pauses;
    let found = session.pauses(thresholdDb, minDuration, exact && this.#load.seekable);
    // A read refused while refining (an expired link): the edges stay on the envelope's blocks.
    if (!found.ok && exact) found = session.pauses(thresholdDb, minDuration, false);
    if (!found.ok) {
      this.#post({ type: ERROR, code: found.code, message: `Pauses could not be found: ${found.message}`, fatal: false });
      return;
    }
    const { ok, code, message, ...fields } = found;
    this.#post({ type: ANALYSIS, kind: 'pauses', from: 'core', final, ...fields });
    if (final) this.#coreFinal.add('pauses');
  }

  /**
   * A file read in place: the bytes around the pause edges the core refines are fetched first,
   * asynchronously (else each edge's read would be a synchronous request), as far as the cache holds them.
   */
  async #edgeBytes(session) {
    const file = this.#load.file;
    if (!file || file.error || !this.#load.seekable || file.has(0, file.size)) return;
    await this.#head();
    if (this.#load.session !== session || this.#stopped) return;
    const { thresholdDb, minDuration } = this.options.pauses;
    const coarse = session.pauses(thresholdDb, minDuration, false);
    if (!coarse.ok) return;
    // Said at once, on the envelope's blocks, while the bytes for the exact edges come.
    const { ok, code, message, ...fields } = coarse;
    this.#post({ type: ANALYSIS, kind: 'pauses', from: 'core', final: false, ...fields });
    const margin = Math.round(EDGE_SECONDS * coarse.sampleRate);
    const ranges = [];
    let bytes = 0;
    for (const p of coarse.pauses) {
      for (const edge of [p.start, p.end]) {
        for (const r of bytesToFetch(file, session.bytesForFrames(edge - margin, edge + margin), this.#load.plan?.media ?? null)) {
          ranges.push(r);
          bytes += r[1] - r[0];
        }
      }
      if (bytes > EDGE_BYTES) break;
    }
    if (ranges.length) await settled(this.#load, file.want(ranges.sort((a, b) => a[0] - b[0]), { gap: 64 << 10 }));
  }

  /**
   * A promise while the file's head is fetched (a file read in place whose head the cache let go),
   * else null: each decoder of the core's (the waveform's, the pauses', the pitch's) opens the file
   * again, and its demuxer's probe would read it by synchronous requests. An MP4's index is pinned.
   */
  #head() {
    const load = this.#load;
    const file = load.file;
    if (!file || file.error || load.plan?.media) return null;
    const end = Math.min(file.size, HEAD_BYTES);
    if (file.has(0, end)) return null;
    return settled(load, file.want([[0, end]]));
  }

  /** New options: pauses found again and sent; loudness jumps again; pitch started again if its range changed. */
  setOptions(given) {
    const before = this.options;
    this.options = analysisOptions(given);
    const p = this.options.pitch;
    const q = before.pitch;
    const pitchChanged = p.floorHz !== q.floorHz || p.ceilingHz !== q.ceilingHz || p.range !== q.range;
    if (pitchChanged) {
      this.#pitchChanged = true;
      this.#pitch = null;
      this.#generation++;
      this.#pending = false;
    }
    const session = this.#session();
    if (!session) return;
    const final = !!this.#load.done;
    this.#sendPauses(session, final, final);
    if (before.loudness.jumpLu !== this.options.loudness.jumpLu) this.#sendLevels(session, final);
    if (pitchChanged) this.#kick();
  }

  /** Pitch for [startFrame, endFrame) first, then (once decoded) the rest of the file. */
  analyze(msg) {
    if (msg.kind !== 'pitch') return;
    this.#window = [Math.max(0, Math.floor(msg.startFrame)), Math.max(0, Math.ceil(msg.endFrame))];
    this.#kick();
  }

  #kick() {
    if (this.#pending || this.#stopped) return;
    this.#pending = true;
    const generation = this.#generation;
    this.#schedule(() => this.#slice(generation));
  }

  /** What pitch covers now: the grid points whose windows are decoded. */
  #available(session, hop) {
    const info = session.info();
    const frames = this.#load.done ? info.frames : Math.max(0, info.frames - DECODE_MARGIN_SECONDS * info.sampleRate);
    return Math.ceil(frames / hop);
  }

  async #slice(generation) {
    if (generation !== this.#generation || this.#stopped) return;
    this.#pending = false;
    const session = this.#session();
    if (!session || !this.#window || this.#load.file?.error || this.#sidecarPitchFits()) return;
    const pitch = (this.#pitch ??= this.#pitchWork(session));
    if (!pitch) return;
    let work = this.#nextWork(session, pitch);
    if (!work) return;
    // Bytes not cached are fetched ahead, asynchronously (a file read in place).
    const fetching = this.#ahead(session, work);
    if (fetching) {
      this.#pending = true;
      await fetching;
      if (generation !== this.#generation) return;
      this.#pending = false;
      this.#kick();
      return;
    }
    const started = performance.now();
    while (work && performance.now() - started < SLICE_MS) {
      const left = SLICE_MS - (performance.now() - started);
      const points = Math.min(work.end - work.start, Math.max(16, Math.floor(left / work.grid.msPerPoint)));
      const t0 = performance.now();
      const result = session.pitch(work.start * work.hop, points * work.hop, work.floorHz, work.ceilingHz, work.hopSeconds);
      if (!result.ok) {
        this.#post({ type: ERROR, code: result.code, message: `Pitch could not be computed: ${result.message}`, fatal: false });
        return;
      }
      const count = result.hz.length;
      // No samples to read (a streamed file too large to keep): no pitch, nothing more to try.
      if (!count) return;
      work.grid.msPerPoint = Math.max(0.0005, (performance.now() - t0) / count);
      work.take(result);
      work.grid.coverage.add(result.firstIndex, result.firstIndex + count);
      work = this.#nextWork(session, pitch);
    }
    // Gathered pieces go every POST_MS, at the end, or when nothing more is to be done now; the
    // window's as one piece once it is complete.
    if (!work?.inWindow) this.#flushPitch(session, pitch, work ? 'due' : 'now');
    if (work) this.#kick();
  }

  /**
   * The pitch work for the options, its ceiling lowered to what the sample rate allows (a quarter of
   * it), said once; null (said once) when not even the floor fits.
   */
  #pitchWork(session) {
    const options = this.options.pitch;
    const rate = session.info().sampleRate;
    const most = Math.floor(rate / 4);
    if (options.ceilingHz <= most) return new PitchWork(options, options.range === 'speaker');
    const usable = options.floorHz < most;
    const key = `${options.floorHz}:${options.ceilingHz}:${rate}`;
    if (this.#pitchClampSaid !== key) {
      this.#pitchClampSaid = key;
      this.#post({ type: ERROR, code: ErrorCode.InvalidValue, fatal: false,
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
  #nextWork(session, pitch) {
    if (pitch.wide && !pitch.wide.done) {
      const wide = this.#wideWork(session, pitch);
      if (wide) return wide;
      if (!pitch.wide.done) return null;   // the range waits for the whole file
    }
    pitch.hop ||= session.pitchHop(pitch.floorHz, pitch.ceilingHz, PITCH_HOP_SECONDS);
    if (!pitch.hop) return null;
    const total = this.#available(session, pitch.hop);
    const fine = (gap, inWindow = false) => gap && { start: gap[0], end: gap[1], hop: pitch.hop, hopSeconds: PITCH_HOP_SECONDS, floorHz: pitch.floorHz,
      ceilingHz: pitch.ceilingHz, grid: pitch, inWindow, take: (r) => this.#gather(session, pitch, r) };
    const [from, to] = this.#window ? [Math.min(total, Math.ceil(this.#window[0] / pitch.hop)), Math.min(total, Math.ceil(this.#window[1] / pitch.hop))] : [0, 0];
    const inWindow = fine(pitch.coverage.gap(from, to), true);
    if (inWindow) return inWindow;
    const key = `${from}:${to}`;
    if (to > from && pitch.windowDone !== key) {
      // The window is complete: said at once, before the rest of the file.
      pitch.windowDone = key;
      this.#flushPitch(session, pitch, 'now');
    }
    // The whole file only once the element asked for pitch at all (a strip that shows it).
    if (!this.#load.done || total <= 0 || !this.#window) return null;
    return fine(pitch.coverage.gap(to, total) ?? pitch.coverage.gap(0, total));
  }

  /** The speaker's wide pass over the whole file, once decoded; its range set once complete. Null while there is none to do. */
  #wideWork(session, pitch) {
    const wide = pitch.wide;
    if (!this.#load.done) return null;
    wide.hop ||= session.pitchHop(pitch.floorHz, pitch.ceilingHz, WIDE_HOP_SECONDS);
    if (!wide.hop) return null;
    const total = this.#available(session, wide.hop);
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
    const range = this.#M?.speakerPitchRange(wide.hz, wide.clarity, pitch.floorHz, pitch.ceilingHz);
    if (range && range.floorHz > 0 && range.ceilingHz > range.floorHz) ({ floorHz: pitch.floorHz, ceilingHz: pitch.ceilingHz } = range);
    pitch.wide = { done: true };
    return null;
  }

  /** A computed piece joins the one being gathered; one that does not join sends it first. */
  #gather(session, pitch, result) {
    const piece = pitch.piece;
    if (piece && piece.firstIndex + piece.count !== result.firstIndex) this.#flushPitch(session, pitch, 'part');
    pitch.piece ??= { firstIndex: result.firstIndex, hz: [], clarity: [], count: 0 };
    pitch.piece.hz.push(result.hz);
    pitch.piece.clarity.push(result.clarity);
    pitch.piece.count += result.hz.length;
  }

  /**
   * Posts the gathered piece: 'part' (more of it follows elsewhere), 'due' (if POST_MS passed or it
   * completes the file), 'now'. The last piece of the whole file is final.
   */
  #flushPitch(session, pitch, when) {
    const piece = pitch.piece;
    if (!piece?.count) return;
    const total = this.#load.done && pitch.hop ? this.#available(session, pitch.hop) : -1;
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
    if (final) this.#coreFinal.add('pitch');
    this.#post({ type: ANALYSIS, kind: 'pitch', from: 'core', final, sampleRate: session.info().sampleRate, hop: pitch.hop,
      firstIndex: piece.firstIndex, hz, clarity, floorHz: pitch.floorHz, ceilingHz: pitch.ceilingHz }, [hz.buffer, clarity.buffer]);
  }

  /** A promise while bytes the next work reads are fetched (a file read in place), else null. */
  #ahead(session, work) {
    const load = this.#load;
    if (!load.file || load.file.error) return null;
    const head = this.#head();
    if (head) return head;
    const media = load.plan?.media ?? null;
    const own = session.bytesForFrames(work.start * work.hop, Math.min(work.end, work.start + 4096) * work.hop);
    if (!bytesToFetch(load.file, own, media).length) return null;
    const rate = session.info().sampleRate;
    return fetchSpan(load, session.bytesForFrames(work.start * work.hop, work.start * work.hop + AHEAD_SECONDS * rate));
  }

  /** `frame` snapped within `radius` to the kinds asked; answered by `snapped`. */
  async snap(msg) {
    let answer = { frame: msg.frame, kind: null };
    const session = this.#session();
    const kinds = (msg.kinds ?? []).reduce((bits, k) => bits | (SNAP_KINDS[k] ?? 0), 0);
    if (session && kinds) {
      const radius = Math.max(0, msg.radius);
      let bits = kinds;
      if (kinds & SNAP_KINDS.zero) {
        // Bytes that do not come in time (an expired link, a slow server) leave zero crossings out,
        // rather than make the core read them synchronously or the drag wait.
        const fetched = (async () => {
          await this.#head();
          const fetching = this.#load.file ? fetchSpan(this.#load, session.bytesForFrames(msg.frame - radius - 1, msg.frame + radius + 2)) : null;
          if (fetching) await fetching;
          return true;
        })();
        let timer;
        const late = new Promise((resolve) => { timer = setTimeout(() => resolve(false), SNAP_FETCH_MS); });
        const inTime = await Promise.race([fetched, late]).finally(() => clearTimeout(timer));
        const file = this.#load.file;
        if (!inTime || file?.error) bits &= ~SNAP_KINDS.zero;
      }
      if (this.#load.session === session && !this.#stopped && bits) answer = session.snap(msg.frame, radius, bits);
    }
    this.#post({ type: SNAPPED, request: msg.request, frame: answer.frame, kind: answer.kind });
  }

  /** Pictures of the video's frames in order (held when they come early), or done. */
  motionFrames(msg) {
    this.#motionChain = this.#motionChain.then(() => this.#motionStep(msg)).catch((err) => {
      this.#post({ type: ERROR, code: ErrorCode.Internal, message: `The motion could not be computed: ${err?.message ?? err}`, fatal: false });
      // What was taken is said final: the strip does not wait for frames that will not be measured.
      const motion = this.#motion;
      if (motion && !motion.done && !this.#stopped) {
        motion.done = true;
        try {
          motion.analyzer.finish();
          this.#postMotion(true);
        } catch { /* said above */ }
      }
    });
    return this.#motionChain;
  }

  async #motionStep(msg) {
    if (this.#stopped) return;
    if (!this.#motion) {
      const M = await this.#load.core();
      if (this.#stopped || typeof M.Motion !== 'function') return;
      this.#motion = { analyzer: new M.Motion(), held: new Map(), lastPost: performance.now(), done: false };
    }
    const motion = this.#motion;
    if (motion.done) return;
    if (msg.done) {
      motion.done = true;
      motion.analyzer.finish();
      this.#postMotion(true);
      return;
    }
    motion.held.set(msg.first, msg);
    for (;;) {
      const next = motion.analyzer.frames();
      // Pictures of frames already taken are dropped; the next one's batch goes in.
      let batch = motion.held.get(next);
      if (!batch) {
        for (const [first, m] of motion.held) {
          if (first < next && first + m.count > next) batch = m;
          else if (first + m.count <= next) motion.held.delete(first);
        }
      }
      if (!batch) break;
      motion.held.delete(batch.first);
      const size = batch.width * batch.height;
      const skip = next - batch.first;
      const whole = Number.isInteger(size) && size > 0 && batch.luma instanceof ArrayBuffer && batch.luma.byteLength >= batch.count * size;
      const taken = whole && motion.analyzer.push(new Uint8Array(batch.luma, skip * size, (batch.count - skip) * size), batch.width, batch.height, batch.count - skip);
      if (!taken) {
        // Pictures of another size, or fewer bytes than said: the motion stops where it got to.
        motion.done = true;
        motion.analyzer.finish();
        this.#postMotion(true);
        this.#post({ type: ERROR, code: ErrorCode.InvalidValue, fatal: false,
          message: `The motion stops at frame ${next}: its pictures (${batch.width}×${batch.height}, ${batch.count} frames, ${batch.luma?.byteLength} bytes) ${whole ? 'do not fit the earlier ones' : 'are fewer bytes than that many pictures of that size need'}.` });
        return;
      }
    }
    if (performance.now() - motion.lastPost > PIECE_MS) this.#postMotion(false);
  }

  #postMotion(final) {
    const motion = this.#motion;
    if (final) this.#coreFinal.add('motion');
    motion.lastPost = performance.now();
    const result = motion.analyzer.result();
    this.#post({ type: ANALYSIS, kind: 'motion', from: 'core', final, ...result }, [result.motion.buffer]);
  }

  /** The load ended or was replaced. */
  stop() {
    this.#stopped = true;
    this.#generation++;
    this.#pending = false;
    this.#motion?.analyzer.delete();
    this.#motion = null;
  }
}
