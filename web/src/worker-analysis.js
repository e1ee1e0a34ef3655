// SPDX-License-Identifier: MIT
// A load's analyses in the worker (doc/analysis.md): the load's lifecycle and dispatch; pauses, energy
// and loudness from the streaming decode (the core's tee, no second decode) and snapping here; pitch
// (analysis-pitch-jobs.js), the precomputed analysis file (analysis-sidecar-use.js) and a video's
// motion (analysis-motion.js) are its parts, mixed in.
import { ANALYSIS, ERROR, SNAPPED } from './protocol.js';
import { ErrorCode } from './error-codes.js';
import { bytesToFetch, fetchSpan } from './view-bytes.js';
import { yieldToMessages } from './load-decode.js';
import { mixIn } from './mix-in.js';
import { PitchJobs } from './analysis-pitch-jobs.js';
import { SidecarUse, fetchSidecar } from './analysis-sidecar-use.js';
import { MotionFrames } from './analysis-motion.js';

export { Coverage, SLICE_MS } from './analysis-pitch-jobs.js';

/** @typedef {import('./protocol.js').AnalysisOptions} AnalysisOptions */

export const DEFAULT_OPTIONS = Object.freeze({
  pauses: Object.freeze({ thresholdDb: -30, minDuration: 0.2 }),
  pitch: Object.freeze({ floorHz: 50, ceilingHz: 800, range: 'config' }),
  loudness: Object.freeze({ jumpLu: 10 }),
});

const PIECE_MS = 1000;            // pauses and loudness during the decode, at most this often
const ENERGY_PIECE_BLOCKS = 600_000;   // the envelope during the decode only while this small (10 min at 1 ms)
const EDGE_SECONDS = 0.05;        // bytes around each pause edge fetched before the edges are refined
const EDGE_BYTES = 32 << 20;      // at most this much of them (the reader's cache holds 64 MiB)
const SNAP_KINDS = Object.freeze({ pause: 1, energy: 2, zero: 4 });
const HEAD_BYTES = 1 << 20;       // what a demuxer's probe may read as a decoder opens the file (RangeDecoder)
const SNAP_FETCH_MS = 250;        // a snap waits this long for its bytes (an expired link never brings them), then snaps without zero crossings

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

/** The analyses of one load (MediaLoad.analysis): the load calls progress() and decoded(); worker-host.js the rest. */
export class LoadAnalysis {
  load;
  schedule = macrotask();
  generation = 0;
  pending = false;
  lastPiece = 0;
  pieceEvery = PIECE_MS;
  window = null;                 // [startFrame, endFrame) asked for last
  pitch = null;
  pitchChanged = false;          // the options' pitch range is not the load's first
  sidecar = null;                // the parsed sidecar, once read (null again if it does not fit)
  sidecarHeld = false;           // read, not offered yet (the media not open)
  coreFinal = new Set();         // kinds the core has sent final
  motion = null;                 // {analyzer, held: Map, lastPost}
  motionChain = Promise.resolve();
  M = null;                      // the wasm module, once decoded (speakerPitchRange)
  pitchClampSaid = null;         // the pitch range whose ceiling was said too high for the rate
  videoFrameCount = null;            // the video's frame count, once indexed
  motionSent = false;            // the sidecar's motion was posted
  stopped = false;

  /**
   * @param {object} load  the MediaLoad: session, post(), core(), file, done, aborted
   * @param {{url?: string|null, options?: AnalysisOptions}} [given]
   */
  constructor(load, { url = null, options } = {}) {
    this.load = load;
    this.url = url;
    this.options = analysisOptions(options);
    if (url) fetchSidecar(url).then((read) => this.readSidecar(read));
  }

  /** Pitch slices wait to run (for stats and tests). */
  get busy() { return this.pending; }

  post(message, transfer) { if (!this.stopped) this.load.post(message, transfer); }

  session() {
    const session = this.load.session;
    return session?.opened() ? session : null;
  }

  /** During the decode (load-decode.js, about ten times a second): pieces at most every second. */
  progress() {
    this.offerSidecar();
    const session = this.session();
    if (!session) return;
    if (this.window && !this.pending) this.kick();
    const now = performance.now();
    if (now - this.lastPiece < this.pieceEvery || this.load.done) return;
    this.sendLevels(session, false);
    this.sendPauses(session, false, false);
    // Finding pauses reads every block so far: on a long file the pieces come more seldom, so that
    // they never take more than a tenth of the decode's time.
    this.lastPiece = performance.now();
    this.pieceEvery = Math.max(PIECE_MS, 10 * (this.lastPiece - now));
  }

  /** The decode is done (before `ready`): the final pauses, energy and loudness; then pitch in idle slices. */
  async decoded() {
    this.M = await this.load.core();
    // The file's parts go first (when it came and fits); one sent earlier is checked against the
    // decoded length: one that does not fit is said (the element then drops what came from it).
    this.offerSidecar();
    const session = this.session();
    if (!session) return;
    const info = session.info();
    if (this.sidecar && !this.sidecarHeld && this.sidecar.frames !== info.frames) this.sidecarMismatch(info);
    const energy = session.energy();
    if (this.sidecar && !this.sidecarHeld) this.sidecarEnergyFits(energy);
    this.sendLevels(session, true, energy);
    // Each step reads every block of a long file: renders asked meanwhile go between them.
    await yieldToMessages();
    await this.edgeBytes(session);
    if (this.load.session !== session || this.stopped) return;
    this.sendPauses(session, true, true);
    this.kick();
  }

