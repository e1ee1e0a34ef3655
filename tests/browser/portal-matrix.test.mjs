// SPDX-License-Identifier: MIT
// The worker-portal matrix (issue 13): a Ground Truth template (template/audio.liquid.html, or
// its classic-script variant) rendered by the local run's Liquid setup, framed by a "portal" page
// on another origin (cross-site: localhost framing 127.0.0.1; same-site: another port of
// 127.0.0.1), under each plausible iframe sandbox and Content-Security-Policy, its assets on a
// CDN answering CORS for any origin or only for the named portal origins, with a cross-site
// frame's storage blocked (playwright-core's Chromium), partitioned (as Chrome ships), or as
// Firefox ESR keeps it by default (Total Cookie Protection). From inside the task frame, each cell
// records whether the element got defined and ready, whether any module script or module worker
// was used, the thread the core ran on (editor.coreThread), how its WebAssembly came
// (editor.wasmVia), where drafts were kept
// (editor.draftStorage), its `error` events, whether an edit survives a reload of the task (the
// draft), whether crowd-form submits an answer holding the edit, and what the annotator is shown.
// The recorded rows must equal EXPECTED, and doc/ground-truth.md's "Portal policies" must show the
// same table.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { access, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { launchBrowser } from './browser.mjs';
import { startMediaServer } from '../lib/media-server.mjs';
import { launchFirefoxOwnStorage, launchPartitioned, openTaskFrame, startPortal } from '../lib/portal.mjs';
import { matrixTable, outcome, section, summary } from '../lib/portal-table.mjs';

const root = fileURLToPath(new URL('../..', import.meta.url));
const S3_URI = 's3://avseg-portal/clip.wav';
const TEMPLATES = {
  module: path.join(root, 'template/audio.liquid.html'),
  classic: path.join(root, 'dist/templates/audio-classic.liquid.html'),
};

const SANDBOXES = {
  'none': null,
  'scripts forms same-origin': 'allow-scripts allow-forms allow-same-origin',
  'scripts forms same-origin popups modals': 'allow-scripts allow-forms allow-same-origin allow-popups allow-modals',
  'scripts forms': 'allow-scripts allow-forms',
  'scripts forms popups modals': 'allow-scripts allow-forms allow-popups allow-modals',
};

// Each policy changes one thing from a task page that has none; the first is the local run's
// own (scripts/label.mjs), which works. `o.cdn` is the cell's CDN.
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
  // For the classic template: scripts only from the CDN, workers only from blob: URLs. No
  // directive refuses module scripts while allowing classic ones; the row's "Module code" column
  // shows that the classic template used none.
  'script-src CDN \'wasm-unsafe-eval\', worker-src blob:': (o) => `script-src ${o.cdn} 'wasm-unsafe-eval'; worker-src blob:`,
};

const cell = (o) => ({ browser: 'chromium', template: 'module', sandbox: 'none', framing: 'cross-site', csp: 'none', cdn: 'any', storage: 'blocked', ...o });

/**
 * The rows: every sandbox on both framings without a policy, then every policy framed cross-site
 * without a sandbox, in Chromium as playwright-core starts it (a cross-site frame's storage
 * refused: `storage: 'blocked'`); the cross-site rows that keep allow-same-origin with third-party
 * storage partitioned, as Chrome ships (tests/lib/portal.mjs, launchPartitioned); the classic
 * template; a CDN answering CORS only for the portal's origins; and Firefox ESR with its own
 * storage policy.
 */
export const CELLS = [
  ...Object.keys(SANDBOXES).flatMap((sandbox) => ['cross-site', 'same-site'].map((framing) => cell({ sandbox, framing }))),
  ...Object.keys(POLICIES).filter((csp) => !csp.endsWith('worker-src blob:')).map((csp) => cell({ csp })),
  ...['none', 'scripts forms same-origin'].map((sandbox) => cell({ sandbox, storage: 'partitioned' })),
  cell({ template: 'classic', csp: 'script-src CDN \'wasm-unsafe-eval\', worker-src blob:' }),
  cell({ template: 'classic', sandbox: 'scripts forms' }),
  cell({ template: 'classic', sandbox: 'scripts forms', csp: 'script-src CDN \'wasm-unsafe-eval\', worker-src blob:' }),
  cell({ cdn: 'portal origins', storage: 'partitioned' }),
  cell({ cdn: 'portal origins', sandbox: 'scripts forms', storage: 'partitioned' }),
  cell({ cdn: 'portal origins', sandbox: 'scripts forms', storage: 'partitioned', template: 'classic' }),
  cell({ browser: 'firefox', storage: 'Firefox default' }),
  cell({ browser: 'firefox', storage: 'Firefox default', sandbox: 'scripts forms' }),
  cell({ browser: 'firefox', storage: 'Firefox default', csp: 'worker-src \'self\'' }),
];
const cellId = (c) => [
  c.sandbox, c.framing, c.csp,
  ...(c.storage === 'partitioned' ? ['partitioned'] : []),
  ...(c.template !== 'module' ? [`${c.template} template`] : []),
  ...(c.cdn !== 'any' ? [`CDN CORS ${c.cdn}`] : []),
  ...(c.browser !== 'chromium' ? [c.browser] : []),
].join(' | ');

