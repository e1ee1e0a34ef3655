// SPDX-License-Identifier: MIT
// The Ground Truth templates rendered with a real Liquid engine (liquidjs), as the worker portal
// renders them: every accepted source key, the task input carried intact, the size limit.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { ASSET_PLACEHOLDER, TEMPLATE_LIMIT, renderTemplate } from '../../scripts/lib/labeling/render.mjs';
import { SOURCE_KEYS } from '../../scripts/lib/labeling/manifest.mjs';

const template = (name) => readFile(new URL(`../../template/${name}.liquid.html`, import.meta.url), 'utf8');
const unescape = (s) => s.replace(/&#(\d+);/g, (_, n) => String.fromCharCode(Number(n))).replace(/&quot;/g, '"').replace(/&lt;/g, '<')
  .replace(/&gt;/g, '>').replace(/&#39;/g, "'").replace(/&amp;/g, '&');
const attr = (html, name) => unescape(new RegExp(`${name}="([^"]*)"`).exec(html)?.[1] ?? '');

for (const name of ['audio', 'video']) {
  for (const key of SOURCE_KEYS) {
    test(`${name} template: the media comes from "${key}", presigned, and the task input arrives intact`, async () => {
      const input = { [key]: 's3://bucket/calls/a "quoted" & odd.mp3', transcription: '</script><img src=x onerror=alert(1)> "hi" & bye', 'call-id': 7 };
      const seen = [];
      const html = await renderTemplate(await template(name), input, {
        grant: (s) => { seen.push(s); return `https://bucket.s3.amazonaws.com/signed?k=${encodeURIComponent(s)}&X-Amz-Signature=abc`; },
      });
      assert.deepEqual(seen, [input[key]], 'grant_read_access gets the source as written');
      assert.equal(attr(html, 'data-src'), `https://bucket.s3.amazonaws.com/signed?k=${encodeURIComponent(input[key])}&X-Amz-Signature=abc`);
      assert.equal(attr(html, 'data-task-id'), input[key]);
      assert.deepEqual(JSON.parse(attr(html, 'data-task-input')), input);
      // Nothing from the input opens an element or ends the page's scripts.
      assert.ok(!html.includes('<img'), 'the hostile text stays escaped');
      assert.equal(html.split('</script>').length, 5, 'only the template\'s own four scripts close');
      // The asset base names the guard (template-guard.js) and the task glue.
      assert.equal(html.split(ASSET_PLACEHOLDER).length, 3, 'two asset placeholders to replace');
      assert.ok(html.length < TEMPLATE_LIMIT, `${html.length} characters`);
    });
  }
}

test('the templates stay under Ground Truth\'s limit even with a long task input', async () => {
  for (const name of ['audio', 'video']) {
    const input = { 'source-ref': 's3://b/k.mp3', transcription: 'word '.repeat(20000) };
    const html = await renderTemplate(await template(name), input, { grant: (s) => s });
    assert.ok((await template(name)).length < 8000, 'the template itself is small');
    // The task input is the caller's to keep small; the template adds a fixed amount to it.
    assert.ok(html.length - JSON.stringify(input).length < 8000, `${name}: ${html.length} characters`);
  }
});

test('each template declares a config the label config parser accepts', async () => {
  const { default: create } = await import('../../dist/avseg-model.js');
  const wasmBinary = await readFile(new URL('../../dist/avseg-model.wasm', import.meta.url));
  const M = await create({ wasmBinary });
  const expect = { audio: [['speaker', 'language'], ['Customer', 'Representative']], video: [['Dog', 'Gait'], ['Dog #1', 'Dog #2', 'Dog #3']] };
  for (const name of ['audio', 'video']) {
    const text = /<script type="application\/json" id="avseg-config">([\s\S]*?)<\/script>/.exec(await template(name))[1];
    const a = new M.Annotations();
    const result = a.setConfig(text);
    assert.equal(result.ok, true, `${name}: ${result.reason}`);
    const config = JSON.parse(a.config());
    assert.deepEqual(config.categories.map((c) => c.name), expect[name][0]);
    assert.deepEqual(config.categories[0].tags, expect[name][1]);
    a.delete();
  }
});

test('a peaks URI in the task input is presigned into data-peaks; without one it is empty', async () => {
  for (const name of ['audio', 'video']) {
    const grant = (s) => `https://signed.example/${encodeURIComponent(s)}`;
    const withPeaks = await renderTemplate(await template(name), { 'source-ref': 's3://b/a.mp3', peaks: 's3://b/a.dat' }, { grant });
    assert.equal(attr(withPeaks, 'data-peaks'), grant('s3://b/a.dat'));
    const without = await renderTemplate(await template(name), { 'source-ref': 's3://b/a.mp3' }, { grant });
    assert.equal(attr(without, 'data-peaks'), '');
  }
});

test('an analysis sidecar URI in the task input ("analysis-ref") is presigned into data-analysis; without one (a plain "analysis" note) it is empty', async () => {
  for (const name of ['audio', 'video', 'aws-sample-audio', 'aws-sample-video']) {
    const grant = (s) => `https://signed.example/${encodeURIComponent(s)}`;
    const withAnalysis = await renderTemplate(await template(name), { 'source-ref': 's3://b/a.mp3', 'analysis-ref': 's3://b/a "1".avsa', analysis: 'a note' }, { grant });
    assert.equal(attr(withAnalysis, 'data-analysis'), grant('s3://b/a "1".avsa'), name);
    const without = await renderTemplate(await template(name), { 'source-ref': 's3://b/a.mp3', analysis: 'the speaker hesitates twice' }, { grant });
    assert.equal(attr(without, 'data-analysis'), '', name);
  }
});
