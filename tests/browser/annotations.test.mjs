// SPDX-License-Identifier: MIT
// The annotation API of <avseg-editor> in headless Chromium: tracks, exact segments, undo,
// validation, lanes, and hostile label text, under the strict CSP.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { fixtures, startElementPage } from './harness.mjs';

const XSS = '<img src=x onerror="window.__xss=1">';
const CONFIG = {
  categories: [{ name: 'speaker', tags: ['Customer', 'Representative', XSS], allowOverlap: false }],
  segmentFields: [
    { name: 'transcription', type: 'text', required: true, label: 'Transcription' },
    { name: 'emotion', type: 'choice', options: ['Happy', 'Angry', 'Neutral', 'Sad', 'Worried'], label: 'Emotion' },
  ],
  classifications: [{ name: 'speech', type: 'choice', options: ['speech', 'non-speech'], required: true, label: 'Speech' }],
};

let harness, servers;

before(async () => {
  harness = await startElementPage({ title: 'avseg annotations' });
  servers = harness.servers;
});

after(() => harness?.close());

async function ready(t) {
  const page = await harness.open(t, { width: 1040, height: 700 });
  const detail = await page.evaluate(([src, config, task]) => new Promise((resolve, reject) => {
    const el = document.querySelector('avseg-editor');
    el.style.width = '1002px';
    el.taskId = task; // a draft key of its own for each test
    window.changes = [];
    window.restored = null;
    el.addEventListener('restored', (e) => { window.restored = e.detail; });
    el.addEventListener('change', (e) => window.changes.push(e.detail.value));
    el.addEventListener('ready', (e) => resolve(e.detail), { once: true });
    el.addEventListener('error', (e) => { if (e.detail.fatal) reject(new Error(e.detail.message)); });
    el.config = config;
    el.src = src;
  }), [servers.media.url('/speech-gaps.mp3'), CONFIG, t.name]);
  return { page, detail };
}

test('segments are stored at exact sample positions and every edit is undoable', async (t) => {
  const { page } = await ready(t);
  const out = await page.evaluate(() => {
    const el = document.querySelector('avseg-editor');
    const customer = el.addTrack('speaker', 'Customer');
    const seg = el.addSegment(customer, 0.5, 1.25, { transcription: 'hello there' });
    const first = el.value;
    el.updateSegment(seg, { end: 1.5, fields: { emotion: 'Happy' } });
    const updated = el.value;
    el.undo(); // updateSegment is one step, however many parts it changes
    const undone = el.value;
    el.redo();
    return { customer, seg, first, updated, undone, redone: el.value, changes: window.changes.length };
  });
  const s = out.first.segments[0];
  assert.equal(s.start, 24000);
  assert.equal(s.end, 60000);
  assert.equal(s.startTime, 0.5);
  assert.equal(s.fields.transcription, 'hello there');
  assert.equal(out.updated.segments[0].end, 72000);
  assert.equal(out.updated.segments[0].fields.emotion, 'Happy');
  assert.deepEqual(out.undone, out.first);
  assert.deepEqual(out.redone, out.updated);
  assert.ok(out.changes >= 5);
  assert.equal(out.first.format, 'avseg.annotation');
  assert.equal(out.first.timebase.rate, 48000);
});

test('refused edits throw with the reason and change nothing', async (t) => {
  const { page } = await ready(t);
  const out = await page.evaluate(() => {
    const el = document.querySelector('avseg-editor');
    const track = el.addTrack('speaker', 'Representative');
    el.addSegment(track, 1, 2, { transcription: 'a' });
    const before = JSON.stringify(el.value);
    const errors = [];
    for (const attempt of [
      () => el.addTrack('speaker', 'Representative'),
      () => el.addSegment(track, 1.5, 2.5),
      () => el.addSegment(track, 3, 2),
      () => el.addSegment(track, 9, 99),
    ]) {
      try { attempt(); errors.push(null); } catch (e) { errors.push(e.message); }
    }
    return { errors, same: JSON.stringify(el.value) === before };
  });
  assert.deepEqual(out.errors, [
    'a track speaker/Representative already exists',
    'track speaker/Representative does not allow overlapping segments (it would overlap s2)',
    'the segment must end after it starts',
    'the segment ends after the media',
  ]);
  assert.ok(out.same);
});

