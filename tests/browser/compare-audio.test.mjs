// SPDX-License-Identifier: MIT
// <avseg-compare> with two speech clips, end to end by keyboard and mouse: the heard clip switches
// while playing at the same position, zoom moves both, a mark on clip B, the panel's ratings and
// preference, the comparison document field by field; a missing judgement is refused.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startComparePage, setClips, speak, until } from './compare-harness.mjs';

const TEXT = 'The quick brown fox jumps over the lazy dog, and then it runs far away.';
const config = {
  categories: [{ name: 'issue', tags: ['mispronunciation'] }],
  comparison: {
    criteria: [{ name: 'naturalness', label: 'Naturalness', scale: [1, 5], required: true }],
    judgement: 'auto', reason: 'required', blind: true,
  },
};
let env;
before(async () => {
  env = await startComparePage(async (dir) => {
    await speak(dir, 'a.wav', 'en-us', TEXT, 2);
    await speak(dir, 'b.wav', 'en-gb', TEXT, 2);
  });
});
after(() => env?.close());

const clips = () => [{ src: env.media('a.wav'), system: 'tts-a' }, { src: env.media('b.wav'), system: 'tts-b' }];
const el = 'document.querySelector("avseg-compare")';

async function open(t, annotator = 'ann-1') {
  const page = await env.open(t, `annotator="${annotator}" task-id="task-7"`);
  const shown = await setClips(page, config, clips(), { prompt: TEXT, taskId: 'task-7' });
  return { page, shown };
}

