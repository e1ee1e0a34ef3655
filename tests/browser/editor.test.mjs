// SPDX-License-Identifier: MIT
// <avseg-editor> end to end in headless Chromium: page, assets and media on three origins,
// the page under a strict Content-Security-Policy (no 'unsafe-eval').
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fixtures, startElementPage } from './harness.mjs';

const WIDTH = 1000;

let harness, servers, gaps;

before(async () => {
  harness = await startElementPage({ slowBytesPerSecond: 1024 * 1024 });
  servers = harness.servers;
  gaps = JSON.parse(await readFile(path.join(fixtures, 'speech-gaps.json'), 'utf8'));
});

after(() => harness?.close());

/** Opens the page and loads `media` (a path on the media origin); resolves with the first ready/error. */
async function open(media, t) {
  const page = await harness.open(t, { width: WIDTH + 40, height: 600 });
  const outcome = await page.evaluate(([src, width]) => new Promise((resolve) => {
    const el = document.querySelector('avseg-editor');
    el.style.width = `${width + 2}px`; // +2 for the border; CSSOM styles are allowed under the CSP
    window.events = [];
    for (const type of ['progress', 'ready', 'error', 'viewchange', 'timeupdate', 'avseg-rendered']) {
      el.addEventListener(type, (e) => window.events.push({ type, detail: e.detail, at: performance.now() }));
    }
    el.addEventListener('ready', (e) => resolve({ type: 'ready', ...e.detail }), { once: true });
    el.addEventListener('error', (e) => { if (e.detail.fatal) resolve({ type: 'error', ...e.detail }); });
    el.src = src;
  }), [servers.media.url(media), WIDTH]);
  return { page, outcome };
}

/** Waits until the main view has been painted for the element's current view. */
function settled(page) {
  return page.evaluate(() => new Promise((resolve) => {
    const el = document.querySelector('avseg-editor');
    const canvas = el.shadowRoot.querySelector('.wave canvas');
    let timer;
    const done = () => { clearTimeout(timer); timer = setTimeout(() => resolve(canvas.dataset.fromSamples), 150); };
    el.addEventListener('avseg-rendered', done);
    done();
  }));
}

/** Per column of the main canvas: how many pixels are not background, leaving out the zero line. */
function ink(page) {
  return page.evaluate(() => {
    const canvas = document.querySelector('avseg-editor').shadowRoot.querySelector('.wave canvas');
    const { width, height } = canvas;
    const data = canvas.getContext('2d').getImageData(0, 0, width, height).data;
    const zero = Math.round(0.5 * (height - 1));
    const bg = data.slice(0, 4).join();
    const counts = [];
    for (let x = 0; x < width; x++) {
      let n = 0;
      for (let y = 0; y < height; y++) {
        if (y === zero) continue;
        const i = (y * width + x) * 4;
        if (`${data[i]},${data[i + 1]},${data[i + 2]},${data[i + 3]}` !== bg) n++;
      }
      counts.push(n);
    }
    return { width, height, counts };
  });
}

test('the page is served with a strict CSP and the element runs under it', async (t) => {
  const response = await fetch(servers.page.url('/'));
  const csp = response.headers.get('content-security-policy');
  assert.ok(csp.includes("default-src 'none'"));
  assert.ok(!csp.includes("'unsafe-eval'"));
  assert.ok(!csp.includes("'unsafe-inline'") || !/script-src[^;]*'unsafe-inline'/.test(csp));
  const { outcome } = await open('/speech-gaps.mp3', t);
  assert.equal(outcome.type, 'ready', JSON.stringify(outcome));
});

test('the waveform is drawn where there is speech and blank where the audio is silent', async (t) => {
  const { page, outcome } = await open('/speech-gaps.mp3', t);
  assert.equal(outcome.type, 'ready', JSON.stringify(outcome));
  assert.equal(outcome.sampleRate, 48000);
  assert.equal(outcome.channels, 1);
  assert.ok(Math.abs(outcome.duration - gaps.frames / gaps.sampleRate) < 1e-9, `duration ${outcome.duration}`);
  await settled(page);
  const { width, counts } = await ink(page);
  assert.equal(width, WIDTH);
  const framesPerPx = gaps.frames / width;
  const column = (frame) => frame / framesPerPx;
  const margin = 0.02 * gaps.sampleRate; // mp3 smears a few ms across an edge
  for (const [a, b] of gaps.silence) {
    for (let x = Math.ceil(column(a + margin)); x < Math.floor(column(b - margin)); x++) {
      assert.equal(counts[x], 0, `column ${x} inside the silent gap ${a}..${b} is drawn`);
    }
  }
  for (const [a, b] of gaps.speech) {
    const cols = counts.slice(Math.ceil(column(a)), Math.floor(column(b)));
    const drawn = cols.filter((n) => n > 4).length;
    assert.ok(drawn > cols.length * 0.5, `speech ${a}..${b}: only ${drawn} of ${cols.length} columns drawn`);
  }
});

