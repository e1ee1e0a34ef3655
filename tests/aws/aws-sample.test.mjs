// SPDX-License-Identifier: MIT
// The AWS sample's shapes (doc/ground-truth.md, "AWS sample compatibility"): the answer's
// top-level keys from the templates' configs with "x-aws-sample" on, field by field; the sample's
// post-annotation logic, written here from its description, against our Lambda in the sample's
// shape (AVSEG_OUTPUT_SHAPE=aws-sample, payload through the real SDK on a loopback S3) and
// against scripts/export --format aws-sample.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { sampleAnswerKeys, sampleMapping, sampleValue } from '../../web/src/aws-sample.js';
import { handler } from '../../scripts/aws/lambda/consolidation.mjs';
import { startS3Stub } from './s3-stub.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const R = 48000;

async function templateConfig(name, option = true) {
  const html = await readFile(path.join(root, 'template', name), 'utf8');
  const config = JSON.parse(/<script[^>]*id="avseg-config"[^>]*>([\s\S]*?)<\/script>/.exec(html)[1]);
  assert.equal(config['x-aws-sample'], false, 'the templates ship with the option off');
  return { ...config, 'x-aws-sample': option };
}

const callDoc = {
  format: 'avseg.annotation', version: 1, timebase: { rate: R, frames: R * 60 },
  tracks: [{ id: 'a', category: 'speaker', tag: 'Customer' }, { id: 'b', category: 'speaker', tag: 'Representative' }],
  segments: [
    { id: 's2', track: 'b', start: 3 * R, end: 4 * R, fields: { text: 'hi', emotion: 'Neutral' } },
    { id: 's1', track: 'a', start: 1 * R, end: 2 * R, fields: { text: 'hello', emotion: 'Worried' } },
    { id: 's3', track: 'a', start: 5 * R, end: 6 * R, fields: { text: 'bye', emotion: 'Worried' } },
  ],
  classifications: {
    speechNonSpeech: 'Non-speech', backgroundNoise: ['Traffic', 'Ambient'], speakerGender: 'Female',
    environmentalSounds: ['Birds chirping'], textTranslationFinal: 'Hello & <bye>', rate: 4,
  },
};

/** An answer as crowd-form submits it: the hidden `annotations` input and the sample's inputs. */
const answerOf = (doc, mapping) => ({ annotations: JSON.stringify(doc), ...sampleAnswerKeys(doc, mapping) });

/**
 * The AWS sample's post-annotation logic as doc/ground-truth.md's reference describes it, written
 * independently of ours: per data object, each answer parsed, its flattened keys copied from the
 * answer's top level (emotionTag from emotiontag), a missing one {} or "".
 */
function sampleConsolidation(payload, label) {
  const out = [];
  for (const object of payload) {
    try {
      const all = object.annotations.map((a) => {
        const content = a.annotationData.content;
        const answer = JSON.parse(content);
        const get = (k, missing) => (k in answer ? answer[k] : missing);
        return {
          workerId: a.workerId, rawContent: content,
          backgroundNoise: get('backgroundNoise', {}), emotionTag: get('emotiontag', ''), environmentalSounds: get('environmentalSounds', {}),
          label: get('label', ''), rate: get('rate', {}), speakerGender: get('speakerGender', {}), speechNonSpeech: get('speechNonSpeech', {}),
          textTranslationFinal: get('textTranslationFinal', ''),
        };
      });
      out.push({ datasetObjectId: object.datasetObjectId, consolidatedAnnotation: { content: { [label]: { annotationsFromAllWorkers: all } } } });
    } catch {
      // The sample logs a failed data object and leaves it out.
    }
  }
  return out;
}

test('option values take the sample\'s spelling: lower camel case of the option', () => {
  assert.equal(sampleValue('Speech'), 'speech');
  assert.equal(sampleValue('Non-speech'), 'non-speech');
  assert.equal(sampleValue('Birds chirping'), 'birdsChirping');
  assert.equal(sampleValue('5+'), '5+');
  assert.equal(sampleValue('Male'), 'male');
});

