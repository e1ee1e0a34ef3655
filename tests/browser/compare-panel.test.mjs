// SPDX-License-Identifier: MIT
// The comparison's ratings and judgement panel (web/src/compare-panel.js) mounted alone from dist/ in
// a shadow root, as <avseg-compare> places it, in real Chromium under the strict CSP: answered by
// keyboard only, its value field by field, a draft restored, a ranking with ties, problems beside
// their controls and focused, hostile text kept as text, and axe plus the names of every control.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { copyFile, cp, mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServers } from '../../scripts/lib/servers.mjs';
import { strictCsp } from '../../web/demo/page.mjs';
import { launchBrowser, collectConsole } from './browser.mjs';

const root = fileURLToPath(new URL('../..', import.meta.url));
const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
const HOSTILE = '</textarea><script>window.pwned = 1</script><img src=x onerror="window.pwned = 2"> 1234';

let tmp, servers, browser;

before(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'avseg-compare-panel-'));
  const assets = path.join(tmp, 'assets');
  await cp(path.join(root, 'dist'), assets, { recursive: true });
  await copyFile(AXE, path.join(assets, 'axe.min.js'));
  servers = await startServers({ pages: { '/index.html': '' }, csp: strictCsp, assetRoot: assets, mediaRoot: tmp });
  servers.setPage('/index.html', `<!doctype html>
<html lang="en">
<meta charset="utf-8">
<link rel="icon" href="data:,">
<title>avseg comparison panel test</title>
<script src="${servers.assets.url('/axe.min.js')}"></script>
<body>
<main>
  <h1>Compare</h1>
  <div id="host"></div>
</main>
</body>
</html>`);
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await servers?.close();
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

/** A page with the panel mounted in #host's shadow root; window.panel, window.changes, window.hostKeys. */
async function mount(t, options, { width = 1000 } = {}) {
  const page = await browser.newPage();
  const log = collectConsole(page);
  t.after(async () => {
    if (t.passed === false || process.env.AVSEG_VERBOSE) console.log(JSON.stringify(log, null, 1));
    await page.close();
  });
  await page.setViewportSize({ width, height: 700 });
  await page.goto(servers.page.url('/'));
  await page.waitForFunction(() => window.axe);
  await page.evaluate(async ({ url, options }) => {
    const { ComparePanel, adoptPanelStyles } = await import(url);
    const host = document.getElementById('host');
    const shadow = host.attachShadow({ mode: 'open' });
    adoptPanelStyles(shadow);
    window.changes = [];
    window.hostKeys = [];
    // The comparison element listens on itself: what reaches the host is what it would act on.
    host.addEventListener('keydown', (e) => window.hostKeys.push(e.key));
    window.panel = new ComparePanel(shadow, options);
    window.panel.onchange = (v) => window.changes.push(v);
  }, { url: servers.assets.url('/compare-panel.js'), options });
  return { page, log };
}

const CRITERIA = [
  { name: 'naturalness', label: 'Naturalness', scale: [1, 5], required: true },
  { name: 'clarity', label: 'Clarity', scale: [0, 3] },
];

/** The focused element inside the shadow root: its role-relevant facts. */
const focused = (page) => page.evaluate(() => {
  const el = document.getElementById('host').shadowRoot.activeElement;
  if (!el) return null;
  const group = el.closest('[role="radiogroup"]');
  const names = (ids) => ids.split(' ').map((id) => el.getRootNode().getElementById(id).textContent).join(' ');
  return {
    tag: el.localName,
    type: el.type,
    value: el.value,
    text: el.closest('label')?.textContent.trim() ?? null,
    group: group ? names(group.getAttribute('aria-labelledby')) : null,
  };
});

async function press(page, key, times = 1) {
  for (let i = 0; i < times; i++) await page.keyboard.press(key);
}

