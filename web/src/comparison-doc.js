// SPDX-License-Identifier: MIT
// The comparison document v1 (doc/comparison-format.md): reading a comparison manifest line,
// building the answer from what the annotator set (shown order) in manifest order, and checking it
// against the label config (pure; the element, the task glue, the Lambdas and the exports use it).
import { LABELS } from './blind-order.js';

export const COMPARISON_FORMAT = 'avseg-comparison';
export const COMPARISON_VERSION = 1;
export const MIN_CLIPS = 2;
export const MAX_CLIPS = 4;

/** A manifest line or a comparison document that breaks a rule; `path` names the key at fault. */
export class ComparisonError extends Error {
  constructor(path, reason) {
    super(`${path || 'line'}: ${reason}`);
    this.name = 'ComparisonError';
    this.path = path;
    this.reason = reason;
  }
}

/** An order seed as the manifest and the document write it: 1 to 16 hex digits. */
export const SEED_PATTERN = /^[0-9a-fA-F]{1,16}$/;

const isObject = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);
const isBlank = (v) => typeof v !== 'string' || v.trim() === '';
const show = (v) => (v === undefined ? 'nothing' : JSON.stringify(v));

/**
 * A manifest line of a comparison (text or parsed) -> {prompt, taskId, clips: [{source, system, peaks}], seed?}.
 * Throws a ComparisonError naming the key at fault.
 */
export function parseComparisonManifestLine(line) {
  let value = line;
  if (typeof line === 'string') {
    try {
      value = JSON.parse(line);
    } catch (err) {
      throw new ComparisonError('', `is not valid JSON (${err.message})`);
    }
  }
  if (!isObject(value)) throw new ComparisonError('', `must be a JSON object, got ${Array.isArray(value) ? 'an array' : show(value)}`);
  if (!('clips' in value)) throw new ComparisonError('clips', 'is required: a comparison line lists its 2 to 4 clips under "clips"');
  // Ground Truth wants "source-ref" or "source" on every line: a comparison's is "source" (inline text, the prompt
  // or task id); a top-level media key would make Ground Truth take the line as one media item.
  for (const key of ['source-ref', 'taskObject']) {
    if (key in value) throw new ComparisonError(key, `a comparison line gives its media in "clips"; a top-level "${key}" would make Ground Truth take the line as one media item (give the prompt or task id as "source")`);
  }
  if (value.source !== undefined && isBlank(value.source)) {
    throw new ComparisonError('source', `must be non-empty text (the prompt or task id, which Ground Truth passes as dataObject.content), got ${show(value.source)}`);
  }
  const { clips } = value;
  if (!Array.isArray(clips)) throw new ComparisonError('clips', `must be an array of clips ({"source-ref", "system"}), got ${show(clips)}`);
  if (clips.length < MIN_CLIPS || clips.length > MAX_CLIPS) {
    throw new ComparisonError('clips', `a comparison needs ${MIN_CLIPS} to ${MAX_CLIPS} clips, this line has ${clips.length}`);
  }
  let prompt = value.prompt === undefined ? value.source ?? null : null;
  if (value.prompt !== undefined && value.prompt !== null) {
    if (typeof value.prompt !== 'string') throw new ComparisonError('prompt', `must be text or null, got ${show(value.prompt)}`);
    prompt = value.prompt;
  }
  let taskId = null;
  if (value.id !== undefined && value.id !== null) {
    const ok = (typeof value.id === 'string' && value.id !== '') || (typeof value.id === 'number' && Number.isFinite(value.id));
    if (!ok) throw new ComparisonError('id', `must be a non-empty string, got ${show(value.id)}`);
    taskId = String(value.id);
  }
  // A fixed order seed (doc/comparison-format.md, "Blind order") overrides the one drawn from annotator and task.
  let seed;
  if (value.seed !== undefined && value.seed !== null) {
    if (typeof value.seed !== 'string' || !SEED_PATTERN.test(value.seed)) {
      throw new ComparisonError('seed', `must be an order seed of 1 to 16 hex digits (e.g. "9e3779b97f4a7c15"), got ${show(value.seed)}`);
    }
    seed = value.seed;
  }
  const seen = new Map();
  const out = clips.map((clip, i) => {
    const at = `clips[${i}]`;
    if (!isObject(clip)) throw new ComparisonError(at, `must be an object with "source-ref" and "system", got ${show(clip)}`);
    const source = clip['source-ref'];
    if (source === undefined) throw new ComparisonError(`${at}.source-ref`, 'is required (the clip\'s media)');
    if (typeof source !== 'string' || source.trim() === '') throw new ComparisonError(`${at}.source-ref`, `must be a non-empty string, got ${show(source)}`);
    const { system } = clip;
    if (system === undefined) throw new ComparisonError(`${at}.system`, 'is required (the system that made the clip)');
    if (typeof system !== 'string' || system.trim() === '') throw new ComparisonError(`${at}.system`, `must be a non-empty string, got ${show(system)}`);
    if (seen.has(system)) throw new ComparisonError(`${at}.system`, `${show(system)} appears twice (clips[${seen.get(system)}] too; systems must be distinct)`);
    seen.set(system, i);
    const peaks = clip['peaks-ref'];
    if (peaks !== undefined && (typeof peaks !== 'string' || peaks.trim() === '')) {
      throw new ComparisonError(`${at}.peaks-ref`, `must be a non-empty string when given, got ${show(peaks)}`);
    }
    return { source, system, peaks: peaks ?? null };
  });
  return { prompt, taskId, clips: out, ...(seed === undefined ? {} : { seed }) };
}

