// SPDX-License-Identifier: MIT
// A React app rendering <avseg-editor>. React 19 sets a custom element's known properties
// (config, src) as properties and turns `on<event>` props into listeners for <event>.
import { useRef, useState } from 'react';
import { createRoot } from 'react-dom/client';
import 'avseg';

const config = { categories: [{ name: 'speaker', tags: ['Alice', 'Bob'] }] };
const media = new URLSearchParams(location.search).get('media') ?? 'clip.wav';

function App() {
  const editor = useRef(null);
  const [status, setStatus] = useState('Loading…');
  const [segments, setSegments] = useState([]);

  function addSegment() {
    const el = editor.current;
    const track = el.value.tracks.find((t) => t.tag === 'Alice')?.id ?? el.addTrack('speaker', 'Alice');
    el.addSegment(track, 0.5, 1.25);
  }

  return (
    <main>
      <h1>avseg in React</h1>
      <avseg-editor
        ref={editor}
        config={config}
        src={media}
        onready={(e) => setStatus(`Ready: ${e.detail.duration.toFixed(3)} s`)}
        onerror={(e) => setStatus(`${e.detail.code}: ${e.detail.message}`)}
        onchange={() => setSegments(editor.current.value.segments)}
      />
      <button type="button" disabled={!status.startsWith('Ready')} onClick={addSegment}>Add a segment, 0.5 to 1.25 s</button>
      <p role="status">{status}</p>
      <ul>
        {segments.map((s) => <li key={s.id}>{s.id}: {s.startTime} to {s.endTime} s</li>)}
      </ul>
    </main>
  );
}

createRoot(document.getElementById('root')).render(<App />);
