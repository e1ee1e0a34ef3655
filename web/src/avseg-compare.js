// SPDX-License-Identifier: MIT
// The <avseg-compare> facade: 2-4 clips of one prompt, one <avseg-editor> each on a shared time axis in the blind order, one transport, the ratings and judgement panel, the comparison document.
import { orderSeed, shuffledOrder } from './blind-order.js';
import { buildComparison, comparisonSettings, validateComparison } from './comparison-doc.js';
import { checkRestorable, panelValueOf } from './compare-restore.js';
import { ComparePanel, adoptPanelStyles } from './compare-panel.js';
import { ViewSync } from './compare-sync.js';
import { CompareTransport } from './compare-transport.js';
import { DraftWriter, loadDraft, stableUrl } from './autosave.js';
import { ErrorCode } from './error-codes.js';
// Importing this module defines <avseg-compare> and the <avseg-editor> it is made of.
import './avseg.js';

const LABELS = ['A', 'B', 'C', 'D'];

const css = `
:host { display: block; font: 13px/1.3 system-ui, sans-serif; color: #1d2633; }
.transport { display: flex; flex-wrap: wrap; align-items: center; gap: 6px; padding: 6px 0; position: sticky; top: 0; background: #fff; z-index: 2; }
.transport button { font: inherit; min-width: 2.2em; padding: 3px 8px; }
.transport .hear[aria-pressed="true"] { background: #2f6fb3; color: #fff; }
.transport .time { font-variant-numeric: tabular-nums; margin-left: 6px; }
.clip { border-left: 4px solid transparent; padding-left: 6px; margin: 6px 0; }
.clip.heard { border-left-color: #2f6fb3; }
.clip h2 { margin: 0 0 2px; font-size: 14px; display: flex; gap: 8px; align-items: baseline; }
.clip .system { font-weight: normal; color: #4a5566; }
avseg-editor { display: block; }
.error { color: #8a1c1c; }
`;

// A constructed sheet (a strict style-src refuses a <style> element) applies only in its own document: one per document.
const sheets = new WeakMap();
function adoptCompareStyles(root) {
  const doc = root.ownerDocument;
  let sheet = sheets.get(doc);
  if (!sheet) {
    sheet = new doc.defaultView.CSSStyleSheet();
    sheet.replaceSync(css);
    sheets.set(doc, sheet);
  }
  root.adoptedStyleSheets = [...root.adoptedStyleSheets, sheet];
}

/** The key a comparison's draft is kept under: its task and annotator. */
export function compareDraftKey(taskId, annotator) {
  return `avseg-compare\u0000${taskId}\u0000${annotator ?? ''}`;
}

export class AvsegCompare extends HTMLElement {
  static observedAttributes = ['config'];

  #root;
  #parts = {};
  #clips = [];            // manifest order: {src, system, peaks, analysis, source}
  #forced = null;         // {seed, order} of a document being restored in its own order
  #order = [];            // order[k] = manifest index shown at k
  #seed = '';
  #prompt = null;
  #taskId = '';
  #editors = [];          // shown order
  #panel = null;
  #sync = new ViewSync();
  #transport;
  #config = null;
  #openedAt = null;
  #draft = null;
  #loading = 0;           // the setClips call in progress; an older one's results are dropped
  #frameTimer = 0;

