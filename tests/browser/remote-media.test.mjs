// SPDX-License-Identifier: MIT
// Long remote media in headless Chromium, from the synthesising server (tests/lib/media-server.mjs):
// a 60-minute 48 kHz stereo WAV (691 MB, which once failed in FileReaderSync) and multi-hour WAV
// and MP3 load to `ready` with Range support, without it (streamed), and from S3 behind Ground
// Truth's CORS rule (no Content-Range exposed, no multi-range); the waveform is checked at both
// ends (the files are a 1 kHz tone, louder in their first minute and quieter in their last).
// Servers that lie about ranges are named in the element's message, and nothing annotated is lost.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { strictCsp } from '../../web/demo/page.mjs';
import { startElementPage } from './harness.mjs';
import { startMediaServer } from '../lib/media-server.mjs';
import { LEVELS } from '../lib/synth-media.mjs';

const HOUR_WAV = 3600;             // 691 MB at 48 kHz stereo
const LONG_WAV = 3 * 3600;         // 173 MB at 8 kHz mono (48 kHz stereo, 2.07 GB, takes 15-20 s to read and decode)
const LONG_MP3 = 3 * 3600;         // 22 MB at 16 kbit/s, 8 kHz mono: decoding every frame is what a multi-hour MP3 costs
const LIAR_WAV = 7 * 60;           // 81 MB: more than the reader's 64 MiB cache, so some views are read again
const TOLERANCE = 0.1;             // of full scale, for the drawn level (an MP3 at 16 kbit/s peaks about 5% low)

const files = {
  '/hour.wav': { synth: 'wav', seconds: HOUR_WAV },
  '/long.wav': { synth: 'wav', seconds: LONG_WAV, sampleRate: 8000, channels: 1 },
  '/long.mp3': { synth: 'mp3-loop', seconds: LONG_MP3, sampleRate: 8000, channels: 1, kbps: 16 },
};
let ranged, streamed, s3, liar, hiddenLiar, env;

before(async () => {
  ranged = await startMediaServer({ files });
  streamed = await startMediaServer({ files, ranges: false });
  // S3 with Ground Truth's usual CORS rule: only Access-Control-Allow-Origin, no AllowedHeaders.
  s3 = await startMediaServer({ files, exposeHeaders: [], multiRange: false });
  // A file per test: drafts are kept per media URL, and each test starts without one.
  const liars = Object.fromEntries(['content-range', 'ignore-range', 'short', 'first'].map((n) => [`/${n}.wav`, { synth: 'wav', seconds: LIAR_WAV }]));
  liar = await startMediaServer({ files: liars });
  hiddenLiar = await startMediaServer({ files: { '/short.wav': { synth: 'wav', seconds: LIAR_WAV } }, exposeHeaders: [], multiRange: false });
  const extra = [ranged, streamed, s3, liar, hiddenLiar].map((s) => s.origin).join(' ');
  env = await startElementPage({ title: 'avseg remote media', csp: (o) => strictCsp({ ...o, media: `${o.media} ${extra}` }) });
});
after(async () => {
  await env?.close();
  await Promise.all([ranged, streamed, s3, liar, hiddenLiar].map((s) => s?.close()));
});

const HOST_DOC = {
  format: 'avseg.annotation',
  version: 1,
  tracks: [{ id: 't1', category: 'speaker', tag: 'A' }],
  segments: [{ id: 's1', track: 't1', startTime: 1, endTime: 2.5, fields: { text: 'host' } }],
};

/**
 * A tab whose element loads `url` with a host document in place; resolves when `ready` comes,
 * with its detail, the non-fatal errors seen, the last progress and the time taken. A fatal error
 * rejects with its message.
 */
async function loadToReady(t, url) {
  const page = await env.open(t, { width: 1000, height: 700 });
  const out = await page.evaluate(([src, doc]) => new Promise((resolve, reject) => {
    const el = document.querySelector('avseg-editor');
    const errors = [];
    let progress = null;
    const started = performance.now();
    el.addEventListener('progress', (e) => { progress = e.detail; });
    el.addEventListener('error', (e) => {
      if (e.detail.fatal) reject(new Error(`${e.detail.code}: ${e.detail.message}`));
      else errors.push(e.detail);
    });
    el.addEventListener('ready', (e) => resolve({ ready: e.detail, errors, progress, ms: performance.now() - started }), { once: true });
    window.__errors = errors;
    el.config = { categories: { speaker: ['A', 'B'] }, segmentFields: [{ name: 'text', type: 'text' }] };
    el.value = doc;
    el.src = src;
  }), [url, HOST_DOC]);
  t.diagnostic(`${url.replace(/^http:\/\/[^/]+/, '')}: ready in ${Math.round(out.ms)} ms, ${out.progress?.loadedBytes ?? '?'} bytes, `
    + `${out.progress?.rangeRequests ?? '?'} requests (${out.progress?.syncRequests ?? '?'} synchronous)`);
  return { page, ...out };
}

