// SPDX-License-Identifier: MIT
// Every way an <avseg-editor> comes to be (markup, createElement, new, innerHTML, cloning, a move
// to another document, removal and re-insertion, an upgrade) gives a working editor; and where its
// events go: `error` stops at the element, the others bubble out of it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { collectConsole } from './browser.mjs';
import { startElementPage } from './harness.mjs';

const CONFIG = { categories: [{ name: 'Dog', tags: ['Dog #1'] }] };

let harness, servers, clip, moduleUrl;
let cases = 0;
/** The clip under a URL of its own, so that no test restores another's autosaved draft. */
const clipOnce = () => `${clip}?case=${++cases}`;

before(async () => {
  harness = await startElementPage();
  servers = harness.servers;
  clip = servers.media.url('/speech-gaps.wav');
  moduleUrl = servers.assets.url('/avseg.js');
  const head = '<!doctype html><meta charset="utf-8"><link rel="icon" href="data:,"><title>avseg creation</title>';
  // No script: the element is defined later, by an import from the test.
  servers.setPage('/undefined.html', `${head}<body><avseg-editor id="parsed"></avseg-editor></body>`);
  // The definition arrives while the parser waits on /hold.js: the markup after it is parsed as a defined element.
  servers.setPage('/defined-first.html', `${head}<script type="module" async src="${moduleUrl}"></script>
<script src="/hold.js"></script><body><avseg-editor id="parsed" src="${clip}?case=parsed-after"></avseg-editor></body>`);
});

after(() => harness?.close());

/**
 * Runs in the page before its scripts: counts workers and their messages, ResizeObserver
 * observations and listeners added to window/document; and `exercise(el)`, which loads the clip
 * into an element, waits for its waveform and adds a segment through the API.
 */
function instrument(config) {
  const workers = { created: 0, posted: [], received: [] };
  const NativeWorker = window.Worker;
  window.Worker = class extends NativeWorker {
    constructor(...args) {
      super(...args);
      workers.created++;
      this.addEventListener('message', (e) => workers.received.push(e.data?.type));
    }
    postMessage(message, transfer) {
      workers.posted.push(message?.type);
      return super.postMessage(message, transfer);
    }
  };
  const observed = new Map();
  const NativeResizeObserver = window.ResizeObserver;
  window.ResizeObserver = class extends NativeResizeObserver {
    constructor(callback) { super(callback); observed.set(this, new Set()); }
    observe(target, options) { observed.get(this).add(target); return super.observe(target, options); }
    unobserve(target) { observed.get(this).delete(target); return super.unobserve(target); }
    disconnect() { observed.get(this).clear(); return super.disconnect(); }
  };
  const globalListeners = [];
  const add = EventTarget.prototype.addEventListener;
  EventTarget.prototype.addEventListener = function (type, ...rest) {
    if (this === window || this === document) globalListeners.push(type);
    return add.call(this, type, ...rest);
  };
  window.probe = () => ({
    workers: { created: workers.created, posted: [...workers.posted], received: [...workers.received] },
    observers: observed.size,
    observations: [...observed.values()].reduce((n, s) => n + s.size, 0),
    globalListeners: [...globalListeners],
  });

  /** Non-background pixels of the main waveform, leaving out the zero line. */
  const ink = (el) => {
    const canvas = el.shadowRoot.querySelector('.wave canvas');
    const { width, height } = canvas;
    if (!width || !height) return 0;
    const data = canvas.getContext('2d').getImageData(0, 0, width, height).data;
    const zero = Math.round(0.5 * (height - 1));
    let n = 0;
    for (let y = 0; y < height; y++) {
      if (y === zero) continue;
      for (let x = 0; x < width; x++) {
        const i = (y * width + x) * 4;
        if (data[i] !== data[0] || data[i + 1] !== data[1] || data[i + 2] !== data[2] || data[i + 3] !== data[3]) n++;
      }
    }
    return n;
  };
  const sleep = (ms) => new Promise((resolve) => { setTimeout(resolve, ms); });

  window.exercise = async (el, src, { start = 0.5, end = 1.25 } = {}) => {
    const Editor = customElements.get('avseg-editor');
    const out = { constructor: el.constructor.name, defined: !!Editor && el instanceof Editor, connected: el.isConnected };
    if (!out.defined) return out;
    el.style.width = '600px';
    if (!el.config.categories?.length) el.config = config;
    if (!el.ready) {
      out.outcome = await new Promise((resolve) => {
        const timer = setTimeout(() => resolve({ type: 'timeout' }), 15000);
        el.addEventListener('ready', () => { clearTimeout(timer); resolve({ type: 'ready' }); }, { once: true });
        el.addEventListener('error', (e) => { if (e.detail.fatal) { clearTimeout(timer); resolve({ type: 'error', ...e.detail }); } });
        if (src && el.getAttribute('src') !== src) el.src = src;
      });
      if (out.outcome.type !== 'ready') return out;
    }
    out.ready = el.ready;
    out.duration = el.duration;
    // A fresh frame of the current view, whatever was painted before.
    el.zoomTo(0, el.duration / 2);
    for (let i = 0; i < 200; i++) {
      out.ink = ink(el);
      if (out.ink > 0 && el.view.end === el.duration / 2) break;
      await sleep(50);
    }
    const track = el.value.tracks.find((x) => x.category === 'Dog' && x.tag === 'Dog #1')?.id ?? el.addTrack('Dog', 'Dog #1');
    const id = el.addSegment(track, start, end);
    const segment = el.value.segments.find((s) => s.id === id);
    out.segment = segment && { start: segment.startTime, end: segment.endTime, track: segment.track === track };
    out.segments = el.value.segments.length;
    out.tabIndex = el.tabIndex;
    out.tabindexAttribute = el.getAttribute('tabindex');
    return out;
  };
}

