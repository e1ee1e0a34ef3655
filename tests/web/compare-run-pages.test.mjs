// SPDX-License-Identifier: MIT
// The local run's choice of template for comparison lines (scripts/label.mjs): compare-video when
// any clip is a video by its extension, compare-audio otherwise, --template audio|video choosing
// for every comparison; single lines keep theirs. Pages fetched over HTTP, no browser.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { startLabeling } from '../../scripts/label.mjs';

let tmp, manifest;
before(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'avseg-compare-pages-'));
  process.env.AVSEG_STATE_DIR = path.join(tmp, 'state');
  await mkdir(path.join(tmp, 'job'));
  for (const name of ['a.wav', 'b.wav', 'c.webm', 'd.mp4']) await writeFile(path.join(tmp, 'job', name), name);
  manifest = path.join(tmp, 'job/m.jsonl');
  await writeFile(manifest, [
    { clips: [{ 'source-ref': 'a.wav', system: 'x' }, { 'source-ref': 'b.wav', system: 'y' }] },
    { clips: [{ 'source-ref': 'c.webm', system: 'x' }, { 'source-ref': 'd.mp4', system: 'y' }] },
    { 'source-ref': 'a.wav' },
  ].map((l) => JSON.stringify(l)).join('\n'));
});
after(() => rm(tmp, { recursive: true, force: true }));

const kind = (html) => (html.includes('video comparison task') ? 'compare-video' : html.includes('audio comparison task') ? 'compare-audio'
  : html.includes('<avseg-editor data-avseg-task') ? 'single' : 'unknown');

for (const [template, expect] of [[undefined, ['compare-audio', 'compare-video', 'single']], ['video', ['compare-video', 'compare-video', 'single']]]) {
  test(`--template ${template ?? '(none)'}: the comparison lines get ${expect.slice(0, 2).join(' and ')}`, async (t) => {
    const run = await startLabeling({ manifest, output: path.join(tmp, `out-${template}`), port: 0, template });
    t.after(() => run.close());
    const pages = await Promise.all([0, 1, 2].map(async (i) => (await fetch(`${run.url}task/${i}?worker=ann`)).text()));
    assert.deepEqual(pages.map(kind), expect);
    if (template === 'video') assert.match(pages[2], /video segmentation task/, 'a single line gets the video template');
  });
}