// What each cell showed (doc/ground-truth.md, "Portal policies", explains the columns).
// result: 'works' | 'degraded' | 'fails'; messages: what the annotator is shown and the error
// events' messages (sorted), origins written {cdn}, {media}, {task}. Update from a run with
// AVSEG_PORTAL_RECORD=/tmp/matrix.json (AVSEG_PORTAL_ONLY=regex runs only the matching cells and
// asserts nothing). Measured with Chromium 156 and Firefox ESR 153 (Debian) on dist/ as built
// from the commit doc/ground-truth.md names.
export const EXPECTED = {
  'none | cross-site | none': {
    defined: true, modules: true, ready: true, coreThread: 'worker', wasmVia: 'fetch', draftStorage: 'memory', storageAccess: 'refused',
    codes: ['drafts-in-memory'], draft: 'lost', submit: 'answer', result: 'degraded',
    messages: ["Drafts: kept in memory only: a reload loses them.", "This browser does not let the task store drafts (UnknownError: The user denied permission to access the database). The task is framed by a page of another site, and this browser keeps such a frame from storing data. What you do is kept only while this page stays open: reloading or closing it loses your work, so submit before you leave the page."],
  },
  'none | same-site | none': {
    defined: true, modules: true, ready: true, coreThread: 'worker', wasmVia: 'fetch', draftStorage: 'indexeddb', storageAccess: 'not asked',
    codes: [], draft: 'kept', submit: 'answer', result: 'works',
    messages: ['Drafts: saved in this browser.'],
  },
  'scripts forms same-origin | cross-site | none': {
    defined: true, modules: true, ready: true, coreThread: 'worker', wasmVia: 'fetch', draftStorage: 'memory', storageAccess: 'refused',
    codes: ['drafts-in-memory'], draft: 'lost', submit: 'answer', result: 'degraded',
    messages: ["Drafts: kept in memory only: a reload loses them.", "This browser does not let the task store drafts (UnknownError: The user denied permission to access the database). The task is framed by a page of another site, and this browser keeps such a frame from storing data. What you do is kept only while this page stays open: reloading or closing it loses your work, so submit before you leave the page."],
  },
  'scripts forms same-origin | same-site | none': {
    defined: true, modules: true, ready: true, coreThread: 'worker', wasmVia: 'fetch', draftStorage: 'indexeddb', storageAccess: 'not asked',
    codes: [], draft: 'kept', submit: 'answer', result: 'works',
    messages: ['Drafts: saved in this browser.'],
  },
  'scripts forms same-origin popups modals | cross-site | none': {
    defined: true, modules: true, ready: true, coreThread: 'worker', wasmVia: 'fetch', draftStorage: 'memory', storageAccess: 'refused',
    codes: ['drafts-in-memory'], draft: 'lost', submit: 'answer', result: 'degraded',
    messages: ["Drafts: kept in memory only: a reload loses them.", "This browser does not let the task store drafts (UnknownError: The user denied permission to access the database). The task is framed by a page of another site, and this browser keeps such a frame from storing data. What you do is kept only while this page stays open: reloading or closing it loses your work, so submit before you leave the page."],
  },
  'scripts forms same-origin popups modals | same-site | none': {
    defined: true, modules: true, ready: true, coreThread: 'worker', wasmVia: 'fetch', draftStorage: 'indexeddb', storageAccess: 'not asked',
    codes: [], draft: 'kept', submit: 'answer', result: 'works',
    messages: ['Drafts: saved in this browser.'],
  },
  'scripts forms | cross-site | none': {
    defined: true, modules: true, ready: true, coreThread: 'classic-worker', wasmVia: 'fetch', draftStorage: 'memory', storageAccess: 'refused',
    codes: ['drafts-in-memory'], draft: 'lost', submit: 'answer', result: 'degraded',
    messages: ["Drafts: kept in memory only: a reload loses them.", "This browser does not let the task store drafts (SecurityError: Failed to execute 'open' on 'IDBFactory': access to the Indexed Database API is denied in this context). The task's frame has an opaque origin (the portal's iframe sandbox lacks allow-same-origin), and browsers give such a page no storage. What you do is kept only while this page stays open: reloading or closing it loses your work, so submit before you leave the page."],
  },
  'scripts forms | same-site | none': {
    defined: true, modules: true, ready: true, coreThread: 'classic-worker', wasmVia: 'fetch', draftStorage: 'memory', storageAccess: 'refused',
    codes: ['drafts-in-memory'], draft: 'lost', submit: 'answer', result: 'degraded',
    messages: ["Drafts: kept in memory only: a reload loses them.", "This browser does not let the task store drafts (SecurityError: Failed to execute 'open' on 'IDBFactory': access to the Indexed Database API is denied in this context). The task's frame has an opaque origin (the portal's iframe sandbox lacks allow-same-origin), and browsers give such a page no storage. What you do is kept only while this page stays open: reloading or closing it loses your work, so submit before you leave the page."],
  },
  'scripts forms popups modals | cross-site | none': {
    defined: true, modules: true, ready: true, coreThread: 'classic-worker', wasmVia: 'fetch', draftStorage: 'memory', storageAccess: 'refused',
    codes: ['drafts-in-memory'], draft: 'lost', submit: 'answer', result: 'degraded',
    messages: ["Drafts: kept in memory only: a reload loses them.", "This browser does not let the task store drafts (SecurityError: Failed to execute 'open' on 'IDBFactory': access to the Indexed Database API is denied in this context). The task's frame has an opaque origin (the portal's iframe sandbox lacks allow-same-origin), and browsers give such a page no storage. What you do is kept only while this page stays open: reloading or closing it loses your work, so submit before you leave the page."],
  },
  'scripts forms popups modals | same-site | none': {
    defined: true, modules: true, ready: true, coreThread: 'classic-worker', wasmVia: 'fetch', draftStorage: 'memory', storageAccess: 'refused',
    codes: ['drafts-in-memory'], draft: 'lost', submit: 'answer', result: 'degraded',
    messages: ["Drafts: kept in memory only: a reload loses them.", "This browser does not let the task store drafts (SecurityError: Failed to execute 'open' on 'IDBFactory': access to the Indexed Database API is denied in this context). The task's frame has an opaque origin (the portal's iframe sandbox lacks allow-same-origin), and browsers give such a page no storage. What you do is kept only while this page stays open: reloading or closing it loses your work, so submit before you leave the page."],
  },
  'none | cross-site | local run\'s': {
    defined: true, modules: true, ready: true, coreThread: 'worker', wasmVia: 'fetch', draftStorage: 'memory', storageAccess: 'refused',
    codes: ['drafts-in-memory'], draft: 'lost', submit: 'answer', result: 'degraded',
    messages: ["Drafts: kept in memory only: a reload loses them.", "This browser does not let the task store drafts (UnknownError: The user denied permission to access the database). The task is framed by a page of another site, and this browser keeps such a frame from storing data. What you do is kept only while this page stays open: reloading or closing it loses your work, so submit before you leave the page."],
  },
  'none | cross-site | worker-src \'self\'': {
    defined: true, modules: true, ready: true, coreThread: 'page', wasmVia: 'fetch', draftStorage: 'memory', storageAccess: 'refused',
    codes: ['core-on-page-thread', 'drafts-in-memory'], draft: 'lost', submit: 'answer', result: 'degraded',
    messages: ["Drafts: kept in memory only: a reload loses them.", "The media is decoded on this page's own thread, not in a background worker, so the page may be slower to answer while media loads. The page's Content-Security-Policy (worker-src) does not allow workers from blob: URLs, which the editor uses to start its decoder from the asset host {cdn}: ask the portal's owner to add blob: to worker-src.", "This browser does not let the task store drafts (UnknownError: The user denied permission to access the database). The task is framed by a page of another site, and this browser keeps such a frame from storing data. What you do is kept only while this page stays open: reloading or closing it loses your work, so submit before you leave the page."],
  },
  'none | cross-site | worker-src CDN': {
    defined: true, modules: true, ready: true, coreThread: 'page', wasmVia: 'fetch', draftStorage: 'memory', storageAccess: 'refused',
    codes: ['core-on-page-thread', 'drafts-in-memory'], draft: 'lost', submit: 'answer', result: 'degraded',
    messages: ["Drafts: kept in memory only: a reload loses them.", "The media is decoded on this page's own thread, not in a background worker, so the page may be slower to answer while media loads. The page's Content-Security-Policy (worker-src) does not allow workers from blob: URLs, which the editor uses to start its decoder from the asset host {cdn}: ask the portal's owner to add blob: to worker-src.", "This browser does not let the task store drafts (UnknownError: The user denied permission to access the database). The task is framed by a page of another site, and this browser keeps such a frame from storing data. What you do is kept only while this page stays open: reloading or closing it loses your work, so submit before you leave the page."],
  },
  'none | cross-site | script-src CDN \'wasm-unsafe-eval\'': {
    defined: true, modules: true, ready: true, coreThread: 'page', wasmVia: 'fetch', draftStorage: 'memory', storageAccess: 'refused',
    codes: ['core-on-page-thread', 'drafts-in-memory'], draft: 'lost', submit: 'answer', result: 'degraded',
    messages: ["Drafts: kept in memory only: a reload loses them.", "The media is decoded on this page's own thread, not in a background worker, so the page may be slower to answer while media loads. The page's Content-Security-Policy (script-src) does not allow workers from blob: URLs, which the editor uses to start its decoder from the asset host {cdn}: ask the portal's owner to add \"worker-src blob:\" (or blob: in script-src).", "This browser does not let the task store drafts (UnknownError: The user denied permission to access the database). The task is framed by a page of another site, and this browser keeps such a frame from storing data. What you do is kept only while this page stays open: reloading or closing it loses your work, so submit before you leave the page."],
  },
  'none | cross-site | script-src CDN, worker-src blob: CDN (no \'wasm-unsafe-eval\')': {
    defined: true, modules: true, ready: false, coreThread: 'worker', wasmVia: null, draftStorage: null, storageAccess: 'not asked',
    codes: ['wasm-refused (fatal)'], draft: 'n/a', submit: 'none', result: 'fails',
    messages: ['The editor cannot run on this page: its Content-Security-Policy refuses WebAssembly, which the annotation model is built on (script-src needs \'wasm-unsafe-eval\'). Nothing can be annotated here until the page\'s owner adds \'wasm-unsafe-eval\' to the page\'s script-src directive. (The browser said: Aborted(CompileError: WebAssembly.instantiate(): Compiling or instantiating WebAssembly module violates the following Content Security policy directive because \'unsafe-eval\' is not an allowed source of script in the following Content Security Policy directive: "script-src {cdn}".). )', 'This task cannot be submitted from this page. The editor cannot run on this page: its Content-Security-Policy refuses WebAssembly, which the annotation model is built on (script-src needs \'wasm-unsafe-eval\'). Nothing can be annotated here until the page\'s owner adds \'wasm-unsafe-eval\' to the page\'s script-src directive. (The browser said: Aborted(CompileError: WebAssembly.instantiate(): Compiling or instantiating WebAssembly module violates the following Content Security policy directive because \'unsafe-eval\' is not an allowed source of script in the following Content Security Policy directive: "script-src {cdn}".). ) Please tell the requester of this task.'],
  },
  'none | cross-site | connect-src S3 only': {
    defined: true, modules: true, ready: true, coreThread: 'worker', wasmVia: 'script', draftStorage: 'memory', storageAccess: 'refused',
    codes: ['drafts-in-memory'], draft: 'lost', submit: 'answer', result: 'degraded',
    messages: ["Drafts: kept in memory only: a reload loses them.", "This browser does not let the task store drafts (UnknownError: The user denied permission to access the database). The task is framed by a page of another site, and this browser keeps such a frame from storing data. What you do is kept only while this page stays open: reloading or closing it loses your work, so submit before you leave the page."],
  },
  'none | cross-site | none | partitioned': {
    defined: true, modules: true, ready: true, coreThread: 'worker', wasmVia: 'fetch', draftStorage: 'indexeddb-partitioned', storageAccess: 'not asked',
    codes: [], draft: 'kept', submit: 'answer', result: 'works',
    messages: ['Drafts: saved in this browser for this portal only.'],
  },
  'scripts forms same-origin | cross-site | none | partitioned': {
    defined: true, modules: true, ready: true, coreThread: 'worker', wasmVia: 'fetch', draftStorage: 'indexeddb-partitioned', storageAccess: 'not asked',
    codes: [], draft: 'kept', submit: 'answer', result: 'works',
    messages: ['Drafts: saved in this browser for this portal only.'],
  },
  'none | cross-site | script-src CDN \'wasm-unsafe-eval\', worker-src blob: | classic template': {
    defined: true, modules: false, ready: true, coreThread: 'classic-worker', wasmVia: 'fetch', draftStorage: 'memory', storageAccess: 'refused',
    codes: ['drafts-in-memory'], draft: 'lost', submit: 'answer', result: 'degraded',
    messages: ["Drafts: kept in memory only: a reload loses them.", "This browser does not let the task store drafts (UnknownError: The user denied permission to access the database). The task is framed by a page of another site, and this browser keeps such a frame from storing data. What you do is kept only while this page stays open: reloading or closing it loses your work, so submit before you leave the page."],
  },
  'scripts forms | cross-site | none | classic template': {
    defined: true, modules: false, ready: true, coreThread: 'classic-worker', wasmVia: 'fetch', draftStorage: 'memory', storageAccess: 'refused',
    codes: ['drafts-in-memory'], draft: 'lost', submit: 'answer', result: 'degraded',
    messages: ["Drafts: kept in memory only: a reload loses them.", "This browser does not let the task store drafts (SecurityError: Failed to execute 'open' on 'IDBFactory': access to the Indexed Database API is denied in this context). The task's frame has an opaque origin (the portal's iframe sandbox lacks allow-same-origin), and browsers give such a page no storage. What you do is kept only while this page stays open: reloading or closing it loses your work, so submit before you leave the page."],
  },
  'scripts forms | cross-site | script-src CDN \'wasm-unsafe-eval\', worker-src blob: | classic template': {
    defined: true, modules: false, ready: true, coreThread: 'classic-worker', wasmVia: 'fetch', draftStorage: 'memory', storageAccess: 'refused',
    codes: ['drafts-in-memory'], draft: 'lost', submit: 'answer', result: 'degraded',
    messages: ["Drafts: kept in memory only: a reload loses them.", "This browser does not let the task store drafts (SecurityError: Failed to execute 'open' on 'IDBFactory': access to the Indexed Database API is denied in this context). The task's frame has an opaque origin (the portal's iframe sandbox lacks allow-same-origin), and browsers give such a page no storage. What you do is kept only while this page stays open: reloading or closing it loses your work, so submit before you leave the page."],
  },
  'none | cross-site | none | partitioned | CDN CORS portal origins': {
    defined: true, modules: true, ready: true, coreThread: 'worker', wasmVia: 'fetch', draftStorage: 'indexeddb-partitioned', storageAccess: 'not asked',
    codes: [], draft: 'kept', submit: 'answer', result: 'works',
    messages: ['Drafts: saved in this browser for this portal only.'],
  },
  'scripts forms | cross-site | none | partitioned | CDN CORS portal origins': {
    defined: false, modules: true, ready: false, coreThread: null, wasmVia: null, draftStorage: null, storageAccess: 'not asked',
    codes: [], draft: 'n/a', submit: 'none', result: 'fails',
    messages: ['The annotation editor could not be loaded: the browser refused its script crowd-task.js from the asset host {cdn}. Likely causes, in order: (1) this task\'s frame has an opaque origin (the portal\'s iframe sandbox lacks allow-same-origin), so the module script\'s request carried Origin: null, and {cdn} does not answer CORS for that origin; (2) {cdn} sends no CORS header (Access-Control-Allow-Origin) at all, which a module script needs; (3) the portal refuses module scripts. What to do: use the classic variant of this template (dist/templates/*-classic.liquid.html, made by scripts/build), which needs no CORS (its scripts are classic, and it brings the editor\'s .wasm files in as scripts where fetching them is refused): it works in this frame as it is. Or ask the portal\'s owner to add allow-same-origin to the iframe sandbox (the frame then sends the portal\'s origin), or have {cdn} answer CORS to any origin (Access-Control-Allow-Origin: *), since a sandboxed frame sends Origin: null. This task cannot be submitted: the annotation editor did not load, so an answer from this page would be empty. Please tell the requester of this task.'],
  },
  'scripts forms | cross-site | none | partitioned | classic template | CDN CORS portal origins': {
    defined: true, modules: false, ready: true, coreThread: 'classic-worker', wasmVia: 'script', draftStorage: 'memory', storageAccess: 'refused',
    codes: ['drafts-in-memory'], draft: 'lost', submit: 'answer', result: 'degraded',
    messages: ["Drafts: kept in memory only: a reload loses them.", "This browser does not let the task store drafts (SecurityError: Failed to execute 'open' on 'IDBFactory': access to the Indexed Database API is denied in this context). The task's frame has an opaque origin (the portal's iframe sandbox lacks allow-same-origin), and browsers give such a page no storage. What you do is kept only while this page stays open: reloading or closing it loses your work, so submit before you leave the page."],
  },
  'none | cross-site | none | firefox': {
    defined: true, modules: true, ready: true, coreThread: 'worker', wasmVia: 'fetch', draftStorage: 'indexeddb-partitioned', storageAccess: 'not asked',
    codes: [], draft: 'kept', submit: 'answer', result: 'works',
    messages: ['Drafts: saved in this browser for this portal only.'],
  },
  'scripts forms | cross-site | none | firefox': {
    defined: true, modules: true, ready: true, coreThread: 'worker', wasmVia: 'fetch', draftStorage: 'memory', storageAccess: 'refused',
    codes: ['drafts-in-memory'], draft: 'lost', submit: 'answer', result: 'degraded',
    messages: ["Drafts: kept in memory only: a reload loses them.", "This browser does not let the task store drafts (SecurityError: IDBFactory.open: The operation is insecure). The task's frame has an opaque origin (the portal's iframe sandbox lacks allow-same-origin), and browsers give such a page no storage. What you do is kept only while this page stays open: reloading or closing it loses your work, so submit before you leave the page."],
  },
  'none | cross-site | worker-src \'self\' | firefox': {
    defined: true, modules: true, ready: true, coreThread: 'page', wasmVia: 'fetch', draftStorage: 'indexeddb-partitioned', storageAccess: 'not asked',
    codes: ['core-on-page-thread'], draft: 'kept', submit: 'answer', result: 'degraded',
    messages: ['Drafts: saved in this browser for this portal only.', 'The media is decoded on this page\'s own thread, not in a background worker, so the page may be slower to answer while media loads. The page\'s Content-Security-Policy (worker-src) does not allow workers from blob: URLs, which the editor uses to start its decoder from the asset host {cdn}: ask the portal\'s owner to add blob: to worker-src.'],
  },
};

