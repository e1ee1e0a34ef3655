// SPDX-License-Identifier: MIT
// scripts/report on comparison answers generated here from known system strengths (Bradley-Terry /
// Plackett-Luce sampling with a seeded PRNG): the figures rank the systems in the true order and
// flag a deliberate order bias; the page references nothing outside itself, opens in Chromium
// under its own CSP without a console error, has a labelled plot per section and shows hostile
// system names as text; bad inputs are named by file and line.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { collectConsole, launchBrowser } from '../browser/browser.mjs';
import { startS3Stub, stubEnv } from '../aws/s3-stub.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const REPORT = path.join(root, 'scripts/report');
const run = (args, env) => promisify(execFile)(process.execPath, [REPORT, ...args], { env: env ?? process.env, maxBuffer: 64 << 20 })
  .then(({ stdout, stderr }) => ({ code: 0, stdout, stderr }), (err) => ({ code: err.code, stdout: err.stdout, stderr: err.stderr }));

const groupBy = (items, key) => {
  const groups = new Map();
  for (const item of items) groups.set(key(item), [...(groups.get(key(item)) ?? []), item]);
  return groups;
};

function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Comparison documents (v1) of `tasks` tasks, each answered by every annotator: 2 to 4 clips of
 * distinct systems, shown in a shuffled order; a two-clip task gets a CMOS preference, a larger
 * one a ranking, both sampled with each clip's log-strength plus `bias` for the first-shown clip.
 */
function synthesize({ strengths, tasks, annotators, bias = 0, seed }) {
  const random = mulberry32(seed);
  const systems = Object.keys(strengths);
  const shuffle = (a) => {
    const out = [...a];
    for (let i = out.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [out[i], out[j]] = [out[j], out[i]];
    }
    return out;
  };
  const docs = [];
  for (let t = 0; t < tasks; t++) {
    const k = 2 + (t % 3);
    const clips = shuffle(systems).slice(0, k);
    for (const annotator of annotators) {
      const order = shuffle(clips.map((_, i) => i));
      const s = clips.map((sys, i) => strengths[sys] + (i === order[0] ? bias : 0));
      const rating = (i) => Math.max(1, Math.min(5, Math.round(3 + strengths[clips[i]] + (random() - 0.5) * 1.5)));
      let judgement;
      if (k === 2) {
        const p1 = 1 / (1 + Math.exp(s[0] - s[1]));
        const secondWins = random() < p1;
        const strength = 1 + Math.min(2, Math.floor(Math.abs(s[1] - s[0]) + random()));
        const cmos = secondWins ? strength : -strength;
        judgement = { type: 'preference', cmos, shownCmos: order[0] === 0 ? cmos : -cmos, preferred: secondWins ? 1 : 0, reason: 'clearer' };
      } else {
        // Plackett-Luce: the best drawn in proportion to strength, then the best of the rest...
        const left = clips.map((_, i) => i);
        const ranks = new Array(k);
        for (let r = 1; left.length; r++) {
          const w = left.map((i) => Math.exp(s[i]));
          let u = random() * w.reduce((a, b) => a + b, 0);
          let pick = 0;
          while (u > w[pick] && pick < w.length - 1) u -= w[pick++];
          ranks[left[pick]] = r;
          left.splice(pick, 1);
        }
        judgement = { type: 'ranking', ranks, reason: '' };
      }
      docs.push({
        format: 'avseg-comparison', version: 1, prompt: `Say sentence ${t}`, taskId: `task-${t}`, annotator,
        blind: true, seed: 'abcdef0123456789', order,
        clips: clips.map((system, i) => ({ system, source: `s3://media/${t}/${i}.wav`, shownAs: 'ABCD'[order.indexOf(i)], annotation: { version: 1, tracks: [] }, ratings: { naturalness: rating(i) }, heardMs: 1000 })),
        judgement,
        timings: { openedAt: '2026-11-30T01:00:00Z', submittedAt: '2026-11-30T01:01:00Z', switches: 3, loops: 0 },
      });
    }
  }
  return docs;
}

