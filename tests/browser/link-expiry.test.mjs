// SPDX-License-Identifier: MIT
// Presigned links expire while an annotator works (issue 11.1): in headless Chromium, media read
// in place from a real HTTP server that starts refusing with S3's 403 "Request has expired". The
// element says 'link-expired', keeps what is drawn and annotated, and refreshSource(freshUrl)
// resumes (a sample-level view, a load half done, one read synchronously, the <video>'s own
// playback); a URL of another file is refused and changes nothing. The local run's part is in local-run-expiry.test.mjs.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { startElementPage, root } from './harness.mjs';
import { collectConsole } from './browser.mjs';
import { strictCsp } from '../../web/demo/page.mjs';
import { startMediaServer } from '../lib/media-server.mjs';
import { synthWav } from '../lib/synth-media.mjs';
import { startS3Stub, stubEnv } from '../aws/s3-stub.mjs';

const MINUTES = 10;   // 48 kHz stereo: 115 MB, more than the reader's 64 MiB cache
let env, media, tmp;

/**
 * 200 s of PCM in a QuickTime file made by ffmpeg, whose 'wide' box after the moov declares 4 bytes:
 * FFmpeg reads on (it has the moov), the read plan gives up, so the worker reads it with
 * synchronous requests as the demuxer asks. The loudness swells and falls, so peaks tell where
 * they were decoded from.
 */
async function unplannedMov(dir) {
  const file = path.join(dir, 'unplanned.mov');
  await promisify(execFile)('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i',
    'aevalsrc=sin(440*2*PI*t)*(0.15+0.8*abs(sin(t*0.7))):s=48000:d=200,aformat=channel_layouts=stereo',
    '-c:a', 'pcm_s16le', '-movflags', '+faststart', file]);
  const bytes = await readFile(file);
  let at = 0;
  let damaged = false;
  for (let seenMoov = false; at + 8 <= bytes.length && !damaged;) {
    const size = bytes.readUInt32BE(at);
    const type = bytes.toString('latin1', at + 4, at + 8);
    if (seenMoov && (type === 'wide' || type === 'free') && size === 8) {
      bytes.writeUInt32BE(4, at);
      damaged = true;
    }
    seenMoov ||= type === 'moov';
    at += size;
  }
  assert.ok(damaged, 'ffmpeg wrote an 8-byte box between moov and mdat');
  await writeFile(file, bytes);
  return file;
}

before(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'avseg-link-expiry-'));
  media = await startMediaServer({
    files: {
      '/unplanned.mov': { path: await unplannedMov(tmp) },
      '/long.wav': { synth: 'wav', seconds: MINUTES * 60 },
      // The same size and header, other samples: only its bytes tell it from long.wav.
      '/other.wav': { synth: 'wav', seconds: MINUTES * 60, levels: { first: 0.3, middle: 0.5, last: 0.25 } },
      // Small enough to stay cached whole once loaded: only the <video> reads it again.
      '/short.wav': { synth: 'wav', seconds: 120 },
    },
  });
  env = await startElementPage({ csp: (o) => strictCsp({ ...o, media: `${o.media} ${media.origin}` }) });
});

