// SPDX-License-Identifier: MIT
// Pure math of the analysis strips (analysis-strips.js): which device-pixel columns a frame, a
// span or a grid of values falls on, so that the strips line up column for column with the
// waveform the core draws; min/max per column over long series (a pyramid of blocks); the
// vertical scales. No DOM: tested in Node.

/**
 * A view as the core renders it: column x shows frames [startFrame + x * framesPerPixel,
 * startFrame + (x + 1) * framesPerPixel), each end taken down to a whole frame
 * (WaveformRenderer.h). Below one frame a pixel, a frame is a point at (f - startFrame) / framesPerPixel.
 * @typedef {{startFrame: number, framesPerPixel: number, width: number}} ColumnView
 */

/** The first frame of column x (the core's floor of the same sum, so equal to the last bit). */
export function columnStart(view, x) {
  return Math.floor(view.startFrame + x * view.framesPerPixel);
}

/**
 * The column frame `f` is drawn in: with a frame or more a pixel, the column whose frames hold it;
 * below, the pixel nearest its point. May lie outside [0, width).
 */
export function frameColumn(view, f) {
  const { startFrame: s, framesPerPixel: fpp } = view;
  if (fpp < 1) return Math.round((f - s) / fpp);
  let x = Math.ceil((f + 1 - s) / fpp) - 1;
  // The division may differ from the core's sums by a rounding: settle on its own test.
  while (x > -1e9 && columnStart(view, x) > f) x--;
  while (x < 1e9 && columnStart(view, x + 1) <= f) x++;
  return x;
}

/**
 * The columns [first, last] (inclusive, clipped to the view) that frames [start, end) cover, or
 * null when none is in view. Below a frame a pixel, the pixels whose centres lie in [start, end).
 */
export function spanColumns(view, start, end) {
  if (!(end > start)) return null;
  let first;
  let last;
  if (view.framesPerPixel >= 1) {
    first = frameColumn(view, start);
    last = frameColumn(view, end - 1);
  } else {
    const at = (f) => (f - view.startFrame) / view.framesPerPixel - 0.5;
    first = Math.ceil(at(start));
    last = Math.ceil(at(end)) - 1;
  }
  first = Math.max(first, 0);
  last = Math.min(last, view.width - 1);
  return first <= last ? { first, last } : null;
}

/**
 * For a grid of values where value g stands at frame origin + g * hop: the values each column
 * holds, as starts[x]..starts[x + 1] (width + 1 entries, clipped to [0, count]).
 */
export function gridColumns(view, origin, hop, count) {
  const starts = new Float64Array(view.width + 1);
  const fpp = view.framesPerPixel;
  for (let x = 0; x <= view.width; x++) {
    // The frame a column begins at: the core's, or (below a frame a pixel) half a pixel back.
    const from = fpp >= 1 ? columnStart(view, x) : view.startFrame + (x - 0.5) * fpp;
    starts[x] = Math.min(Math.max(Math.ceil((from - origin) / hop), 0), count);
  }
  return starts;
}

