// SPDX-License-Identifier: MIT
// Section 10: what the analysis tracks cost per hour of audio, natively and in wasm (Node), against
// the decode measured in the same run: (a) the decode alone, (b) pauses + loudness (the energy
// envelope and loudness meter fed by that decode, then pauses and jumps), (c) pitch (x real time);
// and memory against duration (a 10-minute and a one-hour file). The phases run in
// bench/analysis-bench.cpp, a fresh process each; the shipped dist/avseg-core Session is timed too
// (and, with --baseline-dist, a dist/ built before the analysis tee, for the decode it replaced).
// Also runs on its own: node bench/analysis.mjs [--quick] [--baseline-dist DIR]
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { decodeBytes } from '../tests/wasm/load-core.mjs';
import { formatTable, mb, ratio } from './table.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const NATIVE = path.join(root, 'build/avseg-analysis-bench');
const WASM = path.join(root, 'build-wasm/avseg-analysis-bench.cjs');
export const PITCH_TARGET = 50;   // x real time in wasm (the issue)
const PIECE_SECONDS = 0.5;        // about what the worker's 4 ms idle slices cover
// The main pitch figure asks for 10 s at a time, so that the piece the tracker hands back (8 bytes a point
// until it is copied into the whole-file arrays) stays small next to the outputs.
const PITCH_PIECE_SECONDS = 10;

