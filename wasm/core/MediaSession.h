// SPDX-License-Identifier: MIT
#pragma once

#include "AudioSinkTee.h"
#include "AudiowaveformReader.h"
#include "BoundarySnapper.h"
#include "ByteReader.h"
#include "CursorReader.h"
#include "DecodedWindowCache.h"
#include "DecodedPcmSource.h"
#include "EnergyEnvelope.h"
#include "LoudnessMeter.h"
#include "PauseDetector.h"
#include "PeakBuilder.h"
#include "PeakPyramid.h"
#include "PitchTracker.h"
#include "RangeDecoder.h"
#include "SeekIndex.h"
#include "SpectrogramRenderer.h"
#include "SpectrogramTiles.h"
#include "StreamingDecoder.h"
#include "WaveformRenderer.h"

#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace avseg {

struct SessionOptions {
    PeakBuilder::Options peaks;
    StreamingDecoder::Options stream;
    size_t maxCachedBytes = 48 << 20;   // decoded samples kept for sample-level views and prefetched around them
    int cacheBlockShift = 16;           // in blocks of 2^16 frames (512 KiB of 48 kHz stereo)
    size_t maxSpectrogramBytes = 8 << 20;   // spectrogram tiles kept for panning (beyond the view's own)
};

struct RenderInfo {
    bool fromSamples = false;   // drawn from decoded samples rather than peaks (a spectrogram: drawn at all)
    int pyramidLevel = 0;
    int tilesComputed = 0;      // spectrogram tiles computed for this view, and taken from the cache
    int tilesReused = 0;
    bool decoded = false;       // samples had to be decoded for this view (not all cached)
};

// One medium being loaded and viewed: the streaming decode feeding the peak pyramid, the energy
// envelope and the loudness meter (one decode for all three), and, once a seekable copy is
// attached, sample-level views and analyses decoded on demand.
class MediaSession {
public:
    explicit MediaSession(SessionOptions options = {});

    void push(const uint8_t* data, size_t n) { decoder_.push(data, n); }
    void push(std::vector<uint8_t>&& bytes) { decoder_.push(std::move(bytes)); }
    // Bytes received but not yet decoded: the caller stops reading the network while this is large.
    int64_t bytesAhead() const { return decoder_.bytesAhead(); }
    void finish() { decoder_.finish(); }
    StreamingDecoder::State pump(int maxPackets)
    {
        const StreamingDecoder::State state = decoder_.pump(maxPackets);
        decoded_ = decoded_ || state == StreamingDecoder::State::Done;
        if (!reserved_ && opened())
            reserveAnalyses();
        return state;
    }

    bool opened() const { return decoder_.opened(); }
    const MediaInfo& info() const { return decoder_.info(); }
    const PeakPyramid& peaks() const { return peaks_; }
    int64_t framesDecoded() const { return decoder_.framesDecoded(); }
    int64_t bytesReceived() const { return decoder_.bytesReceived(); }
    const std::vector<MediaProblem>& problems() const { return decoder_.problems(); }

    // A seekable copy of the complete file, given once the download is complete (before the
    // last pumps): enables views finer than the pyramid's base, and lets the streaming decode
    // continue past a packet larger than its read-ahead.
    void attachSeekable(std::unique_ptr<ByteReader> source);
    // Decodes from a seekable source from the start instead of pushed bytes: the demuxer reads
    // only what it needs (a video's audio track without its pictures), e.g. through HTTP Range
    // requests. Also serves as the seekable copy.
    void openSeekable(std::unique_ptr<ByteReader> source);
    // Peaks computed elsewhere (BBC audiowaveform's data; min, max per pixel and channel as
    // 16-bit values): drawn until the decode has covered as much, so the whole waveform shows
    // before the file is decoded, and never after: once the decode is done its own peaks are
    // drawn, whatever the file said. Returns false for data that does not add up.
    bool seedPeaks(const int16_t* minmax, size_t count, int channels, int sampleRate, int samplesPerPixel);
    bool seeded() const { return preview_.levelCount() > 0; }
    const PeakPyramid& previewPeaks() const { return preview_; }
    // Whether render() draws the precomputed peaks: seeded, the decode not done and behind them,
    // and (once the media is open) at the media's sample rate.
    bool previewShown() const;
    // How the precomputed peaks fail to fit the media (audiowaveformMismatch; the length once the
    // decode is done); empty when they fit or nothing is known yet.
    std::string peaksMismatch() const;

    // Draws the view; finer than the pyramid's base, from samples decoded on demand unless
    // decode is false (then from the peaks, coarsely, but at once).
    RenderInfo render(RgbaImage& image, const WaveformView& view, const WaveformStyle& style, bool decode = true);
    // The spectrogram of the view, column for column under the waveform's, from samples decoded
    // on demand and tiles kept from earlier views. Without the seekable copy it draws only the
    // floor colour and reports fromSamples false.
    RenderInfo renderSpectrogram(RgbaImage& image, const WaveformView& view, const SpectrogramStyle& style);

