#!/usr/bin/env node
// SPDX-License-Identifier: MIT
// <avseg-compare> in Chromium: the gap and position error of switching the heard clip (against a
// naive pause-seek-play switch measured in the same run), and the memory (PSS of the browser's
// processes) of two 10-minute clips in one comparison against the two opened one at a time.
// Printed figures, not asserts. Run under `flock /tmp/avseg-bench.lock node bench/compare-switch.mjs`
// (SECTIONS=memory for the memory figures only; ROUNDS=5 rounds of them).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { formatTable, mb, ms } from './table.mjs';

const SWITCHES = Number(process.env.SWITCHES ?? 20);
const MINUTES = Number(process.env.MINUTES ?? 10);
const APART = Number(process.env.APART_MS ?? 700);
const ROUNDS = Number(process.env.ROUNDS ?? 5);
const SECTIONS = (process.env.SECTIONS ?? 'switch,memory').split(',');

// Chromium with --js-flags=--expose-gc (for the page and its workers alike), so that the memory is sampled
// after a full collection; the harnesses launch whatever AVSEG_CHROMIUM names, read when first imported.
const gcDir = mkdtempSync(path.join(os.tmpdir(), 'avseg-gc-chromium-'));
const wrapper = path.join(gcDir, 'chromium');
writeFileSync(wrapper, `#!/bin/sh\nexec '${process.env.AVSEG_CHROMIUM ?? '/usr/bin/chromium'}' --js-flags=--expose-gc "$@"\n`, { mode: 0o755 });
process.env.AVSEG_CHROMIUM = wrapper;
const { startComparePage, setClips, speak, run } = await import('../tests/browser/compare-harness.mjs');

const env = await startComparePage(async (dir) => {
  const text = 'Preference review compares two generations of the same prompt, word by word, at the same position.';
  await speak(dir, 'a1.wav', 'en-us', text, 0.5);
  await speak(dir, 'b1.wav', 'en-gb', text, 0.5);
  // Steady tones, so that the heard sound can be told apart (by its pitch) and a gap found (by its level).
  for (const [name, hz] of [['ta', 300], ['tb', 1200]]) {
    await run('sox', ['-V1', '-n', '-r', '48000', '-b', '16', '-c', '1', path.join(dir, `${name}.wav`), 'synth', '120', 'sine', String(hz), 'vol', '0.5']);
  }
  // Long clips: the phrase repeated to MINUTES minutes (48 kHz mono 16-bit WAV).
  for (const name of ['a', 'b']) {
    const n = Math.ceil((MINUTES * 60) / Number(execFileSync('soxi', ['-D', path.join(dir, `${name}1.wav`)], { encoding: 'utf8' })));
    await run('sox', ['-V1', path.join(dir, `${name}1.wav`), path.join(dir, `${name}-long.wav`), 'repeat', String(n), 'trim', '0', String(MINUTES * 60)]);
  }
});
const t = { after() {}, passed: true, name: 'bench' };
const config = { categories: [{ name: 'issue', tags: ['mispronunciation'] }], comparison: { criteria: [{ name: 'naturalness', scale: [1, 5], required: true }] } };
const clips = (suffix) => [{ src: env.media(`a${suffix}.wav`), system: 'tts-a' }, { src: env.media(`b${suffix}.wav`), system: 'tts-b' }];
const stats = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return { median: s[Math.floor(s.length / 2)], p90: s[Math.floor(s.length * 0.9)], max: s.at(-1) };
};

try {
  console.log(`compare-switch, ${new Date().toISOString()}, ${execFileSync('uptime', { encoding: 'utf8' }).trim()}`);
  if (SECTIONS.includes('switch')) await switching();
  if (SECTIONS.includes('memory')) await memory();
  console.log(`\nend ${new Date().toISOString()}, ${execFileSync('uptime', { encoding: 'utf8' }).trim()}`);
} finally {
  await env.close();
  rmSync(gcDir, { recursive: true, force: true });
}

