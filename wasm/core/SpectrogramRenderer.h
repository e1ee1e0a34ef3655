// SPDX-License-Identifier: MIT
#pragma once

#include "PcmSource.h"
#include "WaveformRenderer.h"

#include <array>
#include <cstdint>
#include <string>

namespace avseg {

enum class FrequencyScale { Linear, Mel, Log };
enum class ColorMap { Magma, Viridis, Grayscale };

struct SpectrogramStyle {
    int windowSize = 2048;       // FFT length in frames: a power of two from 256 to 8192
    FrequencyScale scale = FrequencyScale::Linear;
    ColorMap colorMap = ColorMap::Magma;
    float minDb = -100.0f;       // this level and below: the map's first colour (the floor)
    float maxDb = 0.0f;          // this level and above: its last; 0 dB is a full-scale sine
    double minHz = 0;            // bottom edge; the log scale uses kLogMinHz when not positive
    double maxHz = 0;            // top edge; 0 means Nyquist
};

constexpr double kLogMinHz = 20.0;

// The frequencies along an image's height, highest at the top. Positions are continuous:
// y = 0 is the top edge (maxHz), y = rows the bottom edge (minHz), row r is [r, r + 1).
struct FrequencyAxis {
    FrequencyScale scale = FrequencyScale::Linear;
    double minHz = 0;
    double maxHz = 0;
    int rows = 0;
};

// The axis a style gives at a sample rate and height, defaults resolved.
FrequencyAxis frequencyAxis(const SpectrogramStyle& style, int sampleRate, int rows);
double rowToHz(const FrequencyAxis& axis, double y);
double hzToRow(const FrequencyAxis& axis, double hz);
// The row whose band holds hz, clamped to the image.
int frequencyRow(const FrequencyAxis& axis, double hz);

// HTK's mel: 2595 log10(1 + hz / 700).
double hzToMel(double hz);
double melToHz(double mel);

// A valid window size, minDb < maxDb, finite non-negative frequencies with minHz below maxHz
// (when maxHz is given).
bool validSpectrogramStyle(const SpectrogramStyle& style);

// A colour map at t in [0, 1] (clamped), 0xRRGGBBAA.
uint32_t colorAt(ColorMap map, double t);
// Colours for levels from minDb (entry 0, the floor) to maxDb (the last entry).
using SpectrogramPalette = std::array<uint32_t, 256>;
SpectrogramPalette spectrogramPalette(const SpectrogramStyle& style);

bool frequencyScaleFromName(const std::string& name, FrequencyScale& scale);
bool colorMapFromName(const std::string& name, ColorMap& map);

// Column x of a view is the spectrum of the window [c - windowSize / 2, c + windowSize / 2)
// with c = floor(startFrame + (x + 0.5) * framesPerPixel): the centre of the frames the
// waveform draws in that column.
int64_t spectrogramCentre(const WaveformView& view, int x);

// Levels in dB per row, top row first, for windows centred on each of centres (count * rows
// values). One FFT per distinct centre; windows wholly outside the media read no samples.
void spectrogramColumns(PcmSource& source, const int64_t* centres, int count, const SpectrogramStyle& style,
    int rows, float* levels);
// Colours column x from its levels.
void paintSpectrogramColumn(const float* levels, int x, const SpectrogramStyle& style,
    const SpectrogramPalette& palette, RgbaImage& image);
// Fills the image with the floor colour.
void clearSpectrogram(const SpectrogramPalette& palette, RgbaImage& image);

// The whole view, computed now; an invalid view or style draws only the floor colour.
void renderSpectrogram(PcmSource& source, const WaveformView& view, const SpectrogramStyle& style, RgbaImage& image);

} // namespace avseg
