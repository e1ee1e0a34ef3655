// SPDX-License-Identifier: MIT
// Both wasm modules used as the worker (web/src/load-*.js, worker-render.js, read-ahead.js) and
// the element (model.js, annotation-session.js) use them: type-checked, never run
// (tests/wasm/types.test.mjs).
import createAvsegCore, { type AvsegCoreModule, type SpectrogramView, type View } from '../../web/avseg-core.js';
import createAvsegModel, { type Result } from '../../web/avseg-model.js';

declare const bytes: Uint8Array;
declare const blob: { size: number };
const readFn = (position: number, length: number): Uint8Array => bytes.subarray(position, position + length);

async function worker(): Promise<void> {
  const M: AvsegCoreModule = await createAvsegCore({ locateFile: (file) => new URL(file, 'https://cdn.example/avseg/').href });
  const session = new M.Session();
  session.push(bytes.subarray(0, 65536));
  let status = session.pump(32);
  while (status.state === 1) status = session.pump(32);
  if (!status.ok) console.log(status.code, status.message);
  if (session.opened() && session.bytesAhead() > 1 << 20) session.finish();
  const seekable: boolean = session.attachSeekable(readFn, blob.size).state >= 0;
  const inPlace = session.openSeekable(readFn, blob.size);
  if (inPlace.code === 'link-expired' || inPlace.code === 'fetch-failed') console.log(inPlace.message, seekable);
  const peaks = session.seedPeaksFile(bytes);
  if (peaks.ok) console.log(peaks.version, peaks.bits, peaks.channels, peaks.sampleRate, peaks.samplesPerPixel, peaks.length);
  else if (peaks.code === 'invalid-peaks') console.log(peaks.message);
  const mismatch: string = session.peaksMismatch();
  const info = session.info();
  const seconds: number = info.frames / info.sampleRate + info.startTime;
  console.log(mismatch, seconds, info.format, info.codec, info.channels, info.declaredDuration, info.bytesReceived, info.hasVideo, session.memoryBytes());
  for (const problem of session.problems()) console.log(problem.code, problem.message);

  const view: View = { startFrame: 0, framesPerPixel: 256, width: 800, height: 120, background: 0xff000000, wave: 0xffffffff, axis: 0xff808080, sampleDot: 0xffffffff, amplitude: 1 };
  const finer = view.framesPerPixel < session.peaksBaseFrames();
  const many = session.framesToDecode(view) > 1 << 17;
  const [start, end] = session.bytesFor(view);
  const [ahead] = session.bytesForPrefetch(view);
  const rendered = session.render(view, finer && !many && session.needsDecode(view));
  if (rendered.ok) {
    const image = new ImageData(new Uint8ClampedArray(session.pixels()), view.width, view.height);
    console.log(image, rendered.fromSamples, rendered.decoded, rendered.level, start, end, ahead);
  }
  const more: boolean = session.prefetch(view, 8);
  const spectro: SpectrogramView = { startFrame: 0, framesPerPixel: 256, width: 800, height: 160, windowSize: 2048, scale: 'mel', colorMap: 'magma', minDb: -100, maxDb: 0, minHz: 0, maxHz: 0 };
  const drawn = session.renderSpectrogram(spectro);
  const rows: Float64Array = M.spectrogramRows(spectro, info.sampleRate, [100, 1000, 10000]);
  console.log(more, drawn.ok, drawn.fromSamples, drawn.tilesComputed, drawn.tilesReused, rows, session.samples(0, 1024).length);

  // The analyses (web/src/worker-analysis.js).
  const energy = session.energy();
  const loud = session.loudness(10);
  if (loud.ok) console.log(energy.hop, energy.levels[0], loud.stepFrames, loud.momentary, loud.shortTerm, loud.integrated ?? 'silence', loud.range, loud.jumps.map((j) => j.frame + j.from - j.to));
  const found = session.pauses(-30, 0.2, true);
  if (found.ok) console.log(found.sampleRate, found.speechLevelDb, found.thresholdDb, found.minDuration, found.pauses.map((p) => p.end - p.start));
  else if (found.code === 'fetch-failed') console.log(found.message);
  const hop: number = session.pitchHop(50, 800, 0.001);
  const pitch = session.pitch(0, 1000 * hop, 50, 800, 0.001);
  if (pitch.ok) console.log(pitch.hop, pitch.firstIndex, pitch.hz, pitch.clarity);
  const range = M.speakerPitchRange(pitch.hz, pitch.clarity, 50, 800);
  const snapped = session.snap(4800, 480, 1 | 2 | 4);
  if (snapped.kind !== null) console.log(snapped.frame, snapped.kind, range.floorHz, range.ceilingHz);
  const [from, to] = session.bytesForFrames(0, 48000);
  console.log(from, to);
  session.delete();

  const motion = new M.Motion();
  if (motion.push(bytes, 64, 36, 2)) motion.finish();
  const moved = motion.result();
  console.log(motion.frames(), moved.frames, moved.motion, moved.cuts, moved.jerks);
  motion.delete();

  const index = new M.VideoIndex();
  const facts = index.open(readFn, blob.size);
  if (facts.ok) console.log(facts.width, facts.height, facts.codec, facts.timeBaseNum / facts.timeBaseDen);
  else if (facts.code !== 'no-video') console.log(facts.message);
  while (index.step(200));
  const frames: Float64Array = index.frames();
  const keys: Uint8Array = index.keyFrames();
  console.log(frames.length, keys[0]);
  index.delete();

  const plan = new M.ReadPlan(blob.size);
  plan.feed(0, bytes);
  const state = plan.state();
  if (state.container === 'mp4' && !state.done && !state.problem) console.log(plan.wants(), state.fragmented, state.hopByHop);
  console.log(plan.mediaRanges(), plan.indexRanges());
  plan.delete();
}