test('audio template with x-aws-sample: every top-level key in the sample\'s shape, field by field', async () => {
  const mapping = sampleMapping(await templateConfig('audio.liquid.html'));
  assert.deepEqual(mapping.map((m) => m.key), ['speechNonSpeech', 'backgroundNoise', 'speakerGender', 'environmentalSounds', 'textTranslationFinal', 'rate', 'emotiontag', 'label']);
  const keys = sampleAnswerKeys(callDoc, mapping);
  assert.deepEqual(keys.speechNonSpeech, { 'non-speech': true });                  // radio group
  assert.deepEqual(keys.backgroundNoise, { traffic: true, music: false, ambient: true });   // checkboxes
  assert.deepEqual(keys.speakerGender, { female: true });
  assert.deepEqual(keys.environmentalSounds, { doorbell: false, footsteps: false, birdsChirping: true });
  assert.equal(keys.textTranslationFinal, 'Hello & <bye>');                       // text, as typed
  assert.deepEqual(keys.rate, { 4: true });                                       // 1-5 radio
  assert.equal(keys.emotiontag, 'worried, neutral', 'the segments\' emotions, lower case, in time order, each once');
  assert.equal(keys.label, 'customer, representative', 'the tracks\' tags, lower case, in time order');
  // Unanswered: a radio group submits nothing, checkboxes all false, text empty.
  const empty = sampleAnswerKeys({ ...callDoc, segments: [], classifications: {} }, mapping);
  assert.deepEqual(empty, { backgroundNoise: { traffic: false, music: false, ambient: false }, environmentalSounds: { doorbell: false, footsteps: false, birdsChirping: false }, textTranslationFinal: '', emotiontag: '', label: '' });
});

test('video template with x-aws-sample: videoQuality, primaryIncidents, sceneChange as yes/no, presenceOfObjects', async () => {
  const mapping = sampleMapping(await templateConfig('video.liquid.html'));
  const doc = { ...callDoc, tracks: [{ id: 'd', category: 'Dog', tag: 'Dog #1' }], segments: [{ id: 's1', track: 'd', start: 0, end: R, fields: { text: 'runs' } }],
    classifications: { videoQuality: 'Average', primaryIncidents: '5+', sceneChange: true, presenceOfObjects: ['Animals', 'Other'] } };
  const keys = sampleAnswerKeys(doc, mapping);
  assert.deepEqual(keys, {
    videoQuality: { average: true }, primaryIncidents: { '5+': true }, sceneChange: { yes: true },
    presenceOfObjects: { people: false, vehicles: false, animals: true, structures: false, other: true }, label: 'dog#1',
  });
  assert.deepEqual(sampleAnswerKeys({ ...doc, classifications: { sceneChange: false } }, mapping).sceneChange, { no: true });
});

test('the mapping is configurable, and a mistake in it is named', async () => {
  const config = await templateConfig('audio.liquid.html', { keys: {
    speakerGender: { classification: 'speakerGender', values: { Mixed: 'male', Unsure: 'female' } },
    label: { category: 'language' }, emotiontag: null, note: { segmentField: 'text' },
  } });
  const mapping = sampleMapping(config);
  assert.ok(!mapping.some((m) => m.key === 'emotiontag'));
  const doc = { ...callDoc, classifications: { speakerGender: 'Mixed' } };
  const keys = sampleAnswerKeys(doc, mapping);
  assert.deepEqual(keys.speakerGender, { male: true });
  assert.equal(keys.label, '');
  assert.equal(keys.note, 'hello, hi, bye', 'a free-text segment field keeps its text');
  const bad = (option) => () => sampleMapping({ ...config, 'x-aws-sample': option });
  assert.throws(bad({ keys: { rate: { classification: 'rating' } } }), /^Error: "x-aws-sample"\.keys\.rate: names classification "rating", which the config does not declare$/);
  assert.throws(bad({ keys: { rate: { classification: 'rate', as: 'checkbox' } } }), /"as" must be one of radio, checkboxes, text/);
  assert.throws(bad({ keys: { annotations: { classification: 'rate' } } }), /keys\.annotations: is not a usable input name/);
  assert.throws(bad({ key: {} }), /unknown key "key" \(expected "keys"\)/);
  assert.throws(bad('yes'), /must be true, false or/);
  assert.equal(sampleMapping({ ...config, 'x-aws-sample': false }), null);
});