function checkOrder(order, n) {
  const ok = Array.isArray(order) && order.length === n && [...order].sort((a, b) => a - b).every((v, i) => v === i);
  if (!ok) throw new ComparisonError('order', `must list each manifest index 0 to ${n - 1} once, got ${show(order)}`);
}

const dropNulls = (ratings) => Object.fromEntries(Object.entries(ratings ?? {}).filter(([, v]) => v !== null && v !== undefined));

/** The judgement in manifest order from the panel's (by shown position); null when nothing is set. */
function judgementOf(panelJudgement, order) {
  if (!isObject(panelJudgement)) return null;
  const { type } = panelJudgement;
  const reason = typeof panelJudgement.reason === 'string' && panelJudgement.reason !== '' ? panelJudgement.reason : null;
  const withReason = (j) => (reason === null ? j : { ...j, reason });
  if (type === 'preference') {
    const shown = panelJudgement.shownCmos ?? null;
    if (shown === null && reason === null) return null;
    // shownCmos is shown B against shown A; cmos is clips[1] against clips[0].
    const cmos = shown === null ? null : order[0] === 0 ? shown : (shown === 0 ? 0 : -shown);
    const preferred = cmos === null || cmos === 0 ? null : cmos > 0 ? 1 : 0;
    return withReason({ type, cmos, shownCmos: shown, preferred });
  }
  if (type === 'ranking') {
    const shownRanks = panelJudgement.shownRanks ?? [];
    const ranks = order.map((_, m) => shownRanks[order.indexOf(m)] ?? null);
    if (ranks.every((r) => r === null) && reason === null) return null;
    return withReason({ type, ranks });
  }
  throw new ComparisonError('judgement.type', `must be "preference" or "ranking", got ${show(type)}`);
}

/**
 * The comparison document v1 from what the host holds. Clips come in manifest order, either as
 * `clips` ([{system, source, annotation, heardMs}]) or as a parsed manifest `line` with
 * `annotations` (and `heardMs`) per clip; `panel` is the ComparePanel's value (by shown position).
 */
export function buildComparison({
  line = null, prompt, taskId, annotator = null, blind = true, seed = null, order, clips, annotations = [],
  heardMs = [], panel = null, timings = {},
} = {}) {
  const base = clips ?? line?.clips?.map((c) => ({ system: c.system, source: c.source ?? c['source-ref'] }));
  if (!Array.isArray(base) || base.length < MIN_CLIPS || base.length > MAX_CLIPS) {
    throw new ComparisonError('clips', `a comparison has ${MIN_CLIPS} to ${MAX_CLIPS} clips, got ${Array.isArray(base) ? base.length : show(base)}`);
  }
  const n = base.length;
  checkOrder(order, n);
  const ratings = panel?.ratings ?? [];
  return {
    format: COMPARISON_FORMAT,
    version: COMPARISON_VERSION,
    prompt: prompt !== undefined ? prompt : (line?.prompt ?? null),
    taskId: taskId !== undefined ? taskId : (line?.taskId ?? null),
    annotator,
    blind: blind !== false,
    seed,
    order: [...order],
    clips: base.map((clip, m) => {
      const k = order.indexOf(m);
      return {
        system: clip.system,
        source: clip.source,
        shownAs: LABELS[k],
        annotation: clip.annotation ?? annotations[m] ?? null,
        ratings: dropNulls(ratings[k]),
        heardMs: Math.round(clip.heardMs ?? heardMs[m] ?? 0),
      };
    }),
    judgement: judgementOf(panel?.judgement, order),
    timings: {
      openedAt: timings.openedAt ?? null,
      submittedAt: timings.submittedAt ?? null,
      switches: timings.switches ?? 0,
      loops: timings.loops ?? 0,
    },
  };
}

