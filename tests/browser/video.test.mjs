// SPDX-License-Identifier: MIT
// Frame-exact video in headless Chromium: every frame of the generated videos shows its own
// number in binary, so the test reads which frame is on screen after each seek and step, at
// constant and variable frame rates, with a late start and with B-frames.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fixtures, root, startElementPage } from './harness.mjs';

let harness;
before(async () => { harness = await startElementPage({ title: 'avseg video' }); });
after(() => harness?.close());

async function probe(name) {
  const p = JSON.parse(await readFile(path.join(fixtures, `${name}.probe.json`), 'utf8'));
  const [num, den] = p.streams[0].time_base.split('/').map(Number);
  return { count: Number(p.streams[0].nb_read_frames), pts: p.packets.map((x) => x.pts).sort((a, b) => a - b), num, den };
}

const load = (t, name) => harness.openMedia(t, name);

/** The number the frame on screen shows (10 bars, bright = 1, least significant bit on the left). */
function readShown(page) {
  return page.evaluate(() => {
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
}

/** Runs `action` in the page and waits until the element reports frame n on screen. */
async function showFrame(page, n, action) {
  await page.evaluate(([n, action]) => new Promise((resolve, reject) => {
    const el = document.querySelector('avseg-editor');
    const timer = setTimeout(() => reject(new Error(`frame ${n} was not shown (showing ${el.frame})`)), 5000);
    const check = () => {
      if (el.frame === n) {
        clearTimeout(timer);
        el.removeEventListener('framechange', check);
        resolve();
      }
    };
    el.addEventListener('framechange', check);
    if (action === 'seek') el.seekFrame(n);
    check();
  }), [n, action]);
}

for (const name of ['frames-cfr.webm', 'frames-vfr.webm', 'frames-offset.webm', 'frames-bframes.mp4']) {
  test(`${name}: the frame index is ffprobe's, and seeking to frame N shows frame N`, async (t) => {
    const truth = await probe(name);
    const page = await load(t, name);
    const frames = await page.evaluate(() => document.querySelector('avseg-editor').frames);
    assert.equal(frames.count, truth.count, 'as many frames as ffprobe reads');
    assert.deepEqual(Object.values(frames.times).slice(0, -1), truth.pts.map((p) => (p * truth.num) / truth.den));
    const end = await page.evaluate(() => document.querySelector('avseg-editor').duration);
    assert.ok(end >= frames.times[frames.count] - 1e-9, `the timeline (${end} s) reaches the last frame's end`);
    const picks = [...new Set([0, 1, 2, 3, 7, Math.floor(truth.count / 2), 31, truth.count - 3, truth.count - 2, truth.count - 1])];
    for (const n of picks) {
      await showFrame(page, n, 'seek');
      assert.equal(await readShown(page), n, `after seeking to frame ${n}`);
    }
    // Backwards, across key frames, too.
    for (const n of [...picks].reverse().slice(0, 4)) {
      await showFrame(page, n, 'seek');
      assert.equal(await readShown(page), n, `after seeking back to frame ${n}`);
    }
    const label = await page.locator('avseg-editor >> css=.time').textContent();
    assert.match(label, new RegExp(`frame ${picks.slice(-4)[0] + 1} / ${truth.count}$`));
  });
}

test('keys step one frame; the frame box jumps to a number; the first and last frames are reachable', async (t) => {
  const page = await load(t, 'frames-vfr.webm');
  const count = await page.evaluate(() => document.querySelector('avseg-editor').frames.count);
  await showFrame(page, 5, 'seek');
  await page.focus('avseg-editor');
  for (const [key, n] of [['Shift+ArrowRight', 6], ['Shift+ArrowRight', 7], ['Shift+ArrowRight', 8], ['Shift+ArrowLeft', 7]]) {
    await page.keyboard.press(key);
    await showFrame(page, n, 'wait');
    assert.equal(await readShown(page), n, `${key} -> frame ${n}`);
  }
  await page.fill('avseg-editor >> css=.frame-input', String(count));
  await page.press('avseg-editor >> css=.frame-input', 'Enter');
  await showFrame(page, count - 1, 'wait');
  assert.equal(await readShown(page), count - 1);
  await page.focus('avseg-editor');
  await page.keyboard.press('Shift+ArrowRight');   // nothing after the last frame
  await page.waitForTimeout(200);
  assert.equal(await readShown(page), count - 1);
  await page.fill('avseg-editor >> css=.frame-input', '1');
  await page.press('avseg-editor >> css=.frame-input', 'Enter');
  await showFrame(page, 0, 'wait');
  assert.equal(await readShown(page), 0);
});

test('a segment on frames a..b holds their exact times; nudges move it one frame', async (t) => {
  const page = await load(t, 'frames-vfr.webm');
  const out = await page.evaluate(() => {
    const el = document.querySelector('avseg-editor');
    const { times } = el.frames;
    const track = el.addTrack('Dog', 'Dog #1');
    // Frames 10..20, given a little off their boundaries: stored on them.
    el.selectedSegment = el.addSegment(track, times[10] + 0.004, times[21] - 0.006);
    return { times, seg: el.value.segments[0] };
  });
  const { times } = out;
  assert.equal(out.seg.startTime, times[10]);
  assert.equal(out.seg.endTime, times[21]);
  assert.deepEqual([out.seg.startFrame, out.seg.endFrame], [10, 21], 'frames 10..20: [10, 21)');
  await page.focus('avseg-editor');
  await page.keyboard.press('.');          // start one frame later
  await page.keyboard.press('Shift+<');    // end one frame earlier
  await page.keyboard.press('Alt+ArrowLeft');   // start one frame earlier again
  const seg = await page.evaluate(() => document.querySelector('avseg-editor').value.segments[0]);
  assert.equal(seg.startTime, times[10]);
  assert.equal(seg.endTime, times[20]);
  assert.deepEqual([seg.startFrame, seg.endFrame], [10, 20]);
  const media = await page.evaluate(() => document.querySelector('avseg-editor').value.media);
  assert.equal(media.frames, times.length - 1);
});

test('the filmstrip shows each slot\'s frame and follows the zoom', async (t) => {
  const page = await load(t, 'frames-cfr.webm');
  const read = () => page.evaluate(() => {
    const el = document.querySelector('avseg-editor');
    const canvas = el.shadowRoot.querySelector('.filmstrip');
    const ctx = canvas.getContext('2d');
    const thumb = Math.max(16, Math.round(canvas.height * (320 / 180)));
    const view = el.view;
    const row = ctx.getImageData(0, Math.floor(canvas.height / 2), canvas.width, 1).data;
    const slots = [];
    for (let x = 0; x + thumb <= canvas.width; x += thumb) {
      const t = view.start + ((x + thumb / 2) / canvas.width) * (view.end - view.start);
      let n = 0;
      for (let b = 0; b < 10; b++) if (row[Math.floor(x + (b + 0.5) * thumb / 10) * 4 + 1] > 128) n |= 1 << b;
      slots.push({ expected: el.frameAt(t), shown: n });
    }
    return { slots, label: canvas.getAttribute('aria-label') };
  });
  const settle = async () => {
    const deadline = Date.now() + 15000;
    let last;
    while (Date.now() < deadline) {
      last = await read();
      if (last.slots.length && last.slots.every((s) => s.shown === s.expected)) return last;
      await page.waitForTimeout(200);
    }
    return last;
  };
  let strip = await settle();
  assert.ok(strip.slots.length >= 8, `${strip.slots.length} thumbnails`);
  assert.deepEqual(strip.slots.map((s) => s.shown), strip.slots.map((s) => s.expected), 'every thumbnail is its slot\'s frame');
  const [, first, last] = /^Filmstrip: frames (\d+) to (\d+) of 60$/.exec(strip.label).map(Number);
  assert.equal(first, strip.slots[0].expected + 1);
  assert.ok(last >= strip.slots.at(-1).expected + 1, strip.label);
  await page.evaluate(() => document.querySelector('avseg-editor').zoomTo(1.0, 1.6));
  strip = await settle();
  assert.deepEqual(strip.slots.map((s) => s.shown), strip.slots.map((s) => s.expected), 'after zooming in');
  assert.ok(strip.slots[0].expected >= 24 && strip.slots.at(-1).expected <= 40, JSON.stringify(strip.slots));
});

test('a video without sound: its frames and the timeline, and the waveform band says there is no audio', async (t) => {
  const truth = await probe('frames-silent.webm');
  const page = await load(t, 'frames-silent.webm');
  const out = await page.evaluate(() => {
    const el = document.querySelector('avseg-editor');
    const { times, count } = el.frames;
    const track = el.addTrack('Dog', 'Dog #1');
    el.addSegment(track, times[3] + 0.01, times[9]);
    return {
      count, end: times[count], duration: el.duration, times,
      label: el.shadowRoot.querySelector('.wave').getAttribute('aria-label'),
      error: el.shadowRoot.querySelector('.error').hidden,
      seg: el.value.segments[0], rate: el.value.timebase.rate,
    };
  });
  assert.equal(out.count, truth.count);
  assert.equal(out.duration, out.end);
  assert.equal(out.label, 'Waveform: this video has no audio track');
  assert.equal(out.error, true, 'not shown as an error');
  assert.equal(out.rate, 1000, 'positions in the video\'s own time base');
  assert.equal(out.seg.startTime, out.times[3]);
  assert.equal(out.seg.endTime, out.times[9]);
  await showFrame(page, 20, 'seek');
  assert.equal(await readShown(page), 20);
});

test('the spectrogram draws tones at their frequency rows, aligned with the waveform, and silence as the floor', async (t) => {
  const page = await load(t, 'tones.wav');
  const out = await page.evaluate(() => new Promise((resolve) => {
    const el = document.querySelector('avseg-editor');
    el.addEventListener('avseg-spectrogram', (e) => {
      if (!e.detail.fromSamples) return;
      const canvas = el.shadowRoot.querySelector('.spectrogram canvas');
      const { width, height } = canvas;
      const data = canvas.getContext('2d').getImageData(0, 0, width, height).data;
      // The brightest row in a column (sum of R, G, B), and how much the column varies.
      const column = (x) => {
        let best = 0;
        let bestY = -1;
        let min = Infinity;
        for (let y = 0; y < height; y++) {
          const i = (y * width + x) * 4;
          const v = data[i] + data[i + 1] + data[i + 2];
          if (v > best) { best = v; bestY = y; }
          min = Math.min(min, v);
        }
        return { y: bestY, spread: best - min };
      };
      resolve({ width, height, a: column(Math.floor(width * 0.16)), b: column(Math.floor(width * 0.5)), silence: column(Math.floor(width * 0.84)),
        label: el.shadowRoot.querySelector('.spectrogram').hidden, axis: el.shadowRoot.querySelector('.spectrogram').getAttribute('aria-label') });
    });
    el.spectrogramOptions = { scale: 'linear', windowSize: 4096, colorMap: 'grayscale' };
    el.spectrogram = true;
  }));
  assert.equal(out.label, false, 'shown');
  // Linear rows: 0 at the top is the Nyquist frequency (24 kHz), the bottom row 0 Hz.
  const row = (hz) => (1 - hz / 24000) * out.height;
  assert.ok(Math.abs(out.a.y - row(440)) <= 3, `440 Hz at row ${out.a.y}, expected about ${row(440)}`);
  assert.ok(Math.abs(out.b.y - row(3000)) <= 3, `3 kHz at row ${out.b.y}, expected about ${row(3000)}`);
  assert.equal(out.silence.spread, 0, 'digital silence is the floor colour everywhere');
  // The frequency axis is labelled; linear up to 24 kHz, the top label is 20 kHz.
  assert.equal(out.axis, 'Spectrogram (linear frequency scale, 20 kHz at the top)');
});

test('a large MP4 is read in place with a few Range requests, every frame indexed', async (t) => {
  const page = await harness.open(t, { width: 1000, height: 900 });
  const name = 'big-video.mp4';
  const { size } = await import('node:fs').then((fs) => fs.statSync(path.join(fixtures, name)));
  const before = harness.servers.requests.length;
  const url = harness.servers.media.url(`/${name}`);
  const out = await page.evaluate((src) => new Promise((resolve, reject) => {
    const el = document.querySelector('avseg-editor');
    let progress = null;
    el.addEventListener('progress', (e) => { progress = e.detail; });
    el.addEventListener('ready', (e) => resolve({ ready: e.detail, progress, frames: el.frames.count, duration: el.duration }), { once: true });
    el.addEventListener('error', (e) => { if (e.detail.fatal) reject(new Error(e.detail.message)); });
    el.setAttribute('range-threshold', '0');
    el.src = src;
  }), url);
  const requests = harness.servers.requests.slice(before).filter((r) => r.path === `/${name}`);
  const ranged = requests.filter((r) => r.status === 206);
  // Asked for from its first byte on (the open-ended request that tells a server answering ranges),
  // never downloaded whole (the browser's own <video> asks for ranges too). This server answers a
  // multi-range request with the whole file, as S3 does: the reader then asks range by range, and
  // fetches across the pictures between runs of sound closer than 64 KiB (a request per run would
  // cost a round trip each). A server answering multi-range requests gets asked for the sound and
  // the tables only (load-flow.test.mjs).
  assert.equal(requests.filter((r) => r.status === 200 && !r.range?.includes(',')).length, 0, JSON.stringify(requests.slice(0, 3)));
  assert.ok(requests.some((r) => r.range === 'bytes=0-'));
  const sent = requests.reduce((n, r) => n + (r.sent ?? 0), 0);
  assert.equal(out.frames, 500, 'every frame indexed');
  assert.ok(Math.abs(out.duration - 20) < 0.05, `duration ${out.duration}`);
  assert.equal(out.progress.totalBytes, size);
  assert.ok(ranged.length > 1, `${ranged.length} range requests`);
  // The browser's own <video> also reads the file: only the worker's ranges are counted here.
  assert.ok(out.progress.rangeRequests <= 20, `${out.progress.rangeRequests} requests by the worker`);
  assert.ok(out.progress.syncRequests <= 3, `${out.progress.syncRequests} synchronous`);
  assert.ok(out.progress.loadedBytes <= size, `the worker fetched ${out.progress.loadedBytes} of ${size} bytes`);
  assert.ok(sent > 0);

  // The waveform is the one the whole-file path draws.
  const again = await harness.open(t, { width: 1000, height: 900 });
  const peaks = async (p, threshold) => p.evaluate(([src, threshold]) => new Promise((resolve) => {
    const el = document.querySelector('avseg-editor');
    el.style.width = '900px';
    el.addEventListener('ready', () => {
      el.addEventListener('avseg-rendered', () => {
        const c = el.shadowRoot.querySelector('.wave canvas');
        resolve(Array.from(c.getContext('2d').getImageData(0, 0, c.width, c.height).data.filter((_, i) => i % 4 === 2)));
      }, { once: true });
      el.zoomTo(0, 20);
    }, { once: true });
    if (threshold !== null) el.setAttribute('range-threshold', threshold);
    el.src = src;
  }), [url, threshold]);
  const [inPlace, whole] = await Promise.all([peaks(again, '0'), peaks(await harness.open(t, { width: 1000, height: 900 }), null)]);
  assert.deepEqual(inPlace, whole);
});

test('precomputed peaks draw the whole waveform before the file is decoded; a broken peaks file only warns', async (t) => {
  // Peaks made by the CLI in BBC audiowaveform's format, served beside the media.
  const { execFile } = await import('node:child_process');
  const { promisify } = await import('node:util');
  const cli = path.join(root, 'build', 'avseg-cli');
  // Into a dot-folder of the media root: the fixtures' own listing ignores it.
  const { mkdir, writeFile } = await import('node:fs/promises');
  await mkdir(path.join(fixtures, '.test-peaks'), { recursive: true });
  await promisify(execFile)(cli, ['audiowaveform', path.join(fixtures, 'sample.wav'), path.join(fixtures, '.test-peaks/sample.dat'), '--bits', '8']);
  await writeFile(path.join(fixtures, '.test-peaks/broken.dat'), Buffer.from([2, 0, 0, 0, 1, 0, 0, 0]));
  const page = await harness.open(t, { width: 1000, height: 900 });
  const out = await page.evaluate(([src, peaks]) => new Promise((resolve, reject) => {
    const el = document.querySelector('avseg-editor');
    // Columns of the last tenth of the view with any non-background pixel.
    const ink = () => {
      const c = el.shadowRoot.querySelector('.wave canvas');
      const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
      let columns = 0;
      for (let x = Math.floor(c.width * 0.9); x < c.width; x++) {
        for (let y = 0; y < c.height; y++) {
          if (d[(y * c.width + x) * 4] < 200) { columns++; break; }
        }
      }
      return columns;
    };
    let seen = null;
    el.addEventListener('peaks', (e) => {
      el.addEventListener('avseg-rendered', () => { seen = { duration: el.duration, ink: ink(), ready: el.ready, peaks: e.detail }; }, { once: true });
    });
    el.addEventListener('ready', () => setTimeout(() => resolve({ seen, final: ink(), duration: el.duration }), 300), { once: true });
    el.addEventListener('error', (e) => { if (e.detail.fatal) reject(new Error(e.detail.message)); });
    el.setAttribute('peaks', peaks);
    el.src = src;
  }), [harness.servers.media.url('/slow/sample.wav'), harness.servers.media.url('/.test-peaks/sample.dat')]);
  assert.ok(out.seen, 'a frame was drawn from the peaks');
  assert.equal(out.seen.ready, false, 'before the file was decoded');
  assert.ok(Math.abs(out.seen.duration - out.duration) < 0.01, `the whole length at once: ${out.seen.duration} s of ${out.duration} s`);
  assert.ok(out.seen.ink > 0 && Math.abs(out.seen.ink - out.final) <= Math.max(3, out.final * 0.1), `the end of the file drawn early (${out.seen.ink} columns) as decoding draws it (${out.final})`);

  const broken = await harness.open(t, { width: 1000, height: 900 });
  // The warning and `ready` come in either order: the file decodes while the peaks are fetched.
  const warned = await broken.evaluate(([src, peaks]) => new Promise((resolve) => {
    const el = document.querySelector('avseg-editor');
    const errors = [];
    let ready = false;
    const done = () => { if (ready && errors.length) setTimeout(() => resolve(errors), 200); };
    el.addEventListener('error', (e) => { errors.push(e.detail); done(); });
    el.addEventListener('ready', () => { ready = true; done(); }, { once: true });
    el.setAttribute('peaks', peaks);
    el.src = src;
  }), [harness.servers.media.url('/sample.mp3'), harness.servers.media.url('/.test-peaks/broken.dat')]);
  assert.equal(warned.length, 1);
  assert.equal(warned[0].code, 'invalid-peaks');
  assert.equal(warned[0].fatal, false);
  assert.match(warned[0].message, /could not be used: the file is too short for a header; the waveform comes from decoding/);
});