/** A tab on `path` (the page with a parsed element by default), with the instrumentation; closed when `t` ends. */
async function openPage(t, path = '/', { beforeGoto } = {}) {
  const page = await harness.browser.newPage();
  const log = collectConsole(page);
  t.after(async () => {
    if (t.passed === false || process.env.AVSEG_VERBOSE) console.log(JSON.stringify(log, null, 1));
    await page.close();
  });
  await page.setViewportSize({ width: 1000, height: 800 });
  await page.addInitScript(instrument, CONFIG);
  await beforeGoto?.(page);
  await page.goto(servers.page.url(path));
  return { page, log };
}

async function definedPage(t) {
  const opened = await openPage(t);
  await opened.page.waitForFunction(() => customElements.get('avseg-editor'));
  return opened;
}

/** What every working editor shows after exercise(): ready, a drawn waveform, the segment in `value`. */
function assertWorks(out, what, { start = 0.5, end = 1.25 } = {}) {
  assert.equal(out.defined, true, `${what}: the element is an ${out.constructor}, not the editor`);
  assert.equal(out.outcome?.type ?? 'ready', 'ready', `${what}: ${JSON.stringify(out.outcome)}`);
  assert.equal(out.ready, true, `${what}: not ready`);
  assert.ok(out.duration > 9 && out.duration < 11, `${what}: duration ${out.duration}`);
  assert.ok(out.ink > 1000, `${what}: the waveform is not drawn (${out.ink} pixels of ink)`);
  assert.deepEqual(out.segment, { start, end, track: true }, `${what}: the segment added is not in value`);
}

const noErrors = (log) => log.filter((m) => m.type === 'pageerror' || (m.type === 'error' && !/favicon/.test(m.text)));

test('markup parsed before the definition is upgraded into a working editor', { timeout: 90000 }, async (t) => {
  const { page, log } = await definedPage(t);
  const out = await page.evaluate((src) => window.exercise(document.querySelector('avseg-editor'), src), clipOnce());
  assertWorks(out, 'parsed markup');
  assert.equal(out.tabIndex, 0, 'the editor is not focusable');
  assert.deepEqual(noErrors(log), []);
});

