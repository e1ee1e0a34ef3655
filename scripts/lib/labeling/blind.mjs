// SPDX-License-Identifier: MIT
// What a comparison's page is given in place of its systems and media names, and the way back at
// submit (doc/comparison-format.md, "Blindness"). A clip's token is an HMAC of the item and the
// system under the run's secret: it says nothing of the system, differs between items (so one
// system cannot be followed from task to task), and stays the same across reloads and restarts
// (drafts and reopened answers keep matching).
import { createHmac } from 'node:crypto';
import { orderSeed } from '../../../web/src/blind-order.js';

/** The token each clip of a comparison item is shown under, in manifest order. */
export const blindTokens = (secret, item) => item.clips.map((c) => `clip-${createHmac('sha256', secret).update(`avseg-blind\n${item.tag}\n${c.system}`).digest('base64url').slice(0, 16)}`);

/** The media reference the page gets for a clip: opaque, and stable so the task id (and its drafts) are. */
const opaqueSource = (clip) => `clip:${clip.tag}`;

/** The task id the page derives (compare-task.js comparisonTaskId) and the one the manifest means. */
const taskIds = (item) => {
  const id = typeof item.line.id === 'string' && item.line.id.trim() ? item.line.id.trim() : null;
  return { real: id ?? item.clips.map((c) => c.source).join('\n'), shown: id ?? item.clips.map(opaqueSource).join('\n') };
};

/**
 * The task input of a comparison item with its clips blinded: each clip's system a token and its
 * media reference opaque (grant_read_access takes it through `grants`). The order seed the page
 * would have drawn from the real media references is given as "seed", so the order is unchanged.
 */
export async function blindInput(input, item, { secret, annotator }) {
  const tokens = blindTokens(secret, item);
  const grants = new Map();
  input.clips = item.clips.map((c, k) => {
    const clip = { 'source-ref': opaqueSource(c), system: tokens[k] };
    grants.set(opaqueSource(c), c.source);
    if (c.peaks) {
      clip['peaks-ref'] = `peaks:${c.tag}`;
      grants.set(`peaks:${c.tag}`, c.peaks.source);
    }
    if (c.analysis) {
      clip['analysis-ref'] = `analysis:${c.tag}`;
      grants.set(`analysis:${c.tag}`, c.analysis.source);
    }
    return clip;
  });
  const ids = taskIds(item);
  if (!(typeof input.seed === 'string' && input.seed.trim()) && ids.real !== ids.shown) input.seed = await orderSeed(annotator, ids.real);
  return { input, grants };
}

const docOf = (value) => {
  if (typeof value !== 'string') return value;
  try { return JSON.parse(value); } catch { return null; }
};

/** Maps every comparison document of an answer (from tokens to systems) with `map`; the rest as it is. */
function mapDocs(answer, map) {
  const out = {};
  for (const [key, value] of Object.entries(answer)) {
    const doc = docOf(value);
    if (doc?.format !== 'avseg-comparison' || !Array.isArray(doc.clips)) {
      out[key] = value;
      continue;
    }
    const mapped = map(structuredClone(doc));
    out[key] = typeof value === 'string' ? JSON.stringify(mapped) : mapped;
  }
  return out;
}

/** `value` with every string equal to a key of `swap` replaced by its value, at any depth. */
const swapStrings = (value, swap) => {
  if (typeof value === 'string') return swap.has(value) ? swap.get(value) : value;
  if (Array.isArray(value)) return value.map((v) => swapStrings(v, swap));
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, swapStrings(v, swap)]));
  return value;
};

/** An answer the page sent (tokens, opaque sources) as the run stores it: real systems, sources, task id. Call once the tokens are checked. */
export function unblindAnswer(answer, item) {
  const ids = taskIds(item);
  // The clips' annotations carry the task id too: every string that is an opaque reference or the shown task id is mapped.
  const swap = new Map([[ids.shown, ids.real], ...item.clips.flatMap((c) => [[opaqueSource(c), c.source], ...(c.peaks ? [[`peaks:${c.tag}`, c.peaks.source]] : []), ...(c.analysis ? [[`analysis:${c.tag}`, c.analysis.source]] : [])])]);
  return mapDocs(answer, (sent) => {
    const doc = swapStrings(sent, swap);
    doc.clips.forEach((clip, k) => { clip.system = item.clips[k].system; });
    return doc;
  });
}

/** A stored comparison document as the page may see it again (reopening): systems back to tokens. */
export function blindDocument(doc, item, secret) {
  // A document that is not this item's is not given back: it would name its systems.
  // Its systems must be the item's in the same places too: relabelled by position, another order would swap the clips' tokens.
  if (doc?.format !== 'avseg-comparison' || !Array.isArray(doc.clips) || doc.clips.length !== item.clips.length) return null;
  if (doc.clips.some((c, k) => c?.system !== item.clips[k].system)) return null;
  const tokens = blindTokens(secret, item);
  const ids = taskIds(item);
  const swap = new Map([[ids.real, ids.shown], ...item.clips.flatMap((c) => [[c.source, opaqueSource(c)], ...(c.peaks ? [[c.peaks.source, `peaks:${c.tag}`]] : []), ...(c.analysis ? [[c.analysis.source, `analysis:${c.tag}`]] : [])])]);
  const copy = swapStrings(doc, swap);
  copy.clips.forEach((clip, k) => { clip.system = tokens[k]; });
  return copy;
}
