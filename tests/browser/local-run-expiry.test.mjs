// SPDX-License-Identifier: MIT
// Presigned links expire while an annotator works (issue 11.1), in the local run end to end:
// s3:// media presigned for 3 seconds, served by the S3 stub, and a page that gets fresh links by
// itself.
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
let env, tmp;

before(async () => {
  env = await startElementPage();
  tmp = await mkdtemp(path.join(os.tmpdir(), 'avseg-local-run-expiry-'));
});

after(async () => {
  await env?.close();
  if (tmp) await rm(tmp, { recursive: true, force: true });
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

/**
 * Closes a tab, but waits no longer than 10 s: Chromium may acknowledge the close of a tab whose
 * navigation is committing and never close it (crbug.com/536385539, microsoft/playwright#42366),
 * and an after hook that never returns keeps its test from being reported, even its timeout.
 */
async function closeTab(page, name) {
  let timer;
  const stuck = new Promise((resolve) => { timer = setTimeout(() => resolve('stuck'), 10000); });
  if (await Promise.race([page.close().then(() => 'closed'), stuck]) === 'stuck') console.log(`# a tab did not close within 10 s (${name})`);
  clearTimeout(timer);
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
  // Torn down tab first (while the servers it reads still answer, so that it is not navigating to
  // an error page as it closes), then the run, then the store.
  let s3, run, page, log;
  t.after(async () => {
    if (page && !page.isClosed()) {
      if (t.passed === false || process.env.AVSEG_VERBOSE) console.log(JSON.stringify(log, null, 1));
      await closeTab(page, t.name);
    }
    if (run) await stopRun(run);
    await s3?.close();
  });
  const wav = synthWav({ seconds: MINUTES * 60 });
  const objects = new Map([['calls-bucket/long.wav', { body: await wav.read(0, wav.size), headers: { 'content-type': 'audio/wav' } }]]);
  s3 = await startS3Stub(objects, { cors: true });
  const manifest = path.join(tmp, 's3.jsonl');
  await writeFile(manifest, `${JSON.stringify({ 'source-ref': 's3://calls-bucket/long.wav' })}\n`);
  const output = path.join(tmp, 'out');
  const runEnv = { ...stubEnv(s3.endpoint), HOME: tmp, AVSEG_STATE_DIR: path.join(tmp, 'state') };
  await assert.rejects(startRun([manifest, '--output', output], { ...runEnv, AVSEG_S3_LINK_SECONDS: '1.5' }), /AVSEG_S3_LINK_SECONDS="1\.5": give the lifetime of s3:\/\/ media links in whole seconds/);
  run = await startRun([manifest, '--output', output], { ...runEnv, AVSEG_S3_LINK_SECONDS: '3' });

  page = await env.browser.newPage();
  log = collectConsole(page);
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
  // Not awaited in the page: once accepted, the submit navigates to the run's next page.
  await page.evaluate(() => { document.querySelector('crowd-form').submit(); });
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
  // The run's next page (all done: one item) has arrived: the tab closes after that navigation, not
  // while it commits.
  await page.locator('h1', { hasText: 'All done' }).waitFor({ timeout: 20000 });
  await closeTab(page, t.name);
});