/**
 * Shows [start, end] and waits until drawing settles (no frame for 150 ms; with `samples`, from
 * the first frame drawn from samples on); returns the levels the waveform is drawn at, one per
 * channel (the 98th percentile over columns of the ink's reach from the band's zero line, as a
 * fraction of full scale) and whether the last frame came from samples.
 */
function drawnLevel(page, start, end, { samples = false } = {}) {
  return page.evaluate(([start, end, samples]) => new Promise((resolve) => {
    const el = document.querySelector('avseg-editor');
    let fromSamples = null;
    let timer = null;
    const measure = () => {
      el.removeEventListener('avseg-rendered', onFrame);
      const canvas = el.shadowRoot.querySelector('.wave canvas');
      const { width, height } = canvas;
      const d = canvas.getContext('2d').getImageData(0, 0, width, height).data;
      const bg = d.slice(0, 4).join();
      // One band per channel (WaveformRenderer): the reach of the ink from each band's zero line.
      const levels = [];
      for (let c = 0; c < el.channels; c++) {
        const top = Math.floor((height * c) / el.channels);
        const bandHeight = Math.floor((height * (c + 1)) / el.channels) - top;
        const zero = top + 0.5 * (bandHeight - 1);
        const half = 0.5 * (bandHeight - 1);
        const reach = [];
        for (let x = 0; x < width; x++) {
          let r = 0;
          for (let y = top; y < top + bandHeight; y++) {
            const i = (y * width + x) * 4;
            if (Math.abs(y - zero) <= 1 || `${d[i]},${d[i + 1]},${d[i + 2]},${d[i + 3]}` === bg) continue;
            r = Math.max(r, Math.abs(y - zero) / half);
          }
          reach.push(r);
        }
        reach.sort((a, b) => a - b);
        levels.push(reach[Math.floor(0.98 * (reach.length - 1))]);
      }
      resolve({ levels, fromSamples, view: el.view });
    };
    // A view that needs samples may be painted from peaks first: then wait for its samples.
    const onFrame = (e) => {
      fromSamples = e.detail.fromSamples;
      if (samples && !fromSamples) return;
      clearTimeout(timer);
      timer = setTimeout(measure, 150);
    };
    el.addEventListener('avseg-rendered', onFrame);
    timer = setTimeout(measure, samples ? 10000 : 3000);
    el.zoomTo(start, end);
  }), [start, end, samples]);
}

function assertLevel(got, want, where) {
  assert.ok(got.levels.length > 0 && got.levels.every((l) => Math.abs(l - want) <= TOLERANCE),
    `${where}: drawn at ${got.levels.map((l) => l.toFixed(3)).join(', ')} of full scale (one per channel), expected ${want} `
    + `(${got.fromSamples === null ? 'no frame came' : `last frame from ${got.fromSamples ? 'samples' : 'peaks'}`}, view ${JSON.stringify(got.view)})`);
}

/** The waveform's first and last minute (and its middle) drawn at the levels the file has there. */
async function assertEnds(page, duration) {
  assertLevel(await drawnLevel(page, 0, 30), LEVELS.first, 'first 30 s');
  assertLevel(await drawnLevel(page, duration / 2 - 15, duration / 2 + 15), LEVELS.middle, 'middle');
  assertLevel(await drawnLevel(page, duration - 30, duration), LEVELS.last, 'last 30 s');
}

/** A sample-level view at the very end: drawn from samples read again, at the last minute's level. */
async function assertSamplesAtEnd(page, duration) {
  const end = await drawnLevel(page, duration - 0.01, duration, { samples: true });
  assert.equal(end.fromSamples, true, 'the last 10 ms are drawn from samples');
  assertLevel(end, LEVELS.last, 'last 10 ms, from samples');
  const start = await drawnLevel(page, 0.5, 0.51, { samples: true });
  assert.equal(start.fromSamples, true, '10 ms at 0.5 s are drawn from samples');
  assertLevel(start, LEVELS.first, '10 ms at 0.5 s, from samples');
}