async function switching() {
  const page = await env.open(t, 'annotator="bench" task-id="switch"');
  await setClips(page, config, clips('-long'), { taskId: 'switch' });
  const measured = await page.evaluate(async ([n, apart]) => {
    const c = document.querySelector('avseg-compare');
    const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
    const frame = () => new Promise((resolve) => requestAnimationFrame(resolve));
    // The time until `editor` plays on past `from` seconds (polled every animation frame and task).
    const advance = async (editor, from, t0) => {
      for (;;) {
        if (editor.currentTime > from + 0.002) return performance.now() - t0;
        await Promise.race([frame(), sleep(4)]);
        if (performance.now() - t0 > 3000) return Infinity;
      }
    };
    const runs = { ours: [], naive: [] };
    await c.playAll();
    await sleep(1500);
    for (let i = 0; i < n; i++) {
      await sleep(apart * (0.75 + Math.random() / 2));
      const to = 1 - c.active;
      const prev = c.editors[c.active];
      const next = c.editors[to];
      const t0 = performance.now();
      const d = c.switchTo(to);
      const error = (next.currentTime - prev.currentTime) * 1000;
      const gap = await advance(next, d.time, t0);
      runs.ours.push({ offset: d.offsetMs, error, gap, from0: next.currentTime < 0.5 });
    }
    c.pause();
    // Naive: only the heard clip plays; a switch pauses it, seeks the other to its time and plays that.
    const [a, b] = c.editors;
    for (const e of [a, b]) e.muted = false;
    let heard = a;
    await heard.play();
    await sleep(1500);
    for (let i = 0; i < n; i++) {
      await sleep(apart * (0.75 + Math.random() / 2));
      const next = heard === a ? b : a;
      const t0 = performance.now();
      const time = heard.currentTime;
      heard.pause();
      next.currentTime = time;
      const playing = next.play();
      const error = (next.currentTime - time) * 1000;
      const gap = await advance(next, time, t0);
      await playing;
      runs.naive.push({ offset: 0, error, gap, from0: next.currentTime < 0.5 });
      heard = next;
    }
    heard.pause();
    return runs;
  }, [SWITCHES, APART]);
  if (process.env.VERBOSE) console.log(JSON.stringify(measured));
  const rows = Object.entries(measured).map(([name, rs]) => {
    const off = stats(rs.map((r) => Math.abs(r.offset)));
    const err = stats(rs.map((r) => Math.abs(r.error)));
    const gap = stats(rs.map((r) => r.gap));
    return [name === 'ours' ? '<avseg-compare> (all play, one heard)' : 'baseline: pause, seek, play', String(rs.length),
      `${ms(off.median)} / ${ms(off.max)}`, `${ms(err.median)} / ${ms(err.max)}`, `${ms(gap.median)} / ${ms(gap.p90)}`, String(rs.filter((r) => r.from0).length)];
  });
  console.log(`\n1. Switching the heard clip while playing (${MINUTES}-minute clips, switches ${APART * 0.75}-${APART * 1.25} ms apart at random)`);
  console.log(formatTable(['switch', 'n', 'drift at switch (median / max)', 'position error after (median / max)', 'until the heard clip advances (median / p90)', 'restarts from 0'], rows));

  // ---- what is heard: a Web Audio analyser on the clips' summed output ----
  const tones = await env.open(t, 'annotator="bench" task-id="tones"');
  await setClips(tones, config, [{ src: env.media('ta.wav'), system: 'tone-300' }, { src: env.media('tb.wav'), system: 'tone-1200' }], { taskId: 'tones' });
  const heard = await tones.evaluate(async ([n, apart]) => {
    const c = document.querySelector('avseg-compare');
    const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
    const ctx = new AudioContext();
    await ctx.resume();
    const sum = ctx.createGain();
    const videos = c.editors.map((e) => e.shadowRoot.querySelector('video'));
    for (const v of videos) ctx.createMediaElementSource(v).connect(sum);
    const size = 256;
    const proc = ctx.createScriptProcessor(size, 1, 1);
    sum.connect(proc);
    proc.connect(ctx.destination);
    let blocks = [];
    // Per block of 256 samples: its level and zero crossings (300 Hz: ~3, 1200 Hz: ~13, both: in between or beating).
    proc.onaudioprocess = (ev) => {
      const x = ev.inputBuffer.getChannelData(0);
      let s = 0;
      let zc = 0;
      for (let i = 0; i < x.length; i++) {
        s += x[i] * x[i];
        if (i && (x[i - 1] < 0) !== (x[i] < 0)) zc++;
      }
      blocks.push({ at: performance.now(), rms: Math.sqrt(s / x.length), zc });
    };
    const blockMs = (size / ctx.sampleRate) * 1000;
    const tone = (bs) => { const z = bs.map((b) => b.zc).sort((a, b) => a - b)[bs.length >> 1]; return z < 6 ? 300 : z > 10 ? 1200 : 'mixed'; };
    // Quiet blocks (under a third of the steady level) around a switch, and the tone heard before and after it.
    const around = async (doSwitch) => {
      blocks = [];
      await sleep(apart * (0.75 + Math.random() / 2));
      const steady = blocks.map((b) => b.rms).sort((a, b) => a - b)[blocks.length >> 1];
      const before = tone(blocks.slice(-20));
      blocks = [];
      await doSwitch();
      await sleep(400);
      const quiet = blocks.filter((b) => b.rms < steady / 3).length;
      return { gapMs: quiet * blockMs, before, after: tone(blocks.slice(-20)) };
    };
    const out = { ours: [], naive: [] };
    await c.playAll();
    await sleep(1000);
    for (let i = 0; i < n; i++) out.ours.push(await around(async () => c.switchTo(1 - c.active)));
    c.pause();
    const [a, b] = c.editors;
    for (const e of [a, b]) e.muted = false;
    let on = a;
    b.muted = true; // the naive switch plays one clip at a time; unmuted once it is the one
    await on.play();
    await sleep(1000);
    for (let i = 0; i < n; i++) {
      out.naive.push(await around(async () => {
        const next = on === a ? b : a;
        const time = on.currentTime;
        on.pause();
        on.muted = true;
        next.currentTime = time;
        next.muted = false;
        await next.play();
        on = next;
      }));
    }
    on.pause();
    await ctx.close();
    return out;
  }, [SWITCHES, APART]);
  await tones.close();
  if (process.env.VERBOSE) console.log(JSON.stringify(heard));
  console.log('\n1b. What is heard at a switch (tones of 300 Hz on A and 1200 Hz on B; a Web Audio analyser on the clips\' summed output, 256-sample blocks)');
  console.log(formatTable(['switch', 'n', 'quiet after the switch (median / max)', 'heard tone changed', 'both tones at once'], Object.entries(heard).map(([name, rs]) => {
    const gap = stats(rs.map((r) => r.gapMs));
    return [name === 'ours' ? '<avseg-compare>' : 'baseline: pause, seek, play', String(rs.length), `${ms(gap.median)} / ${ms(gap.max)}`,
      `${rs.filter((r) => r.before !== r.after && r.before !== 'mixed' && r.after !== 'mixed').length} / ${rs.length}`,
      String(rs.filter((r) => r.before === 'mixed' || r.after === 'mixed').length)];
  })));

  await page.close();
}

