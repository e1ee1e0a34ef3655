// SPDX-License-Identifier: MIT
// The probes of template/diagnostics.liquid.html. A classic script, so that it runs where module
// scripts are refused; it needs nothing from avseg. Each probe tries the real thing and, when it is
// refused, names the Content-Security-Policy directive that refused it (from the browser's
// securitypolicyviolation events) or the error the browser gave.
(function () {
  'use strict';
  const base = document.currentScript.src.replace(/\/[^/]*$/, '');
  const root = document.querySelector('[data-avseg-diagnostics]');
  const field = document.querySelector('input[name="diagnostics"]');
  const TIMEOUT = 10000;
  const violations = [];
  document.addEventListener('securitypolicyviolation', (e) => violations.push(e));

  // Violation events are queued after the refusal: give them a moment before looking.
  const settle = () => new Promise((r) => setTimeout(r, 50));
  const refusedBy = async (test) => {
    await settle();
    const v = violations.find((e) => test(e.blockedURI, e));
    return v ? `${v.effectiveDirective || v.violatedDirective}` : undefined;
  };
  const withTimeout = (promise, what) => Promise.race([
    promise,
    new Promise((_, reject) => setTimeout(() => reject(new Error(`no answer from ${what} within ${TIMEOUT / 1000} s`)), TIMEOUT)),
  ]);
  const message = (err) => (err && err.message) || String(err);

  function startWorker(url, options) {
    return new Promise((resolve, reject) => {
      const w = new Worker(url, options);
      w.onmessage = (e) => { w.terminate(); resolve(e.data); };
      w.onerror = (e) => { w.terminate(); reject(new Error(e.message || 'the worker failed to start (error event)')); };
    });
  }
  const blobUrl = (text) => URL.createObjectURL(new Blob([text], { type: 'text/javascript' }));

  const probes = {
    'module-scripts': async () => {
      const url = `${base}/module.js`;
      const arrived = new Promise((resolve) => window.addEventListener('avseg-diagnostics-module', resolve, { once: true }));
      const loaded = new Promise((resolve, reject) => {
        const s = document.createElement('script');
        s.type = 'module';
        s.src = url;
        s.onload = resolve;
        s.onerror = () => reject(new Error(`the module script ${url} did not load (refused, or no CORS on the asset host)`));
        document.head.append(s);
      });
      try {
        await withTimeout(Promise.all([loaded, arrived]), 'the module script');
      } catch (err) {
        return { granted: false, directive: await refusedBy((u) => url.startsWith(u) && u !== ''), detail: message(err) };
      }
      return { granted: true, detail: url };
    },
    'blob-worker': async () => {
      try {
        await withTimeout(startWorker(blobUrl("postMessage('ok')")), 'the blob: worker');
        return { granted: true, detail: 'a classic worker from a blob: URL answered' };
      } catch (err) {
        return { granted: false, directive: await refusedBy((u) => u === 'blob' || u.startsWith('blob:')), detail: message(err) };
      }
    },
    'blob-module-worker': async () => {
      const source = `import { PROBE } from ${JSON.stringify(`${base}/module.js`)}; postMessage(PROBE);`;
      try {
        await withTimeout(startWorker(blobUrl(source), { type: 'module' }), 'the blob: module worker');
        return { granted: true, detail: `a module worker from a blob: URL imported ${base}/module.js` };
      } catch (err) {
        return { granted: false, directive: await refusedBy((u) => u === 'blob' || u.startsWith('blob:') || u.startsWith(base)), detail: message(err) };
      }
    },
    'asset-worker': async () => {
      const url = `${base}/worker.js`;
      try {
        await withTimeout(startWorker(url), 'the worker');
        return { granted: true, detail: url };
      } catch (err) {
        const crossOrigin = new URL(url).origin !== self.origin;
        return {
          granted: false,
          directive: await refusedBy((u) => url.startsWith(u) && u !== ''),
          detail: `${message(err)}${crossOrigin ? ' (browsers start a worker only from its page\'s own origin: from another one it takes a blob: URL)' : ''}`,
        };
      }
    },
    webassembly: async () => {
      // (module (func (export "f") (result i32) i32.const 42))
      const bytes = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 127, 3, 2, 1, 0, 7, 5, 1, 1, 102, 0, 0, 10, 6, 1, 4, 0, 65, 42, 11]);
      try {
        const module = await WebAssembly.compile(bytes);
        const instance = await WebAssembly.instantiate(module);
        if (instance.exports.f() !== 42) throw new Error('the module ran but answered wrongly');
        return { granted: true, detail: 'compiled, instantiated and called' };
      } catch (err) {
        const directive = await refusedBy((u) => u === 'wasm-eval' || u === 'eval')
          ?? (/Content Security Policy/i.test(message(err)) ? 'script-src' : undefined);
        return { granted: false, directive, detail: `${message(err)}${directive ? ` (${directive} needs 'wasm-unsafe-eval')` : ''}` };
      }
    },
    indexeddb: async () => {
      const name = `avseg-diagnostics-${Math.random().toString(36).slice(2)}`;
      const req = (r) => new Promise((resolve, reject) => { r.onsuccess = () => resolve(r.result); r.onerror = () => reject(r.error); });
      try {
        if (typeof indexedDB === 'undefined') throw new Error('indexedDB is not defined here');
        const open = indexedDB.open(name, 1);
        open.onupgradeneeded = () => open.result.createObjectStore('probe');
        const db = await withTimeout(req(open), 'indexedDB.open');
        const value = { written: Date.now() };
        await req(db.transaction('probe', 'readwrite').objectStore('probe').put(value, 'k'));
        const read = await req(db.transaction('probe').objectStore('probe').get('k'));
        db.close();
        await req(indexedDB.deleteDatabase(name)).catch(() => {});
        if (!read || read.written !== value.written) throw new Error('what was written did not read back');
        return { granted: true, detail: 'opened, wrote a record and read it back' };
      } catch (err) {
        return { granted: false, detail: `${(err && err.name) || 'Error'}: ${message(err)}` };
      }
    },
    ...mediaProbes(),
    'storage-quota': async () => {
      try {
        const { quota, usage } = await navigator.storage.estimate();
        return { granted: quota > 0, detail: `quota ${(quota / 1048576).toFixed(0)} MiB, used ${(usage / 1048576).toFixed(1)} MiB`, quota, usage };
      } catch (err) {
        return { granted: false, detail: message(err) };
      }
    },
    'cross-origin-isolation': async () => ({
      granted: self.crossOriginIsolated === true,
      detail: self.crossOriginIsolated ? 'SharedArrayBuffer is available' : 'not isolated (no COOP/COEP): SharedArrayBuffer is unavailable; avseg does not need it',
    }),
  };

  // CORS and Range share one request on the task's own (presigned) media URL.
  function mediaProbes() {
    let answer;
    const ask = () => (answer ??= (async () => {
      const url = root.dataset.media;
      if (!url) return { error: 'the task input names no media (source-ref, taskObject or source)' };
      try {
        const res = await withTimeout(fetch(url, { headers: { Range: 'bytes=0-1' }, cache: 'no-store' }), 'the media URL');
        await res.arrayBuffer();
        return { res, origin: new URL(url).origin };
      } catch (err) {
        const origin = new URL(url, location.href).origin;
        return { error: message(err), directive: await refusedBy((u) => u.startsWith(origin)), origin };
      }
    })());
    return {
      'media-cors': async () => {
        const a = await ask();
        if (a.error) {
          return { granted: false, directive: a.directive, detail: a.directive ? `${a.directive} refuses ${a.origin}` : `${a.error} (the media host's CORS rule must allow this page's origin)` };
        }
        return { granted: true, detail: `${a.origin} answered ${a.res.status} to this origin` };
      },
      'media-range': async () => {
        const a = await ask();
        if (a.error) return { granted: false, directive: a.directive, detail: 'not tried: the media could not be read (see CORS)' };
        const range = a.res.headers.get('content-range');
        if (a.res.status !== 206) return { granted: false, detail: `asked for bytes 0-1, got ${a.res.status} (the whole file)` };
        if (!range) return { granted: false, detail: 'a 206, but Content-Range is not readable: the CORS rule must expose it (ExposeHeaders)' };
        return { granted: true, detail: `206, Content-Range: ${range}` };
      },
    };
  }

  function show(name, r) {
    const row = root.querySelector(`[data-capability="${name}"]`);
    row.dataset.granted = String(r.granted);
    if (r.directive) row.dataset.directive = r.directive;
    row.querySelector('[data-result]').textContent = r.granted ? 'yes' : 'no';
    row.querySelector('[data-detail]').textContent = r.directive ? `refused by ${r.directive}: ${r.detail}` : r.detail;
  }

  async function run() {
    root.querySelector('[data-avseg-diagnostics-missing]').hidden = true;
    root.dataset.state = 'running';
    root.querySelector('[data-origin]').textContent = self.origin;
    let framing = 'the top-level page';
    try {
      if (window.top !== window) framing = `in a frame of ${window.top.location.origin} (same origin)`;
    } catch {
      framing = 'in a frame of another origin';
    }
    root.querySelector('[data-framing]').textContent = framing;
    const results = {};
    for (const [name, probe] of Object.entries(probes)) {
      try {
        results[name] = await probe();
      } catch (err) {
        results[name] = { granted: false, detail: `the probe failed: ${message(err)}` };
      }
      show(name, results[name]);
    }
    const answer = { userAgent: navigator.userAgent, origin: self.origin, framing, capabilities: results };
    field.value = JSON.stringify(answer);
    // crowd-form submits each named input by its name; a hidden input as its value, a string.
    root.querySelector('[data-avseg-answer]').textContent = JSON.stringify({ diagnostics: field.value }, null, 2);
    root.dataset.state = 'done';
  }

  run();
})();
