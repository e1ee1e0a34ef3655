// SPDX-License-Identifier: MIT
// scripts/precompute's new manifest in the local run: each line's (and each comparison clip's)
// analysis-ref is served by the run's media server beside its media and peaks, reaches the
// template as data-analysis (a comparison's under an opaque name, as its media), and the task glue
// (crowd-task.js) sets it as the element's `analysis` attribute in Chromium, whose worker fetches it and
// hands its analyses to the element without a warning.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { launchBrowser } from './browser.mjs';
import { startLabeling } from '../../scripts/label.mjs';
import { parseAnalysisSidecar } from '../../web/src/analysis-sidecar.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const exec = promisify(execFile);
const unescape = (s) => s.replace(/&#(\d+);/g, (_, n) => String.fromCharCode(Number(n))).replace(/&quot;/g, '"').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&#39;/g, "'").replace(/&amp;/g, '&');
const attr = (html, name) => unescape(new RegExp(`${name}="([^"]*)"`).exec(html)?.[1] ?? '');

let tmp;
let manifest;
before(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'avseg-precompute-run-'));
  process.env.AVSEG_STATE_DIR = path.join(tmp, 'state');
  for (const [name, hz] of [['a.wav', 140], ['b.wav', 190]]) {
    await exec('sox', ['-n', '-r', '16000', '-c', '1', '-b', '16', path.join(tmp, name), 'synth', '0.6', 'sawtooth', String(hz), 'vol', '0.3', ':', 'synth', '0.4', 'sine', '0', 'vol', '0', ':', 'synth', '0.6', 'sawtooth', String(hz), 'vol', '0.3']);
  }
  await writeFile(path.join(tmp, 'job.jsonl'), `${JSON.stringify({ 'source-ref': 'a.wav', 'call-id': 'C-1', analysis: 'the speaker hesitates twice' })}\n${JSON.stringify({ prompt: 'which?', clips: [{ 'source-ref': 'a.wav', system: 'one' }, { 'source-ref': 'b.wav', system: 'two' }] })}\n`);
  await exec(process.execPath, [path.join(root, 'scripts/precompute'), path.join(tmp, 'job.jsonl')]);
  manifest = path.join(tmp, 'job.precomputed.jsonl');
});
after(() => rm(tmp, { recursive: true, force: true }));

test('the local run serves each analysis-ref and the element gets it as its analysis attribute', async (t) => {
  const lines = (await readFile(manifest, 'utf8')).trim().split('\n').map((l) => JSON.parse(l));
  assert.match(lines[0]['analysis-ref'], /^precomputed\/a-[0-9a-f]{16}\.avsa$/);
  assert.equal(lines[0].analysis, 'the speaker hesitates twice', 'a plain "analysis" field is the manifest\'s own, kept by precompute');
  const run = await startLabeling({ manifest, output: path.join(tmp, 'out'), port: 0 });
  t.after(() => run.close());

  const single = await (await fetch(`${run.url}task/0?worker=ann`)).text();
  const analysis = attr(single, 'data-analysis');
  assert.match(analysis, /^http:\/\/127\.0\.0\.1:\d+\/[A-Za-z0-9_-]{43}\/analysis\/[A-Za-z0-9_-]{16}\/a-[0-9a-f]{16}\.avsa$/);
  assert.match(attr(single, 'data-peaks'), /\/peaks\/[A-Za-z0-9_-]{16}\/a-[0-9a-f]{16}\.dat$/);
  const served = Buffer.from(await (await fetch(analysis)).arrayBuffer());
  assert.deepEqual(served, await readFile(path.join(tmp, lines[0]['analysis-ref'])), 'the sidecar as precompute wrote it');
  assert.equal(parseAnalysisSidecar(served).frames, 25600);
  const singleInput = JSON.parse(attr(single, 'data-task-input'));
  assert.equal(singleInput['analysis-ref'], lines[0]['analysis-ref']);
  assert.equal(singleInput.analysis, 'the speaker hesitates twice', 'the line\'s own "analysis" field reaches the template untouched');

  // A comparison: each clip's sidecar under an opaque name (its file name could name the system).
  const compared = await (await fetch(`${run.url}task/1?worker=ann`)).text();
  const clips = [...compared.matchAll(/data-analysis="([^"]*)"/g)].map((m) => unescape(m[1]));
  assert.equal(clips.length, 2);
  for (const url of clips) {
    assert.match(url, /\/analysis\/[A-Za-z0-9_-]{16}\/analysis\.avsa$/);
    assert.equal(parseAnalysisSidecar(await (await fetch(url)).arrayBuffer()).sampleRate, 16000);
  }
  const input = JSON.parse(attr(compared, 'data-task-input'));
  assert.deepEqual(input.clips.map((c) => c['analysis-ref'].replace(/:.*/, '')), ['analysis', 'analysis'], 'opaque references in the page');
  assert.ok(!compared.includes('precomputed/'), 'no real path in the page');

  const browser = await launchBrowser();
  t.after(() => browser.close());
  const page = await browser.newPage();
  const fetched = page.waitForResponse((r) => r.url() === analysis, { timeout: 20000 });
  await page.addInitScript(() => {
    window.analysisSeen = [];
    window.errorsSeen = [];
    document.addEventListener('DOMContentLoaded', () => {
      const el = document.querySelector('avseg-editor');
      el?.addEventListener('analysis', (e) => window.analysisSeen.push(e.detail?.kind));
      el?.addEventListener('error', (e) => window.errorsSeen.push(e.detail?.code));
    });
  });
  await page.goto(`${run.url}task/0?worker=ann`);
  await page.waitForFunction(() => document.querySelector('avseg-editor')?.hasAttribute('analysis'), null, { timeout: 20000 });
  assert.equal(await page.locator('avseg-editor').getAttribute('analysis'), analysis);
  // The worker fetches the sidecar from the run's media server, and the element takes it without a warning.
  assert.equal((await fetched).status(), 200);
  await page.waitForFunction(() => window.analysisSeen.includes('pauses'), null, { timeout: 20000 });
  assert.deepEqual(await page.evaluate(() => window.errorsSeen), []);
});

