// SPDX-License-Identifier: MIT
// While the reader pauses, the worker decodes what the next zoom step or pan needs: that step is then
// drawn from samples at once, with no peaks frame first and no decode (the worker's frame says so).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startElementPage } from './harness.mjs';

let env;
before(async () => { env = await startElementPage({ title: 'avseg view prefetch' }); });
after(async () => { await env?.close(); });

/** The element on call.wav (22 s, 48 kHz mono: peaks down to 16 frames a pixel), with the worker's frames recorded. */
async function open(t) {
  const page = await env.open(t, { width: 1000, height: 700 });
  await page.evaluate((src) => new Promise((resolve, reject) => {
    const Native = window.Worker;
    window.frames = [];
    window.Worker = class extends Native {
      constructor(...args) {
        super(...args);
        this.addEventListener('message', (e) => {
          const { type, target, interim, fromSamples, decoded } = e.data ?? {};
          if (type === 'frame' && target === 'main') window.frames.push({ interim, fromSamples, decoded });
        });
      }
    };
    const el = document.querySelector('avseg-editor');
    el.addEventListener('ready', resolve, { once: true });
    el.addEventListener('error', (e) => { if (e.detail.fatal) reject(new Error(e.detail.message)); });
    el.src = src;
  }), env.servers.media.url('/call.wav'));
  return page;
}

/** Waits until the worker has nothing left to prefetch and no frame has come for a while (the reader's pause). */
function pause(page) {
  return page.evaluate(async () => {
    const el = document.querySelector('avseg-editor');
    for (let seen = -1; seen !== window.frames.length;) {
      seen = window.frames.length;
      while ((await el.stats()).prefetching) await new Promise((r) => setTimeout(r, 20));
      await new Promise((r) => setTimeout(r, 200));
    }
  });
}

/** Runs `change(el, arg)` in the page, then returns the worker's frames for the main view up to the final one. */
async function step(page, change, arg) {
  await page.evaluate(() => {
    const el = document.querySelector('avseg-editor');
    window.mark = window.frames.length;
    window.rendered = new Promise((resolve) => el.addEventListener('avseg-rendered', resolve, { once: true }));
  });
  await page.evaluate(change, arg);
  const frames = await page.evaluate(async () => {
    await window.rendered;
    return window.frames.slice(window.mark);
  });
  await pause(page);
  return frames;
}

/** The view at `fpp` frames a pixel starting at `start` seconds. */
function zoomAt({ start, fpp }) {
  const el = document.querySelector('avseg-editor');
  const span = (fpp * el.shadowRoot.querySelector('.wave canvas').width) / el.sampleRate;
  el.zoomTo(start, start + span);
}

const framesPerPixel = (page) => page.evaluate(() => {
  const el = document.querySelector('avseg-editor');
  const { start, end } = el.view;
  return ((end - start) * el.sampleRate) / el.shadowRoot.querySelector('.wave canvas').width;
});

const CACHED = { interim: false, fromSamples: true, decoded: false };

test('a zoom step in from the peaks, after a pause, is drawn from samples without decoding', async (t) => {
  const page = await open(t);
  await pause(page);
  // 24 frames a pixel: still peaks, but the next step in (12) is not.
  const peaks = await step(page, zoomAt, { start: 9, fpp: 24 });
  assert.deepEqual(peaks.map((f) => f.fromSamples), [false]);
  const zoomIn = await step(page, () => document.querySelector('avseg-editor').zoomBy(2));
  assert.ok(Math.abs((await framesPerPixel(page)) - 12) < 0.01);
  assert.deepEqual(zoomIn, [CACHED], 'one frame, from cached samples');
});

test('at sample level, after a pause, the screens either side and the zoom step out are drawn without decoding', async (t) => {
  const page = await open(t);
  await pause(page);
  const jump = await step(page, zoomAt, { start: 7, fpp: 4 });
  // A jump to where nothing was decoded: a short decode, drawn at once.
  assert.deepEqual(jump, [{ interim: false, fromSamples: true, decoded: true }]);
  const screen = (dir) => {
    const el = document.querySelector('avseg-editor');
    const { start, end } = el.view;
    return dir === 'left' ? el.zoomTo(2 * start - end, start) : el.zoomTo(end, 2 * end - start);
  };
  assert.deepEqual(await step(page, screen, 'left'), [CACHED]);
  assert.deepEqual(await step(page, () => document.querySelector('avseg-editor').zoomBy(0.5)), [CACHED]);
  assert.ok(Math.abs((await framesPerPixel(page)) - 8) < 0.01);
  assert.deepEqual(await step(page, screen, 'right'), [CACHED]);
});
