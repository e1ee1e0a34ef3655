// SPDX-License-Identifier: MIT
// Ground Truth's post-annotation (consolidation) Lambda for the avseg templates (Node.js 20).
// It reads the payload Ground Truth points to (payload.s3Uri) with the AWS SDK and, for each data
// object, consolidates the workers' answers (consolidate.mjs): consensus segments, majority
// labels and agreement figures, with every worker's raw answer kept beside them. Each answer is
// read by the core's own model (wasm, its strict JSON reader), so what it cannot read is
// reported, not guessed at; an item that cannot be read at all gets an entry with its
// `problems`, and the other items are consolidated as usual. Lambda returns at most 6 MB: raw
// answers and consensus documents too large to repeat inline are written to S3 and referenced.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { consolidate, sampleWorkerEntry } from './consolidate.mjs';
import { comparisonProblem, consolidateComparison } from './consolidate-comparison.mjs';
import { blindKey, openComparison } from './blind-systems.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
// Packaged beside the handler (scripts/package-lambdas), or from the repository's build.
const MODEL_DIR = process.env.AVSEG_MODEL_DIR
  ?? (existsSync(path.join(here, 'avseg-model.wasm')) ? here : path.resolve(here, '../../../dist'));

// Lambda's limit on a response is 6 MB; the rest is margin for the JSON around the entries.
const RESPONSE_BUDGET = Number(process.env.AVSEG_RESPONSE_BUDGET_BYTES) || 5 * 2 ** 20;
// A raw answer larger than this is always referenced (keeps output manifest lines small).
const INLINE_ANSWER_LIMIT = Number(process.env.AVSEG_INLINE_ANSWER_BYTES) || 256 * 2 ** 10;
const S3_CONCURRENCY = 16;

let model;
function annotations() {
  model ??= (async () => {
    const { default: create } = await import(path.join(MODEL_DIR, 'avseg-model.js'));
    return create({ wasmBinary: await readFile(path.join(MODEL_DIR, 'avseg-model.wasm')) });
  })();
  return model;
}

// The preference statistics (web/src/preference-stats.js), from MODEL_DIR as the model is.
let preferenceStats;
const statistics = () => (preferenceStats ??= import(path.join(MODEL_DIR, 'preference-stats.js')));

function parseS3Uri(uri, what) {
  const m = /^s3:\/\/([^/]+)\/(.+)$/.exec(typeof uri === 'string' ? uri : '');
  if (!m) throw new Error(`${what} is not an s3://bucket/key URI: ${JSON.stringify(uri)?.slice(0, 200)}`);
  return { Bucket: m[1], Key: m[2] };
}

/**
 * With AVSEG_ASSUME_JOB_ROLE=true, credentials of the job's role (the event's roleArn) assumed
 * through STS, as the AWS sample reads the payload; otherwise undefined: the Lambda's own role
 * (scripts/aws/lambda-roles.yaml gives it the access it needs).
 */
export async function jobRoleCredentials(event) {
  if (!/^(1|true)$/i.test(process.env.AVSEG_ASSUME_JOB_ROLE ?? '')) return undefined;
  const roleArn = event?.roleArn;
  if (typeof roleArn !== 'string' || !/^arn:aws[a-z-]*:iam::\d{12}:role\/./.test(roleArn)) {
    throw new Error(`AVSEG_ASSUME_JOB_ROLE is set, but the event's roleArn is not an IAM role ARN: ${JSON.stringify(roleArn)?.slice(0, 200)}`);
  }
  const { STSClient, AssumeRoleCommand } = await import('@aws-sdk/client-sts');
  const endpoint = process.env.AWS_ENDPOINT_URL_STS;
  const sts = new STSClient(endpoint ? { endpoint } : {});
  try {
    const { Credentials: c } = await sts.send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: 'avseg-consolidation' }));
    return { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken, expiration: c.Expiration };
  } catch (err) {
    throw new Error(`the job's role ${roleArn} could not be assumed (${err.name}: ${err.message}): the Lambda's role needs sts:AssumeRole on it, and the job role's trust policy must allow the Lambda's role`);
  }
}

