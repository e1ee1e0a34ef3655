// SPDX-License-Identifier: MIT
// Binds an <avseg-compare> inside a Ground Truth <crowd-form> (template/compare-*.liquid.html):
// the label config from the template, each clip's presigned media from the Liquid list, the
// blind order's seed drawn from the annotator and the task (web/src/blind-order.js, in the
// element), problems shown in a <crowd-alert> and blocking submit, and the comparison document
// written to the hidden `comparison` input at the moment of submitting.
import './avseg-compare.js';
import { ErrorCode } from './error-codes.js';

const ANNOTATOR_KEY = 'avseg-annotator';

function parseJson(text, what) {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new Error(`${what} is not valid JSON: ${err.message}`);
  }
}

/**
 * Who annotates, for the order's seed: the run names them (avsegAnnotator); Ground Truth's
 * template cannot see the worker, so one browser keeps one random name (the seed and the order
 * are recorded in the answer either way).
 */
function annotatorOf(input) {
  if (typeof input.avsegAnnotator === 'string' && input.avsegAnnotator) return input.avsegAnnotator;
  try {
    let id = localStorage.getItem(ANNOTATOR_KEY);
    if (!id) {
      id = `browser-${crypto.randomUUID()}`;
      localStorage.setItem(ANNOTATOR_KEY, id);
    }
    return id;
  } catch {
    return `page-${crypto.randomUUID()}`;
  }
}

/**
 * The task's identity, for the seed (doc/comparison-format.md, "Blind order"): the line's "id",
 * else its clips' media as written, one a line, in manifest order.
 */
export function comparisonTaskId(input) {
  if (typeof input.id === 'string' && input.id.trim()) return input.id.trim();
  return (Array.isArray(input.clips) ? input.clips : []).map((c) => String(c?.['source-ref'] ?? '').trim()).join('\n');
}