/** Writes docs as a local run's output folder: one worker-response file per task, the document as the comparison template submits it. */
async function writeRunFolder(dir, docs) {
  const byTask = groupBy(docs, (d) => d.taskId);
  let i = 0;
  for (const [, taskDocs] of byTask) {
    const folder = path.join(dir, 'annotations/worker-response/iteration-1', String(i++));
    await mkdir(folder, { recursive: true });
    const answers = taskDocs.map((d) => ({ workerId: `local.${d.annotator}`, answerContent: { comparison: JSON.stringify(d) }, workerMetadata: { identityData: { sub: d.annotator } } }));
    await writeFile(path.join(folder, '2026-11-30T01-00-00-000Z.json'), JSON.stringify({ answers }, null, 2));
  }
}

const manifestLine = (taskDocs, data) => ({
  prompt: taskDocs[0].prompt, clips: taskDocs[0].clips.map((c) => ({ 'source-ref': c.source, system: c.system })),
  compare: { annotationsFromAllWorkers: taskDocs.map((d, w) => ({ workerId: `w${w}`, annotationData: data(d, w) })) },
  'compare-metadata': { job_name: 'compare', type: 'groundTruth/custom', 'human-annotated': 'yes' },
});

const STRENGTHS = { 'tts-a': 1.6, 'tts-b': 0.7, 'tts-c': 0, 'tts-d': -1.1 };
const ANNOTATORS = ['ann1', 'ann2', 'ann3', 'ann4', 'ann5'];
let dir;

before(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'avseg-report-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('figures from synthetic judgements', () => {
  test('rank the systems in their true order, with the best scored highest, and find no order bias when there is none', async () => {
    const out = path.join(dir, 'fair');
    await writeRunFolder(out, synthesize({ strengths: STRENGTHS, tasks: 60, annotators: ANNOTATORS, seed: 7 }));
    const { code, stdout, stderr } = await run([out, '--json', '--bootstrap', '200']);
    assert.equal(code, 0, stderr);
    const r = JSON.parse(stdout);
    assert.deepEqual(r.systems.map((s) => s.system), ['tts-a', 'tts-b', 'tts-c', 'tts-d']);
    // Approximately the true log-strengths (centred): within 0.4 each.
    const mean = Object.values(STRENGTHS).reduce((a, b) => a + b, 0) / 4;
    for (const s of r.systems) {
      assert.ok(Math.abs(s.score - (STRENGTHS[s.system] - mean)) < 0.4, `${s.system}: ${s.score} vs ${STRENGTHS[s.system] - mean}`);
      assert.ok(s.ci[0] <= s.score && s.score <= s.ci[1], `${s.system}: CI ${s.ci} holds its score`);
    }
    assert.deepEqual(r.counts, { tasks: 60, annotators: 5, judgements: 300, pairs: r.counts.pairs });
    assert.equal(r.counts.pairs, 5 * (20 * 1 + 20 * 3 + 20 * 6));
    assert.ok(r.winRates.rate[0][3] > 0.8, `tts-a beats tts-d: ${r.winRates.rate[0][3]}`);
    assert.ok(Math.abs(r.winRates.rate[0][1] + r.winRates.rate[1][0] - 1) < 1e-9);
    const mos = Object.fromEntries(r.mos.map((m) => [m.system, m.mean]));
    assert.ok(mos['tts-a'] > mos['tts-b'] && mos['tts-b'] > mos['tts-c'] && mos['tts-c'] > mos['tts-d'], JSON.stringify(mos));
    assert.ok(r.cmos.length > 0 && r.cmos.every((c) => r.systems.findIndex((s) => s.system === c.first) < r.systems.findIndex((s) => s.system === c.second)));
    // The lower-scored second system is worse: negative CMOS overall, and no pair significantly positive.
    assert.ok(r.cmos.reduce((a, c) => a + c.n * c.mean, 0) < 0 && r.cmos.every((c) => c.ci[0] < 0), JSON.stringify(r.cmos));
    assert.equal(r.agreement.tasks.length, 60);
    assert.ok(r.agreement.overall.kappa !== null && r.agreement.overall.alpha.naturalness > 0.3, JSON.stringify(r.agreement.overall));
    assert.equal(r.orderBias.significant, false, r.orderBias.sentence);
    assert.match(r.orderBias.sentence, /not significantly/);
  });

  test('flag a deliberate order bias for the first-shown clip', async () => {
    const out = path.join(dir, 'biased');
    await writeRunFolder(out, synthesize({ strengths: STRENGTHS, tasks: 60, annotators: ANNOTATORS, bias: 1.5, seed: 11 }));
    const { code, stdout, stderr } = await run([out, '--json', '--bootstrap', '50']);
    assert.equal(code, 0, stderr);
    const r = JSON.parse(stdout);
    assert.ok(r.orderBias.share > 0.6, `share ${r.orderBias.share}`);
    assert.ok(r.orderBias.pValue < 0.001, `p ${r.orderBias.pValue}`);
    assert.equal(r.orderBias.significant, true);
    assert.match(r.orderBias.sentence, /significantly more than half/);
    // A bias spread over random orders leaves the ranking intact.
    assert.deepEqual(r.systems.map((s) => s.system), ['tts-a', 'tts-b', 'tts-c', 'tts-d']);
  });
});

