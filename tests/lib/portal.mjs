// SPDX-License-Identifier: MIT
// A worker-portal simulation on loopback: a "portal" page that embeds a task page in an iframe
// (with a given sandbox), the task page rendered from a Ground Truth template by the local run's
// own Liquid setup (with a given Content-Security-Policy), the component's assets on a CDN origin
// and the media on an S3-like server (tests/lib/media-server.mjs). 127.0.0.1 and localhost are
// different sites: the portal is addressed by either to frame the task cross-site or same-site.
// Two CDNs serve the same files: one answers CORS for any origin, the other only for the named
// portal origins (so an opaque frame's `Origin: null` is refused). The cells run in Chromium
// (playwright-core) or Firefox ESR (puppeteer-core), both driven through the same small driver.
import { createServer } from 'node:http';
import { mkdtemp, readFile, realpath, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { CHROMIUM, CHROMIUM_ARGS } from '../browser/browser.mjs';
import { launchFirefox } from '../firefox/firefox.mjs';
import { localize, renderTemplate } from '../../scripts/lib/labeling/render.mjs';
import { css, esc, taskPage } from '../../scripts/lib/labeling/pages.mjs';

const root = fileURLToPath(new URL('../..', import.meta.url));

const TYPES = { '.js': 'application/javascript', '.mjs': 'application/javascript', '.wasm': 'application/wasm', '.css': 'text/css', '.json': 'application/json' };

async function listen(handler) {
  const server = createServer((req, res) => {
    handler(req, res).catch((err) => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(String(err?.stack ?? err));
    });
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  return { server, port: server.address().port };
}

function send(res, status, headers, body) {
  res.writeHead(status, { 'cache-control': 'no-store', ...headers });
  res.end(body);
}

/** A file under `dir` for a URL path, or null (no escaping the folder). */
async function fileIn(dir, pathname) {
  const real = await realpath(dir);
  const candidate = path.resolve(real, `.${path.posix.normalize(`/${pathname}`)}`);
  if (!candidate.startsWith(real + path.sep)) return null;
  try {
    return (await stat(candidate)).isFile() ? candidate : null;
  } catch {
    return null;
  }
}

/**
 * @param {object} o
 * @param {Record<string, string>} o.templates paths of Liquid task templates by name ({module: template/audio.liquid.html, ...})
 * @param {{origin: string, url: (name: string) => string}} o.media a started media server
 * @param {Record<string, string>} o.grants what grant_read_access gives for each source (the s3:// URI → its URL)
 * @returns {Promise<{origins: {cdn: string, cdnNamed: string, task: string, media: string, portal: (site: 'cross-site'|'same-site') => string},
 *   addCell: (id: string, cell: {input: object, template: string, cdn?: 'any'|'named', csp?: string | ((o: object) => string), sandbox?: string | null, framing: 'cross-site'|'same-site'}) => string,
 *   close: () => Promise<void>}>} addCell returns the portal page's URL for that cell; a cell's csp function gets the origins with `cdn` the cell's own CDN
 */
export async function startPortal({ templates, media, grants }) {
  const sources = Object.fromEntries(await Promise.all(Object.entries(templates).map(async ([name, file]) => [name, await readFile(file, 'utf8')])));
  const cells = new Map();
  const origins = { media: media.origin };

  // The CDN: the built component (dist/) and the crowd-html-elements stand-in. `cors(origin)` gives
  // the CORS headers for a request's Origin: CloudFront's managed policy answers `*` to anyone (an
  // opaque frame sends Origin: null); a policy naming the portal origins answers only those.
  const cdnServer = (cors) => listen(async (req, res) => {
    const pathname = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    const headers = cors(req.headers.origin);
    const file = pathname === '/crowd-html-elements.js'
      ? path.join(root, 'template/local/crowd-html-elements.js')
      : await fileIn(path.join(root, 'dist'), pathname);
    if (!file) return send(res, 404, headers, 'not found');
    send(res, 200, { ...headers, 'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream' }, await readFile(file));
  });
  const named = new Set();
  const [cdn, cdnNamed] = await Promise.all([
    cdnServer(() => ({ 'access-control-allow-origin': '*' })),
    cdnServer((origin) => (origin && named.has(origin) ? { 'access-control-allow-origin': origin, vary: 'Origin' } : { vary: 'Origin' })),
  ]);
  origins.cdn = `http://127.0.0.1:${cdn.port}`;
  origins.cdnNamed = `http://127.0.0.1:${cdnNamed.port}`;

  // The task page: the template rendered for the cell's task input, under the cell's policy.
  const task = await listen(async (req, res) => {
    const pathname = new URL(req.url, 'http://x').pathname;
    if (pathname === '/local.css') return send(res, 200, { 'content-type': 'text/css' }, css);
    const cell = cells.get(decodeURIComponent(pathname.replace(/^\/task\//, '')));
    if (!cell) return send(res, 404, {}, 'no such cell');
    const cellCdn = cell.cdn === 'named' ? origins.cdnNamed : origins.cdn;
    const rendered = await renderTemplate(sources[cell.template], cell.input, {
      grant: (v) => {
        if (!(v in grants)) throw new Error(`grant_read_access("${v}"): not a source of this portal`);
        return grants[v];
      },
    });
    const html = taskPage({
      job: 'portal-matrix', worker: 'portal', item: { index: 0 }, total: 1, done: [], preview: true, answered: false,
      template: localize(rendered, { assetBase: cellCdn, crowdElements: `${cellCdn}/crowd-html-elements.js` }),
    });
    const csp = typeof cell.csp === 'function' ? cell.csp({ ...origins, cdn: cellCdn }) : cell.csp;
    send(res, 200, { 'content-type': 'text/html; charset=utf-8', ...(csp ? { 'content-security-policy': csp } : {}) }, html);
  });
  origins.task = `http://127.0.0.1:${task.port}`;

  // The portal: a page on its own origin (and site, or not) that frames the task.
  const portal = await listen(async (req, res) => {
    const pathname = new URL(req.url, 'http://x').pathname;
    const id = decodeURIComponent(pathname.replace(/^\/portal\//, ''));
    const cell = cells.get(id);
    if (!cell) return send(res, 404, {}, 'no such cell');
    const sandbox = cell.sandbox === null || cell.sandbox === undefined ? '' : ` sandbox="${esc(cell.sandbox)}"`;
    send(res, 200, { 'content-type': 'text/html; charset=utf-8' }, `<!doctype html>
<html lang="en"><meta charset="utf-8"><title>portal: ${esc(id)}</title>
<body style="margin:0">
<iframe title="task" src="${esc(`${origins.task}/task/${encodeURIComponent(id)}`)}"${sandbox} style="width:1200px;height:900px;border:0"></iframe>
</body></html>`);
  });
  origins.portal = (framing) => `http://${framing === 'cross-site' ? 'localhost' : '127.0.0.1'}:${portal.port}`;
  // The origins a portal's CORS policy would name: where the task page runs, and the portal's own.
  for (const o of [origins.task, origins.portal('cross-site'), origins.portal('same-site')]) named.add(o);

  return {
    origins,
    addCell(id, cell) {
      cells.set(id, cell);
      return `${origins.portal(cell.framing)}/portal/${encodeURIComponent(id)}`;
    },
    async close() {
      await Promise.all([cdn, cdnNamed, task, portal].map(({ server }) => new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      })));
    },
  };
}

// playwright-core launches Chromium with ThirdPartyStoragePartitioning disabled (its
// chromiumSwitches.ts, microsoft/playwright#32230), and Chromium then refuses IndexedDB to a
// cross-site frame; Chrome as shipped partitions that storage instead. The last
// --disable-features wins: Playwright 1.65's list without that feature.
const PLAYWRIGHT_DISABLED_BUT_PARTITIONING = [
  'AvoidUnnecessaryBeforeUnloadCheckSync', 'DestroyProfileOnBrowserClose', 'HttpsUpgrades', 'HttpsFirstBalancedModeAutoEnable',
  'LensOverlay', 'MediaRouter', 'PaintHolding', 'AvoidCorsURLLoaderRestartOnRedirect', 'OptimizationHints',
  'NetworkTimeServiceQuerying', 'AimEnabled', 'PreconnectToSearch',
];

/** Chromium as tests/browser/browser.mjs launches it, but with third-party storage partitioned as Chrome ships. */
export async function launchPartitioned() {
  const userDataDir = await mkdtemp(path.join(os.tmpdir(), 'avseg-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM, headless: true,
    args: [...CHROMIUM_ARGS, `--disable-features=${PLAYWRIGHT_DISABLED_BUT_PARTITIONING.join(',')}`],
  }).catch(async (err) => {
    await rm(userDataDir, { recursive: true, force: true });
    throw err;
  });
  return {
    newPage: () => context.newPage(),
    async close() {
      try {
        await context.close();
      } finally {
        await rm(userDataDir, { recursive: true, force: true });
      }
    },
  };
}

// puppeteer-core's Firefox profile turns Total Cookie Protection off (its standard content-blocking
// features say cookieBehavior0); Firefox as shipped partitions a cross-site frame's storage
// (network.cookie.cookieBehavior 5, its defaults/preferences/firefox.js).
const FIREFOX_OWN_STORAGE = {
  'browser.contentblocking.features.standard': '-tp,tpPrivate,cookieBehavior5,-cryptoTP,-fp',
  'network.cookie.cookieBehavior': 5,
};

/** Firefox ESR as tests/firefox/ launches it, with Firefox's own third-party storage policy. */
export async function launchFirefoxOwnStorage() {
  const firefox = await launchFirefox({ prefs: FIREFOX_OWN_STORAGE });
  return { newPage: () => firefox.newPage(), close: () => firefox.close(), puppeteer: true };
}

const sleep = (ms) => new Promise((resolve) => { setTimeout(resolve, ms); });

/**
 * Opens a portal page in a tab of `browser` (playwright-core's Chromium, or Firefox through
 * puppeteer-core when `browser.puppeteer`), `init` run in every frame before its scripts, and
 * drives its task frame (the frame whose URL has /task/) through one small interface.
 */
export async function openTaskFrame(browser, url, init) {
  const page = await browser.newPage();
  const pptr = !!browser.puppeteer;
  try {
    if (pptr) await page.evaluateOnNewDocument(init);
    else await page.addInitScript(init);
    await page.goto(url, { timeout: 60000 });
  } catch (err) {
    await page.close().catch(() => {});
    throw err;
  }
  const frame = () => page.frames().find((f) => f.url().includes('/task/'));
  const evaluate = (fn, arg) => frame().evaluate(fn, arg);
  return {
    evaluate,
    /** Whether `fn()` became truthy in the task frame within `ms`. */
    waitFor: (fn, ms) => (pptr
      ? frame().waitForFunction(fn, { timeout: ms, polling: 100 })
      : frame().waitForFunction(fn, null, { timeout: ms, polling: 100 })).then(() => true, () => false),
    /** A real click (trusted input) on the first element matching `selector` (in `host`'s shadow root when given). */
    click: (selector, host) => {
      if (pptr) return frame().click(host ? `${host} >>> ${selector}` : selector);
      return frame().locator(host ? `${host} ${selector}` : selector).first().click({ timeout: 5000 });
    },
    /** Reloads the task frame and waits until its new document has run `init`. */
    async reload() {
      await evaluate(() => { window.__portalReloading = true; setTimeout(() => location.reload(), 0); });
      const deadline = Date.now() + 30000;
      while (Date.now() < deadline) {
        await sleep(100);
        const fresh = await Promise.resolve(frame()?.evaluate(() => !window.__portalReloading && !!window.__portalCell && document.readyState !== 'loading')).catch(() => false);
        if (fresh) return;
      }
      throw new Error('the task frame did not come back after a reload');
    },
    close: () => page.close(),
  };
}
