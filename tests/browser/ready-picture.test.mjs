// SPDX-License-Identifier: MIT
// `ready` means the picture is shown: the page's <video> reads only from the worker's ready on
// (player-source.js), and the element says `ready` once that <video> shows its first frame, or
// failed with its warning said. Checked inside the `ready` handler, as a host reading `frame` or
// taking a screenshot at `ready` would; several loads of each kind, as the order is a race.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { startElementPage } from './harness.mjs';

const run = promisify(execFile);
const FF = ['-nostdin', '-v', 'error', '-y'];
const PICTURE = ['-f', 'lavfi', '-i', 'testsrc2=size=320x180:rate=30:d=3', '-f', 'lavfi', '-i', 'sine=f=440:d=3', '-shortest'];
const H264 = ['-c:v', 'libx264', '-pix_fmt', 'yuv420p', '-g', '30', '-c:a', 'aac'];
let env, dir;

before(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'avseg-ready-picture-'));
  const make = (name, args) => run('ffmpeg', [...FF, ...args, path.join(dir, name)]);
  await Promise.all([
    make('plain.mp4', [...PICTURE, ...H264]),
    make('fragmented.mp4', [...PICTURE, ...H264, '-movflags', '+frag_keyframe+empty_moov+default_base_moof']),
    make('clip.webm', [...PICTURE, '-c:v', 'libvpx', '-b:v', '300k', '-c:a', 'libopus']),
    // MPEG-4 Part 2 video with ALAC sound: Chromium plays neither (media error), the worker decodes the sound.
    make('unplayable.mp4', [...PICTURE, '-c:v', 'mpeg4', '-c:a', 'alac']),
    make('tone.mp3', ['-f', 'lavfi', '-i', 'sine=f=440:d=3', '-c:a', 'libmp3lame']),
  ]);
  env = await startElementPage({ title: 'avseg ready picture', mediaRoot: dir });
});
after(async () => {
  await env?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** Loads each of `names` in turn in one element; what the element and its <video> said at each `ready`. */
function loadAll(page, names) {
  return page.evaluate((srcs) => {
    const el = document.querySelector('avseg-editor');
    el.config = { categories: [{ name: 'Dog', tags: ['Dog #1'] }] };
    const loadOne = (src) => new Promise((resolve, reject) => {
      const errors = [];
      const onError = (e) => {
        errors.push(e.detail.code);
        if (e.detail.fatal) reject(new Error(e.detail.message));
      };
      el.addEventListener('error', onError);
      el.addEventListener('ready', () => {
        const video = el.shadowRoot.querySelector('video');
        el.removeEventListener('error', onError);
        resolve({ src, ready: el.ready, hidden: video.hidden, videoWidth: video.videoWidth, readyState: video.readyState, frame: el.frame, errors });
      }, { once: true });
      el.src = src;
    });
    return srcs.reduce((all, src) => all.then(async (list) => [...list, await loadOne(src)]), Promise.resolve([]));
  }, names.map((name) => env.servers.media.url(`/${name}`)));
}

test('at `ready` a video shows its first frame: fragmented MP4, MP4 and WebM, three loads each', async (t) => {
  const page = await env.open(t, { width: 1000, height: 900 });
  const names = ['fragmented.mp4', 'plain.mp4', 'clip.webm'];
  const seen = await loadAll(page, [...names, ...names, ...names]);
  const wrong = seen.filter((s) => !(s.ready && !s.hidden && s.videoWidth === 320 && s.readyState >= 2 && s.frame === 0 && s.errors.length === 0));
  assert.deepEqual(wrong, [], 'at ready: ready true, the <video> shown with its picture (readyState >= 2), frame 0, no error');
});

test('at `ready` an audio file\'s player knows its length and shows no picture', async (t) => {
  const page = await env.open(t, { width: 1000, height: 900 });
  const [seen] = await loadAll(page, ['tone.mp3']);
  assert.deepEqual({ ready: seen.ready, hidden: seen.hidden, frame: seen.frame, errors: seen.errors }, { ready: true, hidden: true, frame: -1, errors: [] });
  assert.ok(seen.readyState >= 1, `the player has the metadata at ready (readyState ${seen.readyState})`);
});

test('a video the browser cannot play: `ready` still comes, after the playback-failed warning', async (t) => {
  const page = await env.open(t, { width: 1000, height: 900 });
  const started = Date.now();
  const [seen, after] = await loadAll(page, ['unplayable.mp4', 'plain.mp4']);
  assert.deepEqual(seen.errors, ['playback-failed'], 'the warning came before ready');
  assert.equal(seen.ready, true);
  assert.equal(seen.hidden, true, 'no picture is shown');
  assert.ok(Date.now() - started < 8000, 'ready did not wait for the timeout');
  // The next media shows its picture as usual.
  assert.deepEqual([after.hidden, after.frame, after.errors], [false, 0, []]);
});
