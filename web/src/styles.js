// SPDX-License-Identifier: MIT
// Shadow-DOM styles, inlined as a string: no extra request, and no style-src 'unsafe-inline'
// is needed since constructable stylesheets are used where the browser has them.
export const css = `
:host { display: block; font: 13px/1.3 system-ui, sans-serif; color: #1d2633;
  --avseg-background: #ffffff; --avseg-wave: #2f6fb3; --avseg-axis: #c8d0dc; --avseg-sample: #173d66;
  --avseg-cursor: #d9480f; --avseg-accent: #2f6fb3; outline: none; }
:host(:focus-visible) .frame { box-shadow: 0 0 0 2px var(--avseg-accent); }
.frame { border: 1px solid #c9d1dc; border-radius: 4px; background: var(--avseg-background); overflow: hidden; }
.toolbar { display: flex; gap: 6px; align-items: center; padding: 6px; border-bottom: 1px solid #e3e8ef; flex-wrap: wrap; }
button, select { font: inherit; padding: 3px 8px; border: 1px solid #b8c2d0; border-radius: 3px; background: #f7f9fb; color: inherit; cursor: pointer; }
button:disabled { opacity: 0.5; cursor: default; }
button:focus-visible, select:focus-visible { outline: 2px solid var(--avseg-accent); outline-offset: 1px; }
.time { font-variant-numeric: tabular-nums; min-width: 15ch; }
.spacer { flex: 1; }
.sep { width: 1px; align-self: stretch; background: #e3e8ef; margin: 0 2px; }
.record[aria-pressed="true"] { background: #fdebe3; border-color: #d9480f; }
.status { color: #5b6677; font-size: 12px; }
.loudness-badge { color: #5b6677; font-size: 12px; font-variant-numeric: tabular-nums; }
.loudness-badge[hidden] { display: none; }
.progress { height: 3px; background: #e3e8ef; }
.progress > div { height: 100%; width: 0; background: var(--avseg-accent); transition: width 0.1s linear; }
.progress[hidden] { display: none; }
.error { margin: 6px; padding: 6px 8px; border: 1px solid #e0a3a3; background: #fdf0f0; color: #8a1c1c; border-radius: 3px; white-space: pre-wrap; }
.error[hidden] { display: none; }
.notice { margin: 6px; padding: 6px 8px; border: 1px solid #b7d4b0; background: #f1f8ef; color: #23461c; border-radius: 3px; }
.notice[hidden] { display: none; }
.draft-memory { margin: 6px; padding: 6px 8px; border: 1px solid #d9b25c; background: #fdf6e3; color: #5c4103; border-radius: 3px; }
.draft-memory[hidden] { display: none; }
.core-thread { margin: 6px; padding: 6px 8px; border: 1px solid #9bb7d4; background: #eef4fb; color: #1d3b5c; border-radius: 3px; }
.draft-where { margin: 2px 8px; font-size: 12px; color: #4a5566; }
.draft-where[hidden] { display: none; }
.video { display: block; width: 100%; max-height: var(--avseg-video-height, 360px); background: #000; }
.video[hidden] { display: none; }
.overview { position: relative; height: 40px; border-bottom: 1px solid #e3e8ef; cursor: pointer; touch-action: none; }
.spectrogram { position: relative; height: var(--avseg-spectrogram-height, 140px); border-top: 1px solid #e3e8ef; }
.spectrogram[hidden], .spectro-controls[hidden] { display: none; }
.spectrogram canvas { position: absolute; inset: 0; width: 100%; height: 100%; }
.overview canvas, .wave canvas { position: absolute; inset: 0; width: 100%; height: 100%; }
.viewport { position: absolute; top: 0; bottom: 0; border: 1px solid var(--avseg-accent); background: rgba(47,111,179,0.08); pointer-events: none; box-sizing: border-box; }
.filmstrip { display: block; width: 100%; height: var(--avseg-filmstrip-height, 48px); background: #1d2633; }
.filmstrip[hidden] { display: none; }
.ruler { display: block; width: 100%; height: 22px; border-bottom: 1px solid #e3e8ef; }
.wave { position: relative; height: var(--avseg-wave-height, 160px); cursor: text; touch-action: none; }
.cursor { position: absolute; top: 0; bottom: 0; left: 0; width: 0; border-left: 1px solid var(--avseg-cursor); pointer-events: none; will-change: transform; }
.cursor.overview-cursor { opacity: 0.7; }
.analysis-bar { display: flex; gap: 8px; align-items: center; flex-wrap: wrap; padding: 3px 6px; border-top: 1px solid #e3e8ef; font-size: 12px; color: #4a5566; }
.analysis-bar input[type="number"] { width: 6ch; font: inherit; }
.analysis-title { font-weight: 600; }
.suggestion-line { font-variant-numeric: tabular-nums; }
.analysis[hidden], .analysis-strip[hidden], .motion-toggle[hidden] { display: none; }
.analysis-strip { position: relative; border-top: 1px solid #e3e8ef; }
.analysis-strip[data-kind="pauses"] { height: var(--avseg-pauses-height, 18px); }
.analysis-strip[data-kind="pitch"] { height: var(--avseg-pitch-height, 90px); }
.analysis-strip[data-kind="loudness"] { height: var(--avseg-loudness-height, 70px); }
.analysis-strip[data-kind="motion"] { height: var(--avseg-motion-height, 40px); }
.analysis-strip canvas { position: absolute; inset: 0; width: 100%; height: 100%; }
.analysis-label { position: absolute; top: 1px; right: 4px; font-size: 11px; color: #4a5566; background: rgba(255,255,255,0.8); padding: 0 3px; pointer-events: none; white-space: nowrap; }
.lanes { display: block; width: 100%; height: 0; cursor: default; }
.help-overlay { margin: 6px; padding: 8px 12px; border: 1px solid #b8c2d0; border-radius: 4px; background: #fff; box-shadow: 0 2px 8px rgba(0,0,0,0.15); }
.help-overlay[hidden] { display: none; }
.help-overlay dl { display: grid; grid-template-columns: max-content 1fr; gap: 2px 12px; margin: 0; }
.help-overlay dt { font-weight: 600; font-family: ui-monospace, monospace; }
.help-overlay dd { margin: 0; }
.panel { display: grid; grid-template-columns: 1fr 1fr; gap: 8px; padding: 8px; border-top: 1px solid #e3e8ef; }
.panel h3 { margin: 0 0 6px; font-size: 13px; }
.panel .hint { color: #4a5566; margin: 0; }
.list-box { grid-column: 1 / -1; }
.list-head { display: flex; justify-content: space-between; align-items: center; margin-bottom: 4px; color: #4a5566; }
.segment-list .row.heading { font-weight: 600; background: #f0f3f7; cursor: default; }
.announce { position: absolute; width: 1px; height: 1px; overflow: hidden; clip-path: inset(50%); white-space: nowrap; }
.frame { position: relative; }
.segment-list { position: relative; height: 160px; overflow-y: auto; border: 1px solid #e3e8ef; }
.segment-list:focus-visible { outline: 2px solid var(--avseg-accent); }
.segment-list .rows { position: relative; }
.segment-list .row { position: absolute; left: 0; right: 0; height: 24px; line-height: 24px; padding: 0 6px; white-space: pre; overflow: hidden; text-overflow: ellipsis; cursor: pointer; font-variant-numeric: tabular-nums; }
.segment-list .row[aria-selected="true"] { background: #fdebe3; font-weight: 600; }
.field { margin: 0 0 8px; }
.field-label { display: block; font-weight: 600; margin-bottom: 2px; }
.field textarea { width: 100%; min-height: 3em; box-sizing: border-box; font: inherit; }
.field input[type="text"] { width: 100%; box-sizing: border-box; font: inherit; }
.field .choice { margin-right: 10px; white-space: nowrap; }
.field-problem { display: block; color: #8a1c1c; font-size: 12px; }
.times { display: flex; gap: 6px; flex-wrap: wrap; align-items: center; margin-bottom: 8px; }
.times input { width: 11ch; font: inherit; font-variant-numeric: tabular-nums; }
.scrollbar { position: relative; height: 12px; background: #f0f3f7; touch-action: none; }
.scrollbar > div { position: absolute; top: 2px; bottom: 2px; border-radius: 4px; background: #b8c2d0; }
.scrollbar > div:hover { background: #96a3b5; }
`;
