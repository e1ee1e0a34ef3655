// SPDX-License-Identifier: MIT
// The worker-portal matrix (issue 13): template/audio.liquid.html rendered by the local run's
// Liquid setup, framed by a "portal" page on another origin (cross-site: localhost framing
// 127.0.0.1; same-site: another port of 127.0.0.1), under each plausible iframe sandbox and
// Content-Security-Policy, with a cross-site frame's storage blocked (playwright-core's Chromium)
// or partitioned (as Chrome ships). From inside the task frame, each cell records whether the element got
// ready, its `error` events, whether an edit survives a reload of the task (the draft), whether
// crowd-form submits an answer holding the edit, and what the annotator is shown. The recorded
// rows must equal EXPECTED, and doc/ground-truth.md's "Portal policies" must show the same table.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { launchBrowser } from './browser.mjs';
import { startMediaServer } from '../lib/media-server.mjs';
import { launchPartitioned, startPortal } from '../lib/portal.mjs';
import { matrixTable, outcome, section } from '../lib/portal-table.mjs';

const root = fileURLToPath(new URL('../..', import.meta.url));
const S3_URI = 's3://avseg-portal/clip.wav';

const SANDBOXES = {
  'none': null,
  'scripts forms same-origin': 'allow-scripts allow-forms allow-same-origin',
  'scripts forms same-origin popups modals': 'allow-scripts allow-forms allow-same-origin allow-popups allow-modals',
  'scripts forms': 'allow-scripts allow-forms',
  'scripts forms popups modals': 'allow-scripts allow-forms allow-popups allow-modals',
};

// Each policy changes one thing from a task page that has none; the first is the local run's
// own (scripts/label.mjs), which works.
const POLICIES = {
  'local run\'s': (o) => [
    "default-src 'none'", `script-src ${o.cdn} 'wasm-unsafe-eval'`, `connect-src 'self' ${o.cdn} ${o.media}`,
    `media-src ${o.media}`, `worker-src blob: ${o.cdn}`, "style-src 'self'", 'img-src data: blob:', "base-uri 'none'", "form-action 'self'",
  ].join('; '),
  'worker-src \'self\'': () => "worker-src 'self'",
  'worker-src CDN': (o) => `worker-src ${o.cdn}`,
  // Classic and module scripts alike from the CDN (no 'strict-dynamic'); with no worker-src, this
  // script-src also governs workers.
  'script-src CDN \'wasm-unsafe-eval\'': (o) => `script-src ${o.cdn} 'wasm-unsafe-eval'`,
  'script-src CDN, worker-src blob: CDN (no \'wasm-unsafe-eval\')': (o) => `script-src ${o.cdn}; worker-src blob: ${o.cdn}`,
  'connect-src S3 only': (o) => `connect-src ${o.media}`,
};

/**
 * The rows: every sandbox on both framings without a policy, then every policy framed cross-site
 * without a sandbox, in Chromium as playwright-core starts it (a cross-site frame's storage
 * refused: `storage: 'blocked'`); then the cross-site rows that keep allow-same-origin with
 * third-party storage partitioned, as Chrome ships (tests/lib/portal.mjs, launchPartitioned).
 */
export const CELLS = [
  ...Object.keys(SANDBOXES).flatMap((sandbox) => ['cross-site', 'same-site'].map((framing) => ({ sandbox, framing, csp: 'none', storage: 'blocked' }))),
  ...Object.keys(POLICIES).map((csp) => ({ sandbox: 'none', framing: 'cross-site', csp, storage: 'blocked' })),
  ...['none', 'scripts forms same-origin'].map((sandbox) => ({ sandbox, framing: 'cross-site', csp: 'none', storage: 'partitioned' })),
];
const SKIPPED = [{
  sandbox: 'none', framing: 'cross-site', csp: 'module scripts refused, classic ones allowed', storage: 'blocked',
  reason: 'not expressible in a Content-Security-Policy (script-src allows or refuses a source, whatever the script\'s type): no portal can ask it of the browser; a classic-script build is issue 13\'s to-do',
}];
const cellId = (c) => `${c.sandbox} | ${c.framing} | ${c.csp}${c.storage === 'partitioned' ? ' | partitioned' : ''}`;

