// SPDX-License-Identifier: MIT
// The AWS sample's top-level answer keys (doc/ground-truth.md, "AWS sample compatibility"): with
// the label config's "x-aws-sample" option, the answer carries, beside `annotations`, the keys the
// sample's named inputs put at the answer's top level, with the sample's values, so the sample's
// post-annotation Lambda and its consumers read them. Pure, except sampleInputs (the form's inputs).

/** The sample's value for an option: lower camel case ("Non-speech" → "non-speech", "Birds chirping" → "birdsChirping"). */
export function sampleValue(option) {
  const words = String(option).trim().split(/\s+/).filter(Boolean);
  return words.map((w, i) => (i === 0 ? w.toLowerCase() : w[0].toUpperCase() + w.slice(1).toLowerCase())).join('');
}

const KINDS = ['radio', 'checkboxes', 'text'];
const KIND_OF_TYPE = { choice: 'radio', rating: 'radio', boolean: 'radio', multi: 'checkboxes', text: 'text' };
const SOURCES = ['classification', 'segmentField', 'category'];

const fail = (key, reason) => {
  throw new Error(`"x-aws-sample"${key ? `.keys.${key}` : ''}: ${reason}`);
};

/**
 * The option read against the config: a list of {key, kind, source, name, field, values}, or null
 * when the option is absent or false. `true` maps every classification to the key of its name, the
 * segment field `emotion` (if declared) to `emotiontag` and the tracks' tags to `label`; an object
 * {"keys": {...}} adds to or replaces those (a key mapped to null is left out). Throws a message
 * naming the entry at fault.
 */
export function sampleMapping(config) {
  const option = config?.['x-aws-sample'];
  if (option === undefined || option === false || option === null) return null;
  if (option !== true && (typeof option !== 'object' || Array.isArray(option))) fail('', `must be true, false or {"keys": {...}}, got ${JSON.stringify(option)}`);
  if (option !== true) for (const k of Object.keys(option)) if (k !== 'keys') fail('', `unknown key "${k}" (expected "keys")`);
  const classifications = new Map((config.classifications ?? []).map((f) => [f.name, f]));
  const segmentFields = new Map((config.segmentFields ?? []).map((f) => [f.name, f]));
  const categories = Array.isArray(config.categories) ? config.categories.map((c) => c.name) : Object.keys(config.categories ?? {});
  const entries = {};
  for (const f of classifications.values()) entries[f.name] = { classification: f.name };
  if (segmentFields.get('emotion')) entries.emotiontag = { segmentField: 'emotion' };
  if (categories.length) entries.label = { category: '*' };
  const given = option === true ? {} : option.keys ?? {};
  if (!given || typeof given !== 'object' || Array.isArray(given)) fail('', '"keys" must be an object of sample key → source');
  Object.assign(entries, given);

  const mapping = [];
  for (const [key, entry] of Object.entries(entries)) {
    if (entry === null) continue;
    if (key === 'annotations' || !/^[A-Za-z_][A-Za-z0-9_.-]*$/.test(key)) fail(key, 'is not a usable input name (a letter or _, then letters, digits, _ . -; not "annotations")');
    if (!entry || typeof entry !== 'object' || Array.isArray(entry)) fail(key, `must be an object naming its source, or null, got ${JSON.stringify(entry)}`);
    for (const k of Object.keys(entry)) if (![...SOURCES, 'as', 'values'].includes(k)) fail(key, `unknown key "${k}" (expected one of ${[...SOURCES, 'as', 'values'].join(', ')})`);
    const sources = SOURCES.filter((s) => entry[s] !== undefined);
    if (sources.length !== 1) fail(key, `must name exactly one of ${SOURCES.join(', ')}`);
    const source = sources[0];
    const name = entry[source];
    let field = null;
    if (source === 'classification') field = classifications.get(name);
    if (source === 'segmentField') field = segmentFields.get(name);
    if (source !== 'category' && !field) fail(key, `names ${source} "${name}", which the config does not declare`);
    if (source === 'category' && name !== '*' && !categories.includes(name)) fail(key, `names category "${name}", which the config does not declare (or "*" for all)`);
    const kind = entry.as ?? (source === 'classification' ? KIND_OF_TYPE[field.type] : 'text');
    if (!KINDS.includes(kind)) fail(key, `"as" must be one of ${KINDS.join(', ')}, got ${JSON.stringify(kind)}`);
    if (source !== 'classification' && kind !== 'text') fail(key, `a ${source} gives text only ("as": "text")`);
    if (kind === 'checkboxes' && field?.type !== 'multi' && field?.type !== 'choice') fail(key, `"checkboxes" needs a choice or multi field, "${name}" is ${field?.type}`);
    const values = entry.values ?? {};
    if (typeof values !== 'object' || Array.isArray(values) || Object.values(values).some((v) => typeof v !== 'string' || !v)) fail(key, '"values" must map answers to non-empty strings');
    mapping.push({ key, kind, source, name, field, values });
  }
  return mapping;
}

