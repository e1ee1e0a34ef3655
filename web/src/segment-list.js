// SPDX-License-Identifier: MIT
// The segment list: its order, its rows (virtualised: only those in view exist), its count line
// and its keyboard; it tells the element what the annotator picked and never edits the model.
import { Emitter } from './emitter.js';
import { formatTime } from './layout.js';
import { ROW_HEIGHT, listRows, visibleRows } from './panel.js';

/** "category: tag" of a track, or its id if the config has no such track. */
export function trackName(store, id) {
  const t = store?.tracks().find((x) => x.id === id);
  return t ? `${t.category}: ${t.tag}` : String(id);
}

/**
 * What a row shows of a segment's answers, in the config's field order, so a whole call can be
 * reviewed from the list (as the AWS sample's table does): a text by its first line, a choice or
 * multi by its options, a rating or boolean with its field's label.
 */
export function fieldsSummary(fields, segmentFields = []) {
  const known = new Map(segmentFields.map((f) => [f.name, f]));
  const names = [...segmentFields.map((f) => f.name).filter((n) => n in (fields ?? {})), ...Object.keys(fields ?? {}).filter((n) => !known.has(n))];
  const parts = [];
  for (const name of names) {
    const v = fields[name];
    const label = known.get(name)?.label ?? name;
    if (v === null || v === undefined || v === '' || (Array.isArray(v) && !v.length)) continue;
    if (typeof v === 'string') {
      const [first, ...more] = v.split(/\r?\n/);
      const line = first.trim() || more.find((l) => l.trim())?.trim() || '';
      if (line) parts.push(more.length ? `${line} …` : line);
    } else if (Array.isArray(v)) parts.push(v.join(', '));
    else if (typeof v === 'boolean') parts.push(`${label}: ${v ? 'yes' : 'no'}`);
    else if (typeof v === 'number') parts.push(`${label} ${v}`);
    else parts.push(`${label}: ${JSON.stringify(v)}`);
  }
  return parts.join(' · ');
}

/** A segment's index in a listing, found by its times before its id is asked for; -1 if absent. */
export function listingIndex(store, listing, id) {
  const seg = id == null ? null : store.segment(id);
  if (!seg) return -1;
  const row = store.tracks().findIndex((t) => t.id === seg.track);
  const s = listing.spans;
  for (let i = 0; i < listing.count; i++) {
    if (s[i * 3] === seg.start && s[i * 3 + 1] === seg.end && s[i * 3 + 2] === row && listing.id(i) === id) return i;
  }
  return -1;
}

/**
 * @typedef {object} SegmentListEvents
 * @property {{id: string, seek: boolean}} select  a row was chosen (seek: by a click, so the cursor goes to its start)
 * @property {{id: string}} play  a row was double-clicked, or Enter pressed on the selected one
 */

/** @extends {Emitter<SegmentListEvents>} */
export class SegmentList extends Emitter {
  #box;
  #rows;
  #count;
  #source;
  #order;
  #byTrack = false;
  #model = { listing: null, rows: new Int32Array(0) };

  /**
   * @param {{list: HTMLElement, rows: HTMLElement, count: HTMLElement, order: HTMLSelectElement}} elements
   * @param {{store: () => import('./annotation-store.js').AnnotationStore | null, selected: () => string | null}} source
   */
  constructor({ list, rows, count, order }, source) {
    super();
    this.#box = list;
    this.#rows = rows;
    this.#count = count;
    this.#source = source;
    this.#order = order;
  }

  /** The list's DOM listeners, released by `subs.releaseAll()` (the element's disconnect). */
  connect(subs) {
    const list = this.#box;
    const order = this.#order;
    const source = this.#source;
    subs.listen(order, 'change', () => {
      this.#byTrack = order.value === 'track';
      list.scrollTop = 0;
      this.render();
      this.reveal(source.selected());
    });
    subs.listen(list, 'scroll', () => this.render());
    subs.listen(list, 'click', (e) => {
      const id = e.target.closest?.('.row')?.dataset.segment;
      if (id) this.emit('select', { id, seek: true });
    });
    subs.listen(list, 'dblclick', (e) => {
      const id = e.target.closest?.('.row')?.dataset.segment;
      if (id) this.emit('play', { id });
    });
    subs.listen(list, 'keydown', (e) => {
      if (!source.store()) return;
      const page = Math.max(1, Math.floor(list.clientHeight / ROW_HEIGHT) - 1);
      const steps = { ArrowDown: 1, ArrowUp: -1, PageDown: page, PageUp: -page, Home: -Infinity, End: Infinity };
      if (e.key in steps) {
        e.preventDefault();
        this.#step(steps[e.key]);
      } else if (e.key === 'Enter' && source.selected()) {
        e.preventDefault();
        this.emit('play', { id: source.selected() });
      }
    });
  }