const cases = [
  ['a 60-minute 48 kHz stereo WAV (691 MB)', '/hour.wav', HOUR_WAV],
  ['a 3-hour 8 kHz mono WAV', '/long.wav', LONG_WAV],
  ['a 3-hour MP3', '/long.mp3', LONG_MP3],
];

for (const [what, name, seconds] of cases) {
  test(`${what} with Range support: ready, the waveform right at both ends and sample-level views at both ends`, async (t) => {
    const out = await loadToReady(t, ranged.url(name));
    assert.ok(Math.abs(out.ready.duration - seconds) < 0.05, `duration ${out.ready.duration}`);
    assert.equal(out.ready.seekable, true);
    assert.deepEqual(out.errors, []);
    await assertEnds(out.page, out.ready.duration);
    await assertSamplesAtEnd(out.page, out.ready.duration);
  });
}

// The 60-minute WAV and the MP3 are read from S3 as from the honest server (10 and 5 s more);
// the 3-hour WAV covers S3's answers: the size from Content-Length, one range per request.
for (const [what, name, seconds] of cases.slice(1, 2)) {
  test(`${what} from S3 behind Ground Truth's CORS rule (no Content-Range exposed, no multi-range): ready, right at both ends`, async (t) => {
    const out = await loadToReady(t, s3.url(name));
    assert.ok(Math.abs(out.ready.duration - seconds) < 0.05, `duration ${out.ready.duration}`);
    assert.equal(out.ready.seekable, true);
    assert.deepEqual(out.errors, []);
    await assertEnds(out.page, out.ready.duration);
    await assertSamplesAtEnd(out.page, out.ready.duration);
  });
}

test('a 60-minute WAV from a server without Range support streams to ready; a sample-level view says samples are unavailable', async (t) => {
  const out = await loadToReady(t, streamed.url('/hour.wav'));
  assert.ok(Math.abs(out.ready.duration - HOUR_WAV) < 0.05, `duration ${out.ready.duration}`);
  assert.equal(out.ready.seekable, false);
  await assertEnds(out.page, out.ready.duration);
  const fine = await drawnLevel(out.page, HOUR_WAV - 0.01, HOUR_WAV);
  assert.equal(fine.fromSamples, false);
  const errors = await out.page.evaluate(() => window.__errors);
  assert.deepEqual(errors.map((e) => [e.code, e.fatal]), [['samples-unavailable', false]], JSON.stringify(errors));
  assert.match(errors[0].message, /does not answer Range requests/);
  const shown = await out.page.evaluate(() => document.querySelector('avseg-editor').shadowRoot.querySelector('.error').textContent);
  assert.ok(shown.includes(errors[0].message), 'the element shows it');
});

test('a 3-hour MP3 from a server without Range support streams to ready, right at both ends', async (t) => {
  const out = await loadToReady(t, streamed.url('/long.mp3'));
  assert.ok(Math.abs(out.ready.duration - LONG_MP3) < 0.05, `duration ${out.ready.duration}`);
  assert.deepEqual(out.errors, []);
  await assertEnds(out.page, out.ready.duration);
  // 22 MB: small enough to keep, so sample-level views work.
  await assertSamplesAtEnd(out.page, out.ready.duration);
});

/**
 * Loads the liar's WAV honestly to ready, adds a segment as an annotator would, then has the
 * server lie and shows 10 ms here and there until a view is read again. Returns the error the
 * element gave, what it shows, and the annotations after it.
 */
