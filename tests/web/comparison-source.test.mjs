// SPDX-License-Identifier: MIT
// Ground Truth requires a top-level "source-ref" or "source" on every input-manifest line: a
// comparison line carries "source" (inline text, the prompt or task id). The three parsers of
// comparison lines (the local run's manifest, the pre-annotation Lambda, comparison-doc.js) accept
// it, take the prompt from it when "prompt" is absent, and refuse "source-ref" next to "clips" in the
// same words; every comparison line the docs show satisfies Ground Truth's rule.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { readManifest } from '../../scripts/lib/labeling/manifest.mjs';
import { handler as preAnnotate } from '../../scripts/aws/lambda/pre-annotation.mjs';
import { parseComparisonManifestLine } from '../../web/src/comparison-doc.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const ARN = 'arn:aws:sagemaker:us-east-1:123456789012:labeling-job/tts-review';
const clips = [{ 'source-ref': 'a.wav', system: 'tts-a' }, { 'source-ref': 'b.wav', system: 'tts-b' }];

let dir;
before(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'avseg-comparison-source-'));
  for (const name of ['a.wav', 'b.wav']) await writeFile(path.join(dir, name), name);
});
after(() => rm(dir, { recursive: true, force: true }));

/** Each parser's verdict on one line: {prompt} when accepted, {problem} (its message) when refused. */
const parsers = {
  async localRun(line) {
    const file = path.join(dir, 'm.jsonl');
    await writeFile(file, `${JSON.stringify(line)}\n`);
    try {
      const [item] = await readManifest(file);
      return { prompt: item.prompt };
    } catch (err) {
      return { problem: err.message.slice(err.message.indexOf('line 1: ') + 'line 1: '.length) };
    }
  },
  async preAnnotation(line) {
    const warned = [];
    const warn = console.warn;
    console.warn = (m) => warned.push(m);
    try {
      const out = await preAnnotate({ version: '2018-10-16', labelingJobArn: ARN, dataObject: line });
      if (out.isHumanAnnotationRequired) return { prompt: out.taskInput.prompt ?? null };
      const m = new RegExp(`a comparison line in ${ARN}: (.*)$`, 's').exec(warned.at(-1));
      return { problem: m?.[1] ?? warned.at(-1) };
    } finally {
      console.warn = warn;
    }
  },
  async element(line) {
    try {
      return { prompt: parseComparisonManifestLine(line).prompt };
    } catch (err) {
      return { problem: err.message };
    }
  },
};
const each = async (line) => Object.fromEntries(await Promise.all(Object.entries(parsers).map(async ([k, f]) => [k, await f(line)])));

test('a comparison line with "source" is accepted by all three parsers, its prompt taken from "source" when "prompt" is absent', async () => {
  for (const [line, prompt] of [
    [{ source: 'Please hold.', clips }, 'Please hold.'],
    [{ source: 'utt-0042', prompt: 'Please hold.', clips }, 'Please hold.'],
    [{ source: 'utt-0042', prompt: null, clips }, null],
    [{ prompt: 'Please hold.', clips }, 'Please hold.'],
  ]) {
    const verdicts = await each(line);
    for (const [parser, verdict] of Object.entries(verdicts)) assert.deepEqual(verdict, { prompt }, `${parser}: ${JSON.stringify(line)}`);
  }
});

test('"source-ref" (or "taskObject") next to "clips", or a "source" that is not text, is refused by all three parsers in the same words', async () => {
  for (const [line, expected] of [
    [{ 'source-ref': 's3://b/x.wav', source: 'Please hold.', clips },
      'source-ref: a comparison line gives its media in "clips"; a top-level "source-ref" would make Ground Truth take the line as one media item (give the prompt or task id as "source")'],
    [{ taskObject: 's3://b/x.wav', clips }, /^taskObject: a comparison line gives its media in "clips"; a top-level "taskObject"/],
    [{ source: 3, clips }, /^source: must be non-empty text \(the prompt or task id, which Ground Truth passes as dataObject\.content\), got 3$/],
    [{ source: ' ', clips }, /^source: must be non-empty text/],
  ]) {
    const verdicts = await each(line);
    const problems = Object.values(verdicts).map((v) => v.problem);
    assert.ok(problems.every((p) => typeof p === 'string'), JSON.stringify(verdicts));
    assert.equal(new Set(problems).size, 1, `the same message from every parser: ${JSON.stringify(verdicts)}`);
    if (typeof expected === 'string') assert.equal(problems[0], expected);
    else assert.match(problems[0], expected);
  }
});

/** Every JSON object written in a Markdown text (code blocks and inline code, across line breaks), nested ones too. */
function jsonObjects(text) {
  const found = [];
  for (let start = text.indexOf('{"'); start >= 0; start = text.indexOf('{"', start + 1)) {
    let depth = 0;
    let inString = false;
    for (let i = start; i < text.length; i++) {
      const c = text[i];
      if (inString) {
        if (c === '\\') i++;
        else if (c === '"') inString = false;
      } else if (c === '"') inString = true;
      else if (c === '{') depth++;
      else if (c === '}' && --depth === 0) {
        try {
          found.push(JSON.parse(text.slice(start, i + 1)));
        } catch {
          // prose or an abbreviated example ("...") that is not JSON
        }
        break;
      } else if (c === '`' && depth > 0 && text.startsWith('```', i)) break;
    }
  }
  return found;
}

test('every comparison line the docs show has a top-level "source" or "source-ref", as Ground Truth requires, and parses', async () => {
  for (const [doc, least] of [['doc/comparison-format.md', 1], ['README.md', 1], ['template/README.md', 1]]) {
    const text = await readFile(path.join(repo, doc), 'utf8');
    // A manifest line: clips that name their media by "source-ref" (a comparison document's clips have "source").
    const lines = jsonObjects(text).filter((o) => Array.isArray(o.clips) && o.clips.some((c) => c && 'source-ref' in c));
    assert.ok(lines.length >= least, `${doc}: found ${lines.length} comparison manifest lines`);
    for (const line of lines) {
      assert.ok(typeof line.source === 'string' || typeof line['source-ref'] === 'string', `${doc}: ${JSON.stringify(line)} has neither "source" nor "source-ref"`);
      assert.doesNotThrow(() => parseComparisonManifestLine(line), `${doc}: ${JSON.stringify(line)}`);
    }
  }
});
