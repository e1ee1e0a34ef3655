// SPDX-License-Identifier: MIT
// Reads an analysis sidecar (.avsa, doc/analysis-format.md) as avseg-cli analyze writes it, with
// the same checks as the core's reader (wasm/core/AnalysisSidecar.cpp), into the shapes of the
// worker's `analysis` messages (without type/load). Used by the worker and by Node scripts.
import { ErrorCode, codedError } from './error-codes.js';

const MAGIC = 'AVSEGANL';
export const ANALYSIS_VERSION = 1;
const FIXED = 16;
const MAX_HEADER = 1 << 20;
const SIZES = { f32: 4, i64: 8 };

const bad = (message) => {
  throw codedError(ErrorCode.InvalidAnalysis, `analysis sidecar: ${message}`);
};
const padded = (n) => (n + 7) & ~7;
const isObject = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);
const show = (v) => (typeof v === 'number' && Number.isInteger(v) ? `${v}.0` : JSON.stringify(v));

function integer(obj, path, key, min, max) {
  const where = path ? `${path}.${key}` : key;
  if (!(key in obj)) bad(`${where} is missing`);
  const v = obj[key];
  if (!Number.isInteger(v) || v < min || v > max) bad(`${where} must be an integer from ${min} to ${max}, got ${JSON.stringify(v)}`);
  return v;
}

function real(obj, path, key, { nullable = false } = {}) {
  const where = `${path}.${key}`;
  if (!(key in obj)) bad(`${where} is missing`);
  const v = obj[key];
  if (nullable && v === null) return null;
  if (typeof v !== 'number' || !Number.isFinite(v)) bad(`${where} must be a number, got ${JSON.stringify(v)}`);
  return v;
}

/** JSON.parse refuses syntax; this refuses a key given twice in one object, as the core does. */
function duplicateKey(text) {
  const stack = [];
  const re = /"(?:[^"\\]|\\.)*"|[{}[\]:,]/g;
  let m;
  let expectKey = false;
  while ((m = re.exec(text))) {
    const t = m[0];
    if (t === '{') { stack.push({ keys: new Set(), object: true }); expectKey = true; } else if (t === '[') { stack.push({ object: false }); expectKey = false; } else if (t === '}' || t === ']') { stack.pop(); expectKey = false; } else if (t === ',') { expectKey = stack.at(-1)?.object ?? false; } else if (t === ':') { expectKey = false; } else if (expectKey) {
      const key = JSON.parse(t);
      if (stack.at(-1).keys.has(key)) return key;
      stack.at(-1).keys.add(key);
      expectKey = false;
    }
  }
  return null;
}

/**
 * @param {ArrayBuffer|ArrayBufferView} input the sidecar's bytes
 * @returns {{sampleRate: number, frames: number, energy?: object, pauses?: object, loudness?: object, pitch?: object, motion?: object}}
 *   each part shaped as the worker's `analysis` message of that kind (doc/analysis-format.md, "In JavaScript")
 * @throws {Error} with code 'invalid-analysis', saying what is wrong
 */