after(async () => {
  await env?.close();
  await media?.close();
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

/** What the page's element said and drew, gathered in the page. */
function watch(page) {
  return page.evaluate(() => {
    const el = document.querySelector('avseg-editor');
    window.errors = [];
    window.renders = [];
    el.addEventListener('error', (e) => window.errors.push(e.detail));
    el.addEventListener('avseg-rendered', (e) => window.renders.push({ ...e.detail, view: el.view }));
  });
}

async function load(page, url) {
  await page.evaluate((src) => new Promise((resolve, reject) => {
    const el = document.querySelector('avseg-editor');
    el.addEventListener('ready', resolve, { once: true });
    el.addEventListener('error', (e) => { if (e.detail.fatal) reject(new Error(e.detail.message)); });
    el.config = { categories: { speaker: ['A', 'B'] }, segmentFields: [{ name: 'text', label: 'Text', type: 'text' }] };
    el.src = src;
  }), url);
}

/** A track and two segments with text: what must survive. */
const annotate = (page) => page.evaluate(() => {
  const el = document.querySelector('avseg-editor');
  const track = el.addTrack('speaker', 'A');
  el.addSegment(track, 1, 2.5, { text: 'first words' });
  const late = el.addSegment(track, 250, 260, { text: 'later words' });
  el.updateSegment(late, { end: 262 });
  return JSON.stringify(el.value);
});

const state = (page) => page.evaluate(() => {
  const el = document.querySelector('avseg-editor');
  const box = el.shadowRoot.querySelector('.error');
  const ink = (canvas) => {
    const { data } = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height);
    let n = 0;
    for (let i = 0; i < data.length; i += 4) if (data[i] < 200) n++; // the waveform's blue on white
    return n;
  };
  return {
    value: JSON.stringify(el.value), src: el.src, ready: el.ready,
    alert: box.hidden ? null : box.textContent,
    waveInk: ink(el.shadowRoot.querySelector('.wave canvas')),
    overviewInk: ink(el.shadowRoot.querySelector('.overview canvas')),
    video: { src: el.shadowRoot.querySelector('video').src, time: el.shadowRoot.querySelector('video').currentTime, paused: el.shadowRoot.querySelector('video').paused },
  };
});

const waitForError = (page, code) => page.waitForFunction((c) => window.errors.some((e) => e.code === c), code, { timeout: 20000 });

test('the link expires during a sample-level view: link-expired, everything kept; another file is refused; the fresh link draws the samples', async (t) => {
  const page = await env.open(t, { width: 1000, height: 900 });
  await watch(page);
  const url = media.url('/long.wav');
  await load(page, url);
  const annotated = await annotate(page);
  await page.evaluate(() => { document.querySelector('avseg-editor').currentTime = 300; });
  await page.waitForFunction(() => window.renders.length > 0);
  const before = await state(page);
  assert.ok(before.waveInk > 1000 && before.overviewInk > 1000, 'the waveform is drawn');

  // From now on every read is refused as S3 refuses an expired presigned URL.
  media.reset();
  media.configure({ expireAfterRequests: 0 });
  // A view at sample level near the start, whose bytes left the cache while the rest loaded.
  await page.evaluate(() => { window.renders.length = 0; document.querySelector('avseg-editor').zoomTo(5, 5.02); });
  await waitForError(page, 'link-expired');
  assert.ok(media.requests.some((r) => r.status === 403), 'the server refused a read');
  const expired = await page.evaluate(() => window.errors.filter((e) => e.code === 'link-expired'));
  assert.equal(expired.length, 1, 'said once');
  assert.equal(expired[0].fatal, false);
  assert.match(expired[0].message, /link to the media has expired \(the media server answered HTTP 403/);
  assert.match(expired[0].message, /Everything drawn and annotated is kept.*Reload or reopen the task to get a fresh link/);
  const during = await state(page);
  assert.equal(during.value, annotated, 'the annotations are untouched');
  assert.equal(during.alert, expired[0].message, 'the element shows it');
  assert.ok(during.ready);
  assert.equal(during.overviewInk, before.overviewInk, 'the overview stays as drawn');
  assert.ok(during.waveInk > 1000, 'the view is drawn from what was decoded (peaks)');
  assert.ok(!(await page.evaluate(() => window.renders.some((r) => r.fromSamples))), 'no samples could be read');

  // Links work again; a URL of another file (same size and header) is refused and changes nothing.
  media.configure({ expireAfterRequests: Infinity });
  const refused = await page.evaluate((other) => document.querySelector('avseg-editor').refreshSource(other).then(() => null, (e) => ({ code: e.code, message: e.message })), media.url('/other.wav'));
  assert.equal(refused?.code, 'range-refused', JSON.stringify(refused));
  assert.match(refused.message, /different file/);
  const after = await state(page);
  assert.equal(after.src, url);
  assert.equal(after.video.src, url);
  assert.equal(after.value, annotated);
  assert.equal(after.alert, expired[0].message, 'still waiting for a good link');

  // The same file, signed again: the view draws its samples from the new URL.
  const fresh = `${url}?X-Amz-Signature=fresh`;
  media.reset();
  await page.evaluate((u) => { window.renders.length = 0; return document.querySelector('avseg-editor').refreshSource(u); }, fresh);
  await page.waitForFunction(() => window.renders.some((r) => r.fromSamples && r.view.start < 5.01 && r.view.end > 5.01), undefined, { timeout: 20000 }).catch(async (err) => {
    console.log(JSON.stringify({ renders: await page.evaluate(() => window.renders), errors: await page.evaluate(() => window.errors), requests: media.requests.slice(-20) }));
    throw err;
  });
  assert.ok(media.requests.some((r) => r.path === '/long.wav?X-Amz-Signature=fresh' && r.status === 206), 'read from the fresh URL');
  // The worker's reads (the <video> may still ask its old src until the fresh one is given to it).
  const old = media.requests.filter((r) => r.path === '/long.wav' && r.dest !== 'video');
  assert.ok(!old.length, `never again from the old one: ${JSON.stringify(old)}`);
  const resumed = await state(page);
  assert.equal(resumed.src, fresh);
  assert.equal(resumed.alert, null, 'the message is gone');
  assert.equal(resumed.value, annotated);
  // The <video> moved to the fresh URL where it was, still paused.
  await page.waitForFunction(() => document.querySelector('avseg-editor').shadowRoot.querySelector('video').readyState >= 1);
  const video = (await state(page)).video;
  assert.equal(video.src, fresh);
  assert.ok(Math.abs(video.time - 300) < 0.01, `the player is at ${video.time}`);
  assert.equal(video.paused, true);
  // The undo history is the same: the last edit undoes.
  const undone = await page.evaluate(() => {
    const el = document.querySelector('avseg-editor');
    el.undo();
    return el.value.segments.map((s) => s.end);
  });
  assert.ok(undone.includes(260 * 48000), `undo restored the end before the edit (positions at 48 kHz): ${undone}`);
});

test('the <video>\'s own link expires: said as link-expired, not as a playback failure; the fresh link plays on from where it was', async (t) => {
  const page = await env.open(t, { width: 1000, height: 900 });
  await watch(page);
  const url = media.url('/short.wav');
  await load(page, url);
  await page.evaluate(() => new Promise((resolve) => {
    const el = document.querySelector('avseg-editor');
    const v = el.shadowRoot.querySelector('video');
    el.playbackRate = 1.5;
    v.addEventListener('seeked', resolve, { once: true });
    el.currentTime = 10;
  }));
  media.reset();
  media.configure({ expireAfterRequests: 0 });
  // Far from what the player has buffered: it must read again, and is refused.
  await page.evaluate(() => {
    const el = document.querySelector('avseg-editor');
    el.currentTime = 100;
    el.play().catch(() => {});
  });
  await waitForError(page, 'link-expired');
  const said = await page.evaluate(() => window.errors);
  assert.deepEqual(said.map((e) => e.code), ['link-expired'], 'no playback-failed');
  assert.match(said[0].message, /HTTP 403 for playback/);
  assert.ok(media.requests.some((r) => r.range === 'bytes=0-0' && r.status === 403), 'the player\'s link was asked');

  media.configure({ expireAfterRequests: Infinity });
  const fresh = `${url}?X-Amz-Signature=again`;
  await page.evaluate((u) => document.querySelector('avseg-editor').refreshSource(u), fresh);
  await page.waitForFunction(() => {
    const v = document.querySelector('avseg-editor').shadowRoot.querySelector('video');
    return !v.paused && v.currentTime > 100.2;
  }, undefined, { timeout: 15000 });
  const v = await page.evaluate(() => {
    const el = document.querySelector('avseg-editor');
    const video = el.shadowRoot.querySelector('video');
    return { src: video.src, rate: video.playbackRate, time: video.currentTime, error: video.error };
  });
  assert.equal(v.src, fresh);
  assert.equal(v.rate, 1.5, 'the rate is kept');
  assert.ok(v.time < 110, `it went on from 100 s, at ${v.time}`);
  assert.equal(v.error, null);
  await page.evaluate(() => document.querySelector('avseg-editor').pause());
});

test('the link expires mid-load: the load waits with link-expired, and the fresh link takes it to ready', async (t) => {
  const page = await env.open(t, { width: 1000, height: 900 });
  await watch(page);
  const url = media.url('/long.wav');
  media.reset();
  // Every answer breaks off halfway (paced, so that it is still on its way below).
  media.configure({ lie: 'truncate', lieAfterRequests: 0, bytesPerSecond: 40e6 });
  t.after(() => media.configure({ lie: null, bytesPerSecond: 0, expireAfterRequests: Infinity }));
  const ready = page.evaluate((src) => new Promise((resolve, reject) => {
    const el = document.querySelector('avseg-editor');
    el.addEventListener('ready', () => resolve(el.duration), { once: true });
    el.addEventListener('progress', (e) => { window.lastProgress = e.detail; });
    el.addEventListener('error', (e) => { if (e.detail.fatal) reject(new Error(e.detail.message)); });
    el.config = { categories: { speaker: ['A', 'B'] } };
    el.src = src;
  }), url);
  // Once the load is under way the link expires: the read that goes on from the break is refused.
  await page.waitForFunction(() => window.lastProgress?.decodedSeconds > 0);
  media.reset();
  media.configure({ expireAfterRequests: 0 });
  await waitForError(page, 'link-expired');
  const paused = await page.evaluate(() => {
    const el = document.querySelector('avseg-editor');
    return { ready: el.ready, decoded: window.lastProgress.decodedSeconds, status: el.shadowRoot.querySelector('.status').textContent };
  });
  assert.equal(paused.ready, false);
  assert.match(paused.status, /paused: the link to the media expired/);

  assert.ok(paused.decoded < MINUTES * 60 * 0.9, `it stopped part way: ${paused.decoded} s decoded`);
  media.configure({ lie: null, bytesPerSecond: 0, expireAfterRequests: Infinity });
  const fresh = `${url}?X-Amz-Signature=mid-load`;
  media.reset();
  await page.evaluate((u) => document.querySelector('avseg-editor').refreshSource(u), fresh);
  const duration = await ready;
  assert.ok(Math.abs(duration - MINUTES * 60) < 0.01, `the whole file decoded: ${duration} s`);
  assert.ok(media.requests.length > 0 && media.requests.every((r) => r.path.endsWith('?X-Amz-Signature=mid-load')), 'the rest came from the fresh URL');
});

/** A digest of the main waveform's pixels at each view [start, end] (seconds), drawn from peaks. */
const drawnPeaks = (page, views) => page.evaluate(async (spans) => {
  const el = document.querySelector('avseg-editor');
  const canvas = el.shadowRoot.querySelector('.wave canvas');
  const frame = () => new Promise((resolve) => { requestAnimationFrame(() => requestAnimationFrame(resolve)); });
  const out = [];
  for (const [start, end] of spans) {
    // A view the element shows already is not drawn again.
    const drawn = new Promise((resolve) => {
      el.addEventListener('avseg-rendered', resolve, { once: true });
      setTimeout(resolve, 1500);
    });
    el.zoomTo(start, end);
    await drawn;
    await frame();
    const { data } = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height);
    let hash = 2166136261;
    let ink = 0;
    for (let i = 0; i < data.length; i++) hash = Math.imul(hash ^ data[i], 16777619) >>> 0;
    for (let i = 0; i < data.length; i += 4) if (data[i] < 200) ink++;
    out.push({ start, end, hash, ink, view: el.view });
  }
  return out;
}, views);

test('the link expires under a synchronous read mid-load: the load pauses and, with a fresh link, goes on where it stopped; the peaks are an uninterrupted load\'s', { timeout: 90000 }, async (t) => {
  const url = media.url('/unplanned.mov');
  const views = [[0, 200], [10, 30], [60, 80], [95, 115], [150, 170], [180, 200]];
  // The same file loaded without interruption, for its peaks.
  const plain = await env.open(t, { width: 1000, height: 900 });
  await load(plain, url);
  const expected = await drawnPeaks(plain, views);
  assert.ok(expected.every((v) => v.ink > 1000), 'drawn');

  const page = await env.open(t, { width: 1000, height: 900 });
  await watch(page);
  media.reset();
  // Paced, so that the load is still under way when the link expires.
  media.configure({ bytesPerSecond: 8e6 });
  t.after(() => media.configure({ bytesPerSecond: 0, expireAfterRequests: Infinity }));
  const ready = page.evaluate((src) => new Promise((resolve, reject) => {
    const el = document.querySelector('avseg-editor');
    window.progress = [];
    el.addEventListener('ready', () => resolve(el.duration), { once: true });
    el.addEventListener('progress', (e) => { window.progress.push({ ...e.detail, refreshed: !!window.refreshed }); });
    el.addEventListener('error', (e) => { if (e.detail.fatal) reject(new Error(e.detail.message)); });
    el.config = { categories: { speaker: ['A', 'B'] } };
    el.src = src;
  }), url);
  await page.waitForFunction(() => window.progress.at(-1)?.decodedSeconds > 40, undefined, { timeout: 30000 });
  media.reset();
  media.configure({ expireAfterRequests: 0 });
  await waitForError(page, 'link-expired');
  const paused = await page.evaluate(() => {
    const el = document.querySelector('avseg-editor');
    return { ready: el.ready, progress: window.progress.at(-1), status: el.shadowRoot.querySelector('.status').textContent };
  });
  assert.equal(paused.ready, false);
  assert.match(paused.status, /paused: the link to the media expired/);
  assert.ok(paused.progress.decodedSeconds < 190, `it stopped part way: ${paused.progress.decodedSeconds} s decoded`);
  assert.ok(paused.progress.syncRequests > 0, `the load reads synchronously: ${JSON.stringify(paused.progress)}`);
  const refused = media.requests.filter((r) => r.status === 403 && r.dest !== 'video');
  assert.ok(refused.length > 0, 'the worker\'s read was refused');

  media.configure({ bytesPerSecond: 0, expireAfterRequests: Infinity });
  media.reset();
  const fresh = `${url}?X-Amz-Signature=sync`;
  await page.evaluate((u) => { window.refreshed = true; return document.querySelector('avseg-editor').refreshSource(u); }, fresh);
  const duration = await ready;
  assert.ok(Math.abs(duration - 200) < 0.01, `the whole file decoded: ${duration} s`);
  // Resumed, not decoded again from the start: what was decoded never goes back.
  const seconds = await page.evaluate(() => window.progress.map((p) => [p.decodedSeconds, p.refreshed]));
  const before = seconds.filter(([, r]) => !r).map(([s]) => s);
  const after = seconds.filter(([, r]) => r).map(([s]) => s);
  assert.ok(after.length > 0, 'progress after the fresh link');
  assert.ok(after[0] >= Math.max(...before), `went on from ${Math.max(...before)} s, not from the start: ${JSON.stringify(after.slice(0, 5))}`);
  for (let i = 1; i < after.length; i++) assert.ok(after[i] >= after[i - 1], `never back: ${JSON.stringify(after)}`);
  const worker = media.requests.filter((r) => r.dest !== 'video');
  assert.ok(worker.length > 0 && worker.every((r) => r.path.endsWith('?X-Amz-Signature=sync')), 'the rest came from the fresh URL');

  // The same peaks as the uninterrupted load, before and after where it stopped.
  const got = await drawnPeaks(page, views);
  assert.deepEqual(got, expected);
});

test('a snapped nudge whose bytes are behind an expired link lands without zero crossings at once, and the edits after it are not held back', async (t) => {
  const page = await env.open(t, { width: 1000, height: 900 });
  await watch(page);
  // No draft of the tests before (same media) comes back.
  await page.evaluate(() => document.querySelector('avseg-editor').setAttribute('autosave', 'off'));
  await load(page, media.url('/long.wav'));
  const id = await page.evaluate(() => {
    const el = document.querySelector('avseg-editor');
    const id = el.addSegment(el.addTrack('speaker', 'A'), 60, 62.5, { text: 'first words' });
    el.selectedSegment = id;
    el.focus();
    return id;
  });
  media.reset();
  media.configure({ expireAfterRequests: 0 });
  t.after(() => media.configure({ expireAfterRequests: Infinity }));
  // Snapping on (the config has no analysis block), to zero crossings, whose bytes left the cache.
  await page.keyboard.press('Shift+S');
  assert.equal(await page.evaluate(() => document.querySelector('avseg-editor').shadowRoot.querySelector('.sound-snap').checked), true);
  const end = () => page.evaluate((id) => document.querySelector('avseg-editor').value.segments.find((s) => s.id === id).end, id);
  const before = await end();
  const started = Date.now();
  await page.keyboard.press('Alt+Shift+ArrowRight');
  await page.waitForFunction(({ id, before }) => document.querySelector('avseg-editor').value.segments.find((s) => s.id === id).end !== before, { id, before }, { timeout: 5000, polling: 50 });
  t.diagnostic(`landed after ${Date.now() - started} ms`);
  const rate = await page.evaluate(() => document.querySelector('avseg-editor').sampleRate);
  const moved = await end();
  // Zero crossings left out: their bytes were asked for behind the expired link (said), the rest snaps.
  assert.ok(Math.abs(moved - (before + rate / 100)) <= rate / 50, `within the reach of its 10 ms step: ${moved - before}`);
  assert.ok(await page.evaluate(() => window.errors.some((e) => e.code === 'link-expired')), 'the bytes were asked for behind the expired link');
  await page.keyboard.press('Alt+Shift+ArrowLeft');
  await page.waitForFunction(({ id, moved }) => document.querySelector('avseg-editor').value.segments.find((s) => s.id === id).end < moved, { id, moved }, { timeout: 5000, polling: 50 });
});
