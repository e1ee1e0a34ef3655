// SPDX-License-Identifier: MIT
// Ground Truth's pre-annotation Lambda for the avseg templates (Node.js 20). It receives one
// manifest line, {"version", "labelingJobArn", "dataObject": {...}}, and returns
// {"taskInput": {...}, "isHumanAnnotationRequired": true}: the media under every name the
// templates accept ("source-ref", "taskObject", "source", since the published sample mixes
// them up), the line's other fields passed through (a transcription, a call id), a peaks URI when
// the line has one, pre-annotations (an avseg document) checked by the core's own model, and the
// job's name as "avsegJob" (the element keeps drafts per job, so a later job starts clean). A line
// without media is not sent to a worker (isHumanAnnotationRequired: false) and is logged.
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
    // The element's own guard: text embind would change on the way in is refused, not stored.
    const { guardModel } = await import(path.join(MODEL_DIR, 'model-text-guard.js'));
    const wasmBinary = await readFile(path.join(MODEL_DIR, 'avseg-model.wasm'));
    const M = await create({ wasmBinary });
    return { newAnnotations: () => guardModel(new M.Annotations()) };
  })();
  return model;
}

export class TaskError extends Error {}

export async function handler(event) {
  const data = event?.dataObject;
  if (!data || typeof data !== 'object' || Array.isArray(data)) {
    throw new TaskError(`the event has no dataObject (got ${JSON.stringify(event)?.slice(0, 200)})`);
  }
  const key = SOURCE_KEYS.find((k) => typeof data[k] === 'string' && data[k].trim());
  if (!key) {
    // One bad line should not fail its data object: Ground Truth skips it, and the log says why.
    const fields = Object.keys(data).join(', ') || 'none';
    console.warn(`pre-annotation: skipped (isHumanAnnotationRequired: false) a manifest line with no media${event.labelingJobArn ? ` in ${event.labelingJobArn}` : ''}: it needs "source-ref" (or "taskObject" or "source") as an s3:// URI; its fields are: ${fields}`);
    return { taskInput: { ...data }, isHumanAnnotationRequired: false };
  }
  const media = data[key].trim();
  const taskInput = { ...data, 'source-ref': media, taskObject: media, source: media };
  const peaks = data['peaks-ref'] ?? data.peaks;
  if (typeof peaks === 'string' && peaks) taskInput.peaks = peaks;
  const job = /:labeling-job\/(.+)$/.exec(String(event.labelingJobArn ?? ''))?.[1];
  if (job) taskInput.avsegJob = job;
  const pre = data['pre-annotations'] ?? data.preAnnotations;
  if (pre !== undefined) {
    const a = (await annotations()).newAnnotations();
    try {
      const result = a.load(typeof pre === 'string' ? pre : JSON.stringify(pre));
      if (!result.ok) throw new TaskError(`the pre-annotations of ${media} are not an avseg document: ${result.message}`);
      taskInput.preAnnotations = JSON.parse(a.save());
    } finally {
      a.delete();
    }
    delete taskInput['pre-annotations'];
  }
  return { taskInput, isHumanAnnotationRequired: true };
}
