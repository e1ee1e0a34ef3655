// SPDX-License-Identifier: MIT
// View sync of a comparison: the clips' editors show one time window; zoom or scroll any one and the others follow.

const SAME = 1e-6; // seconds: a view within this of the target is already there

/** True when views a and b show the same window. */
export function sameView(a, b) {
  return Math.abs(a.start - b.start) < SAME && Math.abs(a.end - b.end) < SAME;
}

/**
 * Keeps the `view` of every editor equal to the last one moved. An editor's `viewchange` that
 * this sync caused itself (setting the others' views, or a shorter clip clamping the window)
 * is not passed on again, so views never bounce between clips.
 */
export class ViewSync {
  #editors = [];
  #applying = false;
  #off = [];

  /** Follows these editors (replacing any before). */
  attach(editors) {
    this.detach();
    this.#editors = editors;
    for (const editor of editors) {
      const onView = (e) => this.#moved(editor, e.detail);
      editor.addEventListener('viewchange', onView);
      this.#off.push(() => editor.removeEventListener('viewchange', onView));
    }
  }

  detach() {
    for (const off of this.#off.splice(0)) off();
    this.#editors = [];
  }

  /** Sets every editor's view to {start, end}. */
  set(view) {
    this.#apply(null, view);
  }

  #moved(source, view) {
    if (this.#applying) return;
    this.#apply(source, view);
  }

  #apply(source, view) {
    this.#applying = true;
    try {
      for (const editor of this.#editors) {
        if (editor === source || !(editor.duration > 0) || sameView(editor.view, view)) continue;
        editor.zoomTo(view.start, view.end);
      }
    } finally {
      this.#applying = false;
    }
  }
}