// What each cell showed (doc/ground-truth.md, "Portal policies", explains the columns).
// result: 'works' | 'degraded' | 'fails'; messages: what the annotator is shown and the error
// events' messages (sorted), origins written
// {cdn}, {media}, {task}. Update from a run with AVSEG_PORTAL_RECORD=/tmp/matrix.json.
// Measured with Chromium 156 (Debian), with issue 13's no-IndexedDB (drafts in memory) and
// no-WebAssembly (wasm-refused) paths built.
export const EXPECTED = {
  'none | cross-site | none': {
    modules: true, ready: true, codes: ['drafts-in-memory'], draft: 'lost', submit: 'answer', result: 'degraded',
    messages: ['This browser does not let the task store drafts (UnknownError: The user denied permission to access the database). What you do is kept only while this page stays open: reloading or closing it loses your work, so submit before you leave the page.'],
  },
  'none | same-site | none': {
    modules: true, ready: true, codes: [], draft: 'kept', submit: 'answer', result: 'works',
    messages: [],
  },
  'scripts forms same-origin | cross-site | none': {
    modules: true, ready: true, codes: ['drafts-in-memory'], draft: 'lost', submit: 'answer', result: 'degraded',
    messages: ['This browser does not let the task store drafts (UnknownError: The user denied permission to access the database). What you do is kept only while this page stays open: reloading or closing it loses your work, so submit before you leave the page.'],
  },
  'scripts forms same-origin | same-site | none': {
    modules: true, ready: true, codes: [], draft: 'kept', submit: 'answer', result: 'works',
    messages: [],
  },
  'scripts forms same-origin popups modals | cross-site | none': {
    modules: true, ready: true, codes: ['drafts-in-memory'], draft: 'lost', submit: 'answer', result: 'degraded',
    messages: ['This browser does not let the task store drafts (UnknownError: The user denied permission to access the database). What you do is kept only while this page stays open: reloading or closing it loses your work, so submit before you leave the page.'],
  },
  'scripts forms same-origin popups modals | same-site | none': {
    modules: true, ready: true, codes: [], draft: 'kept', submit: 'answer', result: 'works',
    messages: [],
  },
  'scripts forms | cross-site | none': {
    modules: true, ready: false, codes: ['internal (fatal)'], draft: 'lost', submit: 'none', result: 'fails',
    messages: ['The decoder worker failed to start (it is loaded from {cdn}; the asset host must send CORS headers and the page\'s Content-Security-Policy must allow blob: workers and \'wasm-unsafe-eval\').'],
  },
  'scripts forms | same-site | none': {
    modules: true, ready: false, codes: ['internal (fatal)'], draft: 'lost', submit: 'none', result: 'fails',
    messages: ['The decoder worker failed to start (it is loaded from {cdn}; the asset host must send CORS headers and the page\'s Content-Security-Policy must allow blob: workers and \'wasm-unsafe-eval\').'],
  },
  'scripts forms popups modals | cross-site | none': {
    modules: true, ready: false, codes: ['internal (fatal)'], draft: 'lost', submit: 'none', result: 'fails',
    messages: ['The decoder worker failed to start (it is loaded from {cdn}; the asset host must send CORS headers and the page\'s Content-Security-Policy must allow blob: workers and \'wasm-unsafe-eval\').'],
  },
  'scripts forms popups modals | same-site | none': {
    modules: true, ready: false, codes: ['internal (fatal)'], draft: 'lost', submit: 'none', result: 'fails',
    messages: ['The decoder worker failed to start (it is loaded from {cdn}; the asset host must send CORS headers and the page\'s Content-Security-Policy must allow blob: workers and \'wasm-unsafe-eval\').'],
  },
  'none | cross-site | local run\'s': {
    modules: true, ready: true, codes: ['drafts-in-memory'], draft: 'lost', submit: 'answer', result: 'degraded',
    messages: ['This browser does not let the task store drafts (UnknownError: The user denied permission to access the database). What you do is kept only while this page stays open: reloading or closing it loses your work, so submit before you leave the page.'],
  },
  'none | cross-site | worker-src \'self\'': {
    modules: true, ready: false, codes: ['internal (fatal)'], draft: 'lost', submit: 'none', result: 'fails',
    messages: ['The decoder worker failed to start (it is loaded from {cdn}; the asset host must send CORS headers and the page\'s Content-Security-Policy must allow blob: workers and \'wasm-unsafe-eval\').'],
  },
  'none | cross-site | worker-src CDN': {
    modules: true, ready: false, codes: ['internal (fatal)'], draft: 'lost', submit: 'none', result: 'fails',
    messages: ['The decoder worker failed to start (it is loaded from {cdn}; the asset host must send CORS headers and the page\'s Content-Security-Policy must allow blob: workers and \'wasm-unsafe-eval\').'],
  },
  'none | cross-site | script-src CDN \'wasm-unsafe-eval\'': {
    modules: true, ready: false, codes: ['internal (fatal)'], draft: 'lost', submit: 'none', result: 'fails',
    messages: ['The decoder worker failed to start (it is loaded from {cdn}; the asset host must send CORS headers and the page\'s Content-Security-Policy must allow blob: workers and \'wasm-unsafe-eval\').'],
  },
  'none | cross-site | script-src CDN, worker-src blob: CDN (no \'wasm-unsafe-eval\')': {
    modules: true, ready: false, codes: ['wasm-refused (fatal)'], draft: 'n/a', submit: 'none', result: 'fails',
    messages: ['The editor cannot run on this page: its Content-Security-Policy refuses WebAssembly, which the annotation model is built on (script-src needs \'wasm-unsafe-eval\'). Nothing can be annotated here until the page\'s owner adds \'wasm-unsafe-eval\' to the page\'s script-src directive. (The browser said: Aborted(CompileError: WebAssembly.instantiate(): Compiling or instantiating WebAssembly module violates the following Content Security policy directive because \'unsafe-eval\' is not an allowed source of script in the following Content Security Policy directive: "script-src {cdn}".). )', 'This task cannot be submitted from this page. The editor cannot run on this page: its Content-Security-Policy refuses WebAssembly, which the annotation model is built on (script-src needs \'wasm-unsafe-eval\'). Nothing can be annotated here until the page\'s owner adds \'wasm-unsafe-eval\' to the page\'s script-src directive. (The browser said: Aborted(CompileError: WebAssembly.instantiate(): Compiling or instantiating WebAssembly module violates the following Content Security policy directive because \'unsafe-eval\' is not an allowed source of script in the following Content Security Policy directive: "script-src {cdn}".). ) Please tell the requester of this task.'],
  },
  'none | cross-site | connect-src S3 only': {
    modules: true, ready: false, codes: ['internal (fatal)'], draft: 'n/a', submit: 'none', result: 'fails',
    messages: ['The annotation model could not be loaded: Failed to fetch', 'The decoder module could not be loaded: Failed to fetch'],
  },
  'none | cross-site | none | partitioned': {
    modules: true, ready: true, codes: [], draft: 'kept', submit: 'answer', result: 'works',
    messages: [],
  },
  'scripts forms same-origin | cross-site | none | partitioned': {
    modules: true, ready: true, codes: [], draft: 'kept', submit: 'answer', result: 'works',
    messages: [],
  },
};

