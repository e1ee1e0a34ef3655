// SPDX-License-Identifier: MIT
// Ground Truth's post-annotation (consolidation) Lambda for the avseg templates (Node.js 20).
// It reads the payload Ground Truth points to (payload.s3Uri) with the AWS SDK and, for each data
// object, consolidates the workers' answers (consolidate.mjs): consensus segments, majority
// labels and agreement figures, with every worker's own answer kept beside them. Each answer is
// read by the core's own model (wasm), so what it cannot read is reported, not guessed at.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { consolidate } from './consolidate.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
// Packaged beside the handler (scripts/package-lambdas), or from the repository's build.
const MODEL_DIR = process.env.AVSEG_MODEL_DIR
  ?? (existsSync(path.join(here, 'avseg-model.wasm')) ? here : path.resolve(here, '../../../dist'));

let model;
function annotations() {
  model ??= (async () => {
    const { default: create } = await import(path.join(MODEL_DIR, 'avseg-model.js'));
    return create({ wasmBinary: await readFile(path.join(MODEL_DIR, 'avseg-model.wasm')) });
  })();
  return model;
}

async function readS3Json(uri) {
  const m = /^s3:\/\/([^/]+)\/(.+)$/.exec(uri ?? '');
  if (!m) throw new Error(`payload.s3Uri is not an s3://bucket/key URI: ${JSON.stringify(uri)}`);
  const { S3Client, GetObjectCommand } = await import('@aws-sdk/client-s3');
  const endpoint = process.env.AWS_ENDPOINT_URL_S3;
  const s3 = new S3Client(endpoint ? { endpoint, forcePathStyle: true } : {});
  const object = await s3.send(new GetObjectCommand({ Bucket: m[1], Key: m[2] }));
  const text = await object.Body.transformToString();
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new Error(`the payload at ${uri} is not JSON: ${err.message}`);
  }
}

/** A worker's answer as an annotation document: the form's `annotations` field, read by the core. */
async function documentOf(annotation) {
  let content = annotation?.annotationData?.content;
  if (typeof content === 'string') content = JSON.parse(content);
  let answer = content?.annotations;
  if (typeof answer !== 'string') throw new Error('the answer has no "annotations" field');
  const M = await annotations();
  const a = new M.Annotations();
  try {
    const result = a.load(answer);
    if (!result.ok) throw new Error(`its annotations are not an avseg document: ${result.reason}`);
    answer = JSON.parse(a.save());
  } finally {
    a.delete();
  }
  return answer;
}

export async function handler(event) {
  const label = event?.labelAttributeName;
  if (typeof label !== 'string' || !label) throw new Error('the event has no labelAttributeName');
  const payload = await readS3Json(event?.payload?.s3Uri);
  if (!Array.isArray(payload)) throw new Error('the payload is not a list of data objects');
  const out = [];
  for (const item of payload) {
    const answers = [];
    const problems = [];
    const raw = [];
    for (const annotation of item.annotations ?? []) {
      raw.push({ workerId: annotation.workerId, annotationData: annotation.annotationData });
      try {
        answers.push({ workerId: annotation.workerId, document: await documentOf(annotation) });
      } catch (err) {
        problems.push({ workerId: annotation.workerId, message: err.message });
      }
    }
    const { consensus, agreement } = answers.length ? consolidate(answers) : { consensus: null, agreement: { workers: 0 } };
    out.push({
      datasetObjectId: item.datasetObjectId,
      consolidatedAnnotation: {
        content: {
          [label]: { consensus, agreement, workers: answers.map((a) => ({ workerId: a.workerId, annotations: a.document })), problems, annotationsFromAllWorkers: raw },
        },
      },
    });
  }
  return out;
}
