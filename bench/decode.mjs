// SPDX-License-Identifier: MIT
// Section 1: decode + peak pyramid throughput per format, natively, in wasm under Node, and in Chromium.
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { loadCore, decodeBytes } from '../tests/wasm/load-core.mjs';

export const TARGET_RATIO = 0.5;
const CLI = fileURLToPath(new URL('../build/avseg-cli', import.meta.url));

const best = async (reps, fn) => {
  let s = Infinity;
  for (let i = 0; i < reps; i++) s = Math.min(s, await fn());
  return s;
};

function ffmpegSeconds(file) {
  const t0 = performance.now();
  const r = spawnSync('ffmpeg', ['-nostdin', '-v', 'error', '-threads', '1', '-i', file, '-f', 'null', '-'], { stdio: ['ignore', 'ignore', 'pipe'] });
  if (r.status !== 0) throw new Error(`ffmpeg failed on ${file}: ${r.stderr}`);
  return (performance.now() - t0) / 1000;
}

function cliInfo(file) {
  const info = JSON.parse(execFileSync(CLI, ['info', file], { encoding: 'utf8' }));
  if (info.error) throw new Error(`avseg-cli: ${info.error.code}: ${info.error.message}`);
  return info;
}

function nodeWasmSeconds(core, file) {
  const bytes = readFileSync(file);
  const t0 = performance.now();
  const { session, status } = decodeBytes(core, bytes, 65536);
  const s = (performance.now() - t0) / 1000;
  session.delete();
  if (status.state !== 2) throw new Error(`wasm decode of ${file} failed: ${status.code}: ${status.message}`);
  return s;
}

export async function benchDecode({ files, editor, reps, log }) {
  const core = await loadCore();
  const rows = [];
  for (const [format, file] of Object.entries(files)) {
    log(`decode ${format}`);
    const info = cliInfo(file);
    const audio = info.frames / info.sampleRate;
    const ffmpeg = await best(reps, () => ffmpegSeconds(file));
    const cli = Math.min(info.decodeMs, await best(reps - 1, () => cliInfo(file).decodeMs)) / 1000;
    const node = await best(reps, () => nodeWasmSeconds(core, file));
    const browser = await best(reps, async () => (await editor.load(file)).ms / 1000);
    const figure = (seconds) => ({ seconds, audioPerSecond: audio / seconds, ratio: ffmpeg / seconds });
    const row = {
      format, file, bytes: statSync(file).size, codec: info.codec, audioSeconds: audio,
      ffmpeg: figure(ffmpeg), cli: figure(cli), wasmNode: figure(node), wasmChromium: figure(browser),
    };
    // The target is for the shipped path: wasm in the browser. WAV is only a reference.
    row.verdict = format === 'wav' ? 'ref' : row.wasmChromium.ratio >= TARGET_RATIO ? 'PASS' : 'MISS';
    rows.push(row);
  }
  return rows;
}