test('markup parsed after the definition is a working editor', { timeout: 90000 }, async (t) => {
  const { page, log } = await openPage(t, '/defined-first.html', {
    beforeGoto: (p) => p.route('**/hold.js', async (route) => {
      // Hold the parser until the element is defined.
      for (let i = 0; i < 200 && !(await p.evaluate(() => !!customElements.get('avseg-editor')).catch(() => false)); i++) {
        await new Promise((resolve) => { setTimeout(resolve, 50); });
      }
      await route.fulfill({ contentType: 'application/javascript', body: 'window.definedFirst = !!customElements.get("avseg-editor");' });
    }),
  });
  await page.waitForFunction(() => document.readyState === 'complete');
  assert.equal(await page.evaluate(() => window.definedFirst), true, 'the element was not defined before its markup was parsed');
  const out = await page.evaluate(() => window.exercise(document.getElementById('parsed')));
  assertWorks(out, 'markup after the definition');
  assert.deepEqual(noErrors(log), []);
});

test('document.createElement gives a working editor with no attributes of its own until connected', { timeout: 90000 }, async (t) => {
  const { page, log } = await definedPage(t);
  const out = await page.evaluate(async (src) => {
    const el = document.createElement('avseg-editor');
    const attributes = el.getAttributeNames();
    document.body.append(el);
    return { attributes, ...(await window.exercise(el, src)) };
  }, clipOnce());
  assertWorks(out, 'createElement');
  assert.deepEqual(out.attributes, []);
  assert.equal(out.tabIndex, 0, 'the editor is not focusable');
  assert.deepEqual(noErrors(log), []);
});

test('new of the registered class gives a working editor', { timeout: 90000 }, async (t) => {
  const { page, log } = await definedPage(t);
  const out = await page.evaluate(async (src) => {
    const Editor = customElements.get('avseg-editor');
    const el = new Editor();
    const attributes = el.getAttributeNames();
    el.src = src;
    document.body.append(el);
    return { attributes, ...(await window.exercise(el, src)) };
  }, clipOnce());
  assertWorks(out, 'new');
  assert.deepEqual(out.attributes, []);
  assert.equal(out.tabIndex, 0);
  assert.deepEqual(noErrors(log), []);
});

test('innerHTML gives a working editor and keeps the host tabindex', { timeout: 90000 }, async (t) => {
  const { page, log } = await definedPage(t);
  const out = await page.evaluate(async (src) => {
    const box = document.createElement('div');
    document.body.append(box);
    box.innerHTML = `<avseg-editor tabindex="-1" src="${src}"></avseg-editor>`;
    return window.exercise(box.firstElementChild, src);
  }, clipOnce());
  assertWorks(out, 'innerHTML');
  assert.equal(out.tabindexAttribute, '-1', "the host's tabindex was overwritten");
  assert.deepEqual(noErrors(log), []);
});

test('a clone of a configured, loaded editor is an editor of its own', { timeout: 90000 }, async (t) => {
  const { page, log } = await definedPage(t);
  const out = await page.evaluate(async (src) => {
    const original = document.querySelector('avseg-editor');
    const first = await window.exercise(original, src);
    const clone = original.cloneNode(true);
    clone.taskId = 'the clone';
    const copied = { src: clone.getAttribute('src'), shadowParts: clone.shadowRoot?.querySelectorAll('.wave').length };
    document.body.append(clone);
    const second = await window.exercise(clone, src, { start: 2, end: 3 });
    return { first, second, copied, originalSegments: original.value.segments.length };
  }, clipOnce());
  assertWorks(out.first, 'the original');
  assertWorks(out.second, 'the clone', { start: 2, end: 3 });
  assert.match(out.copied.src, /speech-gaps\.wav\?case=/, 'the clone lost the src attribute');
  assert.equal(out.copied.shadowParts, 1, 'the clone has no shadow root of its own, or two');
  assert.equal(out.second.segments, 1, "the clone shares the original's annotations");
  assert.equal(out.originalSegments, 1, "the clone's edit reached the original");
  assert.deepEqual(noErrors(log), []);
});