test('two clips: every rating and the CMOS chosen by keyboard only; value() field by field; keys 1-4 pass, typing does not', async (t) => {
  const { page } = await mount(t, { criteria: CRITERIA, judgement: 'auto', reason: 'required', labels: ['A', 'B'] });
  await page.evaluate(() => document.activeElement?.blur());
  // A naturalness: Tab lands on the group's first radio; arrows move and choose (native radios).
  await press(page, 'Tab');
  assert.deepEqual(await focused(page), { tag: 'input', type: 'radio', value: '1', text: '1 Bad', group: 'Clip A Naturalness *' });
  await press(page, 'ArrowRight', 3);
  assert.equal((await focused(page)).text, '4 Good');
  await press(page, '2'); // a clip switch key on a radio reaches the comparison element and changes nothing here
  await press(page, 'Tab'); // A clarity, 0..3 numbered
  assert.deepEqual(await focused(page), { tag: 'input', type: 'radio', value: '0', text: '0', group: 'Clip A Clarity' });
  await press(page, 'ArrowRight', 2);
  await press(page, 'Tab'); // B naturalness
  assert.equal((await focused(page)).group, 'Clip B Naturalness *');
  await press(page, 'Space');
  assert.equal((await focused(page)).text, '1 Bad');
  await press(page, 'ArrowRight', 5); // wraps round to 1 Bad
  assert.equal((await focused(page)).text, '1 Bad');
  await press(page, 'ArrowRight');
  assert.equal((await focused(page)).text, '2 Poor');
  await press(page, 'Tab'); // B clarity left unanswered (optional)
  await press(page, 'Tab'); // the CMOS scale
  assert.deepEqual(await focused(page), { tag: 'input', type: 'radio', value: '-3', text: '−3 Much worse', group: 'Overall preference B compared with A *' });
  await press(page, 'ArrowRight', 3);
  assert.equal((await focused(page)).text, '0 About the same');
  await press(page, 'ArrowRight');
  assert.equal((await focused(page)).text, '+1 Slightly better');
  await press(page, 'ArrowLeft', 3);
  assert.equal((await focused(page)).text, '−2 Worse');
  await press(page, 'Tab'); // the reason
  assert.equal((await focused(page)).tag, 'textarea');
  await page.keyboard.type('A clips the 3rd word');

  const value = await page.evaluate(() => window.panel.value());
  assert.equal(value.ratings.length, 2);
  assert.deepEqual(value.ratings[0], { naturalness: 4, clarity: 2 });
  assert.deepEqual(value.ratings[1], { naturalness: 2, clarity: null });
  assert.equal(value.judgement.type, 'preference');
  assert.equal(value.judgement.shownCmos, -2);
  assert.equal(value.judgement.reason, 'A clips the 3rd word');
  assert.equal(value.judgement.shownRanks, undefined);
  assert.deepEqual(Object.keys(value.judgement).sort(), ['reason', 'shownCmos', 'type']);
  assert.deepEqual(await page.evaluate(() => window.changes.at(-1)), value, 'onchange gives the value after each change');

  // The host saw the digit typed on a radio and Tab, but neither arrows/Space on radios nor anything typed in the reason.
  const keys = await page.evaluate(() => window.hostKeys);
  assert.ok(keys.includes('2'), `the clip key 2 reached the comparison element: ${keys}`);
  assert.ok(keys.includes('Tab'));
  for (const k of ['ArrowRight', 'ArrowLeft', ' ', 'A', '3', 'w']) assert.ok(!keys.includes(k), `${JSON.stringify(k)} reached the host: ${keys}`);
});

test('restore() puts a draft back: value() round-trips, the radios show it, a hostile reason stays text', async (t) => {
  const { page } = await mount(t, { criteria: CRITERIA, reason: 'optional', labels: ['A', 'B'] });
  const draft = { ratings: [{ naturalness: 5, clarity: 0 }, { naturalness: 3, clarity: null }],
    judgement: { type: 'preference', shownCmos: 3, reason: HOSTILE } };
  const back = await page.evaluate((d) => { window.panel.restore(d); return window.panel.value(); }, draft);
  assert.deepEqual(back, draft);
  const shown = await page.evaluate(() => {
    const shadow = document.getElementById('host').shadowRoot;
    return {
      checked: [...shadow.querySelectorAll('input:checked')].map((r) => r.parentElement.textContent.trim()),
      reason: shadow.querySelector('textarea').value,
      scripts: shadow.querySelectorAll('script, img').length + document.querySelectorAll('main script, main img').length,
      pwned: window.pwned ?? null,
      changes: window.changes.length,
    };
  });
  assert.deepEqual(shown.checked, ['5 Excellent', '0', '3 Fair', '+3 Much better']);
  assert.equal(shown.reason, HOSTILE);
  assert.equal(shown.scripts, 0);
  assert.equal(shown.pwned, null);
  assert.equal(shown.changes, 0, 'restoring is not an edit');
  // An empty draft clears everything.
  assert.deepEqual(await page.evaluate(() => { window.panel.restore({}); return window.panel.value(); }), {
    ratings: [{ naturalness: null, clarity: null }, { naturalness: null, clarity: null }],
    judgement: { type: 'preference', shownCmos: null, reason: null },
  });
  // A hostile label from the config is text too.
  const labelled = await page.evaluate(async ({ url, hostile }) => {
    const { ComparePanel } = await import(url);
    const box = document.createElement('div');
    document.body.append(box);
    new ComparePanel(box, { criteria: [{ name: 'x', label: hostile, scale: [1, 2] }], reason: 'none', labels: ['A', 'B'] });
    return { text: box.querySelector('.question-label').textContent, tags: box.querySelectorAll('script, img').length, textareas: box.querySelectorAll('textarea').length };
  }, { url: servers.assets.url('/compare-panel.js'), hostile: HOSTILE });
  assert.deepEqual(labelled, { text: HOSTILE, tags: 0, textareas: 0 });
});