const AUTOSAVE_OFF = 'yes for what to do (drafts only in memory: submit before leaving); the cause is given as the browser\'s, not the cross-site frame\'s';
const OPAQUE = 'no (BUG): blames CORS and the policy; the cause is the sandbox without allow-same-origin (an opaque origin, where Chromium starts no module worker from a blob: URL and refuses IndexedDB)';
const NO_BLOB_WORKER = 'yes: names blob: workers (among other causes)';
const NO_WASM = 'yes: names script-src and \'wasm-unsafe-eval\', and says submitting is blocked';
const NO_CONNECT = 'no (BUG): "Failed to fetch" names neither connect-src nor the CDN';
/** Whether what the annotator is shown says what is wrong (judged by reading it). */
export const CLEAR = {
  'none | cross-site | none': AUTOSAVE_OFF,
  'scripts forms same-origin | cross-site | none': AUTOSAVE_OFF,
  'scripts forms same-origin popups modals | cross-site | none': AUTOSAVE_OFF,
  'scripts forms | cross-site | none': OPAQUE,
  'scripts forms | same-site | none': OPAQUE,
  'scripts forms popups modals | cross-site | none': OPAQUE,
  'scripts forms popups modals | same-site | none': OPAQUE,
  'none | cross-site | local run\'s': AUTOSAVE_OFF,
  'none | cross-site | worker-src \'self\'': NO_BLOB_WORKER,
  'none | cross-site | worker-src CDN': NO_BLOB_WORKER,
  'none | cross-site | script-src CDN \'wasm-unsafe-eval\'': NO_BLOB_WORKER,
  'none | cross-site | script-src CDN, worker-src blob: CDN (no \'wasm-unsafe-eval\')': NO_WASM,
  'none | cross-site | connect-src S3 only': NO_CONNECT,
};

