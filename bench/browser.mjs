// SPDX-License-Identifier: MIT
// Headless Chromium with <avseg-editor> served from the asset origin and media from the media origin,
// under the demo's strict CSP, plus in-page drivers for loading and zooming.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServers } from '../scripts/lib/servers.mjs';
import { strictCsp } from '../web/demo/page.mjs';
import { launchBrowser, collectConsole } from '../tests/browser/browser.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const MAIN_WIDTH = 1920;

export async function startBench(mediaRoot, { assetRoot = path.join(root, 'dist') } = {}) {
  // Media may also come from the benchmark's own media servers (bench/range.mjs, bench/memory.mjs) on other loopback ports.
  const csp = (origins) => strictCsp({ ...origins, media: `${origins.media} http://127.0.0.1:*` });
  const servers = await startServers({ pages: {}, csp, assetRoot, mediaRoot, log: false });
  servers.setPage('/index.html', `<!doctype html><meta charset="utf-8"><link rel="icon" href="data:,"><title>avseg bench</title>
<script type="module" src="${servers.assets.origin}/avseg.js"></script>
<body><avseg-editor></avseg-editor></body>`);
  const browser = await launchBrowser();
  let loads = 0;
  return {
    browser,
    // A fresh query each time: setting src to its current value would not reload.
    mediaUrl: (file) => servers.media.url(`/${encodeURIComponent(path.basename(file))}?load=${++loads}`),
    /** A fresh tab (so a fresh worker and wasm heap) with the element sized for a 1920-px main canvas at DPR 1. */
    async newEditor() {
      const page = await browser.newPage();
      const log = collectConsole(page);
      // The worker's own progress messages say more than the element's event (sync requests, multi-range).
      await page.addInitScript(() => {
        const Native = window.Worker;
        window.benchWorker = { progress: null };
        window.Worker = class extends Native {
          constructor(...args) {
            super(...args);
            window.benchWorker.worker = this;   // bench/redraw.mjs reads the frames' own figures
            this.addEventListener('message', (e) => { if (e.data?.type === 'progress') window.benchWorker.progress = e.data; });
          }
        };
      });
      await page.setViewportSize({ width: MAIN_WIDTH + 100, height: 700 });
      await page.goto(servers.page.url('/'));
      await page.evaluate(async (width) => {
        await customElements.whenDefined('avseg-editor');
        document.body.style.margin = '0';
        const el = document.querySelector('avseg-editor');
        const canvas = el.shadowRoot.querySelector('.wave canvas');
        el.style.width = `${width}px`;
        await new Promise(requestAnimationFrame);
        el.style.width = `${width + width - canvas.getBoundingClientRect().width}px`; // add the frame's borders
        await new Promise(requestAnimationFrame);
      }, MAIN_WIDTH);
      const withConsole = (err) => {
        err.message += `\n--- browser console ---\n${log.map((e) => `[${e.type}] ${e.text} ${e.where}`).join('\n')}`;
        throw err;
      };
      return {
        page,
        load: (file, opts) => load(page, this.mediaUrl(file), opts).catch(withConsole),
        loadUrl: (url, opts) => load(page, url, opts).catch(withConsole),
        withConsole,
        redraw: (opts) => redraw(page, opts).catch(withConsole),
      };
    },
    async close() {
      await browser.close();
      await servers.close();
    },
  };
}

function load(page, src, { sampleMs = 0 } = {}) {
  return page.evaluate(async ({ src, sampleMs }) => {
    const el = document.querySelector('avseg-editor');
    const samples = [];
    const poll = async () => {
      const t = performance.now() - t0;
      const { coreBytes, wasmHeapBytes } = await el.stats();
      samples.push({ t, coreBytes, wasmHeapBytes });
    };
    let timer = 0;
    const warnings = [];
    const t0 = performance.now();
    const ready = await new Promise((resolve, reject) => {
      el.addEventListener('ready', (e) => resolve({ ms: performance.now() - t0, ...e.detail }), { once: true });
      el.addEventListener('error', (e) => (e.detail.fatal ? reject(new Error(`${e.detail.code}: ${e.detail.message}`)) : warnings.push(e.detail)));
      if (sampleMs) timer = setInterval(poll, sampleMs);
      el.src = src;
    });
    clearInterval(timer);
    const { coreBytes, wasmHeapBytes } = await el.stats();
    const final = { coreBytes, wasmHeapBytes };
    return { ...ready, warnings, final, samples };
  }, { src, sampleMs });
}