  sendLevels(session, final, energy = session.energy()) {
    if (final || energy.levels.length <= ENERGY_PIECE_BLOCKS) {
      this.post({ type: ANALYSIS, kind: 'energy', from: 'core', final, ...energy }, [energy.levels.buffer]);
    }
    if (final) this.coreFinal.add('energy').add('loudness');
    const loudness = session.loudness(this.options.loudness.jumpLu);
    if (!loudness.ok) return;
    const { ok, code, message, ...fields } = loudness;
    this.post({ type: ANALYSIS, kind: 'loudness', from: 'core', final, ...fields }, [fields.momentary.buffer, fields.shortTerm.buffer]);
  }

  sendPauses(session, final, exact) {
    const { thresholdDb, minDuration } = this.options.pauses;
    let found = session.pauses(thresholdDb, minDuration, exact && this.load.seekable);
    // A read refused while refining (an expired link): the edges stay on the envelope's blocks.
    if (!found.ok && exact) found = session.pauses(thresholdDb, minDuration, false);
    if (!found.ok) {
      this.post({ type: ERROR, code: found.code, message: `Pauses could not be found: ${found.message}`, fatal: false });
      return;
    }
    const { ok, code, message, ...fields } = found;
    this.post({ type: ANALYSIS, kind: 'pauses', from: 'core', final, ...fields });
    if (final) this.coreFinal.add('pauses');
  }

  /**
   * A file read in place: the bytes around the pause edges the core refines are fetched first,
   * asynchronously (else each edge's read would be a synchronous request), as far as the cache holds them.
   */
  async edgeBytes(session) {
    const file = this.load.file;
    if (!file || file.error || !this.load.seekable || file.has(0, file.size)) return;
    await this.head();
    if (this.load.session !== session || this.stopped) return;
    const { thresholdDb, minDuration } = this.options.pauses;
    const coarse = session.pauses(thresholdDb, minDuration, false);
    if (!coarse.ok) return;
    // Said at once, on the envelope's blocks, while the bytes for the exact edges come.
    const { ok, code, message, ...fields } = coarse;
    this.post({ type: ANALYSIS, kind: 'pauses', from: 'core', final: false, ...fields });
    const margin = Math.round(EDGE_SECONDS * coarse.sampleRate);
    const ranges = [];
    let bytes = 0;
    for (const p of coarse.pauses) {
      for (const edge of [p.start, p.end]) {
        for (const r of bytesToFetch(file, session.bytesForFrames(edge - margin, edge + margin), this.load.plan?.media ?? null)) {
          ranges.push(r);
          bytes += r[1] - r[0];
        }
      }
      if (bytes > EDGE_BYTES) break;
    }
    if (ranges.length) await settled(this.load, file.want(ranges.sort((a, b) => a[0] - b[0]), { gap: 64 << 10 }));
  }

  /**
   * A promise while the file's head is fetched (a file read in place whose head the cache let go),
   * else null: each decoder of the core's (the waveform's, the pauses', the pitch's) opens the file
   * again, and its demuxer's probe would read it by synchronous requests. An MP4's index is pinned.
   */
  head() {
    const load = this.load;
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
      this.pitchChanged = true;
      this.pitch = null;
      this.generation++;
      this.pending = false;
    }
    const session = this.session();
    if (!session) return;
    const final = !!this.load.done;
    this.sendPauses(session, final, final);
    if (before.loudness.jumpLu !== this.options.loudness.jumpLu) this.sendLevels(session, final);
    if (pitchChanged) this.kick();
  }

  /** `frame` snapped within `radius` to the kinds asked; answered by `snapped`. */
  async snap(msg) {
    let answer = { frame: msg.frame, kind: null };
    const session = this.session();
    const kinds = (msg.kinds ?? []).reduce((bits, k) => bits | (SNAP_KINDS[k] ?? 0), 0);
    if (session && kinds) {
      const radius = Math.max(0, msg.radius);
      let bits = kinds;
      if (kinds & SNAP_KINDS.zero) {
        // Bytes that do not come in time (an expired link, a slow server) leave zero crossings out,
        // rather than make the core read them synchronously or the drag wait.
        const fetched = (async () => {
          await this.head();
          const fetching = this.load.file ? fetchSpan(this.load, session.bytesForFrames(msg.frame - radius - 1, msg.frame + radius + 2)) : null;
          if (fetching) await fetching;
          return true;
        })();
        let timer;
        const late = new Promise((resolve) => { timer = setTimeout(() => resolve(false), SNAP_FETCH_MS); });
        const inTime = await Promise.race([fetched, late]).finally(() => clearTimeout(timer));
        const file = this.load.file;
        if (!inTime || file?.error) bits &= ~SNAP_KINDS.zero;
      }
      if (this.load.session === session && !this.stopped && bits) answer = session.snap(msg.frame, radius, bits);
    }
    this.post({ type: SNAPPED, request: msg.request, frame: answer.frame, kind: answer.kind });
  }

  /** The load ended or was replaced. */
  stop() {
    this.stopped = true;
    this.generation++;
    this.pending = false;
    this.motion?.analyzer.delete();
    this.motion = null;
  }
}

// Its parts, by role: pitch, the precomputed file, motion.
mixIn(LoadAnalysis, PitchJobs, SidecarUse, MotionFrames);
