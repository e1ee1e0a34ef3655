// SPDX-License-Identifier: MIT
#pragma once

#include "PcmSource.h"
#include "SpectrogramRenderer.h"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

namespace avseg {

// Spectrogram columns computed for a view and kept, a tile of kTileColumns at a time, so
// that panning and redrawing reuse them. Columns lie on a grid fixed by the zoom alone:
// column g is the window centred on floor((g + 0.5) * hop) with hop the frames per pixel,
// and a view's column x shows the grid column its centre falls in. When startFrame is a
// whole number of pixels this is exactly renderSpectrogram's column; otherwise it is off by
// less than half a pixel. Levels are kept in hundredths of a dB, not colours, so the colour
// map and the dB range change without recomputing.
class SpectrogramTiles {
public:
    static constexpr int kTileColumns = 256;

    struct Stats {
        int computed = 0;
        int reused = 0;
    };

    // Tiles beyond budgetBytes are dropped, least recently used first, but never those of
    // the view being drawn.
    explicit SpectrogramTiles(size_t budgetBytes) : budget_(budgetBytes) {}

    Stats render(PcmSource& source, const WaveformView& view, const SpectrogramStyle& style, RgbaImage& image);
    void clear() { tiles_.clear(); }
    size_t memoryBytes() const;
    size_t tileCount() const { return tiles_.size(); }

private:
    struct Key {
        double hop = 0;
        int windowSize = 0;
        FrequencyScale scale = FrequencyScale::Linear;
        double minHz = 0;
        double maxHz = 0;
        int rows = 0;
        int sampleRate = 0;
        int64_t index = 0;
    };
    struct Tile {
        Key key;
        std::vector<int16_t> levels;   // kTileColumns * rows, column by column
        int64_t framesKnown = 0;       // the source's length when computed
        int64_t lastFrame = 0;         // the end of its last window
        uint64_t used = 0;
    };

    double gridHop(const Key& params, double framesPerPixel) const;
    Tile* find(const Key& key, int64_t frames);
    Tile& compute(PcmSource& source, const Key& key, const SpectrogramStyle& style);
    void evict(uint64_t keep);

    size_t budget_;
    uint64_t clock_ = 0;
    std::vector<std::unique_ptr<Tile>> tiles_;
};

} // namespace avseg