async function lieAfterReady(t, lie, liar) {
  liar.configure({ lie: null });
  const out = await loadToReady(t, liar.url(`/${lie}.wav`));
  await assertEnds(out.page, out.ready.duration);
  await out.page.evaluate(() => {
    const el = document.querySelector('avseg-editor');
    const track = el.value.tracks[0].id;
    el.addSegment(track, 200, 201.5);
  });
  liar.configure({ lie });
  const before = liar.requests.length;
  // Sample-level views here and there until one needs bytes the reader no longer holds (which
  // are cached, by the reader or as decoded samples, is theirs to decide).
  const result = await out.page.evaluate((seconds) => new Promise((resolve) => {
    const el = document.querySelector('avseg-editor');
    let done = false;
    el.addEventListener('error', (e) => {
      if (e.detail.code === 'playback-failed' || done) return;
      done = true;
      setTimeout(() => resolve({
        error: e.detail, shown: el.shadowRoot.querySelector('.error').textContent,
        segments: el.value.segments.map((s) => [s.startTime, s.endTime]),
      }), 200);
    });
    const places = [0.5, 0.2, 0.35, 0.05, 0.65, 0.8, 0.95].map((f) => f * seconds);
    const next = () => {
      if (done) return;
      if (!places.length) {
        resolve({ timedOut: true });
        return;
      }
      const at = places.shift();
      el.zoomTo(at, at + 0.01);
      setTimeout(next, 700);
    };
    next();
  }), LIAR_WAV);
  liar.configure({ lie: null });
  t.diagnostic(`after the lie: ${JSON.stringify(result)}; asked: ${JSON.stringify(liar.requests.slice(before))}`);
  assert.ok(!result.timedOut, 'an error came');
  const lied = liar.requests.slice(before).find((r) => r.range);
  assert.ok(lied, 'the view was read again with a range');
  assert.ok(result.shown.includes(result.error.message), 'the element shows the message');
  assert.deepEqual(result.segments, [[1, 2.5], [200, 201.5]], 'the host\'s segment and the one added stay');
  // What was drawn stays: the whole file, and its last 30 s (from peaks if not from samples).
  const whole = await drawnLevel(out.page, 0, LIAR_WAV);
  assert.notEqual(whole.fromSamples, null, 'the whole file is drawn after the lie');
  assertLevel(await drawnLevel(out.page, LIAR_WAV - 30, LIAR_WAV), LEVELS.last, 'last 30 s after the lie');
  return { ...result, range: lied.range };
}

/** "bytes N-" of the first range the server was asked for after the lie began. */
const askedStart = (range) => `bytes ${/^bytes=(\d+)-/.exec(range)[1]}-`;

test('a server whose Content-Range names another start: the element says so, naming both, and keeps everything', async (t) => {
  const out = await lieAfterReady(t, 'content-range', liar);
  assert.match(out.error.message, /Content-Range "bytes \d+-\d+\/\d+": other bytes than asked for; nothing of that answer was used\.$/);
  assert.ok(out.error.message.includes(`a request for ${askedStart(out.range)}`), `${out.error.message} / ${out.range}`);
});

test('a server that ignores Range (200 with the whole file to a range): the element says so and keeps everything', async (t) => {
  const out = await lieAfterReady(t, 'ignore-range', liar);
  assert.ok(out.error.message.includes('the server answered HTTP 200 (the whole file, ignoring the Range header) to a request for bytes '), out.error.message);
});

test('a server that answers short: the element says so and keeps everything', async (t) => {
  const out = await lieAfterReady(t, 'short', liar);
  assert.match(out.error.message, /with Content-Range "bytes \d+-\d+\/\d+": other bytes than asked for/);
  assert.ok(out.error.message.includes(`a request for ${askedStart(out.range)}`), `${out.error.message} / ${out.range}`);
});

test('behind S3\'s CORS rule (Content-Range hidden), a short answer is caught by its length: the element says so and keeps everything', async (t) => {
  const out = await lieAfterReady(t, 'short', hiddenLiar);
  assert.match(out.error.message, /206 answer to a request for bytes \d+-\d+ has \d+ bytes, not \d+/);
  assert.ok(out.error.message.includes(`a request for ${askedStart(out.range)}`), `${out.error.message} / ${out.range}`);
});

test('a first answer from another start is refused before anything is decoded, naming both; the host\'s annotations stay', async (t) => {
  liar.configure({ lie: 'content-range' });
  t.after(() => liar.configure({ lie: null }));
  const page = await env.open(t, { width: 1000, height: 700 });
  const out = await page.evaluate(([src, doc]) => new Promise((resolve) => {
    const el = document.querySelector('avseg-editor');
    el.addEventListener('ready', () => resolve({ ready: true }), { once: true });
    el.addEventListener('error', (e) => {
      // The element's <video> fails on the same liar: that is playback's own warning.
      if (e.detail.code === 'playback-failed') return;
      setTimeout(() => resolve({ error: e.detail, shown: el.shadowRoot.querySelector('.error').textContent, segments: el.value.segments.length }), 100);
    });
    el.config = { categories: { speaker: ['A', 'B'] }, segmentFields: [{ name: 'text', type: 'text' }] };
    el.value = doc;
    el.src = src;
  }), [liar.url('/first.wav'), HOST_DOC]);
  assert.ok(out.error, JSON.stringify(out));
  assert.equal(out.error.fatal, true, JSON.stringify(out));
  assert.match(out.error.message, /^The media could not be read in place: the server answered a request for bytes 0- .*Content-Range "bytes 4096-/);
  assert.ok(out.shown.includes(out.error.message));
  assert.equal(out.segments, 1);
});
