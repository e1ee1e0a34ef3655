// SPDX-License-Identifier: MIT
// Presigned links expire while an annotator works (issue 11.1): in headless Chromium, media read
// in place from a real HTTP server that starts refusing with S3's 403 "Request has expired". The
// element says 'link-expired', keeps what is drawn and annotated, and refreshSource(freshUrl)
// resumes (a sample-level view, a load half done, the <video>'s own playback); a URL of another
// file is refused and changes nothing. Then the local run end to end: s3:// media presigned for
// 3 seconds, served by the S3 stub, and a page that gets fresh links by itself.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { startElementPage, root } from './harness.mjs';
import { collectConsole } from './browser.mjs';
import { strictCsp } from '../../web/demo/page.mjs';
import { startMediaServer } from '../lib/media-server.mjs';
import { synthWav } from '../lib/synth-media.mjs';
import { startS3Stub, stubEnv } from '../aws/s3-stub.mjs';

const MINUTES = 10;   // 48 kHz stereo: 115 MB, more than the reader's 64 MiB cache
let env, media, tmp;

before(async () => {
  media = await startMediaServer({
    files: {
      '/long.wav': { synth: 'wav', seconds: MINUTES * 60 },
      // The same size and header, other samples: only its bytes tell it from long.wav.
      '/other.wav': { synth: 'wav', seconds: MINUTES * 60, levels: { first: 0.3, middle: 0.5, last: 0.25 } },
      // Small enough to stay cached whole once loaded: only the <video> reads it again.
      '/short.wav': { synth: 'wav', seconds: 120 },
    },
  });
  env = await startElementPage({ csp: (o) => strictCsp({ ...o, media: `${o.media} ${media.origin}` }) });
  tmp = await mkdtemp(path.join(os.tmpdir(), 'avseg-link-expiry-'));
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

// ---- the local run ----

/** Starts `scripts/label.mjs` as its own process; resolves once it listens. */
function startRun(args, envVars) {
  const child = spawn(process.execPath, [path.join(root, 'scripts/label.mjs'), '--port', '0', ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: envVars });
  let out = '';
  return new Promise((resolve, reject) => {
    const onData = (d) => {
      out += d;
      const m = /open (http:\/\/\S+)/.exec(out);
      if (m) resolve({ child, url: m[1], output: () => out });
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => reject(new Error(`label.mjs exited (${code}): ${out}`)));
  });
}

// A run still answering a request when asked to stop is killed: a test must never wait on it.
const stopRun = (run) => new Promise((resolve) => {
  if (run.child.exitCode !== null || run.child.signalCode !== null) return resolve();
  const kill = setTimeout(() => run.child.kill('SIGKILL'), 3000);
  run.child.once('exit', () => { clearTimeout(kill); resolve(); });
  run.child.kill('SIGTERM');
});

/** A raw HTTP request, with the headers given (Host and Origin included). */
function send(url, { method = 'GET', headers = {} } = {}) {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request({ host: u.hostname, port: u.port, path: u.pathname + u.search, method, headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d) => { text += d; });
      res.on('end', () => resolve({ status: res.statusCode, text }));
    });
    req.on('error', reject);
    req.end();
  });
}

