// SPDX-License-Identifier: MIT
#pragma once

#include "WaveformRenderer.h"

#include <cstddef>
#include <cstdint>
#include <memory>

struct AVTXContext;

namespace avseg {

// Magnitude spectra of Hann-windowed frames with FFmpeg's real FFT (libavutil's av_tx).
class SpectrumAnalyzer {
public:
    static constexpr int kMinWindow = 256;
    static constexpr int kMaxWindow = 8192;
    // A power of two in [kMinWindow, kMaxWindow].
    static bool validWindowSize(int size);

    // Throws MediaError (Internal) for an invalid size or when av_tx cannot be set up.
    explicit SpectrumAnalyzer(int windowSize);
    ~SpectrumAnalyzer();
    SpectrumAnalyzer(const SpectrumAnalyzer&) = delete;
    SpectrumAnalyzer& operator=(const SpectrumAnalyzer&) = delete;

    int windowSize() const { return size_; }
    // Bins 0 .. windowSize / 2; bin k is centred on k * sampleRate / windowSize Hz.
    int binCount() const { return size_ / 2 + 1; }

    // dB of frames [first, first + windowSize), channels averaged, zeros where pcm has no
    // frames; binCount() values. A full-scale sine on a bin's centre reads 0 dB there.
    void analyse(const PcmSpan& pcm, int64_t first, float* db);
    // The same for windowSize mono samples.
    void analyse(const float* mono, float* db);

    // What analyse() gives for silence.
    static constexpr float kFloorDb = -200.0f;

private:
    struct Free {
        void operator()(void* p) const;
    };

    int size_;
    AVTXContext* tx_ = nullptr;
    void (*fn_)(AVTXContext*, void*, void*, ptrdiff_t) = nullptr;
    std::unique_ptr<float, Free> window_;
    std::unique_ptr<float, Free> in_;
    std::unique_ptr<float, Free> out_;   // binCount() complex values
    float gain_ = 1.0f;                  // 2 / sum(window): a sine's peak bin reads its amplitude
};

} // namespace avseg