test('a two-clip comparison by keyboard and mouse: switch while playing, shared zoom, a mark on B, ratings and preference, the document', async (t) => {
  const { page, shown } = await open(t);
  // The blind order is the contract's, from the annotator and task.
  const expected = await page.evaluate(async () => {
    const { orderSeed, shuffledOrder } = await import(new URL('blind-order.js', document.querySelector('script').src).href);
    const seed = await orderSeed('ann-1', 'task-7');
    return { seed, order: shuffledOrder(2, seed) };
  });
  assert.deepEqual(shown, expected);
  const headers = await page.evaluate(`[...${el}.shadowRoot.querySelectorAll('.clip h2')].map((h) => h.textContent)`);
  assert.deepEqual(headers, ['Clip A', 'Clip B'], 'blind: labels only, no system names');

  await page.evaluate(`${el}.addEventListener('switch', (e) => (window.switches ??= []).push(e.detail))`);
  // Mouse: the transport's play button; every clip plays, only A is heard.
  await page.locator('avseg-compare .transport .play').click();
  await until(page, `${el}.editors[0].currentTime > 0.8`);
  const playing = await page.evaluate(`${el}.editors.map((e) => ({ muted: e.muted, t: e.currentTime }))`);
  assert.deepEqual(playing.map((p) => p.muted), [false, true]);
  assert.ok(Math.abs(playing[0].t - playing[1].t) < 0.1, `both play in step: ${JSON.stringify(playing)}`);

  // Keyboard: 2 while playing (focus on the element).
  await page.locator('avseg-compare').focus();
  await page.keyboard.press('2');
  const after2 = await page.evaluate(`({ active: ${el}.active, playing: ${el}.playing, muted: ${el}.editors.map((e) => e.muted),
    times: ${el}.editors.map((e) => e.currentTime), sw: window.switches })`);
  assert.equal(after2.active, 1);
  assert.equal(after2.playing, true, 'switching does not stop playback');
  assert.deepEqual(after2.muted, [true, false], 'B is heard now, A is muted');
  const [sw] = after2.sw;
  assert.equal(sw.from, 0);
  assert.equal(sw.to, 1);
  assert.ok(sw.time > 0.8, `the switch happened at ${sw.time} s, not from zero`);
  assert.ok(after2.times[1] > 0.8, `B goes on at ${after2.times[1]} s, no restart from zero`);
  assert.ok(Math.abs(after2.times[1] - after2.times[0]) < 0.05, `positions agree after the switch: ${after2.times}`);
  await page.waitForTimeout(300);
  assert.ok(await page.evaluate(`${el}.editors[1].currentTime > ${sw.time}`), 'B keeps playing after the switch');
  // The hear buttons (mouse) switch too.
  await page.locator('avseg-compare .hears button', { hasText: 'A' }).click();
  assert.equal(await page.evaluate(`${el}.active`), 0);
  await page.keyboard.press('2');
  // Space on a clip's editor pauses every clip (not only that editor).
  await page.locator('avseg-compare').evaluate((c) => c.editors[0].focus());
  await page.keyboard.press(' ');
  assert.equal(await page.evaluate(`${el}.playing`), false, 'Space pauses every clip');
  assert.deepEqual(await page.evaluate(`${el}.editors.map((e) => e.shadowRoot.querySelector('video').paused)`), [true, true]);
  const paused = await page.evaluate(`${el}.editors.map((e) => e.currentTime)`);
  assert.ok(Math.abs(paused[0] - paused[1]) < 1e-3, `paused clips wait at one time: ${paused}`);

  // Zoom in on clip A with its toolbar button: both views move.
  const viewBefore = await page.evaluate(`${el}.editors.map((e) => e.view)`);
  await page.evaluate(`${el}.editors[0].shadowRoot.querySelector('.zoom-in').click()`);
  await until(page, `(() => { const [a, b] = ${el}.editors.map((e) => e.view); return a.end - a.start < ${viewBefore[0].end - viewBefore[0].start} * 0.9 && Math.abs(a.start - b.start) < 1e-6 && Math.abs(a.end - b.end) < 1e-6; })()`);
  // Wheel-free scroll on B by keyboard (ArrowRight scrolls a tenth): A follows.
  await page.locator('avseg-compare').evaluate((c) => c.editors[1].focus());
  await page.keyboard.press('ArrowRight');
  const views = await page.evaluate(`${el}.editors.map((e) => e.view)`);
  assert.ok(Math.abs(views[0].start - views[1].start) < 1e-6 && views[0].start > viewBefore[0].start, `scrolling B moved A: ${JSON.stringify(views)}`);

  // A mark on clip B: Add track (mouse), then a drag on its lane.
  const b = await page.evaluateHandle(`${el}.editors[1]`);
  await b.evaluate((e) => { e.snapping = false; e.shadowRoot.querySelector('.add-track').click(); });
  await until(page, `${el}.editors[1].value.tracks?.length === 1`);
  const box = await b.evaluate((e) => { const r = e.shadowRoot.querySelector('.lanes').getBoundingClientRect(); return { x: r.x, y: r.y, w: r.width, view: e.view }; });
  const x = (s) => box.x + ((s - box.view.start) / (box.view.end - box.view.start)) * box.w;
  const span = box.view.end - box.view.start;
  const [s0, s1] = [box.view.start + span * 0.3, box.view.start + span * 0.6];
  await page.mouse.move(x(s0), box.y + 14);
  await page.mouse.down();
  await page.mouse.move(x((s0 + s1) / 2), box.y + 14, { steps: 3 });
  await page.mouse.move(x(s1), box.y + 14, { steps: 3 });
  await page.mouse.up();
  await until(page, `${el}.editors[1].value.segments?.length === 1`);

  // The panel: naturalness of A and B, B much better than A, a reason (mouse and keyboard).
  const panel = page.locator('avseg-compare .panel');
  await panel.locator('.clip').nth(0).locator('input[value="2"]').click();
  await panel.locator('.clip').nth(1).locator('input[value="5"]').click();
  await panel.locator('.judgement input[value="3"]').click();
  await panel.locator('textarea').click();
  await page.keyboard.type('B says "lazy" right; A slurs it.');
  await page.waitForTimeout(100);

  const doc = await page.evaluate(`${el}.getComparison()`);
  const problems = await page.evaluate(`${el}.problems()`);
  assert.deepEqual(problems, [], 'complete');
  assert.equal(doc.format, 'avseg-comparison');
  assert.equal(doc.version, 1);
  assert.equal(doc.prompt, TEXT);
  assert.equal(doc.taskId, 'task-7');
  assert.equal(doc.annotator, 'ann-1');
  assert.equal(doc.blind, true);
  assert.equal(doc.seed, expected.seed);
  assert.deepEqual(doc.order, expected.order);
  const order = expected.order;
  const shownOf = (m) => order.indexOf(m);
  assert.deepEqual(doc.clips.map((c) => c.system), ['tts-a', 'tts-b'], 'clips in manifest order');
  assert.deepEqual(doc.clips.map((c) => c.shownAs), [0, 1].map((m) => 'AB'[shownOf(m)]));
  assert.deepEqual(doc.clips.map((c) => c.source), clips().map((c) => c.src));
  // Ratings given to shown A (2) and shown B (5), put back in manifest order.
  assert.deepEqual(doc.clips.map((c) => c.ratings.naturalness), [0, 1].map((m) => [2, 5][shownOf(m)]));
  // The mark was made on shown B: its manifest clip holds it, at exact sample positions.
  const markedOn = order[1];
  assert.equal(doc.clips[markedOn].annotation.segments.length, 1);
  assert.equal(doc.clips[1 - markedOn].annotation.segments?.length ?? 0, 0);
  const seg = doc.clips[markedOn].annotation.segments[0];
  assert.ok(Number.isInteger(seg.start) && Number.isInteger(seg.end));
  assert.ok(Math.abs(seg.start / 48000 - s0) < 0.05 && Math.abs(seg.end / 48000 - s1) < 0.05, `segment ${seg.start}-${seg.end} for ${s0}-${s1} s`);
  // +3 for shown B over shown A; in manifest terms the sign follows which clip B is.
  assert.equal(doc.judgement.type, 'preference');
  assert.equal(doc.judgement.shownCmos, 3);
  assert.equal(doc.judgement.cmos, order[1] === 1 ? 3 : -3);
  assert.equal(doc.judgement.preferred, order[1]);
  assert.equal(doc.judgement.reason, 'B says "lazy" right; A slurs it.');
  assert.ok(doc.timings.switches >= 3, `switches ${doc.timings.switches}`);
  assert.ok(Date.parse(doc.timings.openedAt) <= Date.parse(doc.timings.submittedAt));
  assert.ok(doc.clips.every((c) => c.heardMs > 0), `both clips were heard: ${doc.clips.map((c) => c.heardMs)}`);
});

