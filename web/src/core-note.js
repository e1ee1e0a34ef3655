// SPDX-License-Identifier: MIT
// The element's note that its media core runs on the page's thread (no worker could start): why,
// and that the page may be slower. Shown above the error box for as long as the element lives.

/** The note's text for a core started on the page (core-client.js's CoreStart). */
export function pageThreadMessage({ why, failures }) {
  return 'The media is decoded on this page\'s own thread, not in a background worker, so the page may be slower to answer '
    + `while media loads. ${why?.message ?? `No worker could start here (${failures.join('; ')}).`}`;
}

/** Shows `message` in the note before `anchor` (made the first time). */
export function showCoreNote(anchor, message) {
  let note = anchor.parentNode.querySelector('.core-thread');
  if (!note) {
    note = document.createElement('p');
    note.className = 'core-thread';
    note.setAttribute('role', 'status');
    anchor.before(note);
  }
  note.textContent = message;
  note.hidden = false;
}
