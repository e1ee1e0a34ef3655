// SPDX-License-Identifier: MIT
#include "PeakBuilder.h"

#include <algorithm>
#include <cstring>
#include <limits>

namespace avseg {

namespace {

constexpr float kInf = std::numeric_limits<float>::infinity();

// NaN counts as silence, as quantiseSample() has it.
inline float sane(float v)
{
    return v == v ? v : 0.0f;
}

// Four lanes through the compiler's vector extension (wasm SIMD128 with -msimd128, SSE natively).
typedef float Float4 __attribute__((vector_size(16)));
typedef int32_t Int4 __attribute__((vector_size(16)));

inline Float4 load4(const float* p)
{
    Float4 v;
    std::memcpy(&v, p, sizeof v);
    return v;
}

inline Float4 pick(Int4 mask, Float4 a, Float4 b)
{
    return reinterpret_cast<Float4>((reinterpret_cast<Int4>(a) & mask) | (reinterpret_cast<Int4>(b) & ~mask));
}

// Min and max of n samples, NaN as 0: the same values as the scalar loop (the order of equal
// values differs only between -0 and +0, which quantise alike).
inline void minMax(const float* s, size_t n, float& lo, float& hi)
{
    size_t i = 0;
    if (n >= 8) {
        Float4 lo4 = {kInf, kInf, kInf, kInf}, hi4 = -lo4;
        Float4 lo4b = lo4, hi4b = hi4;
        for (; i + 8 <= n; i += 8) {
            Float4 v = load4(s + i), w = load4(s + i + 4);
            v = reinterpret_cast<Float4>(reinterpret_cast<Int4>(v) & (v == v));
            w = reinterpret_cast<Float4>(reinterpret_cast<Int4>(w) & (w == w));
            lo4 = pick(v < lo4, v, lo4);
            hi4 = pick(v > hi4, v, hi4);
            lo4b = pick(w < lo4b, w, lo4b);
            hi4b = pick(w > hi4b, w, hi4b);
        }
        lo4 = pick(lo4b < lo4, lo4b, lo4);
        hi4 = pick(hi4b > hi4, hi4b, hi4);
        for (int k = 0; k < 4; ++k) {
            lo = lo4[k] < lo ? lo4[k] : lo;
            hi = hi4[k] > hi ? hi4[k] : hi;
        }
    }
    for (; i < n; ++i) {
        const float v = sane(s[i]);
        lo = v < lo ? v : lo;
        hi = v > hi ? v : hi;
    }
}

} // namespace

void PeakBuilder::start(const AudioFormat& format)
{
    out_.reset(format.channels, format.sampleRate, options_.baseShift);
    out_.levels_.assign(1, PeakPyramid::Level{options_.baseShift, {}, false});
    accMin_.assign(format.channels, kInf);
    accMax_.assign(format.channels, -kInf);
    accFrames_ = 0;
    // Coarsening needs at least two bins to pair.
    budget_ = std::max<int64_t>(options_.maxBasePeaks, 2 * int64_t(format.channels));
}

void PeakBuilder::process(const float* const* channels, size_t frames)
{
    if (out_.levels_.empty() || frames == 0)
        return;
    unpublishOpen();
    const int nch = out_.channels_;
    size_t offset = 0;
    while (offset < frames) {
        const int shift = out_.levels_[0].shift;
        const int64_t binSize = int64_t(1) << shift;
        const int64_t rest = int64_t(frames - offset);
        if (accFrames_ > 0 || rest < binSize) {
            const size_t take = static_cast<size_t>(std::min(rest, binSize - accFrames_));
            accumulate(channels, offset, take);
            offset += take;
            if (accFrames_ == binSize)
                closeAccumulator();
        } else {
            // Stop at the budget so the base coarsens before it grows past it.
            const int64_t room = std::max<int64_t>((budget_ - int64_t(out_.levels_[0].bins.size())) / nch, 1);
            const int64_t bins = std::min(rest >> shift, room);
            appendFullBins(channels, offset, bins);
            offset += static_cast<size_t>(bins << shift);
        }
        if (int64_t(out_.levels_[0].bins.size()) >= budget_) {
            buildUpper(false);
            coarsenIfNeeded();
        }
    }
    out_.frames_ += static_cast<int64_t>(frames);
    buildUpper(false);
    publishOpen();
}

void PeakBuilder::done()
{
    if (out_.levels_.empty())
        return;
    unpublishOpen();
    if (accFrames_ > 0)
        closeAccumulator();
    buildUpper(true);
}

void PeakBuilder::accumulate(const float* const* channels, size_t offset, size_t frames)
{
    for (int c = 0; c < out_.channels_; ++c) {
        float lo = accMin_[c], hi = accMax_[c];
        minMax(channels[c] + offset, frames, lo, hi);
        accMin_[c] = lo;
        accMax_[c] = hi;
    }
    accFrames_ += static_cast<int64_t>(frames);
}

void PeakBuilder::appendFullBins(const float* const* channels, size_t offset, int64_t bins)
{
    // The hot path: whole bins straight from the decoder's block, no per-bin bookkeeping.
    const int nch = out_.channels_;
    auto& base = out_.levels_[0];
    const size_t at = base.bins.size();
    reserveFor(base, at + static_cast<size_t>(bins) * nch, budget_);
    base.bins.resize(at + static_cast<size_t>(bins) * nch);
    const size_t binSize = size_t(1) << base.shift;
    for (int c = 0; c < nch; ++c) {
        const float* s = channels[c] + offset;
        Peak* out = base.bins.data() + at + c;
        for (int64_t b = 0; b < bins; ++b, s += binSize, out += nch) {
            float lo = kInf, hi = -kInf;
            minMax(s, binSize, lo, hi);
            *out = Peak{quantiseSample(lo), quantiseSample(hi)};
        }
    }
}

void PeakBuilder::closeAccumulator()
{
    const int nch = out_.channels_;
    auto& base = out_.levels_[0];
    reserveFor(base, base.bins.size() + nch, budget_);
    for (int c = 0; c < nch; ++c) {
        base.bins.push_back(Peak{quantiseSample(accMin_[c]), quantiseSample(accMax_[c])});
        accMin_[c] = kInf;
        accMax_[c] = -kInf;
    }
    accFrames_ = 0;
}

void PeakBuilder::buildUpper(bool final)
{
    // Upper levels hold complete pairs only; at the end an unpaired last bin carries up alone.
    auto& levels = out_.levels_;
    const int nch = out_.channels_;
    for (size_t l = 1;; ++l) {
        const int64_t below = int64_t(levels[l - 1].bins.size()) / nch;
        if (below < 2)
            return;
        if (l == levels.size())
            levels.push_back(PeakPyramid::Level{levels[l - 1].shift + 1, {}, false});
        auto& lower = levels[l - 1];
        auto& upper = levels[l];
        const int64_t want = final ? (below + 1) / 2 : below / 2;
        const int64_t have = int64_t(upper.bins.size()) / nch;
        if (want > have) {
            reserveFor(upper, static_cast<size_t>(want) * nch, budget_ >> std::min<size_t>(l, 62));
            for (int64_t i = have; i < want; ++i) {
                for (int c = 0; c < nch; ++c) {
                    Peak p = lower.bins[static_cast<size_t>(2 * i * nch + c)];
                    if (2 * i + 1 < below)
                        p.merge(lower.bins[static_cast<size_t>((2 * i + 1) * nch + c)]);
                    upper.bins.push_back(p);
                }
            }
        }
    }
}

void PeakBuilder::coarsenIfNeeded()
{
    auto& levels = out_.levels_;
    const int nch = out_.channels_;
    while (int64_t(levels[0].bins.size()) >= budget_ && levels.size() > 1) {
        // An unpaired last base bin joins the open accumulator of the new, twice as wide base.
        const int64_t count = int64_t(levels[0].bins.size()) / nch;
        if (count % 2) {
            for (int c = 0; c < nch; ++c) {
                const Peak& p = levels[0].bins[static_cast<size_t>((count - 1) * nch + c)];
                accMin_[c] = std::min(accMin_[c], p.min / 32767.0f);
                accMax_[c] = std::max(accMax_[c], p.max / 32767.0f);
            }
            accFrames_ += int64_t(1) << levels[0].shift;
        }
        levels.erase(levels.begin());
    }
}

void PeakBuilder::publishOpen()
{
    // The partly filled bin is shown too, so a progressive load draws up to its live edge.
    if (accFrames_ == 0)
        return;
    auto& base = out_.levels_[0];
    reserveFor(base, base.bins.size() + out_.channels_, budget_);
    for (int c = 0; c < out_.channels_; ++c)
        base.bins.push_back(Peak{quantiseSample(accMin_[c]), quantiseSample(accMax_[c])});
    base.open = true;
}

void PeakBuilder::unpublishOpen()
{
    auto& base = out_.levels_[0];
    if (!base.open)
        return;
    base.bins.resize(base.bins.size() - out_.channels_);
    base.open = false;
}

void PeakBuilder::reserveFor(PeakPyramid::Level& level, size_t peaks, int64_t budget)
{
    auto& bins = level.bins;
    if (peaks <= bins.capacity())
        return;
    const size_t grown = std::max<size_t>(bins.capacity() * 2, 256);
    // One more bin than the budget: the open bin shown while loading.
    const size_t cap = static_cast<size_t>(std::max<int64_t>(budget, 0)) + static_cast<size_t>(out_.channels_);
    bins.reserve(std::max(peaks, std::min(grown, cap)));
}

} // namespace avseg