export function parseAnalysisSidecar(input) {
  const bytes = input instanceof ArrayBuffer ? new Uint8Array(input)
    : ArrayBuffer.isView(input) ? new Uint8Array(input.buffer, input.byteOffset, input.byteLength)
      : bad(`expected the file's bytes (an ArrayBuffer), got ${Object.prototype.toString.call(input)}`);
  const size = bytes.byteLength;
  if (size < FIXED) bad(`the file is too short for a header (${size} bytes, at least 16 needed)`);
  if (String.fromCharCode(...bytes.subarray(0, 8)) !== MAGIC) bad('not an avseg analysis sidecar (it does not start with AVSEGANL)');
  const view = new DataView(bytes.buffer, bytes.byteOffset, size);
  const version = view.getUint32(8, true);
  if (version !== ANALYSIS_VERSION) bad(`version ${version}: this reader reads version ${ANALYSIS_VERSION}${version > ANALYSIS_VERSION ? ' (the file was written by a newer avseg)' : ''}`);
  const headerBytes = view.getUint32(12, true);
  if (headerBytes > MAX_HEADER) bad(`the header says it is ${headerBytes} bytes long, more than the 1 MiB allowed`);
  if (headerBytes > size - FIXED) bad(`the header says it is ${headerBytes} bytes long but only ${size - FIXED} follow: the file is truncated`);
  let text;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(FIXED, FIXED + headerBytes));
  } catch {
    bad('header: not valid UTF-8');
  }
  let h;
  try {
    h = JSON.parse(text);
  } catch (err) {
    bad(`header: ${err.message}`);
  }
  const twice = duplicateKey(text);
  if (twice !== null) bad(`header: ${twice}: appears twice in the same object`);
  if (!isObject(h)) bad('header: must be a JSON object');
  const dataStart = padded(FIXED + headerBytes);
  if (dataStart > size) bad('the file ends inside the header\'s padding: the file is truncated');
  const dataSize = size - dataStart;
  let dataEnd = 0;

  const array = (parent, path, key, type) => {
    const where = `${path}.${key}`;
    if (!(key in parent)) bad(`${where} is missing`);
    const d = parent[key];
    if (!isObject(d)) bad(`${where} must be an array descriptor {"type", "offset", "count"}`);
    if (d.type !== type) bad(`${where}.type must be "${type}"`);
    for (const k of ['offset', 'count']) if (!Number.isSafeInteger(d[k]) || d[k] < 0) bad(`${where}.${k} must be an integer 0 or more`);
    const { offset, count } = d;
    if (offset % 8) bad(`${where}.offset ${offset} is not a multiple of 8`);
    const unit = SIZES[type];
    if (offset > dataSize || count > Math.floor((dataSize - offset) / unit)) {
      bad(`${where}: its ${count} values at data byte ${offset} end past the end of the file (${dataSize} bytes of data): the file is truncated`);
    }
    dataEnd = Math.max(dataEnd, padded(offset + count * unit));
    // A copy: aligned whatever the input's offset, and not holding the whole file alive.
    const copy = bytes.slice(dataStart + offset, dataStart + offset + count * unit).buffer;
    if (type === 'f32') return new Float32Array(copy);
    return Array.from(new BigInt64Array(copy), (v, i) => {
      if (v < -9007199254740991n || v > 9007199254740991n) bad(`${where}[${i}] is ${v}: past what JavaScript holds exactly`);
      return Number(v);
    });
  };
  const eachValue = (values, where, ok, rule) => {
    for (let i = 0; i < values.length; i++) {
      if (!Number.isFinite(values[i]) || !ok(values[i])) bad(`${where}[${i}] is ${show(values[i])}: ${rule}`);
    }
  };
  const finite = () => true;
  const sameCount = (a, b, first, second) => {
    if (a !== b) bad(`${first} has ${a} values but ${second} ${b}`);
  };
  const fitsGrid = (count, first, frames, step, where) => {
    const most = Math.floor(frames / step) + 1;
    if (first + count > most + 1) bad(`${where} has ${count} values from index ${first} at ${step} frames each: more than the ${frames} frames hold`);
  };
  const framesInOrder = (values, limit, where) => values.forEach((v, i) => {
    if (v < 0 || v >= limit) bad(`${where}[${i}] is ${v}: outside the ${limit} video frames`);
    if (i && v <= values[i - 1]) bad(`${where}[${i}] is ${v}: not after the one before (${values[i - 1]})`);
  });
  const part = (key) => {
    if (!isObject(h[key])) bad(`${key} must be an object`);
    return h[key];
  };

  const sampleRate = integer(h, '', 'sampleRate', 1, 1 << 24);
  const frames = integer(h, '', 'frames', 0, Number.MAX_SAFE_INTEGER);
  if ('generator' in h && typeof h.generator !== 'string') bad('generator must be text');
  const out = { sampleRate, frames };
  if ('energy' in h) {
    const e = part('energy');
    const hop = integer(e, 'energy', 'hop', 1, 1 << 24);
    const levels = array(e, 'energy', 'levels', 'f32');
    eachValue(levels, 'energy.levels', finite, 'levels must be finite dBFS');
    fitsGrid(levels.length, 0, frames, hop, 'energy.levels');
    out.energy = { sampleRate, hop, levels };
  }
  if ('pauses' in h) {
    const p = part('pauses');
    const speechLevelDb = real(p, 'pauses', 'speechLevelDb');
    const thresholdDb = real(p, 'pauses', 'thresholdDb');
    const minDuration = real(p, 'pauses', 'minDuration');
    if (minDuration < 0) bad(`pauses.minDuration must be 0 or more, got ${show(minDuration)}`);
    const start = array(p, 'pauses', 'start', 'i64');
    const end = array(p, 'pauses', 'end', 'i64');
    const level = array(p, 'pauses', 'levelDb', 'f32');
    sameCount(start.length, end.length, 'pauses.start', 'pauses.end');
    sameCount(start.length, level.length, 'pauses.start', 'pauses.levelDb');
    eachValue(level, 'pauses.levelDb', finite, 'levels must be finite dBFS');
    let previous = 0;
    const pauses = start.map((s, i) => {
      if (s < previous || end[i] <= s || end[i] > frames) bad(`pause ${i} [${s}, ${end[i]}) is empty, out of order or past the ${frames} frames`);
      previous = end[i];
      return { start: s, end: end[i] };
    });
    out.pauses = { sampleRate, speechLevelDb, thresholdDb, minDuration, pauses };
  }
  if ('loudness' in h) {
    const l = part('loudness');
    const stepFrames = integer(l, 'loudness', 'stepFrames', 1, 1 << 30);
    const integrated = real(l, 'loudness', 'integrated', { nullable: true });
    const range = real(l, 'loudness', 'range', { nullable: true });
    real(l, 'loudness', 'jumpLu');
    const momentary = array(l, 'loudness', 'momentary', 'f32');
    const shortTerm = array(l, 'loudness', 'shortTerm', 'f32');
    sameCount(momentary.length, shortTerm.length, 'loudness.momentary', 'loudness.shortTerm');
    eachValue(momentary, 'loudness.momentary', finite, 'loudness must be finite LUFS');
    eachValue(shortTerm, 'loudness.shortTerm', finite, 'loudness must be finite LUFS');
    fitsGrid(momentary.length, 0, frames, stepFrames, 'loudness.momentary');
    if (!isObject(l.jumps)) bad('loudness.jumps must be an object of arrays {frame, from, to}');
    const frame = array(l.jumps, 'loudness.jumps', 'frame', 'i64');
    const from = array(l.jumps, 'loudness.jumps', 'from', 'f32');
    const to = array(l.jumps, 'loudness.jumps', 'to', 'f32');
    sameCount(frame.length, from.length, 'loudness.jumps.frame', 'loudness.jumps.from');
    sameCount(frame.length, to.length, 'loudness.jumps.frame', 'loudness.jumps.to');
    eachValue(from, 'loudness.jumps.from', finite, 'loudness must be finite LUFS');
    eachValue(to, 'loudness.jumps.to', finite, 'loudness must be finite LUFS');
    const jumps = frame.map((f, i) => {
      if (f < 0 || f > frames) bad(`loudness.jumps.frame[${i}] is ${f}: outside the ${frames} frames`);
      return { frame: f, from: from[i], to: to[i] };
    });
    out.loudness = { sampleRate, stepFrames, momentary, shortTerm, integrated, range, jumps };
  }
  if ('pitch' in h) {
    const p = part('pitch');
    const hop = integer(p, 'pitch', 'hop', 1, 1 << 24);
    const firstIndex = integer(p, 'pitch', 'firstIndex', 0, Number.MAX_SAFE_INTEGER);
    const floorHz = real(p, 'pitch', 'floorHz');
    const ceilingHz = real(p, 'pitch', 'ceilingHz');
    if (!(floorHz > 0 && floorHz < ceilingHz)) bad(`pitch.floorHz ${show(floorHz)} and ceilingHz ${show(ceilingHz)}: the floor must be above 0 and below the ceiling`);
    const hz = array(p, 'pitch', 'hz', 'f32');
    const clarity = array(p, 'pitch', 'clarity', 'f32');
    sameCount(hz.length, clarity.length, 'pitch.hz', 'pitch.clarity');
    eachValue(hz, 'pitch.hz', (v) => v >= 0, 'a frequency must be 0 (unvoiced) or more');
    eachValue(clarity, 'pitch.clarity', (v) => v >= 0 && v <= 1, 'clarity must be within [0, 1]');
    fitsGrid(hz.length, firstIndex, frames, hop, 'pitch.hz');
    out.pitch = { sampleRate, hop, firstIndex, hz, clarity, floorHz, ceilingHz };
  }
  if ('motion' in h) {
    const m = part('motion');
    const videoFrames = integer(m, 'motion', 'frames', 0, Number.MAX_SAFE_INTEGER);
    const motion = array(m, 'motion', 'motion', 'f32');
    const cuts = array(m, 'motion', 'cuts', 'i64');
    const jerks = array(m, 'motion', 'jerks', 'i64');
    if (motion.length !== videoFrames) bad(`motion.motion has ${motion.length} values for ${videoFrames} video frames`);
    eachValue(motion, 'motion.motion', (v) => v >= 0 && v <= 1, 'motion must be within [0, 1]');
    framesInOrder(cuts, videoFrames, 'motion.cuts');
    framesInOrder(jerks, videoFrames, 'motion.jerks');
    out.motion = { frames: videoFrames, motion, cuts, jerks };
  }
  if (dataSize > dataEnd) bad(`${dataSize - dataEnd} bytes follow the last array: not a sidecar as written`);
  return out;
}