test('zooming in to sample level shows each sample at its value', async (t) => {
  // FLAC is lossless, so the decoded samples are the WAV's samples.
  const { page, outcome } = await open('/speech-gaps.flac', t);
  assert.equal(outcome.type, 'ready', JSON.stringify(outcome));
  const wav = await readFile(path.join(fixtures, 'speech-gaps.pcm_s16le.wav'));
  const sample = (n) => wav.readInt16LE(44 + 2 * n) / 32768;
  // 10 px per sample, in the middle of the first speech part.
  const first = Math.floor((gaps.speech[0][0] + gaps.speech[0][1]) / 2);
  const span = WIDTH / 10 / gaps.sampleRate;
  await page.evaluate(([s, e]) => document.querySelector('avseg-editor').zoomTo(s, e), [first / gaps.sampleRate, first / gaps.sampleRate + span]);
  assert.equal(await settled(page), 'true');
  const view = await page.evaluate(() => document.querySelector('avseg-editor').view);
  assert.ok(Math.abs(view.start - first / gaps.sampleRate) < 1e-9);
  const dots = await page.evaluate(() => {
    const canvas = document.querySelector('avseg-editor').shadowRoot.querySelector('.wave canvas');
    const d = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
    const out = [];
    for (let x = 0; x < canvas.width; x += 10) {
      const col = [];
      for (let y = 0; y < canvas.height; y++) {
        const i = (y * canvas.width + x) * 4;
        if (d[i] === 0x17 && d[i + 1] === 0x3d && d[i + 2] === 0x66) col.push(y);
      }
      out.push(col);
    }
    return { height: canvas.height, out };
  });
  let exact = 0;
  dots.out.forEach((rows, i) => {
    const v = sample(first + i);
    const row = Math.round((1 - v) * 0.5 * (dots.height - 1));
    if (rows.includes(row)) exact++;
  });
  assert.ok(exact >= dots.out.length - 1, `${exact} of ${dots.out.length} samples drawn at their value`);

  // Zoomed out again the same place is drawn from peaks, not samples.
  await page.evaluate(() => document.querySelector('avseg-editor').zoomBy(1 / 4096));
  assert.equal(await settled(page), 'false');
});

test('playing moves the cursor with the audio; clicking seeks', async (t) => {
  const { page, outcome } = await open('/sample.mp3', t);
  assert.equal(outcome.type, 'ready', JSON.stringify(outcome));
  const cursorX = () => page.evaluate(() => {
    const c = document.querySelector('avseg-editor').shadowRoot.querySelector('.wave .cursor');
    return new DOMMatrix(getComputedStyle(c).transform).m41;
  });
  const x0 = await cursorX();
  await page.evaluate(() => document.querySelector('avseg-editor').play());
  await page.waitForTimeout(1200);
  const { time, timeupdates } = await page.evaluate(() => ({
    time: document.querySelector('avseg-editor').currentTime,
    timeupdates: window.events.filter((e) => e.type === 'timeupdate').length,
  }));
  const x1 = await cursorX();
  await page.evaluate(() => document.querySelector('avseg-editor').pause());
  assert.ok(time > 0.5 && time < 3, `currentTime ${time}`);
  assert.ok(timeupdates > 0);
  const expected = (time / outcome.duration) * WIDTH;
  assert.ok(x1 > x0 + 10, `cursor moved from ${x0} to ${x1}`);
  assert.ok(Math.abs(x1 - expected) < 10, `cursor at ${x1}, time says ${expected}`);

  const box = await page.evaluate(() => {
    const r = document.querySelector('avseg-editor').shadowRoot.querySelector('.wave').getBoundingClientRect();
    return { x: r.x, y: r.y, w: r.width, h: r.height };
  });
  await page.mouse.click(box.x + box.w * 0.75, box.y + box.h / 2);
  const seeked = await page.evaluate(() => document.querySelector('avseg-editor').currentTime);
  assert.ok(Math.abs(seeked - outcome.duration * 0.75) < outcome.duration / WIDTH * 2, `seeked to ${seeked}`);
});