describe('inputs', () => {
  test('a Ground Truth output manifest with inline answers and with worker-response files on S3 gives the same figures as the run folder', async () => {
    const docs = synthesize({ strengths: STRENGTHS, tasks: 9, annotators: ANNOTATORS.slice(0, 3), seed: 3 });
    const folder = path.join(dir, 'same');
    await writeRunFolder(folder, docs);
    const byTask = [...groupBy(docs, (d) => d.taskId).values()];
    const inline = path.join(dir, 'inline.manifest');
    await writeFile(inline, byTask.map((t) => JSON.stringify(manifestLine(t, (d) => ({ content: JSON.stringify({ annotations: JSON.stringify(d) }) })))).join('\n'));
    const s3 = await startS3Stub();
    try {
      byTask.forEach((t, i) => t.forEach((d, w) => s3.objects.set(`job/responses/${i}/${w}.json`, { body: Buffer.from(JSON.stringify({ answers: [{ workerId: `w${w}`, answerContent: { annotations: d } }] })) })));
      s3.objects.set('job/output.manifest', { body: Buffer.from(byTask.map((t, i) => JSON.stringify(manifestLine(t, (_, w) => ({ s3Uri: `s3://job/responses/${i}/${w}.json` })))).join('\n')) });
      const figures = async (args, env) => {
        const { code, stdout, stderr } = await run([...args, '--json', '--bootstrap', '20'], env);
        assert.equal(code, 0, stderr);
        const { generatedAt, inputs, ...rest } = JSON.parse(stdout);
        return rest;
      };
      const fromFolder = await figures([folder]);
      assert.deepEqual(await figures([inline]), fromFolder);
      assert.deepEqual(await figures(['s3://job/output.manifest'], stubEnv(s3.endpoint)), fromFolder);
    } finally {
      await s3.close();
    }
  });

  test('an empty or malformed input is refused naming the file and the line, and no page is written', async () => {
    const page = path.join(dir, 'never.html');
    const empty = path.join(dir, 'empty.manifest');
    await writeFile(empty, '\n');
    let r = await run([empty, '--out', page]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, new RegExp(`${empty.replace(/[.]/g, '\\.')}: the output manifest is empty`));

    const broken = path.join(dir, 'broken.manifest');
    const good = manifestLine(synthesize({ strengths: STRENGTHS, tasks: 1, annotators: ['x', 'y'], seed: 1 }), (d) => ({ content: JSON.stringify({ annotations: JSON.stringify(d) }) }));
    await writeFile(broken, `${JSON.stringify(good)}\n{"prompt": "cut off\n`);
    r = await run([broken, '--out', page]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /broken\.manifest, line 2: not valid JSON/);

    const single = structuredClone(good);
    single.compare.annotationsFromAllWorkers[1].annotationData.content = JSON.stringify({ annotations: JSON.stringify({ version: 1, tracks: [] }) });
    const wrong = path.join(dir, 'wrong.manifest');
    await writeFile(wrong, `${JSON.stringify(good)}\n${JSON.stringify(single)}\n`);
    r = await run([wrong, '--out', page]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /wrong\.manifest, line 2, worker w1: the answer is not a comparison document/);
    assert.match(r.stderr, /--partial/);
    await assert.rejects(readFile(page), { code: 'ENOENT' });
    r = await run([wrong, '--out', page, '--partial', '--bootstrap', '10']);
    assert.equal(r.code, 1, 'what was skipped still shows in the exit status');
    assert.match(r.stderr, /wrong\.manifest, line 2, worker w1/);
    assert.match(await readFile(page, 'utf8'), /Judgements<\/dt><dd>3 /);

    r = await run([path.join(dir, 'no-such-folder')]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /no-such-folder: no such file or folder/);
  });
});

