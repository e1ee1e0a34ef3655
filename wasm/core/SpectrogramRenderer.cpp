// SPDX-License-Identifier: MIT
#include "SpectrogramRenderer.h"

#include "SpectrumAnalyzer.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

namespace avseg {

namespace {

// Nine evenly spaced stops of matplotlib's maps; both rise steadily in lightness.
constexpr uint32_t kMagma[] = {0x000004ffu, 0x1c1044ffu, 0x4f127bffu, 0x812581ffu, 0xb5367affu, 0xe55064ffu,
    0xfb8761ffu, 0xfec287ffu, 0xfcfdbfffu};
constexpr uint32_t kViridis[] = {0x440154ffu, 0x472d7bffu, 0x3b528bffu, 0x2c728effu, 0x21918cffu, 0x28ae80ffu,
    0x5ec962ffu, 0xaddc30ffu, 0xfde725ffu};
constexpr uint32_t kGrayscale[] = {0x000000ffu, 0xffffffffu};

template <size_t N>
uint32_t interpolate(const uint32_t (&stops)[N], double t)
{
    const double at = std::clamp(t, 0.0, 1.0) * (N - 1);
    const size_t i = std::min(static_cast<size_t>(at), N - 2);
    const double f = at - double(i);
    uint32_t out = 0xffu;
    for (int shift = 24; shift >= 8; shift -= 8) {
        const double a = (stops[i] >> shift) & 0xffu, b = (stops[i + 1] >> shift) & 0xffu;
        out |= uint32_t(std::lround(a + (b - a) * f)) << shift;
    }
    return out;
}

// How one row takes its level from the spectrum: the loudest bin centred in its band, or,
// where rows are finer than bins, the level interpolated at its centre frequency.
struct RowBins {
    int lo = 0;
    int hi = -1;
    float frac = 0;
    bool interpolate = false;
    bool empty = false;   // beyond Nyquist
};

std::vector<RowBins> rowBins(const FrequencyAxis& axis, int windowSize, int sampleRate)
{
    const double binHz = double(sampleRate) / windowSize;
    const int bins = windowSize / 2 + 1;
    std::vector<RowBins> map(static_cast<size_t>(axis.rows));
    for (int r = 0; r < axis.rows; ++r) {
        RowBins& m = map[r];
        const double top = rowToHz(axis, r) / binHz, bottom = rowToHz(axis, r + 1) / binHz;
        // Clamped as doubles: a finite but huge maxHz (1e300) puts rows far past any int.
        m.lo = static_cast<int>(std::clamp(std::ceil(bottom), 0.0, double(bins)));
        m.hi = static_cast<int>(std::clamp(std::ceil(top) - 1, -1.0, double(bins - 1)));
        if (m.lo <= m.hi)
            continue;
        const double centre = rowToHz(axis, r + 0.5) / binHz;
        if (!(centre >= 0) || centre > bins - 1) {
            m.empty = true;
            continue;
        }
        m.interpolate = true;
        m.lo = std::min(static_cast<int>(centre), bins - 2);
        m.frac = static_cast<float>(centre - m.lo);
    }
    return map;
}

float rowLevel(const RowBins& m, const float* db)
{
    if (m.empty)
        return SpectrumAnalyzer::kFloorDb;
    if (m.interpolate)
        return db[m.lo] + (db[m.lo + 1] - db[m.lo]) * m.frac;
    return *std::max_element(db + m.lo, db + m.hi + 1);
}

void putPixel(RgbaImage& image, int x, int y, uint32_t c)
{
    uint8_t* p = image.pixels + static_cast<size_t>(y) * image.stride + static_cast<size_t>(x) * 4;
    p[0] = uint8_t(c >> 24);
    p[1] = uint8_t(c >> 16);
    p[2] = uint8_t(c >> 8);
    p[3] = uint8_t(c);
}

} // namespace

double hzToMel(double hz)
{
    return 2595.0 * std::log10(1.0 + hz / 700.0);
}

double melToHz(double mel)
{
    return 700.0 * (std::pow(10.0, mel / 2595.0) - 1.0);
}

FrequencyAxis frequencyAxis(const SpectrogramStyle& style, int sampleRate, int rows)
{
    FrequencyAxis axis;
    axis.scale = style.scale;
    axis.rows = std::max(rows, 0);
    axis.maxHz = style.maxHz > 0 ? style.maxHz : sampleRate / 2.0;
    axis.minHz = std::max(style.minHz, 0.0);
    if (style.scale == FrequencyScale::Log && !(axis.minHz > 0))
        axis.minHz = kLogMinHz;
    if (!(axis.minHz < axis.maxHz))
        axis.minHz = style.scale == FrequencyScale::Log ? axis.maxHz / 1000 : 0;
    return axis;
}

double rowToHz(const FrequencyAxis& axis, double y)
{
    if (axis.rows <= 0)
        return axis.minHz;
    const double t = (axis.rows - y) / axis.rows;   // 0 at the bottom edge, 1 at the top
    switch (axis.scale) {
    case FrequencyScale::Mel: {
        const double lo = hzToMel(axis.minHz), hi = hzToMel(axis.maxHz);
        return melToHz(lo + t * (hi - lo));
    }
    case FrequencyScale::Log:
        return axis.minHz * std::pow(axis.maxHz / axis.minHz, t);
    case FrequencyScale::Linear:
        break;
    }
    return axis.minHz + t * (axis.maxHz - axis.minHz);
}

double hzToRow(const FrequencyAxis& axis, double hz)
{
    if (axis.rows <= 0)
        return 0;
    double t = 0;
    switch (axis.scale) {
    case FrequencyScale::Mel: {
        const double lo = hzToMel(axis.minHz), hi = hzToMel(axis.maxHz);
        t = (hzToMel(hz) - lo) / (hi - lo);
        break;
    }
    case FrequencyScale::Log:
        t = hz > 0 ? std::log(hz / axis.minHz) / std::log(axis.maxHz / axis.minHz) : -std::numeric_limits<double>::infinity();
        break;
    case FrequencyScale::Linear:
        t = (hz - axis.minHz) / (axis.maxHz - axis.minHz);
        break;
    }
    return axis.rows - t * axis.rows;
}

int frequencyRow(const FrequencyAxis& axis, double hz)
{
    const double y = hzToRow(axis, hz);
    if (std::isnan(y) || axis.rows <= 0)
        return 0;
    return static_cast<int>(std::clamp(std::floor(y), 0.0, double(axis.rows - 1)));
}

bool validSpectrogramStyle(const SpectrogramStyle& style)
{
    if (!SpectrumAnalyzer::validWindowSize(style.windowSize) || !std::isfinite(style.minDb)
        || !std::isfinite(style.maxDb) || !(style.minDb < style.maxDb))
        return false;
    if (!std::isfinite(style.minHz) || !std::isfinite(style.maxHz) || style.minHz < 0 || style.maxHz < 0)
        return false;
    const double minHz = style.scale == FrequencyScale::Log && style.minHz <= 0 ? kLogMinHz : style.minHz;
    return style.maxHz == 0 || minHz < style.maxHz;
}

uint32_t colorAt(ColorMap map, double t)
{
    switch (map) {
    case ColorMap::Viridis:
        return interpolate(kViridis, t);
    case ColorMap::Grayscale:
        return interpolate(kGrayscale, t);
    case ColorMap::Magma:
        break;
    }
    return interpolate(kMagma, t);
}

SpectrogramPalette spectrogramPalette(const SpectrogramStyle& style)
{
    SpectrogramPalette palette;
    for (size_t i = 0; i < palette.size(); ++i)
        palette[i] = colorAt(style.colorMap, double(i) / (palette.size() - 1));
    return palette;
}

bool frequencyScaleFromName(const std::string& name, FrequencyScale& scale)
{
    if (name == "linear")
        scale = FrequencyScale::Linear;
    else if (name == "mel")
        scale = FrequencyScale::Mel;
    else if (name == "log")
        scale = FrequencyScale::Log;
    else
        return false;
    return true;
}

bool colorMapFromName(const std::string& name, ColorMap& map)
{
    if (name == "magma")
        map = ColorMap::Magma;
    else if (name == "viridis")
        map = ColorMap::Viridis;
    else if (name == "grayscale")
        map = ColorMap::Grayscale;
    else
        return false;
    return true;
}

int64_t spectrogramCentre(const WaveformView& view, int x)
{
    return static_cast<int64_t>(std::floor(view.startFrame + (x + 0.5) * view.framesPerPixel));
}

void spectrogramColumns(PcmSource& source, const int64_t* centres, int count, const SpectrogramStyle& style,
    int rows, float* levels)
{
    if (count <= 0 || rows <= 0)
        return;
    const int n = style.windowSize;
    const int sampleRate = source.sampleRate();
    if (sampleRate <= 0 || !validSpectrogramStyle(style)) {
        std::fill(levels, levels + size_t(count) * rows, SpectrumAnalyzer::kFloorDb);
        return;
    }
    SpectrumAnalyzer analyzer(n);
    const std::vector<RowBins> map = rowBins(frequencyAxis(style, sampleRate, rows), n, sampleRate);
    std::vector<float> spectrum(static_cast<size_t>(analyzer.binCount()));
    const int64_t frames = source.frames();
    for (int i = 0; i < count; ++i) {
        float* out = levels + size_t(i) * rows;
        if (i > 0 && centres[i] == centres[i - 1]) {
            std::copy(out - rows, out, out);
            continue;
        }
        const int64_t first = centres[i] - n / 2;
        if (first >= frames || first + n <= 0) {
            std::fill(out, out + rows, SpectrumAnalyzer::kFloorDb);
            continue;
        }
        analyzer.analyse(source.read(first, n), first, spectrum.data());
        for (int r = 0; r < rows; ++r)
            out[r] = rowLevel(map[r], spectrum.data());
    }
}

void paintSpectrogramColumn(const float* levels, int x, const SpectrogramStyle& style,
    const SpectrogramPalette& palette, RgbaImage& image)
{
    if (x < 0 || x >= image.width)
        return;
    const float top = float(palette.size() - 1);
    const float scale = top / (style.maxDb - style.minDb);
    for (int y = 0; y < image.height; ++y) {
        const float i = (levels[y] - style.minDb) * scale;
        const size_t entry = i > 0 ? static_cast<size_t>(std::min(i, top) + 0.5f) : 0;   // NaN: the floor
        putPixel(image, x, y, palette[entry]);
    }
}

void clearSpectrogram(const SpectrogramPalette& palette, RgbaImage& image)
{
    for (int y = 0; y < image.height; ++y)
        for (int x = 0; x < image.width; ++x)
            putPixel(image, x, y, palette[0]);
}

void renderSpectrogram(PcmSource& source, const WaveformView& view, const SpectrogramStyle& style, RgbaImage& image)
{
    const SpectrogramPalette palette = spectrogramPalette(style);
    if (image.width <= 0 || image.height <= 0)
        return;
    if (!validView(view) || !validSpectrogramStyle(style) || source.sampleRate() <= 0) {
        clearSpectrogram(palette, image);
        return;
    }
    constexpr int kChunk = 256;
    std::vector<int64_t> centres(kChunk);
    std::vector<float> levels(size_t(kChunk) * image.height);
    for (int x0 = 0; x0 < image.width; x0 += kChunk) {
        const int count = std::min(kChunk, image.width - x0);
        for (int i = 0; i < count; ++i)
            centres[i] = spectrogramCentre(view, x0 + i);
        spectrogramColumns(source, centres.data(), count, style, image.height, levels.data());
        for (int i = 0; i < count; ++i)
            paintSpectrogramColumn(levels.data() + size_t(i) * image.height, x0 + i, style, palette, image);
    }
}

} // namespace avseg
