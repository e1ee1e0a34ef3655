// SPDX-License-Identifier: MIT
// Reads the comparison answers a report is made of: a local run's output folder (its
// worker-response files, so items still short of answers count too) or a Ground Truth output
// manifest, local or s3://, with references read as scripts/export reads them.
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { referenceReader } from '../output-references.mjs';
import { preferenceDisagreements } from '../../../web/src/comparison-doc.js';
import { blindKey, isToken, openComparison } from '../../aws/lambda/blind-systems.mjs';

/** A problem with the input, naming where it is (file, line, worker). */
export class InputError extends Error {}

const where = (file, line, worker) => [file, line !== undefined ? `line ${line}` : undefined, worker !== undefined ? `worker ${worker}` : undefined].filter(Boolean).join(', ');

const parse = (text, what) => {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new Error(`${what} is not JSON (${err.message})`);
  }
};

/** The comparison document in a worker's answerContent, or an Error saying what is there instead. */
export function comparisonIn(content) {
  if (typeof content === 'string') content = parse(content, 'the answer');
  if (!content || typeof content !== 'object') throw new Error('the answer is not an object');
  let doc = content.format === 'avseg-comparison' ? content : content.comparison ?? content.annotations;
  if (typeof doc === 'string') doc = parse(doc, 'its "annotations"');
  if (!doc || typeof doc !== 'object') throw new Error('the answer has no "annotations" (a comparison document)');
  if (doc.format !== 'avseg-comparison') throw new Error(`the answer is not a comparison document (its format is ${JSON.stringify(doc.format ?? null)}, not "avseg-comparison")`);
  if (doc.version !== 1) throw new Error(`comparison document version ${JSON.stringify(doc.version ?? null)} is not known (this report reads version 1)`);
  return doc;
}

/** What makes a document unusable for the figures, or null. */
export function checkComparison(doc) {
  const clips = doc.clips;
  if (!Array.isArray(clips) || clips.length < 2 || clips.length > 4) return 'it needs 2 to 4 clips';
  const systems = clips.map((c) => c?.system);
  if (systems.some((s) => typeof s !== 'string' || !s)) return 'a clip has no "system"';
  if (new Set(systems).size !== systems.length) return `two clips name the same system (${systems.join(', ')})`;
  const order = doc.order;
  if (!Array.isArray(order) || order.length !== clips.length || [...order].sort().some((v, i) => v !== i)) return `"order" is not a permutation of the ${clips.length} clips`;
  const j = doc.judgement;
  if (j?.type === 'preference') {
    if (clips.length !== 2) return 'a preference needs exactly 2 clips';
    if (j.cmos !== undefined && j.cmos !== null && !(Number.isInteger(j.cmos) && j.cmos >= -3 && j.cmos <= 3)) return `"judgement.cmos" ${JSON.stringify(j.cmos)} is not an integer from -3 to 3`;
    // An unanswered preference is no tie: counted as one, it would move the scores and the bias.
    // cmos is the answer (preferred only follows from its sign), so a "preferred" alone is refused too.
    if (j.cmos === undefined || j.cmos === null) return `the preference is not answered (no "cmos"${[0, 1].includes(j.preferred) ? '; "preferred" alone does not say by how much, and follows from cmos' : ''})`;
    const disagreement = preferenceDisagreements(j, order)[0];
    if (disagreement) return `"${disagreement.path}" ${disagreement.message}`;
  } else if (j?.type === 'ranking') {
    if (!Array.isArray(j.ranks) || j.ranks.length !== clips.length || j.ranks.some((r) => !Number.isInteger(r) || r < 1)) return `"judgement.ranks" is not ${clips.length} ranks (integers from 1)`;
  } else {
    return `the judgement type ${JSON.stringify(j?.type ?? null)} is neither "preference" nor "ranking"`;
  }
  for (const [i, c] of clips.entries()) {
    if (c.ratings === undefined || c.ratings === null) continue;
    if (typeof c.ratings !== 'object' || Array.isArray(c.ratings)) return `clips[${i}].ratings is not an object`;
    for (const [name, v] of Object.entries(c.ratings)) if (v !== null && !Number.isFinite(v)) return `clips[${i}].ratings.${name} is not a number`;
  }
  return null;
}