test('validate() names what blocks submitting; a malformed config is refused naming the key', async (t) => {
  const { page } = await ready(t);
  const out = await page.evaluate(() => {
    const el = document.querySelector('avseg-editor');
    const track = el.addTrack('speaker', 'Customer');
    const seg = el.addSegment(track, 1, 2, { emotion: 'Furious' });
    const problems = el.validate();
    let validity = null;
    el.addEventListener('validity', (e) => { validity = e.detail.problems; }, { once: true });
    el.setClassification('speech', 'speech');
    el.updateSegment(seg, { fields: { transcription: 'fixed', emotion: 'Sad' } });
    const errors = [];
    el.addEventListener('error', (e) => errors.push(e.detail), { once: true });
    el.config = { segmentFields: [{ name: 'rating', type: 'rating' }] };
    return { seg, problems, validity, after: el.validate(), errors, configKept: el.config.segmentFields.length };
  });
  assert.deepEqual(out.problems.map((p) => [p.segment, p.field]), [[out.seg, 'transcription'], [out.seg, 'emotion'], ['', 'speech']]);
  assert.equal(out.problems[0].message, 'Transcription is required');
  assert.ok(Array.isArray(out.validity));
  assert.deepEqual(out.after, []);
  assert.equal(out.errors[0].code, 'invalid-config');
  assert.match(out.errors[0].message, /^segmentFields\[0\]/);
  assert.equal(out.configKept, 2, 'the previous config stays');
});

test('lanes draw the segments under the waveform; clicking one selects it; hostile labels stay text', async (t) => {
  const { page, detail } = await ready(t);
  const ids = await page.evaluate((xss) => {
    const el = document.querySelector('avseg-editor');
    const a = el.addTrack('speaker', 'Customer');
    const b = el.addTrack('speaker', xss);
    return { a, b, s1: el.addSegment(a, 2, 4, { transcription: xss }), s2: el.addSegment(b, 6, 8) };
  }, XSS);
  await page.waitForTimeout(200);
  const lanes = await page.evaluate(() => {
    const c = document.querySelector('avseg-editor').shadowRoot.querySelector('.lanes');
    const r = c.getBoundingClientRect();
    return { x: r.x, y: r.y, w: r.width, h: r.height, label: c.getAttribute('aria-label') };
  });
  assert.equal(lanes.h, 56);
  // What a screen reader hears: each track (as text, hostile or not) and its segments.
  assert.equal(lanes.label, `Track lanes, 2 tracks: speaker: Customer, 1 segment; speaker: ${XSS}, 1 segment`);
  // Measured just before each click: a message shown above (a slow autosave, say) moves the lanes.
  const at = (s, row) => page.evaluate(([s, row, duration]) => {
    const r = document.querySelector('avseg-editor').shadowRoot.querySelector('.lanes').getBoundingClientRect();
    return [r.x + (s / duration) * r.width, r.y + row * 28 + 14];
  }, [s, row, detail.duration]);
  await page.evaluate(() => {
    window.selections = [];
    document.querySelector('avseg-editor').addEventListener('select', (e) => window.selections.push(e.detail.segment));
  });
  await page.mouse.click(...await at(7, 1));
  await page.waitForFunction(() => window.selections.length > 0, undefined, { timeout: 5000 });
  assert.deepEqual(await page.evaluate(() => window.selections), [ids.s2]);
  await page.mouse.click(...await at(5, 0));
  assert.equal(await page.evaluate(() => document.querySelector('avseg-editor').selectedSegment), null);
  assert.equal(await page.evaluate(() => window.__xss), undefined);
  assert.equal(await page.evaluate(() => document.querySelector('avseg-editor').shadowRoot.querySelectorAll('img').length), 0);
  const value = await page.evaluate(() => document.querySelector('avseg-editor').value);
  assert.equal(value.tracks[1].tag, XSS);
  assert.equal(value.segments[0].fields.transcription, XSS);
});

