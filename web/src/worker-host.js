// SPDX-License-Identifier: MIT
// The core's message loop, apart from any transport: serve(port) dispatches the element's messages
// (protocol.js) to the load (media-load.js), the renders (worker-render.js) and the view prefetch,
// on whatever speaks postMessage (a worker's global scope, or one end of a MessageChannel in the page).
import createAvsegCore from './avseg-core.js';
import { MediaLoad } from './media-load.js';
import { ViewPrefetch } from './view-prefetch.js';
import { fetchSpan } from './view-bytes.js';
import { recycle, render } from './worker-render.js';
import {
  ANALYSIS_OPTIONS, ANALYZE, ERROR, HELLO, LOAD, MOTION_FRAMES, RECYCLE, REFRESH_URL, RENDER, SNAP, STATS, UNLOAD,
} from './protocol.js';
import { ErrorCode } from './error-codes.js';
import { startWasmModule } from './wasm-script.js';

/** The core's wasm beside this module, for messages; null where import.meta.url is no URL (a classic build). */
const coreWasmUrl = () => {
  try { return new URL(CORE_WASM, new URL(import.meta.url)); } catch { return null; }
};
const CORE_WASM = 'avseg-core.wasm'; // named apart from the glue's literal URL, which bundlers follow: this one is only for messages

/** @typedef {import('./protocol.js').ToWorkerMessage} ToWorkerMessage */

let corePromise;
let M_CORE = null;      // the module, once loaded (renders only happen after that)
function core() {
  // No locateFile: the glue finds its wasm beside itself by a literal URL, which bundlers follow.
  // A failed fetch of its wasm says why (csp-report.js: the CSP's connect-src, an opaque origin).
  // Where that fetch is refused (connect-src, CORS), the wasm comes as a script (wasm-script.js).
  corePromise ??= startWasmModule(createAvsegCore, { url: coreWasmUrl(), file: CORE_WASM })
    .then(({ module, via }) => { M_CORE = Object.assign(module, { wasmVia: via }); return M_CORE; });
  return corePromise;
}

/**
 * Serves the core on `port` (anything with postMessage and addEventListener or onmessage) and
 * says HELLO on it. Returns stop(): the current load ends and the port is no longer heard.
 */
export function serve(port) {
  /** @type {(message: object, transfer?: Transferable[]) => void} */
  const send = (message, transfer = []) => port.postMessage(message, transfer);
  let load = null; // the current load; a new `load` message replaces it
  const prefetch = new ViewPrefetch();

  /** @param {import('./protocol.js').RenderMessage} msg */
  async function onRender(msg) {
    msg.received = performance.timeOrigin + performance.now();
    if (!load || load.id !== msg.load) return;
    prefetch.pause();
    const current = load;
    try {
      await render(current, msg, M_CORE);
    } catch (err) {
      current.post({ type: ERROR, code: ErrorCode.Internal, message: String(err?.message ?? err), fatal: false });
    }
    if (load !== current) return;
    // Idle until the next message: decode what the next view likely needs.
    const { session } = current;
    // Not while reads are refused (a lying server, an expired link): nothing would come of it.
    if (msg.target === 'main' && session) {
      prefetch.follow(session, msg.view, () => load === current && current.session === session && current.done && !current.file?.error,
        (s, view) => fetchSpan(current, s.bytesForPrefetch(view)));
    } else prefetch.resume();
    // After the load, a view's samples may need new ranges: a refused one is a warning.
    const warning = load.renderWarning();
    if (warning) load.post({ type: ERROR, ...warning, fatal: false });
  }

  /** @param {MessageEvent<ToWorkerMessage>} event */
  async function onMessage(event) {
    const msg = event.data;
    switch (msg.type) {
      case LOAD:
        prefetch.stop();
        load?.abort();
        load = new MediaLoad({ id: msg.load, url: msg.url, rangeThreshold: msg.rangeThreshold ?? undefined, peaksUrl: msg.peaks ?? null,
          analysisUrl: msg.analysis ?? null, analysisOptions: msg.analysisOptions ?? null, core, send });
        try {
          await load.run();
        } catch (err) {
          load?.post({ type: ERROR, code: ErrorCode.Internal, message: String(err?.message ?? err), fatal: true });
        }
        break;
      case RENDER:
        await onRender(msg);
        break;
      case RECYCLE:
        recycle(msg.buffer);
        break;
      case REFRESH_URL:
        if (load && load.id === msg.load) await load.refresh(msg.url);
        break;
      case STATS: {
        const module = await core();
        send({ type: STATS, request: msg.request, wasmHeapBytes: module.HEAPU8.length, prefetching: prefetch.busy, ...(load ? load.stats() : { coreBytes: 0 }) });
        break;
      }
      // The analyses (worker-analysis.js) of the current load.
      case ANALYZE:
        if (load?.id === msg.load) load.analysis.analyze(msg);
        break;
      case ANALYSIS_OPTIONS:
        if (load?.id === msg.load) load.analysis.setOptions(msg.options);
        break;
      case SNAP:
        if (load?.id === msg.load) await load.analysis.snap(msg);
        break;
      case MOTION_FRAMES:
        if (load?.id === msg.load) await load.analysis.motionFrames(msg);
        break;
      case UNLOAD:
        prefetch.stop();
        load?.abort();
        load = null;
        break;
    }
  }

  if (typeof port.addEventListener === 'function') {
    port.addEventListener('message', onMessage);
    port.start?.();
  } else port.onmessage = onMessage;
  send({ type: HELLO });
  return () => {
    prefetch.stop();
    load?.abort();
    load = null;
    if (typeof port.removeEventListener === 'function') port.removeEventListener('message', onMessage);
    else port.onmessage = null;
  };
}