test('an editor moved into a same-origin iframe and back keeps working', { timeout: 90000 }, async (t) => {
  const { page, log } = await definedPage(t);
  const out = await page.evaluate(async (src) => {
    const frame = document.createElement('iframe');
    frame.style.cssText = 'width: 800px; height: 600px';
    document.body.append(frame);
    const other = frame.contentDocument;
    const el = document.createElement('avseg-editor');
    other.body.append(other.adoptNode(el));
    const height = () => el.shadowRoot?.querySelector('.wave').getBoundingClientRect().height;
    const there = { ...(await window.exercise(el, src)), document: el.ownerDocument === other, height: height() };
    document.body.append(el);
    const back = { ...(await window.exercise(el, src, { start: 2, end: 3 })), document: el.ownerDocument === document, height: height() };
    // And a loaded editor moved across.
    other.body.append(el);
    const again = { ...(await window.exercise(el, src, { start: 4, end: 5 })), height: height() };
    return { there, back, again, probe: window.probe() };
  }, clipOnce());
  assertWorks(out.there, 'in the iframe');
  assertWorks(out.back, 'back in the page', { start: 2, end: 3 });
  assertWorks(out.again, 'loaded, moved into the iframe', { start: 4, end: 5 });
  assert.ok(out.there.document && out.back.document);
  assert.equal(out.again.segments, 3);
  assert.ok(out.there.height > 40 && out.back.height === out.there.height && out.again.height === out.there.height,
    `the waveform band is laid out differently: ${out.there.height}, ${out.back.height}, ${out.again.height} px (styles lost in another document?)`);
  assert.equal(out.probe.workers.posted.filter((type) => type === 'load').length, 1, 'moving loaded the media again');
  assert.deepEqual(noErrors(log), []);
});

test('removed and re-inserted, an editor keeps its media and annotations without loading again or leaking', { timeout: 90000 }, async (t) => {
  const { page, log } = await definedPage(t);
  const out = await page.evaluate(async (src) => {
    const el = document.querySelector('avseg-editor');
    const parent = el.parentNode;
    const first = await window.exercise(el, src);
    let readyEvents = 0;
    el.addEventListener('ready', () => { readyEvents++; });
    const before = window.probe();
    for (let i = 0; i < 5; i++) {
      el.remove();
      if (i % 2) await new Promise((resolve) => { setTimeout(resolve, 20); });
      parent.append(el);
    }
    const reinserted = { ...(await window.exercise(el, src, { start: 2, end: 3 })) };
    await new Promise((resolve) => { setTimeout(resolve, 300); });
    return { first, reinserted, before, after: window.probe(), readyEvents, segments: el.value.segments.map((s) => s.startTime) };
  }, clipOnce());
  assertWorks(out.first, 'before removal');
  assertWorks(out.reinserted, 'after re-insertion', { start: 2, end: 3 });
  assert.deepEqual(out.segments, [0.5, 2], 'value lost a segment');
  assert.equal(out.readyEvents, 0, 'ready was announced again');
  const count = (list, type) => list.filter((x) => x === type).length;
  assert.equal(out.after.workers.created, 1);
  assert.equal(count(out.after.workers.posted, 'load'), 1, 'the media was loaded again');
  assert.equal(count(out.after.workers.received, 'ready'), 1);
  assert.equal(out.after.observers, 1, 'a ResizeObserver per insertion');
  assert.equal(out.after.observations, out.before.observations, 'observations pile up');
  assert.deepEqual(out.after.globalListeners.slice(out.before.globalListeners.length), [], 'listeners added to window/document');
  assert.deepEqual(noErrors(log), []);
});

test('elements made before the definition, with properties set, are upgraded into working editors', { timeout: 90000 }, async (t) => {
  const { page, log } = await openPage(t, '/undefined.html');
  const out = await page.evaluate(async ([src, url, config]) => {
    const parsed = document.getElementById('parsed');
    const made = document.createElement('avseg-editor');
    // What a framework does before the element's script has arrived.
    made.config = config;
    made.src = src;
    made.draftScope = 'job-7';
    document.body.append(made);
    parsed.src = `${src}&parsed`;
    const undefinedBefore = !customElements.get('avseg-editor');
    await import(url);
    return {
      src,
      undefinedBefore,
      srcAttribute: made.getAttribute('src'),
      draftScope: made.draftScope,
      shadowing: Object.keys(made).filter((k) => k in customElements.get('avseg-editor').prototype),
      made: await window.exercise(made),
      parsed: await window.exercise(parsed),
    };
  }, [clipOnce(), moduleUrl, CONFIG]);
  assert.equal(out.undefinedBefore, true);
  assert.equal(out.srcAttribute, out.src, 'src set before the upgrade did not reach the element');
  assert.equal(out.draftScope, 'job-7', 'draftScope set before the upgrade was lost');
  assert.deepEqual(out.shadowing, [], 'properties set before the upgrade still shadow the editor');
  assertWorks(out.made, 'created before the definition');
  assertWorks(out.parsed, 'parsed before the definition, src set as a property');
  assert.deepEqual(noErrors(log), []);
});