test('every edit is autosaved: a reload restores it, with a notice; discarding goes back', async (t) => {
  const { page } = await ready(t);
  const typed = await page.evaluate(async () => {
    const el = document.querySelector('avseg-editor');
    const track = el.addTrack('speaker', 'Customer');
    const seg = el.addSegment(track, 1, 2);
    el.updateSegment(seg, { fields: { transcription: 'the last keystroke' } });
    await el.flushDraft();
    return el.value;
  });
  await page.close();
  const again = await ready(t);
  const restored = await again.page.evaluate(() => ({
    restored: window.restored,
    value: document.querySelector('avseg-editor').value,
    notice: document.querySelector('avseg-editor').shadowRoot.querySelector('.notice').textContent,
  }));
  assert.ok(restored.restored, 'a restored event');
  assert.deepEqual(restored.value, typed);
  assert.match(restored.notice, /Restored your unsaved work/);
  await again.page.evaluate(() => document.querySelector('avseg-editor').shadowRoot.querySelector('.notice .discard').click());
  await again.page.waitForFunction(() => document.querySelector('avseg-editor').value.segments.length === 0);
  await again.page.close();
  const third = await ready(t);
  assert.equal(await third.page.evaluate(() => window.restored), null, 'nothing to restore after discarding');
});

test('drag on a lane creates a segment; dragging an edge resizes it; dragging the body moves it to another lane', async (t) => {
  const { page, detail } = await ready(t);
  const ids = await page.evaluate(() => {
    const el = document.querySelector('avseg-editor');
    el.snapping = false;
    return { a: el.addTrack('speaker', 'Customer'), b: el.addTrack('speaker', 'Representative') };
  });
  await page.waitForTimeout(100);
  const box = await page.evaluate(() => {
    const r = document.querySelector('avseg-editor').shadowRoot.querySelector('.lanes').getBoundingClientRect();
    return { x: r.x, y: r.y, w: r.width };
  });
  const x = (s) => box.x + (s / detail.duration) * box.w;
  const drag = async (from, to, y0, y1 = y0) => {
    await page.mouse.move(from, y0);
    await page.mouse.down();
    await page.mouse.move((from + to) / 2, (y0 + y1) / 2, { steps: 3 });
    await page.mouse.move(to, y1, { steps: 3 });
    await page.mouse.up();
  };
  const value = () => page.evaluate(() => document.querySelector('avseg-editor').value);
  const frameOf = (clientX) => Math.round(((clientX - box.x) / box.w) * detail.duration * 48000);

  await drag(x(2), x(4), box.y + 14);
  let v = await value();
  assert.equal(v.segments.length, 1);
  const s = v.segments[0];
  assert.equal(s.track, ids.a);
  assert.ok(Math.abs(s.start - frameOf(x(2))) <= 480, `start ${s.start}`);
  assert.ok(Math.abs(s.end - frameOf(x(4))) <= 480, `end ${s.end}`);
  assert.equal(await page.evaluate(() => document.querySelector('avseg-editor').selectedSegment), s.id);

  const endX = box.x + (s.end / 48000 / detail.duration) * box.w;
  await drag(endX - 1, x(5), box.y + 14);
  v = await value();
  assert.equal(v.segments[0].start, s.start, 'resizing the end keeps the start');
  assert.ok(v.segments[0].end > s.end + 0.8 * 48000, `end now ${v.segments[0].end}`);

  const length = v.segments[0].end - v.segments[0].start;
  await drag(x(3), x(6), box.y + 14, box.y + 28 + 14);
  v = await value();
  assert.equal(v.segments[0].track, ids.b, 'moved onto the other lane');
  assert.equal(v.segments[0].end - v.segments[0].start, length, 'moving keeps the length exactly');
  assert.ok(v.segments[0].start > s.start + 2.5 * 48000);

  await page.evaluate(() => { const el = document.querySelector('avseg-editor'); el.undo(); el.undo(); el.undo(); });
  assert.equal((await value()).segments.length, 0);
});