/** S3 through the SDK (AWS_ENDPOINT_URL_S3 for a stand-in), at most S3_CONCURRENCY requests at once. */
async function s3Store(credentials) {
  const { S3Client, GetObjectCommand, PutObjectCommand } = await import('@aws-sdk/client-s3');
  const endpoint = process.env.AWS_ENDPOINT_URL_S3;
  const client = new S3Client({ ...(endpoint ? { endpoint, forcePathStyle: true } : {}), ...(credentials ? { credentials } : {}) });
  let running = 0;
  const waiting = [];
  const limited = async (fn) => {
    if (running >= S3_CONCURRENCY) await new Promise((resolve) => waiting.push(resolve));
    running++;
    try {
      return await fn();
    } finally {
      running--;
      waiting.shift()?.();
    }
  };
  return {
    async read(uri, what) {
      const target = parseS3Uri(uri, what);
      return limited(async () => {
        try {
          const object = await client.send(new GetObjectCommand(target));
          return await object.Body.transformToByteArray();
        } catch (err) {
          throw new Error(`${what} (${uri}) could not be read: ${err.name && err.name !== 'Error' ? `${err.name}: ` : ''}${err.message}`);
        }
      }).then((body) => {
        // Decoding would silently put U+FFFD for broken bytes; they are refused instead.
        try {
          return new TextDecoder('utf-8', { fatal: true }).decode(body);
        } catch {
          throw new Error(`${what} (${uri}) is not valid UTF-8`);
        }
      });
    },
    async write(uri, text) {
      const target = parseS3Uri(uri, 'the output');
      await limited(() => client.send(new PutObjectCommand({ ...target, Body: text, ContentType: 'application/json' })));
      return uri;
    },
  };
}

/**
 * Where referenced parts go: AVSEG_CONSOLIDATION_OUTPUT (an s3:// prefix), else beside Ground
 * Truth's own files for the job: .../annotations/consolidation-request/iteration-N/T.json gives
 * .../annotations/avseg-consolidation/iteration-N/T/.
 */
export function outputPrefix(payloadUri) {
  const configured = process.env.AVSEG_CONSOLIDATION_OUTPUT;
  if (configured) return configured.endsWith('/') ? configured : `${configured}/`;
  const { Bucket, Key } = parseS3Uri(payloadUri, 'payload.s3Uri');
  const base = Key.replace(/\.json$/, '');
  const beside = base.includes('/consolidation-request/') ? base.replace('/consolidation-request/', '/avseg-consolidation/') : `${base}.avseg`;
  return `s3://${Bucket}/${beside}/`;
}

const keyPart = (s) => encodeURIComponent(String(s)).replace(/\*/g, '%2A');
const bytes = (value) => Buffer.byteLength(JSON.stringify(value) ?? '');
const describe = (v) => (v === undefined ? 'nothing' : v === null ? 'null' : Array.isArray(v) ? 'a list' : typeof v === 'object' ? 'an object' : `${typeof v} ${JSON.stringify(v).slice(0, 60)}`);

/** A worker's answer as the JSON text it was: given inline (content) or in S3 (s3Uri). */
async function answerText(annotation, store) {
  const data = annotation?.annotationData;
  if (typeof data?.content === 'string') return data.content;
  const uri = data?.s3Uri ?? data?.s3uri;
  if (uri !== undefined) return store.read(uri, 'the answer');
  if (data?.content && typeof data.content === 'object') return JSON.stringify(data.content);
  throw new Error('the answer has neither annotationData.content nor annotationData.s3Uri');
}

/**
 * A string for the core. One with an unpaired surrogate (JSON can carry "\ud800") goes as
 * bytes, the surrogate as its own three, so the core's UTF-8 check names its place: as a string,
 * embind would pair it with the next character and change the text silently.
 */