const STORAGE = 'nothing from the portal when annotators use Chrome as shipped (the partitioned rows); where a browser blocks a cross-site frame\'s storage: frame the task from the portal\'s own site, or tell annotators to submit before leaving a task';
const SAME_ORIGIN = '`allow-same-origin` in the iframe\'s sandbox (and then the storage of the row above)';
const BLOB = '`blob:` in `worker-src` (avseg starts its worker from a `blob:` URL that imports the CDN\'s worker.js: a page cannot start a worker from another origin\'s URL)';
/** What to ask the portal owner for when a cell is not "works". */
export const ASK = {
  'none | cross-site | none': STORAGE,
  'scripts forms same-origin | cross-site | none': STORAGE,
  'scripts forms same-origin popups modals | cross-site | none': STORAGE,
  'scripts forms | cross-site | none': SAME_ORIGIN,
  'scripts forms | same-site | none': SAME_ORIGIN,
  'scripts forms popups modals | cross-site | none': SAME_ORIGIN,
  'scripts forms popups modals | same-site | none': SAME_ORIGIN,
  'none | cross-site | local run\'s': STORAGE,
  'none | cross-site | worker-src \'self\'': BLOB,
  'none | cross-site | worker-src CDN': BLOB,
  'none | cross-site | script-src CDN \'wasm-unsafe-eval\'': `${BLOB}; without a worker-src, script-src governs workers: add \`worker-src blob: <CDN>\``,
  'none | cross-site | script-src CDN, worker-src blob: CDN (no \'wasm-unsafe-eval\')': '`\'wasm-unsafe-eval\'` in `script-src` (the core and the annotation model are WebAssembly)',
  'none | cross-site | connect-src S3 only': 'the CDN in `connect-src` beside the media bucket (the page fetches avseg-model.wasm and the worker avseg-core.wasm from it)',
};

let browser, partitioned, media, portal, tmp;

