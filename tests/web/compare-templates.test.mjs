// SPDX-License-Identifier: MIT
// The comparison templates (template/compare-*.liquid.html) rendered with the local Liquid, as the
// worker portal renders them: each clip's media and peaks through grant_read_access, the prompt
// and the task input escaped (hostile text stays text), the guard before the glue, a label config
// with its "comparison" block, and a classic variant.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { ASSET_PLACEHOLDER, TEMPLATE_LIMIT, renderTemplate } from '../../scripts/lib/labeling/render.mjs';
import { classicTemplate } from '../../scripts/lib/labeling/classic-template.mjs';

const template = (name) => readFile(new URL(`../../template/${name}.liquid.html`, import.meta.url), 'utf8');
const unescape = (s) => s.replace(/&#(\d+);/g, (_, n) => String.fromCharCode(Number(n))).replace(/&quot;/g, '"').replace(/&lt;/g, '<')
  .replace(/&gt;/g, '>').replace(/&#39;/g, "'").replace(/&amp;/g, '&');
const HOSTILE = '</q></p><script>alert(1)</script><img src=x onerror=alert(2)> "quoted" & \'single\'';
const GUARD = '<script src="__AVSEG_ASSET_BASE__/template-guard.js" defer></script>';

for (const name of ['compare-audio', 'compare-video']) {
  test(`${name}: every clip presigned in manifest order, the hostile prompt shown as text, the task input intact`, async () => {
    const input = {
      prompt: HOSTILE, id: 'p-1',
      clips: [
        { 'source-ref': 's3://b/a "1".wav', system: 'tts-a', 'peaks-ref': 's3://b/a.dat' },
        { 'source-ref': 's3://b/b&1.wav', system: '<b>tts-b</b>', 'analysis-ref': 's3://b/b.avsa' },
        { 'source-ref': 's3://b/c.wav', system: 'tts-c' },
      ],
    };
    const seen = [];
    const html = await renderTemplate(await template(name), input, {
      grant: (s) => { seen.push(s); return `https://b.s3.amazonaws.com/signed?k=${encodeURIComponent(s)}&X-Amz-Signature=abc`; },
    });
    assert.deepEqual(seen, ['s3://b/a "1".wav', 's3://b/a.dat', 's3://b/b&1.wav', 's3://b/b.avsa', 's3://b/c.wav']);
    const items = [...html.matchAll(/<li data-src="([^"]*)"\s+data-peaks="([^"]*)"\s+data-analysis="([^"]*)"><\/li>/g)].map((m) => [unescape(m[1]), unescape(m[2]), unescape(m[3])]);
    assert.deepEqual(items, [
      [`https://b.s3.amazonaws.com/signed?k=${encodeURIComponent('s3://b/a "1".wav')}&X-Amz-Signature=abc`, `https://b.s3.amazonaws.com/signed?k=${encodeURIComponent('s3://b/a.dat')}&X-Amz-Signature=abc`, ''],
      [`https://b.s3.amazonaws.com/signed?k=${encodeURIComponent('s3://b/b&1.wav')}&X-Amz-Signature=abc`, '', `https://b.s3.amazonaws.com/signed?k=${encodeURIComponent('s3://b/b.avsa')}&X-Amz-Signature=abc`],
      [`https://b.s3.amazonaws.com/signed?k=${encodeURIComponent('s3://b/c.wav')}&X-Amz-Signature=abc`, '', ''],
    ]);
    // The prompt, escaped once: as text it reads exactly as written.
    const prompt = /<q data-avseg-prompt>([\s\S]*?)<\/q>/.exec(html)[1];
    assert.equal(unescape(prompt), HOSTILE);
    assert.ok(!html.includes('<img') && !html.includes('<script>alert') && !html.includes('<b>tts-b'), 'no markup from the input');
    assert.deepEqual(JSON.parse(unescape(/data-task-input="([^"]*)"/.exec(html)[1])), input);
    assert.equal(html.split('</script>').length, 5, 'only the template\'s own four scripts close');
    assert.equal(html.split(ASSET_PLACEHOLDER).length, 3, 'the guard and the glue name the asset base');
    assert.ok(html.length < TEMPLATE_LIMIT);
  });

  test(`${name}: no prompt, no prompt line`, async () => {
    const html = await renderTemplate(await template(name), { clips: [{ 'source-ref': 's3://b/a.wav', system: 'a' }, { 'source-ref': 's3://b/b.wav', system: 'b' }] }, { grant: (s) => s });
    assert.ok(!html.includes('data-avseg-prompt'));
    assert.equal([...html.matchAll(/<li data-src=/g)].length, 2);
  });

  test(`${name}: without "prompt", the line's "source" (Ground Truth's required key) is shown as the prompt, as text`, async () => {
    const clips = [{ 'source-ref': 's3://b/a.wav', system: 'a' }, { 'source-ref': 's3://b/b.wav', system: 'b' }];
    const html = await renderTemplate(await template(name), { source: HOSTILE, clips }, { grant: (s) => s });
    assert.equal(unescape(/<q data-avseg-prompt>([\s\S]*?)<\/q>/.exec(html)[1]), HOSTILE);
    assert.ok(!html.includes('<img') && !html.includes('<script>alert'));
    const both = await renderTemplate(await template(name), { source: 'utt-1', prompt: 'Say hi', clips }, { grant: (s) => s });
    assert.equal(/<q data-avseg-prompt>([\s\S]*?)<\/q>/.exec(both)[1], 'Say hi');
  });

  test(`${name}: the guard loads before the glue (module and classic), and the config has its "comparison" block`, async () => {
    const html = await template(name);
    const guard = html.indexOf(GUARD);
    assert.ok(guard >= 0 && guard < html.indexOf('__AVSEG_ASSET_BASE__/compare-task.js'));
    const classic = classicTemplate(html);
    assert.ok(classic.indexOf(GUARD) >= 0 && classic.indexOf(GUARD) < classic.indexOf('<script src="__AVSEG_ASSET_BASE__/compare-task.classic.js" defer></script>'));
    assert.doesNotMatch(classic, /type\s*=\s*["']?module/i);
    const config = JSON.parse(/<script type="application\/json" id="avseg-config">([\s\S]*?)<\/script>/.exec(html)[1]);
    assert.equal(config.comparison.judgement, 'auto');
    assert.equal(config.comparison.blind, true);
    assert.ok(config.comparison.criteria.length >= 2 && config.comparison.criteria.every((c) => c.scale[0] === 1 && c.scale[1] === 5));
  });
}

test('the classic comparison templates built by scripts/build are the transform of the module ones', async () => {
  const { readFile: read } = await import('node:fs/promises');
  for (const name of ['compare-audio', 'compare-video']) {
    const built = await read(new URL(`../../dist/templates/${name}-classic.liquid.html`, import.meta.url), 'utf8');
    assert.equal(built.replace(/^(<!-- SPDX[^\n]*\n)<!-- Made by scripts\/build [^\n]*\n/, '$1'), classicTemplate(await template(name)), `dist/templates/${name}-classic.liquid.html is out of date: run scripts/build`);
  }
});

test('the comparison templates\' label configs are accepted by the core\'s LabelConfig, comparison block included', async () => {
  const { default: create } = await import('../../dist/avseg-model.js');
  const wasmBinary = await readFile(new URL('../../dist/avseg-model.wasm', import.meta.url));
  const M = await create({ wasmBinary });
  for (const name of ['compare-audio', 'compare-video']) {
    const text = /<script type="application\/json" id="avseg-config">([\s\S]*?)<\/script>/.exec(await template(name))[1];
    const a = new M.Annotations();
    try {
      const result = a.setConfig(text);
      assert.equal(result.ok, true, `${name}: ${result.reason}`);
      const config = JSON.parse(a.config());
      assert.equal(config.comparison.criteria.length, 3, name);
      assert.equal(config.comparison.criteria.filter((c) => c.required).length, 2, name);
    } finally {
      a.delete();
    }
  }
});
