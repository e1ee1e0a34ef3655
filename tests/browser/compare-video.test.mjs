// SPDX-License-Identifier: MIT
// <avseg-compare> with two short videos of different frame rates (ffmpeg testsrc at 25 and 30 fps):
// they play in sync, and a frame step (keyboard and the API) steps both, time-aligned.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { startComparePage, setClips, run, until } from './compare-harness.mjs';

const FF = ['ffmpeg', '-nostdin', '-hide_banner', '-v', 'error', '-y'];
const config = {
  categories: [{ name: 'artefact', tags: ['motion artefact'] }],
  comparison: { criteria: [{ name: 'smoothness', scale: [1, 5], required: true }], judgement: 'auto', reason: 'optional' },
};
let env;
before(async () => {
  env = await startComparePage(async (dir) => {
    for (const fps of [25, 30]) {
      await run(FF[0], [...FF.slice(1), '-f', 'lavfi', '-i', `testsrc=size=160x120:rate=${fps}:duration=4`,
        '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000:duration=4',
        '-c:v', 'libvpx', '-b:v', '300k', '-g', String(fps), '-c:a', 'libopus', '-shortest', path.join(dir, `v${fps}.webm`)]);
    }
  });
});
after(() => env?.close());

const el = 'document.querySelector("avseg-compare")';

test('two videos at 25 and 30 fps play in sync; a frame step steps both to the same time', async (t) => {
  const page = await env.open(t, 'annotator="ann-v" task-id="video-1"');
  await setClips(page, config, [{ src: env.media('v25.webm'), system: 'gen-25' }, { src: env.media('v30.webm'), system: 'gen-30' }], { taskId: 'video-1' });
  const rates = await page.evaluate(`${el}.editors.map((e) => e.frames.count)`);
  assert.deepEqual([...rates].sort((a, b) => a - b), [100, 120], 'both videos indexed');

  await page.locator('avseg-compare .transport .play').click();
  await until(page, `${el}.editors[0].currentTime > 2`);
  // Sampled over half a second while playing: the clips stay within a frame of each other.
  const gaps = [];
  for (let i = 0; i < 5; i++) {
    gaps.push(await page.evaluate(`(() => { const [a, b] = ${el}.editors; return Math.abs(a.currentTime - b.currentTime); })()`));
    await page.waitForTimeout(100);
  }
  // A loaded machine (2 shared cores) stalls one decoder now and then: the median holds within a frame, none strays far.
  const shown = `in sync while playing: ${gaps.map((g) => (g * 1000).toFixed(1)).join(', ')} ms`;
  assert.ok([...gaps].sort((a, b) => a - b)[2] < 0.04, shown);
  assert.ok(Math.max(...gaps) < 0.15, shown);
  await page.locator('avseg-compare .transport .play').click();
  assert.equal(await page.evaluate(`${el}.playing`), false);

  // A frame forward by keyboard (Shift+ArrowRight on a clip) steps the heard clip one frame, the other to the same time.
  const frames = () => page.evaluate(`${el}.editors.map((e) => ({ frame: e.frame, t: e.currentTime, fps: e.frames.count / 4 }))`);
  await page.evaluate(`${el}.editors[0].seekFrame(40)`);
  await page.evaluate(`${el}.stepFrame(0)`);
  await until(page, `${el}.editors.every((e) => e.frame === e.frameAt(${el}.editors[0].currentTime))`);
  const before = await frames();
  await page.locator('avseg-compare').evaluate((c) => c.editors[0].focus());
  await page.keyboard.press('Shift+ArrowRight');
  await until(page, `${el}.editors[0].frame === ${before[0].frame + 1}`);
  await until(page, `${el}.editors.every((e) => e.frame === e.frameAt(${el}.editors[0].currentTime))`);
  let now = await frames();
  assert.equal(now[0].frame, before[0].frame + 1, 'the heard clip stepped one frame');
  assert.ok(Math.abs(now[1].t - now[0].t) <= 1 / now[1].fps, `the other shows the frame at that time: ${JSON.stringify(now)}`);
  // Ten steps forward with the API: both move on, together.
  for (let i = 0; i < 10; i++) await page.evaluate(`${el}.stepFrame(1)`);
  await until(page, `${el}.editors[0].frame === ${before[0].frame + 11}`);
  await until(page, `${el}.editors.every((e) => e.frame === e.frameAt(${el}.editors[0].currentTime))`);
  now = await frames();
  assert.ok(now[1].frame > before[1].frame + 5, `the other clip stepped too: ${before[1].frame} -> ${now[1].frame}`);
  assert.ok(Math.abs(now[1].t - now[0].t) <= 1 / now[1].fps);
  // Switching to B and stepping back steps B by its own frames.
  await page.keyboard.press('2');
  const b0 = (await frames())[1].frame;
  await page.evaluate(`${el}.stepFrame(-1)`);
  await until(page, `${el}.editors[1].frame === ${b0 - 1}`);

  // A motion artefact marked on clip A by a drag on its lane, the ratings by mouse, the preference by keyboard.
  const a = await page.evaluateHandle(`${el}.editors[0]`);
  await a.evaluate((e) => { e.snapping = false; e.shadowRoot.querySelector('.add-track').click(); });
  await until(page, `${el}.editors[0].value.tracks?.length === 1`);
  const box = await a.evaluate((e) => { const r = e.shadowRoot.querySelector('.lanes').getBoundingClientRect(); return { x: r.x, y: r.y, w: r.width, view: e.view }; });
  const x = (s) => box.x + ((s - box.view.start) / (box.view.end - box.view.start)) * box.w;
  await page.mouse.move(x(1), box.y + 14);
  await page.mouse.down();
  await page.mouse.move(x(1.5), box.y + 14, { steps: 3 });
  await page.mouse.move(x(2), box.y + 14, { steps: 3 });
  await page.mouse.up();
  await until(page, `${el}.editors[0].value.segments?.length === 1`);
  const panel = page.locator('avseg-compare .panel');
  await panel.locator('.clip').nth(0).locator('input[value="2"]').click();
  await panel.locator('.clip').nth(1).locator('input[value="4"]').click();
  await panel.locator('.judgement input[value="0"]').focus();
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('ArrowRight');
  assert.equal(await page.evaluate(`${el}.active`), 1, 'arrows on the panel\'s radios do not reach the transport');
  const doc = await page.evaluate(`${el}.getComparison()`);
  assert.deepEqual(await page.evaluate(`${el}.problems()`), []);
  const order = doc.order;
  assert.deepEqual(doc.clips.map((c) => c.system), ['gen-25', 'gen-30']);
  assert.deepEqual(doc.clips.map((c) => c.ratings.smoothness), [0, 1].map((m) => [2, 4][order.indexOf(m)]));
  assert.equal(doc.judgement.shownCmos, 2);
  assert.equal(doc.judgement.cmos, order[1] === 1 ? 2 : -2);
  assert.equal(doc.judgement.preferred, order[1]);
  const marked = doc.clips[order[0]].annotation;
  assert.equal(marked.segments.length, 1);
  // A video's marks are at exact frame positions of that clip (doc/video.md): whole numbers on its own timebase.
  assert.ok(Number.isInteger(marked.segments[0].start) && Number.isInteger(marked.segments[0].end));
  assert.equal(doc.clips[order[1]].annotation.segments?.length ?? 0, 0);
  assert.ok(doc.timings.switches >= 1);
});