/** Wires the page's comparison; returns a handle for tests and hosts. */
export function bindCompareTask(root = document) {
  const element = root.querySelector('avseg-compare[data-avseg-task]') ?? root.querySelector('avseg-compare');
  const form = element?.closest('crowd-form') ?? root.querySelector('crowd-form');
  const alertBox = form?.querySelector('[data-avseg-alert]') ?? root.querySelector('[data-avseg-alert]');
  const messages = new Map(); // source -> text, so one kind of message clears without the others
  const say = (source, text) => {
    if (text) messages.set(source, text);
    else messages.delete(source);
    if (!alertBox) return;
    alertBox.textContent = [...messages.values()].join('\n');
    alertBox.hidden = !alertBox.textContent;
  };
  if (!element || !form) {
    say('template', `The task template has no ${!element ? '<avseg-compare>' : '<crowd-form>'}: the comparison cannot be shown.`);
    return null;
  }
  const outputName = element.dataset.avsegOutput || 'comparison';
  const output = form.querySelector(`input[name="${CSS.escape(outputName)}"]`);
  if (!output) say('template', `The task template has no <input name="${outputName}"> to submit the comparison in.`);

  let input = {};
  try {
    input = element.dataset.taskInput ? parseJson(element.dataset.taskInput, 'The task input') : {};
    if (input === null || typeof input !== 'object') input = {};
  } catch (err) {
    say('input', err.message);
  }
  const configScript = root.querySelector('script#avseg-config');
  let config = {};
  try {
    config = configScript ? parseJson(configScript.textContent, 'The label config in the template') : {};
    element.setAttribute('config', JSON.stringify(config));
  } catch (err) {
    say('config', err.message);
  }
  element.addEventListener('error', (e) => {
    const d = e.detail ?? {};
    if (d.code === ErrorCode.InvalidConfig) say('config', `The label config in the template is not usable: ${d.message}`);
    else if (d.fatal) say('media', d.message);
  });

  // Each clip: its presigned address (Liquid's list, in manifest order) and its system from the input.
  const listed = [...(root.querySelector('[data-avseg-clips]')?.querySelectorAll('li') ?? [])];
  const given = Array.isArray(input.clips) ? input.clips : [];
  // The answer names each clip by its media as the manifest gives it, not by the presigned address shown.
  const sourceOf = (k) => {
    const ref = given[k]?.['source-ref'];
    return typeof ref === 'string' && ref.trim() ? ref.trim() : null;
  };
  const clips = listed.map((li, k) => ({
    src: li.dataset.src ?? '',
    system: typeof given[k]?.system === 'string' ? given[k].system : `clip ${k + 1}`,
    ...(sourceOf(k) ? { source: sourceOf(k) } : {}),
    ...(li.dataset.peaks ? { peaks: li.dataset.peaks } : {}),
    ...(li.dataset.analysis ? { analysis: li.dataset.analysis } : {}),
  }));
  const taskId = comparisonTaskId(input);
  const annotator = annotatorOf(input);
  element.setAttribute('annotator', annotator);
  element.setAttribute('task-id', taskId);

  let ready = false;
  let opened;
  if (clips.length < 2 || clips.length > 4 || clips.some((c) => !c.src)) {
    say('media', `This task has ${clips.length} clip${clips.length === 1 ? '' : 's'} with media: a comparison needs 2 to 4, each with "source-ref" (doc/comparison-format.md, "Manifest").`);
    opened = Promise.resolve(false);
  } else {
    opened = Promise.resolve(element.setClips(clips, { prompt: (input.prompt === undefined ? input.source : input.prompt) ?? null, taskId })).then(async () => {
      // An earlier answer (the local run gives an answered item's back) opens as it was submitted.
      if (input.preAnnotations) {
        try {
          const doc = typeof input.preAnnotations === 'string' ? parseJson(input.preAnnotations, 'The earlier answer') : input.preAnnotations;
          await element.restore(doc);
        } catch (err) {
          say('pre', `The earlier answer could not be restored: ${err.message}`);
        }
      }
      ready = true;
      say('loading', '');
      return true;
    }, (err) => {
      say('media', `The clips could not be opened: ${err?.message ?? err}`);
      return false;
    });
  }
  const problemsText = (problems) => {
    const lines = problems.slice(0, 8).map((p) => `• ${p.message}${p.path ? ` (${p.path})` : ''}`);
    if (problems.length > 8) lines.push(`… and ${problems.length - 8} more`);
    return `Please fix these before submitting:\n${lines.join('\n')}`;
  };
  let tried = false;
  element.addEventListener('change', () => {
    // Once a submit was refused, the message follows the fixes as they are made.
    if (tried) {
      const problems = element.problems();
      say('problems', problems.length ? problemsText(problems) : '');
    }
  });

  form.addEventListener('submit', (e) => {
    tried = true;
    const blocking = [...messages.keys()].filter((k) => ['config', 'media', 'template', 'input'].includes(k));
    const problems = ready ? element.problems() : [];
    say('loading', !ready && !blocking.length ? 'The clips are still loading: submit once they are shown.' : '');
    const stop = () => {
      e.preventDefault();
      e.stopImmediatePropagation();
      alertBox?.scrollIntoView?.({ block: 'nearest' });
    };
    if (blocking.length || !ready || !output) return stop();
    if (problems.length) {
      say('problems', problemsText(problems));
      return stop();
    }
    say('problems', '');
    // An answer that could not be written goes neither empty nor as an earlier one.
    try {
      output.value = '';
      const doc = element.getComparison();
      if (!doc || typeof doc !== 'object' || doc.format !== 'avseg-comparison') throw new Error('the element gave no comparison document');
      doc.clips?.forEach((clip, k) => { clip.source = sourceOf(k) ?? clip.source; });
      const text = JSON.stringify(doc);
      output.value = text;
      say('submit', '');
    } catch (err) {
      output.value = '';
      say('submit', `The answer could not be written, so nothing was submitted (your work is kept): ${err.message}`);
      stop();
    }
  });
  // The local run's stand-in fires this once the server has stored the answer: the drafts go (the
  // answer itself comes back when the item is opened again).
  form.addEventListener('avseg-accepted', (e) => {
    e.detail?.waitUntil?.(element.forgetDraft().catch(() => {}));
  });
  return { element, form, input, config, clips, taskId, annotator, ready: opened };
}

if (typeof document !== 'undefined' && !globalThis.AVSEG_NO_AUTOBIND) {
  // Module scripts run after the document is parsed.
  globalThis.avsegCompareTask = bindCompareTask(document);
}