test('the panel edits the selected segment and the whole file; every keystroke is in value; labels are text', async (t) => {
  const { page } = await ready(t);
  const ids = await page.evaluate(() => {
    const el = document.querySelector('avseg-editor');
    const track = el.addTrack('speaker', 'Customer');
    const a = el.addSegment(track, 1, 2);
    const b = el.addSegment(track, 3, 4);
    el.selectedSegment = a;
    return { track, a, b };
  });
  const root = 'avseg-editor >> css=';
  await page.click(`${root}.segment-editor .field[data-field="transcription"] .control`);
  await page.keyboard.type('hello world');
  const perKeystroke = await page.evaluate(() => window.changes.map((v) => v.segments[0]?.fields?.transcription ?? null));
  assert.equal(perKeystroke.at(-1), 'hello world');
  assert.ok(perKeystroke.includes('hello w'), 'the value follows each keystroke');
  await page.selectOption(`${root}.segment-editor .field[data-field="emotion"] select`, 'Sad');
  await page.click(`${root}.classifications .field[data-field="speech"] select`);
  await page.selectOption(`${root}.classifications .field[data-field="speech"] select`, 'speech');
  const start = page.locator(`${root}.segment-editor input.time-start`);
  await start.fill('0:00.500');
  await start.press('Enter');
  let v = await page.evaluate(() => document.querySelector('avseg-editor').value);
  assert.equal(v.segments[0].fields.transcription, 'hello world');
  assert.equal(v.segments[0].fields.emotion, 'Sad');
  assert.equal(v.segments[0].start, 24000, 'typed time lands on the exact sample');
  assert.equal(v.classifications.speech, 'speech');
  assert.deepEqual(await page.evaluate(() => document.querySelector('avseg-editor').validate()), [
    { segment: ids.b, track: ids.track, field: 'transcription', message: 'Transcription is required' },
  ]);
  // One undo takes back the whole typed word, not one letter.
  await page.evaluate(() => { const el = document.querySelector('avseg-editor'); el.undo(); el.undo(); el.undo(); el.undo(); });
  v = await page.evaluate(() => document.querySelector('avseg-editor').value);
  assert.equal(v.segments[0].fields.transcription, undefined);
  // The list: the second row selects the second segment; the problem is marked in text.
  await page.click(`${root}.segment-list .row >> nth=1`);
  assert.equal(await page.evaluate(() => document.querySelector('avseg-editor').selectedSegment), ids.b);
  const rowText = await page.locator(`${root}.segment-list .row >> nth=1`).textContent();
  assert.match(rowText, /^▸ ⚠ 0:03\.000–0:04\.000/);
  // Config strings are shown as text: the hostile tag is an option's text, no element is made from it.
  await page.evaluate((xss) => { const el = document.querySelector('avseg-editor'); el.selectedSegment = el.addSegment(el.addTrack('speaker', xss), 5, 6); }, XSS);
  assert.equal((await page.locator(`${root}.segment-editor h3`).textContent()).replace(/ · s\d+$/, ''), `speaker: ${XSS}`);
  assert.equal(await page.evaluate(() => window.__xss), undefined);
  assert.equal(await page.evaluate(() => document.querySelector('avseg-editor').shadowRoot.querySelectorAll('img').length), 0);
});