test('the order is reproducible from the seed and differs across annotators; a draft keeps the answers over a reload', async (t) => {
  const orders = [];
  for (const annotator of ['ann-1', 'ann-2', 'ann-3', 'ann-4', 'ann-5', 'ann-6']) {
    const { page, shown } = await open(t, annotator);
    orders.push(shown.order.join());
    await page.close();
  }
  assert.ok(new Set(orders).size > 1, `six annotators saw more than one order: ${orders}`);
  // An annotator of its own: the other tests' clip drafts (kept in this browser profile) are not in the way.
  const { page } = await open(t, 'ann-draft');
  await page.evaluate(`(() => { ${el}.switchTo(1); ${el}.switchTo(0); })()`);
  await page.locator('avseg-compare .panel .clip').nth(0).locator('input[value="4"]').click();
  await page.locator('avseg-compare .panel textarea').fill('half typed');
  const marked = await page.evaluate(`(() => { const b = ${el}.editors[1]; const tr = b.addTrack('issue', 'mispronunciation'); b.addSegment(tr, 0.5, 1.25); return b.value.segments; })()`);
  await page.evaluate(`${el}.flushDraft()`);
  await page.reload();
  await page.waitForFunction(() => customElements.get('avseg-compare'));
  await setClips(page, config, clips(), { prompt: TEXT, taskId: 'task-7' });
  assert.equal(await page.evaluate(`${el}.panelValue.ratings[0].naturalness`), 4, 'the rating came back from the draft');
  assert.equal(await page.evaluate(`${el}.panelValue.judgement.reason`), 'half typed', 'the reason as typed');
  assert.deepEqual(await page.evaluate(`${el}.editors[1].value.segments`), marked, 'the mark on clip B came back');
  assert.equal(await page.evaluate(`${el}.editors[0].value.segments?.length ?? 0`), 0);
  assert.equal(await page.evaluate(`${el}.getComparison().timings.switches`), 2, 'the switches counted before the reload came back');
});

