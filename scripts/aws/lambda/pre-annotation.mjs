// SPDX-License-Identifier: MIT
// Ground Truth's pre-annotation Lambda for the avseg templates (Node.js 20). It receives one
// manifest line, {"version", "labelingJobArn", "dataObject": {...}}, and returns
// {"taskInput": {...}, "isHumanAnnotationRequired": true}: the media under every name the
// templates accept ("source-ref", "taskObject", "source", since the published sample mixes
// them up), the line's other fields passed through (a transcription, a call id), a peaks URI and an
// analysis sidecar URI (doc/analysis-format.md) when the line has them, pre-annotations (an avseg document) checked by the core's own model, and the
// job's name as "avsegJob" (the element keeps drafts per job, so a later job starts clean). A line
// without media is not sent to a worker (isHumanAnnotationRequired: false) and is logged.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { blindKey, sealSystem } from './blind-systems.mjs';

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

/** What is wrong with a comparison line's clips (doc/comparison-format.md, "Manifest"), or ''. */
export function comparisonLineProblem(data) {
  const { clips } = data;
  if (!Array.isArray(clips)) return '"clips" is not a list';
  if (clips.length < 2 || clips.length > 4) return `"clips" has ${clips.length} clips: a comparison has 2 to 4`;
  // Ground Truth wants "source-ref" or "source" on every line: a comparison's is "source" (the prompt or task id).
  for (const key of ['source-ref', 'taskObject']) {
    if (data[key] !== undefined) return `${key}: a comparison line gives its media in "clips"; a top-level "${key}" would make Ground Truth take the line as one media item (give the prompt or task id as "source")`;
  }
  if (data.source !== undefined && !(typeof data.source === 'string' && data.source.trim())) {
    return `source: must be non-empty text (the prompt or task id, which Ground Truth passes as dataObject.content), got ${JSON.stringify(data.source)?.slice(0, 40)}`;
  }
  const seen = new Map();
  for (const [k, clip] of clips.entries()) {
    if (!clip || typeof clip !== 'object' || Array.isArray(clip)) return `clip ${k + 1} is not an object`;
    if (!SOURCE_KEYS.some((s) => typeof clip[s] === 'string' && clip[s].trim())) return `clip ${k + 1} has no "source-ref"`;
    if (typeof clip.system !== 'string' || !clip.system.trim()) return `clip ${k + 1} has no "system"`;
    const system = clip.system.trim();
    if (seen.has(system)) return `clips ${seen.get(system) + 1} and ${k + 1} have the same system ${JSON.stringify(system)}`;
    seen.set(system, k);
  }
  // The same rule as comparison-doc.js's SEED_PATTERN: a bad seed would otherwise reach the page.
  if (data.seed !== undefined && (typeof data.seed !== 'string' || !/^[0-9a-fA-F]{1,16}$/.test(data.seed))) {
    return `"seed" must be an order seed of 1 to 16 hex digits, got ${JSON.stringify(data.seed)?.slice(0, 40)}`;
  }
  return '';
}

/** A comparison line: its clips checked and each one's media under "source-ref"; a bad line is skipped and logged. */
function comparisonTask(data, job, arn) {
  const problem = comparisonLineProblem(data);
  if (problem) {
    console.warn(`pre-annotation: skipped (isHumanAnnotationRequired: false) a comparison line${arn ? ` in ${arn}` : ''}: ${problem}`);
    return { taskInput: { ...data }, isHumanAnnotationRequired: false };
  }
  // Blind: the page gets each system sealed under the job's key (blind-systems.mjs), which consolidation opens.
  const key = blindKey();
  if (!key) console.warn(`pre-annotation: AVSEG_BLIND_KEY is not set${arn ? ` for ${arn}` : ''}: blind comparisons show the systems in the page's source (doc/comparison-format.md, "Blindness")`);
  const clips = data.clips.map((clip) => {
    const media = clip[SOURCE_KEYS.find((s) => typeof clip[s] === 'string' && clip[s].trim())].trim();
    const out = { ...clip, 'source-ref': media, system: key ? sealSystem(clip.system.trim(), key) : clip.system.trim() };
    const peaks = clip['peaks-ref'] ?? clip.peaks;
    if (typeof peaks === 'string' && peaks) out['peaks-ref'] = peaks;
    // Only "analysis-ref" names a sidecar: a clip's own "analysis" field is passed through as it is.
    const analysis = clip['analysis-ref'];
    if (typeof analysis === 'string' && analysis.trim()) out['analysis-ref'] = analysis.trim();
    else delete out['analysis-ref'];
    return out;
  });
  const taskInput = { ...data, clips };
  // Without "prompt", the prompt is the line's "source" (doc/comparison-format.md, "Manifest").
  if (data.prompt === undefined && data.source !== undefined) taskInput.prompt = data.source;
  if (job) taskInput.avsegJob = job;
  return { taskInput, isHumanAnnotationRequired: true };
}

export async function handler(event) {
  const data = event?.dataObject;
  if (!data || typeof data !== 'object' || Array.isArray(data)) {
    throw new TaskError(`the event has no dataObject (got ${JSON.stringify(event)?.slice(0, 200)})`);
  }
  const job = /:labeling-job\/(.+)$/.exec(String(event.labelingJobArn ?? ''))?.[1];
  if (data.clips !== undefined) return comparisonTask(data, job, event.labelingJobArn);
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
  // The sidecar stays under "analysis-ref" (the templates read it there): "analysis" is a common
  // field of manifests (a note on the item) and is passed through untouched.
  const analysis = data['analysis-ref'];
  if (typeof analysis === 'string' && analysis.trim()) taskInput['analysis-ref'] = analysis.trim();
  else delete taskInput['analysis-ref'];
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
