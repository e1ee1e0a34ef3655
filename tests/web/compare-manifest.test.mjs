// SPDX-License-Identifier: MIT
// Comparison lines in the local run's manifest (scripts/lib/labeling/manifest.mjs): each clip
// resolved and confined as a single clip's media is, and a malformed line named by its number
// and what is wrong, nothing started.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ManifestError, mediaOf, readManifest } from '../../scripts/lib/labeling/manifest.mjs';

let dir;
before(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'avseg-compare-manifest-'));
  await mkdir(path.join(dir, 'job'));
  for (const name of ['a.wav', 'b.wav', 'a.dat']) await writeFile(path.join(dir, 'job', name), name);
  await writeFile(path.join(dir, 'secret.wav'), 'outside');
  await symlink(path.join(dir, 'secret.wav'), path.join(dir, 'job/link.wav'));
});
after(() => rm(dir, { recursive: true, force: true }));

const manifest = async (lines) => {
  const file = path.join(dir, 'job', 'm.jsonl');
  await writeFile(file, lines.map((l) => (typeof l === 'string' ? l : JSON.stringify(l))).join('\n'));
  return file;
};
const clip = (ref, system, more = {}) => ({ 'source-ref': ref, system, ...more });

test('a line with "clips" is a comparison: each clip resolved with its system, peaks and own tag', async () => {
  const items = await readManifest(await manifest([
    { 'source-ref': 'a.wav' },
    { prompt: 'Say hi', id: 'p1', clips: [clip('a.wav', 'tts-a', { 'peaks-ref': 'a.dat' }), clip('s3://bucket/b.wav', 'tts-b'), clip('https://x.test/c.wav', 'tts-c')] },
  ]));
  assert.equal(items.length, 2);
  assert.equal(items[0].kind, 'file');
  const c = items[1];
  assert.equal(c.kind, 'comparison');
  assert.equal(c.lineNumber, 2);
  assert.deepEqual(c.clips.map((x) => [x.system, x.kind]), [['tts-a', 'file'], ['tts-b', 's3'], ['tts-c', 'http']]);
  assert.equal(c.clips[0].path, path.join(dir, 'job/a.wav'));
  assert.equal(c.clips[0].peaks.path, path.join(dir, 'job/a.dat'));
  assert.deepEqual([c.clips[1].bucket, c.clips[1].key], ['bucket', 'b.wav']);
  const tags = [c.tag, ...c.clips.map((x) => x.tag), items[0].tag];
  assert.equal(new Set(tags).size, tags.length, 'every clip has its own tag');
  assert.ok(tags.every((t) => /^[\w-]{16}$/.test(t)));
  assert.deepEqual(mediaOf(items[0]), [items[0]]);
  assert.equal(mediaOf(c), c.clips);
});

test('malformed comparison lines are each named by line number and what is wrong, and nothing starts', async () => {
  const file = await manifest([
    { clips: [clip('a.wav', 'x')] },
    { clips: [clip('a.wav', 'x'), clip('b.wav', 'x')] },
    { clips: [clip('a.wav', 'x'), { system: 'y' }] },
    { clips: [clip('a.wav', 'x'), clip('b.wav', '')] },
    { clips: 'a.wav' },
    { clips: [clip('a.wav', 'x'), clip('../secret.wav', 'y')] },
    { clips: [clip('a.wav', 'x'), clip('link.wav', 'y')] },
    { clips: [clip('a.wav', 'x'), clip('.hidden.wav', 'y')] },
    { clips: [clip('a.wav', 'x'), clip('b.wav', 'y')], 'source-ref': 'a.wav' },
    { clips: [1, 2, 3, 4, 5].map((i) => clip('a.wav', `s${i}`)) },
    { clips: [clip('a.wav', 'x'), clip('b.wav', 'y', { 'peaks-ref': 'nope.dat' })] },
    { prompt: 3, clips: [clip('a.wav', 'x'), clip('b.wav', 'y')] },
  ]);
  const err = await readManifest(file).catch((e) => e);
  assert.ok(err instanceof ManifestError, String(err));
  const lines = err.message.split('\n');
  const expect = [
    [1, /"clips" has 1 clip: a comparison has 2 to 4/],
    [2, /clips 1 and 2 both have the system "x"/],
    [3, /clip 2 has no media: give "source-ref"/],
    [4, /clip 2 has no "system"/],
    [5, /"clips" must be a list of 2 to 4 clips/],
    [6, /clip 2: "\.\.\/secret\.wav" is outside the media folder/],
    [7, /clip 2: "link\.wav" is a link to .*secret\.wav, outside the media folder/],
    [8, /clip 2: "\.hidden\.wav": hidden files and folders/],
    [9, /source-ref: a comparison line gives its media in "clips"; a top-level "source-ref" would make Ground Truth take the line as one media item/],
    [10, /"clips" has 5 clips/],
    [11, /clip 2: peaks-ref: the media file .*nope\.dat does not exist/],
    [12, /"prompt" must be text or null/],
  ];
  assert.equal(lines.length, expect.length, err.message);
  expect.forEach(([n, re], i) => {
    assert.ok(lines[i].startsWith(`${file}, line ${n}: `), lines[i]);
    assert.match(lines[i], re);
  });
});