// ---- where events go ----

test('error events stop at the element; ready and change still bubble out of it', { timeout: 90000 }, async (t) => {
  const { page } = await definedPage(t);
  const out = await page.evaluate(async (src) => {
    const heard = { light: [], shadowed: [], windowBubble: [], windowOnerror: [], document: [], parent: [], shadowHost: [], windowCapture: [] };
    const others = { parent: [], shadowHost: [] };
    window.addEventListener('error', (e) => heard.windowBubble.push(e.detail?.code ?? e.message));
    window.onerror = (message) => { heard.windowOnerror.push(String(message)); };
    window.addEventListener('error', (e) => { if (e.target?.localName === 'avseg-editor') heard.windowCapture.push(e.detail.code); }, true);
    document.addEventListener('error', (e) => heard.document.push(e.detail?.code));
    // One editor in the page, one inside another component's shadow root.
    const parent = document.createElement('div');
    document.body.append(parent);
    const host = document.createElement('div');
    document.body.append(host);
    const inner = host.attachShadow({ mode: 'open' });
    parent.addEventListener('error', (e) => heard.parent.push(e.detail?.code));
    host.addEventListener('error', (e) => heard.shadowHost.push(e.detail?.code));
    for (const type of ['ready', 'change']) {
      parent.addEventListener(type, () => others.parent.push(type));
      host.addEventListener(type, () => others.shadowHost.push(type));
    }
    const run = (el, box, url, codes) => new Promise((resolve) => {
      setTimeout(() => resolve({ timeout: true }), 15000);
      el.setAttribute('draft-days', 'soon'); // a warning at ready
      el.addEventListener('error', (e) => {
        codes.push(e.detail.code);
        if (e.detail.fatal) resolve({ bubbles: e.bubbles, composed: e.composed, detail: Object.keys(e.detail).sort() });
      });
      el.addEventListener('ready', () => {
        el.config = { categories: [{ name: 'Dog', tags: ['Dog #1'] }] };
        el.addTrack('Dog', 'Dog #1');
        el.src = new URL('/status/404/gone.wav', url).href; // then a fatal one
      }, { once: true });
      box.append(el);
      el.src = url;
    });
    const light = await run(document.createElement('avseg-editor'), parent, src, heard.light);
    const shadowed = await run(document.createElement('avseg-editor'), inner, src, heard.shadowed);
    await new Promise((resolve) => { setTimeout(resolve, 100); });
    return { heard, others, light, shadowed };
  }, clipOnce());
  for (const where of ['light', 'shadowed']) {
    assert.ok(out.heard[where].includes('invalid-draft-days') && out.heard[where].includes('fetch-failed'), `${where}: ${out.heard[where]}`);
  }
  assert.deepEqual(out.light, { bubbles: false, composed: false, detail: ['code', 'fatal', 'message'] });
  assert.deepEqual(out.shadowed, out.light);
  for (const where of ['windowBubble', 'windowOnerror', 'document', 'parent', 'shadowHost']) {
    assert.deepEqual(out.heard[where], [], `${where} heard the element's errors`);
  }
  // Like a media element's error: a capturing listener on an ancestor in the same tree sees it on its way down.
  assert.deepEqual(out.heard.windowCapture, out.heard.light);
  for (const type of ['ready', 'change']) {
    assert.ok(out.others.parent.includes(type), `${type} no longer bubbles`);
    assert.ok(out.others.shadowHost.includes(type), `${type} no longer leaves the shadow root`);
  }
});
