// SPDX-License-Identifier: MIT
// Binds an <avseg-editor> inside a Ground Truth <crowd-form> (template/README.md): the label
// config from the template, the media and task input from Liquid, problems shown in a
// <crowd-alert> and blocking submit, and the answer written to the hidden `annotations` input
// at the moment of submitting, so the last keystroke is in it. The autosaved draft is kept per
// job, task input (its media and the rest of its line) and media, and deleted once its answer is
// accepted.
import './avseg.js';
import { submission } from './submission.js';
import { sampleAnswerKeys, sampleInputs, sampleMapping } from './aws-sample.js';
import { documentFingerprint } from './fingerprint.js';
import { ErrorCode } from './error-codes.js';

const SOURCE_KEYS = ['source-ref', 'taskObject', 'source'];

function parseJson(text, what) {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new Error(`${what} is not valid JSON: ${err.message}`);
  }
}

/** Wires the page's task; returns a handle for tests and hosts. */
export function bindCrowdTask(root = document) {
  const editor = root.querySelector('avseg-editor[data-avseg-task]') ?? root.querySelector('avseg-editor');
  const form = editor?.closest('crowd-form') ?? root.querySelector('crowd-form');
  const alertBox = form?.querySelector('[data-avseg-alert]') ?? root.querySelector('[data-avseg-alert]');
  const startTimestamp = Date.now();
  const messages = new Map(); // source -> text, so one kind of message clears without the others

  const show = () => {
    if (!alertBox) return;
    const text = [...messages.values()].join('\n');
    alertBox.textContent = text;
    alertBox.hidden = !text;
  };
  const say = (source, text) => {
    if (text) messages.set(source, text);
    else messages.delete(source);
    show();
  };

  if (!editor || !form) {
    const missing = !editor ? '<avseg-editor>' : '<crowd-form>';
    say('template', `The task template has no ${missing}: the annotator cannot be shown.`);
    return null;
  }
  const outputName = editor.dataset.avsegOutput || 'annotations';
  const output = form.querySelector(`input[name="${CSS.escape(outputName)}"]`);
  if (!output) say('template', `The task template has no <input name="${outputName}"> to submit the annotations in.`);

  let input = {};
  try {
    input = editor.dataset.taskInput ? parseJson(editor.dataset.taskInput, 'The task input') : {};
    if (input === null || typeof input !== 'object') input = {};
  } catch (err) {
    say('input', err.message);
  }
  let config = {};
  const configScript = root.querySelector('script#avseg-config');
  try {
    config = configScript ? parseJson(configScript.textContent, 'The label config in the template') : {};
    editor.config = config;
  } catch (err) {
    say('config', err.message);
  }
  // What ← → do and the transport's step, for the AWS sample's habits (doc/element-api.md).
  for (const [key, attribute] of [['x-arrow-keys', 'arrow-keys'], ['x-seek-step', 'seek-step'], ['x-row-click', 'row-click']]) {
    if (config[key] !== undefined && config[key] !== null) editor.setAttribute(attribute, String(config[key]));
  }
  // The AWS sample's top-level keys, when the config asks for them (doc/ground-truth.md).
  let sample = null;
  try {
    sample = sampleMapping(config);
  } catch (err) {
    say('config', `The label config in the template is not usable: ${err.message}`);
  }
  // Pre-annotations (a model's draft to review, or an earlier answer) arrive in the task input.
  if (input.preAnnotations) {
    editor.addEventListener('error', (e) => {
      if (e.detail.code === ErrorCode.InvalidDocument) say('pre', `The pre-annotations could not be loaded: ${e.detail.message}`);
    }, { once: true });
    // Its time (an earlier answer's submission) is shown if a draft competes with it.
    editor.valueTime = input.preAnnotationsTime ?? null;
    editor.value = input.preAnnotations;
  }
  editor.addEventListener('error', (e) => {
    if (e.detail.code === ErrorCode.InvalidConfig) say('config', `The label config in the template is not usable: ${e.detail.message}`);
    // The portal refuses WebAssembly: the annotator is told why nothing can be submitted, and whom to tell.
    else if (e.detail.code === ErrorCode.WasmRefused) say('wasm', `This task cannot be submitted from this page. ${e.detail.message} Please tell the requester of this task.`);
    else if (e.detail.fatal) say('media', e.detail.message);
  });

  // The config may name task input fields to show the annotator ("x-task-info"), as text.
  const info = Array.isArray(config['x-task-info']) ? config['x-task-info'].filter((k) => typeof k === 'string' && input[k] != null) : [];
  if (info.length) {
    const list = document.createElement('dl');
    list.className = 'avseg-task-info';
    for (const key of info) {
      const dt = document.createElement('dt');
      dt.textContent = key;
      const dd = document.createElement('dd');
      dd.textContent = typeof input[key] === 'string' ? input[key] : JSON.stringify(input[key]);
      list.append(dt, dd);
    }
    editor.before(list);
  }

  const media = editor.dataset.src ?? '';
  // The stable URI (not the presigned URL, which changes each time) keys the autosaved draft.
  // A host showing tasks to several people in one browser (the local run) scopes the drafts.
  const scope = root.querySelector?.('meta[name="avseg-task-scope"]')?.content;
  const task = editor.dataset.taskId || SOURCE_KEYS.map((k) => input[k]).find((v) => typeof v === 'string' && v) || media;
  editor.taskId = scope ? `${scope}\n${task}` : task;
  // A later job on the same media starts clean: drafts are kept per job too.
  // Two lines of one job may name the same media: the rest of the line tells their drafts apart
  // (all but the host's document, which changes as answers come and is fingerprinted on its own).
  const { preAnnotations: _doc, preAnnotationsTime: _time, ...line } = input;
  const job = typeof input.avsegJob === 'string' && input.avsegJob ? `job:${input.avsegJob}\u0000` : '';
  editor.draftScope = `${job}item:${documentFingerprint(line)}`;
  if (!media) say('media', 'This task has no media: its manifest line needs "source-ref" (or "taskObject" or "source").');
  else {
    // Peaks precomputed for the job (the pre-annotation step passes them on) show at once.
    if (editor.dataset.peaks) editor.setAttribute('peaks', editor.dataset.peaks);
    if (editor.dataset.analysis) editor.setAttribute('analysis', editor.dataset.analysis);
    editor.src = media;
  }

  // Whole-file fields that name a task input key in "x-prefill" start with its value
  // (the sample's transcription), or else with their "x-default" (the sample's checked radio
  // button), unless a restored draft already answered them.
  let ready = false;
  editor.addEventListener('ready', () => {
    ready = true;
    const current = editor.value?.classifications ?? {};
    for (const field of editor.config.classifications ?? []) {
      if (current[field.name] !== undefined) continue;
      const key = field['x-prefill'];
      const given = typeof key === 'string' ? input[key] : undefined;
      const v = given === undefined || given === null || given === '' ? field['x-default'] : given;
      if (v === undefined || v === null || v === '') continue;
      try {
        editor.setClassification(field.name, field.type === 'text' ? String(v) : v);
      } catch (err) {
        say('prefill', `"${field.name}" could not be pre-filled from ${v === given ? `"${key}"` : 'its "x-default"'}: ${err.message}`);
      }
    }
  }, { once: true });

  const problemsText = (problems) => {
    const lines = problems.slice(0, 8).map((p) => `• ${p.message}${p.segment ? ` (segment ${p.segment})` : ''}`);
    if (problems.length > 8) lines.push(`… and ${problems.length - 8} more`);
    return `Please fix these before submitting:\n${lines.join('\n')}`;
  };
  let tried = false;
  let submitted = null;   // the document as last submitted, to tell edits made while it was on its way
  editor.addEventListener('validity', (e) => {
    // Once a submit was refused, the message follows the fixes as they are made.
    if (tried) say('problems', e.detail.problems.length ? problemsText(e.detail.problems) : '');
  });

  form.addEventListener('submit', (e) => {
    tried = true;
    const blocking = [...messages.keys()].filter((k) => k === 'config' || k === 'media' || k === 'template' || k === 'wasm');
    const problems = editor.validate();
    if (!ready && !blocking.length) say('problems', 'The media is still loading: submit once it is shown.');
    // Submitting would drop the draft unseen: the annotator chooses first.
    const choosing = editor.draftChoicePending;
    say('draft', choosing ? 'Choose between your unsaved draft and the saved answer (above the waveform) before submitting.' : '');
    if (blocking.length || problems.length || !output || !ready || choosing) {
      e.preventDefault();
      e.stopImmediatePropagation();
      if (problems.length) say('problems', problemsText(problems));
      alertBox?.scrollIntoView?.({ block: 'nearest' });
      return;
    }
    say('problems', '');
    // An answer that could not be written goes neither empty nor as an earlier one: crowd-form
    // would send whatever the input holds, and an empty answer is accepted as work.
    try {
      output.value = '';
      const value = editor.value;
      const text = JSON.stringify(submission(value, editor.config, { startTimestamp, endTimestamp: Date.now() }));
      if (!text || text === '{}' || text === 'null') throw new Error('the answer came out empty');
      output.value = text;
      submitted = JSON.stringify(value);
      if (sample) sampleInputs(form, sampleAnswerKeys(value, sample));
      say('submit', '');
    } catch (err) {
      output.value = '';
      e.preventDefault();
      e.stopImmediatePropagation();
      say('submit', `The answer could not be written, so nothing was submitted (your work is kept): ${err.message}`);
      return;
    }
    // Ground Truth says nothing once it has the answer: the draft goes when the submit goes ahead
    // (no later listener prevented it). Looked at once the whole dispatch is over: a submit the
    // browser fires runs microtasks between listeners. The local stand-in reports acceptance itself (below).
    if (!form.reportsAcceptance) setTimeout(() => { if (!e.defaultPrevented) editor.forgetDraft().catch(() => {}); }, 0);
  });
  editor.addEventListener('draftchoice', () => say('draft', ''));
  // The local run's stand-in fires this once the server has stored the answer, and waits for us.
  form.addEventListener('avseg-accepted', (e) => {
    // Edits made while the answer was on its way are not in it: their draft stays (and is
    // offered beside the answer when the item is opened again).
    const later = submitted !== null && JSON.stringify(editor.value) !== submitted;
    const done = (later ? editor.flushDraft() : editor.forgetDraft()).catch(() => {});
    e.detail?.waitUntil?.(done);
  });
  return { editor, form, input, config };
}

if (typeof document !== 'undefined' && !globalThis.AVSEG_NO_AUTOBIND) {
  // Module scripts run after the document is parsed.
  globalThis.avsegTask = bindCrowdTask(document);
}
