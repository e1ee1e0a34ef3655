// SPDX-License-Identifier: MIT
// A large MP4 read in place from a loopback server that lies about ranges, in headless Chromium:
// a 206 carrying other bytes than asked for (another start, another length), or a 200 with the
// whole file, is an error naming the server's Content-Range and the range asked for, and never
// decoded; what was drawn and annotated before stays. (Honest ranges, read through the same
// checks, are video.test.mjs's large MP4 and load-flow.test.mjs.)
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createServer } from 'node:http';
import { createReadStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { strictCsp } from '../../web/demo/page.mjs';
import { fixtures, startElementPage } from './harness.mjs';

// Two minutes of 48 kHz stereo PCM beside a tiny picture, faststart, made here: 23 MB of sound,
// more than the reader asks for at once, so its second half is asked for while the load runs.
const FILE = 'pcm.mov';
const SHIFT = 4096;
const SHORT = 100;
let media;   // the folder FILE is made in; the fixtures are served beside it

/**
 * Serves the fixtures with honest ranges, except to the worker (Sec-Fetch-Dest: empty; the
 * <video> element's own requests stay honest) under /shift/, /short/ and /whole/ once `lying`
 * is set (and a little slower there), and under /probe-shift/ for the first 64 KiB.
 */
async function lyingServer() {
  const state = { lying: false, lies: [] };
  const server = createServer(async (req, res) => {
    const cors = { 'access-control-allow-origin': '*', 'access-control-expose-headers': 'Content-Length, Content-Range, Accept-Ranges' };
    if (req.method === 'OPTIONS') {
      res.writeHead(204, { ...cors, 'access-control-allow-methods': 'GET', 'access-control-allow-headers': 'Range' });
      res.end();
      return;
    }
    const [, mode, name] = /^\/([a-z-]+)\/([\w.-]+)$/.exec(new URL(req.url, 'http://x').pathname) ?? [];
    const file = path.join(name === FILE ? media : fixtures, name ?? '');
    let size;
    try {
      ({ size } = await stat(file));
    } catch {
      res.writeHead(404, cors);
      res.end();
      return;
    }
    // One range (a multi-range request is answered with the whole file: the reader then asks one by one).
    const asked = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? '');
    let status = 200;
    let [first, last] = [0, size - 1];
    if (asked) {
      status = 206;
      [first, last] = [Number(asked[1]), Math.min(asked[2] === '' ? size - 1 : Number(asked[2]), size - 1)];
      const worker = req.headers['sec-fetch-dest'] === 'empty';
      // The second half of the file waits until the page has drawn a second of sound: the lie
      // comes while the load is under way.
      const lying = worker && ['shift', 'short', 'whole'].includes(mode) && first > size / 2;
      for (let waited = 0; lying && !state.lying && waited < 20000; waited += 10) await new Promise((resolve) => setTimeout(resolve, 10));
      const lie = (lying && state.lying) || (worker && mode === 'probe-shift' && first === 0);
      if (lie) {
        state.lies.push(req.headers.range);
        if (mode === 'shift' || mode === 'probe-shift') [first, last] = [first + SHIFT, Math.min(last + SHIFT, size - 1)];
        else if (mode === 'short') last -= SHORT;
        else [status, first, last] = [200, 0, size - 1];
      }
    }
    const headers = { ...cors, 'content-type': 'video/mp4', 'accept-ranges': 'bytes', 'content-length': last - first + 1, 'cache-control': 'no-store' };
    if (status === 206) headers['content-range'] = `bytes ${first}-${last}/${size}`;
    res.writeHead(status, headers);
    const stream = createReadStream(file, { start: first, end: last });
    res.on('close', () => stream.destroy());
    stream.pipe(res);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${server.address().port}`;
  return {
    state,
    origin,
    url: (mode) => `${origin}/${mode}/${FILE}`,
    close: () => new Promise((resolve) => { server.close(resolve); server.closeAllConnections(); }),
  };
}

let liar;
let harness;
before(async () => {
  media = await mkdtemp(path.join(os.tmpdir(), 'avseg-range-'));
  await promisify(execFile)('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc2=size=64x64:rate=5', '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000',
    '-t', '120', '-c:v', 'libx264', '-preset', 'ultrafast', '-c:a', 'pcm_s16le', '-ac', '2', '-movflags', '+faststart', path.join(media, FILE)]);
  liar = await lyingServer();
  // The page's CSP lists the lying server as a media origin, as a task page lists its bucket.
  harness = await startElementPage({ title: 'avseg ranges', csp: (o) => strictCsp({ ...o, media: `${o.media} ${liar.origin}` }) });
});
after(async () => {
  await harness?.close();
  await liar?.close();
  if (media) await rm(media, { recursive: true, force: true });
});

const PRE_ANNOTATIONS = {
  format: 'avseg.annotation',
  version: 1,
  tracks: [{ id: 't1', category: 'Dog', tag: 'Dog #1' }],
  segments: [{ id: 's1', track: 't1', startTime: 1, endTime: 2.5, fields: { note: 'barks' } }],
};

/**
 * Loads `src` with host annotations in place; once a second of the sound is decoded and drawn,
 * the server starts lying. Resolves with the first error, what was drawn before and after it,
 * and the annotations after it (or with `ready` or `timedOut` if no error came).
 */
async function loadUntilError(t, src) {
  liar.state.lying = false;
  const page = await harness.open(t, { width: 1000, height: 900 });
  await page.exposeFunction('startLying', () => { liar.state.lying = true; });
  return page.evaluate(([src, doc]) => new Promise((resolve) => {
    const el = document.querySelector('avseg-editor');
    // Columns of the waveform with any ink.
    const ink = () => {
      const c = el.shadowRoot.querySelector('.wave canvas');
      const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
      let columns = 0;
      for (let x = 0; x < c.width; x++) {
        for (let y = 0; y < c.height; y++) {
          if (d[(y * c.width + x) * 4] < 200) { columns++; break; }
        }
      }
      return columns;
    };
    let decoded = 0;
    let drawn = null;
    el.addEventListener('progress', (e) => { decoded = e.detail.decodedSeconds; });
    el.addEventListener('avseg-rendered', () => {
      if (drawn === null && decoded >= 1) {
        drawn = ink();
        window.startLying();
      }
    });
    el.addEventListener('ready', () => resolve({ ready: true, drawn }), { once: true });
    setTimeout(() => resolve({ timedOut: true, drawn }), 30000);
    el.addEventListener('error', (e) => {
      if (e.detail.code === 'playback-failed') return;
      // Anything still on its way is painted before looking.
      setTimeout(() => resolve({
        error: e.detail, drawnBefore: drawn, drawnAfter: ink(), value: el.value,
        alert: el.shadowRoot.querySelector('.error').textContent,
      }), 300);
    }, { once: true });
    el.config = { categories: [{ name: 'Dog', tags: ['Dog #1'] }], segmentFields: [{ name: 'note', type: 'text' }] };
    el.value = doc;
    el.setAttribute('range-threshold', '0');
    el.src = src;
  }), [src, PRE_ANNOTATIONS]);
}

function assertKept(out) {
  assert.ok(out.drawnBefore > 0, 'part of the waveform was drawn before the lie');
  assert.ok(out.drawnAfter >= out.drawnBefore, `the waveform drawn before stays (${out.drawnAfter} of ${out.drawnBefore} columns)`);
  assert.deepEqual(out.value.segments.map((s) => [s.startTime, s.endTime, s.fields.note]), [[1, 2.5, 'barks']], 'the annotations stay');
  assert.ok(out.alert.includes(out.error.message), 'the message is shown in the element');
}

test('a 206 for another start than asked is an error naming its Content-Range and the range asked for', async (t) => {
  const lies = liar.state.lies.length;
  const out = await loadUntilError(t, liar.url('shift'));
  assert.ok(out.error, `an error, not ${JSON.stringify(out)}`);
  // Requests already out when the lying starts are all lied to: the one reported is one of them.
  const [, s, e] = /^bytes=(\d+)-(\d+)$/.exec(liar.state.lies.slice(lies).find((r) => out.error.message.includes(`bytes ${r.slice(6)} with`)) ?? liar.state.lies[lies]).map(Number);
  assert.equal(out.error.code, 'fetch-failed');
  assert.equal(out.error.fatal, true, JSON.stringify(out.error));
  assert.ok(out.error.message.includes(`a request for bytes ${s}-${e} with Content-Range "bytes ${s + SHIFT}-`), out.error.message);
  assert.match(out.error.message, /other bytes than asked for; nothing of that answer was used\.$/);
  assertKept(out);
});

test('a 206 of another length than asked is an error naming its Content-Range and the range asked for', async (t) => {
  const lies = liar.state.lies.length;
  const out = await loadUntilError(t, liar.url('short'));
  assert.ok(out.error, `an error, not ${JSON.stringify(out)}`);
  const [, s, e] = /^bytes=(\d+)-(\d+)$/.exec(liar.state.lies.slice(lies).find((r) => out.error.message.includes(`bytes ${r.slice(6)} with`)) ?? liar.state.lies[lies]).map(Number);
  assert.equal(out.error.code, 'fetch-failed');
  assert.ok(out.error.message.includes(`a request for bytes ${s}-${e} with Content-Range "bytes ${s}-${e - SHORT}/`), out.error.message);
  assertKept(out);
});

test('a 200 with the whole file, answered to a range further in, is never taken for the range', async (t) => {
  const lies = liar.state.lies.length;
  const out = await loadUntilError(t, liar.url('whole'));
  assert.ok(out.error, `an error, not ${JSON.stringify(out)}`);
  // Requests already out when the lying starts are all lied to: the one reported is one of them.
  const told = liar.state.lies.slice(lies).map((r) => r.replace('=', ' '));
  assert.ok(told.some((range) => out.error.message.includes(`the server answered HTTP 200 (the whole file, ignoring the Range header) to a request for ${range}`)),
    `${out.error.message} (lies: ${told.join(', ')})`);
  assertKept(out);
});

test('the first request answered from another start is an error, not a silent download', async (t) => {
  const page = await harness.open(t, { width: 1000, height: 900 });
  const out = await page.evaluate((src) => new Promise((resolve) => {
    const el = document.querySelector('avseg-editor');
    el.addEventListener('ready', () => resolve({ ready: true }), { once: true });
    el.addEventListener('error', (e) => resolve({ error: e.detail }), { once: true });
    el.setAttribute('range-threshold', '0');
    el.src = src;
  }), liar.url('probe-shift'));
  assert.ok(out.error, `an error, not ${JSON.stringify(out)}`);
  assert.equal(out.error.fatal, true);
  assert.match(out.error.message, new RegExp(`^The media could not be read in place: the server answered a request for bytes 0- \\(the whole file\\) with Content-Range "bytes ${SHIFT}-\\d+/\\d+"; nothing of that answer was used\\.$`));
});