function forCore(text) {
  if (text.isWellFormed()) return text;
  const out = [];
  for (let i = 0; i < text.length; i++) {
    const c = text.codePointAt(i);
    if (c > 0xffff) i++;
    if (c < 0x80) out.push(c);
    else if (c < 0x800) out.push(0xc0 | (c >> 6), 0x80 | (c & 63));
    else if (c < 0x10000) out.push(0xe0 | (c >> 12), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
    else out.push(0xf0 | (c >> 18), 0x80 | ((c >> 12) & 63), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
  }
  return Uint8Array.from(out);
}

/**
 * A worker's answer: {document} for a single clip (its `annotations` field), or {comparison,
 * clipDocuments} for a comparison (its `comparison` field, doc/comparison-format.md), each clip's
 * marks read by the core as a single clip's are.
 */
async function readAnswer(text) {
  let answer;
  try {
    answer = JSON.parse(text);
  } catch (err) {
    throw new Error(`the answer is not JSON (${err.message})`);
  }
  if (answer?.comparison === undefined) return { document: await documentOf(answer?.annotations) };
  let comparison = answer.comparison;
  if (typeof comparison === 'string') {
    try {
      comparison = JSON.parse(comparison);
    } catch (err) {
      throw new Error(`the answer's "comparison" is not JSON (${err.message})`);
    }
  }
  // The page named the systems by the pre-annotation Lambda's tokens: opened here, a bad one names the answer.
  openComparison(comparison, blindKey());
  const problem = comparisonProblem(comparison);
  if (problem) throw new Error(problem);
  const clipDocuments = await Promise.all(comparison.clips.map(async (clip, k) => {
    if (clip?.annotation === undefined || clip.annotation === null) return null;
    const doc = typeof clip.annotation === 'string' ? clip.annotation : JSON.stringify(clip.annotation);
    return documentOf(doc).catch((err) => { throw new Error(`clip ${k + 1} (${clip.system}): ${err.message}`); });
  }));
  return { comparison, clipDocuments };
}

/** An annotation document (JSON text), read by the core into a normalized one. */
async function documentOf(doc) {
  if (typeof doc !== 'string') throw new Error('the answer has no "annotations" field (the annotation document as a JSON string)');
  const M = await annotations();
  const a = new M.Annotations();
  try {
    const result = a.load(forCore(doc));
    if (!result.ok) throw new Error(`its annotations are not an avseg document: ${result.message}`);
    return JSON.parse(a.save());
  } finally {
    a.delete();
  }
}

async function consolidateItem(item, store) {
  if (!Array.isArray(item.annotations)) throw new Error(`the item's annotations are not a list (got ${describe(item.annotations)})`);
  if (!item.annotations.length) throw new Error('the item has no answers');
  const failed = [];
  const raw = [];
  const read = await Promise.all(item.annotations.map(async (annotation, i) => {
    const workerId = annotation?.workerId;
    try {
      const text = await answerText(annotation, store);
      const uri = annotation.annotationData.s3Uri ?? annotation.annotationData.s3uri;
      // An answer Ground Truth gave by reference stays a reference; one given inline stays inline
      // unless fitting the response says otherwise.
      raw[i] = { workerId, annotationData: uri !== undefined ? { s3Uri: uri } : { content: text } };
      return { workerId, ...(await readAnswer(text)) };
    } catch (err) {
      raw[i] ??= { workerId, annotationData: annotation?.annotationData ?? null };
      failed[i] = { workerId, message: err.message };
      return null;
    }
  }));
  let answers = read.filter(Boolean);
  // A comparison task: every answer must be a comparison of the same clips, the systems most answers
  // name (the first read on a tie): one broken first answer must not get the sound ones refused.
  const listOf = (a) => JSON.stringify(a.comparison.clips?.map?.((c) => c?.system) ?? null);
  const lists = answers.filter((a) => a.comparison).map(listOf);
  const common = lists.reduce((best, l) => (lists.filter((x) => x === l).length > lists.filter((x) => x === best).length ? l : best), lists[0]);
  const reference = answers.find((a) => a.comparison && listOf(a) === common)?.comparison;
  if (reference) {
    const systems = JSON.stringify(reference.clips.map((c) => c.system));
    answers = answers.filter((a) => {
      const i = read.indexOf(a);
      const why = !a.comparison ? 'the answer is a single clip\'s where the task\'s other answers are comparisons'
        : comparisonProblem(a.comparison, reference.clips.length)
          || (JSON.stringify(a.comparison.clips.map((c) => c.system)) !== systems ? `its clips' systems ${JSON.stringify(a.comparison.clips.map((c) => c.system))} are not the task's ${systems} (in manifest order)` : '');
      if (why) failed[i] = { workerId: a.workerId, message: why };
      return !why;
    });
  }
  const problems = failed.filter(Boolean);
  const { consensus, agreement } = !answers.length ? { consensus: null, agreement: { workers: 0 } }
    : reference ? consolidateComparison(answers, await statistics()) : consolidate(answers);
  return { consensus, agreement, problems, annotationsFromAllWorkers: raw };
}

/**
 * Moves parts of the entries to S3 until the response fits RESPONSE_BUDGET: first every raw
 * answer over INLINE_ANSWER_LIMIT, then the largest inline parts (raw answers and consensus
 * documents) one by one. A moved answer becomes annotationData {s3Uri} (as Ground Truth gives
 * large ones); a moved consensus becomes consensusS3Uri.
 */
async function fitResponse(results, prefix, store) {
  const parts = [];
  for (const { id, result } of results) {
    result.annotationsFromAllWorkers.forEach((w, i) => {
      const content = w.annotationData?.content;
      if (typeof content !== 'string') return;
      const big = Buffer.byteLength(content) > INLINE_ANSWER_LIMIT;
      parts.push({ size: big ? 0 : bytes(content), big, move: async () => {
        w.annotationData = { s3Uri: await store.write(`${prefix}${keyPart(id)}/answers/${i}-${keyPart(w.workerId ?? 'unknown')}.json`, content) };
      } });
    });
    if (result.consensus) {
      parts.push({ size: bytes(result.consensus), move: async () => {
        result.consensusS3Uri = await store.write(`${prefix}${keyPart(id)}/consensus.json`, JSON.stringify(result.consensus));
        delete result.consensus;
      } });
    }
  }
  const size = () => bytes(results.map((r) => r.entry));
  await Promise.all(parts.filter((p) => p.big).map((p) => p.move()));
  const rest = parts.filter((p) => !p.big).sort((a, b) => b.size - a.size);
  let total = size();
  for (let next = 0; total > RESPONSE_BUDGET && next < rest.length;) {
    // The largest parts whose removal brings the response under budget (a reference costs ~200 bytes).
    const batch = [];
    for (let over = total - RESPONSE_BUDGET; over > 0 && next < rest.length; next++) {
      batch.push(rest[next]);
      over -= rest[next].size - 200;
    }
    await Promise.all(batch.map((p) => p.move()));
    total = size();
  }
  if (total > RESPONSE_BUDGET) {
    throw new Error(`the response is ${total} bytes even with every answer and consensus in S3 (at most ${RESPONSE_BUDGET}): the batch has too many items`);
  }
}

/**
 * The AWS sample's shape (AVSEG_OUTPUT_SHAPE=aws-sample): every worker's entry as the sample
 * writes it, nothing else. As in the sample, an item with an answer that cannot be read is logged
 * and left out of the response.
 */
async function sampleEntries(payload, label, store) {
  const entries = await Promise.all(payload.map(async (item, index) => {
    const id = item?.datasetObjectId;
    try {
      if (typeof id !== 'string' && typeof id !== 'number') throw new Error('it has no datasetObjectId');
      if (!Array.isArray(item.annotations)) throw new Error(`its annotations are not a list (got ${describe(item.annotations)})`);
      const workers = await Promise.all(item.annotations.map(async (a) => {
        try {
          return sampleWorkerEntry(a?.workerId, await answerText(a, store));
        } catch (err) {
          throw new Error(`worker ${a?.workerId}: ${err.message}`);
        }
      }));
      return { datasetObjectId: id, consolidatedAnnotation: { content: { [label]: { annotationsFromAllWorkers: workers } } } };
    } catch (err) {
      console.error(`consolidation: item ${id ?? `at ${index}`} is left out: ${err.message}`);
      return null;
    }
  }));
  const kept = entries.filter(Boolean);
  const size = bytes(kept);
  if (size > RESPONSE_BUDGET) throw new Error(`the response in the AWS sample's shape is ${size} bytes (at most ${RESPONSE_BUDGET}): the sample's shape keeps every answer inline, so the batch is too large for it`);
  return kept;
}

export async function handler(event) {
  const label = event?.labelAttributeName;
  if (typeof label !== 'string' || !label) throw new Error('the event has no labelAttributeName');
  const store = await s3Store(await jobRoleCredentials(event));
  const text = await store.read(event?.payload?.s3Uri, 'the payload');
  let payload;
  try {
    payload = JSON.parse(text);
  } catch (err) {
    throw new Error(`the payload at ${event.payload.s3Uri} is not JSON: ${err.message}`);
  }
  if (!Array.isArray(payload)) throw new Error('the payload is not a list of data objects');
  const shape = process.env.AVSEG_OUTPUT_SHAPE || 'avseg';
  if (shape === 'aws-sample') return sampleEntries(payload, label, store);
  if (shape !== 'avseg') throw new Error(`AVSEG_OUTPUT_SHAPE is "${shape}": expected "avseg" (the default) or "aws-sample"`);
  const prefix = outputPrefix(event.payload.s3Uri);

  const results = await Promise.all(payload.map(async (item, index) => {
    const id = item?.datasetObjectId;
    if (typeof id !== 'string' && typeof id !== 'number') {
      // Nothing to attach an entry to: said in the log, and the other items go on.
      console.error(`consolidation: payload item ${index} has no datasetObjectId and is left out (${JSON.stringify(item)?.slice(0, 200)})`);
      return null;
    }
    let result;
    try {
      result = await consolidateItem(item, store);
    } catch (err) {
      result = { consensus: null, agreement: { workers: 0 }, problems: [{ message: err.message }], annotationsFromAllWorkers: [] };
    }
    for (const p of result.problems) console.error(`consolidation: item ${id}${p.workerId !== undefined ? `, worker ${p.workerId}` : ''}: ${p.message}`);
    return { id, result, entry: { datasetObjectId: id, consolidatedAnnotation: { content: { [label]: result } } } };
  }));
  const kept = results.filter(Boolean);
  await fitResponse(kept, prefix, store);
  return kept.map((r) => r.entry);
}
