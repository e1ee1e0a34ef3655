// SPDX-License-Identifier: MIT
#pragma once

#include "PeakPyramid.h"

#include <cstdint>
#include <vector>

namespace avseg {

// A caller-owned RGBA8 pixel buffer.
struct RgbaImage {
    uint8_t* pixels = nullptr;
    int width = 0;
    int height = 0;
    int stride = 0;  // bytes per row
};

// Colours are 0xRRGGBBAA.
struct WaveformStyle {
    uint32_t background = 0xffffffffu;
    uint32_t wave = 0x2f6fb3ffu;
    uint32_t axis = 0xc8d0dcffu;
    uint32_t sampleDot = 0x173d66ffu;
    float amplitude = 1.0f;   // vertical zoom
};

// Column x shows frames [startFrame + x * framesPerPixel, startFrame + (x + 1) * framesPerPixel).
struct WaveformView {
    double startFrame = 0;
    double framesPerPixel = 1;
};

// Decoded samples covering part of the media, planar.
struct PcmSpan {
    int64_t firstFrame = 0;
    int64_t frames = 0;
    int channels = 0;
    const float* const* data = nullptr;
    // Optional, per channel: the min and max of each complete run of 2^runShift frames, runs
    // counted from frame runOrigin, so that a long column need not read every sample.
    const float* const* runMin = nullptr;
    const float* const* runMax = nullptr;
    int runShift = 0;
    int64_t runOrigin = 0;
};

// Channels are stacked top to bottom, each in an equal band with its zero line in the middle.
void renderPeaks(const PeakPyramid& peaks, const WaveformView& view, const WaveformStyle& style, RgbaImage& image);
// Sample-level: min/max per column, or a line through the samples with a dot on each once
// they are at least 6 px apart.
void renderSamples(const PcmSpan& pcm, const WaveformView& view, const WaveformStyle& style, RgbaImage& image);
// The same from consecutive spans without gaps (blocks of a cache), as if they were one.
void renderSamples(const std::vector<PcmSpan>& pieces, const WaveformView& view, const WaveformStyle& style, RgbaImage& image);

// Finite, positive and small enough for exact frame arithmetic; other views draw nothing.
bool validView(const WaveformView& view);

// The row (within the band) an amplitude maps to; shared with tests and the element's hit testing.
int amplitudeRow(float value, float amplitude, int bandHeight);

} // namespace avseg