describe('documents that cannot be trusted', () => {
  test('an unanswered preference, one whose sides contradict its cmos, or one of other systems than its line is named, not counted', async () => {
    const { readAnswers } = await import('../../scripts/lib/report/answers.mjs');
    const [good] = synthesize({ strengths: STRENGTHS, tasks: 1, annotators: ['x'], seed: 5 });
    const base = { ...good, order: [1, 0], judgement: { type: 'preference', cmos: 2, shownCmos: -2, preferred: 1 } };
    const docs = [
      base,
      { ...base, judgement: { type: 'preference', cmos: null, shownCmos: null, preferred: null, reason: 'only a reason' } },
      { ...base, judgement: { type: 'preference', cmos: 2, shownCmos: 2, preferred: 1 } },
      { ...base, judgement: { type: 'preference', cmos: 2, shownCmos: -2, preferred: 0 } },
      { ...base, clips: [...base.clips].reverse() },
      { ...base, judgement: { type: 'preference', preferred: 1 } },
    ];
    const file = path.join(dir, 'untrusted.manifest');
    const line = manifestLine([base], () => ({}));
    line.compare.annotationsFromAllWorkers = docs.map((d, w) => ({ workerId: `w${w}`, annotationData: { content: JSON.stringify({ comparison: JSON.stringify(d) }) } }));
    await writeFile(file, `${JSON.stringify(line)}\n`);
    const { answers, problems } = await readAnswers(file);
    assert.deepEqual(answers.map((a) => a.worker), ['w0']);
    assert.equal(problems.length, 5, problems.join('\n'));
    assert.match(problems[0], /worker w1: .*the preference is not answered/);
    assert.match(problems[1], /worker w2: .*"judgement\.shownCmos" is 2, but cmos 2 with the order \[1,0\] means -2/);
    assert.match(problems[2], /worker w3: .*"judgement\.preferred" is 0, but cmos 2 means 1/);
    assert.match(problems[3], /worker w4: .*are not its manifest line's/);
    // The document's cmos is the answer: a "preferred" alone is refused, so report and exports count the same answers.
    assert.match(problems[4], /worker w5: .*the preference is not answered \(no "cmos"; "preferred" alone/);
  });

  test('a Ground Truth answer naming its clips by blind tokens gets its systems from its line (by position, or opened with AVSEG_BLIND_KEY); a mismatch is named', async (t) => {
    const { readAnswers } = await import('../../scripts/lib/report/answers.mjs');
    const { sealSystem } = await import('../../scripts/aws/lambda/blind-systems.mjs');
    const { randomBytes } = await import('node:crypto');
    const key = randomBytes(32);
    const [good] = synthesize({ strengths: STRENGTHS, tasks: 1, annotators: ['x'], seed: 5 });
    const base = { ...good, order: [1, 0], judgement: { type: 'preference', cmos: 2, shownCmos: -2, preferred: 1 } };
    const sealed = (doc) => ({ ...doc, clips: doc.clips.map((c) => ({ ...c, system: sealSystem(c.system, key) })) });
    const swapped = sealed(base);
    [swapped.clips[0].system, swapped.clips[1].system] = [swapped.clips[1].system, swapped.clips[0].system];
    const tampered = sealed(base);
    const t1 = tampered.clips[1].system;
    tampered.clips[1].system = t1.slice(0, -6) + (t1.at(-6) === 'A' ? 'B' : 'A') + t1.slice(-5);
    const extra = sealed({ ...base, clips: [...base.clips, { ...base.clips[0], system: 'tts-z' }] });
    const file = path.join(dir, 'blind.manifest');
    const line = manifestLine([base], () => ({}));
    line.compare.annotationsFromAllWorkers = [sealed(base), extra, swapped, tampered].map((d, w) => ({ workerId: `w${w}`, annotationData: { content: JSON.stringify({ comparison: JSON.stringify(d) }) } }));
    await writeFile(file, `${JSON.stringify(line)}\n`);
    const without = await readAnswers(file);
    assert.deepEqual(without.answers.map((a) => [a.worker, a.doc.clips.map((c) => c.system)]), ['w0', 'w2', 'w3'].map((w) => [w, base.clips.map((c) => c.system)]), 'by position without the key');
    assert.match(without.problems.join('\n'), /worker w1: .*its 3 clips are named by blind tokens, and its manifest line has 2 clips/);
    process.env.AVSEG_BLIND_KEY = key.toString('base64');
    t.after(() => { delete process.env.AVSEG_BLIND_KEY; });
    const opened = await readAnswers(file);
    assert.deepEqual(opened.answers.map((a) => a.worker), ['w0']);
    assert.match(opened.problems.join('\n'), /worker w2: .*are not its manifest line's/);
    assert.match(opened.problems.join('\n'), /worker w3: clips\[1\]\.system: the blind token .*does not open with AVSEG_BLIND_KEY/);
  });
});

describe('the page', () => {
  const HOSTILE = { '<img src=x onerror=alert(1)>': 1.2, '"><script>alert(2)</script>': 0.4, "tts-'c' & <b>": -0.3, 'url(http://evil.example/x)': -1 };
  let html;
  let file;

  before(async () => {
    const out = path.join(dir, 'hostile');
    const docs = synthesize({ strengths: HOSTILE, tasks: 18, annotators: ['a<1>', 'a2', 'a3'], seed: 5 });
    for (const d of docs) d.prompt = `</title><style>@import url(//evil.example/x.css)</style> ${d.prompt}`;
    await writeRunFolder(out, docs);
    file = path.join(dir, 'report.html');
    const r = await run([out, '--out', file, '--bootstrap', '50']);
    assert.equal(r.code, 0, r.stderr);
    html = await readFile(file, 'utf8');
  });

  test('references nothing outside itself: no src/href to a network address, no @import or url() to outside', () => {
    for (const [, attr, value] of html.matchAll(/\s(src|href|xlink:href|action|srcset|poster|data)\s*=\s*("[^"]*"|'[^']*'|[^\s>]+)/gi)) {
      assert.doesNotMatch(value.replace(/^["']|["']$/g, ''), /^\s*(https?:|\/\/|ftp:|data:|javascript:)/i, `${attr}=${value}`);
    }
    assert.doesNotMatch(html, /<(script|link|iframe|object|embed|img|image|use|foreignObject)\b/i, 'no element that loads or runs anything');
    const styles = [...html.matchAll(/<style>([\s\S]*?)<\/style>/g)].map((m) => m[1]);
    assert.equal(styles.length, 1);
    assert.doesNotMatch(styles[0], /@import|url\(/i);
    assert.match(html, /<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'sha256-[A-Za-z0-9+/=]+'/);
  });

  test('opens in Chromium under its CSP with no console error, one labelled plot per section, hostile names as text', async () => {
    const browser = await launchBrowser();
    try {
      const page = await browser.newPage();
      const log = collectConsole(page);
      const requests = [];
      page.on('request', (req) => { if (!req.url().startsWith('file:')) requests.push(req.url()); });
      await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
      const sections = await page.$$eval('section', (all) => all.map((s) => ({
        id: s.id,
        plots: [...s.querySelectorAll('svg')].map((svg) => ({
          role: svg.getAttribute('role'),
          title: svg.querySelector(':scope > title')?.textContent ?? '',
          labelledBy: (svg.getAttribute('aria-labelledby') ?? '').split(' ').every((id) => id && document.getElementById(id)),
          marks: svg.querySelectorAll('circle, rect, line').length,
          width: svg.getBoundingClientRect().width,
        })),
      })));
      const plotted = ['bradley-terry', 'win-rates', 'mos', 'cmos', 'agreement', 'order-bias'];
      assert.deepEqual(sections.map((s) => s.id), ['summary', ...plotted]);
      for (const s of sections.filter((x) => plotted.includes(x.id))) {
        assert.ok(s.plots.length >= 1, `${s.id} has a plot`);
        for (const p of s.plots) {
          assert.equal(p.role, 'img');
          assert.ok(p.title && p.labelledBy, `${s.id}: titled and labelled`);
          assert.ok(p.marks > 0 && p.width > 100, `${s.id}: drawn`);
        }
      }
      // The stylesheet applied (its hash matches the CSP): a dot is filled blue, not the default black.
      assert.equal(await page.$eval('#bradley-terry circle.dot', (c) => getComputedStyle(c).fill), 'rgb(33, 102, 172)');
      const names = await page.$$eval('#bradley-terry tbody th', (ths) => ths.map((th) => th.textContent));
      assert.deepEqual(names.sort(), Object.keys(HOSTILE).sort());
      assert.equal(await page.$$eval('img, script, b', (els) => els.length), 0, 'no hostile element was made');
      assert.ok(await page.$eval('body', (b) => b.textContent.includes('</title><style>@import')), 'the hostile prompt is text');
      assert.deepEqual(log.filter((m) => m.type === 'error' || m.type === 'pageerror' || /Content Security Policy|Refused/i.test(m.text)), []);
      assert.deepEqual(requests, []);
      assert.match(await page.textContent('#summary'), /Tasks\s*18[\s\S]*Annotators\s*3[\s\S]*Judgements\s*54/);
    } finally {
      await browser.close();
    }
  });
});

describe('intervals the bootstrap cannot give, and text that could reorder the page', () => {
  const RLO = '\u202e';
  /** A two-clip preference of systems [x, y] with this cmos, as the template submits it. */
  const pairDoc = (t, annotator, [x, y], cmos, prompt = `Say sentence ${t}`) => ({
    format: 'avseg-comparison', version: 1, prompt, taskId: `task-${t}`, annotator, blind: true, seed: 'ab', order: [0, 1],
    clips: [x, y].map((system, i) => ({ system, source: `s3://media/${t}/${i}.wav`, shownAs: 'AB'[i], annotation: { version: 1, tracks: [] }, ratings: { [`nat${RLO}uralness`]: 3 }, heardMs: 1 })),
    judgement: { type: 'preference', cmos, shownCmos: cmos, preferred: cmos === 0 ? null : cmos > 0 ? 1 : 0, reason: `because ${RLO}txet` },
    timings: { openedAt: '2026-11-30T01:00:00Z', submittedAt: '2026-11-30T01:01:00Z', switches: 0, loops: 0 },
  });
  let ties, rare;

  before(async () => {
    // Every judgement a tie: each resample scores both systems 0, an interval [0, 0] would claim certainty.
    ties = path.join(dir, 'all-ties');
    await writeRunFolder(ties, [0, 1, 2, 3].flatMap((t) => ['u1', 'u2', 'u3'].map((a) => pairDoc(t, a, [`tts-${RLO}a`, 'tts-b'], 0, `${RLO}prompt ${t}`))));
    // tts-c judged once only.
    rare = path.join(dir, 'rare');
    await writeRunFolder(rare, [
      ...[0, 1, 2, 3, 4, 5].flatMap((t) => ['u1', 'u2'].map((a, i) => pairDoc(t, a, ['tts-a', 'tts-b'], (t + i) % 3 === 0 ? -1 : 2))),
      pairDoc(9, 'u1', ['tts-a', 'tts-c'], 1),
    ]);
  });

  test('all judgements tied: no interval, with the reason, in --json and as "n/a (reason)" on the page', async () => {
    const { code, stdout, stderr } = await run([ties, '--json', '--bootstrap', '50']);
    assert.equal(code, 0, stderr);
    const r = JSON.parse(stdout);
    for (const s of r.systems) {
      assert.equal(s.ci, null, `${s.system}: ${JSON.stringify(s.ci)}`);
      assert.match(s.ciReason, /every judgement of this system is a tie/);
    }
    const file = path.join(dir, 'ties.html');
    assert.equal((await run([ties, '--out', file, '--bootstrap', '50'])).code, 0);
    const html = await readFile(file, 'utf8');
    assert.match(html, /<td class="text">(<bdi>)?n\/a \(every judgement of this system is a tie, so the resamples show no spread\)(<\/bdi>)?<\/td>/);
    assert.doesNotMatch(html.match(/<section id="bradley-terry"[\s\S]*?<\/section>/)[0], /0\.00 to 0\.00/);
  });

  test('a system judged once has no interval, the others keep theirs', async () => {
    const { code, stdout, stderr } = await run([rare, '--json', '--bootstrap', '100']);
    assert.equal(code, 0, stderr);
    const r = JSON.parse(stdout);
    const c = r.systems.find((s) => s.system === 'tts-c');
    assert.equal(c.n, 1);
    assert.equal(c.ci, null);
    assert.match(c.ciReason, /only 1 judgement of this system \(an interval needs at least 3\)/);
    for (const s of r.systems.filter((x) => x.system !== 'tts-c')) assert.ok(s.ci[0] < s.ci[1], `${s.system}: ${s.ci}`);
  });

  test('system names, criteria, prompts and task names are isolated in <bdi> in tables and headings', async () => {
    const file = path.join(dir, 'bidi.html');
    assert.equal((await run([ties, '--out', file, '--bootstrap', '10'])).code, 0);
    const html = await readFile(file, 'utf8');
    const texts = [`tts-${RLO}a`, `nat${RLO}uralness`, `${RLO}prompt 0`];
    for (const t of texts) {
      const all = html.split(t).length - 1;
      assert.ok(all > 0, `${JSON.stringify(t)} is on the page`);
      // Outside the plots (whose <title>/<desc> text isolates with U+2068..U+2069), every occurrence is a <bdi>'s whole content.
      const page = html.replace(/<svg[\s\S]*?<\/svg>/g, '');
      assert.equal(page.split(t).length - 1, page.split(`<bdi>${t}</bdi>`).length - 1, `${JSON.stringify(t)} is always in a <bdi>`);
    }
    assert.match(html, /<h3><bdi>nat\u202euralness<\/bdi><\/h3>/);
    assert.match(html, /<th scope="row"><bdi>tts-\u202ea<\/bdi><\/th>/);
    assert.match(html, /<bdi>tts-b<\/bdi> vs <bdi>tts-\u202ea<\/bdi>|<bdi>tts-\u202ea<\/bdi> vs <bdi>tts-b<\/bdi>/);
    assert.match(html, /<title>\u2068tts-\u202ea\u2069: /);
  });
});
