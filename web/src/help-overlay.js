// SPDX-License-Identifier: MIT
// The `?` overlay listing the keyboard shortcuts (its rows come from keys.js): shown and hidden
// by the toolbar's ? button, the ? key, and Escape or ? inside it.

export class HelpOverlay {
  #overlay;
  #button;
  #host;

  /**
   * @param {{help: HTMLButtonElement, helpOverlay: HTMLElement}} elements  the toolbar's ? button and the overlay
   * @param {HTMLElement} host  the element, which takes the focus back when the overlay closes
   */
  constructor({ help, helpOverlay }, host) {
    this.#button = help;
    this.#overlay = helpOverlay;
    this.#host = host;
  }

  connect(subs) {
    subs.listen(this.#button, 'click', () => this.toggle());
    subs.listen(this.#overlay, 'keydown', (e) => {
      if (e.key === 'Escape' || e.key === '?') {
        e.stopPropagation();
        this.toggle(false);
      }
    });
  }

  /** Shows the overlay (focused) or hides it (the element focused again); toggles by default. */
  toggle(show = this.#overlay.hidden) {
    const overlay = this.#overlay;
    overlay.hidden = !show;
    if (show) overlay.focus();
    else this.#host.focus();
  }
}