/**
 * Memory: each case on a fresh tab of the same page (an empty <avseg-compare>), the only tab open; the
 * browser's own PSS (browserMemory) once the tab has settled, before and after its clips load, the cost being the
 * difference. "One at a time" is each clip alone in an <avseg-editor>, the two costs summed: what the two
 * clips cost opened separately, without the page, its scripts and the renderer counted twice.
 */
async function memory() {
  const settle = async (p) => {
    // Until nothing has drawn and the cores' bytes have not moved for a second (30 s at most).
    await p.evaluate(async () => {
      const c = document.querySelector('avseg-compare');
      const els = [...document.querySelectorAll('avseg-editor'), ...c.editors];
      let last = performance.now();
      const bump = () => { last = performance.now(); };
      for (const e of els) for (const type of ['avseg-rendered', 'avseg-spectrogram']) e.addEventListener(type, bump);
      let seen = '';
      for (const t0 = performance.now(); performance.now() - last < 1000 && performance.now() - t0 < 30000;) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        const now = JSON.stringify(await Promise.all(els.map(async (e) => (e.ready ? (({ coreBytes, wasmHeapBytes }) => [coreBytes, wasmHeapBytes])(await e.stats()) : null))));
        if (now !== seen) { seen = now; bump(); }
      }
      for (const e of els) for (const type of ['avseg-rendered', 'avseg-spectrogram']) e.removeEventListener(type, bump);
    });
    // A full collection in the page and in each of its workers, twice (what the first frees may hold more).
    const isolates = [p, ...p.workers()];
    let collected = 0;
    for (let i = 0; i < 2; i++) {
      collected = (await Promise.all(isolates.map((x) => x.evaluate(() => { if (typeof gc !== 'function') return 0; gc(); return 1; }).catch(() => 0))))
        .reduce((a, b) => a + b, 0);
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
    return { ...browserMemory(env.browser.userDataDir), collected, isolates: isolates.length };
  };
  const alone = (name) => (p) => p.evaluate((src) => new Promise((resolve, reject) => {
    const e = document.createElement('avseg-editor');
    e.addEventListener('ready', resolve, { once: true });
    e.addEventListener('error', (ev) => { if (ev.detail.fatal) reject(new Error(ev.detail.message)); });
    e.config = { categories: [{ name: 'issue', tags: ['mispronunciation'] }] };
    document.body.append(e);
    e.src = src;
  }), env.media(name));
  const cases = [
    { key: 'blank', label: 'blank tab (the page, no clip)', load: null },
    { key: 'a', label: 'clip A alone in an <avseg-editor>', load: alone('a-long.wav') },
    { key: 'b', label: 'clip B alone in an <avseg-editor>', load: alone('b-long.wav') },
    { key: 'both', label: 'both in one <avseg-compare>', load: (p, id) => setClips(p, config, clips('-long'), { taskId: id }) },
  ];
  let tabs = 0;
  const measure = async ({ load }) => {
    const id = `mem-${++tabs}`;
    const p = await env.open(t, `annotator="bench" task-id="${id}"`);
    const before = await settle(p);
    if (load) await load(p, id);
    const after = await settle(p);
    await p.close();
    await new Promise((resolve) => setTimeout(resolve, 1500)); // its renderer gone before the next tab
    return { before: before.own, after: after.own, cost: after.own - before.own, pssCost: after.pss - before.pss, gc: `${after.collected}/${after.isolates}` };
  };
  await measure(cases[3]); // warm-up, not counted: the first load fills the HTTP and code caches
  const runs = Object.fromEntries(cases.map((c) => [c.key, []]));
  for (let r = 0; r < ROUNDS; r++) {
    for (const c of r % 2 ? [...cases].reverse() : cases) runs[c.key].push(await measure(c));
  }
  if (process.env.VERBOSE) console.log(JSON.stringify(runs));
  const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2; };
  const range = (xs) => `${mb(Math.min(...xs))} - ${mb(Math.max(...xs))}`;
  const blankAfter = median(runs.blank.map((x) => x.after));
  const sum = runs.a.map((x, i) => x.cost + runs.b[i].cost);
  const ratios = runs.both.map((x, i) => x.cost / sum[i]);
  console.log(`\n2. Memory of two ${MINUTES}-minute 48 kHz mono WAV clips: PSS of every Chromium process, its anonymous and shared-memory part (file-backed pages,`
    + '\n   shared with other sessions\' browsers, in the last column only); ' + `${ROUNDS} rounds, the cases in turn (forward, then backward), each on a fresh tab, the only one open,`
    + `\n   sampled once nothing has drawn for 1 s and after gc() in the page and its workers (isolates collected, last round: ${Object.values(runs).map((xs) => xs.at(-1).gc).join(', ')}).`
    + '\n   Cost = after its clips loaded minus the same tab before (the blank tab\'s cost is the noise). "One at a time" = clip A alone plus clip B alone, each in its own tab.');
  const pssSum = runs.a.map((x, i) => x.pssCost + runs.b[i].pssCost);
  console.log(formatTable(['case', 'browser after (median)', 'cost (median)', 'cost (range)', 'above the blank tab (median)', 'cost, all PSS (median; range)'], [
    ...cases.map((c) => [c.label, mb(median(runs[c.key].map((x) => x.after))), mb(median(runs[c.key].map((x) => x.cost))), range(runs[c.key].map((x) => x.cost)),
      c.key === 'blank' ? '' : mb(median(runs[c.key].map((x) => x.after)) - blankAfter), `${mb(median(runs[c.key].map((x) => x.pssCost)))}; ${range(runs[c.key].map((x) => x.pssCost))}`]),
    ['A + B, one at a time (per round)', '', mb(median(sum)), range(sum), '', `${mb(median(pssSum))}; ${range(pssSum)}`],
  ]));
  console.log(`   both / (A + B): median ${median(ratios).toFixed(2)}, range ${Math.min(...ratios).toFixed(2)} - ${Math.max(...ratios).toFixed(2)}; both <= A + B in ${ratios.filter((x) => x <= 1).length} of ${ROUNDS} rounds`);
}