async function setUp() {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'avseg-portal-'));
  const clip = path.join(tmp, 'clip.wav');
  await promisify(execFile)('sox', ['-n', '-r', '16000', '-c', '1', '-b', '16', clip, 'synth', '3', 'sine', '440']);
  media = await startMediaServer({ files: { '/clip.wav': { path: clip } } });
  portal = await startPortal({ template: path.join(root, 'template/audio.liquid.html'), media, grants: { [S3_URI]: media.url('/clip.wav') } });
  browser = await launchBrowser();
  partitioned = await launchPartitioned();
}
after(async () => {
  await browser?.close();
  await partitioned?.close();
  await portal?.close();
  await media?.close();
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

// Runs in every frame before its scripts; records, in the task frame, what the element says.
function instrument() {
  if (!location.pathname.startsWith('/task/')) return;
  const log = { ready: false, restored: false, errors: [], failedScripts: [], violations: [] };
  window.__portalCell = log;
  const isEditor = (t) => t?.localName === 'avseg-editor';
  document.addEventListener('ready', (e) => { if (isEditor(e.target)) log.ready = true; }, true);
  document.addEventListener('restored', (e) => { if (isEditor(e.target)) log.restored = true; }, true);
  document.addEventListener('error', (e) => {
    if (isEditor(e.target) && e.detail) log.errors.push({ code: e.detail.code, fatal: !!e.detail.fatal, message: e.detail.message });
    else if (e.target?.localName === 'script') log.failedScripts.push(e.target.src);
  }, true);
  document.addEventListener('securitypolicyviolation', (e) => log.violations.push(`${e.effectiveDirective} ${e.blockedURI}`));
}

// A cell that fails without a word waits this long; the others settle at ready or a fatal error.
const SETTLE_MS = 15000;

async function settle(frame) {
  await frame.waitForFunction(() => window.__portalCell && (window.__portalCell.ready || window.__portalCell.errors.some((e) => e.fatal)), null, { timeout: SETTLE_MS }).catch(() => {});
  // Late warnings (autosave) come just after; a fatal error on one thread (the worker's core, the
  // page's annotation model) is often followed by the other's.
  const fatal = await frame.evaluate(() => window.__portalCell?.errors.some((e) => e.fatal)).catch(() => false);
  await frame.waitForTimeout(fatal ? 1500 : 300);
}

/** Edits two answers and waits for the draft to be written (or refused). */
const edit = (frame) => frame.evaluate(async () => {
  const editor = document.querySelector('avseg-editor');
  if (!editor?.setClassification) return 'no element';
  try {
    editor.setClassification('speechNonSpeech', 'Speech');
    editor.setClassification('rate', 4);
  } catch (err) {
    return `refused: ${err.message}`;
  }
  await Promise.race([Promise.resolve(editor.flushDraft?.()).catch(() => {}), new Promise((resolve) => { setTimeout(resolve, 3000); })]);
  return 'edited';
});

const hasEdit = (frame) => frame.evaluate(() => {
  const c = document.querySelector('avseg-editor')?.value?.classifications;
  return c?.speechNonSpeech === 'Speech' && c?.rate === 4;
}).catch(() => false);

/** What the annotator sees: the template's alert and the element's own alert and notice. */
const shown = (frame) => frame.evaluate(() => {
  const texts = [];
  const visible = (el) => el && !el.hidden && el.textContent.trim();
  const alert = document.querySelector('[data-avseg-alert]');
  if (visible(alert)) texts.push(alert.textContent.trim());
  const shadow = document.querySelector('avseg-editor')?.shadowRoot;
  for (const sel of ['.error', '.notice > span', '.draft-box', '.draft-memory']) {
    const el = shadow?.querySelector(sel);
    if (visible(el) && !(sel === '.notice > span' && el.parentElement.hidden)) texts.push(el.textContent.trim());
  }
  return [...new Set(texts)];
}).catch(() => []);

async function runCell(cell) {
  const id = cellId(cell);
  const url = portal.addCell(id, {
    input: { 'source-ref': S3_URI, cell: id },
    sandbox: SANDBOXES[cell.sandbox],
    csp: cell.csp === 'none' ? undefined : POLICIES[cell.csp],
    framing: cell.framing,
  });
  const page = await (cell.storage === 'partitioned' ? partitioned : browser).newPage();
  try {
    await page.addInitScript(instrument);
    await page.goto(url);
    const frame = page.frames().find((f) => f.url().includes('/task/'));
    await settle(frame);
    const first = await frame.evaluate(() => window.__portalCell);
    // The template's module scripts ran: the element is defined.
    const modules = await frame.evaluate(() => !!customElements.get('avseg-editor'));
    const edited = await edit(frame);
    await frame.waitForTimeout(200);
    const afterEdit = await frame.evaluate(() => window.__portalCell);
    const seenBefore = await shown(frame);
    // The draft's promise: a reload of the task keeps what was typed.
    await Promise.all([page.waitForEvent('framenavigated', { predicate: (f) => f === frame, timeout: 10000 }), frame.evaluate(() => { setTimeout(() => location.reload(), 0); })]);
    await settle(frame);
    const reloaded = await frame.evaluate(() => window.__portalCell);
    const draft = edited !== 'edited' ? 'n/a' : (reloaded.restored && await hasEdit(frame)) ? 'kept' : 'lost';
    const seenAfter = await shown(frame);
    if (!(await hasEdit(frame))) await edit(frame);
    await frame.locator('crowd-button[form-action="submit"]').click({ timeout: 5000 }).catch(() => {});
    // The answer shown, or the template's alert saying why not.
    await frame.waitForFunction(() => document.querySelector('#avseg-preview-output')
      || (document.querySelector('[data-avseg-alert]')?.hidden === false), null, { timeout: 5000 }).catch(() => {});
    const answer = await frame.evaluate(() => document.querySelector('#avseg-preview-output')?.textContent ?? null)
      .then((text) => (text ? JSON.parse(text) : null)).catch(() => null);
    let submit = 'none';
    if (answer) {
      const doc = JSON.parse(answer.annotations ?? 'null');
      submit = doc?.classifications?.speechNonSpeech === 'Speech' && doc.classifications.rate === 4 ? 'answer' : 'answer without the edit';
    }
    const seenAtSubmit = await shown(frame);
    const errors = [...first.errors, ...afterEdit.errors.slice(first.errors.length), ...reloaded.errors];
    const codes = [...new Set(errors.map((e) => `${e.code}${e.fatal ? ' (fatal)' : ''}`))].sort();
    // What was shown and what the error events said, in no particular order (the element's box
    // shows the last of two fatal errors, whichever thread noticed last). The notice of a
    // restored draft is the draft working (its time changes from run to run).
    const messages = [...new Set([...seenBefore, ...seenAfter, ...seenAtSubmit, ...errors.map((e) => e.message)].map(normalize))]
      .filter((m) => !/^Restored your unsaved work from /.test(m)).sort();
    const row = { modules, ready: first.ready && reloaded.ready, codes, draft, submit, messages };
    return { id, row, debug: { edited, first, reloaded, violations: reloaded.violations } };
  } finally {
    await page.close();
  }
}

function normalize(text) {
  let t = text;
  for (const [name, origin] of [['cdn', portal.origins.cdn], ['media', portal.origins.media], ['task', portal.origins.task]]) t = t.split(origin).join(`{${name}}`);
  return t.replace(/\s+/g, ' ').trim();
}

async function pool(items, size, fn) {
  const out = new Array(items.length);
  let next = 0;
  await Promise.all(Array.from({ length: size }, async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]);
    }
  }));
  return out;
}