  /** The rows for the current listing (kept while the model is unchanged). */
  #rowModel() {
    const store = this.#source.store();
    const listing = store.listing(this.#byTrack);
    if (this.#model.listing !== listing) {
      this.#model = { listing, rows: listRows(listing.spans, store.tracks().length, this.#byTrack) };
    }
    return this.#model;
  }

  /** Draws the rows in view and the count line. */
  render() {
    const store = this.#source.store();
    if (!store) return;
    const selected = this.#source.selected();
    const { listing, rows: model } = this.#rowModel();
    const list = this.#box;
    this.#rows.style.height = `${model.length * ROW_HEIGHT}px`;
    const { first, last } = visibleRows(list.scrollTop, list.clientHeight || 160, model.length);
    const rate = store.rate();
    const tracks = store.tracks();
    const counts = store.countsByTrack();
    const problems = store.problemSegments();
    const segmentFields = store.config()?.segmentFields ?? [];
    const items = [];
    let active = '';
    for (let r = first; r < last; r++) {
      const v = model[r];
      const row = document.createElement('div');
      row.style.top = `${r * ROW_HEIGHT}px`;
      if (v < 0) {
        // A track's heading; each option names its track too, so it is hidden from the listbox.
        const t = tracks[-v - 1];
        row.className = 'row heading';
        row.setAttribute('aria-hidden', 'true');
        row.textContent = `${t.category}: ${t.tag} (${counts[-v - 1]})`;
        items.push(row);
        continue;
      }
      const id = listing.id(v);
      const s = store.segment(id);
      if (!s) continue;
      row.className = 'row';
      row.id = `avseg-row-${r}`;
      row.setAttribute('role', 'option');
      row.setAttribute('aria-selected', String(id === selected));
      if (id === selected) active = row.id;
      row.dataset.segment = id;
      const text = fieldsSummary(s.fields, segmentFields);
      // Problems and the selection are marked with text and shape, not colour alone.
      row.textContent = `${id === selected ? '▸ ' : ''}${problems.has(id) ? '⚠ ' : ''}${formatTime(s.start / rate)}–${formatTime(s.end / rate)}  ${trackName(store, s.track)}  ${text}`;
      items.push(row);
    }
    this.#rows.replaceChildren(...items);
    if (active) list.setAttribute('aria-activedescendant', active);
    else list.removeAttribute('aria-activedescendant');
    const n = listing.count;
    this.#count.textContent = `${n ? n.toLocaleString('en') : 'No'} segment${n === 1 ? '' : 's'}${problems.size ? ` · ⚠ ${problems.size.toLocaleString('en')} with problems` : ''}`;
  }

  /** Scrolls the list so a segment's row is in view. */
  reveal(id) {
    const store = this.#source.store();
    if (id == null || !store) return;
    const { listing, rows } = this.#rowModel();
    const index = listingIndex(store, listing, id);
    const r = index < 0 ? -1 : rows.indexOf(index);
    if (r < 0) return;
    const list = this.#box;
    const top = r * ROW_HEIGHT;
    if (top < list.scrollTop || top + ROW_HEIGHT > list.scrollTop + list.clientHeight) {
      list.scrollTop = Math.max(0, top - list.clientHeight / 2);
      this.render();
    }
  }

  /** Moves the selection by `step` segments (skipping headings), or to the first/last. */
  #step(step) {
    const { listing, rows } = this.#rowModel();
    const segs = rows.filter((v) => v >= 0);
    if (!segs.length) return;
    const at = segs.indexOf(listingIndex(this.#source.store(), listing, this.#source.selected()));
    const next = step === -Infinity ? 0 : step === Infinity ? segs.length - 1 : Math.min(Math.max((at < 0 ? (step > 0 ? -1 : segs.length) : at) + step, 0), segs.length - 1);
    this.emit('select', { id: listing.id(segs[next]), seek: false });
  }
}
