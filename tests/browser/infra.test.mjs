// SPDX-License-Identifier: MIT
// Proves the test infrastructure itself: fixtures, the three-origin servers and headless Chromium.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, readdir, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { startServers } from '../../scripts/lib/servers.mjs';
import { launchBrowser, collectConsole } from './browser.mjs';

const MAKE_MEDIA = fileURLToPath(new URL('../fixtures/make-media.sh', import.meta.url));
// (module (func (export "answer") (result i32) i32.const 42))
const ANSWER_WASM = Uint8Array.from([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7f,
  0x03, 0x02, 0x01, 0x00, 0x07, 0x0a, 0x01, 0x06, 0x61, 0x6e, 0x73, 0x77, 0x65, 0x72, 0x00,
  0x00, 0x0a, 0x06, 0x01, 0x04, 0x00, 0x41, 0x2a, 0x0b,
]);
const PAGE = '<!doctype html><meta charset="utf-8"><link rel="icon" href="data:,"><title>avseg infra</title><body></body>';

let tmp, media, assets, servers, browser, page, log;

before(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'avseg-infra-'));
  media = process.env.AVSEG_FIXTURES ?? path.join(tmp, 'media');
  await promisify(execFile)(MAKE_MEDIA, [media]);

  assets = path.join(tmp, 'assets');
  await mkdir(assets);
  await writeFile(path.join(assets, 'answer.wasm'), ANSWER_WASM);
  await writeFile(path.join(assets, 'hello.mjs'), 'export const hello = "from the CDN";\n');
  await writeFile(path.join(tmp, 'secret.txt'), 'outside the asset root\n');
  await symlink(path.join(tmp, 'secret.txt'), path.join(assets, 'escape.txt'));

  servers = await startServers({
    pages: { '/index.html': PAGE },
    csp: (o) => `default-src 'self'; script-src 'self' ${o.assets} 'wasm-unsafe-eval'; ` +
      `connect-src ${o.assets} ${o.media}; media-src ${o.media}; img-src data:`,
    assetRoot: assets,
    mediaRoot: media,
  });
  browser = await launchBrowser();
  page = await browser.newPage();
  log = collectConsole(page);
  const response = await page.goto(servers.page.url('/index.html'));
  assert.equal(response.status(), 200);
  assert.match(response.headers()['content-security-policy'], /wasm-unsafe-eval/);
});

