// SPDX-License-Identifier: MIT
// The element's importAs in headless Chromium reads other tools' files as Node's scripts/import
// does: EAF through the browser's DOMParser gives the same document, the same warnings and the
// same refusals as fast-xml-parser in Node; bytes and Blobs are read as files; WebVTT gives the
// cues Chromium's own <track> gives.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { IMPORTS } from '../../scripts/lib/imports.mjs';
import { EAF_27, EAF_30, EAF_UNPLACEABLE } from '../formats/eaf-documents.mjs';
import { startElementPage } from './harness.mjs';

let harness;

before(async () => {
  harness = await startElementPage({ title: 'avseg imports' });
});

after(() => harness?.close());

/** What Node's importer gives: {doc, warnings} or {error, problems}. */
function inNode(format, input, options) {
  const warnings = [];
  try {
    return { doc: IMPORTS[format](input, { ...options, onWarning: (w) => warnings.push(w) }), warnings };
  } catch (err) {
    return { error: err.message, problems: err.problems };
  }
}

/** The same through the element in the page; `bytes` arrive as a Uint8Array, `blob` as a Blob. */
function inPage(page, format, input, options, as = 'text') {
  return page.evaluate(async ([format, input, options, as]) => {
    const el = document.querySelector('avseg-editor');
    const file = as === 'bytes' ? new Uint8Array(input) : as === 'blob' ? new Blob([new Uint8Array(input)]) : input;
    const warnings = [];
    try {
      return { doc: await el.importAs(format, file, { ...options, onWarning: (w) => warnings.push(w) }), warnings };
    } catch (err) {
      return { error: err.message, problems: err.problems };
    }
  }, [format, input, options, as]);
}

test('EAF read by the browser\'s DOMParser gives what Node\'s reader gives: documents, warnings and refusals', async (t) => {
  const page = await harness.open(t, { width: 800, height: 600 });
  const cases = [
    [EAF_30.text, { rate: 1000 }],
    [EAF_27.text, { rate: 44100, category: 'x' }],
    [EAF_UNPLACEABLE.text, { rate: 1000 }],
    [EAF_UNPLACEABLE.text, { rate: 1000, skipInvalid: true }],
    [EAF_30.text.replace('FORMAT="3.0"', 'FORMAT="3.1"').replace(/\n/g, '\r\n'), { rate: 16000 }],
  ];
  for (const [text, options] of cases) {
    const node = inNode('eaf', text, options);
    assert.ok(node.doc || node.problems?.length, node.error);
    assert.deepEqual(await inPage(page, 'eaf', text, options), node);
  }
  assert.deepEqual(await inPage(page, 'eaf', [...Buffer.from(EAF_30.text)], { rate: 1000 }, 'bytes'), inNode('eaf', Buffer.from(EAF_30.text), { rate: 1000 }));
  const broken = await inPage(page, 'eaf', '<ANNOTATION_DOCUMENT><TIER></ANNOTATION_DOCUMENT>', {});
  assert.match(broken.error, /^not an EAF file: not well-formed XML/);
});