test('keyboard only: add a track, record a segment while playing, nudge it, label it, undo', async (t) => {
  const { page } = await ready(t);
  const root = 'avseg-editor >> css=';
  await page.focus(`${root}select.track-category`);
  await page.selectOption(`${root}select.track-tag`, 'Representative');
  await page.focus(`${root}button.add-track`);
  await page.keyboard.press('Enter');
  let v = await page.evaluate(() => document.querySelector('avseg-editor').value);
  assert.deepEqual(v.tracks.map((x) => x.tag), ['Representative']);
  assert.equal(await page.evaluate(() => document.querySelector('avseg-editor').selectedTrack), v.tracks[0].id);

  await page.focus('avseg-editor');
  await page.evaluate(() => { document.querySelector('avseg-editor').currentTime = 1; });
  await page.keyboard.press('r');
  await page.waitForTimeout(900);
  await page.keyboard.press('r');
  await page.keyboard.press('Space');
  v = await page.evaluate(() => document.querySelector('avseg-editor').value);
  assert.equal(v.segments.length, 1);
  const seg = v.segments[0];
  // Begin at 1 s less the 150 ms reaction time; about 0.9 s recorded.
  assert.ok(Math.abs(seg.startTime - 0.85) < 0.06, `start ${seg.startTime}`);
  assert.ok(seg.endTime - seg.startTime > 0.6 && seg.endTime - seg.startTime < 1.3, `length ${seg.endTime - seg.startTime}`);

  await page.keyboard.press('Alt+ArrowRight');          // start +10 ms
  await page.keyboard.press('Alt+Shift+ArrowLeft');     // end -10 ms
  await page.keyboard.press('Control+Alt+ArrowRight');  // start +1 ms
  v = await page.evaluate(() => document.querySelector('avseg-editor').value);
  assert.equal(v.segments[0].start, seg.start + 480 + 48);
  assert.equal(v.segments[0].end, seg.end - 480);

  await page.focus(`${root}.segment-editor .field[data-field="transcription"] .control`);
  await page.keyboard.type('Thank you for calling');
  await page.focus('avseg-editor');
  await page.keyboard.press('Control+z');
  v = await page.evaluate(() => document.querySelector('avseg-editor').value);
  assert.equal(v.segments[0].fields.transcription, undefined, 'one undo takes back the typing');
  await page.keyboard.press('Control+Shift+z');
  v = await page.evaluate(() => document.querySelector('avseg-editor').value);
  assert.equal(v.segments[0].fields.transcription, 'Thank you for calling');
  await page.keyboard.press('Delete');
  v = await page.evaluate(() => document.querySelector('avseg-editor').value);
  assert.equal(v.segments.length, 0);
});

test('? shows the shortcuts; , and . nudge by one sample; a track is deleted with its segments and comes back on undo', async (t) => {
  const { page } = await ready(t);
  const root = 'avseg-editor >> css=';
  const ids = await page.evaluate(() => {
    const el = document.querySelector('avseg-editor');
    const track = el.addTrack('speaker', 'Customer');
    const seg = el.addSegment(track, 1, 2);
    el.selectedSegment = seg;
    el.selectedTrack = track;
    return { track, seg };
  });
  await page.focus('avseg-editor');
  await page.keyboard.press('?');
  assert.equal(await page.locator(`${root}.help-overlay`).isVisible(), true);
  assert.match(await page.locator(`${root}.help-overlay`).textContent(), /split the selected segment/);
  await page.keyboard.press('Escape');
  assert.equal(await page.locator(`${root}.help-overlay`).isVisible(), false);
  await page.keyboard.press('.');
  await page.keyboard.press('Shift+<');
  let v = await page.evaluate(() => document.querySelector('avseg-editor').value);
  assert.equal(v.segments[0].start, 48001);
  assert.equal(v.segments[0].end, 95999);
  await page.click(`${root}button.remove-track`);
  v = await page.evaluate(() => document.querySelector('avseg-editor').value);
  assert.equal(v.tracks.length, 0);
  assert.equal(v.segments.length, 0);
  await page.evaluate(() => document.querySelector('avseg-editor').undo());
  v = await page.evaluate(() => document.querySelector('avseg-editor').value);
  assert.equal(v.tracks[0].id, ids.track);
  assert.equal(v.segments[0].id, ids.seg);
});