async function withS3(t) {
  const s3 = await startS3Stub();
  const saved = { ...process.env };
  Object.assign(process.env, { AWS_ENDPOINT_URL_S3: s3.endpoint, AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE', AWS_SECRET_ACCESS_KEY: 'secret', AWS_REGION: 'us-east-1', AWS_EC2_METADATA_DISABLED: 'true' });
  t.after(async () => {
    for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
    Object.assign(process.env, saved);
    await s3.close();
  });
  return s3;
}

const PAYLOAD = 's3://gt-bucket/job/annotations/consolidation-request/iteration-1/2026-11-29_10:00:00.json';
const event = { version: '2018-10-16', labelingJobArn: 'arn:aws:sagemaker:us-east-1:123456789012:labeling-job/calls', labelCategories: [],
  labelAttributeName: 'calls', roleArn: 'arn:aws:iam::123456789012:role/gt', payload: { s3Uri: PAYLOAD } };

test('an avseg answer without the option gives the sample\'s logic nothing; with it, every flattened key; our Lambda in the sample\'s shape gives exactly what the sample\'s logic gives', async (t) => {
  const mapping = sampleMapping(await templateConfig('audio.liquid.html'));
  const other = { ...callDoc, segments: callDoc.segments.slice(0, 1), classifications: { speechNonSpeech: 'Speech', rate: 2, speakerGender: 'Male' } };
  const content = (answer) => JSON.stringify(answer);
  // As measured: the answer of avseg's templates holds only `annotations`, so every key comes out empty.
  const before = sampleConsolidation([{ datasetObjectId: '0', annotations: [{ workerId: 'w1', annotationData: { content: content({ annotations: JSON.stringify(callDoc) }) } }] }], 'calls');
  const emptyKeys = { backgroundNoise: {}, emotionTag: '', environmentalSounds: {}, label: '', rate: {}, speakerGender: {}, speechNonSpeech: {}, textTranslationFinal: '' };
  const { workerId: _w, rawContent: _r, ...beforeKeys } = before[0].consolidatedAnnotation.content.calls.annotationsFromAllWorkers[0];
  assert.deepEqual(beforeKeys, emptyKeys);

  const payload = [
    { datasetObjectId: '0', dataObject: { s3Uri: 's3://media/call-1.mp3' }, annotations: [
      { workerId: 'private.us-east-1.w1', annotationData: { content: content(answerOf(callDoc, mapping)) } },
      { workerId: 'private.us-east-1.w2', annotationData: { content: content(answerOf(other, mapping)) } },
    ] },
    // The sample's own answer (no avseg document at all) goes through unchanged too.
    { datasetObjectId: '1', dataObject: { s3Uri: 's3://media/call-2.mp3' }, annotations: [
      { workerId: 'w3', annotationData: { content: content({ annotations: '{"streams": {}}', emotiontag: 'happy', rate: { 5: true } }) } },
    ] },
    // Not JSON: the sample leaves the data object out.
    { datasetObjectId: '2', dataObject: { s3Uri: 's3://media/call-3.mp3' }, annotations: [{ workerId: 'w4', annotationData: { content: '{"annotations": ' } }] },
  ];
  const s3 = await withS3(t);
  s3.objects.set(PAYLOAD.slice('s3://'.length), { body: Buffer.from(JSON.stringify(payload)) });
  process.env.AVSEG_OUTPUT_SHAPE = 'aws-sample';
  const errors = [];
  const log = console.error;
  console.error = (...a) => errors.push(a.join(' '));
  let ours;
  try {
    ours = await handler(event);
  } finally {
    console.error = log;
  }
  const expected = sampleConsolidation(payload, 'calls');
  assert.equal(expected.length, 2);
  assert.deepEqual(ours, expected, 'the same entries, keys and values as the sample\'s logic');
  assert.deepEqual(JSON.stringify(ours), JSON.stringify(expected), 'in the sample\'s key order too');
  assert.match(errors.join('\n'), /item 2 is left out: worker w4: the answer is not JSON/);
  const first = ours[0].consolidatedAnnotation.content.calls.annotationsFromAllWorkers[0];
  assert.deepEqual(Object.keys(first), ['workerId', 'rawContent', 'backgroundNoise', 'emotionTag', 'environmentalSounds', 'label', 'rate', 'speakerGender', 'speechNonSpeech', 'textTranslationFinal']);
  assert.deepEqual({ ...first, rawContent: undefined }, {
    workerId: 'private.us-east-1.w1', rawContent: undefined,
    backgroundNoise: { traffic: true, music: false, ambient: true }, emotionTag: 'worried, neutral',
    environmentalSounds: { doorbell: false, footsteps: false, birdsChirping: true }, label: 'customer, representative',
    rate: { 4: true }, speakerGender: { female: true }, speechNonSpeech: { 'non-speech': true }, textTranslationFinal: 'Hello & <bye>',
  });
  assert.deepEqual(JSON.parse(JSON.parse(first.rawContent).annotations), callDoc, 'rawContent is the whole answer, the document in it');

  process.env.AVSEG_OUTPUT_SHAPE = 'sample';
  await assert.rejects(handler(event), /AVSEG_OUTPUT_SHAPE is "sample": expected "avseg" \(the default\) or "aws-sample"/);
});

test('scripts/export --format aws-sample rewrites an output manifest into the sample\'s shape', async (t) => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'avseg-aws-sample-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const mapping = sampleMapping(await templateConfig('audio.liquid.html'));
  const answer = answerOf(callDoc, mapping);
  // A local run's line (annotationData.content) and one whose answer is a worker-response file.
  await writeFile(path.join(dir, 'response.json'), JSON.stringify({ answers: [{ workerId: 'w2', answerContent: answer }] }));
  const meta = { job_name: 'calls', type: 'groundTruth/custom', 'human-annotated': 'yes', creation_date: '2026-11-29T10:00:00.000Z' };
  const lines = [
    { 'source-ref': 'a.wav', calls: { annotationsFromAllWorkers: [{ workerId: 'w1', annotationData: { content: JSON.stringify(answer) } }] }, 'calls-metadata': meta },
    { 'source-ref': 'b.wav', calls: { annotationsFromAllWorkers: [{ workerId: 'w2', annotationData: { s3Uri: 'response.json' } }] }, 'calls-metadata': meta },
  ];
  await writeFile(path.join(dir, 'in.manifest'), lines.map((l) => `${JSON.stringify(l)}\n`).join(''));
  await promisify(execFile)(process.execPath, [path.join(root, 'scripts/export'), path.join(dir, 'in.manifest'), '--format', 'aws-sample', '--out', path.join(dir, 'out')]);
  const out = (await readFile(path.join(dir, 'out', 'output.manifest'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l));
  const text = JSON.stringify(answer);
  const expected = sampleConsolidation([{ datasetObjectId: 'x', annotations: [{ workerId: 'w1', annotationData: { content: text } }] }], 'calls')[0].consolidatedAnnotation.content;
  assert.deepEqual(out[0], { ...lines[0], ...expected });
  assert.deepEqual(out[1].calls.annotationsFromAllWorkers, [{ ...expected.calls.annotationsFromAllWorkers[0], workerId: 'w2' }]);
  assert.deepEqual(out[1]['calls-metadata'], meta);
});

test('the ready-made sample templates: the sample\'s label sets and questions, read by the core, giving exactly the sample\'s values', async () => {
  const { default: create } = await import('../../dist/avseg-model.js');
  const M = await create({ wasmBinary: await readFile(path.join(root, 'dist/avseg-model.wasm')) });
  const load = async (name) => {
    const html = await readFile(path.join(root, 'template', name), 'utf8');
    const text = /<script[^>]*id="avseg-config"[^>]*>([\s\S]*?)<\/script>/.exec(html)[1];
    const a = new M.Annotations();
    try {
      const result = a.setConfig(text);
      assert.equal(result.ok, true, `${name}: ${result.reason}`);
      return { raw: JSON.parse(text), config: JSON.parse(a.config()) };
    } finally {
      a.delete();
    }
  };
  // Every option of each key, as the sample's inputs' value attributes (shared/reference/ground-truth.md).
  const answersOf = (f) => (f.type === 'rating' ? Array.from({ length: f.max - f.min + 1 }, (_, i) => f.min + i) : f.type === 'boolean' ? [true, false] : f.options);
  const values = (mapping) => Object.fromEntries(mapping.filter((m) => m.source === 'classification' && m.kind !== 'text').map((m) => [m.key,
    m.kind === 'checkboxes' ? Object.keys(sampleAnswerKeys({ classifications: {} }, [m])[m.key])
      : answersOf(m.field).map((answer) => Object.keys(sampleAnswerKeys({ classifications: { [m.field.name]: answer } }, [m])[m.key])[0])]));

  const audio = await load('aws-sample-audio.liquid.html');
  assert.equal(audio.config.minSegments, 1);
  assert.deepEqual(audio.config.categories.map((c) => [c.name, c.tags]), [
    ['language', ['English', 'Spanish', 'French', 'German', 'Hindi', 'Italian', 'Portuguese', 'Dutch']], ['speaker', ['Customer', 'Representative']]]);
  assert.deepEqual(audio.config.segmentFields.map((f) => [f.name, f.type, f.options]), [['text', 'text', undefined], ['emotion', 'choice', ['Happy', 'Angry', 'Neutral', 'Sad', 'Worried']]]);
  const audioMapping = sampleMapping(audio.raw);
  assert.deepEqual(values(audioMapping), {
    speechNonSpeech: ['speech', 'non-speech'], backgroundNoise: ['traffic', 'music', 'ambient'], speakerGender: ['male', 'female'],
    environmentalSounds: ['doorbell', 'footsteps', 'birdsChirping'], rate: ['1', '2', '3', '4', '5'],
  });
  assert.equal(audio.config.classifications.find((f) => f.name === 'textTranslationFinal')['x-prefill'], 'transcription');
  assert.deepEqual(audioMapping.map((m) => m.key).filter((k) => !(k in values(audioMapping))), ['textTranslationFinal', 'emotiontag', 'label']);

  const video = await load('aws-sample-video.liquid.html');
  assert.equal(video.config.minSegments, 1);
  assert.deepEqual(video.config.categories.map((c) => [c.name, c.tags]), [['Gait', ['Walk', 'Amble', 'Pace', 'Trot', 'Canter', 'Gallop']], ['Dog', ['Dog #1', 'Dog #2', 'Dog #3']]]);
  assert.deepEqual(video.config.segmentFields.map((f) => [f.name, f.label]), [['text', 'Notes'], ['emotion', 'Emotion']]);
  assert.deepEqual(values(sampleMapping(video.raw)), {
    videoQuality: ['good', 'average', 'poor'], primaryIncidents: ['0', '1', '2', '3', '4', '5+'], sceneChange: ['yes', 'no'],
    presenceOfObjects: ['people', 'vehicles', 'animals', 'structures', 'other'],
  });
  assert.equal(video.config.classifications.find((f) => f.name === 'primaryIncidents')['x-default'], '0');
});