function valueOf(answer, values) {
  if (answer === true) return values.true ?? 'yes';
  if (answer === false) return values.false ?? 'no';
  const text = String(answer);
  return Object.hasOwn(values, text) ? values[text] : typeof answer === 'number' ? text : sampleValue(text);
}

/** The distinct values, in time order, of a segment field or of the tracks' tags (of one category, or all). */
function segmentValues(doc, { source, name }) {
  const tracks = new Map((doc.tracks ?? []).map((t) => [t.id, t]));
  const out = [];
  for (const s of [...(doc.segments ?? [])].sort((a, b) => a.start - b.start || a.end - b.end)) {
    const track = tracks.get(s.track);
    if (!track) continue;
    let v;
    if (source === 'category') v = name === '*' || track.category === name ? track.tag : undefined;
    else v = s.fields?.[name];
    for (const one of Array.isArray(v) ? v : [v]) if (one !== undefined && one !== null && one !== '' && !out.includes(one)) out.push(one);
  }
  return out;
}

/**
 * The top-level keys for an answer, as crowd-form would serialise the sample's inputs: a radio
 * group as {"value": true} (absent when unanswered), checkboxes as {"value": bool} for every
 * option, text as a string. Segment values are joined with ", ".
 */
export function sampleAnswerKeys(doc, mapping) {
  const out = {};
  for (const m of mapping ?? []) {
    if (m.source !== 'classification') {
      out[m.key] = segmentValues(doc, m).map((v) => valueOf(v, m.values)).join(', ');
      continue;
    }
    const answer = doc.classifications?.[m.name];
    if (m.kind === 'text') {
      out[m.key] = answer === undefined || answer === null ? '' : Array.isArray(answer) ? answer.map((v) => valueOf(v, m.values)).join(', ') : typeof answer === 'string' ? answer : valueOf(answer, m.values);
    } else if (m.kind === 'checkboxes') {
      const chosen = new Set(Array.isArray(answer) ? answer : answer === undefined || answer === null ? [] : [answer]);
      out[m.key] = Object.fromEntries(m.field.options.map((o) => [valueOf(o, m.values), chosen.has(o)]));
    } else if (answer !== undefined && answer !== null) {
      out[m.key] = { [valueOf(answer, m.values)]: true };
    }
  }
  return out;
}

/**
 * Puts the keys in the form as named inputs crowd-form submits (replacing those it put before):
 * a checked radio button for a radio group, a checkbox per option, a hidden input for text.
 */
export function sampleInputs(form, keys) {
  const doc = form.ownerDocument;
  let box = form.querySelector(':scope > [data-avseg-sample-inputs]');
  if (!box) {
    box = doc.createElement('div');
    box.hidden = true;
    box.dataset.avsegSampleInputs = '';
    form.append(box);
  }
  box.replaceChildren();
  const input = (type, name, value, checked) => {
    const el = doc.createElement('input');
    el.type = type;
    el.name = name;
    el.value = value;
    if (checked !== undefined) el.checked = checked;
    box.append(el);
  };
  for (const [key, value] of Object.entries(keys)) {
    if (typeof value === 'string') input('hidden', key, value);
    else if (Object.values(value).every((v) => v === true) && Object.keys(value).length === 1) input('radio', key, Object.keys(value)[0], true);
    else for (const [option, checked] of Object.entries(value)) input('checkbox', key, option, checked);
  }
}
