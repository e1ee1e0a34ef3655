// SPDX-License-Identifier: MIT
#include "PeakBuilder.h"

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <limits>

#ifdef __wasm_simd128__
#include <wasm_simd128.h>
#endif

namespace avseg {

namespace {

static_assert(sizeof(Peak) == 4 && offsetof(Peak, min) == 0, "binsFast() writes a Peak as one uint32");

constexpr float kInf = std::numeric_limits<float>::infinity();

// NaN counts as silence, as quantiseSample() has it.
inline float sane(float v)
{
    return v == v ? v : 0.0f;
}

// Four lanes through the compiler's vector extension (wasm SIMD128 with -msimd128, SSE natively).
typedef float Float4 __attribute__((vector_size(16)));
typedef int32_t Int4 __attribute__((vector_size(16)));
typedef uint32_t UInt4 __attribute__((vector_size(16)));

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

// b < a ? b : a and a < b ? b : a, lane by lane: one instruction each in wasm SIMD128
// (f32x4.pmin/pmax) and in SSE (minps/maxps); the portable form is the same definition.
inline Float4 pmin(Float4 a, Float4 b)
{
#ifdef __wasm_simd128__
    return reinterpret_cast<Float4>(wasm_f32x4_pmin(reinterpret_cast<v128_t>(a), reinterpret_cast<v128_t>(b)));
#else
    return pick(b < a, b, a);
#endif
}

inline Float4 pmax(Float4 a, Float4 b)
{
#ifdef __wasm_simd128__
    return reinterpret_cast<Float4>(wasm_f32x4_pmax(reinterpret_cast<v128_t>(a), reinterpret_cast<v128_t>(b)));
#else
    return pick(a < b, b, a);
#endif
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

// Bins of one channel, one at a time, exact for any sample (NaN as 0, infinities clamped).
void binsExact(const float* s, size_t binSize, int64_t bins, Peak* out, int stride)
{
    for (int64_t b = 0; b < bins; ++b, s += binSize, out += stride) {
        float lo = kInf, hi = -kInf;
        minMax(s, binSize, lo, hi);
        *out = Peak{quantiseSample(lo), quantiseSample(hi)};
    }
}

// Lane k: the min (max) of the four lanes of v[k].
inline Float4 lanesMin(const Float4 v[4])
{
    const Float4 a = pmin(__builtin_shufflevector(v[0], v[1], 0, 1, 4, 5), __builtin_shufflevector(v[0], v[1], 2, 3, 6, 7));
    const Float4 b = pmin(__builtin_shufflevector(v[2], v[3], 0, 1, 4, 5), __builtin_shufflevector(v[2], v[3], 2, 3, 6, 7));
    return pmin(__builtin_shufflevector(a, b, 0, 2, 4, 6), __builtin_shufflevector(a, b, 1, 3, 5, 7));
}

inline Float4 lanesMax(const Float4 v[4])
{
    const Float4 a = pmax(__builtin_shufflevector(v[0], v[1], 0, 1, 4, 5), __builtin_shufflevector(v[0], v[1], 2, 3, 6, 7));
    const Float4 b = pmax(__builtin_shufflevector(v[2], v[3], 0, 1, 4, 5), __builtin_shufflevector(v[2], v[3], 2, 3, 6, 7));
    return pmax(__builtin_shufflevector(a, b, 0, 2, 4, 6), __builtin_shufflevector(a, b, 1, 3, 5, 7));
}

// quantiseSample() of four finite values: clamped, then rounded to nearest (ties to even) by
// adding 1.5 * 2^23, which leaves the integer in the low mantissa bits.
inline UInt4 quantise4(Float4 x)
{
    const Float4 lowest = {-32768.0f, -32768.0f, -32768.0f, -32768.0f};
    const Float4 highest = {32767.0f, 32767.0f, 32767.0f, 32767.0f};
    const Float4 magic = {12582912.0f, 12582912.0f, 12582912.0f, 12582912.0f};
    const Float4 scaled = pmin(pmax(x * 32767.0f, lowest), highest) + magic;
    return reinterpret_cast<UInt4>(scaled) - 0x4B400000u;
}

// Bins of one channel four at a time: each bin's min and max in four lanes, then the four bins'
// reduced together into one vector and quantised at once. Assumes finite samples and returns
// false when one was not (their sum is then not finite); the caller redoes the bins exactly.
bool binsFast(const float* s, size_t binSize, int64_t bins, Peak* out, int stride)
{
    Float4 sum = {0.0f, 0.0f, 0.0f, 0.0f};
    int64_t b = 0;
    for (; b + 4 <= bins; b += 4, s += 4 * binSize, out += 4 * stride) {
        Float4 lo[4], hi[4];
        for (int k = 0; k < 4; ++k) {
            const float* p = s + k * binSize;
            Float4 v = load4(p);
            Float4 l = v, h = v, t = v;
            if (binSize >= 8) {
                Float4 w = load4(p + 4);
                Float4 l2 = w, h2 = w, t2 = w;
                for (size_t i = 8; i < binSize; i += 8) {
                    v = load4(p + i);
                    w = load4(p + i + 4);
                    l = pmin(l, v);
                    h = pmax(h, v);
                    t += v;
                    l2 = pmin(l2, w);
                    h2 = pmax(h2, w);
                    t2 += w;
                }
                l = pmin(l, l2);
                h = pmax(h, h2);
                t += t2;
            }
            lo[k] = l;
            hi[k] = h;
            sum += t;
        }
        // A Peak is {min, max}, two int16: as a little-endian uint32, min is the low half.
        const UInt4 peaks = (quantise4(lanesMin(lo)) & 0xFFFFu) | (quantise4(lanesMax(hi)) << 16);
        for (int k = 0; k < 4; ++k) {
            const uint32_t bits = peaks[k];
            std::memcpy(static_cast<void*>(out + k * stride), &bits, sizeof bits);
        }
    }
    binsExact(s, binSize, bins - b, out, stride);
    const Int4 finite = (sum - sum) == 0.0f;
    return finite[0] && finite[1] && finite[2] && finite[3];
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
        if (binSize < 4 || !binsFast(s, binSize, bins, out, nch))
            binsExact(s, binSize, bins, out, nch);
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
