// SPDX-License-Identifier: MIT
// An editor removed from the page for good lets go of what it holds outside itself: its worker
// and its task's draft lock, so that an editor made again for the same task in the same page
// (a framework's remount) takes the draft over instead of being told the task is open elsewhere;
// one removed and put back at once keeps everything and loads nothing again.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startElementPage } from './harness.mjs';

let harness, clip;
let cases = 0;
/** The clip under a URL of its own, so that no test meets another's draft. */
const clipOnce = () => `${clip}?lifecycle=${++cases}`;

before(async () => {
  harness = await startElementPage({ title: 'avseg lifecycle' });
  clip = harness.servers.media.url('/speech-gaps.wav');
});

after(() => harness?.close());

/** Counts the page's workers and which of them were terminated; collects the editors' events. */
function instrument() {
  const workers = [];
  const NativeWorker = window.Worker;
  window.Worker = class extends NativeWorker {
    constructor(...args) {
      super(...args);
      this.entry = { terminated: false };
      workers.push(this.entry);
    }
    terminate() {
      this.entry.terminated = true;
      return super.terminate();
    }
  };
  window.workers = () => workers.map((w) => ({ ...w }));
  window.heard = [];
  for (const type of ['error', 'restored', 'ready']) {
    // Capturing: the element's `error` does not bubble.
    window.addEventListener(type, (e) => {
      if (e.target?.localName === 'avseg-editor') window.heard.push({ editor: e.target.id, type, code: e.detail?.code });
    }, true);
  }
  /** A new editor `id` for task `taskId` on `src`, appended to the page; resolves once ready. */
  window.mount = (id, taskId, src) => new Promise((resolve, reject) => {
    const el = document.createElement('avseg-editor');
    el.id = id;
    el.taskId = taskId;
    el.config = { categories: [{ name: 'Dog', tags: ['Dog #1'] }] };
    el.addEventListener('ready', () => resolve(el), { once: true });
    el.addEventListener('error', (e) => { if (e.detail.fatal) reject(new Error(e.detail.message)); });
    el.src = src;
    document.body.append(el);
  });
}

async function openPage(t) {
  const page = await harness.browser.newPage();
  t.after(() => page.close());
  await page.addInitScript(instrument);
  await page.goto(harness.servers.page.url('/'));
  await page.waitForFunction(() => customElements.get('avseg-editor'));
  // The page's own editor has no media: only the test's editors take tasks.
  await page.evaluate(() => document.querySelector('avseg-editor').remove());
  return page;
}

test('an editor removed for good frees its worker and its draft lock: a new editor for the same task gets the draft', { timeout: 90000 }, async (t) => {
  const page = await openPage(t);
  const out = await page.evaluate(async (src) => {
    const first = await window.mount('first', 'task-1', src);
    const track = first.addTrack('Dog', 'Dog #1');
    first.addSegment(track, 1, 2, {});
    first.remove();
    const second = await window.mount('second', 'task-1', src);
    // Whatever the second editor says about the draft, it has said it by now.
    await new Promise((resolve) => { setTimeout(resolve, 2500); });
    return {
      segments: second.value.segments.map((s) => [s.startTime, s.endTime]),
      draftChoicePending: second.draftChoicePending,
      heard: window.heard,
      workers: window.workers(),
    };
  }, clipOnce());
  const second = out.heard.filter((h) => h.editor === 'second');
  assert.deepEqual(second.filter((h) => h.type === 'error').map((h) => h.code), [], 'the second editor was told the task is open elsewhere');
  assert.deepEqual(second.filter((h) => h.type === 'restored').length, 1, 'the draft was not restored');
  assert.deepEqual(out.segments, [[1, 2]]);
  assert.equal(out.draftChoicePending, false);
  assert.deepEqual(out.workers, [{ terminated: true }, { terminated: false }], 'the removed editor kept its worker');
});

test('an editor removed and put back at once keeps its worker, its media and its draft lock, and hears keys only while in the page', { timeout: 90000 }, async (t) => {
  const page = await openPage(t);
  const out = await page.evaluate(async (src) => {
    const el = await window.mount('kept', 'task-2', src);
    const track = el.addTrack('Dog', 'Dog #1');
    el.addSegment(track, 1, 2, {});
    el.remove();
    // Removed, it hears no keys (its listeners are released); put back, it does again.
    const zoomKey = () => el.dispatchEvent(new KeyboardEvent('keydown', { key: '+', bubbles: true, cancelable: true }));
    const span = () => el.view.end - el.view.start;
    const whole = span();
    zoomKey();
    const spanRemoved = span();
    await new Promise((resolve) => { setTimeout(resolve, 20); });
    document.body.append(el);
    zoomKey();
    const spanBack = span();
    await new Promise((resolve) => { setTimeout(resolve, 2000); });
    el.addSegment(track, 3, 4, {});
    await el.flushDraft();
    // A second editor for the same task is still refused the draft: the first holds it.
    const other = await window.mount('other', 'task-2', src);
    await new Promise((resolve) => { setTimeout(resolve, 2500); });
    return {
      ready: el.ready,
      spans: [whole, spanRemoved, spanBack],
      segments: el.value.segments.map((s) => [s.startTime, s.endTime]),
      otherSegments: other.value.segments.length,
      heard: window.heard,
      workers: window.workers(),
    };
  }, clipOnce());
  assert.equal(out.ready, true);
  const [whole, removed, back] = out.spans;
  assert.equal(removed, whole, 'a removed editor zoomed on a key');
  assert.ok(Math.abs(back - whole / 2) < 1e-9, `put back, the editor did not zoom on a key (${whole} -> ${back} s)`);
  assert.deepEqual(out.segments, [[1, 2], [3, 4]]);
  assert.equal(out.heard.filter((h) => h.editor === 'kept' && h.type === 'ready').length, 1, 'the media was loaded again');
  assert.deepEqual(out.heard.filter((h) => h.editor === 'other' && h.type === 'error').map((h) => h.code), ['draft-in-other-tab']);
  assert.equal(out.otherSegments, 0);
  assert.deepEqual(out.workers, [{ terminated: false }, { terminated: false }]);
});

test('an editor put back after it let go loads its media again and keeps its annotations and its draft', { timeout: 90000 }, async (t) => {
  const page = await openPage(t);
  const out = await page.evaluate(async (src) => {
    const el = await window.mount('back', 'task-3', src);
    const track = el.addTrack('Dog', 'Dog #1');
    el.addSegment(track, 1, 2, {});
    el.remove();
    await new Promise((resolve) => { setTimeout(resolve, 1500); });
    const freed = window.workers();
    const ready = new Promise((resolve) => { el.addEventListener('ready', resolve, { once: true }); });
    document.body.append(el);
    await ready;
    el.addSegment(track, 3, 4, {});
    await el.flushDraft();
    el.remove();
    await new Promise((resolve) => { setTimeout(resolve, 1500); });
    // The draft holds both segments: the editor saved it again once it was back.
    const next = await window.mount('next', 'task-3', src);
    await new Promise((resolve) => { setTimeout(resolve, 1000); });
    return {
      freed,
      segments: next.value.segments.map((s) => [s.startTime, s.endTime]),
      errors: window.heard.filter((h) => h.type === 'error').map((h) => `${h.editor}: ${h.code}`),
      workers: window.workers(),
    };
  }, clipOnce());
  assert.deepEqual(out.freed, [{ terminated: true }]);
  assert.deepEqual(out.errors, []);
  assert.deepEqual(out.segments, [[1, 2], [3, 4]]);
  assert.deepEqual(out.workers, [{ terminated: true }, { terminated: true }, { terminated: false }]);
});