test('three clips: a ranking with ties, by keyboard; its value, and problems mapped from manifest order', async (t) => {
  const { page } = await mount(t, { criteria: [], judgement: 'auto', reason: 'optional', labels: ['A', 'B', 'C'], order: [2, 0, 1] });
  await page.evaluate(() => document.activeElement?.blur());
  await press(page, 'Tab');
  assert.deepEqual(await focused(page), { tag: 'input', type: 'radio', value: '1', text: '1st (best)', group: 'Overall ranking Clip A *' });
  await press(page, 'Space'); // A: 1
  await press(page, 'Tab');
  assert.equal((await focused(page)).group, 'Overall ranking Clip B *');
  await press(page, 'Space'); // B: 1, a tie with A
  await press(page, 'Tab');
  assert.equal((await focused(page)).group, 'Overall ranking Clip C *');
  await press(page, 'ArrowDown'); // C: 2
  assert.equal((await focused(page)).text, '2nd');
  const value = await page.evaluate(() => window.panel.value());
  assert.deepEqual(value, { ratings: [{}, {}, {}], judgement: { type: 'ranking', shownRanks: [1, 1, 2], reason: null } });
  // validateComparison's paths are in manifest order: manifest clip 2 is shown first (A).
  const rest = await page.evaluate(() => window.panel.focusFirstProblem([
    { path: 'clips[0].annotation.segments[0].fields.transcription', message: 'Transcription is required' },
    { path: 'judgement.ranks[2]', message: 'Rank every clip' },
  ]));
  assert.equal(rest, true, 'focusFirstProblem found one of the panel\'s');
  assert.equal((await focused(page)).group, 'Overall ranking Clip A *');
  const marks = await page.evaluate(() => [...document.getElementById('host').shadowRoot.querySelectorAll('[role="radiogroup"]')]
    .map((g) => [g.getAttribute('aria-invalid'), g.getRootNode().getElementById(g.getAttribute('aria-describedby')).textContent]));
  assert.deepEqual(marks, [['true', '⚠ Rank every clip'], ['false', ''], ['false', '']]);
  assert.deepEqual(await page.evaluate(() => window.panel.showProblems([{ path: 'clips[0].annotation', message: 'x' }])),
    [{ path: 'clips[0].annotation', message: 'x' }], 'problems that are not the panel\'s are handed back');
});

test('a required reason left empty: its problem is shown beside the textarea and focused; ratings map through order', async (t) => {
  const { page } = await mount(t, { criteria: CRITERIA, reason: 'required', labels: ['A', 'B'], order: [1, 0] });
  const problems = [
    { path: 'judgement.reason', message: 'A reason is required' },
  ];
  assert.equal(await page.evaluate((p) => window.panel.focusFirstProblem(p), problems), true);
  const reason = await page.evaluate(() => {
    const shadow = document.getElementById('host').shadowRoot;
    const el = shadow.activeElement;
    return { tag: el?.localName, invalid: el?.getAttribute('aria-invalid'), required: el?.required,
      said: shadow.getElementById(el?.getAttribute('aria-describedby'))?.textContent };
  });
  assert.deepEqual(reason, { tag: 'textarea', invalid: 'true', required: true, said: '⚠ A reason is required' });
  // Typing the reason does not reach the comparison element; a later validation clears the mark.
  await page.keyboard.type('1 2 3 4 B is clearer');
  assert.deepEqual(await page.evaluate(() => window.hostKeys), []);
  assert.equal(await page.evaluate(() => window.panel.value().judgement.reason), '1 2 3 4 B is clearer');
  // The first problem in the panel's order wins: manifest clip 1 is shown as A.
  await page.evaluate(() => window.panel.focusFirstProblem([
    { path: 'judgement.shownCmos', message: 'Choose a preference' },
    { path: 'clips[0].ratings.naturalness', message: 'Rate the naturalness of B' },
    { path: 'clips[1].ratings.naturalness', message: 'Rate the naturalness of A' },
  ]));
  assert.equal((await focused(page)).group, 'Clip A Naturalness *');
  const state = await page.evaluate(() => [...document.getElementById('host').shadowRoot.querySelectorAll('.control')]
    .map((c) => `${c.getAttribute('aria-invalid')} ${c.getRootNode().getElementById(c.getAttribute('aria-describedby')).textContent}`));
  assert.deepEqual(state, ['true ⚠ Rate the naturalness of A', 'false ', 'true ⚠ Rate the naturalness of B', 'false ', 'true ⚠ Choose a preference', 'false ']);
});