  constructor() {
    super();
    this.#root = this.attachShadow({ mode: 'open' });
    this.#root.innerHTML = `<div class="transport" part="transport" role="toolbar" aria-label="Comparison transport">
  <button class="play" type="button" aria-label="Play all" title="Play / pause every clip (Space)" disabled>▶</button>
  <span class="hears" role="group" aria-label="Heard clip (keys 1-4)"></span>
  <button class="loop" type="button" title="Loop the shown span on each clip in turn" disabled>Loop view</button>
  <span class="time" aria-live="off"></span>
  <span class="status error" role="alert"></span>
</div>
<div class="clips" part="clips"></div>
<div class="panel" part="panel"></div>`;
    adoptCompareStyles(this.#root);
    adoptPanelStyles(this.#root);
    const q = (s) => this.#root.querySelector(s);
    this.#parts = { play: q('.play'), hears: q('.hears'), loop: q('.loop'), time: q('.time'), status: q('.status'), clips: q('.clips'), panel: q('.panel') };
    this.#transport = new CompareTransport({
      switched: (detail) => this.#emit('switch', detail),
      changed: () => this.#showTransport(),
    });
    this.#wire();
  }

  // ---- attributes ----

  /** The label config (doc/label-config.md, with its "comparison" key); the attribute holds it as JSON. */
  get config() { return this.#config ?? this.#parseConfig(this.getAttribute('config')); }
  set config(value) { this.#config = typeof value === 'string' ? this.#parseConfig(value) : value; }
  get annotator() { return this.getAttribute('annotator') ?? ''; }
  set annotator(v) { this.setAttribute('annotator', v); }
  get taskId() { return this.#taskId || (this.getAttribute('task-id') ?? ''); }
  /** False only with blind="false" or a config saying "blind": false: then the systems are named. */
  get blind() {
    return this.getAttribute('blind') !== 'false' && comparisonSettings(this.config, 2).blind;
  }

  attributeChangedCallback(name, old, value) {
    if (name === 'config' && old !== value) this.#config = null;
  }

  // ---- state ----

  /** The shown position heard (0 = A). */
  get active() { return this.#transport.active; }
  /** order[k]: the manifest index of the clip shown at position k. */
  get order() { return this.#order.slice(); }
  get seed() { return this.#seed; }
  /** The <avseg-editor> of each shown position. */
  get editors() { return this.#editors.slice(); }
  get playing() { return this.#transport.playing; }
  get currentTime() { return this.#transport.currentTime; }
  set currentTime(t) { this.#transport.seek(t); }
  get view() { return this.#editors[0]?.view ?? { start: 0, end: 1 }; }
  set view(v) { this.#sync.set(v); }
  /** The panel's value as set (by shown position). */
  get panelValue() { return this.#panel?.value() ?? null; }

  // ---- methods ----

  /**
   * Shows `clips` ([{src, system, peaks?, analysis?}], manifest order, 2 to 4) in the blind order of this
   * annotator and task; resolves once every clip is ready (and a kept draft is back).
   */
  async setClips(clips, { prompt = null, taskId } = {}) {
    if (!Array.isArray(clips) || clips.length < 2 || clips.length > 4) throw new RangeError(`a comparison shows 2 to 4 clips (got ${clips?.length})`);
    const systems = clips.map((c) => c?.system);
    if (systems.some((s) => typeof s !== 'string' || !s) || new Set(systems).size !== systems.length) throw new TypeError('each clip needs a distinct "system"');
    if (clips.some((c) => typeof c.src !== 'string' || !c.src)) throw new TypeError('each clip needs a "src"');
    const load = ++this.#loading;
    this.#teardown();
    this.#clips = clips.map(({ src, system, peaks, analysis, source }) => ({ src, system, peaks, analysis, source }));
    this.#prompt = prompt;
    this.#taskId = taskId ?? this.getAttribute('task-id') ?? '';
    const forced = this.#forced;
    this.#seed = forced?.seed ?? (this.getAttribute('seed') || await orderSeed(this.annotator, this.#taskId));
    if (load !== this.#loading) return;
    this.#order = forced?.order.slice() ?? shuffledOrder(clips.length, this.#seed);
    this.#openedAt = new Date().toISOString();
    const options = comparisonSettings(this.config, clips.length);
    try {
      await this.#buildClips(load);
      if (load !== this.#loading) return;
      this.#panel = new ComparePanel(this.#parts.panel, { ...options, labels: LABELS.slice(0, clips.length), order: this.#order });
      this.#panel.onchange = () => this.#changed('panel');
      this.#draft = new DraftWriter(compareDraftKey(this.#taskId, this.annotator), (err) => this.#emit('error', { code: ErrorCode.AutosaveFailed, message: `the comparison's draft could not be saved: ${err.message}`, fatal: false }));
      this.#transport.attach(this.#editors);
      await this.#restoreDraft();
    } catch (err) {
      this.#parts.status.textContent = err.message;
      if (!err.reported) this.#emit('error', { code: err.code ?? ErrorCode.LoadFailed, message: err.message, fatal: true });
      throw err;
    }
    this.#sync.attach(this.#editors);
    this.#sync.set(this.#editors[0].view);
    for (const b of [this.#parts.play, this.#parts.loop, ...this.#parts.hears.children]) b.disabled = false;
    this.#showTransport();
    this.#emit('ready', { order: this.order, seed: this.#seed });
  }

  switchTo(position) { return this.#transport.switchTo(position); }
  playAll() { return this.#transport.play(); }
  play() { return this.#transport.play(); }
  pause() { this.#transport.pause(); }
  /** Plays [start, end] seconds on each clip in turn (A, B, A, B ...) until paused. */
  loop(start, end) { return this.#transport.loop(start, end); }
  /** Steps the heard clip's picture by `delta` frames; every other clip shows the frame at that time. */
  stepFrame(delta) { this.#transport.stepFrame(delta); }
  zoomTo(start, end) { this.#sync.set({ start, end }); }

  /** The comparison document (doc/comparison-format.md), always current. */
  getComparison() {
    const value = this.#panel?.value() ?? { ratings: [], judgement: null };
    const shownOf = (m) => this.#order.indexOf(m);
    const t = this.#transport;
    return buildComparison({
      prompt: this.#prompt,
      taskId: this.#taskId,
      annotator: this.annotator,
      blind: this.blind,
      seed: this.#seed,
      order: this.order,
      clips: this.#clips.map((clip, m) => ({
        system: clip.system,
        source: clip.source ?? clip.src,
        annotation: this.#editors[shownOf(m)]?.value ?? null,
        heardMs: Math.round(t.heardMs[shownOf(m)] ?? 0),
      })),
      panel: value,
      timings: { openedAt: this.#openedAt, submittedAt: new Date().toISOString(), switches: t.switches, loops: t.loops },
    });
  }

  /**
   * Puts an earlier answer back: `doc` is a comparison document v1 of these clips (matched by
   * system and source, manifest order). Each clip's marks go into its editor, the ratings, the
   * judgement and its reason into the panel, and the clips are shown in the document's order with
   * its seed (reopened, a task shows the order it was answered in). A document of other clips, or
   * one the config cannot show, rejects with an error naming what differs, and nothing changes.
   */
  async restore(doc) {
    if (!this.#editors.length || !this.#panel) throw new Error('restore: no clips are shown yet (await setClips first)');
    const wanted = checkRestorable(doc, {
      clips: this.#clips.map((c) => ({ system: c.system, sources: [c.source, c.src].filter(Boolean) })),
      settings: comparisonSettings(this.config, this.#clips.length),
    });
    if (JSON.stringify(wanted.order) !== JSON.stringify(this.#order)) {
      // Another order than the one drawn now: the clips are laid out again in the document's.
      this.#forced = { seed: wanted.seed, order: wanted.order };
      try {
        await this.setClips(this.#clips, { prompt: this.#prompt, taskId: this.#taskId });
      } finally {
        this.#forced = null;
      }
    }
    this.#seed = wanted.seed;
    // Every clip's marks or none: a document one editor refuses leaves all of them as they were.
    const before = this.#editors.map((e) => e.value);
    const refused = [];
    const refuse = (k) => (e) => { refused.push(`clip ${LABELS[k]}: ${e.detail?.message}`); e.stopImmediatePropagation(); };
    const listeners = this.#editors.map((editor, k) => {
      const fn = refuse(k);
      editor.addEventListener('error', fn, { capture: true });
      return fn;
    });
    try {
      for (const [k, editor] of this.#editors.entries()) {
        const annotation = doc.clips[this.#order[k]].annotation;
        if (annotation) editor.value = annotation;
        if (refused.length) break;
      }
      if (refused.length) for (const [k, editor] of this.#editors.entries()) editor.value = before[k];
    } finally {
      for (const [k, editor] of this.#editors.entries()) editor.removeEventListener('error', listeners[k], { capture: true });
    }
    if (refused.length) throw new Error(`restore: the answer's marks could not be loaded (${refused.join('; ')}); nothing was changed`);
    this.#panel.restore(panelValueOf(doc, this.#order));
    this.#changed('restore');
  }

  /** What blocks submitting: [{path, message}] (manifest order), empty when complete. */
  problems() {
    // Each clip's own required answers as its editor (the core) finds them, by manifest index.
    const clipProblems = this.#clips.map((_, m) => this.#editors[this.#order.indexOf(m)]?.validate().map((p) => ({
      path: p.segment != null ? `segments.${p.segment}${p.field ? `.${p.field}` : ''}` : p.field ? `fields.${p.field}` : '',
      message: p.message,
    })));
    return validateComparison(this.getComparison(), this.config, { clipProblems });
  }

  /**
   * Shows the problems beside their controls and moves focus to the first: a clip's marks focus
   * its editor, the panel's focus their control. Returns the problems.
   */
  focusFirstProblem(problems = this.problems()) {
    const clip = problems.map((p) => /^clips\[(\d+)\]\.annotation/.exec(p.path)).find(Boolean);
    const panelHas = this.#panel?.focusFirstProblem(problems);
    if (!panelHas && clip) this.#editors[this.#order.indexOf(Number(clip[1]))]?.focus();
    return problems;
  }

  /** Resolves once the comparison's draft and every clip's are saved. */
  async flushDraft() {
    await Promise.all([this.#draft?.flush(), ...this.#editors.map((e) => e.flushDraft())]);
  }

  /** Deletes the drafts (the answer was accepted). */
  async forgetDraft() {
    await Promise.all([this.#draft?.delete(), ...this.#editors.map((e) => e.forgetDraft())]);
  }

  disconnectedCallback() {
    this.#transport.pause();
  }

  // ---- inside ----

  async #buildClips(load) {
    const { clips, hears } = this.#parts;
    const blind = this.blind;
    const editorConfig = { ...(this.config ?? {}) };
    delete editorConfig.comparison;
    const ready = [];
    this.#editors = this.#order.map((m, k) => {
      const clip = this.#clips[m];
      const section = document.createElement('section');
      section.className = 'clip';
      section.dataset.position = String(k);
      const h = document.createElement('h2');
      h.id = `clip-${k}`;
      h.textContent = `Clip ${LABELS[k]}`;
      if (!blind) {
        // <bdi>: a name with U+202E etc. cannot reorder the heading's "Clip A".
        const sys = document.createElement('bdi');
        sys.className = 'system';
        sys.textContent = clip.system;
        h.append(' ', sys);
      }
      const editor = document.createElement('avseg-editor');
      editor.setAttribute('aria-labelledby', h.id);
      if (clip.peaks) editor.setAttribute('peaks', clip.peaks);
      if (clip.analysis) editor.setAttribute('analysis', clip.analysis);
      editor.config = editorConfig;
      editor.taskId = this.#taskId;
      // Drafts follow the media (a reordered manifest keeps them); the same media twice (an identical
      // pair) keeps each clip's own marks by its occurrence.
      const again = this.#clips.slice(0, m).filter((c) => stableUrl(c.src) === stableUrl(clip.src)).length;
      editor.draftScope = again ? `avseg-compare:${this.annotator}:${again}` : `avseg-compare:${this.annotator}`;
      editor.muted = k !== 0;
      ready.push(new Promise((resolve, reject) => {
        editor.addEventListener('ready', resolve, { once: true });
        // A clip's error is the comparison's, named by the clip's label (its system may be hidden).
        editor.addEventListener('error', (e) => {
          const message = `clip ${LABELS[k]}: ${e.detail.message}`;
          this.#emit('error', { ...e.detail, message, position: k });
          if (e.detail.fatal) reject(Object.assign(new Error(message), { code: e.detail.code, reported: true }));
        });
      }));
      section.append(h, editor);
      clips.append(section);
      const b = document.createElement('button');
      b.type = 'button';
      b.className = 'hear';
      b.textContent = LABELS[k];
      b.title = `Hear clip ${LABELS[k]} (${k + 1})`;
      b.setAttribute('aria-pressed', String(k === 0));
      b.disabled = true;
      b.addEventListener('click', () => this.switchTo(k));
      hears.append(b);
      editor.src = clip.src;
      return editor;
    });
    for (const editor of this.#editors) {
      for (const type of ['ready', 'change', 'validity']) editor.addEventListener(type, (e) => e.stopPropagation());
      // One speed for the comparison: a clip at another rate drifts from the heard one (and a switch would play it at that rate).
      editor.shadowRoot.addEventListener('change', (e) => {
        if (e.target?.classList?.contains('rate')) this.#shareRate(Number(e.target.value), editor);
      });
      editor.addEventListener('change', () => this.#changed('clip'));
    }
    await Promise.all(ready);
    if (load !== this.#loading) return;
  }

  async #restoreDraft() {
    const record = await loadDraft(compareDraftKey(this.#taskId, this.annotator)).catch(() => undefined);
    if (!record?.text) return;
    try {
      const saved = JSON.parse(record.text);
      if (JSON.stringify(saved.order) !== JSON.stringify(this.#order)) return;
      // Ratings and judgement are by shown position: kept for other clips (a manifest reordered under the same id) they would land on the wrong ones.
      if (JSON.stringify(saved.systems) !== JSON.stringify(this.#clips.map((c) => c.system))) return;
      this.#panel.restore(saved.panel);
      const t = this.#transport;
      t.switches = saved.switches ?? 0;
      t.loops = saved.loops ?? 0;
      if (Array.isArray(saved.heardMs) && saved.heardMs.length === t.heardMs.length) t.heardMs = saved.heardMs.slice();
      if (saved.openedAt) this.#openedAt = saved.openedAt;
    } catch { /* a draft that does not parse is left; the editors' own drafts hold the marks */ }
  }

  #sharingRate = false;

  /** Every clip to `rate` (the speed box of `from` changed). */
  #shareRate(rate, from) {
    if (this.#sharingRate) return;
    this.#sharingRate = true;
    try {
      for (const editor of this.#editors) if (editor !== from) editor.playbackRate = rate;
    } finally {
      this.#sharingRate = false;
    }
  }

  #changed(source) {
    this.#draft?.save(() => JSON.stringify({
      order: this.#order, systems: this.#clips.map((c) => c.system), panel: this.#panel?.value(), switches: this.#transport.switches, loops: this.#transport.loops,
      heardMs: this.#transport.heardMs, openedAt: this.#openedAt,
    }));
    this.#emit('change', { source });
  }

  #teardown() {
    this.#transport.detach();
    this.#sync.detach();
    this.#editors = [];
    this.#panel = null;
    this.#parts.clips.replaceChildren();
    this.#parts.hears.replaceChildren();
    this.#parts.panel.replaceChildren();
    this.#parts.status.textContent = '';
  }

  #showTransport() {
    const { play, hears, time } = this.#parts;
    const t = this.#transport;
    play.textContent = t.playing ? '❚❚' : '▶';
    play.setAttribute('aria-label', t.playing ? 'Pause all' : 'Play all');
    for (const [k, b] of [...hears.children].entries()) b.setAttribute('aria-pressed', String(k === t.active));
    for (const section of this.#parts.clips.children) section.classList.toggle('heard', Number(section.dataset.position) === t.active);
    time.textContent = `${LABELS[t.active] ?? ''} ${t.currentTime.toFixed(3)} s`;
    clearTimeout(this.#frameTimer);
    if (t.playing) this.#frameTimer = setTimeout(() => this.#showTransport(), 250);
  }

  #wire() {
    const { play, loop } = this.#parts;
    play.addEventListener('click', () => this.#transport.toggle());
    loop.addEventListener('click', () => {
      const v = this.view;
      if (this.#transport.looping) this.pause();
      else this.loop(Math.max(0, v.start), v.end);
    });
    // Capture: before an editor acts on the key itself (Space would play only that clip).
    this.#root.addEventListener('keydown', (e) => this.#key(e), true);
    this.addEventListener('keydown', (e) => { if (e.composedPath()[0] === this) this.#key(e); });
    // An editor's own play button plays every clip.
    this.#root.addEventListener('click', (e) => {
      const target = e.composedPath()[0];
      if (target?.classList?.contains('play') && this.#editors.includes(target.getRootNode().host)) {
        e.stopPropagation();
        this.#transport.toggle();
      }
    }, true);
  }

  #key(e) {
    if (!this.#editors.length || e.ctrlKey || e.metaKey || e.altKey) return;
    const target = e.composedPath()[0];
    const onEditor = this.#editors.includes(target) || target === this;
    const typing = target?.localName === 'textarea' || target?.localName === 'select' || (target?.localName === 'input' && target.type !== 'radio' && target.type !== 'checkbox');
    if (typing) return;
    const n = Number(e.key);
    if (/^[1-4]$/.test(e.key) && n <= this.#editors.length && !e.shiftKey) {
      this.switchTo(n - 1);
    } else if (e.key === ' ' && onEditor) {
      this.#transport.toggle();
    } else if ((e.key === 'ArrowLeft' || e.key === 'ArrowRight') && e.shiftKey && onEditor && this.#editors[this.active]?.frames) {
      this.stepFrame(e.key === 'ArrowLeft' ? -1 : 1);
    } else return;
    e.preventDefault();
    e.stopPropagation();
  }

  #parseConfig(text) {
    if (!text) return null;
    try {
      return JSON.parse(text);
    } catch (err) {
      this.#emit('error', { code: ErrorCode.InvalidConfig, message: `the config attribute is not JSON: ${err.message}`, fatal: false });
      return null;
    }
  }

  #emit(type, detail) {
    const outward = type !== 'error';
    this.dispatchEvent(new CustomEvent(type, { detail, bubbles: outward, composed: outward }));
  }
}

if (!customElements.get('avseg-compare')) customElements.define('avseg-compare', AvsegCompare);