    // True when render() would have to decode samples that are not cached.
    bool needsDecode(const WaveformView& view, int width);
    // How many frames render() would decode first (0 when the view is drawn from peaks or cached samples).
    int64_t framesToDecode(const WaveformView& view, int width);
    // Decodes, within the limits, what the next interaction is likely to need: the view itself,
    // the window of the next zoom step in (when the view is drawn from peaks but a half or a
    // quarter of its span would not be), the window of the next zoom step out, and the screens
    // either side (the one a pan moves towards first). Returns true while more remains to do.
    bool prefetch(const WaveformView& view, int width, const DecodedWindowCache::Limits& limits);
    const DecodedWindowCache& windows() const { return windows_; }

    // The bytes of the seekable source [start, end) that render() (or the next prefetch() calls)
    // will read to decode what is not cached for the view: fetched ahead in one request, they
    // spare the reader a round trip per read. {0, 0} when nothing needs decoding. For an MP4 the
    // decoder reads only the audio track's samples within the span.
    using ByteSpan = std::pair<int64_t, int64_t>;
    ByteSpan bytesFor(const WaveformView& view, int width);
    ByteSpan bytesForPrefetch(const WaveformView& view, int width);

    // Decoded samples for [first, first + count), planar; used by sample-level views and tests.
    PcmSpan samples(int64_t first, int64_t count);

    // The analyses of the streamed decode (as far as it got): doc/analysis.md.
    const EnergyEnvelope& envelope() const { return envelope_; }
    const LoudnessMeter& loudness() const { return loudness_; }
    // Pauses in what is decoded so far, kept for snapping. exact: each edge refined to the sample
    // from the seekable copy (when there is one); else edges fall on the envelope's blocks.
    const std::vector<Pause>& findPauses(const PauseOptions& options, bool exact);
    const std::vector<Pause>& pauses() const { return pauses_; }
    // F0 on the grid points whose centres fall in [first, first + count), read from the seekable
    // copy through a decoder of its own; empty without one. Pieces computed separately join.
    PitchTrack pitch(int64_t first, int64_t count, const PitchOptions& options);
    // The pitch grid's hop in frames for these options (what pitch() would use).
    int pitchHop(const PitchOptions& options);
    // A boundary near `frame` snapped to the last found pauses' edges, the envelope's minima or the
    // zero crossings read from the seekable copy (kinds: SnapKind bits).
    SnapResult snap(int64_t frame, int64_t radius, unsigned kinds);
    // The bytes of the seekable source that decoding frames [first, end) reads (as bytesFor).
    ByteSpan bytesForFrames(int64_t first, int64_t end);

    size_t memoryBytes() const;

private:
    RangeDecoder* ranges();
    DecodedPcmSource* spectrumSource();
    // PCM for pause edges and zero crossings, and for pitch: each its own decoder and cursor, so
    // that analyses never make the waveform's or the spectrogram's decoder seek.
    DecodedPcmSource* analysisSource();
    DecodedPcmSource* pitchSource();
    int64_t seekCost() const;
    void reserveAnalyses();
    bool finerThanPeaks(const WaveformView& view) const;
    std::vector<DecodedWindowCache::Range> prefetchRanges(const WaveformView& view, int width) const;
    ByteSpan byteSpan(DecodedWindowCache::Range frames) const;
    // Read past a packet's position: the demuxer fills its 32 KiB buffer, and a resync reads on.
    static constexpr int64_t kReadMargin = 96 << 10;
    void sampleWindow(const WaveformView& view, int width, int64_t& first, int64_t& count) const;

    SessionOptions options_;
    PeakPyramid peaks_;
    PeakPyramid preview_;
    AudiowaveformHeader previewHeader_;
    bool decoded_ = false;   // the decode came to the end of the file
    PeakBuilder builder_;
    EnergyEnvelope envelope_;
    LoudnessMeter loudness_;
    AudioSinkTee tee_;   // what the streaming decode feeds: the peaks, the envelope, the loudness
    SeekIndex index_;
    StreamingDecoder decoder_;
    std::unique_ptr<ByteReader> seekable_;
    // Each demuxer of the seekable source reads through its own cursor.
    std::unique_ptr<CursorReader> wholeCursor_, rangeCursor_, spectrumCursor_, streamCursor_, analysisCursor_, pitchCursor_;
    std::unique_ptr<RangeDecoder> rangeDecoder_;
    std::unique_ptr<RangeDecoder> spectrumDecoder_;   // its own, so waveform and spectrogram don't take turns seeking
    std::unique_ptr<DecodedPcmSource> spectrumSource_;
    std::unique_ptr<RangeDecoder> analysisDecoder_, pitchDecoder_;
    std::unique_ptr<DecodedPcmSource> analysisSource_, pitchSource_;
    std::unique_ptr<PitchTracker> pitchTracker_;
    PitchOptions pitchOptions_;   // what pitchTracker_ was made with
    std::vector<Pause> pauses_;
    bool reserved_ = false;
    SpectrogramTiles spectrumTiles_;
    DecodedWindowCache windows_;
    WaveformView lastPrefetch_{0, 0};   // the view prefetch last served: a pan's direction
    std::vector<std::vector<float>> joined_;   // samples() of a window spanning several blocks
    std::vector<const float*> joinedPlanes_;
};

} // namespace avseg
