// SPDX-License-Identifier: MIT
// Text reaches the wasm model only if it is well-formed UTF-16. embind converts a string to
// UTF-8 by pairing a lone surrogate with whatever character follows it, so "A\ud800B" would be
// stored as "A𐁂": other text than the annotator or the host gave. Such text is refused, naming
// where it is, through the model's own refusal path (a failed result, or an Error with a code).

// JSON.stringify writes a lone surrogate as an escape, which the model would read back as one.
const SURROGATE_ESCAPE = /\\u[dD][89a-fA-F][0-9a-fA-F]{2}/;

/** Locations as the core spells them: `a.b`, `a["b c"]`, `a[2]`. */
const member = (path, key) => (/^[A-Za-z_][A-Za-z0-9_-]*$/.test(key) ? (path ? `${path}.${key}` : key) : `${path}[${JSON.stringify(key.toWellFormed())}]`);

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

const refusal = (where, text) => `${where} is not well-formed Unicode text (${unpaired(text)}): refused, as it could not be stored unchanged`;

/**
 * Why the first string or key of a JSON value that is not well-formed is refused, or ''.
 * `where` is the value's path; `what` names it when the path is empty.
 */
export function illFormedIn(value, where = '', what = 'the text') {
  const stack = [[value, where]];
  while (stack.length) {
    const [v, at] = stack.pop();
    if (typeof v === 'string') {
      if (!v.isWellFormed()) return refusal(at || what, v);
    } else if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push([v[i], `${at}[${i}]`]);
    } else if (v && typeof v === 'object') {
      const keys = Object.keys(v);
      for (const key of keys) if (!key.isWellFormed()) return refusal(`a key of ${at || what} (${JSON.stringify(key.toWellFormed())})`, key);
      for (let i = keys.length - 1; i >= 0; i--) stack.push([v[keys[i]], member(at, keys[i])]);
    }
  }
  return '';
}

/** The same for JSON text: its strings, escaped or not, located by path under `where`. */
export function illFormedJson(text, where = '', what = 'the text') {
  if (text.isWellFormed() && !SURROGATE_ESCAPE.test(text)) return '';
  let value;
  try {
    value = JSON.parse(text);
  } catch {
    // Not JSON: the model refuses it as such, unless the conversion would change it first.
    return text.isWellFormed() ? '' : refusal(what, text);
  }
  return illFormedIn(value, where, what);
}

// The model's methods that take text, argument by argument: a name for plain text, {json} for
// JSON text whose strings are checked where they sit (a path, or one made from the arguments).
const json = (where, what) => ({ json: where, what });
const TEXT_ARGUMENTS = {
  setConfig: [json('', 'the label config')],
  load: [json('', 'the document')],
  setMedia: [json('media', 'the media'), 'the task id'],
  segment: ['the segment id'],
  nextOnTrack: ['the segment id'],
  addTrack: ['the category', 'the tag'],
  renameTrack: ['the track id', 'the tag'],
  removeTrack: ['the track id'],
  addSegment: ['the track id', null, null, json('fields', 'the fields')],
  setBounds: ['the segment id'],
  moveSegment: ['the segment id', null, 'the track id'],
  placeSegment: ['the segment id', 'the track id'],
  splitSegment: ['the segment id'],
  mergeSegments: ['the segment id', 'the segment id'],
  removeSegment: ['the segment id'],
  setField: ['the segment id', 'the field name', json((args) => member('fields', String(args[1]).toWellFormed()), 'the value')],
  setClassification: ['the classification name', json((args) => member('classifications', String(args[0]).toWellFormed()), 'the value')],
};
// Methods that answer {ok, code, message, reason, id}: refused the same way. The others throw.
// (Literal codes: this file ships alone in the pre-annotation Lambda.)
const RESULT_CODES = {
  setConfig: 'invalid-config', load: 'invalid-document', addTrack: 'invalid-value', renameTrack: 'invalid-value',
  removeTrack: 'invalid-value', addSegment: 'invalid-value', setBounds: 'invalid-value', moveSegment: 'invalid-value', placeSegment: 'invalid-value',
  splitSegment: 'invalid-value', mergeSegments: 'invalid-value', removeSegment: 'invalid-value', setField: 'invalid-value',
  setClassification: 'invalid-value',
};

function problemOf(spec, args) {
  for (let i = 0; i < spec.length; i++) {
    const arg = args[i];
    if (!spec[i] || typeof arg !== 'string') continue;
    const problem = typeof spec[i] === 'string'
      ? (arg.isWellFormed() ? '' : refusal(spec[i], arg))
      : illFormedJson(arg, typeof spec[i].json === 'function' ? spec[i].json(args) : spec[i].json, spec[i].what);
    if (problem) return problem;
  }
  return '';
}

/** The wasm `Annotations` object, refusing text it would change. */
export function guardModel(model) {
  const methods = new Map();
  return new Proxy(model, {
    get(target, name) {
      const value = target[name];
      if (typeof value !== 'function') return value;
      if (!methods.has(name)) {
        const spec = TEXT_ARGUMENTS[name];
        methods.set(name, !spec ? value.bind(target) : (...args) => {
          const problem = problemOf(spec, args);
          if (!problem) return value.apply(target, args);
          const code = RESULT_CODES[name];
          if (code) return { ok: false, code, message: problem, reason: problem, id: '' };
          throw Object.assign(new Error(problem), { code: 'invalid-value' });
        });
      }
      return methods.get(name);
    },
  });
}
