// SPDX-License-Identifier: MIT
// The element's page as tests/browser/harness.mjs lays it out (page, assets and media on three
// loopback origins, the strict CSP), opened in Firefox ESR: one browser per test file, a tab per test.
import path from 'node:path';
import { startServers } from '../../scripts/lib/servers.mjs';
import { strictCsp } from '../../web/demo/page.mjs';
import { root } from '../browser/harness.mjs';
import { launchFirefox, collectConsole } from './firefox.mjs';

/** Waits until `fn(...args)` is truthy in the page (puppeteer's own polling, under a test-sized timeout). */
export const waitFor = (page, fn, ...args) => page.waitForFunction(fn, { timeout: 20000, polling: 50 }, ...args);

export const whenReady = (page) => waitFor(page, () => document.querySelector('avseg-editor')?.ready);

/** A tab that prints its console when test `t` fails, and closes when it ends. */
export async function openTab(firefox, t, viewport = { width: 1000, height: 900 }) {
  const page = await firefox.newPage();
  const log = collectConsole(page);
  t.after(async () => {
    if (t.passed === false || process.env.AVSEG_VERBOSE) console.log(JSON.stringify(log, null, 1));
    // Never wait long on a close (a hung after hook would keep node:test from reporting the test);
    // the browser's own close at the end of the file takes the tab down anyway.
    let timer;
    const stuck = new Promise((resolve) => { timer = setTimeout(() => resolve('stuck'), 10000); });
    if (await Promise.race([page.close().then(() => 'closed', () => 'closed'), stuck]) === 'stuck') console.log(`# a tab did not close within 10 s (${t.name})`);
    clearTimeout(timer);
  });
  await page.setViewport(viewport);
  return page;
}

/** Servers for media in `mediaRoot` and Firefox; `openMedia` gives a tab whose element has loaded a file. */
export async function startFirefoxPage({ mediaRoot, title = 'avseg firefox' }) {
  const servers = await startServers({ pages: { '/index.html': '' }, csp: strictCsp, assetRoot: path.join(root, 'dist'), mediaRoot });
  servers.setPage('/index.html', `<!doctype html><meta charset="utf-8"><link rel="icon" href="data:,"><title>${title}</title>
<script type="module" src="${servers.assets.url('/avseg.js')}"></script><body><avseg-editor></avseg-editor></body>`);
  let firefox;
  try {
    firefox = await launchFirefox();
  } catch (err) {
    await servers.close();
    throw err;
  }
  return {
    servers,
    firefox,
    /** A tab on the page with the element defined. */
    async open(t, viewport) {
      const page = await openTab(firefox, t, viewport);
      await page.goto(servers.page.url('/'));
      await waitFor(page, () => customElements.get('avseg-editor'));
      return page;
    },
    /** A tab whose element has loaded media file `name` (with a one-track config) and is ready. */
    async openMedia(t, name, viewport) {
      const page = await this.open(t, viewport);
      await loadMedia(page, servers.media.url(`/${name}`));
      return page;
    },
    async close() {
      try {
        await firefox.close();
      } finally {
        await servers.close();
      }
    },
  };
}

/** Sets the element's config and src; resolves on `ready` ({restored}: a draft came back), rejects on a fatal `error`. */
export function loadMedia(page, src) {
  return page.evaluate((src) => new Promise((resolve, reject) => {
    const el = document.querySelector('avseg-editor');
    let restored = false;
    el.addEventListener('restored', () => { restored = true; }, { once: true });
    el.addEventListener('ready', () => resolve({ restored }), { once: true });
    el.addEventListener('error', (e) => { if (e.detail.fatal) reject(new Error(`${e.detail.code}: ${e.detail.message}`)); });
    el.config = { categories: [{ name: 'Dog', tags: ['Dog #1', 'Dog #2'] }] };
    el.src = src;
  }), src);
}
