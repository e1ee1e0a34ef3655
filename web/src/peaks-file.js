// SPDX-License-Identifier: MIT
// Precomputed peaks files, as BBC audiowaveform writes them.

/**
 * Peaks in BBC audiowaveform's format (.dat version 1 or 2, or its JSON), as 16-bit min/max
 * pairs. Throws with what is wrong.
 */
export function parsePeaks(buffer) {
  const bytes = new Uint8Array(buffer);
  if (bytes[0] === 0x7b) {
    const j = JSON.parse(new TextDecoder().decode(bytes));
    const channels = j.channels ?? 1;
    if (![1, 2].includes(j.version) || ![8, 16].includes(j.bits) || !(j.sample_rate > 0) || !(j.samples_per_pixel > 0) || !Array.isArray(j.data)
      || j.data.length !== j.length * channels * 2) throw new Error('the JSON lacks version, bits, sample_rate, samples_per_pixel or length, or its data is not 2 values per pixel and channel');
    return { channels, sampleRate: j.sample_rate, samplesPerPixel: j.samples_per_pixel, data: Int16Array.from(j.data, (v) => (j.bits === 8 ? v * 256 : v)) };
  }
  if (bytes.length < 20) throw new Error('the file is too short for a header');
  const dv = new DataView(buffer);
  const version = dv.getInt32(0, true);
  if (version !== 1 && version !== 2) throw new Error(`version ${version} is not 1 or 2`);
  const eight = (dv.getUint32(4, true) & 1) === 1;
  const sampleRate = dv.getInt32(8, true);
  const samplesPerPixel = dv.getInt32(12, true);
  const length = dv.getUint32(16, true);
  const channels = version === 2 ? dv.getInt32(20, true) : 1;
  const header = version === 2 ? 24 : 20;
  const count = length * channels * 2;
  if (!(sampleRate > 0) || !(samplesPerPixel > 0) || !(channels > 0) || bytes.length < header + count * (eight ? 1 : 2)) {
    throw new Error(`the header (rate ${sampleRate}, ${samplesPerPixel} samples per pixel, ${length} pixels, ${channels} channels) does not match the file's ${bytes.length} bytes`);
  }
  const data = new Int16Array(count);
  for (let i = 0; i < count; i++) data[i] = eight ? dv.getInt8(header + i) * 256 : dv.getInt16(header + 2 * i, true);
  return { channels, sampleRate, samplesPerPixel, data };
}