function check(result: Result): string {
  if (result.ok) return result.id;
  throw Object.assign(new Error(result.message), { code: result.code });
}

async function element(): Promise<void> {
  const { Annotations } = await createAvsegModel({});
  const model = new Annotations();
  check(model.setConfig(JSON.stringify({ categories: { speaker: ['A'] } })));
  model.setTimebase(48000, 48000 * 60);
  model.setMedia(JSON.stringify({ url: 'clip.wav' }), 'task-1');
  const loaded = model.load('{"format": "avseg.annotation", "version": 1}');
  if (!loaded.ok && loaded.code === 'invalid-document') console.log(loaded.message, loaded.reason);
  const track = check(model.addTrack('speaker', 'A'));
  model.beginTransaction();
  try {
    const id = check(model.addSegment(track, 0, 48000, JSON.stringify({ text: 'hi' })));
    check(model.setBounds(id, 0, 96000));
    check(model.moveSegment(id, 100, ''));
    check(model.placeSegment(id, track, 0, 4800));
    check(model.setField(id, 'text', JSON.stringify('hello'), true));
    model.endTyping();
    const right = check(model.splitSegment(id, 2400));
    check(model.mergeSegments(id, right));
    if (!model.commitTransaction()) throw new Error('no transaction');
  } catch (err) {
    model.rollbackTransaction();
    throw err;
  }
  console.log(model.transactionDepth(), model.revision(), model.canUndo() && model.undo(), model.canRedo() && model.redo());
  model.beginGroup();
  check(model.setClassification('speech', '"speech"', false));
  model.endGroup();
  check(model.renameTrack(track, 'B'));
  const spans = model.spans(0, 48000);
  for (let i = 0; i < spans.length / 3; i++) console.log(model.spanId(i), spans[3 * i], spans[3 * i + 1], spans[3 * i + 2]);
  const listing = model.listing(true);
  console.log(listing.length, model.listingId(true, 0), model.nextOnTrack(model.listingId(false, 0)));
  const doc = JSON.parse(model.save()) as { segments: unknown[] };
  const problems = JSON.parse(model.validate()) as { segment: string; message: string }[];
  console.log(doc.segments.length, problems, model.segment('s1'), model.tracks(), model.classifications(), model.config(), model.rate(), model.segmentCount());
  check(model.removeSegment('s1'));
  check(model.removeTrack(track));
  model.delete();
}

export { worker, element };
