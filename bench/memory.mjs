// SPDX-License-Identifier: MIT
// Section 2: memory while loading long files through the element, each in a fresh tab (the wasm heap never shrinks).
import { statSync } from 'node:fs';
import { browserPss } from './browser.mjs';

export const HEAP_BUDGET = 100e6;
export const GROWTH_LIMIT = 0.1; // the longest file's peak heap may exceed the shortest's by this fraction

/** files: {label: path}, shortest first. Returns the rows and the last tab, still open, for the redraw section. */
export async function benchMemory({ bench, files, sampleMs, log }) {
  const rows = [];
  let editor = null;
  for (const [label, file] of Object.entries(files)) {
    log(`memory ${label}`);
    await editor?.page.close();
    editor = await bench.newEditor();
    const pssBefore = browserPss(bench.browser.userDataDir);
    let pssPeak = 0;
    const timer = setInterval(() => { pssPeak = Math.max(pssPeak, browserPss(bench.browser.userDataDir)); }, 1000);
    let result;
    try {
      result = await editor.load(file, { sampleMs });
    } finally {
      clearInterval(timer);
    }
    pssPeak = Math.max(pssPeak, browserPss(bench.browser.userDataDir));
    const all = [...result.samples, { t: result.ms, ...result.final }];
    const peak = (key) => Math.max(...all.map((s) => s[key]));
    rows.push({
      label, file, bytes: statSync(file).size, audioSeconds: result.duration,
      readySeconds: result.ms / 1000, audioPerSecond: result.duration / (result.ms / 1000),
      final: result.final, peakWasmHeapBytes: peak('wasmHeapBytes'), peakCoreBytes: peak('coreBytes'),
      browserPssBeforeBytes: pssBefore, browserPssPeakBytes: pssPeak, warnings: result.warnings, samples: result.samples,
    });
  }
  for (const row of rows) row.verdict = row.peakWasmHeapBytes < HEAP_BUDGET ? 'PASS' : 'MISS';
  let growth = null;
  if (rows.length > 1) {
    const [first, last] = [rows[0], rows.at(-1)];
    const ratio = last.peakWasmHeapBytes / first.peakWasmHeapBytes;
    const perHour = (last.peakWasmHeapBytes - first.peakWasmHeapBytes) / ((last.audioSeconds - first.audioSeconds) / 3600);
    growth = { from: first.label, to: last.label, ratio, bytesPerHour: perHour, verdict: ratio <= 1 + GROWTH_LIMIT ? 'PASS' : 'MISS' };
  }
  return { rows, growth, editor };
}
