// SPDX-License-Identifier: MIT
// A precomputed analysis file in use (mixed into LoadAnalysis): fetched, checked against the media (rate, length, energy, pitch range and hop, motion count), posted, dropped.
import { parseAnalysisSidecar } from './analysis-sidecar.js';
import { ANALYSIS, ERROR } from './protocol.js';
import { ErrorCode } from './error-codes.js';
import { PITCH_HOP_SECONDS } from './analysis-pitch-jobs.js';

const ENERGY_SLACK_DB = 0.05;     // a sidecar's envelope and the decode's differ by float rounding at most (same code)
const MAX_PITCH_HOP_SECONDS = 1;  // the core's widest pitch hop

function safeOrigin(url) {
  try { return new URL(url).origin; } catch { return url; }
}

/** A sidecar's bytes, or why they could not be fetched; never rejects (as the peaks: media-load.js). */
export async function fetchSidecar(url) {
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

/** LoadAnalysis's use of the sidecar (mixed into it by worker-analysis.js; its state is LoadAnalysis's). */
export class SidecarUse {
  readSidecar({ buffer, error }) {
    if (this.stopped) return;
    try {
      if (error) throw Object.assign(new Error(error), { code: ErrorCode.InvalidAnalysis });
      this.sidecar = parseAnalysisSidecar(buffer);
    } catch (err) {
      this.sidecarProblem(`could not be used: ${err?.message ?? err}`);
      return;
    }
    this.sidecarHeld = true;
    this.offerSidecar();
  }

  /**
   * The sidecar's parts, sent once the media is open and its rate (and length, when declared or
   * decoded) fits; those the core has already sent final are left out (they replace the file's).
   */
  offerSidecar() {
    const data = this.sidecar;
    if (!this.sidecarHeld || !data || this.stopped) return;
    const session = this.session();
    const soundless = !session && (this.load.videoOnly || this.load.done);
    if (!session && !soundless) return;   // not open yet: its facts come with the next progress
    this.sidecarHeld = false;
    if (session) {
      const info = session.info();
      const declared = info.declaredDuration > 0 ? Math.round(info.declaredDuration * info.sampleRate) : null;
      const frames = this.load.done ? info.frames : declared;
      const slack = this.load.done ? 0 : info.sampleRate;
      if (data.sampleRate !== info.sampleRate || (frames !== null && Math.abs(data.frames - frames) > slack)) {
        this.sidecarMismatch(info);
        return;
      }
    }
    if (data.pitch && !this.pitchHopFits(data)) return;
    // Said before the rest is sent: the element drops what came from the file when told it is wrong.
    const motionFits = !data.motion || this.motionFits();
    for (const kind of ['pauses', 'energy', 'loudness', 'pitch', 'motion']) {
      if (!data[kind] || this.coreFinal.has(kind) || (soundless && kind !== 'motion')) continue;
      if (kind === 'pitch' && !this.pitchRangeFits(data.pitch)) continue;
      if (kind === 'motion' && !motionFits) continue;
      if (kind === 'motion') this.motionSent = true;
      const [fields, transfer] = owned(data[kind]);
      this.post({ type: ANALYSIS, kind, from: 'sidecar', final: true, ...(kind === 'motion' ? {} : { sampleRate: data.sampleRate }), ...fields }, transfer);
    }
  }

  sidecarMismatch(info) {
    const data = this.sidecar;
    this.sidecar = null;
    this.sidecarProblem(`does not match the media: it is for ${data.frames} frames at ${data.sampleRate} Hz, the media has ${info.frames} at ${info.sampleRate} Hz`);
  }

  /**
   * The video's frames are indexed: a sidecar's motion for another count is not this video's. Not
   * yet sent, it is left out; already sent, the whole file is refused (the element drops it).
   */
  videoFrames(count) {
    this.videoFrameCount = count;
    if (!this.sidecar?.motion || this.sidecarHeld || this.stopped) return;
    if (this.motionSent && this.sidecar.motion.frames !== count) {
      const frames = this.sidecar.motion.frames;
      this.sidecar = null;
      this.sidecarProblem(`is not this video's: its motion is for ${frames} frames, the video has ${count}`);
    }
  }

  motionFits() {
    const frames = this.sidecar.motion.frames;
    if (this.videoFrameCount === null || frames === this.videoFrameCount) return true;
    this.sidecarProblem(`has motion for ${frames} frames, the video has ${this.videoFrameCount}: its motion is not used`);
    return false;
  }

  /**
   * A pitch grid finer than the core's (1 ms) or coarser than its widest hop is refused: a hop of a
   * few frames would make the page hold an array as long as the file's samples.
   */
  pitchHopFits(data) {
    const hop = data.pitch.hop;
    const least = Math.max(1, Math.round(PITCH_HOP_SECONDS * data.sampleRate));
    const most = Math.round(MAX_PITCH_HOP_SECONDS * data.sampleRate);
    if (hop >= least && hop <= most) return true;
    this.sidecar = null;
    this.sidecarHeld = false;
    this.sidecarProblem(`could not be used: its pitch hop is ${hop} frames, outside the ${least}–${most} frames (${PITCH_HOP_SECONDS * 1000} ms – ${MAX_PITCH_HOP_SECONDS} s) at ${data.sampleRate} Hz that pitch is computed at`);
    return false;
  }

  /**
   * The sidecar's pitch was found in the range the load asks for: the same floor and ceiling
   * ('config'), or a speaker's range inside them ('speaker'; the file does not say how its range was
   * chosen, so one made with exactly these bounds passes too).
   */
  pitchRangeFits(pitch) {
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
  sidecarEnergyFits(energy) {
    const theirs = this.sidecar?.energy;
    if (!theirs) return true;
    let why = null;
    if (theirs.hop !== energy.hop || theirs.levels.length !== energy.levels.length) {
      why = `its energy envelope has ${theirs.levels.length} blocks of ${theirs.hop} frames, the decoded media ${energy.levels.length} of ${energy.hop}`;
    } else {
      for (let i = 0; i < energy.levels.length; i++) {
        const a = theirs.levels[i];
        const b = energy.levels[i];
        if (a === b || Math.abs(a - b) <= ENERGY_SLACK_DB) continue;
        why = `its energy level at block ${i} (${(i * energy.hop / this.sidecar.sampleRate).toFixed(3)} s) is ${a.toFixed(2)} dB, the decoded media's ${b.toFixed(2)} dB`;
        break;
      }
    }
    if (!why) return true;
    this.sidecar = null;
    this.sidecarHeld = false;
    this.sidecarProblem(`is not this media's: ${why} (a file made by an older avseg whose envelope was computed otherwise is not used either)`);
    return false;
  }

  sidecarProblem(what) {
    this.post({ type: ERROR, code: ErrorCode.InvalidAnalysis, fatal: false,
      message: `The precomputed analysis (${safeOrigin(this.url)}) ${what}; the analysis comes from decoding.` });
  }

  /** The sidecar's pitch is this media's (same rate and length) and the pitch options are the load's first. */
  sidecarPitchFits() {
    const data = this.sidecar;
    const session = this.session();
    if (!data?.pitch || this.pitchChanged || !session || !this.pitchRangeFits(data.pitch)) return false;
    const info = session.info();
    return data.sampleRate === info.sampleRate && (!this.load.done || data.frames === info.frames);
  }
}