test('one speed for every clip: 1.5x on clip A\'s speed box, a switch while playing plays B at 1.5x in step', async (t) => {
  const { page } = await open(t, 'ann-rate');
  await page.locator('avseg-compare avseg-editor').nth(0).locator('select.rate').selectOption('1.5');
  assert.deepEqual(await page.evaluate(`[...${el}.shadowRoot.querySelectorAll('avseg-editor')].map((e) => e.shadowRoot.querySelector('select.rate').value)`), ['1.5', '1.5'], 'every speed box shows 1.5');
  await page.evaluate(`${el}.play()`);
  await until(page, `${el}.editors[0].currentTime > 0.6`);
  await page.evaluate(`${el}.switchTo(1)`);
  await page.waitForTimeout(400);
  const s = await page.evaluate(`({ rate: ${el}.editors[1].playbackRate, times: ${el}.editors.map((e) => e.currentTime), playing: ${el}.playing })`);
  assert.equal(s.playing, true);
  assert.equal(s.rate, 1.5, 'B plays at the shared 1.5x');
  assert.ok(Math.abs(s.times[1] - s.times[0]) < 0.1, `the muted clip follows the heard one: ${s.times}`);
  await page.evaluate(`${el}.pause()`);
});

test('the same media twice (an identical pair) keeps each clip\'s own marks over a reload', async (t) => {
  const twice = () => [{ src: env.media('a.wav'), system: 'ref' }, { src: env.media('a.wav'), system: 'ref-again' }];
  const page = await env.open(t, 'annotator="ann-twice" task-id="task-twice"');
  await setClips(page, config, twice(), { taskId: 'task-twice' });
  const marked = await page.evaluate(`(() => { const b = ${el}.editors[1]; const tr = b.addTrack('issue', 'mispronunciation'); b.addSegment(tr, 0.5, 1.25); return b.value.segments; })()`);
  await page.evaluate(`${el}.flushDraft()`);
  await page.reload();
  await page.waitForFunction(() => customElements.get('avseg-compare'));
  await setClips(page, config, twice(), { taskId: 'task-twice' });
  assert.deepEqual(await page.evaluate(`${el}.editors[1].value.segments`), marked, 'the mark came back on the clip it was made on');
  assert.equal(await page.evaluate(`${el}.editors[0].value.segments?.length ?? 0`), 0, 'the other clip of the same media has no mark');
});

test('a manifest reordered under the same task id: the ratings are not put back on the other clip, each mark stays on its media', async (t) => {
  const page = await env.open(t, 'annotator="ann-reorder" task-id="task-reorder"');
  await setClips(page, config, clips(), { taskId: 'task-reorder' });
  await page.locator('avseg-compare .panel .clip').nth(0).locator('input[value="4"]').click();
  const onA = await page.evaluate(`(() => { const e = ${el}.editors[0]; const tr = e.addTrack('issue', 'mispronunciation'); e.addSegment(tr, 0.5, 1.25); return { src: e.src, segments: e.value.segments }; })()`);
  await page.evaluate(`${el}.flushDraft()`);
  await page.reload();
  await page.waitForFunction(() => customElements.get('avseg-compare'));
  await setClips(page, config, clips().reverse(), { taskId: 'task-reorder' });
  assert.deepEqual(await page.evaluate(`${el}.panelValue.ratings.map((r) => r.naturalness)`), [null, null], 'no rating is put on a clip that was not rated');
  const after = await page.evaluate(`${el}.editors.map((e) => ({ src: e.src, n: e.value.segments?.length ?? 0 }))`);
  assert.deepEqual(after.map((e) => e.n), after.map((e) => (e.src === onA.src ? onA.segments.length : 0)), 'the mark stays on the media it was made on');
});

