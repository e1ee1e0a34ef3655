// SPDX-License-Identifier: MIT
// The panel beside the list: the whole file's classifications and the selected segment's times,
// actions and fields, with each field's problem as text. Edits go through the host's transaction.
import { check } from './model.js';
import { formatTime, parseTime } from './layout.js';
import { fieldEditor, showProblem } from './panel.js';
import { ErrorCode } from './error-codes.js';

/**
 * What the panel asks of the element.
 * @typedef {object} PanelHost
 * @property {() => import('./annotation-store.js').AnnotationStore | null} store
 * @property {() => string | null} selected  the selected segment's id
 * @property {(fn: (model: any) => any) => any} edit  one edit of the model (throws an Error with `code` when refused)
 * @property {(code: string, message: string) => void} report  a refused edit, said to the annotator and the host
 * @property {(t: number) => number} toFrameBoundary
 * @property {() => void} endTyping  closes the undo step a run of keystrokes makes
 * @property {(start: number, end: number, loop?: boolean) => void} playSpan
 * @property {(id: string) => void} remove  deletes a segment and selects none
 * @property {() => void} mergeWithNext  merges the selected segment with the next on its track
 */

function button(className, text, onClick, title) {
  const b = document.createElement('button');
  b.type = 'button';
  b.className = className;
  b.textContent = text;
  if (title) b.title = title;
  b.addEventListener('click', onClick);
  return b;
}

export class SegmentPanel {
  #segmentBox;
  #fileBox;
  #host;
  #configText = null;   // the config the forms were built for
  #typing = false;      // an edit came from a keystroke here: the forms are not rebuilt under the caret

  /**
   * @param {{segmentEditor: HTMLElement, classifications: HTMLElement}} elements
   * @param {PanelHost} host
   */
  constructor({ segmentEditor, classifications }, host) {
    this.#segmentBox = segmentEditor;
    this.#fileBox = classifications;
    this.#host = host;
  }

  /** The label config (text) the panel last rendered, or null before the first render. */
  get configText() { return this.#configText; }

  /** True while an edit typed in the panel is being applied. */
  get typing() { return this.#typing; }

  /** Rebuilds the forms (rebuild, or a new config) or only refreshes the problems. */
  render(rebuild) {
    const store = this.#host.store();
    if (!store) return;
    const configText = store.configText();
    if (configText !== this.#configText) {
      this.#configText = configText;
      rebuild = true;
    }
    if (rebuild) {
      this.#renderClassifications(store);
      this.#renderSegment(store);
    }
    // Problems beside their fields, as text.
    const problems = store.problems();
    const selected = this.#host.selected();
    for (const wrap of this.#fileBox.querySelectorAll('.field')) {
      showProblem(wrap, problems.find((x) => !x.segment && x.field === wrap.dataset.field)?.message);
    }
    for (const wrap of this.#segmentBox.querySelectorAll('.field')) {
      showProblem(wrap, problems.find((x) => x.segment === selected && x.field === wrap.dataset.field)?.message);
    }
  }

  /** Classifications: one form for the whole file. */
  #renderClassifications(store) {
    const config = store.config();
    const box = this.#fileBox;
    box.replaceChildren();
    if (!config.classifications?.length) return;
    const h = document.createElement('h3');
    h.textContent = 'Whole file';
    box.append(h);
    for (const field of config.classifications) {
      box.append(fieldEditor(field, store.classifications()[field.name], {
        onInput: (v, typing) => this.#typedEdit((a) => a.setClassification(field.name, JSON.stringify(v), typing), typing),
        onEndTyping: () => this.#host.endTyping(),
      }));
    }
  }

  /** The selected segment: its times, its actions and its fields. */
  #renderSegment(store) {
    const host = this.#host;
    const box = this.#segmentBox;
    const seg = store.segment(host.selected());
    box.replaceChildren();
    if (!seg) {
      const hint = document.createElement('p');
      hint.className = 'hint';
      hint.textContent = "Select a segment, or drag on a track's lane to make one.";
      box.append(hint);
      return;
    }
    const rate = store.rate();
    const track = store.tracks().find((t) => t.id === seg.track);
    const h = document.createElement('h3');
    h.textContent = `${track ? `${track.category}: ${track.tag}` : seg.track} · ${seg.id}`;
    const times = document.createElement('div');
    times.className = 'times';
    for (const [key, labelText] of [['start', 'Start'], ['end', 'End']]) {
      const label = document.createElement('label');
      const input = document.createElement('input');
      input.type = 'text';
      input.className = `time-${key}`;
      input.value = formatTime(seg[key] / rate);
      input.setAttribute('aria-label', `${labelText} time (h:mm:ss.mmm)`);
      input.addEventListener('change', () => {
        const t = host.toFrameBoundary(parseTime(input.value));
        const other = key === 'start' ? seg.end : seg.start;
        const frames = Math.round(t * rate);
        if (Number.isNaN(t)) {
          host.report(ErrorCode.Refused, `"${input.value}" is not a time (h:mm:ss.mmm)`);
          input.value = formatTime(seg[key] / rate);
          return;
        }
        try {
          host.edit((a) => check(key === 'start' ? a.setBounds(seg.id, frames, other) : a.setBounds(seg.id, other, frames)));
        } catch (err) {
          host.report(err.code ?? ErrorCode.Refused, err.message);
          input.value = formatTime(seg[key] / rate);
        }
      });
      label.append(`${labelText} `, input);
      times.append(label);
    }
    times.append(
      button('play-span', '▶ Play segment', () => host.playSpan(seg.start / rate, seg.end / rate)),
      button('loop-span', '⟳ Loop', () => host.playSpan(seg.start / rate, seg.end / rate, true)),
      button('merge-next', 'Merge with next', () => host.mergeWithNext(), 'Merge with the next segment on this track (M)'),
      button('remove-segment', 'Delete', () => host.remove(seg.id)),
    );
    box.append(h, times);
    const config = store.config();
    const fields = (config.segmentFields ?? []).filter((f) => !f.categories?.length || (track && f.categories.includes(track.category)));
    for (const field of fields) {
      box.append(fieldEditor(field, seg.fields[field.name], {
        onInput: (v, typing) => this.#typedEdit((a) => a.setField(seg.id, field.name, JSON.stringify(v), typing), typing),
        onEndTyping: () => host.endTyping(),
      }));
    }
  }

  #typedEdit(fn, typing) {
    this.#typing = typing;
    try {
      this.#host.edit((a) => check(fn(a)));
    } catch (err) {
      this.#host.report(err.code ?? ErrorCode.Refused, err.message);
    } finally {
      this.#typing = false;
    }
  }
}
