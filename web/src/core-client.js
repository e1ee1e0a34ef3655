// SPDX-License-Identifier: MIT
// Starts the core's Worker and speaks its message protocol (protocol.js) for the element.
import { assetUrl } from './asset-base.js';
import { ErrorCode } from './error-codes.js';
import { ERROR, LOAD, RECYCLE, REFRESH_URL, RENDER, SOURCE_REFRESHED, STATS, UNLOAD } from './protocol.js';

/** @typedef {import('./protocol.js').FromWorkerMessage} FromWorkerMessage */
/** @typedef {import('./protocol.js').RenderView} RenderView */

/** Where the worker's script comes from, for messages: the host's folder (setAssetBase) or beside this module. */
const workerOrigin = () => (assetUrl('worker.js') ?? new URL(import.meta.url)).origin;

function startWorker() {
  const hosted = assetUrl('worker.js');
  if (hosted) return hosted.origin === self.location.origin ? new Worker(hosted, { type: 'module' }) : viaBlob(hosted);
  // Written as the literal pattern Vite and webpack 5 look for, so that they bundle the worker (and
  // the wasm it loads) themselves. Served from another web origin (a CDN), the module starts it
  // through a blob instead; a bundler's import.meta.url (webpack: a file: URL) is never that.
  const here = new URL(import.meta.url);
  if (/^https?:$/.test(here.protocol) && here.origin !== self.location.origin) return viaBlob(new URL('worker.js', here));
  return new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
}

/** A Worker can't be built from another origin's script (a CDN, as in Ground Truth): a same-origin
 * blob module imports it instead, which needs CORS on the asset host. */
function viaBlob(url) {
  const source = `import ${JSON.stringify(url.href)};`;
  const blobUrl = URL.createObjectURL(new Blob([source], { type: 'text/javascript' }));
  const worker = new Worker(blobUrl, { type: 'module' });
  setTimeout(() => URL.revokeObjectURL(blobUrl), 60_000);
  return worker;
}

const SUPERSEDED = { ok: false, code: ErrorCode.Superseded, message: 'another media was loaded (or none) before the fresh link was checked' };

export class CoreClient {
  #worker = null;
  #handler;
  #requests = 0;
  #waiting = new Map();
  #current = null;                // the load the worker works on
  #refreshing = null;             // {load, resolve} of the fresh link the worker is checking
  #refreshes = Promise.resolve(); // one at a time: the worker's answer names the load, not the request

  /** @param {(message: FromWorkerMessage) => void} handler receives every message of the current load */
  constructor(handler) {
    this.#handler = handler;
  }

  #ensure() {
    if (this.#worker) return this.#worker;
    this.#worker = startWorker();
    this.#worker.onmessage = (event) => {
      const msg = event.data;
      if (msg.type === STATS) {
        this.#waiting.get(msg.request)?.(msg);
        this.#waiting.delete(msg.request);
        return;
      }
      if (msg.type === SOURCE_REFRESHED) {
        if (this.#refreshing?.load === msg.load) this.#settleRefresh(msg);
        return;
      }
      this.#handler(msg);
    };
    this.#worker.onerror = (event) => {
      event.preventDefault?.();
      this.#settleRefresh({ ok: false, code: ErrorCode.Internal, message: 'the decoder worker failed' });
      this.#handler({
        type: ERROR, load: -1, fatal: true, code: ErrorCode.Internal,
        message: `The decoder worker failed to start${event.message ? `: ${event.message}` : ''} `
          + `(it is loaded from ${workerOrigin()}; the asset host must send CORS headers and the page's `
          + `Content-Security-Policy must allow blob: workers and 'wasm-unsafe-eval').`,
      });
    };
    return this.#worker;
  }

  /** rangeThreshold: MP4 files at least this large are read in place with Range requests. */
  load(id, url, rangeThreshold, peaks) {
    this.#settleRefresh(SUPERSEDED);
    this.#current = id;
    this.#ensure().postMessage({ type: LOAD, load: id, url, rangeThreshold, peaks });
  }

  /**
   * @param {'main'|'overview'|'spectrogram'} target
   * @param {RenderView} view
   */
  render(id, request, target, view) {
    this.#worker?.postMessage({ type: RENDER, load: id, request, target, view });
  }

  /** A frame's pixel buffer, painted: the worker fills it again for a later frame. */
  recycle(buffer) {
    if (buffer?.byteLength) this.#worker?.postMessage({ type: RECYCLE, buffer }, [buffer]);
  }

  unload() {
    this.#settleRefresh(SUPERSEDED);
    this.#current = null;
    this.#worker?.postMessage({ type: UNLOAD });
  }

  /**
   * A fresh URL for the same media of load `id`: resolves with the worker's answer,
   * {ok: true} or {ok: false, code, message} (another file, or the load is gone).
   */
  refreshUrl(id, url) {
    const ask = () => new Promise((resolve) => {
      if (id !== this.#current) {
        resolve(SUPERSEDED);
        return;
      }
      if (!this.#worker) {
        resolve({ ok: false, code: ErrorCode.NoMedia, message: 'there is no media loading to give a fresh link to' });
        return;
      }
      this.#refreshing = { load: id, resolve };
      this.#worker.postMessage({ type: REFRESH_URL, load: id, url });
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
      this.#ensure().postMessage({ type: STATS, request });
    });
  }

  terminate() {
    this.#settleRefresh(SUPERSEDED);
    this.#worker?.terminate();
    this.#worker = null;
  }
}
