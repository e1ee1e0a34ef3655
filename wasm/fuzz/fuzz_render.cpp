// SPDX-License-Identifier: MIT
// libFuzzer harness: the waveform and spectrogram renderers, from fuzzed views, styles and
// image shapes, over a small buffer of samples made from the input (no decoding). Layout:
//   byte 0     channels 1 + (b & 3), sample rate kRates[b >> 2 & 7], signal kind b >> 5
//   bytes 1-2  frames (up to 16383)
//   then ops until the input ends; each op byte's low 2 bits pick
//     0 renderPeaks   1 renderSamples   2 renderSpectrogram   3 SpectrogramTiles::render
//   followed by the op's view, style and image parameters.
// Every pixel drawn must be one of the style's colours (the palette's, for a spectrogram), and
// a row's padding beyond the image's width is never written.
#include "FuzzInput.h"
#include "PeakBuilder.h"
#include "PeakPyramid.h"
#include "PcmSource.h"
#include "SpectrogramRenderer.h"
#include "SpectrogramTiles.h"
#include "WaveformRenderer.h"

#include <algorithm>
#include <cmath>
#include <set>
#include <vector>

using namespace avseg;
using avseg::fuzz::Input;
using avseg::fuzz::interestingDouble;

namespace {

constexpr int64_t kMaxFrames = 16383;
constexpr int kMaxOps = 12;
constexpr int kMaxTileOps = 2;   // a tile is 256 windows of up to 8192 frames

// The frames made from the input, served whole or as an ever-growing prefix (a decode in progress).
class BufferSource : public PcmSource {
public:
    BufferSource(const std::vector<std::vector<float>>& pcm, int rate) : pcm_(pcm), rate_(rate)
    {
        for (const auto& plane : pcm_)
            planes_.push_back(plane.data());
        frames_ = pcm_.empty() ? 0 : int64_t(pcm_[0].size());
    }
    int sampleRate() const override { return rate_; }
    int channels() const override { return int(pcm_.size()); }
    int64_t frames() const override { return frames_; }
    void setFrames(int64_t frames) { frames_ = std::clamp<int64_t>(frames, 0, int64_t(pcm_[0].size())); }
    PcmSpan read(int64_t first, int64_t count) override
    {
        first = std::clamp<int64_t>(first, 0, frames_);
        count = std::clamp<int64_t>(count, 0, frames_ - first);
        // Exact-size copies so ASan sees a read past what was asked for.
        window_.assign(pcm_.size(), {});
        windowPlanes_.clear();
        for (size_t c = 0; c < pcm_.size(); ++c) {
            window_[c].assign(pcm_[c].begin() + first, pcm_[c].begin() + first + count);
            windowPlanes_.push_back(window_[c].data());
        }
        return {first, count, channels(), windowPlanes_.data()};
    }

private:
    const std::vector<std::vector<float>>& pcm_;
    std::vector<const float*> planes_;
    std::vector<std::vector<float>> window_;
    std::vector<const float*> windowPlanes_;
    int rate_;
    int64_t frames_;
};

struct Image {
    int width, height, stride;
    std::vector<uint8_t> pixels;
    RgbaImage rgba;