after(async () => {
  await browser?.close();
  await servers?.close();
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

// Runs fn in a test and appends the page's console to the failure message.
function browserTest(name, fn) {
  test(name, async (t) => {
    try {
      await fn(t);
    } catch (err) {
      err.message += '\n--- browser console ---\n' + log.map((e) => `[${e.type}] ${e.text} ${e.where}`).join('\n');
      throw err;
    }
  });
}

// Raw request without URL normalisation, so path-traversal attempts reach the server verbatim.
function rawRequest(origin, rawPath, { method = 'GET', headers = {} } = {}) {
  const { hostname, port } = new URL(origin);
  return new Promise((resolve, reject) => {
    const req = request({ hostname, port, path: rawPath, method, headers }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject).end();
  });
}

test('make-media.sh: exact silent gaps, manifest and idempotence', async () => {
  const gaps = JSON.parse(await readFile(path.join(media, 'speech-gaps.json'), 'utf8'));
  const wav = await readFile(path.join(media, 'speech-gaps.wav'));
  assert.equal(wav.toString('latin1', 36, 40), 'data');
  const pcm = new Int16Array(wav.buffer.slice(wav.byteOffset + 44, wav.byteOffset + wav.length));
  assert.equal(gaps.sampleRate, 48000);
  assert.equal(pcm.length, gaps.frames);
  const spans = [...gaps.speech, ...gaps.silence].sort((a, b) => a[0] - b[0]);
  assert.deepEqual([spans[0][0], spans.at(-1)[1]], [0, gaps.frames]);
  spans.slice(1).forEach((s, i) => assert.equal(s[0], spans[i][1], 'ranges are contiguous'));
  for (const [s, e] of gaps.silence) {
    assert.equal(e - s, 72000);
    assert.ok(pcm.subarray(s, e).every((v) => v === 0), `silence ${s}-${e} is digital zero`);
  }
  for (const [s, e] of gaps.speech) {
    assert.ok(pcm[s] !== 0 && pcm[e - 1] !== 0, `speech ${s}-${e} is trimmed`);
  }

  const manifest = JSON.parse(await readFile(path.join(media, 'manifest.json'), 'utf8'));
  const listed = manifest.files.map((f) => f.file).sort();
  const present = (await readdir(media)).filter((f) => !f.startsWith('.') && f !== 'manifest.json').sort();
  assert.deepEqual(listed, present);
  const byName = Object.fromEntries(manifest.files.map((f) => [f.file, f]));
  for (const f of ['speech-gaps.wav', 'speech-gaps.flac', 'speech-gaps.alac.m4a', 'speech-gaps.pcm_f32le.wav', 'speech-gaps.mp3']) {
    assert.equal(byName[f].audio.ffprobeFrames, gaps.frames, f);
    assert.equal(byName[f].audio.ffmpegDecodedFrames, gaps.frames, f);
  }
  assert.deepEqual(byName['tone-stereo-44k.flac'].audio, {
    codec: 'flac', sampleRate: 44100, channels: 2, ffprobeFrames: 132300, ffmpegDecodedFrames: 132300, decodeErrors: false,
  });
  for (const f of ['garbage.bin', 'empty.wav', 'notmedia.txt']) assert.equal(byName[f].audio, null, f);
  assert.equal(byName['header-only.wav'].audio.ffprobeFrames, 0);
  assert.equal(byName['corrupt.mp3'].audio.decodeErrors, true);
  assert.equal(byName['unsupported.ac3'].audio.codec, 'ac3');

  const stamped = (await stat(path.join(media, 'manifest.json'))).mtimeMs;
  await promisify(execFile)(MAKE_MEDIA, [media]);
  assert.equal((await stat(path.join(media, 'manifest.json'))).mtimeMs, stamped, 'second run is a no-op');
});

browserTest('page origin fetches media cross-origin with a Range request (206)', async () => {
  const url = servers.media.url('/speech-gaps.wav');
  const r = await page.evaluate(async (url) => {
    const res = await fetch(url, { headers: { Range: 'bytes=0-43' } });
    const body = new Uint8Array(await res.arrayBuffer());
    return {
      status: res.status,
      contentRange: res.headers.get('content-range'),
      acceptRanges: res.headers.get('accept-ranges'),
      length: body.length,
      magic: String.fromCharCode(...body.slice(0, 4)),
    };
  }, url);
  const size = (await stat(path.join(media, 'speech-gaps.wav'))).size;
  assert.deepEqual(r, { status: 206, contentRange: `bytes 0-43/${size}`, acceptRanges: 'bytes', length: 44, magic: 'RIFF' });
  assert.ok(servers.requests.some((q) => q.server === 'media' && q.path === '/speech-gaps.wav' && q.range === 'bytes=0-43' && q.status === 206));
});

browserTest('/nocors/ media is served but unreadable cross-origin (TypeError)', async () => {
  const error = await page.evaluate(async (url) => {
    try {
      await fetch(url);
      return 'no error';
    } catch (err) {
      return err.name;
    }
  }, servers.media.url('/nocors/speech-gaps.wav'));
  assert.equal(error, 'TypeError');
  assert.ok(servers.requests.some((q) => q.path === '/nocors/speech-gaps.wav' && q.status === 200), 'blocked by CORS, not by a missing file');
});

browserTest('assets origin serves application/wasm and cross-origin modules', async () => {
  const r = await page.evaluate(async ([wasm, mjs]) => {
    const res = await fetch(wasm);
    const type = res.headers.get('content-type');
    const { instance } = await WebAssembly.instantiateStreaming(fetch(wasm));
    const { hello } = await import(mjs);
    return { type, answer: instance.exports.answer(), hello };
  }, [servers.assets.url('/answer.wasm'), servers.assets.url('/hello.mjs')]);
  assert.deepEqual(r, { type: 'application/wasm', answer: 42, hello: 'from the CDN' });
  const js = await rawRequest(servers.assets.origin, '/hello.mjs', { method: 'HEAD' });
  assert.equal(js.headers['content-type'], 'application/javascript');
  assert.equal(js.headers['access-control-allow-origin'], '*');
});

test('media server: HEAD, 416, preflight, /status/, no path traversal', async () => {
  const { origin } = servers.media;
  const size = (await stat(path.join(media, 'speech-gaps.mp3'))).size;
  const head = await rawRequest(origin, '/speech-gaps.mp3', { method: 'HEAD' });
  assert.equal(head.status, 200);
  assert.equal(head.headers['content-length'], String(size));
  assert.equal(head.headers['accept-ranges'], 'bytes');
  assert.equal(head.body.length, 0);

  const suffix = await rawRequest(origin, '/speech-gaps.mp3', { headers: { range: 'bytes=-100' } });
  assert.equal(suffix.status, 206);
  assert.equal(suffix.headers['content-range'], `bytes ${size - 100}-${size - 1}/${size}`);
  assert.equal(suffix.body.length, 100);

  const beyond = await rawRequest(origin, '/speech-gaps.mp3', { headers: { range: `bytes=${size}-` } });
  assert.equal(beyond.status, 416);
  assert.equal(beyond.headers['content-range'], `bytes */${size}`);

  const preflight = await rawRequest(origin, '/speech-gaps.mp3', {
    method: 'OPTIONS',
    headers: { origin: servers.page.origin, 'access-control-request-method': 'GET', 'access-control-request-headers': 'range' },
  });
  assert.equal(preflight.status, 204);
  assert.equal(preflight.headers['access-control-allow-origin'], '*');
  assert.match(preflight.headers['access-control-allow-headers'], /range/i);
  const noCors = await rawRequest(origin, '/nocors/speech-gaps.mp3', { method: 'HEAD' });
  assert.equal(noCors.status, 200);
  assert.equal(noCors.headers['access-control-allow-origin'], undefined);

  assert.equal((await rawRequest(origin, '/status/404/speech-gaps.mp3')).status, 404);
  assert.equal((await rawRequest(origin, '/status/503/x')).status, 503);

  for (const p of ['/../secret.txt', '/%2e%2e/secret.txt', '/..%2fsecret.txt', '/escape.txt', '/%00']) {
    const r = await rawRequest(servers.assets.origin, p);
    assert.ok(r.status === 404 || r.status === 400, `${p} -> ${r.status}`);
    assert.ok(!r.body.toString().includes('outside the asset root'), p);
  }
});

browserTest('/slow/ media arrives progressively', async () => {
  const r = await page.evaluate(async (url) => {
    const t0 = performance.now();
    const reader = (await fetch(url)).body.getReader();
    let chunks = 0;
    let bytes = 0;
    for (let c; !(c = await reader.read()).done; chunks++) bytes += c.value.length;
    return { chunks, bytes, ms: performance.now() - t0 };
  }, servers.media.url('/slow/speech-gaps.wav'));
  const size = (await stat(path.join(media, 'speech-gaps.wav'))).size;
  assert.equal(r.bytes, size);
  assert.ok(r.chunks >= 5, `${r.chunks} chunks`);
  // 2 MB/s default throttle: ~0.45 s for this file.
  assert.ok(r.ms >= (size / (2 * 1024 * 1024)) * 1000 * 0.8, `${Math.round(r.ms)} ms`);
});

browserTest('<audio> plays speech-gaps.mp3 from the media origin headless', async (t) => {
  const r = await page.evaluate(async (src) => {
    const audio = document.createElement('audio');
    audio.src = src;
    document.body.append(audio);
    await audio.play();
    const start = audio.currentTime;
    await new Promise((resolve) => setTimeout(resolve, 1200));
    return { start, end: audio.currentTime, paused: audio.paused, error: audio.error?.message ?? null };
  }, servers.media.url('/speech-gaps.mp3'));
  t.diagnostic(`audio currentTime ${r.start.toFixed(3)} -> ${r.end.toFixed(3)} s over 1.2 s wall clock`);
  assert.equal(r.error, null);
  assert.equal(r.paused, false);
  assert.ok(r.end - r.start > 0.8, `currentTime advanced ${r.end - r.start} s`);
});
