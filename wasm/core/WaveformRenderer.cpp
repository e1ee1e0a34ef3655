// SPDX-License-Identifier: MIT
#include "WaveformRenderer.h"

#include <algorithm>
#include <cmath>

namespace avseg {

namespace {

struct Rgba {
    uint8_t r, g, b, a;
};

Rgba unpack(uint32_t c)
{
    return {uint8_t(c >> 24), uint8_t(c >> 16), uint8_t(c >> 8), uint8_t(c)};
}

void put(RgbaImage& img, int x, int y, Rgba c)
{
    if (x < 0 || y < 0 || x >= img.width || y >= img.height)
        return;
    uint8_t* p = img.pixels + static_cast<size_t>(y) * img.stride + static_cast<size_t>(x) * 4;
    p[0] = c.r;
    p[1] = c.g;
    p[2] = c.b;
    p[3] = c.a;
}

void span(RgbaImage& img, int x, int top, int y0, int y1, Rgba c)
{
    if (y0 > y1)
        std::swap(y0, y1);
    for (int y = y0; y <= y1; ++y)
        put(img, x, top + y, c);
}

struct Band {
    int top;
    int height;
};

Band band(const RgbaImage& img, int channel, int channels)
{
    const int top = img.height * channel / channels;
    const int bottom = img.height * (channel + 1) / channels;
    return {top, bottom - top};
}

void clear(RgbaImage& img, const WaveformStyle& style, int channels)
{
    const Rgba bg = unpack(style.background);
    for (int y = 0; y < img.height; ++y) {
        uint8_t* row = img.pixels + static_cast<size_t>(y) * img.stride;
        for (int x = 0; x < img.width; ++x) {
            row[x * 4 + 0] = bg.r;
            row[x * 4 + 1] = bg.g;
            row[x * 4 + 2] = bg.b;
            row[x * 4 + 3] = bg.a;
        }
    }
    const Rgba axis = unpack(style.axis);
    for (int c = 0; c < channels; ++c) {
        const Band b = band(img, c, channels);
        if (b.height <= 0)
            continue;
        const int y = b.top + amplitudeRow(0.0f, style.amplitude, b.height);
        for (int x = 0; x < img.width; ++x)
            put(img, x, y, axis);
    }
}

int peakRow(int16_t v, float amplitude, int height)
{
    return amplitudeRow(v / 32767.0f, amplitude, height);
}

} // namespace

int amplitudeRow(float value, float amplitude, int bandHeight)
{
    if (bandHeight <= 1 || !(value == value))
        return 0;
    const double y = (1.0 - double(value) * amplitude) * 0.5 * (bandHeight - 1);
    const long row = std::lround(y);
    return static_cast<int>(std::clamp<long>(row, 0, bandHeight - 1));
}

bool validView(const WaveformView& view)
{
    // Beyond 2^52 frames doubles stop being exact and casts to int64 overflow.
    constexpr double limit = 4503599627370496.0;
    return std::isfinite(view.startFrame) && std::isfinite(view.framesPerPixel) && view.framesPerPixel > 0
        && std::abs(view.startFrame) < limit && view.framesPerPixel < limit / 65536;
}

void renderPeaks(const PeakPyramid& peaks, const WaveformView& view, const WaveformStyle& style, RgbaImage& image)
{
    const int channels = std::max(peaks.channels(), 1);
    clear(image, style, channels);
    if (peaks.levelCount() == 0 || !validView(view))
        return;
    const Rgba wave = unpack(style.wave);
    const int64_t total = peaks.frames();
    for (int x = 0; x < image.width; ++x) {
        const int64_t f0 = static_cast<int64_t>(std::floor(view.startFrame + x * view.framesPerPixel));
        int64_t f1 = static_cast<int64_t>(std::floor(view.startFrame + (x + 1) * view.framesPerPixel));
        f1 = std::max(f1, f0 + 1);
        if (f1 <= 0 || f0 >= total)
            continue;
        for (int c = 0; c < channels; ++c) {
            const Band b = band(image, c, channels);
            if (b.height <= 0)
                continue;
            const Peak p = peaks.extent(c, std::max<int64_t>(f0, 0), std::min(f1, total));
            if (p.empty())
                continue;
            span(image, x, b.top, peakRow(p.max, style.amplitude, b.height), peakRow(p.min, style.amplitude, b.height), wave);
        }
    }
}

namespace {

// Reads consecutive pieces as one run of frames; reads mostly move forward, so the piece last
// used is looked at first.
class Pieces {
public:
    explicit Pieces(const std::vector<PcmSpan>& pieces) : p_(pieces) {}
    int64_t first() const { return p_.front().firstFrame; }
    int64_t last() const { return p_.back().firstFrame + p_.back().frames; }
    // Channel c from frame f on, and how many frames follow contiguously (f within [first, last)).
    const float* at(int c, int64_t f, int64_t& contiguous)
    {
        while (f < p_[k_].firstFrame)
            --k_;
        while (f >= p_[k_].firstFrame + p_[k_].frames)
            ++k_;
        const PcmSpan& s = p_[k_];
        contiguous = s.firstFrame + s.frames - f;
        return s.data[c] + (f - s.firstFrame);
    }
    float sample(int c, int64_t f)
    {
        int64_t n;
        return *at(c, f, n);
    }
    // Widens [lo, hi] by the samples of [f, end), using the pieces' run summaries where whole runs fit.
    void extent(int c, int64_t f, int64_t end, float& lo, float& hi)
    {
        auto scan = [&](const float* s, int64_t n) {
            for (int64_t i = 0; i < n; ++i) {
                lo = std::min(lo, s[i]);
                hi = std::max(hi, s[i]);
            }
        };
        while (f < end) {
            int64_t n;
            const float* s = at(c, f, n);
            const PcmSpan& p = p_[k_];
            const int64_t stop = std::min(end, f + n);
            if (p.runMin && stop - f >= (int64_t(2) << p.runShift)) {
                const int64_t run = int64_t(1) << p.runShift;
                const int64_t firstRun = (f - p.runOrigin + run - 1) >> p.runShift;
                const int64_t lastRun = (stop - p.runOrigin) >> p.runShift;   // exclusive
                const int64_t runStart = p.runOrigin + (firstRun << p.runShift);
                const int64_t runEnd = p.runOrigin + (lastRun << p.runShift);
                scan(s, runStart - f);
                for (int64_t r = firstRun; r < lastRun; ++r) {
                    lo = std::min(lo, p.runMin[c][r]);
                    hi = std::max(hi, p.runMax[c][r]);
                }
                scan(s + (runEnd - f), stop - runEnd);
            } else {
                scan(s, stop - f);
            }
            f = stop;
        }
    }

private:
    const std::vector<PcmSpan>& p_;
    size_t k_ = 0;
};

} // namespace

void renderSamples(const PcmSpan& pcm, const WaveformView& view, const WaveformStyle& style, RgbaImage& image)
{
    renderSamples(std::vector<PcmSpan>{pcm}, view, style, image);
}

void renderSamples(const std::vector<PcmSpan>& pieces, const WaveformView& view, const WaveformStyle& style, RgbaImage& image)
{
    const int channels = std::max(pieces.empty() ? 0 : pieces.front().channels, 1);
    clear(image, style, channels);
    int64_t frames = 0;
    for (const PcmSpan& p : pieces)
        frames += std::max<int64_t>(p.frames, 0);
    if (frames <= 0 || !validView(view))
        return;
    std::vector<PcmSpan> nonEmpty;
    for (const PcmSpan& p : pieces)
        if (p.frames > 0)
            nonEmpty.push_back(p);
    Pieces pcm(nonEmpty);
    const Rgba wave = unpack(style.wave);
    const Rgba dot = unpack(style.sampleDot);
    const int64_t first = pcm.first();
    const int64_t last = pcm.last(); // exclusive

    for (int c = 0; c < pieces.front().channels; ++c) {
        const Band b = band(image, c, channels);
        if (b.height <= 0)
            continue;
        if (view.framesPerPixel >= 1.0) {
            for (int x = 0; x < image.width; ++x) {
                int64_t f0 = static_cast<int64_t>(std::floor(view.startFrame + x * view.framesPerPixel));
                int64_t f1 = static_cast<int64_t>(std::floor(view.startFrame + (x + 1) * view.framesPerPixel));
                // Include the previous sample so adjacent columns join into one line.
                f0 = std::max(f0 - 1, first);
                f1 = std::min(f1, last);
                if (f1 <= f0)
                    continue;
                float lo = pcm.sample(c, f0), hi = lo;
                pcm.extent(c, f0 + 1, f1, lo, hi);
                span(image, x, b.top, amplitudeRow(hi, style.amplitude, b.height),
                    amplitudeRow(lo, style.amplitude, b.height), wave);
            }
            continue;
        }
        // Below one frame per pixel: linear interpolation between samples, then dots on the samples.
        auto valueAt = [&](double t) {
            const int64_t i = static_cast<int64_t>(std::floor(t));
            if (i < first || i >= last)
                return std::nanf("");
            const float a = pcm.sample(c, i);
            const float bv = i + 1 < last ? pcm.sample(c, i + 1) : a;
            return static_cast<float>(a + (bv - a) * (t - double(i)));
        };
        for (int x = 0; x < image.width; ++x) {
            const float v0 = valueAt(view.startFrame + x * view.framesPerPixel);
            const float v1 = valueAt(view.startFrame + (x + 1) * view.framesPerPixel);
            if (std::isnan(v0) || std::isnan(v1))
                continue;
            span(image, x, b.top, amplitudeRow(v0, style.amplitude, b.height), amplitudeRow(v1, style.amplitude, b.height), wave);
        }
        if (1.0 / view.framesPerPixel >= 6.0) {
            const int64_t fStart = std::max(first, static_cast<int64_t>(std::floor(view.startFrame)));
            const int64_t fEnd = std::min(last, static_cast<int64_t>(std::ceil(view.startFrame + image.width * view.framesPerPixel)) + 1);
            for (int64_t f = fStart; f < fEnd; ++f) {
                const int x = static_cast<int>(std::lround((double(f) - view.startFrame) / view.framesPerPixel));
                const int y = b.top + amplitudeRow(pcm.sample(c, f), style.amplitude, b.height);
                for (int dy = -1; dy <= 1; ++dy)
                    for (int dx = -1; dx <= 1; ++dx)
                        if (y + dy >= b.top && y + dy < b.top + b.height)
                            put(image, x + dx, y + dy, dot);
            }
        }
    }
}

} // namespace avseg
