// SPDX-License-Identifier: MIT
// The comparison's ratings and judgement panel: per shown clip a radio group for each criterion, the
// overall judgement (CMOS -3..+3 for two clips, a ranking with ties for more) and the reason, built
// with the DOM (config text is set as text, never parsed as markup), with each problem beside its control.

// ITU-T P.800 ACR labels for a 1-5 scale; other scales are numbered only, and one of more than
// MAX_RADIOS points (a 0-100 scale) is a number box rather than a row of radios.
const MAX_RADIOS = 11;
const ACR = { 1: 'Bad', 2: 'Poor', 3: 'Fair', 4: 'Good', 5: 'Excellent' };
// ITU-T P.800 CCR labels, the second shown clip compared with the first.
const CCR = { '-3': 'Much worse', '-2': 'Worse', '-1': 'Slightly worse', 0: 'About the same', 1: 'Slightly better', 2: 'Better', 3: 'Much better' };
const ORDINAL = ['1st (best)', '2nd', '3rd', '4th'];
// Keys a focused radio uses itself; a text box uses every key. Stopped here so that the
// comparison element (play, scroll) does not act on them too; digits 1-4 still reach it from radios.
const RADIO_KEYS = new Set(['ArrowLeft', 'ArrowRight', 'ArrowUp', 'ArrowDown', ' ']);

export const panelCss = `
.compare-panel { display: grid; gap: 8px; padding: 8px; font: 13px/1.3 system-ui, sans-serif; color: #1d2633; }
.compare-panel .clips { display: grid; grid-template-columns: repeat(auto-fit, minmax(min(100%, 260px), 1fr)); gap: 8px; }
.compare-panel .clip, .compare-panel .judgement { border: 1px solid #c9d1dc; border-radius: 4px; padding: 6px 8px; min-width: 0; }
.compare-panel h3 { margin: 0 0 6px; font-size: 13px; }
.compare-panel .note { margin: 0; color: #4a5566; font-size: 12px; }
.compare-panel .question { margin: 0 0 8px; }
.compare-panel .question-label { display: block; font-weight: 600; margin-bottom: 2px; }
.compare-panel .scale { display: flex; flex-wrap: wrap; gap: 2px 10px; }
.compare-panel .scale label { white-space: nowrap; cursor: pointer; }
.compare-panel .scale input:focus-visible { outline: 2px solid var(--avseg-accent, #2f6fb3); outline-offset: 1px; }
.compare-panel input[type="number"] { width: 8ch; font: inherit; }
.compare-panel .description { display: block; margin-bottom: 2px; }
.compare-panel textarea { width: 100%; min-height: 3em; box-sizing: border-box; font: inherit; }
.compare-panel textarea:focus-visible { outline: 2px solid var(--avseg-accent, #2f6fb3); }
.compare-panel .problem { display: block; color: #8a1c1c; font-size: 12px; }
.compare-panel [aria-invalid="true"] { border-left: 3px solid #8a1c1c; padding-left: 4px; }
`;

// A constructed sheet applies only in the document it was made for: one per document.
const sheets = new WeakMap();

/** Adds the panel's styles to a shadow root (or document), beside the sheets it already has. */
export function adoptPanelStyles(root) {
  const doc = root.ownerDocument ?? root;
  const Sheet = doc.defaultView?.CSSStyleSheet;
  if ('adoptedStyleSheets' in root && typeof Sheet === 'function' && 'replaceSync' in Sheet.prototype) {
    let sheet = sheets.get(doc);
    if (!sheet) {
      sheet = new Sheet();
      sheet.replaceSync(panelCss);
      sheets.set(doc, sheet);
    }
    if (!root.adoptedStyleSheets.includes(sheet)) root.adoptedStyleSheets = [...root.adoptedStyleSheets, sheet];
  } else if (!root.querySelector?.('style.compare-panel-style')) {
    const style = doc.createElement('style');
    style.className = 'compare-panel-style';
    style.textContent = panelCss;
    (root.head ?? root).append(style);
  }
}

let uid = 0;

/** The choices of a criterion's integer scale [lo, hi]: value and text. */
function scaleChoices([lo, hi]) {
  const five = lo === 1 && hi === 5;
  return Array.from({ length: hi - lo + 1 }, (_, i) => lo + i).map((v) => [v, five ? `${v} ${ACR[v]}` : String(v)]);
}

