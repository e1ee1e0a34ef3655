// SPDX-License-Identifier: MIT
// Reads of the core's annotation model for the UI, each kept until the model or the config
// changes: an edit costs the parts that changed, never a whole-document serialisation.

export class AnnotationStore {
  #a;
  #configVersion = 0;
  #cache = new Map();

  /** @param {any} annotations the wasm `Annotations` object */
  constructor(annotations) {
    this.#a = annotations;
  }

  get model() { return this.#a; }
  get revision() { return this.#a.revision(); }

  /** Call after setConfig: the problems and the panel's forms depend on it. */
  configChanged() { this.#configVersion++; }

  #memo(name, make) {
    const key = `${this.#a.revision()}/${this.#configVersion}`;
    const hit = this.#cache.get(name);
    if (hit && hit.key === key) return hit.value;
    const value = make();
    this.#cache.set(name, { key, value });
    return value;
  }

  config() { return this.#memo('config', () => JSON.parse(this.#a.config())); }
  configText() { return this.#memo('configText', () => this.#a.config()); }
  tracks() { return this.#memo('tracks', () => JSON.parse(this.#a.tracks())); }
  classifications() { return this.#memo('classifications', () => JSON.parse(this.#a.classifications())); }
  rate() { return this.#a.rate(); }
  segmentCount() { return this.#a.segmentCount(); }

  /** One segment {id, track, start, end, fields} (frames), or null. */
  segment(id) {
    const text = id == null ? '' : this.#a.segment(String(id));
    return text ? JSON.parse(text) : null;
  }

  /** What blocks submitting, [{segment, track, field, message}]. */
  problems() { return this.#memo('problems', () => JSON.parse(this.#a.validate())); }

  /** Ids of segments with a problem. */
  problemSegments() { return this.#memo('problemSegments', () => new Set(this.problems().map((p) => p.segment).filter(Boolean))); }

  /**
   * Every segment in list order: spans = [start, end, track index] per segment (frames) and
   * id(i) for the i-th, looked up only for the rows on screen.
   */
  listing(byTrack) {
    return this.#memo(byTrack ? 'byTrack' : 'byTime', () => {
      const spans = this.#a.listing(byTrack);
      return { spans, count: spans.length / 3, id: (i) => this.#a.listingId(byTrack, i) };
    });
  }

  /** Segments per track index. */
  countsByTrack() {
    return this.#memo('counts', () => {
      const counts = new Array(this.tracks().length).fill(0);
      const { spans } = this.listing(false);
      for (let i = 2; i < spans.length; i += 3) if (spans[i] >= 0) counts[spans[i]]++;
      return counts;
    });
  }
}
