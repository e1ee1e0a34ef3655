// SPDX-License-Identifier: MIT
// Makes the element with document.createElement and drives it through its API: src, config,
// addTrack/addSegment and value, shown as Audacity labels by avseg/exports.
import 'avseg';
import { toAudacity } from 'avseg/exports';

const config = { categories: [{ name: 'speaker', tags: ['Alice', 'Bob'] }] };
const form = document.getElementById('segment');
const status = document.getElementById('status');
const labels = document.getElementById('labels');

const editor = document.createElement('avseg-editor');
editor.config = config;
editor.src = new URLSearchParams(location.search).get('media') ?? 'clip.wav';
document.getElementById('editor').append(editor);

editor.addEventListener('ready', (e) => {
  form.elements.add.disabled = false;
  status.textContent = `Ready: ${e.detail.duration.toFixed(3)} s at ${editor.sampleRate} Hz`;
});
editor.addEventListener('error', (e) => { status.textContent = `${e.detail.code}: ${e.detail.message}`; });
editor.addEventListener('change', () => { labels.textContent = toAudacity(editor.value, config); });

form.addEventListener('submit', (e) => {
  e.preventDefault();
  const { tag, start, end } = form.elements;
  const track = editor.value.tracks.find((t) => t.tag === tag.value)?.id ?? editor.addTrack('speaker', tag.value);
  try {
    const id = editor.addSegment(track, Number(start.value), Number(end.value));
    editor.selectedSegment = id;
    status.textContent = `Added ${id}`;
  } catch (err) {
    // A refused edit changes nothing and says why (err.code: 'refused', 'invalid-value', ...).
    status.textContent = `${err.code}: ${err.message}`;
  }
});
