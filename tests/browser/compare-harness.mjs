// SPDX-License-Identifier: MIT
// <avseg-compare> on a page under the strict CSP, with media made at test time in a temp dir.
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { startServers } from '../../scripts/lib/servers.mjs';
import { strictCsp } from '../../web/demo/page.mjs';
import { launchBrowser, collectConsole } from './browser.mjs';
import { root } from './harness.mjs';

export const run = promisify(execFile);

/** Speech of `text` in `voice`, 48 kHz mono WAV, padded with `pad` seconds of silence at the end. */
export async function speak(dir, name, voice, text, pad = 0) {
  const raw = path.join(dir, `${name}.raw.wav`);
  await run('espeak-ng', ['-v', voice, '-w', raw, text]);
  await run('sox', ['-R', '-D', '-V1', raw, '-r', '48000', '-b', '16', '-c', '1', path.join(dir, name), 'pad', '0', String(pad)]);
}

/** A temp media dir, the servers and the browser; `open(t, attrs)` gives a tab with <avseg-compare attrs>. */
export async function startComparePage(makeMedia) {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'avseg-compare-'));
  await makeMedia(dir);
  const servers = await startServers({ pages: { '/index.html': '' }, csp: strictCsp, assetRoot: process.env.AVSEG_DIST ?? path.join(root, 'dist'), mediaRoot: dir });
  const browser = await launchBrowser();
  return {
    servers,
    browser,
    media: (name) => servers.media.url(`/${name}`),
    async open(t, attrs = '', viewport = { width: 1200, height: 1400 }) {
      servers.setPage('/index.html', `<!doctype html><meta charset="utf-8"><link rel="icon" href="data:,"><title>compare</title>
<script type="module" src="${servers.assets.url('/avseg-compare.js')}"></script><body><avseg-compare ${attrs}></avseg-compare></body>`);
      const page = await browser.newPage();
      const log = collectConsole(page);
      t.after(async () => {
        if (t.passed === false || process.env.AVSEG_VERBOSE) console.log(JSON.stringify(log, null, 1));
        await page.close();
      });
      await page.setViewportSize(viewport);
      await page.goto(servers.page.url('/'));
      await page.waitForFunction(() => customElements.get('avseg-compare'));
      return page;
    },
    async close() {
      await browser.close();
      await servers.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Sets the config and clips and waits for `ready` (rejects on a fatal error). */
export function setClips(page, config, clips, options) {
  return page.evaluate(([config, clips, options]) => new Promise((resolve, reject) => {
    const el = document.querySelector('avseg-compare');
    el.addEventListener('error', (e) => { if (e.detail.fatal) reject(new Error(e.detail.message)); });
    el.config = config;
    el.setClips(clips, options).then(() => resolve({ order: el.order, seed: el.seed }), reject);
  }), [config, clips, options]);
}

/** Polls the page expression `expr` (a string, evaluated by the debugger, which the page's CSP allows) until it holds. */
export async function until(page, expr, timeout = 15000) {
  const end = Date.now() + timeout;
  for (;;) {
    if (await page.evaluate(expr)) return;
    if (Date.now() > end) throw new Error(`timed out waiting for ${expr}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
