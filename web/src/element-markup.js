// SPDX-License-Identifier: MIT
// The element's shadow DOM: its markup, its styles (one constructed sheet per document) and the
// map of the named nodes the parts are given.
import { css } from './styles.js';
import { helpMarkup } from './keys.js';

// Drawn, not typed: the transport glyphs U+23EA-23EF are emoji that a machine without an emoji font
// shows as empty boxes.
const icon = (path) => `<svg viewBox="0 0 16 16" width="14" height="14" fill="currentColor" aria-hidden="true">${path}</svg>`;

const RATES = [0.25, 0.5, 0.75, 1, 1.25, 1.5, 2, 3, 4];

const markup = `
<div class="frame" part="frame">
  <div class="toolbar" part="toolbar">
    <button class="play" type="button" aria-label="Play" title="Play / pause (Space)" disabled>▶</button>
    <button class="seek-start" type="button" aria-label="Go to the start" title="Start (Home)" disabled>${icon('<path d="M3 3h2v10H3zM13 3v10L6 8z"/>')}</button>
    <button class="seek-back" type="button" aria-label="Step back" title="Step back by the seek step" disabled>${icon('<path d="M8 3v10L2 8zM15 3v10L9 8z"/>')}</button>
    <button class="seek-forward" type="button" aria-label="Step forward" title="Step forward by the seek step" disabled>${icon('<path d="M1 3v10l6-5zM8 3v10l6-5z"/>')}</button>
    <button class="seek-end" type="button" aria-label="Go to the end" title="End (End)" disabled>${icon('<path d="M3 3v10l7-5zM11 3h2v10h-2z"/>')}</button>
    <span class="time" aria-live="off">0:00.000 / 0:00.000</span>
    <label class="frame-box" hidden>Frame <input class="frame-input" type="number" min="1" step="1" aria-label="Go to frame number"></label>
    <button class="zoom-out" type="button" aria-label="Zoom out" title="Zoom out (-)" disabled>−</button>
    <button class="zoom-in" type="button" aria-label="Zoom in" title="Zoom in (+)" disabled>+</button>
    <button class="zoom-fit" type="button" aria-label="Show the whole file" title="Whole file (0)" disabled>↔</button>
    <label>Speed <select class="rate" aria-label="Playback speed">${RATES.map((r) => `<option value="${r}"${r === 1 ? ' selected' : ''}>${r}×</option>`).join('')}</select></label>
    <span class="sep" aria-hidden="true"></span>
    <select class="track-category" aria-label="Category of a new track"></select>
    <select class="track-tag" aria-label="Tag of a new track"></select>
    <button class="add-track" type="button" disabled>Add track</button>
    <button class="remove-track" type="button" title="Delete the selected track and its segments (undoable)" disabled>Delete track</button>
    <button class="record" type="button" aria-pressed="false" title="Begin / stop recording a segment on the selected track (R)" disabled>● Record</button>
    <label class="snap-toggle"><input class="snap" type="checkbox" checked> Snap</label>
    <label class="spectro-toggle"><input class="spectro" type="checkbox"> Spectrogram</label>
    <span class="spectro-controls" hidden>
      <select class="spectro-scale" aria-label="Spectrogram frequency scale"><option value="linear">linear</option><option value="mel" selected>mel</option><option value="log">log</option></select>
      <select class="spectro-window" aria-label="Spectrogram window size">${[256, 512, 1024, 2048, 4096, 8192].map((n) => `<option value="${n}"${n === 2048 ? ' selected' : ''}>${n}</option>`).join('')}</select>
      <select class="spectro-colors" aria-label="Spectrogram colours"><option value="magma">magma</option><option value="viridis">viridis</option><option value="grayscale">gray</option></select>
    </span>
    <button class="undo" type="button" title="Undo (Ctrl+Z)" aria-label="Undo" disabled>↶</button>
    <button class="redo" type="button" title="Redo (Ctrl+Shift+Z)" aria-label="Redo" disabled>↷</button>
    <span class="spacer"></span>
    <span class="status" role="status"></span>
    <span class="loudness-badge" title="Integrated loudness (EBU R128) and loudness range of the whole file" hidden></span>
    <button class="help" type="button" aria-label="Keyboard shortcuts" title="Keyboard shortcuts (?)">?</button>
  </div>
  <div class="progress" hidden role="progressbar" aria-label="Loading" aria-valuemin="0" aria-valuemax="100"><div></div></div>
  <div class="error" role="alert" hidden></div>
  <div class="notice" role="status" hidden><span></span> <button class="discard" type="button">Discard it</button></div>
  <video class="video" part="video" preload="metadata" playsinline crossorigin="anonymous" hidden></video>
  <div class="overview" part="overview" role="img" aria-label="Overview of the whole file"><canvas></canvas><div class="viewport"></div><div class="cursor overview-cursor"></div></div>
  <canvas class="ruler" part="ruler" aria-hidden="true"></canvas>
  <canvas class="filmstrip" part="filmstrip" role="img" aria-label="Filmstrip" hidden></canvas>
  <div class="wave" part="waveform" role="img" aria-label="Waveform"><canvas></canvas><div class="cursor"></div></div>
  <div class="spectrogram" part="spectrogram" role="img" aria-label="Spectrogram" hidden><canvas></canvas><div class="cursor spectro-cursor"></div></div>
  <div class="analysis-bar" part="analysis-bar">
    <span class="analysis-title">Analysis</span>
    <label><input type="checkbox" data-show="pauses"> Pauses</label>
    <label><input type="checkbox" data-show="pitch"> Pitch</label>
    <label><input type="checkbox" data-show="loudness"> Loudness</label>
    <label class="motion-toggle" hidden><input type="checkbox" data-show="motion"> Motion</label>
    <label title="A pause is at least this much quieter than the file's speech level">Pause below <input class="pause-threshold" type="number" min="-100" max="0" step="1" value="-30" aria-label="Pause threshold in dB below the speech level"> dB</label>
    <label title="The shortest pause">for <input class="pause-min" type="number" min="0.01" max="60" step="0.01" value="0.2" aria-label="Shortest pause in seconds"> s</label>
    <label class="sound-snap-toggle" title="Dragged and nudged boundaries snap to pause edges, energy minima and zero crossings (Shift+S)"><input class="sound-snap" type="checkbox"> Snap to sound</label>
    <span class="suggestion-line" title="N / Shift+N: next / previous suggestion; Enter accepts it"></span>
  </div>
  <div class="analysis" part="analysis" hidden>
    <div class="analysis-strip" data-kind="pauses" role="img" aria-label="Pauses" hidden><canvas></canvas><span class="analysis-label"></span></div>
    <div class="analysis-strip" data-kind="pitch" role="img" aria-label="Pitch contour" hidden><canvas></canvas><span class="analysis-label"></span></div>
    <div class="analysis-strip" data-kind="loudness" role="img" aria-label="Loudness" hidden><canvas></canvas><span class="analysis-label"></span></div>
    <div class="analysis-strip" data-kind="motion" role="img" aria-label="Motion and cuts" hidden><canvas></canvas><span class="analysis-label"></span></div>
  </div>
  <canvas class="lanes" part="lanes" role="img" aria-label="Track lanes: no tracks"></canvas>
  <div class="scrollbar" part="scrollbar" aria-hidden="true"><div></div></div>
  <div class="help-overlay" role="dialog" aria-modal="false" aria-label="Keyboard shortcuts" hidden tabindex="-1">
    <h3>Keyboard shortcuts</h3>
    ${helpMarkup()}
  </div>
  <div class="panel" part="panel">
    <div class="list-box">
      <div class="list-head"><span class="list-count">No segments</span>
        <label>Order <select class="list-order"><option value="time">by time</option><option value="track">by track</option></select></label></div>
      <div class="segment-list" role="listbox" aria-label="Segments" tabindex="0"><div class="rows"></div></div>
    </div>
    <section class="segment-editor" aria-label="Selected segment"><p class="hint">Select a segment, or drag on a track's lane to make one.</p></section>
    <section class="classifications" aria-label="Whole file"></section>
  </div>
  <div class="announce" role="status" aria-live="polite"></div>
</div>`;

