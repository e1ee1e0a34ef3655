// SPDX-License-Identifier: MIT
// What the worker found in the current load (its `analysis` messages, contracts in protocol.js):
// pauses, loudness, the pitch contour assembled from its pieces into one whole-file array, motion
// and cuts; and the element's read-only `analysis` snapshot of it in frames and seconds.
import { Emitter } from './emitter.js';
import { MinMaxPyramid } from './analysis-columns.js';

export const ANALYSIS_KINDS = ['pauses', 'pitch', 'loudness', 'motion'];

/**
 * @typedef {object} AnalysisEvents
 * @property {{kind: string}} change  a kind's data arrived or changed
 */

/** @extends {Emitter<AnalysisEvents>} */
export class AnalysisData extends Emitter {
  pauses = null;     // {sampleRate, speechLevelDb, thresholdDb, minDuration, pauses: [{start, end}], final, from}
  energy = null;     // {sampleRate, hop, levels}
  loudness = null;   // {sampleRate, stepFrames, momentary, shortTerm, integrated, range, jumps, final, from}
  pitch = null;      // {sampleRate, hop, floorHz, ceilingHz, hz (NaN: not computed yet, 0: unvoiced), pyramid, final, from}
  motion = null;     // {frames, motion, cuts, jerks, final, from}
  #version = 0;      // counts changes: the snapshot is made again only after one
  #snapshot = null;  // {key, value}

  constructor() {
    super();
    this.on('change', () => { this.#version++; });
  }

  /** A new load: nothing is known. */
  reset() {
    this.pauses = this.energy = this.loudness = this.pitch = this.motion = null;
    for (const kind of ANALYSIS_KINDS) this.emit('change', { kind });
  }

  /** One `analysis` message of the load (minus type and load). */
  take(msg) {
    const { kind, from = 'core', final = true } = msg;
    if (kind === 'pitch') this.#takePitch(msg);
    else if (kind === 'pauses') this.pauses = { ...msg, pauses: [...msg.pauses].sort((a, b) => a.start - b.start), from, final };
    else if (kind === 'energy' || kind === 'loudness' || kind === 'motion') this[kind] = { ...msg, from, final };
    else return;
    this.emit('change', { kind });
  }

  #takePitch(msg) {
    const n = msg.hz.length;
    let p = this.pitch;
    const rangeChanged = p && (p.hop !== msg.hop || p.floorHz !== msg.floorHz || p.ceilingHz !== msg.ceilingHz);
    if (!p || rangeChanged) {
      p = this.pitch = { sampleRate: msg.sampleRate, hop: msg.hop, floorHz: msg.floorHz, ceilingHz: msg.ceilingHz, hz: new Float32Array(0), pyramid: null, final: false, from: msg.from ?? 'core' };
    }
    const end = msg.firstIndex + n;
    if (end > p.hz.length) {
      // Grown by doubling: pieces come in any order, the whole file's array is filled as they do.
      const grown = new Float32Array(Math.max(end, Math.min(p.hz.length * 2, end + (1 << 20)))).fill(NaN);
      grown.set(p.hz);
      p.hz = grown;
      p.pyramid = null;
    }
    p.hz.set(msg.hz, msg.firstIndex);
    if (p.pyramid) p.pyramid.update(msg.firstIndex, end);
    else p.pyramid = new MinMaxPyramid(p.hz);
    p.final = Boolean(msg.final);
    p.from = msg.from ?? p.from;
  }

  /** `kind`'s data goes (its options changed): it comes again. */
  drop(kind) {
    if (!this[kind]) return;
    this[kind] = null;
    this.emit('change', { kind });
  }

  /**
   * A precomputed file was found not to be this media's (the worker's `invalid-analysis`): whatever
   * came from it goes; the kinds dropped are returned (the core's own replace them).
   */
  dropSidecar() {
    const dropped = [];
    for (const kind of [...ANALYSIS_KINDS, 'energy']) {
      if (this[kind]?.from !== 'sidecar') continue;
      this[kind] = null;
      dropped.push(kind);
    }
    for (const kind of dropped) this.emit('change', { kind });
    return dropped;
  }

  /** Whether pitch values are known for every grid point whose frame is in [startFrame, endFrame). */
  pitchCovers(startFrame, endFrame) {
    const p = this.pitch;
    if (!p) return false;
    if (p.final) return true;
    const from = Math.max(0, Math.ceil(startFrame / p.hop));
    const to = Math.ceil(endFrame / p.hop);
    if (to > p.hz.length) return false;
    for (let i = from; i < to; i++) if (Number.isNaN(p.hz[i])) return false;
    return true;
  }

  /**
   * The element's `analysis`: a copy, frames of the audio (sample frames from its first sample)
   * and the same in seconds of the media.
   * @param {number} audioStart  media time of the first audio sample (seconds)
   * @param {(frame: number) => number} [frameTime]  a video frame's start time, for cuts and jerks
   * @param {object|null} [video]  the frame index frameTime reads: a new one makes the snapshot again
   * The snapshot is kept until the data (or audioStart, or video) changes: a long file's pitch grid
   * is not copied on every read.
   */
  snapshot(audioStart = 0, frameTime = () => NaN, video = null) {
    const cached = this.#snapshot;
    if (cached && cached.version === this.#version && cached.audioStart === audioStart && cached.video === video) return cached.value;
    const value = this.#makeSnapshot(audioStart, frameTime);
    this.#snapshot = { version: this.#version, audioStart, video, value };
    return value;
  }

  #makeSnapshot(audioStart, frameTime) {
    const sec = (f, rate) => audioStart + f / rate;
    const out = {};
    if (this.pauses) {
      const p = this.pauses;
      out.pauses = {
        sampleRate: p.sampleRate, speechLevelDb: p.speechLevelDb, thresholdDb: p.thresholdDb, minDuration: p.minDuration, final: p.final, from: p.from,
        spans: p.pauses.map(({ start, end }) => ({ start, end, startTime: sec(start, p.sampleRate), endTime: sec(end, p.sampleRate) })),
      };
    }
    if (this.loudness) {
      const l = this.loudness;
      out.loudness = {
        sampleRate: l.sampleRate, stepFrames: l.stepFrames, integrated: l.integrated, range: l.range, final: l.final, from: l.from,
        momentary: Float32Array.from(l.momentary), shortTerm: Float32Array.from(l.shortTerm),
        jumps: l.jumps.map(({ frame, from, to }) => ({ frame, time: sec(frame, l.sampleRate), from, to })),
      };
    }
    if (this.pitch) {
      const p = this.pitch;
      out.pitch = { sampleRate: p.sampleRate, hop: p.hop, floorHz: p.floorHz, ceilingHz: p.ceilingHz, final: p.final, from: p.from, hz: Float32Array.from(p.hz) };
    }
    if (this.motion) {
      const m = this.motion;
      const at = (frame) => ({ frame, time: frameTime(frame) });
      out.motion = { frames: m.frames, final: m.final, from: m.from, motion: Float32Array.from(m.motion), cuts: m.cuts.map(at), jerks: m.jerks.map(at) };
    }
    return out;
  }
}