test('accessibility: axe finds nothing serious; every control has a role and a name; usable at 320 px', async (t) => {
  for (const labels of [['A', 'B'], ['A', 'B', 'C', 'D']]) {
    const { page } = await mount(t, { criteria: CRITERIA, reason: 'required', labels }, { width: 320 });
    await page.evaluate(() => window.panel.focusFirstProblem([{ path: 'judgement.reason', message: 'A reason is required' }]));
    const result = await page.evaluate(async () => {
      const r = await window.axe.run(document, { resultTypes: ['violations'] });
      return r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id}: ${v.help} ${JSON.stringify(v.nodes.map((n) => n.target))}`);
    });
    assert.deepEqual(result, [], `axe with ${labels.length} clips`);
    // Chromium's accessibility tree: every radio and textbox named, inside a named radio group.
    const cdp = await page.context().newCDPSession(page);
    const { nodes } = await cdp.send('Accessibility.getFullAXTree');
    await cdp.detach();
    const byId = new Map(nodes.map((n) => [n.nodeId, n]));
    const named = (role) => nodes.filter((n) => n.role?.value === role && !n.ignored).map((n) => ({ n, name: n.name?.value ?? '' }));
    const radios = named('radio');
    const groups = named('radiogroup');
    const perClip = CRITERIA.length;
    const judgementGroups = labels.length === 2 ? 1 : labels.length;
    assert.equal(groups.length, labels.length * perClip + judgementGroups);
    for (const { name } of groups) assert.match(name, /^(Clip [A-D] (Naturalness|Clarity)|Overall (preference B compared with A|ranking Clip [A-D]))$/);
    assert.equal(new Set(groups.map((g) => g.name)).size, groups.length, 'each group has its own name');
    const scaleSize = labels.length === 2 ? 7 : labels.length;
    assert.equal(radios.length, labels.length * (5 + 4) + judgementGroups * scaleSize);
    for (const { n, name } of radios) {
      assert.ok(name.trim(), 'a radio without a name');
      let up = byId.get(n.parentId);
      while (up && up.role?.value !== 'radiogroup') up = byId.get(up.parentId);
      assert.ok(up, `radio "${name}" is inside a radio group`);
    }
    const boxes = named('textbox');
    assert.deepEqual(boxes.map((b) => b.name), ['Reason']);
    assert.equal(boxes[0].n.properties.find((p) => p.name === 'invalid')?.value.value, 'true');
    assert.equal(boxes[0].n.properties.find((p) => p.name === 'required')?.value.value, true);
    // 320 px: nothing sticks out sideways.
    const overflow = await page.evaluate(() => ({ doc: document.documentElement.scrollWidth, view: document.documentElement.clientWidth }));
    assert.ok(overflow.doc <= overflow.view, `the panel fits 320 px (${overflow.doc} > ${overflow.view})`);
  }
});

test('a long scale (0-100) is a number box: typed and stepped by keyboard, described, its digits kept from the host', async (t) => {
  const criteria = [{ name: 'overall', label: 'Overall quality', scale: [0, 100], required: true, description: 'As in MUSHRA: 100 = like the reference' }];
  const { page } = await mount(t, { criteria, reason: 'none', labels: ['A', 'B'] });
  await page.evaluate(() => document.activeElement?.blur());
  await press(page, 'Tab');
  const box = await page.evaluate(() => {
    const el = document.getElementById('host').shadowRoot.activeElement;
    const text = (ids) => ids.split(' ').map((id) => el.getRootNode().getElementById(id).textContent).join(' | ');
    return { type: el.type, min: el.min, max: el.max, name: text(el.getAttribute('aria-labelledby')), about: text(el.getAttribute('aria-describedby')) };
  });
  assert.deepEqual(box, { type: 'number', min: '0', max: '100', name: 'Clip A | Overall quality (0 to 100) *', about: 'As in MUSHRA: 100 = like the reference | ' });
  await page.keyboard.type('73');
  await press(page, 'ArrowUp');
  await press(page, 'Tab');
  await page.keyboard.type('12');
  assert.deepEqual(await page.evaluate(() => window.panel.value()), {
    ratings: [{ overall: 74 }, { overall: 12 }], judgement: { type: 'preference', shownCmos: null, reason: null },
  });
  const keys = await page.evaluate(() => window.hostKeys);
  assert.deepEqual(keys.filter((k) => k !== 'Tab'), [], 'digits typed in a number box stay there');
  assert.equal(await page.evaluate(() => document.getElementById('host').shadowRoot.querySelectorAll('textarea').length), 0, 'reason "none": no reason box');
  const cdp = await page.context().newCDPSession(page);
  const { nodes } = await cdp.send('Accessibility.getFullAXTree');
  await cdp.detach();
  const spins = nodes.filter((n) => n.role?.value === 'spinbutton' && !n.ignored).map((n) => n.name?.value);
  assert.deepEqual(spins, ['Clip A Overall quality (0 to 100)', 'Clip B Overall quality (0 to 100)']);
});
