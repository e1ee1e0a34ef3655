// SPDX-License-Identifier: MIT
// The local labeling run (a real `scripts/label.mjs` process) in Firefox ESR: an annotator signs in,
// annotates an audio item and a video item (made by sox and ffmpeg at test time) in the templates,
// submits both through the crowd-form stand-in, and the answers land in the output manifest.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { root } from '../browser/harness.mjs';
import { launchFirefox } from './firefox.mjs';
import { openTab, waitFor, whenReady } from './harness.mjs';

const run = promisify(execFile);
let firefox, tmp;

before(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'avseg-firefox-run-'));
  process.env.AVSEG_STATE_DIR = path.join(tmp, 'state'); // the run's secrets, never in the real home
  await Promise.all([
    run('sox', ['-n', '-r', '48000', '-c', '1', '-b', '16', path.join(tmp, 'call.wav'), 'synth', '4', 'sine', '300', 'vol', '0.4']),
    run('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc2=size=160x90:rate=30', '-f', 'lavfi', '-i', 'sine=frequency=330:sample_rate=48000',
      '-t', '3', '-c:v', 'libx264', '-preset', 'veryfast', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-b:a', '64k', path.join(tmp, 'clip.mp4')]),
  ]);
  firefox = await launchFirefox();
});

after(async () => {
  await firefox?.close();
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

/** Starts `scripts/label.mjs` on ephemeral ports; resolves once it says where to open it. */
function startRun(args) {
  const child = spawn(process.execPath, [path.join(root, 'scripts/label.mjs'), '--port', '0', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  return new Promise((resolve, reject) => {
    const onData = (d) => {
      out += d;
      const m = /open (http:\/\/\S+)/.exec(out);
      if (m) resolve({ child, url: m[1] });
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => reject(new Error(`label.mjs exited (${code}): ${out}`)));
  });
}

function stop(r) {
  return new Promise((resolve) => {
    if (r.child.exitCode !== null || r.child.signalCode !== null) return resolve();
    r.child.once('exit', () => resolve());
    r.child.kill('SIGTERM');
  });
}

const editor = 'avseg-editor >>> ';
const problems = (page) => page.evaluate(() => document.querySelector('avseg-editor').validate().map((p) => p.message));

/** Clicks the template's submit and waits for the page the run sends the annotator to next. */
async function submit(page) {
  await Promise.all([page.waitForNavigation({ timeout: 20000 }), page.click('crowd-button[form-action="submit"]')]);
}

test('local run: an audio and a video item are annotated and submitted in Firefox, and land in the output manifest', async (t) => {
  const manifest = path.join(tmp, 'job.jsonl');
  const lines = [{ 'source-ref': 'call.wav', 'call-id': 'C-1' }, { 'source-ref': 'clip.mp4', 'clip-id': 'D-1' }];
  await writeFile(manifest, lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
  const output = path.join(tmp, 'out');
  const r = await startRun([manifest, '--output', output, '--job', 'firefox-1', '--label-attribute', 'segments']);
  t.after(() => stop(r));
  const page = await openTab(firefox, t);

  await page.goto(r.url);
  await page.type('input[name="worker"]', 'Ada L');
  await Promise.all([page.waitForNavigation(), page.click('button[type="submit"]')]);
  assert.match(page.url(), /\/task\/0\?worker=Ada(\+|%20)L/);
  await whenReady(page);

  // The audio item: a track and a segment through the API, its text typed into the panel, the whole-file questions.
  await page.evaluate(() => {
    const el = document.querySelector('avseg-editor');
    el.selectedSegment = el.addSegment(el.addTrack('speaker', 'Customer'), 0.5, 2.5);
    el.setClassification('speechNonSpeech', 'Speech');
    el.setClassification('rate', 4);
  });
  await page.type(`${editor}.segment-editor .field[data-field="text"] .control`, 'Hello from Firefox');
  await page.select(`${editor}.segment-editor .field[data-field="emotion"] select`, 'Worried');
  assert.deepEqual(await problems(page), []);
  await submit(page);
  assert.match(page.url(), /\/task\/1\?/);

  // The video item: its picture is shown and the video template's questions are asked.
  await whenReady(page);
  await waitFor(page, () => !document.querySelector('avseg-editor').shadowRoot.querySelector('video').hidden);
  await page.select(`${editor}.classifications .field[data-field="videoQuality"] select`, 'Poor');
  await page.select(`${editor}.classifications .field[data-field="primaryIncidents"] select`, '2');
  await page.evaluate(() => {
    const el = document.querySelector('avseg-editor');
    el.addSegment(el.addTrack('Dog', 'Dog #2'), el.frames.times[6], el.frames.times[30], { text: 'trots past' });
  });
  assert.deepEqual(await problems(page), []);
  await submit(page);
  await waitFor(page, () => document.body.textContent.includes('All done, Ada L'));

  const out = (await readFile(path.join(output, 'manifests/output/output.manifest'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l));
  assert.equal(out.length, 2);
  for (const [i, line] of out.entries()) {
    for (const [k, v] of Object.entries(lines[i])) assert.deepEqual(line[k], v, `the input line's ${k} is kept`);
    assert.equal(line['segments-metadata'].job_name, 'firefox-1');
    assert.equal(line.segments.annotationsFromAllWorkers[0].workerId, 'local.Ada L');
  }
  const answer = (i) => JSON.parse(JSON.parse(out[i].segments.annotationsFromAllWorkers[0].annotationData.content).annotations);
  const audio = answer(0);
  assert.deepEqual(audio.streams.speaker.map((s) => [s.id, s.start, s.end, s.text, s.emotion]), [['Customer', 0.5, 2.5, 'Hello from Firefox', 'Worried']]);
  assert.deepEqual([audio.classifications.speechNonSpeech, audio.classifications.rate], ['Speech', 4]);
  const video = answer(1);
  assert.deepEqual(video.classifications, { videoQuality: 'Poor', primaryIncidents: '2' });
  assert.deepEqual(video.segments.map((s) => [s.startFrame, s.endFrame, s.fields.text]), [[6, 30, 'trots past']]);
  assert.deepEqual([audio.media.url, video.media.url], ['call.wav', 'clip.mp4']);
});
