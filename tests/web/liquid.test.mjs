// SPDX-License-Identifier: MIT
// The local Liquid rendering (preview and local run) against Ground Truth's documented Liquid:
// output HTML-escaped by default, an explicit escape not escaping again, escape_once,
// skip_autoescape, to_json and grant_read_access (doc/ground-truth.md, "Liquid").
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderTemplate } from '../../scripts/lib/labeling/render.mjs';

const render = (template, input = {}, grant = (s) => `https://signed.example/${encodeURIComponent(s)}?X-Amz-Signature=abc&X-Amz-Expires=3600`) =>
  renderTemplate(template, input, { grant });

test('the documentation\'s own example renders as the documentation shows it', async () => {
  const input = { title: "Have you read 'James & the Giant Peach'?", once: "Have you read 'James &amp; the Giant Peach'?", point: { point_number: 8, coords: [59, 76] } };
  const out = await render([
    'auto-escape: {{ task.input.title }}',
    'explicit escape: {{ task.input.title | escape }}',
    'explicit escape_once: {{ task.input.once | escape_once }}',
    'skip_autoescape: {{ task.input.title | skip_autoescape }}',
    'to_json: {{ task.input.point | to_json }}',
    'grant_read_access: {{ "s3://amzn-s3-demo-bucket/myphoto.png" | grant_read_access }}',
  ].join('\n'), input);
  assert.deepEqual(out.split('\n'), [
    'auto-escape: Have you read &#39;James &amp; the Giant Peach&#39;?',
    'explicit escape: Have you read &#39;James &amp; the Giant Peach&#39;?',
    'explicit escape_once: Have you read &#39;James &amp; the Giant Peach&#39;?',
    "skip_autoescape: Have you read 'James & the Giant Peach'?",
    'to_json: {"point_number":8,"coords":[59,76]}',
    // The URL as the grant gives it, its & escaped like any output (an attribute reads it back).
    'grant_read_access: https://signed.example/s3%3A%2F%2Famzn-s3-demo-bucket%2Fmyphoto.png?X-Amz-Signature=abc&amp;X-Amz-Expires=3600',
  ]);
});

test('every markup character is escaped once by default, and once with an explicit escape', async () => {
  const value = `& ' " < > </script>`;
  const once = '&amp; &#39; &#34; &lt; &gt; &lt;/script&gt;';
  assert.equal(await render('{{ task.input.v }}', { v: value }), once);
  assert.equal(await render('{{ task.input.v | escape }}', { v: value }), once);
  assert.equal(await render('{{ task.input.v | escape_once }}', { v: value }), once);
  // Any other last filter: its output is escaped as usual.
  assert.equal(await render('{{ task.input.v | upcase }}', { v: value }), '&amp; &#39; &#34; &lt; &gt; &lt;/SCRIPT&gt;');
  assert.equal(await render('{{ task.input.n }} {{ task.input.missing }}', { n: 3 }), '3 ');
});

test('escape_once leaves every entity already written alone, named or numeric, and escapes the rest', async () => {
  const v = '&quot;quoted&quot; &copy; &#8217; &#x27; &amp; & <b> " \' &nosemicolon';
  assert.equal(await render('{{ task.input.v | escape_once }}', { v }),
    '&quot;quoted&quot; &copy; &#8217; &#x27; &amp; &amp; &lt;b&gt; &#34; &#39; &amp;nosemicolon');
});

test('skip_autoescape outputs the value as it is', async () => {
  assert.equal(await render('{{ task.input.v | skip_autoescape }}', { v: '<p class="x">a & b</p>' }), '<p class="x">a & b</p>');
});

test('to_json is JSON, not auto-escaped; its markup characters are \\u escapes, so it closes no script and no quote', async () => {
  const input = { s: `& ' " < > </script><!-- \u2028`, n: 1.5, list: [true, null], nested: { 'source-ref': 's3://b/a "b".mp3' } };
  const json = await render('{{ task.input | to_json }}', input);
  assert.deepEqual(JSON.parse(json), input);
  assert.doesNotMatch(json, /[<>&'\u2028]/);
  assert.equal(await render('{{ task.input.missing | to_json }}'), 'null');
  // With escape after it (what the templates do in a double-quoted attribute) it is escaped once.
  assert.equal(await render('{{ task.input.s | to_json | escape }}', { s: 'a"b' }), '&#34;a\\&#34;b&#34;');
});

test('grant_read_access gives the grant the source as written, and nothing for no source', async () => {
  const seen = [];
  const out = await render('[{{ task.input.a | grant_read_access }}][{{ task.input.none | grant_read_access }}]', { a: ' s3://b/k "x".wav' }, (s) => { seen.push(s); return 'https://h/k?a=1&b=2'; });
  assert.deepEqual(seen, [' s3://b/k "x".wav']);
  assert.equal(out, '[https://h/k?a=1&amp;b=2][]');
});