test('portal matrix: each sandbox, framing and policy gives the recorded result', async () => {
  await setUp();
  const t0 = performance.now();
  const results = await pool(CELLS, 3, runCell);
  const measured = Object.fromEntries(results.map(({ id, row }) => [id, { ...row, result: outcome(row) }]));
  // AVSEG_PORTAL_RECORD=file.json writes what each cell recorded, to review before updating EXPECTED.
  if (process.env.AVSEG_PORTAL_RECORD) {
    await writeFile(process.env.AVSEG_PORTAL_RECORD, JSON.stringify({ ms: Math.round(performance.now() - t0), measured, debug: Object.fromEntries(results.map((r) => [r.id, r.debug])) }, null, 1));
  }
  assert.deepEqual(measured, EXPECTED);
});

test('doc/ground-truth.md "Portal policies" shows the same table', async () => {
  const doc = await readFile(path.join(root, 'doc/ground-truth.md'), 'utf8');
  const policies = section(doc, 'Portal policies');
  const table = matrixTable(CELLS, SKIPPED, EXPECTED, { ask: ASK, clear: CLEAR }, cellId);
  if (process.env.AVSEG_PORTAL_TABLE) await writeFile(process.env.AVSEG_PORTAL_TABLE, `${table}\n`);
  assert.ok(policies.includes(table), `the section must hold this table (from EXPECTED):\n${table}`);
});