test('the element reads a UTF-16 TextGrid from bytes or a Blob, and WebVTT with header lines, as Node does', async (t) => {
  const page = await harness.open(t, { width: 800, height: 600 });
  const grid = 'File type = "ooTextFile"\nObject class = "TextGrid"\n\nxmin = 0\nxmax = 2\ntiers? <exists>\nsize = 2\nitem []:\n    item [1]:\n        class = "IntervalTier"\n        name = "words"\n        xmin = 0\n        xmax = 2\n        intervals: size = 2\n        intervals [1]:\n            xmin = 0\n            xmax = 1.5\n            text = "ʃə ""x"""\n        intervals [2]:\n            xmin = 1.5\n            xmax = 2\n            text = ""\n    item [2]:\n        class = "TextTier"\n        name = "tones"\n        xmin = 0\n        xmax = 2\n        points: size = 1\n        points [1]:\n            number = 1.9\n            mark = "H%"\n';
  const utf16be = Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(grid, 'utf16le').swap16()]);
  for (const options of [{ rate: 1000 }, { rate: 1000, pointDuration: 0.2 }]) {
    const node = inNode('textgrid', utf16be, options);
    assert.deepEqual(await inPage(page, 'textgrid', [...utf16be], options, 'bytes'), node);
    assert.deepEqual(await inPage(page, 'textgrid', [...utf16be], options, 'blob'), node);
  }
  const clamped = inNode('textgrid', utf16be, { rate: 1000, pointDuration: 0.2 });
  assert.deepEqual(clamped.doc.segments.map((s) => [s.start, s.end]), [[0, 1500], [1900, 2000]], 'a point near the end is cut at the TextGrid\'s end');
  const vtt = 'WEBVTT\nKind: captions\nLanguage: en\n\n00:00.500 --> 00:01.250\n<v Ann>hello</v>\n';
  const node = inNode('vtt', vtt, { rate: 48000 });
  assert.deepEqual(node.doc.segments.map((s) => [s.start, s.end, s.fields.text]), [[24000, 60000, 'hello']]);
  assert.deepEqual(await inPage(page, 'vtt', vtt, { rate: 48000 }), node);
});

/** The cues Chromium's <track> reads from a file: [start s, end s, the cue's text as the page shows it]. */
async function chromiumCues(page, url, body) {
  await page.route(url, (route) => route.fulfill({ status: 200, headers: { 'content-type': 'text/vtt', 'access-control-allow-origin': '*' }, body }));
  return page.evaluate((src) => new Promise((resolve, reject) => {
    const video = document.createElement('video');
    video.crossOrigin = 'anonymous';
    const track = document.createElement('track');
    track.kind = 'metadata';
    track.src = src;
    track.addEventListener('load', () => {
      resolve([...track.track.cues].map((c) => [c.startTime, c.endTime, c.getCueAsHTML().textContent]));
      video.remove();
    });
    track.addEventListener('error', () => reject(new Error(`the track did not load: ${src}`)));
    video.append(track);
    document.body.append(video);
    track.track.mode = 'hidden';
  }), url);
}

test('WebVTT reads as Chromium\'s own <track> reads it: YouTube\'s header lines, blocks, ids, settings, CRLF, a BOM', async (t) => {
  const page = await harness.open(t, { width: 800, height: 600 });
  const files = {
    youtube: 'WEBVTT\nKind: captions\nLanguage: en\n\n00:00:00.160 --> 00:00:02.990 align:start position:0%\n \nso<00:00:00.400><c> today</c>\n\n00:00:02.990 --> 00:00:05.500 align:start position:0%\ngoing to talk\n',
    blocks: '\uFEFFWEBVTT - a title\r\n\r\nREGION\r\nid:r\r\n\r\nSTYLE\r\n::cue { color: red }\r\n\r\nNOTE two\r\nlines\r\n\r\nintro\r\n00:01.000 --> 00:02.500 region:r line:0\r\n<v Ann>one &amp; &lt;two&gt;</v>\r\nthree\r\n01:00:00.000 --> 01:00:01.001\r\nno blank line before',
    'a bad timing line': 'WEBVTT\n\n00:01.000 --> 00:02.000\nkept\n\n00:03.00 --> 00:04.000\ndropped\n\nid\n0x10 --> 00:05.000\ndropped too\n\n00:06.000 --> 00:07.000\nkept too',
  };
  for (const [name, text] of Object.entries(files)) {
    const url = harness.servers.media.url(`/captions-${name.replace(/ /g, '-')}.vtt`);
    const browser = await chromiumCues(page, url, Buffer.from(text));
    const ours = IMPORTS.vtt(Buffer.from(text), { rate: 1000, skipInvalid: true, onWarning: () => {} });
    assert.ok(browser.length >= 2, name);
    assert.deepEqual(ours.segments.map((s) => [s.start / 1000, s.end / 1000, s.fields.text]), browser.map(([a, b, x]) => [Math.round(a * 1000) / 1000, Math.round(b * 1000) / 1000, x]), name);
  }
});
