// SPDX-License-Identifier: MIT
// Starts the core (a module worker, else a classic worker, else on the page's own thread) and
// speaks its message protocol (protocol.js) for the element.
import { assetUrl } from './asset-base.js';
import { ErrorCode } from './error-codes.js';
import {
  ANALYSIS_OPTIONS, ANALYZE, ERROR, HELLO, LOAD, MOTION_FRAMES, RECYCLE, REFRESH_URL, RENDER, SNAP, SNAPPED, SOURCE_REFRESHED, STATS, UNLOAD,
} from './protocol.js';
import { startPageCore } from './page-thread-core.js';
import { explainFailure } from './csp-report.js';
import { classicBuild } from './script-kind.js';

/** @typedef {import('./protocol.js').FromWorkerMessage} FromWorkerMessage */
/** @typedef {import('./protocol.js').RenderView} RenderView */
/** @typedef {'worker'|'classic-worker'|'page'} CoreThread */

/** The worker's script, for messages: in the host's folder (setAssetBase) or beside this module. */
const workerScript = () => assetUrl('worker.js') ?? new URL('worker.js', new URL(import.meta.url));
const hostOf = (url) => (/^https?:$/.test(url.protocol) ? url.origin : url.href.replace(/[^/]*$/, ''));

function moduleWorker() {
  const hosted = assetUrl('worker.js');
  if (hosted) return hosted.origin === self.location.origin ? new Worker(hosted, { type: 'module' }) : viaBlob(`import ${JSON.stringify(hosted.href)};`, 'module');
  // Written as the literal pattern Vite and webpack 5 look for, so that they bundle the worker (and
  // the wasm it loads) themselves. Served from another web origin (a CDN), the module starts it
  // through a blob instead; a bundler's import.meta.url (webpack: a file: URL) is never that.
  const here = new URL(import.meta.url);
  if (/^https?:$/.test(here.protocol) && here.origin !== self.location.origin) return viaBlob(`import ${JSON.stringify(new URL('worker.js', here).href)};`, 'module');
  return new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
}

/**
 * The classic bundle (dist/worker.classic.js) through a blob: where a module worker is refused
 * (an opaque origin) or the page runs the classic build. importScripts fetches it without CORS.
 */
function classicWorker() {
  const url = assetUrl('worker.classic.js') ?? new URL('worker.classic.js', new URL(import.meta.url));
  return viaBlob(`self.avsegWorkerUrl = ${JSON.stringify(url.href)}; importScripts(self.avsegWorkerUrl);`, 'classic');
}

/** A Worker can't be built from another origin's script (a CDN, as in Ground Truth): a same-origin blob loads it instead. */
function viaBlob(source, type) {
  const blobUrl = URL.createObjectURL(new Blob([source], { type: 'text/javascript' }));
  try {
    const worker = new Worker(blobUrl, { type });
    setTimeout(() => URL.revokeObjectURL(blobUrl), 60_000);
    return worker;
  } catch (err) {
    URL.revokeObjectURL(blobUrl);
    throw err;
  }
}

/** The ways to start the core, in the order tried. */
const WAYS = Object.freeze([
  { thread: 'worker', start: moduleWorker, name: 'a module worker' },
  { thread: 'classic-worker', start: classicWorker, name: 'a classic worker (worker.classic.js)' },
  { thread: 'page', start: startPageCore, name: 'the page\'s own thread' },
]);

const SUPERSEDED = { ok: false, code: ErrorCode.Superseded, message: 'another media was loaded (or none) before the fresh link was checked' };

/**
 * Where the core runs and why: `why`, when no worker started, is csp-report.js's explanation of the
 * refused workers (the CSP's directive, an opaque origin) or null; failures: "way: what happened".
 * @typedef {{thread: CoreThread, why: {cause: string, message: string}|null, failures: string[]}} CoreStart
 */

/** The way tried first: the one that worked last, for every client of the page (a comparison's editors don't each retry a refused worker). */
let firstWay = classicBuild ? 1 : 0;

export class CoreClient {
  #core = null;                   // the worker (or the page's core) being started or started
  #thread = null;                 // where the core runs, once it said HELLO
  #queue = [];                    // [message, transfer] posted before HELLO
  #failures = [];                 // the ways that failed this start: "name: why"
  #handler;
  #onStart;
  #requests = 0;
  #waiting = new Map();
  #current = null;                // the load the core works on
  #refreshing = null;             // {load, resolve} of the fresh link the core is checking
  #refreshes = Promise.resolve(); // one at a time: the core's answer names the load, not the request
  #snaps = new Map();             // request -> {load, resolve} of a snap the core is answering

