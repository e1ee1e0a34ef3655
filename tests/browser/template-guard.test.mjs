// SPDX-License-Identifier: MIT
// The templates' guard (web/src/template-guard.js, a classic script loaded before the editor's
// script) in a simulated worker portal (tests/lib/portal.mjs): when the editor's script cannot
// load, the template's alert says why, naming the asset host, and pressing submit sends nothing;
// when it loads, the guard says nothing and submit works. Also crowd-task.js's own refusal to
// submit an answer it could not write (crowd-form would send the empty input).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startMediaServer } from '../lib/media-server.mjs';
import { launchPartitioned, openTaskFrame, startPortal } from '../lib/portal.mjs';

const root = fileURLToPath(new URL('../..', import.meta.url));
const S3_URI = 's3://avseg-guard/clip.wav';
const OPAQUE = 'allow-scripts allow-forms';

let tmp, media, assets, portal, browser;

/**
 * Another asset host serving dist/: under /no-cors/ with no CORS header at all; under /partial/
 * with CORS for anyone but without crowd-task.classic.js (an upload that missed a file).
 */
async function startAssetHost() {
  const server = createServer(async (req, res) => {
    const [, kind, ...rest] = new URL(req.url, 'http://x').pathname.split('/');
    const name = rest.join('/');
    const cors = kind === 'partial' ? { 'access-control-allow-origin': '*' } : {};
    if (!/^[\w.-]+\.js$/.test(name) || (kind === 'partial' && name === 'crowd-task.classic.js')) {
      res.writeHead(404, cors);
      return res.end('not found');
    }
    try {
      const body = await readFile(path.join(root, 'dist', name));
      res.writeHead(200, { ...cors, 'content-type': 'application/javascript', 'cache-control': 'no-store' });
      res.end(body);
    } catch {
      res.writeHead(404, cors);
      res.end('not found');
    }
  });
  await new Promise((resolve) => { server.listen(0, '127.0.0.1', resolve); });
  return { origin: `http://127.0.0.1:${server.address().port}`, close: () => new Promise((resolve) => { server.close(resolve); server.closeAllConnections(); }) };
}

before(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'avseg-guard-'));
  media = await startMediaServer({ files: { '/clip.wav': { synth: 'wav', seconds: 2 } } });
  assets = await startAssetHost();
  // The templates as shipped, with the asset base set to the other host (the portal fills in its CDN only where it is still the placeholder).
  const at = async (file, base) => {
    const out = path.join(tmp, `${base.split('/').pop()}-${path.basename(file)}`);
    await writeFile(out, (await readFile(file, 'utf8')).split('__AVSEG_ASSET_BASE__').join(base));
    return out;
  };
  const moduleTemplate = path.join(root, 'template/audio.liquid.html');
  const classicTemplate = path.join(root, 'dist/templates/audio-classic.liquid.html');
  // A portal that drops module scripts from what it renders (no error event: the script is not there).
  const stripped = path.join(tmp, 'stripped.liquid.html');
  const moduleScript = '<script type="module" src="__AVSEG_ASSET_BASE__/crowd-task.js"></script>';
  const source = await readFile(moduleTemplate, 'utf8');
  assert.ok(source.includes(moduleScript));
  await writeFile(stripped, source.replace(moduleScript, ''));
  portal = await startPortal({
    templates: {
      module: moduleTemplate,
      noCors: await at(moduleTemplate, `${assets.origin}/no-cors`),
      classicPartial: await at(classicTemplate, `${assets.origin}/partial`),
      stripped,
    },
    media,
    grants: { [S3_URI]: media.url('/clip.wav') },
  });
  browser = await launchPartitioned();
});