export class ComparePanel {
  /** @type {((value: object) => void) | null} */
  onchange = null;
  #root;
  #labels;
  #criteria;
  #type;
  #reasonMode;
  #order;
  #groups = new Map();   // control key -> {control, problem, focus()}
  #reason = null;

  /**
   * @param {HTMLElement} container
   * @param {{criteria?: {name: string, label?: string, scale?: [number, number], required?: boolean}[],
   *          judgement?: 'auto'|'preference'|'ranking', reason?: 'required'|'optional'|'none',
   *          labels: string[], order?: number[]}} options  order[k]: manifest index of the clip shown at k
   */
  constructor(container, { criteria = [], judgement = 'auto', reason = 'optional', labels, order } = {}) {
    if (!Array.isArray(labels) || labels.length < 2 || labels.length > 4) throw new Error('a comparison panel needs 2 to 4 clip labels');
    this.#labels = labels.map(String);
    this.#criteria = criteria.map((c) => ({ ...c, label: c.label ?? c.name, scale: c.scale ?? [1, 5] }));
    for (const { name, scale: [lo, hi] } of this.#criteria) {
      if (!Number.isInteger(lo) || !Number.isInteger(hi) || lo >= hi) throw new Error(`criterion "${name}": its scale must be two integers [low, high], low < high`);
    }
    if (!['auto', 'preference', 'ranking'].includes(judgement)) throw new Error(`judgement must be "auto", "preference" or "ranking", not ${JSON.stringify(judgement)}`);
    if (!['required', 'optional', 'none'].includes(reason)) throw new Error(`reason must be "required", "optional" or "none", not ${JSON.stringify(reason)}`);
    this.#type = judgement === 'auto' ? (labels.length === 2 ? 'preference' : 'ranking') : judgement;
    if (this.#type === 'preference' && labels.length !== 2) throw new Error('a preference (CMOS) judgement compares exactly 2 clips');
    this.#reasonMode = reason;
    this.order = order ?? labels.map((_, i) => i);
    this.#root = document.createElement('div');
    this.#root.className = 'compare-panel';
    this.#build();
    this.#root.addEventListener('change', () => this.onchange?.(this.value()));
    this.#root.addEventListener('input', (e) => { if (e.target === this.#reason) this.onchange?.(this.value()); });
    this.#root.addEventListener('keydown', (e) => {
      const t = e.composedPath()[0];
      if (t?.localName === 'textarea' || t?.type === 'number' || (t?.type === 'radio' && RADIO_KEYS.has(e.key))) e.stopPropagation();
    });
    container.append(this.#root);
  }