/** The comparison settings of a label config, defaults filled in, for `n` clips. */
export function comparisonSettings(config, n) {
  const c = isObject(config?.comparison) ? config.comparison : {};
  const judgement = !c.judgement || c.judgement === 'auto' ? (n === 2 ? 'preference' : 'ranking') : c.judgement;
  return { criteria: Array.isArray(c.criteria) ? c.criteria : [], judgement, reason: c.reason ?? 'optional', blind: c.blind !== false };
}

/**
 * What keeps a comparison document from being complete, as [{path, message}] with manifest-order
 * paths (empty = complete): the required ratings, ratings off their scale, the judgement, the
 * reason when required, and each clip's own required answers. `clipProblems[m]`, when given (the
 * problems the clip's editor reports, from the core), replaces the check of clip m's annotation.
 */
export function validateComparison(doc, config, { clipProblems } = {}) {
  const problems = [];
  const add = (path, message) => problems.push({ path, message });
  if (!isObject(doc)) return [{ path: '', message: `a comparison document must be an object, got ${show(doc)}` }];
  if (doc.format !== COMPARISON_FORMAT) add('format', `must be "${COMPARISON_FORMAT}", got ${show(doc.format)}`);
  if (doc.version !== COMPARISON_VERSION) add('version', `must be ${COMPARISON_VERSION} (the only version so far), got ${show(doc.version)}`);
  const clips = Array.isArray(doc.clips) ? doc.clips : [];
  const n = clips.length;
  if (n < MIN_CLIPS || n > MAX_CLIPS) {
    add('clips', `a comparison has ${MIN_CLIPS} to ${MAX_CLIPS} clips, got ${Array.isArray(doc.clips) ? n : show(doc.clips)}`);
    return problems;
  }
  try {
    checkOrder(doc.order, n);
  } catch (err) {
    add(err.path, err.reason);
    return problems;
  }
  const settings = comparisonSettings(config, n);
  const shown = (m) => `clip ${LABELS[doc.order.indexOf(m)]}`;

  clips.forEach((clip, m) => {
    const at = `clips[${m}]`;
    const ratings = isObject(clip?.ratings) ? clip.ratings : {};
    for (const c of settings.criteria) {
      const [lo, hi] = Array.isArray(c?.scale) ? c.scale : [-Infinity, Infinity];
      const label = c.label ?? c.name;
      const v = ratings[c.name];
      if (v === undefined || v === null) {
        if (c.required) add(`${at}.ratings.${c.name}`, `${label}: a rating from ${lo} to ${hi} is required (${shown(m)})`);
      } else if (!Number.isInteger(v) || v < lo || v > hi) {
        add(`${at}.ratings.${c.name}`, `${label}: must be a whole number from ${lo} to ${hi}, got ${show(v)} (${shown(m)})`);
      }
    }
    for (const name of Object.keys(ratings)) {
      if (!settings.criteria.some((c) => c.name === name)) add(`${at}.ratings.${name}`, `${show(name)} is not a criterion of the label config`);
    }
    const own = clipProblems?.[m];
    if (own) for (const p of own) add(`${at}.annotation${p.path ? `.${p.path}` : ''}`, `${p.message} (${shown(m)})`);
    else for (const p of annotationProblems(clip?.annotation, config)) add(`${at}.annotation${p.path ? `.${p.path}` : ''}`, `${p.message} (${shown(m)})`);
  });

  const j = doc.judgement;
  const what = settings.judgement === 'preference' ? 'a preference between the clips (-3 to +3)' : 'a ranking of the clips';
  if (j === null || j === undefined) {
    add('judgement', `the overall judgement is required: ${what}`);
  } else if (!isObject(j) || j.type !== settings.judgement) {
    add('judgement.type', `must be "${settings.judgement}" for ${n} clips with this label config, got ${show(j?.type)}`);
  } else if (j.type === 'preference') {
    checkPreference(j, doc.order, add);
  } else {
    checkRanking(j, n, shown, add);
  }
  if (settings.reason === 'required' && isObject(j) && isBlank(j.reason)) add('judgement.reason', 'a reason for the judgement is required');
  return problems;
}

function checkPreference(j, order, add) {
  if (order.length !== 2) {
    add('judgement.type', `a preference compares exactly 2 clips, there are ${order.length}`);
    return;
  }
  if (j.cmos === null || j.cmos === undefined) {
    add('judgement.cmos', 'how much better or worse B is than A is required (-3 to +3)');
    return;
  }
  if (!Number.isInteger(j.cmos) || j.cmos < -3 || j.cmos > 3) {
    add('judgement.cmos', `must be a whole number from -3 to 3, got ${show(j.cmos)}`);
    return;
  }
  for (const p of preferenceDisagreements(j, order)) add(p.path, p.message);
}

