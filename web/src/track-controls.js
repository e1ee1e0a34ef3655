// SPDX-License-Identifier: MIT
// The toolbar's track and history controls: the new track's category and tag, Add track, Delete
// track, Record, Undo and Redo. It shows the state it is given and says which was pressed.
import { Emitter } from './emitter.js';

/**
 * @typedef {object} TrackControlsEvents
 * @property {{category: string, tag: string}} add
 * @property {{}} remove  the selected tracks
 * @property {{}} record  begin or stop recording
 * @property {{}} undo
 * @property {{}} redo
 */

/**
 * What the controls show.
 * @typedef {object} TrackControlsState
 * @property {string | null} configText  the label config (its categories and their tags)
 * @property {boolean} ready
 * @property {number} selectedTracks  how many tracks are selected
 * @property {boolean} recording
 * @property {boolean} canUndo
 * @property {boolean} canRedo
 */

/** @extends {Emitter<TrackControlsEvents>} */
export class TrackControls extends Emitter {
  #el;
  #config = { categories: [] };

  /**
   * @param {{category: HTMLSelectElement, tag: HTMLSelectElement, addTrack: HTMLButtonElement,
   *          removeTrack: HTMLButtonElement, record: HTMLButtonElement, undo: HTMLButtonElement, redo: HTMLButtonElement}} elements
   */
  constructor(elements) {
    super();
    this.#el = elements;
  }

  /** The controls' DOM listeners, released by `subs.releaseAll()` (the element's disconnect). */
  connect(subs) {
    const elements = this.#el;
    const { category, tag } = elements;
    subs.listen(category, 'change', () => this.#renderTags());
    subs.listen(elements.addTrack, 'click', () => this.emit('add', { category: category.value, tag: tag.value }));
    subs.listen(elements.removeTrack, 'click', () => this.emit('remove', {}));
    subs.listen(elements.record, 'click', () => this.emit('record', {}));
    subs.listen(elements.undo, 'click', () => this.emit('undo', {}));
    subs.listen(elements.redo, 'click', () => this.emit('redo', {}));
  }

  /** @param {TrackControlsState} state */
  render({ configText, ready, selectedTracks, recording, canUndo, canRedo }) {
    const el = this.#el;
    this.#config = configText ? JSON.parse(configText) : { categories: [] };
    const categories = this.#config.categories ?? [];
    if (el.category.dataset.config !== configText) {
      el.category.dataset.config = configText ?? '';
      el.category.replaceChildren(...categories.map((cat) => Object.assign(document.createElement('option'), { value: cat.name, textContent: cat.label ?? cat.name })));
      this.#renderTags();
    }
    el.addTrack.disabled = !(ready && categories.length > 0);
    el.removeTrack.disabled = !selectedTracks;
    el.record.disabled = !ready;
    el.record.setAttribute('aria-pressed', String(recording));
    el.record.textContent = recording ? '■ Stop' : '● Record';
    el.undo.disabled = !canUndo;
    el.redo.disabled = !canRedo;
  }

  #renderTags() {
    const el = this.#el;
    const cat = (this.#config.categories ?? []).find((x) => x.name === el.category.value);
    el.tag.replaceChildren(...(cat?.tags ?? []).map((tag) => Object.assign(document.createElement('option'), { value: tag, textContent: tag })));
  }
}