/** Index of the first element of the sorted array `a` that is >= value. */
export function lowerBound(a, value, key = (v) => v) {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (key(a[mid]) < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

const BLOCK = 32;

/**
 * Min and max over any run of a long series, in time that does not grow with the run: blocks of
 * 32 and of 1024 values keep theirs. Only values that count (by default: finite and above 0, a
 * voiced pitch) are taken; a run with none gives {min: Infinity, max: -Infinity}.
 */
export class MinMaxPyramid {
  #values;
  #counts;
  #levels = [];

  /** @param {Float32Array} values  read in place; call update() after changing them */
  constructor(values, counts = (v) => v > 0) {
    this.#values = values;
    this.#counts = counts;
    for (let size = BLOCK, n = values.length; size <= Math.max(BLOCK, n); size *= BLOCK) {
      const blocks = Math.ceil(n / size);
      this.#levels.push({ size, min: new Float32Array(blocks).fill(Infinity), max: new Float32Array(blocks).fill(-Infinity) });
      if (blocks <= 1) break;
    }
    this.update(0, values.length);
  }

  get values() { return this.#values; }

  /** Values [from, to) changed: their blocks are summed again. */
  update(from, to) {
    const v = this.#values;
    let below = null;
    for (const level of this.#levels) {
      const b0 = Math.floor(from / level.size);
      const b1 = Math.min(Math.ceil(to / level.size), level.min.length);
      for (let b = b0; b < b1; b++) {
        let lo = Infinity;
        let hi = -Infinity;
        if (!below) {
          const end = Math.min((b + 1) * level.size, v.length);
          for (let i = b * level.size; i < end; i++) {
            const x = v[i];
            if (!this.#counts(x)) continue;
            if (x < lo) lo = x;
            if (x > hi) hi = x;
          }
        } else {
          const end = Math.min((b + 1) * BLOCK, below.min.length);
          for (let i = b * BLOCK; i < end; i++) {
            if (below.min[i] < lo) lo = below.min[i];
            if (below.max[i] > hi) hi = below.max[i];
          }
        }
        level.min[b] = lo;
        level.max[b] = hi;
      }
      below = level;
    }
  }

  /** {min, max} of the counted values in [from, to). */
  range(from, to) {
    const out = { min: Infinity, max: -Infinity };
    this.#scan(from, to, out, this.#levels.length - 1);
    return out;
  }

  #scan(from, to, out, levelIndex) {
    if (from >= to) return;
    if (levelIndex < 0) {
      const v = this.#values;
      for (let i = from; i < to; i++) {
        const x = v[i];
        if (!this.#counts(x)) continue;
        if (x < out.min) out.min = x;
        if (x > out.max) out.max = x;
      }
      return;
    }
    const { size, min, max } = this.#levels[levelIndex];
    const b0 = Math.ceil(from / size);
    const b1 = Math.floor(to / size);
    if (b0 >= b1) {
      this.#scan(from, to, out, levelIndex - 1);
      return;
    }
    this.#scan(from, b0 * size, out, levelIndex - 1);
    for (let b = b0; b < b1; b++) {
      if (min[b] < out.min) out.min = min[b];
      if (max[b] > out.max) out.max = max[b];
    }
    this.#scan(b1 * size, to, out, levelIndex - 1);
  }
}

/**
 * A value per column of a grid series, min and max of those in it; a column between two values
 * (zoomed in past the grid) takes the line between its neighbours at its centre when both count.
 * Returns {min, max} Float32Arrays of the width, NaN where nothing is drawn (a voicing gap).
 */
export function columnRanges(view, { origin = 0, hop, pyramid, counts = (v) => v > 0 }) {
  const values = pyramid.values;
  const starts = gridColumns(view, origin, hop, values.length);
  const min = new Float32Array(view.width).fill(NaN);
  const max = new Float32Array(view.width).fill(NaN);
  for (let x = 0; x < view.width; x++) {
    const a = starts[x];
    const b = starts[x + 1];
    if (b > a) {
      const r = pyramid.range(a, b);
      if (r.min <= r.max) {
        min[x] = r.min;
        max[x] = r.max;
      }
      continue;
    }
    // No value in this column: between value a - 1 and value a.
    if (a < 1 || a >= values.length) continue;
    const v0 = values[a - 1];
    const v1 = values[a];
    if (!counts(v0) || !counts(v1)) continue;
    const centre = view.startFrame + (x + 0.5) * view.framesPerPixel;
    const t = Math.min(Math.max((centre - (origin + (a - 1) * hop)) / hop, 0), 1);
    min[x] = max[x] = v0 + (v1 - v0) * t;
  }
  return { min, max };
}

/** The row (0 at the top) of `hz` on a log-frequency axis from floorHz (bottom row) to ceilingHz (top row). */
export function pitchRow(hz, floorHz, ceilingHz, height) {
  const f = (Math.log(hz) - Math.log(floorHz)) / (Math.log(ceilingHz) - Math.log(floorHz));
  return Math.round((1 - f) * (height - 1));
}

/** Frequencies worth a label between floor and ceiling: 1, 2 and 5 times powers of ten. */
export function pitchTicks(floorHz, ceilingHz) {
  const out = [];
  for (let p = 1; p <= 10000; p *= 10) {
    for (const m of [1, 2, 5]) if (p * m >= floorHz && p * m <= ceilingHz) out.push(p * m);
  }
  return out;
}

/** Loudness strips show LUFS from LOUDNESS_FLOOR (bottom row) to 0 (top row). */
export const LOUDNESS_FLOOR = -60;

export function loudnessRow(lufs, height) {
  const f = (Math.min(Math.max(lufs, LOUDNESS_FLOOR), 0) - LOUDNESS_FLOOR) / -LOUDNESS_FLOOR;
  return Math.round((1 - f) * (height - 1));
}
