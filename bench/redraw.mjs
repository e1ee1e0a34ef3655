// SPDX-License-Identifier: MIT
// Section 3: main-view redraw latency, zoomTo -> avseg-rendered, from the whole file down to below 1 sample/px.
import { MAIN_WIDTH } from './browser.mjs';

// 40 s is just under the span where a 10-hour file's coarsened pyramid base (1024 frames a bin) gives way
// to on-demand decoding: the largest decode, and sample cache, a 1920-px view can ask for.
const SPANS = [36000, 3600, 600, 60, 40, 10, 1, MAIN_WIDTH / 48000, MAIN_WIDTH / 48000 / 8];

const quantile = (values, q) => {
  const v = [...values].sort((a, b) => a - b);
  return v[Math.min(v.length - 1, Math.ceil(q * v.length) - 1)];
};

export async function benchRedraw({ editor, n, seed = 1 }) {
  const duration = await editor.page.evaluate(() => document.querySelector('avseg-editor').duration);
  const spans = [duration, ...SPANS.filter((s) => s < duration * 0.99)];
  const result = await editor.redraw({ spans, n, seed });
  if (result.width !== MAIN_WIDTH) throw new Error(`main canvas is ${result.width} px, not ${MAIN_WIDTH}`);
  const levels = result.levels.map(({ span, whole, rows }) => {
    const ms = rows.map((r) => r.ms);
    const pan = rows.map((r) => r.panMs);
    const fromSamples = rows.filter((r) => r.fromSamples).length;
    return {
      span, whole, samplesPerPixel: (span * result.sampleRate) / result.width,
      medianMs: quantile(ms, 0.5), p95Ms: quantile(ms, 0.95), maxMs: Math.max(...ms),
      panMedianMs: quantile(pan, 0.5), panP95Ms: quantile(pan, 0.95),
      fromSamples: fromSamples === 0 ? 'no' : fromSamples === rows.length ? 'yes' : `${fromSamples}/${rows.length}`,
      rows,
    };
  });
  const after = await editor.page.evaluate(() => document.querySelector('avseg-editor').stats());
  return { duration: result.duration, width: result.width, frameMs: result.frameMs, n, levels, statsAfter: { coreBytes: after.coreBytes, wasmHeapBytes: after.wasmHeapBytes } };
}