test('a video without sound: precompute\'s motion-only sidecar is served and the element takes its motion without a warning', async (t) => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'avseg-precompute-silent-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await exec('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'testsrc=size=160x90:rate=25:duration=1', '-f', 'lavfi', '-i', 'smptebars=size=160x90:rate=25:duration=1',
    '-filter_complex', '[0:v][1:v]concat=n=2:v=1:a=0[v]', '-map', '[v]', '-an', '-c:v', 'libx264', '-pix_fmt', 'yuv420p', path.join(dir, 'silent.mp4')]);
  await writeFile(path.join(dir, 'job.jsonl'), `${JSON.stringify({ 'source-ref': 'silent.mp4' })}\n`);
  const pre = await exec(process.execPath, [path.join(root, 'scripts/precompute'), path.join(dir, 'job.jsonl')]);
  assert.match(pre.stderr, /no peaks \(the file has video but no audio track/);
  const [line] = (await readFile(path.join(dir, 'job.precomputed.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l));
  assert.equal(line['peaks-ref'], undefined);
  const sidecar = parseAnalysisSidecar(await readFile(path.join(dir, line['analysis-ref'])));
  const run = await startLabeling({ manifest: path.join(dir, 'job.precomputed.jsonl'), output: path.join(dir, 'out'), port: 0 });
  t.after(() => run.close());
  const html = await (await fetch(`${run.url}task/0?worker=ann`)).text();
  const analysis = attr(html, 'data-analysis');
  assert.match(analysis, /\/analysis\/[A-Za-z0-9_-]{16}\/silent-[0-9a-f]{16}\.avsa$/);
  assert.equal(attr(html, 'data-peaks'), '');

  const browser = await launchBrowser();
  t.after(() => browser.close());
  const page = await browser.newPage();
  const fetched = page.waitForResponse((r) => r.url() === analysis, { timeout: 20000 });
  await page.addInitScript(() => {
    window.analysisSeen = [];
    window.errorsSeen = [];
    document.addEventListener('DOMContentLoaded', () => {
      const el = document.querySelector('avseg-editor');
      el?.addEventListener('analysis', (e) => window.analysisSeen.push(e.detail?.kind));
      el?.addEventListener('error', (e) => window.errorsSeen.push(e.detail?.code));
    });
  });
  await page.goto(`${run.url}task/0?worker=ann`);
  assert.equal((await fetched).status(), 200);
  await page.waitForFunction(() => window.analysisSeen.includes('motion'), null, { timeout: 20000 });
  // The element says no-audio for any video without sound (and shows its frames); nothing else.
  assert.deepEqual(await page.evaluate(() => window.errorsSeen.filter((c) => c !== 'no-audio')), [], 'the motion-only sidecar is not refused (invalid-analysis), nothing else fails');
  const cuts = await page.evaluate(() => document.querySelector('avseg-editor').analysis?.motion?.cuts);
  assert.ok(Array.isArray(cuts), 'the element holds the motion');
  assert.equal(cuts.length, sidecar.motion.cuts.length);
});