after(async () => {
  await browser?.close();
  await portal?.close();
  await assets?.close();
  await media?.close();
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

// Runs in every frame before its scripts: in the task frame, what the stand-in crowd-form sent.
function instrument() {
  if (!location.pathname.startsWith('/task/')) return;
  const log = { sent: [], ready: false };
  window.__guard = log;
  document.addEventListener('avseg-submitted', (e) => log.sent.push(e.detail), true);
  document.addEventListener('ready', (e) => { if (e.target?.localName === 'avseg-editor') log.ready = true; }, true);
}

async function open(id, cell) {
  return openTaskFrame(browser, portal.addCell(id, { input: { 'source-ref': S3_URI }, framing: 'cross-site', ...cell }), instrument);
}

const alertText = (frame) => frame.evaluate(() => {
  const box = document.querySelector('[data-avseg-alert]');
  return box && !box.hidden ? box.textContent : '';
});

/** Presses the form's submit button and returns what the form sent within a second. */
async function pressSubmit(frame) {
  await frame.click('crowd-button[form-action="submit"]');
  await new Promise((resolve) => { setTimeout(resolve, 1000); });
  return frame.evaluate(() => window.__guard.sent);
}

test('module template, CDN answering CORS only to the portal origins, opaque sandbox: the alert names the asset host and Origin null, and submit sends nothing', async () => {
  const frame = await open('opaque, named CDN', { template: 'module', cdn: 'named', sandbox: OPAQUE });
  try {
    assert.ok(await frame.waitFor(() => /Likely causes/.test(document.querySelector('[data-avseg-alert]')?.textContent ?? ''), 15000), 'the guard explained the failure');
    const text = await alertText(frame);
    const cdn = portal.origins.cdnNamed;
    assert.ok(text.includes(`crowd-task.js from the asset host ${cdn}`), text);
    assert.match(text, /\(1\) this task's frame has an opaque origin \(the portal's iframe sandbox lacks allow-same-origin\), so the module script's request carried Origin: null/);
    assert.match(text, /\(2\) .* sends no CORS header .*\(3\) the portal refuses module scripts/);
    assert.match(text, /What to do: use the classic variant of this template \(dist\/templates\/\*-classic\.liquid\.html.*\): it works in this frame as it is\. Or ask/);
    assert.doesNotMatch(text, /helps only once/, 'the classic template works here: the wasm comes as scripts');
    assert.match(text, /add allow-same-origin to the iframe sandbox/);
    assert.ok(text.includes(`have ${cdn} answer CORS to any origin (Access-Control-Allow-Origin: *)`), text);
    assert.match(text, /This task cannot be submitted/);
    assert.equal(await frame.evaluate(() => !!customElements.get('avseg-editor')), false);

    assert.deepEqual(await pressSubmit(frame), [], 'nothing was sent');
    const input = await frame.evaluate(() => {
      const el = document.querySelector('input[name="annotations"]');
      return { valid: el.checkValidity(), blocked: el.hasAttribute('data-avseg-blocked'), value: el.value };
    });
    assert.deepEqual(input, { valid: false, blocked: true, value: '' }, 'a form submitting with validation refuses the empty answer too');
    assert.match(await alertText(frame), /This task cannot be submitted/, 'the reason stays shown');
  } finally {
    await frame.close();
  }
});

test('module template, asset host with no CORS at all, not sandboxed: the alert says the host sends no CORS header for the page\'s origin', async () => {
  const frame = await open('no CORS at all', { template: 'noCors', sandbox: null });
  try {
    assert.ok(await frame.waitFor(() => /Likely causes/.test(document.querySelector('[data-avseg-alert]')?.textContent ?? ''), 15000));
    const text = await alertText(frame);
    assert.ok(text.includes(`crowd-task.js from the asset host ${assets.origin}`), text);
    assert.ok(text.includes(`(1) ${assets.origin} sends no CORS header (Access-Control-Allow-Origin) for this page's origin ${portal.origins.task}`), text);
    assert.doesNotMatch(text, /Origin: null/, 'the frame is not sandboxed: its origin is not blamed');
    assert.match(text, /What to do: use the classic variant of this template .*\. Or have .* answer CORS for the portal's origin/);
    assert.deepEqual(await pressSubmit(frame), []);
  } finally {
    await frame.close();
  }
});

test('classic template whose crowd-task.classic.js is missing from the asset host: the alert names the HTTP status, and submit sends nothing', async () => {
  const frame = await open('classic, file missing', { template: 'classicPartial', sandbox: null });
  try {
    assert.ok(await frame.waitFor(() => /HTTP 404/.test(document.querySelector('[data-avseg-alert]')?.textContent ?? ''), 15000));
    const text = await alertText(frame);
    assert.ok(text.includes(`crowd-task.classic.js from the asset host ${assets.origin}`), text);
    assert.match(text, /upload dist\/ whole to the asset base/);
    assert.deepEqual(await pressSubmit(frame), []);
  } finally {
    await frame.close();
  }
});

test('module script dropped by the portal: once the page has loaded, the alert says the editor did not start and names the asset host, and submit sends nothing', async () => {
  const frame = await open('module script dropped', { template: 'stripped', sandbox: null });
  try {
    assert.ok(await frame.waitFor(() => /did not start/.test(document.querySelector('[data-avseg-alert]')?.textContent ?? ''), 15000));
    const text = await alertText(frame);
    assert.ok(text.includes(`The page holds no editor script from the asset host ${portal.origins.cdn}`), text);
    assert.deepEqual(await pressSubmit(frame), []);
  } finally {
    await frame.close();
  }
});

test('module template loading normally: the guard says nothing, an answer that cannot be written is not sent empty, and submit sends the answer', async () => {
  const frame = await open('normal', { template: 'module', cdn: 'any', sandbox: null });
  try {
    assert.ok(await frame.waitFor(() => window.__guard?.ready, 20000), 'the editor got ready');
    // Past the guard's grace after the page's load event: it stood down.
    await frame.waitFor(() => performance.timing.loadEventEnd > 0 && Date.now() - performance.timing.loadEventEnd > 2500, 10000);
    assert.equal(await alertText(frame), '');
    assert.equal(await frame.evaluate(() => document.querySelector('[data-avseg-guard], [data-avseg-blocked]')), null);
    await frame.evaluate(() => {
      const editor = document.querySelector('avseg-editor');
      editor.setClassification('speechNonSpeech', 'Speech');
      editor.setClassification('rate', 4);
      // The answer cannot be written this once (crowd-form would send the input as it is: empty).
      Object.defineProperty(editor, 'value', { configurable: true, get() { throw new Error('simulated failure'); } });
    });
    assert.deepEqual(await pressSubmit(frame), [], 'no empty answer');
    assert.match(await alertText(frame), /The answer could not be written, so nothing was submitted \(your work is kept\): simulated failure/);

    await frame.evaluate(() => { delete document.querySelector('avseg-editor').value; });
    const sent = await pressSubmit(frame);
    assert.equal(sent.length, 1);
    const doc = JSON.parse(sent[0].annotations);
    assert.deepEqual(doc.classifications, { speechNonSpeech: 'Speech', rate: 4 });
    assert.equal(await alertText(frame), '');
  } finally {
    await frame.close();
  }
});
