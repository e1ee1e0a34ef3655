// SPDX-License-Identifier: MIT
// A cold jump to a sample-level view of a file read in place: the bytes its decode reads are fetched
// before it, asynchronously and in one request (Session.bytesFor), not by the decoder's synchronous
// reads one round trip at a time. The files are larger than the reader's 64 MiB cache, so the view
// jumped to (near the start) was evicted during the load.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { strictCsp } from '../../web/demo/page.mjs';
import { startElementPage } from './harness.mjs';
import { startMediaServer } from '../lib/media-server.mjs';

const LATENCY_MS = 300;   // after ready: the render's request is answered well before the prefetch's that follows it

let server, env;
before(async () => {
  server = await startMediaServer({
    files: {
      '/ten-min.wav': { synth: 'wav', seconds: 600 },                             // 115 MB
      '/half-hour.mp3': { synth: 'mp3-loop', seconds: 1800, kbps: 320 },          // 72 MB
    },
  });
  env = await startElementPage({ title: 'avseg view bytes', csp: (o) => strictCsp({ ...o, media: `${o.media} ${server.origin}` }) });
});
after(async () => {
  await env?.close();
  await server?.close();
});

async function coldJump(t, name) {
  server.configure({ latencyMs: 0 });
  const page = await env.open(t, { width: 1000, height: 700 });
  await page.evaluate((src) => new Promise((resolve, reject) => {
    const Native = window.Worker;
    window.frames = [];
    window.Worker = class extends Native {
      constructor(...args) {
        super(...args);
        this.addEventListener('message', (e) => {
          const { type, target, interim, fromSamples } = e.data ?? {};
          if (type === 'frame' && target === 'main') window.frames.push({ interim, fromSamples });
        });
      }
    };
    const el = document.querySelector('avseg-editor');
    el.addEventListener('ready', resolve, { once: true });
    el.addEventListener('error', (e) => { if (e.detail.fatal) reject(new Error(e.detail.message)); });
    el.src = src;
  }), server.url(name));
  // Quiet: nothing prefetching, no frame for a while.
  const syncBefore = await page.evaluate(async () => {
    const el = document.querySelector('avseg-editor');
    for (let seen = -1; seen !== window.frames.length;) {
      seen = window.frames.length;
      while ((await el.stats()).prefetching) await new Promise((r) => setTimeout(r, 20));
      await new Promise((r) => setTimeout(r, 300));
    }
    return (await el.stats()).remote.syncRequests;
  });
  server.configure({ latencyMs: LATENCY_MS });
  const mark = server.requests.length;
  const out = await page.evaluate(() => new Promise((resolve) => {
    const el = document.querySelector('avseg-editor');
    const first = window.frames.length;
    el.addEventListener('avseg-rendered', async (e) => {
      const frames = window.frames.slice(first);
      resolve({ frames, fromSamples: e.detail.fromSamples, stats: await el.stats() });
    }, { once: true });
    // 0.1 s at 4.8 samples a pixel, a minute in.
    el.zoomTo(60, 60.1);
  }));
  // Requests answered by the time the view was drawn (the prefetch that follows waits out its latency).
  const answered = server.requests.slice(mark).filter((r) => r.method === 'GET' && r.ms !== null && r.dest !== 'audio' && r.dest !== 'video');
  t.diagnostic(`${name}: ${answered.length} request(s) ${answered.map((r) => r.range).join(', ')}; frames ${JSON.stringify(out.frames)}`);
  assert.equal(out.fromSamples, true);
  assert.equal(out.stats.remote.syncRequests - syncBefore, 0, 'no synchronous request');
  assert.ok(answered.length >= 1 && answered.length <= 2, `one or two range requests, not ${answered.length}`);
  // A short decode: no peaks frame first (as for cached bytes), the samples once they came.
  assert.deepEqual(out.frames, [{ interim: false, fromSamples: true }]);
}

test('a cold jump to a sample-level view of a WAV read in place makes one request and no synchronous one', async (t) => {
  await coldJump(t, '/ten-min.wav');
});

test('a cold jump to a sample-level view of an MP3 read in place makes one request and no synchronous one', async (t) => {
  await coldJump(t, '/half-hour.mp3');
});
