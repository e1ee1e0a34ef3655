// SPDX-License-Identifier: MIT
// Accessibility of <avseg-editor>: axe-core over the page (it descends into the open shadow root)
// while loading, when ready and after a fatal error, plus keyboard reachability of the controls.
// The page runs under the same strict CSP as editor.test.mjs; axe is served from the asset origin,
// which that CSP already allows, so nothing is relaxed for the test.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { copyFile, cp, mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { startServers } from '../../scripts/lib/servers.mjs';
import { strictCsp } from '../../web/demo/page.mjs';
import { launchBrowser, collectConsole } from './browser.mjs';

const root = fileURLToPath(new URL('../..', import.meta.url));
const fixtures = process.env.AVSEG_FIXTURES ?? path.join(root, 'build/fixtures');
const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

let tmp, servers, browser;

before(async () => {
  await promisify(execFile)(path.join(root, 'tests/fixtures/make-media.sh'), [fixtures]);
  // The asset server refuses symlinks that leave its root, so the asset root is a copy of dist/ plus axe.
  tmp = await mkdtemp(path.join(os.tmpdir(), 'avseg-a11y-'));
  const assets = path.join(tmp, 'assets');
  await cp(path.join(root, 'dist'), assets, { recursive: true });
  await copyFile(AXE, path.join(assets, 'axe.min.js'));
  servers = await startServers({
    pages: { '/index.html': '' },
    csp: strictCsp,
    assetRoot: assets,
    mediaRoot: fixtures,
    slowBytesPerSecond: 256 * 1024, // sample.wav takes about 10 s: long enough to look at the loading state
  });
  servers.setPage('/index.html', `<!doctype html>
<html lang="en">
<meta charset="utf-8">
<link rel="icon" href="data:,">
<title>avseg accessibility test</title>
<script src="${servers.assets.url('/axe.min.js')}"></script>
<script type="module" src="${servers.assets.url('/avseg.js')}"></script>
<body>
<main>
  <h1>avseg</h1>
  <avseg-editor></avseg-editor>
</main>
</body>
</html>`);
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await servers?.close();
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

/** Opens the page with CSP violations recorded; `media` (a media-origin path) is set as src if given. */
async function open(t, media) {
  const page = await browser.newPage();
  const log = collectConsole(page);
  t.after(async () => {
    if (t.passed === false || process.env.AVSEG_VERBOSE) console.log(JSON.stringify(log, null, 1));
    await page.close();
  });
  // Init scripts are injected by the browser, not the page, so they need no CSP exception.
  await page.addInitScript(() => {
    window.cspViolations = [];
    document.addEventListener('securitypolicyviolation', (e) => {
      window.cspViolations.push(`${e.effectiveDirective} blocked ${e.blockedURI} (${e.sourceFile}:${e.lineNumber})`);
    });
  });
  await page.setViewportSize({ width: 1040, height: 600 });
  await page.goto(servers.page.url('/'));
  await page.waitForFunction(() => customElements.get('avseg-editor') && window.axe);
  await page.evaluate((src) => {
    const el = document.querySelector('avseg-editor');
    window.events = [];
    for (const type of ['progress', 'ready', 'error']) {
      el.addEventListener(type, (e) => window.events.push({ type, detail: e.detail }));
    }
    if (src) el.src = src;
  }, media ? servers.media.url(media) : null);
  return { page, log };
}

const has = (page, predicate) => page.waitForFunction(predicate, undefined, { timeout: 20000 });

/** Runs axe over the whole document and returns its violations, with the CSP violations seen so far. */
async function axe(page) {
  return page.evaluate(async () => {
    const result = await window.axe.run(document, { resultTypes: ['violations'] });
    return {
      violations: result.violations.map((v) => ({
        id: v.id,
        impact: v.impact,
        help: v.help,
        nodes: v.nodes.map((n) => ({ target: n.target, impact: n.impact, summary: n.failureSummary })),
      })),
      csp: window.cspViolations,
    };
  });
}

function report(violations) {
  if (!violations.length) return 'no violations';
  return violations.map((v) => `[${v.impact}] ${v.id}: ${v.help}\n` + v.nodes.map((n) =>
    `    ${JSON.stringify(n.target)}: ${(n.summary ?? '').replace(/\n\s*/g, ' | ')}`).join('\n')).join('\n');
}

function assertAccessible({ violations, csp }, state) {
  if (process.env.AVSEG_VERBOSE) console.log(`axe, ${state}:\n${report(violations)}`);
  assert.deepEqual(csp, [], `CSP violations while running axe (${state})`);
  const bad = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  assert.equal(bad.length, 0, `axe, ${state}: serious or critical violations\n${report(violations)}`);
}

test('axe: no serious or critical violations while loading', async (t) => {
  const { page } = await open(t, '/slow/sample.wav');
  await has(page, () => window.events.some((e) => e.type === 'progress' && e.detail.decodedSeconds > 0));
  const loading = () => page.evaluate(() => {
    const shadow = document.querySelector('avseg-editor').shadowRoot;
    return !shadow.querySelector('.progress').hidden && !window.events.some((e) => e.type === 'ready' || e.type === 'error');
  });
  assert.ok(await loading(), 'the element is loading');
  const result = await axe(page);
  assert.ok(await loading(), 'the element was still loading when axe finished');
  assertAccessible(result, 'loading');
});

test('axe: no serious or critical violations when ready', async (t) => {
  const { page } = await open(t, '/sample.mp3');
  await has(page, () => window.events.some((e) => e.type === 'ready' || e.detail?.fatal));
  assert.deepEqual(await page.evaluate(() => window.events.filter((e) => e.type === 'error')), []);
  assertAccessible(await axe(page), 'ready');
});

test('axe: no serious or critical violations with the fatal error shown', async (t) => {
  const { page } = await open(t, '/garbage.bin');
  await has(page, () => window.events.some((e) => e.type === 'ready' || e.detail?.fatal));
  const shown = await page.evaluate(() => {
    const box = document.querySelector('avseg-editor').shadowRoot.querySelector('.error');
    return { hidden: box.hidden, role: box.getAttribute('role'), text: box.textContent };
  });
  assert.equal(shown.hidden, false);
  assert.equal(shown.role, 'alert');
  assert.match(shown.text, /not a recognised/);
  assertAccessible(await axe(page), 'fatal error');
});

/** Tabs from the page through the element until focus leaves it: each stop's path, AX role and name. */
async function tabStops(t, page) {
  const cdp = await page.context().newCDPSession(page);
  t.after(() => cdp.detach().catch(() => {}));
  // Which element has focus (through the shadow root), and what Chromium's accessibility tree calls it.
  const focused = async () => {
    const where = await page.evaluate(() => {
      let el = document.activeElement;
      const path = [];
      while (el) {
        path.push(el.localName + (el.className && typeof el.className === 'string' ? '.' + el.className.split(' ').join('.') : ''));
        el = el.shadowRoot?.activeElement ?? null;
      }
      return path.join(' > ');
    });
    const { result } = await cdp.send('Runtime.evaluate', {
      expression: '{ let e = document.activeElement; while (e?.shadowRoot?.activeElement) e = e.shadowRoot.activeElement; e }',
    });
    if (!result.objectId) return { where, role: null, name: '' };
    const { node: dom } = await cdp.send('DOM.describeNode', { objectId: result.objectId });
    const { nodes: [node] } = await cdp.send('Accessibility.getPartialAXTree', { backendNodeId: dom.backendNodeId, fetchRelatives: false });
    await cdp.send('Runtime.releaseObject', { objectId: result.objectId });
    return { where, role: node?.role?.value ?? null, name: node?.name?.value ?? '' };
  };
  await page.evaluate(() => document.activeElement?.blur());
  assert.equal(await page.evaluate(() => document.activeElement), await page.evaluate(() => document.body));
  // Tab until focus leaves the element (it must: no keyboard trap).
  const stops = [];
  for (let i = 0; i < 80; i++) {
    await page.keyboard.press('Tab');
    const stop = await focused();
    if (!stop.where.startsWith('avseg-editor')) break;
    stops.push(stop);
  }
  const seen = JSON.stringify(stops, null, 1);
  if (process.env.AVSEG_VERBOSE) console.log(seen);
  assert.ok(stops.length < 80, `focus never leaves the element\n${seen}`);
  // Whatever the element makes focusable has a role and a name, and is reached once.
  for (const [n, stop] of stops.entries()) {
    assert.ok(stop.role && !['generic', 'none'].includes(stop.role), `Tab stop ${n + 1} (${stop.where}) has no role\n${seen}`);
    assert.ok(stop.name.trim().length > 0, `Tab stop ${n + 1} (${stop.where}) has no accessible name\n${seen}`);
  }
  assert.equal(new Set(stops.map((x) => `${x.where} ${x.role} ${x.name}`)).size, stops.length, `a control is reached twice\n${seen}`);
  return { stops, seen };
}

test('Tab from the page reaches the element and its controls in order, each with a name', async (t) => {
  const { page } = await open(t, '/sample.mp3');
  await has(page, () => window.events.some((e) => e.type === 'ready' || e.detail?.fatal));
  const { stops, seen } = await tabStops(t, page);
  // The element itself, then the toolbar in reading order.
  assert.deepEqual(stops.slice(0, 10).map((s) => [s.where, s.role, s.name]), [
    ['avseg-editor', 'group', 'Audio editor'],
    ['avseg-editor > button.play', 'button', 'Play'],
    ['avseg-editor > button.seek-start', 'button', 'Go to the start'],
    ['avseg-editor > button.seek-back', 'button', 'Step back'],
    ['avseg-editor > button.seek-forward', 'button', 'Step forward'],
    ['avseg-editor > button.seek-end', 'button', 'Go to the end'],
    ['avseg-editor > button.zoom-out', 'button', 'Zoom out'],
    ['avseg-editor > button.zoom-in', 'button', 'Zoom in'],
    ['avseg-editor > button.zoom-fit', 'button', 'Show the whole file'],
    ['avseg-editor > select.rate', 'combobox', 'Playback speed'],
  ], seen);
});

test('annotating: axe finds nothing serious; Tab goes list, segment times and actions, its fields, then the whole-file questions', async (t) => {
  const { page } = await open(t, '/sample.mp3');
  await has(page, () => window.events.some((e) => e.type === 'ready' || e.detail?.fatal));
  await page.evaluate(() => {
    const el = document.querySelector('avseg-editor');
    el.config = {
      categories: [{ name: 'speaker', tags: ['Customer', 'Representative'] }],
      segmentFields: [
        { name: 'transcription', type: 'text', required: true, label: 'Transcription' },
        { name: 'emotion', type: 'choice', options: ['Happy', 'Sad'], label: 'Emotion' },
        { name: 'clarity', type: 'rating', max: 3, label: 'Clarity' },
      ],
      classifications: [{ name: 'noise', type: 'boolean', label: 'Background noise' }],
    };
    const a = el.addTrack('speaker', 'Customer');
    const b = el.addTrack('speaker', 'Representative');
    el.addSegment(a, 1, 2);
    el.selectedSegment = el.addSegment(b, 3, 4, { transcription: 'hi' });
    el.selectedTracks = [a, b];
  });
  await page.selectOption('avseg-editor >> css=select.list-order', 'track');
  assertAccessible(await axe(page), 'annotating, list by track');
  const { stops, seen } = await tabStops(t, page);
  const order = ['select.list-order', 'div.segment-list', 'input.time-start', 'input.time-end', 'button.play-span', 'button.loop-span',
    'button.merge-next', 'button.remove-segment', 'input.control', 'select.control'];
  let at = -1;
  for (const part of order) {
    const next = stops.findIndex((x, n) => n > at && x.where.includes(`> ${part}`));
    assert.ok(next > at, `${part} is reached after the one before it\n${seen}`);
    at = next;
  }
  const noise = stops.findIndex((x) => x.name.startsWith('Background noise'));
  assert.ok(noise > at, `the whole-file question comes after the segment's fields\n${seen}`);
  const list = stops.find((x) => x.where.endsWith('div.segment-list'));
  assert.equal(list.role, 'listbox');
});