  /**
   * @param {(message: FromWorkerMessage) => void} handler receives every message of the current load
   * @param {(start: CoreStart) => void} [onStart] told where the core runs once it started
   */
  constructor(handler, onStart = () => {}) {
    this.#handler = handler;
    this.#onStart = onStart;
  }

  /** Where the core runs: 'worker', 'classic-worker', 'page', or null (not started, or starting). */
  get thread() { return this.#thread; }

  #ensure() {
    if (!this.#core) {
      this.#failures = [];
      this.#start(firstWay);
    }
  }

  #start(index) {
    for (let i = index; i < WAYS.length; i++) {
      const way = WAYS[i];
      let core;
      try {
        core = way.start();
      } catch (err) {
        this.#failures.push(`${way.name}: ${err?.message ?? err}`);
        continue;
      }
      this.#core = core;
      core.onmessage = (event) => this.#onMessage(core, i, event.data);
      core.onerror = (event) => this.#onError(core, i, event);
      return;
    }
    this.#core = null;
    this.#allFailed();
  }

  #onMessage(core, index, msg) {
    if (core !== this.#core) return;
    if (msg.type === HELLO) {
      this.#thread = WAYS[index].thread;
      firstWay = index;
      for (const [message, transfer] of this.#queue.splice(0)) core.postMessage(message, transfer);
      const start = { thread: this.#thread, why: null, failures: this.#failures.slice() };
      // The refusals were reported while the later ways started: nothing to wait for.
      if (index === 0) this.#onStart(start);
      else explainFailure({ kind: 'worker', url: workerScript(), wait: 0 }).then((why) => this.#onStart({ ...start, why }));
      return;
    }
    if (msg.type === STATS) {
      this.#waiting.get(msg.request)?.(msg);
      this.#waiting.delete(msg.request);
      return;
    }
    if (msg.type === SNAPPED) {
      this.#snaps.get(msg.request)?.resolve(msg.kind ? { frame: msg.frame, kind: msg.kind } : null);
      this.#snaps.delete(msg.request);
      return;
    }
    if (msg.type === SOURCE_REFRESHED) {
      if (this.#refreshing?.load === msg.load) this.#settleRefresh(msg);
      return;
    }
    this.#handler(msg);
  }

  #onError(core, index, event) {
    event.preventDefault?.();
    if (core !== this.#core) return;
    if (!this.#thread) {
      // Refused before it said HELLO: the next way, with what was posted meanwhile still queued.
      core.terminate?.();
      this.#failures.push(`${WAYS[index].name}: ${event.message || 'it did not start'}`);
      this.#start(index + 1);
      return;
    }
    this.#settleRefresh({ ok: false, code: ErrorCode.Internal, message: 'the decoder failed' });
    this.#settleSnaps(() => true);
    this.#handler({ type: ERROR, load: -1, fatal: true, code: ErrorCode.Internal, message: `The decoder stopped: ${event.message || 'an error in its worker'}.` });
  }

  /** No way started: said once, naming what refused them. */
  async #allFailed() {
    this.#queue = [];
    this.#settleRefresh({ ok: false, code: ErrorCode.Internal, message: 'the decoder did not start' });
    this.#settleSnaps(() => true);
    for (const resolve of this.#waiting.values()) resolve({ type: STATS, wasmHeapBytes: 0, prefetching: false, coreBytes: 0 });
    this.#waiting.clear();
    const tried = this.#failures.join('; ');
    const why = await explainFailure({ kind: 'worker', url: workerScript() });
    if (this.#core) return; // started again meanwhile
    this.#handler({
      type: ERROR, load: -1, fatal: true, code: ErrorCode.Internal,
      message: `The decoder could not start. ${why?.message ?? `Its files come from ${hostOf(workerScript())}, which must answer CORS for this page.`} (Tried ${tried}.)`,
    });
  }

  /** Posted now once the core said HELLO, else queued until it does. */
  #send(message, transfer = []) {
    this.#ensure();
    if (this.#thread) this.#core.postMessage(message, transfer);
    else if (this.#core) this.#queue.push([message, transfer]);
  }

  /**
   * rangeThreshold: MP4 files at least this large are read in place with Range requests.
   * analysis: a precomputed analysis file's URL; analysisOptions: how pauses, pitch and jumps are found.
   * @param {{analysis?: string|null, analysisOptions?: import('./protocol.js').AnalysisOptions|null}} [more]
   */
  load(id, url, rangeThreshold, peaks, { analysis = null, analysisOptions = null } = {}) {
    this.#settleRefresh(SUPERSEDED);
    this.#settleSnaps((load) => load !== id);
    this.#current = id;
    // Only the newest load matters to a core that has not started yet (an older one's messages too).
    this.#queue = this.#queue.filter(([m]) => m.type !== LOAD && m.type !== UNLOAD && m.load === undefined);
    this.#send({ type: LOAD, load: id, url, rangeThreshold, peaks, analysis, ...(analysisOptions ? { analysisOptions } : {}) });
  }

  /** Pitch for frames [startFrame, endFrame) of load `id` first (the visible window), then the rest of the file. */
  analyze(id, startFrame, endFrame) {
    if (this.#core && id === this.#current) this.#send({ type: ANALYZE, load: id, kind: 'pitch', startFrame, endFrame });
  }

  /** New analysis options for load `id`: pauses found again, pitch again if its range changed. */
  analysisOptions(id, options) {
    if (this.#core && id === this.#current) this.#send({ type: ANALYSIS_OPTIONS, load: id, options });
  }

  /**
   * A boundary at `frame` of load `id` snapped within `radius` frames to the nearest of `kinds`
   * ('pause', 'energy', 'zero'): resolves with {frame, kind}, or null when nothing is in reach
   * (or the load was replaced meanwhile).
   */
  snap(id, frame, radius, kinds) {
    if (!this.#core || id !== this.#current) return Promise.resolve(null);
    const request = ++this.#requests;
    return new Promise((resolve) => {
      this.#snaps.set(request, { load: id, resolve });
      this.#send({ type: SNAP, load: id, request, frame, radius, kinds });
    });
  }

  /** Small grey pictures of frames [first, first + count) of load `id`'s video (luma transferred), or `{done: true}`. */
  motionFrames(id, frames) {
    if (!this.#core || id !== this.#current) return;
    if (frames.done) this.#send({ type: MOTION_FRAMES, load: id, done: true });
    else {
      const { first, count, width, height, luma } = frames;
      this.#send({ type: MOTION_FRAMES, load: id, first, count, width, height, luma }, [luma]);
    }
  }

  /** Snaps of the loads `gone(load)` says are gone resolve null. */
  #settleSnaps(gone) {
    for (const [request, { load, resolve }] of this.#snaps) {
      if (!gone(load)) continue;
      this.#snaps.delete(request);
      resolve(null);
    }
  }

  /**
   * @param {'main'|'overview'|'spectrogram'} target
   * @param {RenderView} view
   */
  render(id, request, target, view) {
    if (this.#core) this.#send({ type: RENDER, load: id, request, target, view });
  }

  /** A frame's pixel buffer, painted: the core fills it again for a later frame. */
  recycle(buffer) {
    if (buffer?.byteLength && this.#core) this.#send({ type: RECYCLE, buffer }, [buffer]);
  }

  unload() {
    this.#settleRefresh(SUPERSEDED);
    this.#settleSnaps(() => true);
    this.#current = null;
    if (this.#core) this.#send({ type: UNLOAD });
  }

  /**
   * A fresh URL for the same media of load `id`: resolves with the core's answer,
   * {ok: true} or {ok: false, code, message} (another file, or the load is gone).
   */
  refreshUrl(id, url) {
    const ask = () => new Promise((resolve) => {
      if (id !== this.#current) {
        resolve(SUPERSEDED);
        return;
      }
      if (!this.#core) {
        resolve({ ok: false, code: ErrorCode.NoMedia, message: 'there is no media loading to give a fresh link to' });
        return;
      }
      this.#refreshing = { load: id, resolve };
      this.#send({ type: REFRESH_URL, load: id, url });
    });
    const answer = this.#refreshes.then(ask);
    this.#refreshes = answer;
    return answer;
  }

  #settleRefresh(answer) {
    const waiting = this.#refreshing;
    this.#refreshing = null;
    waiting?.resolve(answer);
  }

  stats() {
    const request = ++this.#requests;
    return new Promise((resolve) => {
      this.#waiting.set(request, resolve);
      this.#send({ type: STATS, request });
      if (!this.#core) this.#waiting.delete(request);
    });
  }

  terminate() {
    this.#settleRefresh(SUPERSEDED);
    this.#settleSnaps(() => true);
    this.#core?.terminate();
    this.#core = null;
    this.#thread = null;
    this.#queue = [];
  }
}