test('M merges the selected segment with the next on its track; the Snap box turns snapping off', async (t) => {
  const { page } = await ready(t);
  const root = 'avseg-editor >> css=';
  const ids = await page.evaluate(() => {
    const el = document.querySelector('avseg-editor');
    const track = el.addTrack('speaker', 'Customer');
    const a = el.addSegment(track, 1, 2, { transcription: 'good' });
    const b = el.addSegment(track, 2.5, 3, { transcription: 'morning' });
    el.selectedSegment = a;
    return { a, b };
  });
  await page.focus('avseg-editor');
  await page.keyboard.press('m');
  const v = await page.evaluate(() => document.querySelector('avseg-editor').value);
  assert.equal(v.segments.length, 1);
  assert.equal(v.segments[0].id, ids.a);
  assert.equal(v.segments[0].end, 3 * 48000);
  assert.equal(v.segments[0].fields.transcription, 'good morning');
  assert.equal(await page.evaluate(() => document.querySelector('avseg-editor').snapping), true);
  await page.click(`${root}input.snap`);
  assert.equal(await page.evaluate(() => document.querySelector('avseg-editor').snapping), false);
});

test('recording on two selected tracks makes one segment on each in one undo step; the list groups by track', async (t) => {
  const { page } = await ready(t);
  const root = 'avseg-editor >> css=';
  const ids = await page.evaluate(() => {
    const el = document.querySelector('avseg-editor');
    return [el.addTrack('speaker', 'Customer'), el.addTrack('speaker', 'Representative')];
  });
  await page.focus('avseg-editor');
  await page.keyboard.press('t');            // the first track
  await page.keyboard.press('Shift+T');      // and the next one
  assert.deepEqual(await page.evaluate(() => document.querySelector('avseg-editor').selectedTracks), ids);
  const label = await page.locator(`${root}.lanes`).getAttribute('aria-label');
  assert.match(label, /speaker: Customer, selected, 0 segments; speaker: Representative, selected, 0 segments/);
  await page.evaluate(() => { document.querySelector('avseg-editor').currentTime = 2; });
  await page.keyboard.press('r');
  assert.match(await page.locator(`${root}.announce`).textContent(), /^Recording on speaker: Customer, speaker: Representative$/);
  await page.waitForTimeout(700);
  await page.keyboard.press('r');
  await page.keyboard.press('Space');
  let v = await page.evaluate(() => document.querySelector('avseg-editor').value);
  assert.equal(v.segments.length, 2);
  assert.deepEqual(v.segments.map((s) => s.track).sort(), [...ids].sort());
  assert.equal(v.segments[0].start, v.segments[1].start, 'both spans begin at the same sample');
  assert.equal(v.segments[0].end, v.segments[1].end);
  await page.keyboard.press('Control+z');
  v = await page.evaluate(() => document.querySelector('avseg-editor').value);
  assert.equal(v.segments.length, 0, 'one undo takes back both');
  await page.keyboard.press('Control+Shift+z');

  // More segments, then the list by track: a heading per track, its segments under it.
  await page.evaluate((ids) => {
    const el = document.querySelector('avseg-editor');
    el.addSegment(ids[1], 5, 6);
    el.addSegment(ids[0], 7, 8);
  }, ids);
  await page.selectOption(`${root}select.list-order`, 'track');
  const rows = await page.locator(`${root}.segment-list .row`).allTextContents();
  const shape = [/^speaker: Customer \(2\)$/, /^0:01\.\d{3}–0:02\.\d{3} speaker: Customer$/, /^0:07\.000–0:08\.000 speaker: Customer$/,
    /^speaker: Representative \(2\)$/, /^0:01\.\d{3}–0:02\.\d{3} speaker: Representative$/, /^0:05\.000–0:06\.000 speaker: Representative$/];
  assert.equal(rows.length, shape.length, rows.join(' | '));
  rows.forEach((r, i) => assert.match(r.replace(/^[▸⚠ ]+/, '').replace(/\s+/g, ' ').trim(), shape[i]));
  assert.match(await page.locator(`${root}.list-count`).textContent(), /^4 segments · ⚠ 4 with problems$/);

  // The list's keys walk the segments (skipping headings); the lanes follow; ] and [ from the element too.
  await page.click(`${root}.segment-list .row[role="option"] >> nth=0`);
  await page.keyboard.press('ArrowDown');
  let sel = await page.evaluate(() => document.querySelector('avseg-editor').selectedSegment);
  let seg = await page.evaluate((id) => document.querySelector('avseg-editor').value.segments.find((s) => s.id === id), sel);
  assert.equal(seg.startTime, 7);
  await page.keyboard.press('ArrowDown');   // past the Representative heading
  sel = await page.evaluate(() => document.querySelector('avseg-editor').selectedSegment);
  seg = await page.evaluate((id) => document.querySelector('avseg-editor').value.segments.find((s) => s.id === id), sel);
  assert.equal(seg.track, ids[1]);
  const active = await page.evaluate(() => {
    const list = document.querySelector('avseg-editor').shadowRoot.querySelector('.segment-list');
    return list.getRootNode().getElementById(list.getAttribute('aria-activedescendant'))?.getAttribute('aria-selected');
  });
  assert.equal(active, 'true', 'the listbox points at the selected option');
  assert.match(await page.locator(`${root}.announce`).textContent(), /^Segment on speaker: Representative, 0:01\.\d{3} to 0:02\.\d{3}, has a problem$/);
  await page.focus('avseg-editor');
  await page.keyboard.press('t');            // the track after the last selected, wrapping: Customer
  await page.keyboard.press('t');            // then Representative alone
  assert.deepEqual(await page.evaluate(() => document.querySelector('avseg-editor').selectedTracks), [ids[1]]);
  await page.keyboard.press(']');
  sel = await page.evaluate(() => document.querySelector('avseg-editor').selectedSegment);
  seg = await page.evaluate((id) => document.querySelector('avseg-editor').value.segments.find((s) => s.id === id), sel);
  assert.equal(seg.startTime, 5, '] goes to the next segment on the selected track, skipping the other');
  await page.keyboard.press('[');
  sel = await page.evaluate(() => document.querySelector('avseg-editor').selectedSegment);
  seg = await page.evaluate((id) => document.querySelector('avseg-editor').value.segments.find((s) => s.id === id), sel);
  assert.equal(seg.track, ids[1]);
  assert.ok(seg.startTime < 3);
});