test('zoom by keys, buttons and ctrl+wheel; shift+wheel scrolls', async (t) => {
  const { page, outcome } = await open('/sample.mp3', t);
  assert.equal(outcome.type, 'ready', JSON.stringify(outcome));
  const view = () => page.evaluate(() => document.querySelector('avseg-editor').view);
  const full = await view();
  assert.ok(Math.abs(full.end - outcome.duration) < 1e-9 && full.start === 0);

  await page.focus('avseg-editor');
  await page.keyboard.press('+');
  let v = await view();
  assert.ok(Math.abs((v.end - v.start) - outcome.duration / 2) < 1e-6, JSON.stringify(v));
  await page.keyboard.press('0');
  assert.deepEqual(await view(), full);

  await page.evaluate(() => document.querySelector('avseg-editor').shadowRoot.querySelector('.zoom-in').click());
  v = await view();
  assert.ok(Math.abs((v.end - v.start) - outcome.duration / 2) < 1e-6);

  const box = await page.evaluate(() => {
    const r = document.querySelector('avseg-editor').shadowRoot.querySelector('.wave').getBoundingClientRect();
    return { x: r.x, y: r.y, w: r.width, h: r.height };
  });
  await page.mouse.move(box.x + box.w / 2, box.y + box.h / 2);
  const before = await view();
  await page.keyboard.down('Control');
  await page.mouse.wheel(0, -400);
  await page.keyboard.up('Control');
  await page.waitForTimeout(100);
  const zoomed = await view();
  assert.ok(zoomed.end - zoomed.start < (before.end - before.start) / 2, JSON.stringify({ before, zoomed }));

  await page.keyboard.down('Shift');
  await page.mouse.wheel(0, 200);
  await page.keyboard.up('Shift');
  await page.waitForTimeout(100);
  const scrolled = await view();
  assert.ok(scrolled.start > zoomed.start, JSON.stringify({ zoomed, scrolled }));
  assert.ok(Math.abs((scrolled.end - scrolled.start) - (zoomed.end - zoomed.start)) < 1e-9);
  const changes = await page.evaluate(() => window.events.filter((e) => e.type === 'viewchange').length);
  assert.ok(changes >= 4);

  // Vertical zoom: the same view draws taller.
  await page.keyboard.press('0');
  await settled(page);
  const inkAt = async () => (await ink(page)).counts.reduce((a, b) => a + b, 0);
  const flat = await inkAt();
  await page.keyboard.press('ArrowUp');
  await page.keyboard.press('ArrowUp');
  assert.ok(Math.abs(await page.evaluate(() => document.querySelector('avseg-editor').amplitude) - 2) < 1e-9);
  await settled(page);
  assert.ok(await inkAt() > flat * 1.5);
});

test('the waveform fills in while the file downloads', async (t) => {
  const { page, outcome } = await open('/slow/sample.wav', t);
  assert.equal(outcome.type, 'ready', JSON.stringify(outcome));
  const events = await page.evaluate(() => window.events);
  const readyAt = events.find((e) => e.type === 'ready').at;
  const progress = events.filter((e) => e.type === 'progress' && e.at < readyAt);
  assert.ok(progress.length >= 5, `${progress.length} progress events`);
  const decoded = progress.map((e) => e.detail.decodedSeconds);
  assert.ok(decoded.some((s) => s > 0 && s < outcome.duration / 2), `decodedSeconds ${decoded}`);
  for (let i = 1; i < progress.length; i++) {
    assert.ok(progress[i].detail.loadedBytes >= progress[i - 1].detail.loadedBytes);
  }
  assert.ok(progress.at(-1).detail.totalBytes > 0);
  const early = events.filter((e) => e.type === 'avseg-rendered' && e.at < readyAt);
  assert.ok(early.length >= 2, `${early.length} frames painted before ready`);
});

test('a file whose packets are larger than the read-ahead still decodes completely', async (t) => {
  const { outcome } = await open('/big-packets.mkv', t);
  assert.equal(outcome.type, 'ready', JSON.stringify(outcome));
  assert.equal(outcome.duration, 1500000 / 48000);
  assert.equal(outcome.channels, 2);
});

const BAD = [
  ['/garbage.bin', 'unsupported-format', /not a recognised/],
  ['/notmedia.txt', 'unsupported-format', /not a recognised/],
  ['/unsupported.ac3', 'unsupported-format', /AC-3.*not supported/],
  ['/empty.wav', 'empty-media', /empty/],
  ['/header-only.wav', 'empty-media', /no samples/],
  ['/status/404/speech-gaps.mp3', 'fetch-failed', /HTTP 404/],
  ['/nocors/speech-gaps.mp3', 'cors-blocked', /Access-Control-Allow-Origin/],
];

for (const [media, code, message] of BAD) {
  test(`${media} fails with ${code} and says so in the element`, async (t) => {
    const { page, outcome } = await open(media, t);
    assert.equal(outcome.type, 'error', JSON.stringify(outcome));
    assert.equal(outcome.code, code);
    assert.match(outcome.message, message);
    const shown = await page.evaluate(() => {
      const box = document.querySelector('avseg-editor').shadowRoot.querySelector('.error');
      return { hidden: box.hidden, text: box.textContent, role: box.getAttribute('role') };
    });
    assert.equal(shown.hidden, false);
    assert.equal(shown.role, 'alert');
    assert.equal(shown.text, outcome.message);
  });
}

test('a truncated file shows what decodes and warns that it is truncated', async (t) => {
  const { page, outcome } = await open('/truncated.wav', t);
  assert.equal(outcome.type, 'ready', JSON.stringify(outcome));
  await page.waitForFunction(() => window.events.some((e) => e.type === 'error'));
  const warning = await page.evaluate(() => window.events.find((e) => e.type === 'error').detail);
  assert.equal(warning.code, 'truncated-media');
  assert.equal(warning.fatal, false);
  await settled(page);
  const { counts } = await ink(page);
  assert.ok(counts.filter((n) => n > 4).length > 100);
});
