// SPDX-License-Identifier: MIT
// The element's importAs in headless Chromium reads other tools' files as Node's scripts/import
// does: EAF through the browser's DOMParser gives the same document, the same warnings and the
// same refusals as fast-xml-parser in Node; bytes and Blobs are read as files.
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
