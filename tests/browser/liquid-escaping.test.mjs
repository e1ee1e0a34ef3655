// SPDX-License-Identifier: MIT
// Values holding & ' " < > and </script>, rendered by the local Liquid in every position the
// templates use (text, attributes in either quote, a presigned URL, to_json in an attribute, in a
// JSON script and in a script), then parsed by Chromium's HTML parser: each value reads back intact
// and nothing breaks out of its place.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { launchBrowser } from './browser.mjs';
import { renderTemplate } from '../../scripts/lib/labeling/render.mjs';

const HOSTILE = `a & b 'single' "double" <b>x</b> </script><img src=x id=injected onerror="window.pwned=1"> </p><!-- &amp; &quot;`;
const grant = (s) => `https://bucket.s3.amazonaws.com/${encodeURIComponent(s)}?X-Amz-Credential=a%2Fb&X-Amz-Signature='"<>`;
let browser, page;

before(async () => {
  browser = await launchBrowser();
  page = await browser.newPage();
});
after(() => browser?.close());

test('every position a template can put a value in reads the value back intact, and nothing is injected', async () => {
  const input = { v: HOSTILE, 'source-ref': `s3://bucket/calls/${HOSTILE}.wav`, n: 7 };
  const html = await renderTemplate([
    '<p id="text">{{ task.input.v }}</p>',
    '<p id="escaped">{{ task.input.v | escape }}</p>',
    '<p id="double" data-x="{{ task.input.v }}"></p>',
    "<p id=\"single\" data-x='{{ task.input.v }}'></p>",
    '<a id="url" href="{{ task.input.source-ref | grant_read_access }}">media</a>',
    '<p id="json-attr" data-x="{{ task.input | to_json | escape }}"></p>',
    "<p id=\"json-single\" data-x='{{ task.input | to_json }}'></p>",
    '<script type="application/json" id="json-script">{{ task.input | to_json }}</script>',
    '<script id="js">window.fromLiquid = {{ task.input | to_json }};</script>',
    '<p id="end">end</p>',
  ].join('\n'), input, { grant });
  await page.setContent(`<!doctype html><body>${html}</body>`);
  const seen = await page.evaluate(() => ({
    text: document.getElementById('text').textContent,
    escaped: document.getElementById('escaped').textContent,
    double: document.getElementById('double').dataset.x,
    single: document.getElementById('single').dataset.x,
    url: document.getElementById('url').getAttribute('href'),
    jsonAttr: JSON.parse(document.getElementById('json-attr').dataset.x),
    jsonSingle: JSON.parse(document.getElementById('json-single').dataset.x),
    jsonScript: JSON.parse(document.getElementById('json-script').textContent),
    js: window.fromLiquid,
    injected: document.querySelectorAll('#injected, b, img').length,
    pwned: window.pwned ?? null,
    scripts: document.scripts.length,
    body: [...document.body.children].map((e) => e.id),
  }));
  for (const key of ['text', 'escaped', 'double', 'single']) assert.equal(seen[key], HOSTILE, key);
  assert.equal(seen.url, grant(input['source-ref']));
  for (const key of ['jsonAttr', 'jsonSingle', 'jsonScript', 'js']) assert.deepEqual(seen[key], input, key);
  assert.equal(seen.injected, 0);
  assert.equal(seen.pwned, null);
  assert.equal(seen.scripts, 2);
  assert.deepEqual(seen.body, ['text', 'escaped', 'double', 'single', 'url', 'json-attr', 'json-single', 'json-script', 'js', 'end']);
});

for (const name of ['audio', 'video', 'diagnostics']) {
  test(`${name} template: a task input full of markup reads back intact from every attribute, and the page keeps its shape`, async () => {
    const template = await readFile(new URL(`../../template/${name}.liquid.html`, import.meta.url), 'utf8');
    const shape = (html) => page.evaluate((h) => {
      const doc = new DOMParser().parseFromString(h, 'text/html');
      const el = doc.querySelector('avseg-editor, [data-avseg-diagnostics]');
      return {
        tags: [...doc.querySelectorAll('*')].map((e) => e.localName).join(' '),
        scripts: [...doc.scripts].map((s) => s.src || s.textContent),
        attrs: Object.fromEntries([...el.attributes].map((a) => [a.name, a.value])),
        injected: doc.querySelectorAll('#injected, img, b').length,
      };
    }, html);
    const plain = await shape(await renderTemplate(template, { 'source-ref': 's3://b/a.wav' }, { grant }));
    const input = { 'source-ref': `s3://bucket/${HOSTILE}.wav`, peaks: `s3://bucket/${HOSTILE}.dat`, transcription: HOSTILE, 'call-id': HOSTILE, 'clip-id': HOSTILE };
    const seen = await shape(await renderTemplate(template, input, { grant }));
    assert.equal(seen.injected, 0);
    assert.equal(seen.tags, plain.tags, 'the same elements, in the same order');
    assert.deepEqual(seen.scripts, plain.scripts, 'the same scripts, their text unchanged');
    assert.deepEqual(JSON.parse(seen.attrs['data-task-input']), input);
    if (name === 'diagnostics') {
      assert.equal(seen.attrs['data-media'], grant(input['source-ref']));
    } else {
      assert.equal(seen.attrs['data-src'], grant(input['source-ref']));
      assert.equal(seen.attrs['data-task-id'], input['source-ref']);
      assert.equal(seen.attrs['data-peaks'], grant(input.peaks));
    }
    assert.deepEqual(Object.keys(seen.attrs), Object.keys(plain.attrs), 'no attribute added');
  });
}
