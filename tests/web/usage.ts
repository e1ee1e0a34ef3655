// SPDX-License-Identifier: MIT
// Compiled (not run) by types.test.mjs: what an embedder writes must type-check against avseg.d.ts.
import type { AvsegEditor, AvsegErrorCode, AvsegSwitchDetail } from '../../web/avseg';

const editor = document.querySelector('avseg-editor') as AvsegEditor;
editor.src = 'https://media.example.com/clip.mp3';
editor.addEventListener('ready', (e) => {
  const seconds: number = e.detail.duration + e.detail.sampleRate + e.detail.channels;
  editor.zoomTo(0, seconds / 10);
});
editor.addEventListener('error', (e) => {
  const code: AvsegErrorCode = e.detail.code;
  if (e.detail.fatal) console.warn(code, e.detail.message);
  // A presigned link that expired: the host signs the same media again.
  if (code === 'link-expired') void fetch('/fresh-link').then((r) => r.text()).then((url) => editor.refreshSource(url)).catch((err: Error & { code?: string }) => console.warn(err.code, err.message));
});
editor.addEventListener('progress', (e) => console.log(e.detail.loadedBytes / e.detail.totalBytes, e.detail.decodedSeconds));
editor.addEventListener('viewchange', (e) => console.log(e.detail.start, e.detail.end));
editor.view = { start: 1, end: 2 };
editor.zoomBy(2);
editor.zoomBy(0.5, 1.25);
editor.currentTime = 3;
editor.playbackRate = 1.5;
editor.amplitude = 4;
void editor.play().then(() => editor.pause());
void editor.stats().then((s) => s.wasmHeapBytes + s.coreBytes);
const byTag: AvsegEditor = document.createElement('avseg-editor');
byTag.remove();
editor.config = { categories: { speaker: ['Customer', 'Representative'] } };
const track: string = editor.addTrack('speaker', 'Customer');
const segment: string = editor.addSegment(track, 0.5, 1.25, { transcription: 'hello' });
editor.updateSegment(segment, { end: 1.5, fields: { emotion: 'Happy' } });
editor.addEventListener('change', (e) => console.log(e.detail.value.segments[0].start));
editor.addEventListener('validity', (e) => console.log(e.detail.problems.map((p) => p.message)));
const blocked: boolean = editor.validate().length > 0 || !editor.undo() || editor.redo();
console.log(blocked, editor.value?.format, editor.selectedSegment);
editor.selectedTracks = [track];
const recordingOn: string[] = editor.selectedTracks;
const first: string | null = editor.toggleRecording() ?? editor.selectedTrack;
console.log(recordingOn.length, first);
editor.addEventListener('framechange', (e) => console.log(e.detail.frame, e.detail.time));
editor.addEventListener('frames', (e) => console.log(e.detail.count, e.detail.codec));
const video = editor.frames;
if (video) {
  editor.seekFrame(video.count - 1);
  editor.stepFrame(-1);
  console.log(editor.frame, editor.frameAt(video.times[3]), video.keyFrames[0]);
}
editor.spectrogram = true;
editor.spectrogramOptions = { scale: 'log', windowSize: 4096, colorMap: 'viridis' };
console.log(editor.spectrogramOptions.minDb);
const vtt: string = editor.exportAs('vtt');
console.log(vtt.length, editor.exportAs('audacity', { track }).length);
void editor.importAs('vtt', 'WEBVTT\n').then((d) => { editor.value = d; });

// <avseg-compare>: two clips, switching, the comparison document.
const compare = document.createElement('avseg-compare');
compare.config = { comparison: { criteria: [{ name: 'naturalness', scale: [1, 5], required: true }] } };
void compare.setClips([{ src: 'a.wav', system: 'tts-a' }, { src: 'b.wav', system: 'tts-b' }], { prompt: 'Hello', taskId: 't1' }).then(() => {
  const sw: AvsegSwitchDetail | null = compare.switchTo(1);
  console.log(sw?.offsetMs, compare.active, compare.order[0], compare.editors[0].muted);
  const doc = compare.getComparison();
  if (doc.judgement?.type === 'preference') console.log(doc.judgement.cmos, doc.clips[0].shownAs);
  console.log(compare.problems().map((p) => p.path));
});
compare.addEventListener('switch', (e) => console.log(e.detail.from, e.detail.to, e.detail.time));