/**
 * The browser's process tree (the processes naming its profile dir, and their descendants), summed from
 * /proc/<pid>/smaps_rollup: `pss` all of it, `own` its anonymous and shared-memory part only. File-backed
 * pages (Chromium's binary and libraries) are shared with every other Chromium on the machine, so their
 * PSS share falls and rises as other sessions' browsers start and stop; `own` is what this browser itself holds.
 */
function browserMemory(userDataDir) {
  const procs = [];
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      procs.push({ pid, ppid: stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1], cmd: readFileSync(`/proc/${pid}/cmdline`, 'utf8') });
    } catch { /* exited meanwhile */ }
  }
  const tree = new Set(procs.filter((p) => p.cmd.includes(userDataDir)).map((p) => p.pid));
  for (let grew = true; grew;) {
    grew = false;
    for (const p of procs) if (tree.has(p.ppid) && !tree.has(p.pid)) { tree.add(p.pid); grew = true; }
  }
  const kb = { Pss: 0, Pss_Anon: 0, Pss_Shmem: 0 };
  for (const pid of tree) {
    try {
      const rollup = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
      for (const key of Object.keys(kb)) kb[key] += Number(new RegExp(`^${key}:\\s+(\\d+)`, 'm').exec(rollup)?.[1] ?? 0);
    } catch { /* exited meanwhile */ }
  }
  return { pss: kb.Pss * 1024, own: (kb.Pss_Anon + kb.Pss_Shmem) * 1024 };
}