// A constructed sheet applies only in the document it was made for: one per document the element is in.
const sheets = new WeakMap();
export function adoptStyles(root) {
  const doc = root.ownerDocument;
  const Sheet = doc.defaultView?.CSSStyleSheet;
  if ('adoptedStyleSheets' in root && typeof Sheet === 'function' && 'replaceSync' in Sheet.prototype) {
    let sheet = sheets.get(doc);
    if (!sheet) {
      sheet = new Sheet();
      sheet.replaceSync(css);
      sheets.set(doc, sheet);
    }
    root.adoptedStyleSheets = [sheet];
  } else if (![...root.children].some((child) => child.localName === 'style')) {
    const style = doc.createElement('style');
    style.textContent = css;
    root.append(style);
  }
}

/**
 * Fills the element's shadow root with the markup and styles; returns its named nodes.
 * @param {ShadowRoot} root
 */
export function buildShadow(root) {
  adoptStyles(root);
  const template = document.createElement('template');
  template.innerHTML = markup;
  root.append(template.content);
  const $ = (s) => root.querySelector(s);
  return {
    play: $('.play'), seekStart: $('.seek-start'), seekBack: $('.seek-back'), seekForward: $('.seek-forward'), seekEnd: $('.seek-end'), time: $('.time'), zoomIn: $('.zoom-in'), zoomOut: $('.zoom-out'), zoomFit: $('.zoom-fit'),
    rate: $('.rate'), status: $('.status'), progress: $('.progress'), progressBar: $('.progress > div'),
    error: $('.error'), notice: $('.notice'), discard: $('.notice .discard'), overview: $('.overview'), overviewCanvas: $('.overview canvas'), viewport: $('.viewport'),
    overviewCursor: $('.overview-cursor'), ruler: $('.ruler'), wave: $('.wave'), waveCanvas: $('.wave canvas'),
    cursor: $('.wave .cursor'), lanes: $('.lanes'), scrollbar: $('.scrollbar'),
    snap: $('.snap'), help: $('.help'), helpOverlay: $('.help-overlay'), removeTrack: $('.remove-track'),
    category: $('.track-category'), tag: $('.track-tag'), addTrack: $('.add-track'), record: $('.record'), undoButton: $('.undo'), redoButton: $('.redo'),
    segmentEditor: $('.segment-editor'), classificationsBox: $('.classifications'), list: $('.segment-list'), rows: $('.segment-list .rows'), thumb: $('.scrollbar > div'), media: $('video'),
    listOrder: $('.list-order'), listCount: $('.list-count'), announce: $('.announce'),
    frameBox: $('.frame-box'), frameInput: $('.frame-input'), filmstrip: $('.filmstrip'),
    spectro: $('.spectro'), spectroControls: $('.spectro-controls'), spectroScale: $('.spectro-scale'), spectroWindow: $('.spectro-window'),
    spectroColors: $('.spectro-colors'), spectrogram: $('.spectrogram'), spectroCanvas: $('.spectrogram canvas'), spectroCursor: $('.spectro-cursor'),
    analysisBar: $('.analysis-bar'), analysis: $('.analysis'), loudnessBadge: $('.loudness-badge'), soundSnap: $('.sound-snap'), suggestionLine: $('.suggestion-line'),
  };
}
