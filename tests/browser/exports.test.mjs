// SPDX-License-Identifier: MIT
// The element's exportAs in headless Chromium, on the audio template's own label config: what it
// writes is what scripts/export's code writes for the same answer, and the tools read it (EAF
// valid against ELAN's schema, every TextGrid segment labelled as Praat reads it).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { EXPORTS } from '../../web/src/exports.js';
import { root, startElementPage } from './harness.mjs';

const run = promisify(execFile);
let harness;

before(async () => { harness = await startElementPage({ title: 'avseg exports' }); });
after(() => harness?.close());

test('the element exports the template\'s answers as scripts/export does, valid for ELAN and Praat', async (t) => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'avseg-element-exports-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const html = await readFile(path.join(root, 'template/audio.liquid.html'), 'utf8');
  const config = JSON.parse(/<script[^>]*id="avseg-config"[^>]*>([\s\S]*?)<\/script>/.exec(html)[1]);
  const page = await harness.open(t, { width: 1040, height: 700 });
  const src = harness.servers.media.url('/speech-gaps.mp3');
  const out = await page.evaluate(([config, src]) => new Promise((resolve, reject) => {
    const el = document.querySelector('avseg-editor');
    el.taskId = 'exports';
    el.addEventListener('error', (e) => { if (e.detail.fatal) reject(new Error(e.detail.message)); });
    el.addEventListener('ready', () => {
      const customer = el.addTrack('speaker', 'Customer');
      const rep = el.addTrack('speaker', 'Representative');
      const spanish = el.addTrack('language', 'Spanish');
      el.addSegment(customer, 0.5, 1.25, { text: '=1+1\n\nHola --> ¿qué?' });
      el.addSegment(rep, 1.5, 2, { emotion: 'Sad' });
      el.addSegment(spanish, 0.25, 2.5, { text: '"todo" & <nada>' });
      const formats = ['eaf', 'textgrid', 'vtt', 'csv', 'jsonl'];
      resolve({ value: el.value, ...Object.fromEntries(formats.map((f) => [f, el.exportAs(f)])) });
    }, { once: true });
    el.config = config;
    el.src = src;
  }), [config, src]);

  for (const format of ['eaf', 'textgrid', 'vtt', 'csv', 'jsonl']) {
    assert.equal(out[format], EXPORTS[format].write(out.value, config, { media: src, fileId: 'speech-gaps' }), `${format}: the element and scripts/export write the same`);
  }
  await writeFile(path.join(dir, 'a.eaf'), out.eaf);
  await run('xmllint', ['--noout', '--schema', path.join(root, 'tests/formats/EAFv3.0.xsd'), path.join(dir, 'a.eaf')])
    .catch((e) => assert.fail(`the element's EAF fails ELAN's schema:\n${e.stderr}`));

  await writeFile(path.join(dir, 'a.TextGrid'), out.textgrid);
  await writeFile(path.join(dir, 'labels.praat'), 'form Labels\n  sentence File a.TextGrid\nendform\nRead from file: file$\ntiers = Get number of tiers\nfor t to tiers\n  n = Get number of intervals: t\n  for i to n\n    label$ = Get label of interval: t, i\n    if label$ <> ""\n      a = Get start time of interval: t, i\n      appendInfoLine: t, " ", fixed$(a, 6), " ", replace$(label$, newline$, "|", 0)\n    endif\n  endfor\nendfor\n');
  const { stdout } = await run('praat', ['--run', path.join(dir, 'labels.praat'), path.join(dir, 'a.TextGrid')]);
  assert.deepEqual(stdout.trim().split('\n'), ['1 0.500000 =1+1||Hola --> ¿qué?', '2 1.500000 emotion: Sad', '3 0.250000 "todo" & <nada>']);
  assert.match(out.vtt, /<v Customer>=1\+1\n\u00A0\nHola --&gt; ¿qué\?\n/);
  assert.ok(out.csv.includes(',"\'=1+1\n\nHola --> ¿qué?",'), 'the formula in the text is neutralised');
});

test('a presigned URL\'s signature stays out of the element\'s answer and exports', async (t) => {
  const page = await harness.open(t, { width: 1040, height: 700 });
  const src = `${harness.servers.media.url('/speech-gaps.mp3')}?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDEXAMPLE&X-Amz-Signature=d0e1f2`;
  const out = await page.evaluate((src) => new Promise((resolve, reject) => {
    const el = document.querySelector('avseg-editor');
    el.taskId = 'presigned';
    el.addEventListener('error', (e) => { if (e.detail.fatal) reject(new Error(e.detail.message)); });
    el.addEventListener('ready', () => {
      el.addSegment(el.addTrack('speaker', 'A'), 0.5, 1, { text: 'hello' });
      resolve([JSON.stringify(el.value), ...['eaf', 'csv', 'jsonl', 'textgrid'].map((f) => el.exportAs(f))]);
    }, { once: true });
    el.src = src;
  }), src);
  for (const text of out) {
    assert.doesNotMatch(text, /X-Amz-(Signature|Credential)|AKIDEXAMPLE/);
  }
  assert.match(out[0], /speech-gaps\.mp3/, 'the answer still names the media');
  assert.match(out[1], /speech-gaps\.mp3/, 'the EAF still names the media');
});
