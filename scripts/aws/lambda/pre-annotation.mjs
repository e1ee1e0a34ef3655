// SPDX-License-Identifier: MIT
// Ground Truth's pre-annotation Lambda for the avseg templates (Node.js 20). It receives one
// manifest line, {"version", "labelingJobArn", "dataObject": {...}}, and returns
// {"taskInput": {...}, "isHumanAnnotationRequired": true}: the media under every name the
// templates accept ("source-ref", "taskObject", "source", since the published sample mixes
// them up), the line's other fields passed through (a transcription, a call id), a peaks URI when
// the line has one, pre-annotations (an avseg document) checked by the core's own model, and the
// job's name as "avsegJob" (the element keeps drafts per job, so a later job starts clean).
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const SOURCE_KEYS = ['source-ref', 'taskObject', 'source'];
const here = path.dirname(fileURLToPath(import.meta.url));
// Packaged beside the handler (scripts/package-lambdas), or from the repository's build.
const MODEL_DIR = process.env.AVSEG_MODEL_DIR
  ?? (existsSync(path.join(here, 'avseg-model.wasm')) ? here : path.resolve(here, '../../../dist'));

let model;
async function annotations() {
  model ??= (async () => {
    const { default: create } = await import(path.join(MODEL_DIR, 'avseg-model.js'));
    const wasmBinary = await readFile(path.join(MODEL_DIR, 'avseg-model.wasm'));
    return create({ wasmBinary });
  })();
  return model;
}

export class TaskError extends Error {}

const member = (at, key) => (/^[A-Za-z_][A-Za-z0-9_-]*$/.test(key) ? (at ? `${at}.${key}` : key) : `${at}[${JSON.stringify(key.toWellFormed())}]`);

function unpaired(text) {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0xd800 || c > 0xdfff) continue;
    const next = text.charCodeAt(i + 1);
    if (c <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) i++;
    else return `an unpaired surrogate U+${c.toString(16).toUpperCase()} at character ${i + 1}`;
  }
  return '';
}

/**
 * Where pre-annotations hold text that is not well-formed UTF-16 (a lone surrogate, which JSON
 * can carry as "\ud800"), or ''. The core would get it through embind, which pairs a lone
 * surrogate with the next character: the annotator would see other text than the manifest's.
 */
function illFormedText(pre) {
  let value = pre;
  if (typeof pre === 'string') {
    if (pre.isWellFormed() && !/\\u[dD][89a-fA-F]/.test(pre)) return '';
    try {
      value = JSON.parse(pre);
    } catch {
      return pre.isWellFormed() ? '' : `their text has ${unpaired(pre)}`;
    }
  }
  const stack = [[value, '']];
  while (stack.length) {
    const [v, at] = stack.pop();
    if (typeof v === 'string') {
      if (!v.isWellFormed()) return `${at || 'the document'} is not well-formed Unicode text (${unpaired(v)})`;
    } else if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push([v[i], `${at}[${i}]`]);
    } else if (v && typeof v === 'object') {
      const keys = Object.keys(v);
      for (const key of keys) if (!key.isWellFormed()) return `a key of ${at || 'the document'} (${JSON.stringify(key.toWellFormed())}) is not well-formed Unicode text (${unpaired(key)})`;
      for (let i = keys.length - 1; i >= 0; i--) stack.push([v[keys[i]], member(at, keys[i])]);
    }
  }
  return '';
}

export async function handler(event) {
  const data = event?.dataObject;
  if (!data || typeof data !== 'object' || Array.isArray(data)) {
    throw new TaskError(`the event has no dataObject (got ${JSON.stringify(event)?.slice(0, 200)})`);
  }
  const key = SOURCE_KEYS.find((k) => typeof data[k] === 'string' && data[k].trim());
  if (!key) {
    const fields = Object.keys(data).join(', ') || 'none';
    throw new TaskError(`the manifest line has no media: it needs "source-ref" (or "taskObject" or "source") as an s3:// URI; its fields are: ${fields}`);
  }
  const media = data[key].trim();
  const taskInput = { ...data, 'source-ref': media, taskObject: media, source: media };
  const peaks = data['peaks-ref'] ?? data.peaks;
  if (typeof peaks === 'string' && peaks) taskInput.peaks = peaks;
  const job = /:labeling-job\/(.+)$/.exec(String(event.labelingJobArn ?? ''))?.[1];
  if (job) taskInput.avsegJob = job;
  const pre = data['pre-annotations'] ?? data.preAnnotations;
  if (pre !== undefined) {
    const unusable = illFormedText(pre);
    if (unusable) throw new TaskError(`the pre-annotations of ${media} are not an avseg document: ${unusable}; refused rather than passed on changed`);
    const M = await annotations();
    const a = new M.Annotations();
    try {
      const result = a.load(typeof pre === 'string' ? pre : JSON.stringify(pre));
      if (!result.ok) throw new TaskError(`the pre-annotations of ${media} are not an avseg document: ${result.reason}`);
      taskInput.preAnnotations = JSON.parse(a.save());
    } finally {
      a.delete();
    }
    delete taskInput['pre-annotations'];
  }
  return { taskInput, isHumanAnnotationRequired: true };
}
