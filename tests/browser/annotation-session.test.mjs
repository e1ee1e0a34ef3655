// SPDX-License-Identifier: MIT
// <avseg-editor> in headless Chromium: a label config given as text before the annotation model
// has loaded is read by the core's strict reader, as one given later is: a key twice or text
// that is no JSON is an invalid-config error event, never silently changed or thrown at the host.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startElementPage } from './harness.mjs';

let harness;

before(async () => {
  harness = await startElementPage({ title: 'avseg annotation session' });
});

after(() => harness?.close());

test('a config text set before the model loads is read strictly: a key twice, or no JSON, is an invalid-config event', async (t) => {
  const page = await harness.open(t, { width: 900, height: 600 });
  const out = await page.evaluate(() => {
    // Each made by script and given its config at once: its model is not loaded before the next task.
    const configured = (text) => new Promise((resolve) => {
      const el = document.createElement('avseg-editor');
      const errors = [];
      el.addEventListener('error', (e) => errors.push({ code: e.detail.code, message: e.detail.message, fatal: e.detail.fatal }));
      let thrown = null;
      try {
        el.config = text;
      } catch (err) {
        thrown = String(err);
      }
      const early = el.config;
      document.body.append(el);
      // The model's module is loaded by then (the page's own editor loaded it); its load is a microtask away.
      setTimeout(() => {
        resolve({ thrown, early, errors, config: el.config });
        el.remove();
      }, 300);
    });
    return Promise.all([
      configured('{"categories": {"speaker": ["A"]}, "categories": {"speaker": ["B"]}}'),
      configured('{"categories": {"speaker": ["A"]},}'),
      configured('{"categories": {"speaker": ["A", "B"]}}'),
    ]);
  });
  const [twice, broken, good] = out;
  assert.equal(twice.thrown, null);
  assert.deepEqual(twice.errors.map((e) => [e.code, e.fatal]), [['invalid-config', false]]);
  assert.match(twice.errors[0].message, /^categories: appears twice in the same object$/);
  assert.deepEqual(twice.config.categories ?? [], [], 'neither of the two is taken');
  assert.equal(broken.thrown, null, 'the setter does not throw the JSON.parse SyntaxError');
  assert.deepEqual(broken.early, {});
  assert.deepEqual(broken.errors.map((e) => e.code), ['invalid-config']);
  assert.match(broken.errors[0].message, /^config: is not valid JSON \(line 1, column \d+: syntax error/);
  assert.deepEqual(good.errors, []);
  assert.deepEqual(good.early, { categories: { speaker: ['A', 'B'] } });
  assert.deepEqual(good.config.categories.map((c) => [c.name, c.tags]), [['speaker', ['A', 'B']]]);
});
