// SPDX-License-Identifier: MIT
// Form controls for the label config's fields, built with the DOM (labels and options are set
// as text, never parsed as markup), and the virtualised segment list.

let uid = 0;

/**
 * A labelled control for one field. onInput(value, typing) fires on every change; typing is true
 * for keystrokes in a text box (the model joins them into one undo step); onEndTyping on blur.
 * @param {{name: string, type: string, label: string, description?: string, required?: boolean,
 *          options?: string[], min?: number, max?: number, multiline?: boolean, maxLength?: number}} field
 */
export function fieldEditor(field, value, { onInput, onEndTyping }) {
  const id = `avseg-field-${++uid}`;
  const wrap = document.createElement('div');
  wrap.className = 'field';
  wrap.dataset.field = field.name;
  const label = document.createElement(field.type === 'multi' || field.type === 'rating' ? 'span' : 'label');
  label.className = 'field-label';
  label.textContent = field.label + (field.required ? ' *' : '');
  if (label.tagName === 'LABEL') label.htmlFor = id;
  else label.id = `${id}-label`;
  wrap.append(label);
  const problem = document.createElement('span');
  problem.className = 'field-problem';
  problem.id = `${id}-problem`;

  let control;
  switch (field.type) {
    case 'text': {
      control = document.createElement(field.multiline ? 'textarea' : 'input');
      if (!field.multiline) control.type = 'text';
      if (field.maxLength) control.maxLength = field.maxLength;
      control.value = typeof value === 'string' ? value : '';
      control.addEventListener('input', () => onInput(control.value === '' ? null : control.value, true));
      control.addEventListener('blur', () => onEndTyping());
      break;
    }
    case 'choice':
    case 'boolean': {
      control = document.createElement('select');
      const options = field.type === 'boolean' ? [['', '—'], ['true', 'Yes'], ['false', 'No']]
        : [['', '—'], ...field.options.map((o) => [o, o])];
      for (const [v, text] of options) {
        const option = document.createElement('option');
        option.value = v;
        option.textContent = text;
        control.append(option);
      }
      control.value = value === undefined || value === null ? '' : String(value);
      control.addEventListener('change', () => {
        const v = control.value;
        onInput(v === '' ? null : field.type === 'boolean' ? v === 'true' : v, false);
      });
      break;
    }
    case 'multi':
    case 'rating': {
      control = document.createElement('div');
      control.setAttribute('role', field.type === 'rating' ? 'radiogroup' : 'group');
      control.setAttribute('aria-labelledby', `${id}-label`);
      const choices = field.type === 'rating'
        ? Array.from({ length: field.max - field.min + 1 }, (_, i) => String(field.min + i))
        : field.options;
      const chosen = new Set(Array.isArray(value) ? value.map(String) : value === undefined || value === null ? [] : [String(value)]);
      for (const choice of choices) {
        const item = document.createElement('label');
        item.className = 'choice';
        const input = document.createElement('input');
        input.type = field.type === 'rating' ? 'radio' : 'checkbox';
        input.name = id;
        input.value = choice;
        input.checked = chosen.has(choice);
        item.append(input, document.createTextNode(` ${choice}`));
        control.append(item);
      }
      control.addEventListener('change', () => {
        const picked = [...control.querySelectorAll('input:checked')].map((i) => i.value);
        if (field.type === 'rating') onInput(picked.length ? Number(picked[0]) : null, false);
        else onInput(picked.length ? picked : null, false);
      });
      break;
    }
    default:
      control = document.createElement('span');
  }
  control.id = id;
  control.classList.add('control');
  control.setAttribute('aria-describedby', problem.id);
  if (field.required) control.setAttribute('aria-required', 'true');
  if (field.description) control.title = field.description;
  wrap.append(control, problem);
  return wrap;
}

/** Shows a field's problem next to it (text, and aria-invalid), or clears it. */
export function showProblem(wrap, message) {
  const problem = wrap.querySelector('.field-problem');
  problem.textContent = message ? `⚠ ${message}` : '';
  wrap.querySelector('.control')?.setAttribute('aria-invalid', message ? 'true' : 'false');
}

export const ROW_HEIGHT = 24;

/** Which rows of a list of `count` rows are in view in a scroller (plus a few either side). */
export function visibleRows(scrollTop, viewHeight, count, overscan = 5) {
  const first = Math.max(0, Math.floor(scrollTop / ROW_HEIGHT) - overscan);
  const last = Math.min(count, Math.ceil((scrollTop + viewHeight) / ROW_HEIGHT) + overscan);
  return { first, last };
}

/**
 * The segment list's rows: by time, one row per segment; by track, each track's segments under a
 * header row. A row is a segment's index in the listing (>= 0) or a header, -(track index + 1).
 * @param {Float64Array} spans [start, end, track index] per segment, in list order
 */
export function listRows(spans, trackCount, byTrack) {
  const count = spans.length / 3;
  if (!byTrack) return Int32Array.from({ length: count }, (_, i) => i);
  const rows = new Int32Array(count + trackCount);
  let at = 0;
  let i = 0;
  for (let track = 0; track < trackCount; track++) {
    rows[at++] = -(track + 1);
    while (i < count && spans[i * 3 + 2] === track) rows[at++] = i++;
  }
  // Segments of a missing track (a broken document) close the list, without a header.
  while (i < count && at < rows.length) rows[at++] = i++;
  return rows.subarray(0, at);
}
