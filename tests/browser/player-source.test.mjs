// SPDX-License-Identifier: MIT
// The page's own player (the element's <video>) reads nothing of the media while the worker loads
// it: Chromium's player reads a fragmented MP4 from its start and took half a capped link from the
// worker (issue 11.2). Once the load is ready it reads, seeks to the frame asked and plays. The
// media server logs each request as it arrives; a marker request sent synchronously as the
// worker's `ready` message arrives (before the element handles it) splits the log in two.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { strictCsp } from '../../web/demo/page.mjs';
import { fixtures, startElementPage } from './harness.mjs';
import { startMediaServer } from '../lib/media-server.mjs';

const run = promisify(execFile);
let env, server, dir;

before(async () => {
  env = await startElementPage({ title: 'avseg player source', csp: (o) => strictCsp({ ...o, media: `${o.media} http://127.0.0.1:*` }) });
  dir = await mkdtemp(path.join(tmpdir(), 'avseg-player-source-'));
  const fragmented = path.join(dir, 'fragmented.mp4');
  // The frames show their number (tests/fixtures/make-media.sh); a fragment per key frame, as the bench's hour.
  await run('ffmpeg', ['-nostdin', '-v', 'error', '-y', '-i', path.join(fixtures, 'frames-bframes.mp4'), '-c', 'copy',
    '-movflags', '+frag_keyframe+empty_moov+default_base_moof', fragmented]);
  server = await startMediaServer({ files: { '/fragmented.mp4': { path: fragmented }, '/call.mp3': { path: path.join(fixtures, 'call.mp3') } } });
});
after(async () => {
  await env?.close();
  await server?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/**
 * Loads `name` in a fresh tab (read in place); resolves at the element's `ready` with the server's
 * requests split at the worker's ready message.
 */
async function load(t, name) {
  const page = await env.open(t, { width: 1000, height: 900 });
  // Before any script of the page (the element might start its worker early), then the page again.
  await page.addInitScript((marker) => {
    // Listening before the element does: this runs before the element learns the load is ready.
    const Native = window.Worker;
    window.Worker = class extends Native {
      constructor(...args) {
        super(...args);
        this.addEventListener('message', (e) => {
          if (e.data?.type !== 'ready') return;
          const xhr = new XMLHttpRequest();
          xhr.open('GET', marker, false);
          try { xhr.send(); } catch { /* a 404 without CORS headers: it reached the server's log all the same */ }
        });
      }
    };
  }, server.url('/ready-marker'));
  await page.reload();
  await page.waitForFunction(() => customElements.get('avseg-editor'));
  server.reset();
  await page.evaluate((src) => new Promise((resolve, reject) => {
    const el = document.querySelector('avseg-editor');
    el.addEventListener('ready', resolve, { once: true });
    el.addEventListener('error', (e) => { if (e.detail.fatal) reject(new Error(e.detail.message)); });
    el.setAttribute('range-threshold', '0');
    el.src = src;
  }), server.url(`/${name}`));
  return { page, split: () => {
    const log = server.requests.filter((r) => r.path.startsWith(`/${name}`) || r.path === '/ready-marker');
    const at = log.findIndex((r) => r.path === '/ready-marker');
    assert.ok(at >= 0, 'the worker said ready');
    const player = (r) => r.dest === 'video' || r.dest === 'audio';
    return { before: log.slice(0, at), playerBefore: log.slice(0, at).filter(player), playerAfter: log.slice(at + 1).filter(player) };
  } };
}

/** The number the frame on screen shows (10 bars, bright = 1, least significant bit on the left). */
const readShown = (page) => page.evaluate(() => {
  const video = document.querySelector('avseg-editor').shadowRoot.querySelector('video');
  const canvas = document.createElement('canvas');
  canvas.width = 320;
  canvas.height = 180;
  const ctx = canvas.getContext('2d', { willReadFrequently: true });
  ctx.drawImage(video, 0, 0, 320, 180);
  const row = ctx.getImageData(0, 90, 320, 1).data;
  let n = 0;
  for (let b = 0; b < 10; b++) if (row[Math.floor((b + 0.5) * 32) * 4] > 128) n |= 1 << b;
  return n;
});

test("a fragmented MP4: the page's <video> reads nothing before the load is ready, then shows the frame sought and the filmstrip", async (t) => {
  const { page, split } = await load(t, 'fragmented.mp4');
  const frame = 37;
  await page.evaluate((n) => new Promise((resolve, reject) => {
    const el = document.querySelector('avseg-editor');
    const timer = setTimeout(() => reject(new Error(`frame ${n} was not shown (showing ${el.frame})`)), 10000);
    const check = () => {
      if (el.frame !== n) return;
      clearTimeout(timer);
      resolve();
    };
    el.addEventListener('framechange', check);
    el.seekFrame(n);
    check();
  }), frame);
  assert.equal(await readShown(page), frame);
  const { before: worker, playerBefore, playerAfter } = split();
  assert.ok(worker.length > 0, 'the worker read the file');
  assert.deepEqual(playerBefore, [], 'the <video> read the file while the worker loaded it');
  assert.ok(playerAfter.length > 0, 'the <video> read the file once ready');
  // The filmstrip's own video (thumbnails) works from the same source once ready.
  await page.waitForFunction(() => {
    const c = document.querySelector('avseg-editor').shadowRoot.querySelector('.filmstrip');
    if (!c || c.hidden || !c.width) return false;
    const data = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    for (let i = 0; i < data.length; i += 4) if (data[i] > 128 && data[i + 1] > 128 && data[i + 2] > 128) return true;
    return false;
  }, null, { timeout: 10000 });
});

test("an audio file: the player reads nothing before ready, then plays", async (t) => {
  const { page, split } = await load(t, 'call.mp3');
  const played = await page.evaluate(() => new Promise((resolve, reject) => {
    const el = document.querySelector('avseg-editor');
    const timer = setTimeout(() => reject(new Error(`not playing (at ${el.currentTime} s)`)), 10000);
    el.play().catch(reject);
    const poll = () => {
      if (el.currentTime > 0.3) {
        clearTimeout(timer);
        el.pause();
        resolve(el.currentTime);
      } else setTimeout(poll, 50);
    };
    poll();
  }));
  assert.ok(played > 0.3);
  const { playerBefore, playerAfter } = split();
  assert.deepEqual(playerBefore, []);
  assert.ok(playerAfter.length > 0);
});