/**
 * Where a preference's `shownCmos` and `preferred` disagree with its `cmos` under `order` (two
 * clips), as [{path, message}]; empty when they agree. Without a cmos, both must be absent or null.
 * The one rule for validateComparison, the report and restoring an answer: a document whose sides
 * disagree had its sign mapped wrongly somewhere, so which clip won is unknown.
 */
export function preferenceDisagreements(j, order) {
  const out = [];
  const cmos = Number.isInteger(j?.cmos) ? j.cmos : null;
  const shownCmos = cmos === null ? null : order[0] === 0 ? cmos : -cmos;
  const preferred = cmos === null || cmos === 0 ? null : cmos > 0 ? 1 : 0;
  const means = cmos === null ? 'there is no cmos' : `cmos ${cmos}`;
  if (j.shownCmos !== undefined && j.shownCmos !== null && j.shownCmos !== shownCmos) {
    out.push({ path: 'judgement.shownCmos', message: `is ${show(j.shownCmos)}, but ${means}${cmos === null ? '' : ` with the order [${order}] means ${shownCmos}`}` });
  }
  if (j.preferred !== undefined && j.preferred !== preferred) {
    out.push({ path: 'judgement.preferred', message: `is ${show(j.preferred)}, but ${means}${cmos === null ? '' : ` means ${show(preferred)}`}` });
  }
  return out;
}

function checkRanking(j, n, shown, add) {
  if (!Array.isArray(j.ranks) || j.ranks.length !== n) {
    add('judgement.ranks', `must give a rank to each of the ${n} clips, got ${show(j.ranks)}`);
    return;
  }
  let complete = true;
  j.ranks.forEach((r, m) => {
    if (r === null || r === undefined) {
      add(`judgement.ranks[${m}]`, `a rank from 1 to ${n} is required (${shown(m)})`);
      complete = false;
    } else if (!Number.isInteger(r) || r < 1 || r > n) {
      add(`judgement.ranks[${m}]`, `must be a whole number from 1 to ${n}, got ${show(r)} (${shown(m)})`);
      complete = false;
    }
  });
  if (complete && !j.ranks.includes(1)) add('judgement.ranks', 'the best clip is ranked 1 (clips that are equally good share a rank)');
}

// ---- a clip's own required answers: the core's AnnotationValidator rules for what is required ----

function fieldsOf(list) {
  return Array.isArray(list) ? list.filter(isObject) : [];
}

const isEmptyAnswer = (v) => v === null || v === undefined || (typeof v === 'string' && v.trim() === '') || (Array.isArray(v) && v.length === 0);

/** The required answers a clip's annotation document lacks, with paths inside the document. */
export function annotationProblems(annotation, config) {
  if (!isObject(annotation)) return [{ path: '', message: 'the clip\'s annotations are missing' }];
  const problems = [];
  const tracks = new Map((Array.isArray(annotation.tracks) ? annotation.tracks : []).map((t) => [t?.id, t]));
  const segments = Array.isArray(annotation.segments) ? annotation.segments : [];
  const segmentFields = fieldsOf(config?.segmentFields);
  segments.forEach((s, k) => {
    const category = tracks.get(s?.track)?.category;
    for (const f of segmentFields) {
      if (!f.required) continue;
      if (Array.isArray(f.categories) && !f.categories.includes(category)) continue;
      if (isEmptyAnswer(s?.fields?.[f.name])) {
        const at = typeof s?.startTime === 'number' ? ` at ${s.startTime.toFixed(2)} s` : '';
        problems.push({ path: `segments[${k}].fields.${f.name}`, message: `${f.label ?? f.name} is required (segment ${s?.id ?? k}${at})` });
      }
    }
  });
  const min = Number.isInteger(config?.minSegments) ? config.minSegments : 0;
  if (segments.length < min) {
    problems.push({ path: 'segments', message: `at least ${min} ${min === 1 ? 'segment is' : 'segments are'} needed, there ${segments.length === 1 ? 'is 1' : `are ${segments.length}`}` });
  }
  const answers = isObject(annotation.classifications) ? annotation.classifications : {};
  for (const f of fieldsOf(config?.classifications)) {
    if (f.required && isEmptyAnswer(answers[f.name])) problems.push({ path: `classifications.${f.name}`, message: `${f.label ?? f.name} is required` });
  }
  return problems;
}