// Judged by reading each cell's messages (re-read them whenever EXPECTED's messages change).
const STORAGE_BLOCKED = 'yes: says what to do (drafts only in memory: submit before leaving), and the drafts line says so; names the cause, a frame of another site whose storage this browser blocks, and quotes the browser\'s refusal';
const OPAQUE_STORAGE = 'yes: says what to do (drafts only in memory: submit before leaving) and names the cause, the sandbox without allow-same-origin (an opaque origin has no storage), with the browser\'s refusal quoted';
const NO_BLOB_WORKER = 'yes: names worker-src and blob:, and says the page may be slower';
const NO_BLOB_SCRIPT = 'yes: names script-src (which governs workers without a worker-src) and blob:, says the page may be slower, and asks for `worker-src blob:`, the narrower grant (or blob: in script-src)';
const NO_WASM = 'yes: names script-src and \'wasm-unsafe-eval\', and says submitting is blocked';
const CORS_GUARD = 'yes: the templates\' guard names the asset host and, first of three likely causes, the opaque origin\'s Origin: null refused by its CORS; says what to do, first the classic template (which works in that frame), else what to ask for; and blocks submitting (the answer would be empty)';
/** Whether what the annotator is shown says what is wrong (judged by reading it). */
export const CLEAR = {
  'none | cross-site | none': STORAGE_BLOCKED,
  'scripts forms same-origin | cross-site | none': STORAGE_BLOCKED,
  'scripts forms same-origin popups modals | cross-site | none': STORAGE_BLOCKED,
  'scripts forms | cross-site | none': OPAQUE_STORAGE,
  'scripts forms | same-site | none': OPAQUE_STORAGE,
  'scripts forms popups modals | cross-site | none': OPAQUE_STORAGE,
  'scripts forms popups modals | same-site | none': OPAQUE_STORAGE,
  'none | cross-site | local run\'s': STORAGE_BLOCKED,
  'none | cross-site | worker-src \'self\'': `${NO_BLOB_WORKER}; drafts: ${STORAGE_BLOCKED}`,
  'none | cross-site | worker-src CDN': `${NO_BLOB_WORKER}; drafts: ${STORAGE_BLOCKED}`,
  'none | cross-site | script-src CDN \'wasm-unsafe-eval\'': `${NO_BLOB_SCRIPT}; drafts: ${STORAGE_BLOCKED}`,
  'none | cross-site | script-src CDN, worker-src blob: CDN (no \'wasm-unsafe-eval\')': NO_WASM,
  'none | cross-site | connect-src S3 only': STORAGE_BLOCKED,
  'none | cross-site | script-src CDN \'wasm-unsafe-eval\', worker-src blob: | classic template': STORAGE_BLOCKED,
  'scripts forms | cross-site | none | classic template': OPAQUE_STORAGE,
  'scripts forms | cross-site | script-src CDN \'wasm-unsafe-eval\', worker-src blob: | classic template': OPAQUE_STORAGE,
  'scripts forms | cross-site | none | partitioned | CDN CORS portal origins': CORS_GUARD,
  'scripts forms | cross-site | none | partitioned | classic template | CDN CORS portal origins': OPAQUE_STORAGE,
  'scripts forms | cross-site | none | firefox': OPAQUE_STORAGE,
  'none | cross-site | worker-src \'self\' | firefox': NO_BLOB_WORKER,
};

