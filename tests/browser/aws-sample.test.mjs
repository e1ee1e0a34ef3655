// SPDX-License-Identifier: MIT
// The "x-aws-sample" option end to end: the audio template with the option on, answered in
// headless Chromium through a real `scripts/label.mjs` run; the output manifest's answer carries
// the AWS sample's top-level keys with what was answered, beside `annotations`.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchBrowser, collectConsole } from './browser.mjs';
import { fixtures } from './harness.mjs';

const root = fileURLToPath(new URL('../..', import.meta.url));
let browser, tmp;

before(async () => {
  browser = await launchBrowser();
  tmp = await mkdtemp(path.join(os.tmpdir(), 'avseg-aws-sample-'));
  process.env.AVSEG_STATE_DIR = path.join(tmp, 'state');
  await copyFile(path.join(fixtures, 'call.wav'), path.join(tmp, 'call.wav'));
  await copyFile(path.join(fixtures, 'dogs.webm'), path.join(tmp, 'dogs.webm'));
});

after(async () => {
  await browser?.close();
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

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

const editor = 'avseg-editor >> css=';

test('local run with x-aws-sample on: the output manifest\'s answer holds the sample\'s top-level keys as answered', async (t) => {
  const template = (await readFile(path.join(root, 'template/audio.liquid.html'), 'utf8')).replace('"x-aws-sample": false', '"x-aws-sample": true');
  assert.match(template, /"x-aws-sample": true/);
  await writeFile(path.join(tmp, 'sample.liquid.html'), template);
  await writeFile(path.join(tmp, 'job.jsonl'), `${JSON.stringify({ 'source-ref': 'call.wav', transcription: 'Hello & <goodbye>', 'call-id': 'C-1' })}\n`);
  const output = path.join(tmp, 'out');
  const run = await startRun([path.join(tmp, 'job.jsonl'), '--output', output, '--job', 'calls-1', '--label-attribute', 'calls', '--template', path.join(tmp, 'sample.liquid.html')]);
  t.after(() => new Promise((resolve) => {
    if (run.child.exitCode !== null || run.child.signalCode !== null) return resolve();
    run.child.once('exit', resolve);
    run.child.kill('SIGKILL');
  }));
  const page = await browser.newPage();
  const log = collectConsole(page);
  t.after(async () => {
    if (t.passed === false) console.log(JSON.stringify(log, null, 1));
    await page.close();
  });

  await page.goto(run.url);
  await page.fill('input[name="worker"]', 'Ada');
  await page.click('button[type="submit"]');
  await page.waitForURL(/\/task\/0\?/);
  await page.waitForFunction(() => document.querySelector('avseg-editor')?.ready, undefined, { timeout: 20000 });
  await page.selectOption(`${editor}select.track-category`, 'speaker');
  await page.selectOption(`${editor}select.track-tag`, 'Customer');
  await page.click(`${editor}button.add-track`);
  await page.evaluate(() => {
    const el = document.querySelector('avseg-editor');
    el.selectedSegment = el.addSegment(el.selectedTrack, 0.3, 2.9);
    el.addSegment(el.addTrack('speaker', 'Representative'), 3, 3.5, { emotion: 'Happy' });
  });
  await page.fill(`${editor}.segment-editor .field[data-field="text"] .control`, 'Hello');
  await page.selectOption(`${editor}.segment-editor .field[data-field="emotion"] select`, 'Worried');
  await page.selectOption(`${editor}.classifications .field[data-field="speechNonSpeech"] select`, 'Non-speech');
  await page.selectOption(`${editor}.classifications .field[data-field="speakerGender"] select`, 'Female');
  await page.check(`${editor}.classifications .field[data-field="rate"] input[value="4"]`);
  await page.evaluate(() => {
    const el = document.querySelector('avseg-editor');
    el.setClassification('backgroundNoise', ['Traffic', 'Ambient']);
    el.setClassification('environmentalSounds', ['Birds chirping']);
  });
  // The segment list shows each segment's answers, as the sample's table does.
  const rows = (await page.locator(`${editor}.segment-list .row[role="option"]`).allTextContents()).map((r) => r.replace(/^[▸⚠ ]+/, '').replace(/\s+/g, ' ').trim());
  assert.deepEqual(rows, ['0:00.300–0:02.900 speaker: Customer Hello · Worried', '0:03.000–0:03.500 speaker: Representative Happy']);
  await page.click('crowd-button[form-action="submit"]');
  await page.getByText('All done, Ada').waitFor();

  const [line] = (await readFile(path.join(output, 'manifests/output/output.manifest'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l));
  const answer = JSON.parse(line.calls.annotationsFromAllWorkers[0].annotationData.content);
  const { annotations, ...top } = answer;
  assert.deepEqual(top, {
    speechNonSpeech: { 'non-speech': true },
    backgroundNoise: { traffic: true, music: false, ambient: true },
    speakerGender: { female: true },
    environmentalSounds: { doorbell: false, footsteps: false, birdsChirping: true },
    textTranslationFinal: 'Hello & <goodbye>',
    rate: { 4: true },
    emotiontag: 'worried, happy',
    label: 'customer, representative',
  });
  // `annotations` is still the whole avseg document, with the same answers.
  const doc = JSON.parse(annotations);
  assert.deepEqual(doc.classifications, { speechNonSpeech: 'Non-speech', speakerGender: 'Female', rate: 4, backgroundNoise: ['Traffic', 'Ambient'], environmentalSounds: ['Birds chirping'], textTranslationFinal: 'Hello & <goodbye>' });
});

test('minSegments in the config: a submit with too few segments is refused in the alert, as the sample refuses one with none', async (t) => {
  const template = (await readFile(path.join(root, 'template/audio.liquid.html'), 'utf8')).replace('"x-aws-sample": false,', '"x-aws-sample": false,\n  "minSegments": 1,');
  assert.match(template, /"minSegments": 1/);
  await writeFile(path.join(tmp, 'min.liquid.html'), template);
  await writeFile(path.join(tmp, 'min.jsonl'), `${JSON.stringify({ 'source-ref': 'call.wav' })}\n`);
  const run = await startRun(['--preview', path.join(tmp, 'min.jsonl'), '--template', path.join(tmp, 'min.liquid.html')]);
  t.after(() => new Promise((resolve) => {
    if (run.child.exitCode !== null || run.child.signalCode !== null) return resolve();
    run.child.once('exit', resolve);
    run.child.kill('SIGKILL');
  }));
  const page = await browser.newPage();
  t.after(() => page.close());
  await page.goto(run.url);
  await page.waitForFunction(() => document.querySelector('avseg-editor')?.ready, undefined, { timeout: 20000 });
  await page.selectOption(`${editor}.classifications .field[data-field="speechNonSpeech"] select`, 'Speech');
  await page.check(`${editor}.classifications .field[data-field="rate"] input[value="3"]`);
  await page.click('crowd-button[form-action="submit"]');
  const alert = page.locator('crowd-alert[data-avseg-alert]');
  await alert.waitFor({ state: 'visible' });
  assert.equal(await alert.textContent(), 'Please fix these before submitting:\n• at least 1 segment is needed, there are 0');
  assert.equal(await page.locator('#avseg-preview-output').count(), 0, 'nothing was submitted');
  await page.evaluate(() => {
    const el = document.querySelector('avseg-editor');
    el.addSegment(el.addTrack('speaker', 'Customer'), 0.5, 1.5, { text: 'hi' });
  });
  await page.click('crowd-button[form-action="submit"]');
  await page.locator('#avseg-preview-output').waitFor();
  assert.equal(JSON.parse(JSON.parse(await page.locator('#avseg-preview-output').textContent()).annotations).segments.length, 1);
});

test('the ready-made sample video template: primaryIncidents starts at its x-default "0", and the answer carries the sample\'s video keys', async (t) => {
  await writeFile(path.join(tmp, 'video.jsonl'), `${JSON.stringify({ 'source-ref': 'dogs.webm' })}\n`);
  const run = await startRun(['--preview', path.join(tmp, 'video.jsonl'), '--template', path.join(root, 'template/aws-sample-video.liquid.html')]);
  t.after(() => new Promise((resolve) => {
    if (run.child.exitCode !== null || run.child.signalCode !== null) return resolve();
    run.child.once('exit', resolve);
    run.child.kill('SIGKILL');
  }));
  const page = await browser.newPage();
  t.after(() => page.close());
  await page.goto(run.url);
  await page.waitForFunction(() => document.querySelector('avseg-editor')?.ready, undefined, { timeout: 20000 });
  assert.equal(await page.inputValue(`${editor}.classifications .field[data-field="primaryIncidents"] select`), '0');
  // The sample's ← → seek: the config's x-arrow-keys reaches the editor.
  assert.equal(await page.locator('avseg-editor').getAttribute('arrow-keys'), 'seek');
  await page.selectOption(`${editor}.classifications .field[data-field="videoQuality"] select`, 'Average');
  await page.evaluate(() => {
    const el = document.querySelector('avseg-editor');
    el.addSegment(el.addTrack('Dog', 'Dog #2'), 0.5, 1.5, { text: 'trots', emotion: 'Happy' });
    el.setClassification('sceneChange', false);
    el.setClassification('presenceOfObjects', ['Animals']);
  });
  await page.click('crowd-button[form-action="submit"]');
  await page.locator('#avseg-preview-output').waitFor();
  const { annotations, ...top } = JSON.parse(await page.locator('#avseg-preview-output').textContent());
  assert.deepEqual(top, {
    videoQuality: { average: true }, primaryIncidents: { 0: true }, sceneChange: { no: true },
    presenceOfObjects: { people: false, vehicles: false, animals: true, structures: false, other: false },
    emotiontag: 'happy', label: 'dog#2',
  });
  assert.equal(JSON.parse(annotations).classifications.primaryIncidents, '0');
});