  /** The panel's root element. */
  get element() { return this.#root; }

  /** order[k] is the manifest index of the clip shown at position k (maps validateComparison's paths). */
  get order() { return this.#order; }
  set order(order) {
    if (!Array.isArray(order) || order.length !== this.#labels.length) throw new Error('order must map each shown position to a manifest index');
    this.#order = order.slice();
  }

  #build() {
    const root = this.#root;
    const note = document.createElement('p');
    note.className = 'note';
    note.textContent = 'Questions marked * are required.';
    const clips = document.createElement('div');
    clips.className = 'clips';
    if (this.#criteria.length) {
      this.#labels.forEach((label, k) => {
        const box = document.createElement('section');
        box.className = 'clip';
        const h = document.createElement('h3');
        h.id = `avseg-cmp-${++uid}`;
        h.textContent = `Clip ${label}`;
        box.setAttribute('aria-labelledby', h.id);
        box.append(h);
        for (const c of this.#criteria) {
          const key = `rating:${k}:${c.name}`;
          box.append(c.scale[1] - c.scale[0] + 1 > MAX_RADIOS ? this.#numberBox(key, c, h.id)
            : this.#radioGroup(key, c.label, c.required, scaleChoices(c.scale), h.id, 'rating', c.description));
        }
        clips.append(box);
      });
    }
    const j = document.createElement('section');
    j.className = 'judgement';
    const jh = document.createElement('h3');
    jh.id = `avseg-cmp-${++uid}`;
    jh.textContent = this.#type === 'preference' ? 'Overall preference' : 'Overall ranking';
    j.setAttribute('aria-labelledby', jh.id);
    j.append(jh);
    if (this.#type === 'preference') {
      const [a, b] = this.#labels;
      const choices = [-3, -2, -1, 0, 1, 2, 3].map((v) => [v, `${v > 0 ? '+' : v < 0 ? '−' : ''}${Math.abs(v)} ${CCR[v]}`]);
      j.append(this.#radioGroup('cmos', `${b} compared with ${a}`, true, choices, jh.id, 'cmos'));
    } else {
      const hint = document.createElement('p');
      hint.className = 'note';
      hint.textContent = 'Rank each clip, 1 = best; clips that are equally good share a rank.';
      j.append(hint);
      const k = this.#labels.length;
      const choices = Array.from({ length: k }, (_, i) => [i + 1, ORDINAL[i]]);
      this.#labels.forEach((label, p) => j.append(this.#radioGroup(`rank:${p}`, `Clip ${label}`, true, choices, jh.id, 'rank')));
    }
    if (this.#reasonMode !== 'none') j.append(this.#reasonBox());
    root.replaceChildren(note, clips, j);
  }

  /** A labelled group of native radios (arrow keys move within it), its problem beside it. */
  #radioGroup(key, text, required, choices, contextId, kind, description) {
    const id = `avseg-cmp-${++uid}`;
    const wrap = document.createElement('div');
    wrap.className = `question ${kind}`;
    const label = document.createElement('span');
    label.className = 'question-label';
    label.id = `${id}-label`;
    label.textContent = text;
    if (required) {
      const star = document.createElement('span');
      star.setAttribute('aria-hidden', 'true');
      star.textContent = ' *';
      label.append(star);
    }
    const group = document.createElement('div');
    group.className = 'scale control';
    group.setAttribute('role', 'radiogroup');
    group.setAttribute('aria-labelledby', `${contextId} ${label.id}`);
    if (required) group.setAttribute('aria-required', 'true');
    const problem = document.createElement('span');
    problem.className = 'problem';
    problem.id = `${id}-problem`;
    group.setAttribute('aria-describedby', problem.id);
    const about = this.#description(id, description, group);
    for (const [v, t] of choices) {
      const item = document.createElement('label');
      const input = document.createElement('input');
      input.type = 'radio';
      input.name = id;
      input.value = String(v);
      item.append(input, document.createTextNode(` ${t}`));
      group.append(item);
    }
    wrap.append(label, ...about, group, problem);
    const radios = () => [...group.querySelectorAll('input')];
    this.#groups.set(key, {
      control: group,
      problem,
      get: () => { const r = radios().find((x) => x.checked); return r ? Number(r.value) : null; },
      set: (v) => { for (const r of radios()) r.checked = v !== null && v !== undefined && r.value === String(v); },
      focus: () => (radios().find((x) => x.checked) ?? radios()[0]).focus(),
    });
    return wrap;
  }