test('selecting in the lanes scrolls the list to the row; a loaded document follows the config\'s track rules', async (t) => {
  const { page } = await ready(t);
  const out = await page.evaluate(async () => {
    const el = document.querySelector('avseg-editor');
    const rate = el.sampleRate;
    const doc = {
      format: 'avseg.annotation', version: 1, timebase: { rate, frames: Math.floor(el.duration * rate) },
      // The document says overlaps are fine; the config's speaker category says they are not.
      tracks: [{ id: 'a', category: 'speaker', tag: 'Customer', allowOverlap: true, minLength: 0 }],
      segments: Array.from({ length: 300 }, (_, i) => ({ id: `x${i}`, track: 'a', start: i * 1000, end: i * 1000 + 900, fields: { transcription: 'ok' } })),
    };
    doc.segments.push({ id: 'late', track: 'a', start: Math.round(rate * 9), end: Math.round(rate * 9.5), fields: { transcription: 'ok' } });
    doc.segments.push({ id: 'over', track: 'a', start: Math.round(rate * 9.2), end: Math.round(rate * 9.8), fields: { transcription: 'ok' } });
    const errors = [];
    el.addEventListener('error', (e) => errors.push(e.detail.message));
    el.value = doc;
    if (errors.length) throw new Error(errors.join('; '));
    const problems = el.validate().filter((p) => p.segment);
    let refused = null;
    try { el.addSegment('a', 9.1, 9.3); } catch (err) { refused = err.message; }
    const list = el.shadowRoot.querySelector('.segment-list');
    const scrolledBefore = list.scrollTop;
    el.selectedSegment = 'over';
    await new Promise((r) => requestAnimationFrame(r));
    const row = [...list.querySelectorAll('.row')].find((r) => r.dataset.segment === 'over');
    const box = row?.getBoundingClientRect();
    const view = list.getBoundingClientRect();
    return { problems: problems.map((p) => p.segment).sort(), refused, scrolledBefore, scrolled: list.scrollTop, inView: !!box && box.top >= view.top && box.bottom <= view.bottom, selected: row?.getAttribute('aria-selected') };
  });
  assert.deepEqual(out.problems, ['late', 'over']);
  assert.match(out.refused, /does not allow overlapping segments/);
  assert.equal(out.scrolledBefore, 0);
  assert.ok(out.scrolled > 0);
  assert.ok(out.inView, 'the selected row is in view');
  assert.equal(out.selected, 'true');
});

