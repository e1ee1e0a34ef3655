// SPDX-License-Identifier: MIT
// The element on a page, as Ground Truth lays it out: page, assets (dist/) and media on three
// loopback origins, the page under the strict CSP; and a tab per test that prints the page's
// console when the test fails.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { startServers } from '../../scripts/lib/servers.mjs';
import { strictCsp } from '../../web/demo/page.mjs';
import { launchBrowser, collectConsole } from './browser.mjs';

export const root = fileURLToPath(new URL('../..', import.meta.url));
export const fixtures = process.env.AVSEG_FIXTURES ?? path.join(root, 'build/fixtures');

/** Makes the fixtures, starts the servers and the browser. */
export async function startElementPage({ title = 'avseg test', ...serverOptions } = {}) {
  await promisify(execFile)(path.join(root, 'tests/fixtures/make-media.sh'), [fixtures]);
  const servers = await startServers({
    pages: { '/index.html': '' }, csp: strictCsp, assetRoot: path.join(root, 'dist'), mediaRoot: fixtures, ...serverOptions,
  });
  servers.setPage('/index.html', `<!doctype html><meta charset="utf-8"><link rel="icon" href="data:,"><title>${title}</title>
<script type="module" src="${servers.assets.url('/avseg.js')}"></script><body><avseg-editor></avseg-editor></body>`);
  const browser = await launchBrowser();
  return {
    servers,
    browser,
    /** A new tab on the page with the element defined; closed when test `t` ends. */
    async open(t, viewport) {
      const page = await browser.newPage();
      const log = collectConsole(page);
      t.after(async () => {
        if (t.passed === false || process.env.AVSEG_VERBOSE) console.log(JSON.stringify(log, null, 1));
        // A tab whose worker is stuck in a synchronous read may never finish closing; the browser's
        // own close at the end takes it down.
        let timer;
        const stuck = new Promise((resolve) => { timer = setTimeout(() => resolve('stuck'), 10000); });
        if (await Promise.race([page.close().then(() => 'closed'), stuck]) === 'stuck') console.log(`# a tab did not close within 10 s (${t.name})`);
        clearTimeout(timer);
      });
      await page.setViewportSize(viewport);
      await page.goto(servers.page.url('/'));
      await page.waitForFunction(() => customElements.get('avseg-editor'));
      return page;
    },
    /** A new tab whose element has loaded fixture `name` (with a one-track config) and is ready. */
    async openMedia(t, name, viewport = { width: 1000, height: 900 }) {
      const page = await this.open(t, viewport);
      await page.evaluate((src) => new Promise((resolve, reject) => {
        const el = document.querySelector('avseg-editor');
        el.addEventListener('ready', resolve, { once: true });
        el.addEventListener('error', (e) => { if (e.detail.fatal) reject(new Error(e.detail.message)); });
        el.config = { categories: [{ name: 'Dog', tags: ['Dog #1'] }] };
        el.src = src;
      }), servers.media.url(`/${name}`));
      return page;
    },
    async close() {
      await browser.close();
      await servers.close();
    },
  };
}