test('the local run: s3:// links presigned for 3 s expire, the page gets fresh ones from its own server, and the annotator loses nothing', { timeout: 120000 }, async (t) => {
  const wav = synthWav({ seconds: MINUTES * 60 });
  const objects = new Map([['calls-bucket/long.wav', { body: await wav.read(0, wav.size), headers: { 'content-type': 'audio/wav' } }]]);
  const s3 = await startS3Stub(objects, { cors: true });
  t.after(() => s3.close());
  const manifest = path.join(tmp, 's3.jsonl');
  await writeFile(manifest, `${JSON.stringify({ 'source-ref': 's3://calls-bucket/long.wav' })}\n`);
  const output = path.join(tmp, 'out');
  const runEnv = { ...stubEnv(s3.endpoint), HOME: tmp, AVSEG_STATE_DIR: path.join(tmp, 'state') };
  await assert.rejects(startRun([manifest, '--output', output], { ...runEnv, AVSEG_S3_LINK_SECONDS: '1.5' }), /AVSEG_S3_LINK_SECONDS="1\.5": give the lifetime of s3:\/\/ media links in whole seconds/);
  const run = await startRun([manifest, '--output', output], { ...runEnv, AVSEG_S3_LINK_SECONDS: '3' });
  t.after(() => stopRun(run));

  const page = await env.browser.newPage();
  const log = collectConsole(page);
  t.after(async () => {
    if (t.passed === false || process.env.AVSEG_VERBOSE) console.log(JSON.stringify(log, null, 1));
    await page.close();
  });
  await page.addInitScript(() => {
    window.errors = [];
    window.refreshed = [];
    window.renders = [];
    window.addEventListener('error', (e) => { if (e.target?.localName === 'avseg-editor') window.errors.push(e.detail); }, true);
    document.addEventListener('avseg-link-refreshed', (e) => window.refreshed.push(e.detail.src));
  });
  await page.goto(`${run.url}task/0?worker=ann`);
  await page.evaluate(() => { window.samePage = true; });
  await page.waitForFunction(() => document.querySelector('avseg-editor')?.ready, undefined, { timeout: 30000 });
  const first = await page.locator('avseg-editor').getAttribute('data-src');
  assert.match(first, /X-Amz-Expires=3&/);
  const annotated = await page.evaluate(() => {
    const el = document.querySelector('avseg-editor');
    el.addEventListener('avseg-rendered', (e) => window.renders.push({ ...e.detail, view: el.view }));
    const track = el.addTrack('speaker', 'Customer');
    el.addSegment(track, 1, 2.5, { text: 'kept words' });
    return JSON.stringify(el.value.segments);
  });

  // The link has expired by now; a sample-level view near the start must read again.
  await new Promise((resolve) => { setTimeout(resolve, 3500); });
  await page.evaluate(() => { window.renders.length = 0; document.querySelector('avseg-editor').zoomTo(5, 5.02); });
  await page.waitForFunction(() => window.renders.some((r) => r.fromSamples && r.view.start < 5.01 && r.view.end > 5.01), undefined, { timeout: 20000 });
  const after = await page.evaluate(() => ({
    samePage: window.samePage, errors: window.errors, refreshed: window.refreshed,
    segments: JSON.stringify(document.querySelector('avseg-editor').value.segments), src: document.querySelector('avseg-editor').src,
    problem: document.querySelector('[data-avseg-link-problem]')?.textContent ?? '',
  }));
  assert.ok(after.samePage, 'the page was not reloaded');
  assert.ok(after.errors.some((e) => e.code === 'link-expired'), 'the link expired');
  assert.ok(after.errors.every((e) => !e.fatal), JSON.stringify(after.errors));
  assert.ok(after.refreshed.length >= 1, 'the page got a fresh link by itself');
  assert.equal(after.problem, '');
  assert.equal(after.segments, annotated, 'nothing lost');
  assert.notEqual(after.src, first);
  assert.equal(after.src.split('?')[0], first.split('?')[0], 'the same object, signed again');
  const signatures = new Set(s3.requests.filter((r) => r.method === 'GET' && r.key === 'long.wav').map((r) => new URLSearchParams(r.query).get('X-Amz-Signature')));
  assert.ok(signatures.size >= 2, 'the store was read with more than one signature');

  // The fresh-link API answers the run's own page only, with its token, for the item it shows.
  const api = await page.evaluate(() => document.querySelector('meta[name="avseg-media-link"]').content);
  const pageOrigin = new URL(run.url).origin;
  assert.equal((await send(api, { method: 'POST', headers: { origin: 'http://127.0.0.1:1' } })).status, 403, 'another origin');
  assert.equal((await send(api, { method: 'POST' })).status, 403, 'no origin at all');
  assert.equal((await send(api.replace(/\/[A-Za-z0-9_-]{43}\//, `/${'A'.repeat(43)}/`), { method: 'POST', headers: { origin: pageOrigin } })).status, 404, 'a wrong token');
  assert.equal((await send(api.replace(/\/api\/media-link\/0\/[^/?]+/, '/api/media-link/0/another-item'), { method: 'POST', headers: { origin: pageOrigin } })).status, 409, 'another item');
  assert.equal((await send(api, { method: 'POST', headers: { origin: pageOrigin, host: `evil.example:${new URL(api).port}` } })).status, 421, 'a rebound Host');
  const own = await send(api, { method: 'POST', headers: { origin: pageOrigin } });
  assert.equal(own.status, 200);
  assert.match(JSON.parse(own.text).url, /^http:\/\/127\.0\.0\.1:\d+\/calls-bucket\/long\.wav\?X-Amz-Algorithm=/);

  // Reloading (what a Ground Truth worker does when the link expired) renders a freshly signed link, and the
  // draft, kept under the s3:// URI rather than the signed URL, comes back.
  await page.evaluate(() => document.querySelector('avseg-editor').flushDraft());
  await page.reload();
  await page.waitForFunction(() => document.querySelector('avseg-editor')?.ready, undefined, { timeout: 30000 });
  const reloaded = await page.evaluate(() => ({ segments: JSON.stringify(document.querySelector('avseg-editor').value.segments), src: document.querySelector('avseg-editor').src }));
  assert.equal(reloaded.segments, annotated, 'the draft is restored after a reload');
  assert.notEqual(reloaded.src, first);

  // Submitted: the answer names the media by its s3:// URI, whichever link was read last.
  await page.evaluate(() => {
    const el = document.querySelector('avseg-editor');
    for (const f of el.config.classifications ?? []) if (f.required) el.setClassification(f.name, f.type === 'rating' ? f.max : f.options[0]);
  });
  await page.evaluate(() => document.querySelector('crowd-form').submit());
  const dir = path.join(output, 'annotations/worker-response/iteration-1/0');
  let files = [];
  for (let i = 0; i < 100 && !files.length; i++) {
    files = await readdir(dir).catch(() => []);
    if (!files.length) await new Promise((resolve) => { setTimeout(resolve, 100); });
  }
  const kept = JSON.parse(await readFile(path.join(dir, files[0]), 'utf8'));
  const doc = JSON.parse(kept.answers[0].answerContent.annotations);
  assert.equal(doc.media.url, 's3://calls-bucket/long.wav');
  assert.equal(JSON.stringify(doc.segments.map((s) => s.fields.text)), '["kept words"]');
});