/**
 * For each span, n zoomTo calls at random positions, each timed from the call to the next
 * `avseg-rendered`, then a pan by a tenth of the span (reusing what the first call decoded).
 */
function redraw(page, { spans, n, seed }) {
  return page.evaluate(async ({ spans, n, seed }) => {
    const el = document.querySelector('avseg-editor');
    let count = 0;
    let detail = null;
    let wake = null;
    el.addEventListener('avseg-rendered', (e) => { count++; detail = e.detail; wake?.(); });
    const next = (seen) => new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no avseg-rendered within 60 s')), 60000);
      wake = () => { if (count > seen) { clearTimeout(timer); wake = null; resolve(); } };
      wake();
    });
    // Waits out frames still in flight from earlier changes (the post-ready redraw).
    const quiet = async (ms) => {
      for (let seen = -1; seen !== count;) {
        seen = count;
        await new Promise((r) => setTimeout(r, ms));
      }
    };
    const timeZoom = async (start, end) => {
      const seen = count;
      const t0 = performance.now();
      el.zoomTo(start, end);
      await next(seen);
      const ms = performance.now() - t0;
      await new Promise(requestAnimationFrame);
      return { ms, fromSamples: detail.fromSamples };
    };
    let s = seed >>> 0; // mulberry32
    const random = () => {
      s = (s + 0x6d2b79f5) >>> 0;
      let t = Math.imul(s ^ (s >>> 15), 1 | s);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
    await quiet(500);
    const frames = [];
    for (let i = 0, last = await new Promise(requestAnimationFrame); i < 30; i++) {
      const now = await new Promise(requestAnimationFrame);
      frames.push(now - last);
      last = now;
    }
    const d = el.duration;
    const out = [];
    for (const want of spans) {
      // The whole-file level varies its span slightly, since re-setting an unchanged view draws nothing.
      const whole = want >= d;
      const rows = [];
      for (let i = 0; i < n; i++) {
        const span = whole ? d * (0.999 - 0.001 * random()) : want;
        const start = random() * (d - span);
        const first = await timeZoom(start, start + span);
        const shift = Math.min(span / 10, d - start - span) || -span / 10;
        const pan = await timeZoom(start + shift, start + shift + span);
        rows.push({ start, span, ms: first.ms, fromSamples: first.fromSamples, panMs: pan.ms, panFromSamples: pan.fromSamples });
      }
      out.push({ span: whole ? d : want, whole, rows });
    }
    return { duration: d, sampleRate: el.sampleRate, frameMs: frames.sort((x, y) => x - y)[15], width: el.shadowRoot.querySelector('.wave canvas').width, levels: out };
  }, { spans, n, seed });
}

/** Proportional set size of the whole browser (its process tree), in bytes; 0 where /proc is unreadable. */
export function browserPss(userDataDir) {
  const procs = [];
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const ppid = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1];
      procs.push({ pid, ppid, cmd: readFileSync(`/proc/${pid}/cmdline`, 'utf8') });
    } catch { /* exited meanwhile */ }
  }
  const tree = new Set(procs.filter((p) => p.cmd.includes(userDataDir)).map((p) => p.pid));
  for (let grew = true; grew;) {
    grew = false;
    for (const p of procs) if (tree.has(p.ppid) && !tree.has(p.pid)) { tree.add(p.pid); grew = true; }
  }
  let kb = 0;
  for (const pid of tree) {
    try {
      kb += Number(/^Pss:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'))?.[1] ?? 0);
    } catch { /* exited meanwhile */ }
  }
  return kb * 1024;
}
