// SPDX-License-Identifier: MIT
#include "SpectrumAnalyzer.h"

#include "MediaError.h"

#include <algorithm>
#include <cmath>
#include <string>

extern "C" {
#include <libavutil/mem.h>
#include <libavutil/tx.h>
}

namespace avseg {

namespace {

constexpr double kPi = 3.14159265358979323846;

float* allocate(int count)
{
    // av_malloc aligns for the SIMD transforms av_tx may pick natively.
    auto* p = static_cast<float*>(av_malloc(sizeof(float) * size_t(count)));
    if (!p)
        throw MediaError(ErrorCode::Internal, "out of memory for the spectrum");
    return p;
}

} // namespace

void SpectrumAnalyzer::Free::operator()(void* p) const
{
    av_free(p);
}

bool SpectrumAnalyzer::validWindowSize(int size)
{
    return size >= kMinWindow && size <= kMaxWindow && (size & (size - 1)) == 0;
}

SpectrumAnalyzer::SpectrumAnalyzer(int windowSize) : size_(windowSize)
{
    if (!validWindowSize(windowSize))
        throw MediaError(ErrorCode::Internal, "spectrum window size must be a power of two from 256 to 8192, not "
            + std::to_string(windowSize));
    window_.reset(allocate(size_));
    in_.reset(allocate(size_));
    out_.reset(allocate(size_ + 2));
    // FFmpeg 5.1's RDFT reads the scale without checking for NULL, despite the documented default.
    const float scale = 1.0f;
    av_tx_fn fn = nullptr;
    if (av_tx_init(&tx_, &fn, AV_TX_FLOAT_RDFT, 0, size_, &scale, 0) < 0 || !tx_)
        throw MediaError(ErrorCode::Internal, "libavutil's real FFT (av_tx) is not available");
    fn_ = fn;
    double sum = 0;
    for (int i = 0; i < size_; ++i) {
        // Periodic Hann: windows overlapping by half sum to a constant.
        const double w = 0.5 - 0.5 * std::cos(2.0 * kPi * i / size_);
        window_.get()[i] = static_cast<float>(w);
        sum += w;
    }
    gain_ = static_cast<float>(2.0 / sum);
}

SpectrumAnalyzer::~SpectrumAnalyzer()
{
    av_tx_uninit(&tx_);
}

void SpectrumAnalyzer::analyse(const PcmSpan& pcm, int64_t first, float* db)
{
    float* in = in_.get();
    std::fill(in, in + size_, 0.0f);
    const int64_t from = std::max(first, pcm.firstFrame);
    const int64_t to = std::min(first + size_, pcm.firstFrame + pcm.frames);
    if (pcm.channels > 0 && pcm.data) {
        const float mix = 1.0f / pcm.channels;
        for (int c = 0; c < pcm.channels; ++c) {
            const float* src = pcm.data[c] + (from - pcm.firstFrame);
            for (int64_t f = from; f < to; ++f)
                in[f - first] += *src++ * mix;
        }
    }
    analyse(in, db);
}

void SpectrumAnalyzer::analyse(const float* mono, float* db)
{
    float* in = in_.get();
    const float* w = window_.get();
    for (int i = 0; i < size_; ++i)
        in[i] = mono[i] * w[i];
    // The transform may overwrite its input; in_ is scratch.
    float* out = out_.get();
    fn_(tx_, out, in, sizeof(float));
    // The RDFT leaves the Nyquist bin's imaginary part, always zero, unwritten.
    out[size_ + 1] = 0.0f;
    constexpr float kFloorPower = 1e-20f;   // kFloorDb as a squared magnitude
    const float gain2 = gain_ * gain_;
    for (int k = 0; k < binCount(); ++k) {
        const float re = out[2 * k], im = out[2 * k + 1];
        const float power = (re * re + im * im) * gain2;
        db[k] = power > kFloorPower ? 10.0f * std::log10(power) : kFloorDb;
    }
}

} // namespace avseg