test('double-clicking a segment on its lane plays just that span', async (t) => {
  const { page, detail } = await ready(t);
  const id = await page.evaluate(() => {
    const el = document.querySelector('avseg-editor');
    return el.addSegment(el.addTrack('speaker', 'Customer'), 1, 1.5);
  });
  const lanes = await page.evaluate(() => {
    const r = document.querySelector('avseg-editor').shadowRoot.querySelector('.lanes').getBoundingClientRect();
    return { x: r.x, y: r.y, w: r.width };
  });
  const paused = page.evaluate(() => new Promise((resolve) => {
    const media = document.querySelector('avseg-editor').shadowRoot.querySelector('video');
    media.addEventListener('play', () => media.addEventListener('pause', () => resolve(media.currentTime), { once: true }), { once: true });
  }));
  await page.mouse.dblclick(lanes.x + (1.25 / detail.duration) * lanes.w, lanes.y + 14);
  const at = await Promise.race([paused, new Promise((_, reject) => setTimeout(() => reject(new Error('the span did not play to its end')), 8000))]);
  assert.equal(await page.evaluate(() => document.querySelector('avseg-editor').selectedSegment), id);
  assert.ok(at >= 1.5 && at < 1.75, `stopped at ${at} s, the segment ends at 1.5 s`);
});

test('the element exports what is on screen in other tools\' formats', async (t) => {
  const { page } = await ready(t);
  const out = await page.evaluate(() => {
    const el = document.querySelector('avseg-editor');
    const track = el.addTrack('speaker', 'Customer');
    el.addSegment(track, 0.5, 1.25, { transcription: 'Hello <there>' });
    let error = null;
    try { el.exportAs('docx'); } catch (err) { error = err.message; }
    return { vtt: el.exportAs('vtt'), rttm: el.exportAs('rttm'), error };
  });
  assert.equal(out.vtt, 'WEBVTT\n\n00:00:00.500 --> 00:00:01.250\n<v Customer>Hello &lt;there&gt;\n');
  assert.match(out.rttm, /^SPEAKER \S+ 1 0\.500000 0\.750000 <NA> <NA> Customer <NA> <NA>\n$/);
  assert.match(out.error, /unknown export format "docx"/);
});

test('the element reads other tools\' files back: what it exported comes back as the same segments', async (t) => {
  const { page } = await ready(t);
  const out = await page.evaluate(async () => {
    const el = document.querySelector('avseg-editor');
    const a = el.addTrack('speaker', 'Customer');
    const b = el.addTrack('speaker', 'Representative');
    el.addSegment(a, 0.5, 1.25, { transcription: 'Hello & <you>' });
    el.addSegment(b, 2, 3.5, { transcription: 'Hi' });
    const back = {};
    for (const format of ['vtt', 'eaf', 'textgrid']) {
      const doc = await el.importAs(format, el.exportAs(format));
      back[format] = doc.segments.map((s) => [doc.tracks.find((x) => x.id === s.track).tag, s.start, s.end, s.fields.text]);
    }
    const draft = await el.importAs('audacity', el.exportAs('audacity', { track: a }), { tag: 'Customer' });
    el.value = draft;   // loaded as pre-annotations
    let error = null;
    try { await el.importAs('eaf', '<not-eaf/>'); } catch (err) { error = err.message; }
    return { back, loaded: el.value.segments.length, error, rate: el.sampleRate };
  });
  const expected = [['Customer', 0.5 * out.rate, 1.25 * out.rate, 'Hello & <you>'], ['Representative', 2 * out.rate, 3.5 * out.rate, 'Hi']].map((x) => x.map((v) => (typeof v === 'number' ? Math.round(v) : v)));
  for (const format of ['vtt', 'eaf', 'textgrid']) assert.deepEqual(out.back[format], expected, format);
  assert.equal(out.loaded, 1);
  assert.match(out.error, /not an EAF file/);
});