    explicit Image(Input& in)
    {
        const uint8_t w = in.byte(), h = in.byte();
        width = w & 63;
        height = h & 63;
        stride = width * 4 + (w >> 6) * 4;
        pixels.assign(height > 0 ? size_t(height - 1) * stride + size_t(width) * 4 : 0, 0xa5);
        rgba = {pixels.data(), width, height, stride};
    }
    uint32_t at(int x, int y) const
    {
        const uint8_t* p = pixels.data() + size_t(y) * stride + size_t(x) * 4;
        return uint32_t(p[0]) << 24 | uint32_t(p[1]) << 16 | uint32_t(p[2]) << 8 | p[3];
    }
    // Every pixel one of the allowed colours (or, when untouchedOk, never written); padding never written.
    void check(const std::set<uint32_t>& allowed, bool untouchedOk) const
    {
        for (int y = 0; y < height; ++y) {
            for (int x = 0; x < width; ++x) {
                const uint32_t px = at(x, y);
                FUZZ_CHECK(allowed.count(px) || (untouchedOk && px == 0xa5a5a5a5u));
            }
            if (y + 1 < height)
                for (int x = width * 4; x < stride; ++x)
                    FUZZ_CHECK(pixels[size_t(y) * stride + x] == 0xa5);
        }
    }
};

WaveformView readView(Input& in, int64_t frames)
{
    WaveformView view;
    const uint8_t kind = in.byte();
    if (kind & 1) {   // somewhere sensible: a zoom from 1/16 to 4096 frames per pixel near the media
        view.framesPerPixel = std::ldexp(1.0 + in.byte() / 256.0, (in.byte() % 17) - 4);
        view.startFrame = double(int64_t(in.u16()) % (frames + 64) - 32) + in.byte() / 256.0;
    } else {
        view.startFrame = interestingDouble(in, double(frames));
        view.framesPerPixel = interestingDouble(in, 64.0);
    }
    return view;
}

WaveformStyle readWaveformStyle(Input& in)
{
    static const float kAmplitude[8] = {1.0f, 0.5f, 2.0f, 1000.0f, 0.0f, -1.0f, __builtin_nanf(""), __builtin_inff()};
    WaveformStyle style;
    style.amplitude = kAmplitude[in.byte() & 7];
    return style;
}

SpectrogramStyle readSpectrogramStyle(Input& in, bool cheap)
{
    static const int kWindow[8] = {256, 512, 1024, 2048, 4096, 8192, 300, 0};
    SpectrogramStyle style;
    const uint8_t b = in.byte();
    style.windowSize = kWindow[b & 7];
    if (cheap && style.windowSize > 1024)
        style.windowSize = 1024;
    style.scale = FrequencyScale((b >> 3) % 3);
    style.colorMap = ColorMap((b >> 5) % 3);
    const uint8_t levels = in.byte();
    if (levels & 1) {
        style.minDb = float(interestingDouble(in, 100.0));
        style.maxDb = float(interestingDouble(in, 100.0));
    }
    if (levels & 2)
        style.minHz = interestingDouble(in, 1000.0);
    if (levels & 4)
        style.maxHz = interestingDouble(in, 1000.0);
    return style;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    Input in{data, size};
    if (size < 3)
        return 0;
    static const int kRates[8] = {48000, 44100, 8000, 1, 2, 384000, 22050, 3};
    const uint8_t b0 = in.byte();
    const int channels = 1 + (b0 & 3);
    const int rate = kRates[(b0 >> 2) & 7];
    const int64_t frames = in.u16() & kMaxFrames;

    // The signal: samples from the input, a sine pair, full-scale noise or specials.
    std::vector<std::vector<float>> pcm(channels, std::vector<float>(size_t(frames)));
    uint32_t rng = 0x12345678u ^ b0;
    static const float kSpecial[8] = {0.0f, 1.0f, -1.0f, __builtin_nanf(""), __builtin_inff(), -__builtin_inff(), 1e30f, 1e-40f};
    for (int64_t f = 0; f < frames; ++f)
        for (int c = 0; c < channels; ++c) {
            float& s = pcm[c][size_t(f)];
            switch (b0 >> 5) {
            case 0: s = int16_t(in.u16()) / 32768.0f; break;
            case 1:
            case 2: s = float(0.5 * std::sin(f * 0.05 * (c + 1)) + 0.3 * std::sin(f * 0.7)); break;
            case 3:
                rng ^= rng << 13, rng ^= rng >> 17, rng ^= rng << 5;
                s = (int32_t(rng >> 8) - (1 << 23)) / float(1 << 23);
                break;
            case 4: s = kSpecial[in.byte() & 7]; break;
            default: s = f % 2 ? 1.0f : -1.0f; break;
            }
        }

    PeakPyramid pyramid;
    PeakBuilder::Options options;
    options.baseShift = in.byte() & 7;
    options.maxBasePeaks = 64 + in.byte() * 16;
    PeakBuilder builder(pyramid, options);
    builder.start({rate, channels});
    std::vector<const float*> planes(channels);
    for (int c = 0; c < channels; ++c)
        planes[c] = pcm[c].data();
    builder.process(planes.data(), size_t(frames));
    builder.done();

    BufferSource source(pcm, rate);
    SpectrogramTiles tiles(size_t(in.byte()) << 12);
    int tileOps = 0;
    for (int op = 0; op < kMaxOps && !in.empty(); ++op) {
        const uint8_t kind = in.byte();
        // A decode in progress: only a prefix of the frames is there yet.
        source.setFrames(kind & 0x80 ? int64_t(in.u16()) : frames);
        Image image(in);
        const WaveformView view = readView(in, frames);
        switch (kind & 3) {
        case 0: {
            const WaveformStyle style = readWaveformStyle(in);
            renderPeaks(pyramid, view, style, image.rgba);
            image.check({style.background, style.wave, style.axis}, false);
            break;
        }
        case 1: {
            const WaveformStyle style = readWaveformStyle(in);
            const PcmSpan span = source.read(int64_t(in.u16()) % (frames + 1) - (kind & 0x40 ? 100 : 0), in.u16());
            renderSamples(span, view, style, image.rgba);
            image.check({style.background, style.wave, style.axis, style.sampleDot}, false);
            break;
        }
        case 2:
        case 3: {
            const bool tile = (kind & 3) == 3 && ++tileOps <= kMaxTileOps;
            const SpectrogramStyle style = readSpectrogramStyle(in, tile);
            const SpectrogramPalette palette = spectrogramPalette(style);
            if (tile)
                tiles.render(source, view, style, image.rgba);
            else
                renderSpectrogram(source, view, style, image.rgba);
            image.check(std::set<uint32_t>(palette.begin(), palette.end()), false);
            break;
        }
        }
    }
    return 0;
}
