// SPDX-License-Identifier: MIT
// The transport buttons (start, step back, step forward, end) and the ← → keys, which scroll
// (avseg's default) or seek by the seek step (arrow-keys="seek", the AWS sample's habit), in
// headless Chromium on a real file.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startElementPage } from './harness.mjs';

let harness;
before(async () => { harness = await startElementPage(); });
after(() => harness?.close());

const root = 'avseg-editor >> css=';
const state = (page) => page.evaluate(() => {
  const el = document.querySelector('avseg-editor');
  return { time: Math.round(el.currentTime * 1000) / 1000, duration: el.duration, viewStart: el.view.start };
});

test('the transport buttons go to the start and end and step by the seek step (5 s, or seek-step), inside the file', async (t) => {
  const page = await harness.openMedia(t, 'call.wav');
  const { duration } = await state(page);
  assert.ok(duration > 8, `a file long enough to step in (${duration} s)`);
  for (const b of ['seek-start', 'seek-back', 'seek-forward', 'seek-end']) assert.equal(await page.locator(`${root}button.${b}`).isDisabled(), false, b);
  await page.click(`${root}button.seek-end`);
  assert.equal((await state(page)).time, Math.round(duration * 1000) / 1000);
  await page.click(`${root}button.seek-forward`);
  assert.equal((await state(page)).time, Math.round(duration * 1000) / 1000, 'not past the end');
  await page.click(`${root}button.seek-back`);
  assert.equal((await state(page)).time, Math.round((duration - 5) * 1000) / 1000);
  await page.click(`${root}button.seek-start`);
  assert.equal((await state(page)).time, 0);
  await page.click(`${root}button.seek-back`);
  assert.equal((await state(page)).time, 0, 'not before the start');
  await page.evaluate(() => document.querySelector('avseg-editor').setAttribute('seek-step', '1.5'));
  await page.click(`${root}button.seek-forward`);
  await page.click(`${root}button.seek-forward`);
  assert.equal((await state(page)).time, 3);
});

test('← → scroll the view by default; with arrow-keys="seek" they seek by the seek step and leave the view to follow', async (t) => {
  const page = await harness.openMedia(t, 'call.wav');
  await page.evaluate(() => document.querySelector('avseg-editor').zoomTo(0, 2));
  await page.focus('avseg-editor');
  await page.keyboard.press('ArrowRight');
  let s = await state(page);
  assert.equal(s.time, 0, 'scrolling does not seek');
  assert.ok(Math.abs(s.viewStart - 0.2) < 0.01, `the view scrolled by a tenth (${s.viewStart})`);
  await page.evaluate(() => {
    const el = document.querySelector('avseg-editor');
    el.setAttribute('arrow-keys', 'seek');
    el.setAttribute('seek-step', '2');
  });
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('ArrowRight');
  s = await state(page);
  assert.equal(s.time, 4);
  await page.keyboard.press('ArrowLeft');
  assert.equal((await state(page)).time, 2);
  // The help overlay says both.
  assert.match(await page.evaluate(() => document.querySelector('avseg-editor').shadowRoot.querySelector('.help-overlay, [class*="help"] dl')?.textContent ?? ''), /scroll by a tenth of the view \(with arrow-keys="seek": seek back \/ forward by the seek step\)/);
});

test('a click on a segment list row selects it and seeks to it; with row-click="play" it plays it, as the sample\'s table does', async (t) => {
  const page = await harness.openMedia(t, 'call.wav');
  await page.evaluate(() => {
    const el = document.querySelector('avseg-editor');
    el.addSegment(el.addTrack('Dog', 'Dog #1'), 1, 1.6);
    window.plays = 0;
    el.shadowRoot.querySelector('audio, video')?.addEventListener('play', () => window.plays++);
  });
  const row = `${root}.segment-list .row[role="option"] >> nth=0`;
  await page.click(row);
  await page.waitForTimeout(300);
  let s = await page.evaluate(() => ({ paused: document.querySelector('avseg-editor').shadowRoot.querySelector('audio, video').paused, time: document.querySelector('avseg-editor').currentTime, plays: window.plays }));
  assert.deepEqual(s, { paused: true, time: 1, plays: 0 }, 'selected and sought, not played');
  await page.evaluate(() => {
    const el = document.querySelector('avseg-editor');
    el.setAttribute('row-click', 'play');
    el.currentTime = 0;
  });
  await page.click(row);
  await page.waitForFunction(() => window.plays > 0, undefined, { timeout: 5000 });
  // It plays the segment's span and stops at its end.
  await page.waitForFunction(() => document.querySelector('avseg-editor').shadowRoot.querySelector('audio, video').paused, undefined, { timeout: 5000 });
  s = await page.evaluate(() => document.querySelector('avseg-editor').currentTime);
  assert.ok(s > 1.4 && s < 1.8, `stopped at the segment's end (${s})`);
});

test('no toolbar button depends on an emoji font: each shows drawn ink or text from ordinary fonts', async (t) => {
  const page = await harness.openMedia(t, 'call.wav');
  const faces = await page.evaluate(() => [...document.querySelector('avseg-editor').shadowRoot.querySelectorAll('.toolbar button')]
    .map((b) => ({ cls: b.className, text: b.textContent.trim(), svg: !!b.querySelector('svg') })));
  assert.ok(faces.length >= 10, `toolbar buttons found (${faces.length})`);
  // U+2300-23FF (⏮⏪⏩⏭...) and the emoji planes have no glyph in Debian's default fonts: empty boxes.
  const emoji = /[\u2300-\u23ff\u{1f000}-\u{1faff}]/u;
  for (const f of faces) {
    assert.ok(f.svg || f.text.length > 0, `${f.cls} shows something`);
    assert.doesNotMatch(f.text, emoji, `${f.cls} is drawn with a character an emoji font must supply`);
  }
});
