// SPDX-License-Identifier: MIT
// Section 1: decode + peak pyramid throughput per format, natively, in wasm under Node, and in Chromium.
import { execFileSync, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
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

// CPU seconds as well as wall-clock ones: on a shared machine the wall clock also counts the time
// other work held the cores, while CPU time stays close to what the decode costs.
const cpu = { ffmpeg: Infinity, node: Infinity, chromium: Infinity };

/** Native `ffmpeg -threads 1` decoding to null: wall and CPU seconds. */
export function ffmpegRun(file) {
  const t0 = performance.now();
  // bash's `times` prints the children's user and system time.
  const r = spawnSync('bash', ['-c', 'ffmpeg -nostdin -v error -threads 1 -i "$1" -f null - && times', 'ffmpeg', file], { stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`ffmpeg failed on ${file}: ${r.stderr}`);
  const seconds = (performance.now() - t0) / 1000;
  const times = [...(r.stdout.trim().split('\n').at(-1) ?? '').matchAll(/(\d+)m([\d.]+)s/g)].map((m) => 60 * m[1] + Number(m[2]));
  return { seconds, cpu: times.length === 2 ? times[0] + times[1] : NaN };
}

function ffmpegSeconds(file) {
  const { seconds, cpu: c } = ffmpegRun(file);
  cpu.ffmpeg = Math.min(cpu.ffmpeg, c);
  return seconds;
}

// User and system time of every process started by this one (Chromium's), from /proc (Linux).
export function childrenCpuSeconds() {
  const procs = new Map();
  let names = [];
  try { names = readdirSync('/proc'); } catch { return NaN; }
  for (const name of names) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      procs.set(Number(name), { ppid: Number(f[1]), ticks: Number(f[11]) + Number(f[12]) });
    } catch { /* ended meanwhile */ }
  }
  let ticks = 0;
  for (const p of procs.values()) {
    let up = p.ppid;
    for (let hops = 0; up && up !== process.pid && hops < 32; hops++) up = procs.get(up)?.ppid;
    if (up === process.pid) ticks += p.ticks;
  }
  return ticks / 100; // USER_HZ
}

function cliInfo(file) {
  const info = JSON.parse(execFileSync(CLI, ['info', file], { encoding: 'utf8' }));
  if (info.error) throw new Error(`avseg-cli: ${info.error.code}: ${info.error.message}`);
  return info;
}

/** The wasm core (as loadCore() gives it) decoding a file in Node as the worker does: wall and CPU seconds. */
export function nodeWasmRun(core, file) {
  const bytes = readFileSync(file);
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  const { session, status } = decodeBytes(core, bytes, 65536);
  const seconds = (performance.now() - t0) / 1000;
  const c = process.cpuUsage(c0);
  session.delete();
  if (status.state !== 2) throw new Error(`wasm decode of ${file} failed: ${status.code}: ${status.message}`);
  return { seconds, cpu: (c.user + c.system) / 1e6 };
}

function nodeWasmSeconds(core, file) {
  const { seconds, cpu: c } = nodeWasmRun(core, file);
  cpu.node = Math.min(cpu.node, c);
  return seconds;
}

export async function benchDecode({ files, editor, reps, log }) {
  const core = await loadCore();
  const rows = [];
  for (const [format, file] of Object.entries(files)) {
    log(`decode ${format}`);
    const info = cliInfo(file);
    const audio = info.frames / info.sampleRate;
    Object.assign(cpu, { ffmpeg: Infinity, node: Infinity, chromium: Infinity });
    const ffmpeg = await best(reps, () => ffmpegSeconds(file));
    const cli = Math.min(info.decodeMs, await best(reps - 1, () => cliInfo(file).decodeMs)) / 1000;
    const node = await best(reps, () => nodeWasmSeconds(core, file));
    const browser = await best(reps, async () => {
      const c0 = childrenCpuSeconds();
      const { ms } = await editor.load(file);
      cpu.chromium = Math.min(cpu.chromium, childrenCpuSeconds() - c0);
      return ms / 1000;
    });
    const figure = (seconds) => ({ seconds, audioPerSecond: audio / seconds, ratio: ffmpeg / seconds });
    const row = {
      format, file, bytes: statSync(file).size, codec: info.codec, audioSeconds: audio,
      ffmpeg: figure(ffmpeg), cli: figure(cli), wasmNode: figure(node), wasmChromium: figure(browser),
      // CPU seconds (best of the runs): ffmpeg's process, this process for Node, all of Chromium's
      // processes for the element; ratio = ffmpeg's CPU time / that time.
      cpu: Object.fromEntries(Object.entries(cpu).map(([k, v]) => [k, { seconds: v, ratio: cpu.ffmpeg / v }])),
    };
    // The target is for the shipped path: wasm in the browser. WAV is only a reference.
    row.verdict = format === 'wav' ? 'ref' : row.wasmChromium.ratio >= TARGET_RATIO ? 'PASS' : 'MISS';
    rows.push(row);
  }
  return rows;
}