const STORAGE = 'nothing from the portal when annotators use Chrome or Firefox as shipped (the partitioned and Firefox rows); where a browser blocks a cross-site frame\'s storage: frame the task from the portal\'s own site, or tell annotators to submit before leaving a task';
const SAME_ORIGIN = '`allow-same-origin` in the iframe\'s sandbox, for drafts that survive a reload (then the storage of the rows with it)';
const BLOB = '`blob:` in `worker-src`, for the decoder in a worker (avseg starts it from a `blob:` URL that imports the CDN\'s worker script: a page cannot start a worker from another origin\'s URL); without it the task works, on the page\'s thread';
const CORS_NULL = 'nothing if the requester uses the classic template (next row); for the module template, `allow-same-origin` in the iframe\'s sandbox (the frame then sends the portal\'s origin, which the CDN names) or a CDN answering CORS to `Origin: null` (or `*`)';
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
  'none | cross-site | worker-src \'self\'': `${BLOB}; drafts: as the first row`,
  'none | cross-site | worker-src CDN': `${BLOB}; drafts: as the first row`,
  'none | cross-site | script-src CDN \'wasm-unsafe-eval\'': `${BLOB} (without a worker-src, script-src governs workers: add \`worker-src blob: <CDN>\`); drafts: as the first row`,
  'none | cross-site | script-src CDN, worker-src blob: CDN (no \'wasm-unsafe-eval\')': '`\'wasm-unsafe-eval\'` in `script-src` (the core and the annotation model are WebAssembly)',
  'none | cross-site | connect-src S3 only': `nothing for \`connect-src\` (the refused .wasm files come as scripts, avseg-core.wasm.js and avseg-model.wasm.js; the CDN in \`connect-src\` saves their extra bytes); drafts: ${STORAGE}`,
  'none | cross-site | script-src CDN \'wasm-unsafe-eval\', worker-src blob: | classic template': STORAGE,
  'scripts forms | cross-site | none | classic template': SAME_ORIGIN,
  'scripts forms | cross-site | script-src CDN \'wasm-unsafe-eval\', worker-src blob: | classic template': SAME_ORIGIN,
  'scripts forms | cross-site | none | partitioned | CDN CORS portal origins': CORS_NULL,
  'scripts forms | cross-site | none | partitioned | classic template | CDN CORS portal origins': `${SAME_ORIGIN} (the .wasm files, refused by the CDN's CORS, come as scripts)`,
  'scripts forms | cross-site | none | firefox': SAME_ORIGIN,
  'none | cross-site | worker-src \'self\' | firefox': BLOB,
};