/** One phase in a fresh process: its JSON line plus the process's CPU seconds (bash's `times`). */
function phase(engine, name, file, piece = 0) {
  const cmd = engine === 'native' ? `"${NATIVE}" "$@"` : `node "${WASM}" "$@"`;
  const args = [name, file, ...(piece ? [String(piece)] : [])];
  const r = spawnSync('bash', ['-c', `${cmd} && times`, 'analysis-bench', ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  if (r.status !== 0) throw new Error(`analysis-bench ${engine} ${args.join(' ')} failed: ${r.stderr}`);
  const lines = r.stdout.trim().split('\n');
  const out = JSON.parse(lines[0]);
  const times = [...(lines.at(-1) ?? '').matchAll(/(\d+)m([\d.]+)s/g)].map((m) => 60 * m[1] + Number(m[2]));
  out.cpuSeconds = times.length === 2 ? times[0] + times[1] : NaN;
  return out;
}

// The run that took the least CPU time (the steadier figure when other work shares the cores).
function best(reps, fn) {
  let kept = null;
  for (let i = 0; i < reps; i++) {
    const r = fn();
    if (!kept || r.cpuMs < kept.cpuMs) kept = r;
  }
  return kept;
}

async function loadCoreFrom(dir) {
  const { default: createAvsegCore } = await import(pathToFileURL(path.join(dir, 'avseg-core.js')).href);
  return createAvsegCore({ wasmBinary: readFileSync(path.join(dir, 'avseg-core.wasm')) });
}

/** The shipped Session in Node, as the worker drives it: the decode (peaks, envelope, loudness), pauses, loudness, pitch. */
async function shippedSession(dist, file, { pitch = true } = {}) {
  const core = await loadCoreFrom(dist);
  const bytes = readFileSync(file);
  const timed = (fn) => {
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    const value = fn();
    const c = process.cpuUsage(c0);
    return { value, ms: performance.now() - t0, cpuMs: (c.user + c.system) / 1000 };
  };
  const decode = timed(() => decodeBytes(core, bytes, 65536));
  const { session, status } = decode.value;
  if (status.state !== 2) throw new Error(`wasm decode of ${file} failed: ${status.code}: ${status.message}`);
  const info = session.info();
  const row = { decode: { ms: decode.ms, cpuMs: decode.cpuMs }, frames: info.frames, sampleRate: info.sampleRate };
  if (typeof session.pauses === 'function') {
    const pauses = timed(() => session.pauses(-30, 0.2, true));
    const loudness = timed(() => session.loudness(10));
    row.pauses = { ms: pauses.ms, cpuMs: pauses.cpuMs, count: pauses.value.pauses?.length };
    row.loudness = { ms: loudness.ms, cpuMs: loudness.cpuMs };
    if (pitch) {
      const p = timed(() => session.pitch(0, info.frames, 50, 800, 0.001));
      if (!p.value.ok) throw new Error(`Session.pitch: ${p.value.code}: ${p.value.message}`);
      row.pitch = { ms: p.ms, cpuMs: p.cpuMs, points: p.value.hz.length };
    }
  }
  session.delete();
  return row;
}

export async function benchAnalysis({ files, reps = 3, baselineDist = null, log = () => {} }) {
  for (const f of [NATIVE, WASM]) if (!existsSync(f)) throw new Error(`${f} missing: run scripts/build`);
  const engines = ['native', 'wasm'];
  const rows = [];
  for (const [label, file] of Object.entries(files)) {
    const n = label === 'ten-min' ? reps : 1;
    for (const engine of engines) {
      log(`analysis ${engine} ${label}`);
      const decode = best(n, () => phase(engine, 'decode', file));
      const speech = best(n, () => phase(engine, 'speech', file));
      const pitch = best(n, () => phase(engine, 'pitch', file, PITCH_PIECE_SECONDS));
      const pieces = label === 'ten-min' ? best(n, () => phase(engine, 'pitch', file, PIECE_SECONDS)) : null;
      rows.push({ label, file, engine, decode, speech, pitch, pieces });
    }
  }
  const shipped = {};
  const ten = files['ten-min'];
  log('analysis: shipped Session in Node');
  // Alternated, the decode's best CPU time of each kept (the pitch call once).
  const lesser = (x, y) => (!x || y.decode.cpuMs < x.decode.cpuMs ? { ...y, pitch: x?.pitch ?? y.pitch, pauses: x?.pauses ?? y.pauses, loudness: x?.loudness ?? y.loudness } : x);
  for (let i = 0; i < Math.max(1, reps - 1); i++) {
    shipped.now = lesser(shipped.now, await shippedSession(path.join(root, 'dist'), ten, { pitch: i === 0 }));
    if (baselineDist) shipped.baseline = lesser(shipped.baseline, await shippedSession(baselineDist, ten, { pitch: false }));
  }
  return { rows, shipped, pieceSeconds: PIECE_SECONDS, loadAverage: os.loadavg() };
}

const perHour = (ms, audioSeconds) => (ms / 1000) * (3600 / audioSeconds);
const secs = (s) => `${s.toFixed(s < 10 ? 2 : 1)} s`;
const times = (x) => `${x.toFixed(0)}x`;

export function formatAnalysis(result) {
  const lines = [];
  const both = (cpu, wall, a) => `${secs(perHour(cpu, a))} (${secs(perHour(wall, a))})`;
  lines.push('10. Analysis cost per hour of audio (48 kHz stereo MP3 128k: the 10-minute file and the one-hour one), a fresh process per');
  lines.push('   phase (bench/analysis-bench.cpp natively, and compiled to wasm with the core\'s flags, run by Node): (a) the streaming');
  lines.push('   decode alone (with its seek index), the baseline; (b) the energy envelope and the loudness meter fed by that decode,');
  lines.push('   then speech level, pauses and loudness jumps: the analysers\' own time, clocked around their calls inside the decode;');
  lines.push(`   (c) pitch (YIN, 1 ms hop, 50-800 Hz) over the whole file, ${PITCH_PIECE_SECONDS} s at a time, read back through the range decoder:`);
  lines.push('   the tracker\'s own time apart from those reads (which decode again). CPU seconds per hour of audio, wall in brackets');
  lines.push('   (the machine is shared: wall time also counts waiting for a core); best of the runs by CPU time.');
  lines.push(`   Targets: (b) <= (a), i.e. analysis at least as fast as decoding; (c) >= ${PITCH_TARGET}x real time in wasm (by CPU time).`);
  lines.push(formatTable(['file', 'engine', '(a) decode', '(b) pauses + loudness', '(b) / (a)', '(c) pitch', 'x real time', 'with its reads', `in ${result.pieceSeconds} s pieces`, 'targets'],
    result.rows.map((r) => {
      const a = r.decode.audioSeconds;
      const analysisRatio = r.speech.analysisCpuMs / r.decode.cpuMs;
      const x = a / (r.pitch.analysisCpuMs / 1000);
      const ok = analysisRatio <= 1 && (r.engine !== 'wasm' || x >= PITCH_TARGET);
      return [r.label, r.engine, both(r.decode.cpuMs, r.decode.wallMs, a), both(r.speech.analysisCpuMs, r.speech.analysisMs, a), ratio(analysisRatio),
        both(r.pitch.analysisCpuMs, r.pitch.analysisMs, a), `${times(x)} (${times(a / (r.pitch.analysisMs / 1000))})`,
        times(a / (r.pitch.pitchTotalCpuMs / 1000)), r.pieces ? times(a / (r.pieces.analysisCpuMs / 1000)) : '', ok ? 'PASS' : 'MISS'];
    })));
  lines.push(`   "in ${result.pieceSeconds} s pieces": the tracker asked for ${result.pieceSeconds} s at a time, one piece after another (about what the worker's 4 ms`);
  lines.push('   idle slices cover), each with its margins and running-sum restart.');
  lines.push('');
  lines.push('   Memory against duration: the allocator\'s peak during the phase over its start (malloc\'s in-use bytes, sampled every 64');
  lines.push('   decoded blocks and at every read), the outputs kept (envelope 4 B/ms, loudness 8 B/100 ms, pauses and jumps; pitch 8 B a');
  lines.push('   point), the rest (working memory), and that rest less the decode phase\'s own peak (its seek index grows with the file).');
  const decodePeak = new Map(result.rows.map((r) => [`${r.label} ${r.engine}`, r.decode.heapPeak - r.decode.heapBefore]));
  lines.push(formatTable(['file', 'engine', 'phase', 'peak', 'outputs', 'outputs per hour', 'working (peak - outputs)', 'working - decode\'s'],
    result.rows.flatMap((r) => ['decode', 'speech', 'pitch'].map((p) => {
      const x = r[p];
      const peak = x.heapPeak - x.heapBefore;
      return [r.label, r.engine, p, mb(peak), mb(x.outputBytes), mb(x.outputBytes * 3600 / x.audioSeconds), mb(peak - x.outputBytes),
        p === 'decode' ? '' : mb(peak - x.outputBytes - decodePeak.get(`${r.label} ${r.engine}`))];
    }))));
  const s = result.shipped;
  if (s.now) {
    const a = s.now.frames / s.now.sampleRate;
    const base = s.baseline ? `; a dist/ built before the tee (baseline): CPU ${secs(s.baseline.decode.cpuMs / 1000)} (wall ${secs(s.baseline.decode.ms / 1000)}),`
      + ` so with the envelope and loudness meter the decode takes ${ratio(s.now.decode.cpuMs / s.baseline.decode.cpuMs)} its CPU time` : '';
    lines.push('');
    lines.push(`   Shipped dist/avseg-core Session in Node, the 10-minute file: decode with peaks, envelope and loudness CPU ${secs(s.now.decode.cpuMs / 1000)}`
      + ` (wall ${secs(s.now.decode.ms / 1000)})${base};`);
    if (s.now.pauses) {
      lines.push(`   pauses(exact) ${s.now.pauses.ms.toFixed(0)} ms (${s.now.pauses.count} pauses), loudness ${s.now.loudness.ms.toFixed(0)} ms, `
        + `pitch of the whole file in one call (its own decode included) CPU ${secs(s.now.pitch.cpuMs / 1000)} = ${times(a / (s.now.pitch.cpuMs / 1000))} real time`
        + ` (wall ${secs(s.now.pitch.ms / 1000)}, ${times(a / (s.now.pitch.ms / 1000))}).`);
    }
  }
  return lines.join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({ options: { quick: { type: 'boolean' }, 'baseline-dist': { type: 'string' } } });
  const { prepareMedia } = await import('./media.mjs');
  const log = (m) => process.stderr.write(`bench: ${m}\n`);
  const media = prepareMedia({ long: ['1h'], log: (f) => log(`media ${f}`) });
  const files = values.quick ? { 'ten-min': media.formats.mp3 } : { 'ten-min': media.formats.mp3, 'one-hour': media.long['1h'] };
  console.log(`avseg analysis benchmark, ${new Date().toISOString()}, ${os.cpus()[0]?.model}, ${os.cpus().length} cores, load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  const result = await benchAnalysis({ files, reps: values.quick ? 1 : 3, baselineDist: values['baseline-dist'] ?? null, log });
  console.log(formatAnalysis(result));
  console.log(`load average at end: ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
}
