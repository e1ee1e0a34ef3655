// SPDX-License-Identifier: MIT
// template/diagnostics.liquid.html through scripts/preview's path (a real `scripts/label.mjs --preview
// --template diagnostics` process) in Chromium, its media on a real server on another loopback
// origin: every capability row reports what the local setup grants, and under a stricter
// Content-Security-Policy the refused ones say so, naming the directive.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchBrowser } from './browser.mjs';
import { startMediaServer } from '../lib/media-server.mjs';

const root = fileURLToPath(new URL('../..', import.meta.url));
let browser, tmp, media, run;

function startPreview(manifest) {
  const child = spawn(process.execPath, [path.join(root, 'scripts/label.mjs'), '--preview', '--template', 'diagnostics', '--port', '0', manifest], {
    stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, AVSEG_STATE_DIR: path.join(tmp, 'state') },
  });
  return new Promise((resolve, reject) => {
    let out = '';
    const seen = (d) => {
      out += d;
      const m = /avseg preview: open (\S+)/.exec(out);
      if (m) resolve({ child, url: m[1] });
    };
    child.stdout.on('data', seen);
    child.stderr.on('data', seen);
    child.once('exit', (code) => reject(new Error(`label.mjs exited (${code}): ${out}`)));
  });
}

before(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'avseg-diagnostics-'));
  media = await startMediaServer({ files: { '/call "one" & <two>.wav': { synth: 'wav', seconds: 1 } } });
  const manifest = path.join(tmp, 'diagnostics.jsonl');
  await writeFile(manifest, `${JSON.stringify({ 'source-ref': media.url('/call "one" & <two>.wav'), note: '</script><img src=x id=injected> \'single\' "double" & more' })}\n`);
  run = await startPreview(manifest);
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  run?.child.kill();
  await media?.close();
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

async function report(page) {
  // The task page itself (page.route sees no request that a redirect made).
  const res = await fetch(run.url, { redirect: 'manual' });
  await page.goto(new URL(res.headers.get('location'), run.url).href);
  await page.locator('[data-avseg-diagnostics][data-state="done"]').waitFor({ timeout: 30000 });
  const rows = await page.locator('tr[data-capability]').evaluateAll((trs) => Object.fromEntries(trs.map((tr) => [tr.dataset.capability, {
    result: tr.querySelector('[data-result]').textContent, granted: tr.dataset.granted, directive: tr.dataset.directive ?? null,
    detail: tr.querySelector('[data-detail]').textContent,
  }])));
  const answer = JSON.parse(await page.locator('[data-avseg-answer]').textContent());
  return { rows, answer };
}

test('diagnostics in the preview: every capability row reports, with what the local run grants', async (t) => {
  const page = await browser.newPage();
  t.after(() => page.close());
  const { rows, answer } = await report(page);
  const yes = ['module-scripts', 'blob-worker', 'blob-module-worker', 'webassembly', 'indexeddb', 'media-cors', 'media-range', 'storage-quota'];
  for (const name of yes) assert.equal(rows[name].result, 'yes', `${name}: ${rows[name].detail}`);
  // The component's host is another origin, and a worker starts only from its page's own origin.
  assert.equal(rows['asset-worker'].result, 'no');
  assert.match(rows['asset-worker'].detail, /cannot be accessed from origin|own origin/);
  assert.equal(rows['cross-origin-isolation'].result, 'no', 'the local run sends no COOP/COEP');
  assert.match(rows['media-range'].detail, /^206, Content-Range: bytes 0-1\/\d+$/);
  assert.equal(await page.locator('[data-avseg-diagnostics-missing]').isHidden(), true);
  // What crowd-form would submit: the hidden input's JSON text, under its name.
  assert.deepEqual(Object.keys(answer), ['diagnostics']);
  const diagnostics = JSON.parse(answer.diagnostics);
  assert.deepEqual(Object.keys(diagnostics.capabilities).sort(), Object.keys(rows).sort());
  assert.equal(diagnostics.capabilities.webassembly.granted, true);
  // The task input (with markup in it) arrives intact, and opens no element.
  const input = JSON.parse(await page.locator('[data-avseg-diagnostics]').getAttribute('data-task-input'));
  assert.match(input.note, /^<\/script><img src=x id=injected> 'single' "double" & more$/);
  assert.equal(await page.locator('#injected').count(), 0);
  // The media's name, with quotes, & and <>, is requested as written.
  assert.ok(media.requests.some((r) => r.range === 'bytes=0-1' && decodeURIComponent(r.path) === '/call "one" & <two>.wav'));
  // Submitting in the preview shows that same answer.
  await page.click('crowd-button[form-action="submit"]');
  await page.locator('#avseg-preview-output').waitFor();
  assert.deepEqual(JSON.parse(await page.locator('#avseg-preview-output').textContent()), answer);
});

test('diagnostics under a CSP without \'wasm-unsafe-eval\' and with worker-src \'self\': those rows are refused, naming the directive', async (t) => {
  const page = await browser.newPage();
  t.after(() => page.close());
  // A second policy beside the run's own (the browser enforces both), set before any of the
  // page's scripts is parsed: the portal's stricter one.
  const assets = new URL(await (await fetch(run.url.replace(/\/$/, '/task/0?worker=preview'))).text().then((html) => /<script src="([^"]+)\/diagnostics\/probe\.js"/.exec(html)[1])).origin;
  const policy = `script-src ${assets}; worker-src 'self'`;
  await page.addInitScript((content) => {
    new MutationObserver((_, observer) => {
      if (!document.head) return;
      const meta = document.createElement('meta');
      meta.httpEquiv = 'Content-Security-Policy';
      meta.content = content;
      document.head.prepend(meta);
      observer.disconnect();
    }).observe(document, { childList: true, subtree: true });
  }, policy);
  const { rows } = await report(page);
  assert.equal(await page.locator('head meta[http-equiv="Content-Security-Policy"]').getAttribute('content'), policy);
  assert.equal(rows.webassembly.result, 'no');
  assert.equal(rows.webassembly.directive, 'script-src');
  assert.match(rows.webassembly.detail, /refused by script-src: .*needs 'wasm-unsafe-eval'/);
  for (const name of ['blob-worker', 'blob-module-worker']) {
    assert.equal(rows[name].result, 'no', name);
    assert.equal(rows[name].directive, 'worker-src', `${name}: ${rows[name].detail}`);
    assert.match(rows[name].detail, /^refused by worker-src: /);
  }
  assert.equal(rows['asset-worker'].result, 'no', 'refused as before: another origin');
  // The rest is unchanged by this policy.
  for (const name of ['module-scripts', 'indexeddb', 'media-cors', 'media-range', 'storage-quota']) assert.equal(rows[name].result, 'yes', name);
});