/**
 * A Ground Truth worker's document names its clips by the pre-annotation Lambda's blind tokens: the
 * systems are its output-manifest line's. Opened with AVSEG_BLIND_KEY when this machine has it
 * (then checked like any other), else taken by position, a different number of clips refused.
 */
export function unblind(doc, line) {
  if (!Array.isArray(doc?.clips) || !doc.clips.some((c) => isToken(c?.system))) return doc;
  const key = blindKey();
  if (key) return openComparison(doc, key);
  if (!Array.isArray(line?.clips)) throw new Error('its clips are named by blind tokens and there is no manifest line with clips to name their systems');
  if (line.clips.length !== doc.clips.length) throw new Error(`its ${doc.clips.length} clips are named by blind tokens, and its manifest line has ${line.clips.length} clips`);
  doc.clips.forEach((c, k) => { c.system = line.clips[k]?.system; });
  return doc;
}

/** How a document's clips differ from its manifest line's (count, systems in manifest order), or null. */
export function lineMismatch(doc, line) {
  if (!Array.isArray(line?.clips)) return null;
  const listed = line.clips.map((c) => (typeof c?.system === 'string' ? c.system.trim() : c?.system));
  const given = doc.clips.map((c) => (typeof c?.system === 'string' ? c.system.trim() : c?.system));
  if (JSON.stringify(listed) === JSON.stringify(given)) return null;
  return `its clips' systems ${JSON.stringify(given)} are not its manifest line's ${JSON.stringify(listed)} (in manifest order)`;
}

function workersOf(line, attribute) {
  const answer = line[attribute];
  if (!answer || typeof answer !== 'object') {
    const failure = line[`${attribute}-metadata`]?.['failure-reason'];
    throw new Error(`no answers under "${attribute}"${failure ? ` (the job says: ${failure})` : ''}`);
  }
  if (!Array.isArray(answer.annotationsFromAllWorkers)) {
    throw new Error(answer.consensus || answer.consensusS3Uri
      ? 'the line holds only a consolidated answer, not each worker\'s: a report needs the worker answers (the job\'s worker-response files, or an output manifest written before consolidation)'
      : 'the line has no annotationsFromAllWorkers');
  }
  return answer.annotationsFromAllWorkers;
}

/** A worker's own answer in a worker-response file ({"answers": [...]}), or the file itself. */
function ownAnswer(value, workerId) {
  if (!Array.isArray(value?.answers)) return value;
  const own = value.answers.filter((a) => workerId === undefined || a?.workerId === workerId || a?.workerMetadata?.identityData?.sub === workerId);
  if (own.length !== 1) throw new Error(`the worker-response file has ${own.length} answers of ${workerId ?? 'an unnamed worker'}`);
  return own[0].answerContent;
}

async function fromManifest(text, file, read) {
  const lines = text.split(/\r?\n/);
  const parsed = [];
  for (const [n, l] of lines.entries()) {
    if (!l.trim()) continue;
    let line;
    try {
      line = JSON.parse(l);
    } catch (err) {
      throw new InputError(`${where(file, n + 1)}: not valid JSON (${err.message})`);
    }
    if (!line || typeof line !== 'object' || Array.isArray(line)) throw new InputError(`${where(file, n + 1)}: not a JSON object`);
    parsed.push({ line, number: n + 1 });
  }
  if (!parsed.length) throw new InputError(`${file}: the output manifest is empty (no lines, so no answers to report)`);
  const attribute = parsed.map(({ line }) => Object.keys(line).find((k) => `${k}-metadata` in line)).find(Boolean);
  if (!attribute) throw new InputError(`${file}: no label attribute found (no line has a key with a "-metadata" twin), so it is not an output manifest`);
  const answers = [];
  const problems = [];
  for (const { line, number } of parsed) {
    let workers;
    try {
      workers = workersOf(line, attribute);
    } catch (err) {
      problems.push(`${where(file, number)}: ${err.message}`);
      continue;
    }
    for (const [i, w] of workers.entries()) {
      const worker = w?.workerId ?? `worker ${i + 1}`;
      const data = w?.annotationData;
      const ref = data?.s3Uri ?? data?.s3uri;
      try {
        let content;
        if (data?.content !== undefined && data?.content !== null) content = data.content;
        else if (ref) content = ownAnswer(parse(await read(ref).catch((err) => { throw new Error(`${ref}: could not be read (${err.message})`); }), ref), w?.workerId);
        else if (typeof w?.rawContent === 'string') content = w.rawContent;
        else throw new Error('the answer has neither annotationData.content nor annotationData.s3Uri');
        const doc = unblind(comparisonIn(content), line);
        const bad = checkComparison(doc) ?? lineMismatch(doc, line);
        if (bad) throw new Error(`the comparison document is not usable: ${bad}`);
        // The host's worker id, not the document's annotator (in Ground Truth only a per-browser id).
        answers.push({ doc, worker: w?.workerId ?? doc.annotator ?? worker, from: where(file, number, worker) });
      } catch (err) {
        problems.push(`${where(file, number, worker)}: ${err.message}`);
      }
    }
  }
  return { answers, problems };
}

