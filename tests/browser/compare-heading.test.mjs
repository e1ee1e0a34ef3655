// SPDX-License-Identifier: MIT
// <avseg-compare> not blind: each clip's heading names its system inside a <bdi>, so a name holding
// a right-to-left override (U+202E) cannot reorder the heading's "Clip A" around it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startComparePage, setClips, speak } from './compare-harness.mjs';

const config = {
  categories: [{ name: 'issue', tags: ['mispronunciation'] }],
  comparison: { criteria: [{ name: 'naturalness', scale: [1, 5] }], judgement: 'auto', blind: false },
};
let env;
before(async () => {
  env = await startComparePage(async (dir) => {
    await speak(dir, 'a.wav', 'en-us', 'One two.');
    await speak(dir, 'b.wav', 'en-gb', 'One two.');
  });
});
after(() => env?.close());

test('a shown system name is isolated in a <bdi> in its clip heading', async (t) => {
  const page = await env.open(t, 'annotator="ann-1" task-id="task-1" blind="false"');
  const systems = ['tts-\u202eevil', 'tts-b'];
  const { order } = await setClips(page, config, [{ src: env.media('a.wav'), system: systems[0] }, { src: env.media('b.wav'), system: systems[1] }], { prompt: 'One two.', taskId: 'task-1' });
  const headings = await page.evaluate(() => [...document.querySelector('avseg-compare').shadowRoot.querySelectorAll('.clip h2')]
    .map((h) => ({ text: h.textContent, names: [...h.querySelectorAll('bdi')].map((b) => b.textContent) })));
  assert.deepEqual(headings, order.map((m, k) => ({ text: `Clip ${'AB'[k]} ${systems[m]}`, names: [systems[m]] })));
});