  /** A criterion's description, shown under its label and read with its control. */
  #description(id, text, control) {
    if (!text) return [];
    const p = document.createElement('span');
    p.className = 'note description';
    p.id = `${id}-about`;
    p.textContent = text;
    control.setAttribute('aria-describedby', `${p.id} ${control.getAttribute('aria-describedby')}`);
    return [p];
  }

  /** A long integer scale (say 0-100): a number box with its bounds, up/down arrows step it. */
  #numberBox(key, c, contextId) {
    const id = `avseg-cmp-${++uid}`;
    const wrap = document.createElement('div');
    wrap.className = 'question rating';
    const label = document.createElement('span');
    label.className = 'question-label';
    label.id = `${id}-label`;
    label.textContent = `${c.label} (${c.scale[0]} to ${c.scale[1]})`;
    const input = document.createElement('input');
    input.type = 'number';
    input.className = 'control number';
    input.min = String(c.scale[0]);
    input.max = String(c.scale[1]);
    input.step = '1';
    input.setAttribute('aria-labelledby', `${contextId} ${label.id}`);
    if (c.required) {
      input.required = true;
      const star = document.createElement('span');
      star.setAttribute('aria-hidden', 'true');
      star.textContent = ' *';
      label.append(star);
    }
    const problem = document.createElement('span');
    problem.className = 'problem';
    problem.id = `${id}-problem`;
    input.setAttribute('aria-describedby', problem.id);
    const about = this.#description(id, c.description, input);
    wrap.append(label, ...about, input, problem);
    this.#groups.set(key, {
      control: input, problem,
      get: () => (input.value === '' || !Number.isFinite(Number(input.value)) ? null : Number(input.value)),
      set: (v) => { input.value = Number.isFinite(v) ? String(v) : ''; },
      focus: () => input.focus(),
    });
    return wrap;
  }

  #reasonBox() {
    const id = `avseg-cmp-${++uid}`;
    const wrap = document.createElement('div');
    wrap.className = 'question reason';
    const label = document.createElement('label');
    label.className = 'question-label';
    label.htmlFor = id;
    label.textContent = this.#reasonMode === 'required' ? 'Reason' : 'Reason (optional)';
    const area = document.createElement('textarea');
    area.id = id;
    area.className = 'control';
    if (this.#reasonMode === 'required') {
      area.required = true;
      const star = document.createElement('span');
      star.setAttribute('aria-hidden', 'true');
      star.textContent = ' *';
      label.append(star);
    }
    const problem = document.createElement('span');
    problem.className = 'problem';
    problem.id = `${id}-problem`;
    area.setAttribute('aria-describedby', problem.id);
    this.#reason = area;
    this.#groups.set('reason', {
      control: area, problem,
      get: () => (area.value === '' ? null : area.value),
      set: (v) => { area.value = typeof v === 'string' ? v : ''; },
      focus: () => area.focus(),
    });
    wrap.append(label, area, problem);
    return wrap;
  }

  /** The answers as set, by shown position. */
  value() {
    const get = (key) => this.#groups.get(key)?.get() ?? null;
    const ratings = this.#labels.map((_, k) => {
      const r = {};
      for (const c of this.#criteria) r[c.name] = get(`rating:${k}:${c.name}`);
      return r;
    });
    const judgement = { type: this.#type };
    if (this.#type === 'preference') judgement.shownCmos = get('cmos');
    else judgement.shownRanks = this.#labels.map((_, p) => get(`rank:${p}`));
    judgement.reason = this.#reasonMode === 'none' ? null : get('reason');
    return { ratings, judgement };
  }

  /** Puts a saved value (a draft) back; what it lacks is left unset. Fires no change. */
  restore(value) {
    for (const [key, g] of this.#groups) {
      let v = null;
      if (key.startsWith('rating:')) {
        const [, k, name] = key.match(/^rating:(\d+):(.*)$/);
        v = value?.ratings?.[k]?.[name];
      } else if (key === 'cmos') v = value?.judgement?.shownCmos;
      else if (key.startsWith('rank:')) v = value?.judgement?.shownRanks?.[Number(key.slice(5))];
      else if (key === 'reason') v = value?.judgement?.reason;
      g.set(v ?? null);
    }
  }

  /** The control a validateComparison path (manifest order) is about, or null if not the panel's. */
  #keyFor(path) {
    let m = /^clips\[(\d+)\]\.ratings\.(.+)$/.exec(path);
    if (m) {
      const k = this.#order.indexOf(Number(m[1]));
      return k >= 0 ? `rating:${k}:${m[2]}` : null;
    }
    if (/^judgement\.reason$/.test(path)) return 'reason';
    m = /^judgement\.ranks\[(\d+)\]$/.exec(path);
    if (m && this.#type === 'ranking') {
      const k = this.#order.indexOf(Number(m[1]));
      return k >= 0 ? `rank:${k}` : null;
    }
    if (/^judgement(\.(cmos|shownCmos|preferred|type|ranks|shownRanks))?$/.test(path)) {
      if (this.#type === 'preference') return 'cmos';
      const k = this.#labels.findIndex((_, p) => this.#groups.get(`rank:${p}`).get() === null);
      return `rank:${k >= 0 ? k : 0}`;
    }
    return null;
  }

  /**
   * Shows each problem that is the panel's beside its control (aria-invalid, aria-describedby) and
   * clears the others; returns the problems that are not the panel's (a clip's marks, for the host).
   */
  showProblems(problems = []) {
    const byKey = new Map();
    const rest = [];
    for (const p of problems) {
      const key = this.#keyFor(p.path);
      if (!key || !this.#groups.has(key)) rest.push(p);
      else if (!byKey.has(key)) byKey.set(key, p.message);
    }
    for (const [key, g] of this.#groups) {
      const message = byKey.get(key);
      g.problem.textContent = message ? `⚠ ${message}` : '';
      g.control.setAttribute('aria-invalid', message ? 'true' : 'false');
    }
    return rest;
  }

  /** Shows the problems and moves focus to the first of the panel's, in the panel's order; true if it did. */
  focusFirstProblem(problems = []) {
    this.showProblems(problems);
    for (const g of this.#groups.values()) {
      if (g.control.getAttribute('aria-invalid') === 'true') {
        g.control.scrollIntoView?.({ block: 'nearest' });
        g.focus();
        return true;
      }
    }
    return false;
  }
}