async function fromRunFolder(dir) {
  const responses = path.join(dir, 'annotations/worker-response');
  const files = [];
  const walk = async (d) => {
    for (const e of await readdir(d, { withFileTypes: true })) {
      if (e.isDirectory()) await walk(path.join(d, e.name));
      else if (e.name.endsWith('.json')) files.push(path.join(d, e.name));
    }
  };
  await walk(responses);
  files.sort((a, b) => a.localeCompare(b, 'en', { numeric: true })); // item 2 before item 10
  const answers = [];
  const problems = [];
  for (const file of files) {
    let value;
    try {
      value = JSON.parse(await readFile(file, 'utf8'));
    } catch (err) {
      problems.push(`${file}: not valid JSON (${err.message})`);
      continue;
    }
    if (!Array.isArray(value?.answers)) {
      problems.push(`${file}: not a worker-response file (no "answers" list)`);
      continue;
    }
    for (const [i, a] of value.answers.entries()) {
      const worker = a?.workerMetadata?.identityData?.sub ?? a?.workerId ?? `answer ${i + 1}`;
      try {
        const doc = comparisonIn(a?.answerContent);
        const bad = checkComparison(doc);
        if (bad) throw new Error(`the comparison document is not usable: ${bad}`);
        answers.push({ doc, worker: a?.workerMetadata?.identityData?.sub ?? a?.workerId ?? doc.annotator ?? worker, from: where(file, undefined, worker) });
      } catch (err) {
        problems.push(`${where(file, undefined, worker)}: ${err.message}`);
      }
    }
  }
  return { answers, problems, files };
}

/**
 * The comparison answers of OUTPUT: [{doc, worker, from}], the inputs read, and the problems
 * (each naming its file, line and worker).
 * @returns {Promise<{answers: {doc: object, worker: string, from: string}[], inputs: string[], problems: string[]}>}
 */
export async function readAnswers(output) {
  if (/^s3:\/\//i.test(output)) {
    const read = referenceReader(process.cwd());
    const text = await read(output).catch((err) => { throw new InputError(`${output}: could not be read (${err.message})`); });
    return { ...(await fromManifest(text, output, read)), inputs: [output] };
  }
  const info = await stat(output).catch((err) => { throw new InputError(`${output}: ${err.code === 'ENOENT' ? 'no such file or folder' : err.message}`); });
  if (info.isDirectory()) {
    const responses = path.join(output, 'annotations/worker-response');
    if (await stat(responses).then((s) => s.isDirectory(), () => false)) {
      const { answers, problems, files } = await fromRunFolder(output);
      if (!files.length) throw new InputError(`${responses}: no worker-response files yet (no answers to report)`);
      return { answers, problems, inputs: [responses] };
    }
    const manifest = path.join(output, 'manifests/output/output.manifest');
    if (!await stat(manifest).then((s) => s.isFile(), () => false)) throw new InputError(`${output}: neither annotations/worker-response/ nor manifests/output/output.manifest is in this folder (is it a run's output folder?)`);
    output = manifest;
  }
  const text = await readFile(output, 'utf8');
  const read = referenceReader(path.dirname(path.resolve(output)));
  return { ...(await fromManifest(text, output, read)), inputs: [output] };
}
