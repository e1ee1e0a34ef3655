// SPDX-License-Identifier: MIT
#include "SpectrogramTiles.h"

#include <algorithm>
#include <cmath>

namespace avseg {

namespace {

int64_t floorDiv(int64_t a, int64_t b)
{
    return a / b - (a % b != 0 && (a < 0) != (b < 0));
}

int16_t centiDb(float db)
{
    if (!(db > -320.0f))
        return -32000;
    if (db > 320.0f)
        return 32000;
    return static_cast<int16_t>(std::lround(db * 100.0f));
}

} // namespace

double SpectrogramTiles::gridHop(const Key& params, double framesPerPixel) const
{
    // The UI derives frames per pixel from times in seconds, so panning can move it by an ulp
    // or so; a hop that close keeps the grid, and its tiles.
    for (const auto& t : tiles_) {
        const Key& k = t->key;
        if (k.windowSize == params.windowSize && k.scale == params.scale && k.minHz == params.minHz
            && k.maxHz == params.maxHz && k.rows == params.rows && k.sampleRate == params.sampleRate
            && std::abs(k.hop - framesPerPixel) <= 1e-9 * framesPerPixel)
            return k.hop;
    }
    return framesPerPixel;
}

SpectrogramTiles::Tile* SpectrogramTiles::find(const Key& key, int64_t frames)
{
    for (auto it = tiles_.begin(); it != tiles_.end(); ++it) {
        const Key& k = (*it)->key;
        if (k.index != key.index || k.hop != key.hop || k.windowSize != key.windowSize || k.scale != key.scale
            || k.minHz != key.minHz || k.maxHz != key.maxHz || k.rows != key.rows || k.sampleRate != key.sampleRate)
            continue;
        Tile& tile = **it;
        // Computed while the media was still being decoded, with windows past its end then.
        if (tile.framesKnown != frames && tile.lastFrame > tile.framesKnown) {
            tiles_.erase(it);
            return nullptr;
        }
        return &tile;
    }
    return nullptr;
}

SpectrogramTiles::Tile& SpectrogramTiles::compute(PcmSource& source, const Key& key, const SpectrogramStyle& style)
{
    auto tile = std::make_unique<Tile>();
    tile->key = key;
    std::vector<int64_t> centres(kTileColumns);
    const int64_t firstColumn = key.index * kTileColumns;
    for (int i = 0; i < kTileColumns; ++i)
        centres[i] = static_cast<int64_t>(std::floor((double(firstColumn + i) + 0.5) * key.hop));
    std::vector<float> levels(size_t(kTileColumns) * key.rows);
    spectrogramColumns(source, centres.data(), kTileColumns, style, key.rows, levels.data());
    tile->levels.resize(levels.size());
    std::transform(levels.begin(), levels.end(), tile->levels.begin(), centiDb);
    tile->framesKnown = source.frames();
    tile->lastFrame = centres.back() + style.windowSize / 2;
    tiles_.push_back(std::move(tile));
    return *tiles_.back();
}

void SpectrogramTiles::evict(uint64_t keep)
{
    size_t bytes = memoryBytes();
    while (bytes > budget_) {
        auto victim = tiles_.end();
        for (auto it = tiles_.begin(); it != tiles_.end(); ++it)
            if ((*it)->used < keep && (victim == tiles_.end() || (*it)->used < (*victim)->used))
                victim = it;
        if (victim == tiles_.end())
            return;
        bytes -= sizeof(Tile) + (*victim)->levels.capacity() * sizeof(int16_t);
        tiles_.erase(victim);
    }
}

size_t SpectrogramTiles::memoryBytes() const
{
    size_t bytes = 0;
    for (const auto& t : tiles_)
        bytes += sizeof(Tile) + t->levels.capacity() * sizeof(int16_t);
    return bytes;
}

SpectrogramTiles::Stats SpectrogramTiles::render(PcmSource& source, const WaveformView& view,
    const SpectrogramStyle& style, RgbaImage& image)
{
    Stats stats;
    const SpectrogramPalette palette = spectrogramPalette(style);
    if (image.width <= 0 || image.height <= 0)
        return stats;
    const int rate = source.sampleRate();
    if (!validView(view) || !validSpectrogramStyle(style) || rate <= 0) {
        clearSpectrogram(palette, image);
        return stats;
    }
    const int rows = image.height;
    const FrequencyAxis axis = frequencyAxis(style, rate, rows);
    Key key;
    key.windowSize = style.windowSize;
    key.scale = style.scale;
    key.minHz = axis.minHz;
    key.maxHz = axis.maxHz;
    key.rows = rows;
    key.sampleRate = rate;
    key.hop = gridHop(key, view.framesPerPixel);
    // Absurdly fine zooms (a subnormal hop) number grid columns past int64: drawn directly.
    const double reach = std::abs(view.startFrame) + (image.width + 1.0) * view.framesPerPixel;
    if (!(reach / key.hop < 4503599627370496.0)) {
        renderSpectrogram(source, view, style, image);
        return stats;
    }

    const uint64_t now = ++clock_;
    const int64_t frames = source.frames();
    std::vector<float> column(static_cast<size_t>(rows));
    Tile* tile = nullptr;
    for (int x = 0; x < image.width; ++x) {
        const double centre = view.startFrame + (x + 0.5) * view.framesPerPixel;
        const int64_t g = static_cast<int64_t>(std::floor(centre / key.hop));
        const int64_t index = floorDiv(g, kTileColumns);
        if (!tile || tile->key.index != index) {
            key.index = index;
            tile = find(key, frames);
            if (tile) {
                ++stats.reused;
            } else {
                tile = &compute(source, key, style);
                ++stats.computed;
            }
            tile->used = now;
        }
        const int16_t* levels = tile->levels.data() + size_t(g - index * kTileColumns) * rows;
        for (int r = 0; r < rows; ++r)
            column[r] = levels[r] * 0.01f;
        paintSpectrogramColumn(column.data(), x, style, palette, image);
    }
    evict(now);
    return stats;
}

} // namespace avseg