let browsers, media, portal, tmp;

async function setUp() {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'avseg-portal-'));
  const clip = path.join(tmp, 'clip.wav');
  await promisify(execFile)('sox', ['-n', '-r', '16000', '-c', '1', '-b', '16', clip, 'synth', '3', 'sine', '440']);
  media = await startMediaServer({ files: { '/clip.wav': { path: clip } } });
  await access(TEMPLATES.classic);
  portal = await startPortal({ templates: TEMPLATES, media, grants: { [S3_URI]: media.url('/clip.wav') } });
  const [chromium, partitioned, firefox] = await Promise.all([launchBrowser(), launchPartitioned(), launchFirefoxOwnStorage()]);
  browsers = { chromium, partitioned, firefox };
}
after(async () => {
  await Promise.all(Object.values(browsers ?? {}).map((b) => b.close()));
  await portal?.close();
  await media?.close();
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

const browserOf = (c) => (c.browser === 'firefox' ? browsers.firefox : c.storage === 'partitioned' ? browsers.partitioned : browsers.chromium);

// Runs in every frame before its scripts; records, in the task frame, what the element says and
// which kinds of worker the page started.
function instrument() {
  if (!location.pathname.startsWith('/task/')) return;
  const log = { ready: false, restored: false, errors: [], failedScripts: [], violations: [], workers: [] };
  window.__portalCell = log;
  const isEditor = (t) => t?.localName === 'avseg-editor';
  document.addEventListener('ready', (e) => { if (isEditor(e.target)) log.ready = true; }, true);
  document.addEventListener('restored', (e) => { if (isEditor(e.target)) log.restored = true; }, true);
  document.addEventListener('error', (e) => {
    if (isEditor(e.target) && e.detail) log.errors.push({ code: e.detail.code, fatal: !!e.detail.fatal, message: e.detail.message });
    else if (e.target?.localName === 'script') log.failedScripts.push(e.target.src);
  }, true);
  window.addEventListener('load', () => { log.loadedAt = performance.now(); });
  document.addEventListener('storageaccess', (e) => { if (isEditor(e.target)) log.storageAccess = e.detail; }, true);
  document.addEventListener('securitypolicyviolation', (e) => log.violations.push(`${e.effectiveDirective} ${e.blockedURI}`));
  const NativeWorker = window.Worker;
  window.Worker = new Proxy(NativeWorker, {
    construct(target, args, newTarget) {
      log.workers.push(args[1]?.type === 'module' ? 'module' : 'classic');
      return Reflect.construct(target, args, newTarget);
    },
  });
}

// Generous: a cell that gets ready does so in a few seconds on an idle machine, many more under
// load. A cell whose scripts never define the element is over once the templates' guard has
// spoken (or 8 s after the load, when it says nothing).
const SETTLE_MS = 30000;

async function settle(frame, limit = SETTLE_MS) {
  await frame.waitFor(() => document.readyState === 'complete', limit);
  // The templates' guard (template-guard.js) speaks 2 s after the load when the element is not defined.
  await frame.waitFor(() => window.__portalCell && (window.__portalCell.ready || window.__portalCell.errors.some((e) => e.fatal)
    || (!customElements.get('avseg-editor') && (document.querySelector('[data-avseg-guard]')
      || (window.__portalCell.loadedAt !== undefined && performance.now() > window.__portalCell.loadedAt + 8000)))), limit);
  // Late warnings (autosave) come just after; a fatal error on one thread (the worker's core, the
  // page's annotation model) is often followed by the other's.
  const fatal = await frame.evaluate(() => window.__portalCell?.errors.some((e) => e.fatal)).catch(() => false);
  await new Promise((resolve) => { setTimeout(resolve, fatal ? 1500 : 300); });
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
  await Promise.race([Promise.resolve(editor.flushDraft?.()).catch(() => {}), new Promise((resolve) => { setTimeout(resolve, 15000); })]);
  return 'edited';
});

const hasEdit = (frame) => frame.evaluate(() => {
  const c = document.querySelector('avseg-editor')?.value?.classifications;
  return c?.speechNonSpeech === 'Speech' && c?.rate === 4;
}).catch(() => false);

/** What the annotator sees: the template's alert and the element's own alert and notices. */
const shown = (frame) => frame.evaluate(() => {
  const texts = [];
  const visible = (el) => el && !el.hidden && el.textContent.trim();
  const alert = document.querySelector('[data-avseg-alert]');
  if (visible(alert)) texts.push(alert.textContent.trim());
  const shadow = document.querySelector('avseg-editor')?.shadowRoot;
  for (const sel of ['.error', '.notice > span', '.draft-box', '.draft-memory', '.draft-where', '.core-thread']) {
    for (const el of shadow?.querySelectorAll(sel) ?? []) {
      if (visible(el) && !(sel === '.notice > span' && el.parentElement.hidden)) texts.push(el.textContent.trim());
    }
  }
  return [...new Set(texts)];
}).catch(() => []);

/** The element's own account of how it runs: the core's thread, how its wasm came, and the drafts' home. */
const how = (frame) => frame.evaluate(() => {
  const editor = document.querySelector('avseg-editor');
  return { coreThread: editor?.coreThread ?? null, draftStorage: editor?.draftStorage ?? null, wasmVia: editor?.wasmVia ?? null };
}).catch(() => ({ coreThread: null, draftStorage: null, wasmVia: null }));

/** Any module code: a module script in the task page, or a module worker started. */
const usedModules = (frame) => frame.evaluate(() => !!document.querySelector('script[type="module"]') || window.__portalCell.workers.includes('module'))
  .catch(() => null);

async function runCell(c) {
  const id = cellId(c);
  const url = portal.addCell(id, {
    input: { 'source-ref': S3_URI, cell: id },
    template: c.template,
    cdn: c.cdn === 'any' ? 'any' : 'named',
    sandbox: SANDBOXES[c.sandbox],
    csp: c.csp === 'none' ? undefined : POLICIES[c.csp],
    framing: c.framing,
  });
  const t0 = performance.now();
  const frame = await openTaskFrame(browserOf(c), url, instrument);
  try {
    await settle(frame);
    const first = await frame.evaluate(() => window.__portalCell);
    const defined = await frame.evaluate(() => !!customElements.get('avseg-editor'));
    const { coreThread, wasmVia } = await how(frame);
    // The annotator's first gesture in the element (where drafts are kept in memory, the element
    // asks the browser for storage access on it): a click on the element's own warning.
    if ((await how(frame)).draftStorage === 'memory') {
      // A loaded machine may miss the click or answer late (a fresh-clone run recorded 'not asked'
      // once): click again until the browser's answer is heard.
      for (let i = 0; i < 3 && !(await frame.evaluate(() => !!window.__portalCell.storageAccess)); i++) {
        await frame.click('.draft-memory', 'avseg-editor').catch(() => {});
        await frame.waitFor(() => window.__portalCell.storageAccess, 10000);
      }
    }
    const edited = await edit(frame);
    await new Promise((resolve) => { setTimeout(resolve, 200); });
    const { draftStorage } = await how(frame);
    const afterEdit = await frame.evaluate(() => window.__portalCell);
    const seenBefore = await shown(frame);
    const modules = await usedModules(frame);
    // The draft's promise: a reload of the task keeps what was typed.
    await frame.reload();
    // A first load that neither got ready nor failed has said all it will: a short wait then.
    await settle(frame, first.ready || first.errors.some((e) => e.fatal) ? SETTLE_MS : 5000);
    const reloaded = await frame.evaluate(() => window.__portalCell);
    const draft = edited !== 'edited' ? 'n/a' : (reloaded.restored && await hasEdit(frame)) ? 'kept' : 'lost';
    const seenAfter = await shown(frame);
    if (!(await hasEdit(frame))) await edit(frame);
    // The answer shown, or the template's alert saying why not. A loaded machine may miss the
    // click (a fresh-clone run recorded 'none' once, the cell passing alone): click again.
    for (let i = 0; i < 3; i++) {
      await frame.click('crowd-button[form-action="submit"]').catch(() => {});
      if (await frame.waitFor(() => document.querySelector('#avseg-preview-output')
        || (document.querySelector('[data-avseg-alert]')?.hidden === false), 10000)) break;
    }
    const answer = await frame.evaluate(() => document.querySelector('#avseg-preview-output')?.textContent ?? null)
      .then((text) => (text ? JSON.parse(text) : null)).catch(() => null);
    let submit = 'none';
    if (answer) {
      let doc = null;
      try {
        doc = JSON.parse(answer.annotations ?? 'null');
      } catch { /* an answer whose annotations are not JSON holds no edit */ }
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
    const access = afterEdit.storageAccess;
    const storageAccess = access ? (access.granted ? 'granted' : 'refused') : 'not asked';
    const row = { defined, modules, ready: first.ready && reloaded.ready, coreThread, wasmVia, draftStorage, storageAccess, codes, draft, submit, messages };
    return { id, row, debug: { ms: Math.round(performance.now() - t0), answer, edited, storageAccess: afterEdit.storageAccess ?? null, first, reloaded, violations: [...first.violations, ...reloaded.violations], workers: [...first.workers, ...reloaded.workers] } };
  } finally {
    await frame.close();
  }
}

function normalize(text) {
  let t = text;
  for (const [name, origin] of [['cdn', portal.origins.cdn], ['cdn', portal.origins.cdnNamed], ['media', portal.origins.media], ['task', portal.origins.task]]) t = t.split(origin).join(`{${name}}`);
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

test('portal matrix: each browser, template, sandbox, framing, policy and CDN gives the recorded result', async () => {
  await setUp();
  const t0 = performance.now();
  const only = process.env.AVSEG_PORTAL_ONLY ? new RegExp(process.env.AVSEG_PORTAL_ONLY) : null;
  const results = await pool(only ? CELLS.filter((c) => only.test(cellId(c))) : CELLS, 3, runCell);
  const measured = Object.fromEntries(results.map(({ id, row }) => [id, { ...row, result: outcome(row) }]));
  // AVSEG_PORTAL_RECORD=file.json writes what each cell recorded, to review before updating EXPECTED.
  if (process.env.AVSEG_PORTAL_RECORD) {
    await writeFile(process.env.AVSEG_PORTAL_RECORD, JSON.stringify({ ms: Math.round(performance.now() - t0), measured, debug: Object.fromEntries(results.map((r) => [r.id, r.debug])) }, null, 1));
  }
  if (only) return;
  assert.deepEqual(measured, EXPECTED);
});

test('doc/ground-truth.md "Portal policies" shows the same table', async () => {
  const doc = await readFile(path.join(root, 'doc/ground-truth.md'), 'utf8');
  const policies = section(doc, 'Portal policies');
  const table = matrixTable(CELLS, EXPECTED, { ask: ASK, clear: CLEAR }, cellId);
  if (process.env.AVSEG_PORTAL_TABLE) await writeFile(process.env.AVSEG_PORTAL_TABLE, `${table}\n`);
  assert.ok(policies.includes(table), `the section must hold this table (from EXPECTED):\n${table}`);
  const counts = summary(EXPECTED);
  assert.ok(policies.replace(/\s+/g, ' ').includes(counts), `the section must say: ${counts}`);
});