test('a missing judgement is refused: the problems are listed and focus moves to the preference', async (t) => {
  const { page } = await open(t, 'ann-9');
  const panel = page.locator('avseg-compare .panel');
  await panel.locator('.clip').nth(0).locator('input[value="3"]').click();
  await panel.locator('.clip').nth(1).locator('input[value="4"]').click();
  const problems = await page.evaluate(`${el}.focusFirstProblem()`);
  assert.ok(problems.some((p) => p.path.startsWith('judgement')), `the judgement is named: ${JSON.stringify(problems)}`);
  assert.ok(problems.every((p) => typeof p.message === 'string' && p.message.length > 0));
  const focused = await page.evaluate(`(() => { const a = ${el}.shadowRoot.activeElement; return a && a.closest('.judgement') ? a.type : null; })()`);
  assert.equal(focused, 'radio', 'focus is on the preference');
  assert.equal(await page.evaluate(`${el}.shadowRoot.querySelector('.judgement [aria-invalid="true"]') !== null`), true);
});

test('loop(start, end) plays the span on each clip in turn until paused; the hear button shows which', async (t) => {
  const { page } = await open(t, 'ann-loop');
  await page.evaluate(`(() => { const c = ${el}; window.heard = []; c.addEventListener('switch', (e) => window.heard.push([e.detail.to, e.detail.time])); return c.loop(0.5, 0.9); })()`);
  await until(page, 'window.heard.length >= 3');
  const { heard, t0, pressed } = await page.evaluate(`({ heard: window.heard, t0: ${el}.currentTime, pressed: [...${el}.shadowRoot.querySelectorAll('.hears button')].map((b) => b.getAttribute('aria-pressed')) })`);
  assert.deepEqual(heard.slice(0, 3).map(([to]) => to), [1, 0, 1], 'A, B, A, B ...');
  for (const [, time] of heard) assert.ok(time >= 0.45 && time < 0.95, `each turn starts at the span's start: ${time}`);
  assert.ok(t0 >= 0.45 && t0 < 1.0, `playing inside the span: ${t0}`);
  assert.equal(pressed.filter((p) => p === 'true').length, 1);
  await page.evaluate(`${el}.pause()`);
  const n = await page.evaluate('window.heard.length');
  await page.waitForTimeout(600);
  assert.equal(await page.evaluate('window.heard.length'), n, 'paused: no more turns');
  assert.ok((await page.evaluate(`${el}.getComparison()`)).timings.loops >= 3);
});

test('a clip that cannot load rejects setClips and fires a fatal error naming the clip by its label, not its system', async (t) => {
  const page = await env.open(t, 'annotator="ann-err" task-id="task-err"');
  const result = await page.evaluate(async ([config, clips]) => {
    const c = document.querySelector('avseg-compare');
    const errors = [];
    c.addEventListener('error', (e) => errors.push(e.detail));
    c.config = config;
    try {
      await c.setClips(clips, { taskId: 'task-err' });
      return { resolved: true };
    } catch (err) {
      return { message: err.message, errors, order: c.order, status: c.shadowRoot.querySelector('.status').textContent };
    }
  }, [config, [{ src: env.media('a.wav'), system: 'tts-a' }, { src: env.media('missing.wav'), system: 'tts-secret' }]]);
  assert.equal(result.resolved, undefined, 'setClips rejected');
  const label = 'AB'[result.order.indexOf(1)];
  assert.match(result.message, new RegExp(`^clip ${label}: `));
  assert.doesNotMatch(result.message, /tts-secret/, 'blind: the system is not named');
  const fatal = result.errors.filter((e) => e.fatal);
  assert.equal(fatal.length, 1, `one fatal error event: ${JSON.stringify(result.errors)}`);
  assert.equal(fatal[0].position, result.order.indexOf(1));
  assert.equal(result.status, result.message, 'the element shows it');
});
