// SPDX-License-Identifier: MIT
#include "LoudnessMeter.h"

#include <algorithm>
#include <cmath>

namespace avseg {

namespace {

constexpr double kPi = 3.14159265358979323846;
constexpr double kOffset = -0.691;          // BS.1770-4 (2)
constexpr double kAbsoluteGate = -70.0;     // LUFS
constexpr double kRelativeGate = -10.0;     // LU, integrated
constexpr double kRangeGate = -20.0;        // LU, EBU Tech 3342
constexpr int kMomentarySteps = 4;
constexpr int kTicksPerStep = 10;            // the maxima are followed every 10 ms
constexpr int kMomentaryTicks = kMomentarySteps * kTicksPerStep;

// The analog prototypes of BS.1770's two stages (shelf: centre, gain, Q and the share of the
// gain in the band-pass term; high-pass: corner and Q), bilinear-transformed with prewarping.
constexpr double kShelfHz = 1681.974450955533;
constexpr double kShelfGainDb = 3.999843853973347;
constexpr double kShelfQ = 0.7071752369554196;
constexpr double kShelfBandShare = 0.4996667741545416;
constexpr double kHighPassHz = 38.13547087602444;
constexpr double kHighPassQ = 0.5003270373238773;

double lufs(double meanSquare)
{
    if (meanSquare <= 0)
        return LoudnessMeter::kSilenceLufs;
    return std::max<double>(LoudnessMeter::kSilenceLufs, kOffset + 10 * std::log10(meanSquare));
}

double power(double lufsValue) { return std::pow(10.0, (lufsValue - kOffset) / 10.0); }

} // namespace

std::array<Biquad, 2> LoudnessMeter::kWeighting(int sampleRate)
{
    std::array<Biquad, 2> f;
    // Below 3.4 kHz of sample rate the shelf lies above Nyquist and is left out.
    if (sampleRate > 2 * kShelfHz) {
        const double k = std::tan(kPi * kShelfHz / sampleRate);
        const double vh = std::pow(10.0, kShelfGainDb / 20.0);
        const double vb = std::pow(vh, kShelfBandShare);
        const double a0 = 1 + k / kShelfQ + k * k;
        f[0].b0 = (vh + vb * k / kShelfQ + k * k) / a0;
        f[0].b1 = 2 * (k * k - vh) / a0;
        f[0].b2 = (vh - vb * k / kShelfQ + k * k) / a0;
        f[0].a1 = 2 * (k * k - 1) / a0;
        f[0].a2 = (1 - k / kShelfQ + k * k) / a0;
    }
    {
        // b = (1, -2, 1) at every rate: kWeigh relies on it.
        const double k = std::tan(kPi * kHighPassHz / sampleRate);
        const double a0 = 1 + k / kHighPassQ + k * k;
        f[1].b0 = 1;
        f[1].b1 = -2;
        f[1].b2 = 1;
        f[1].a1 = 2 * (k * k - 1) / a0;
        f[1].a2 = (1 - k / kHighPassQ + k * k) / a0;
    }
    return f;
}

void LoudnessMeter::start(const AudioFormat& format)
{
    sampleRate_ = format.sampleRate;
    channels_ = std::max(format.channels, 1);
    tick_ = std::max<int64_t>(1, std::llround(format.sampleRate / 100.0));
    step_ = tick_ * kTicksPerStep;
    filters_ = kWeighting(format.sampleRate);
    weights_.assign(static_cast<size_t>(channels_), 1.0);
    if (channels_ == 5) {
        weights_[3] = weights_[4] = 1.41;
    } else if (channels_ == 6) {
        weights_[3] = 0.0;
        weights_[4] = weights_[5] = 1.41;
    }
    counted_.clear();
    for (int c = 0; c < channels_; ++c)
        if (weights_[size_t(c)] != 0)
            counted_.push_back(c);
    state_.assign(static_cast<size_t>(channels_), {0, 0, 0, 0});
    tickSum_ = 0;
    tickFill_ = 0;
    ring_.fill(0);
    ticks_ = 0;
    maxMomentary_ = maxShortTerm_ = kSilenceLufs;
    momentary_.clear();
    shortTerm_.clear();
}

namespace {

// Both K-weighting stages (transposed direct form II) over `n` samples of each of N channels
// at once, so that the channels' independent recursions overlap in the pipeline; returns each
// channel's sum of squares.
template <int N>
void kWeigh(const std::array<Biquad, 2>& f, const float* const* x, size_t n, std::array<double, 4>* const* z,
    double* sums)
{
    const Biquad s = f[0], h = f[1];
    double s1[N], s2[N], h1[N], h2[N], sum[N];
    for (int c = 0; c < N; ++c) {
        s1[c] = (*z[c])[0];
        s2[c] = (*z[c])[1];
        h1[c] = (*z[c])[2];
        h2[c] = (*z[c])[3];
        sum[c] = 0;
    }
    for (size_t i = 0; i < n; ++i)
        for (int c = 0; c < N; ++c) {
            const double in = x[c][i];
            const double y1 = s.b0 * in + s1[c];
            s1[c] = s.b1 * in - s.a1 * y1 + s2[c];
            s2[c] = s.b2 * in - s.a2 * y1;
            const double y2 = y1 + h1[c];   // the high-pass's b0 = b2 = 1, b1 = -2
            h1[c] = -2 * y1 - h.a1 * y2 + h2[c];
            h2[c] = y1 - h.a2 * y2;
            sum[c] += y2 * y2;
        }
    for (int c = 0; c < N; ++c) {
        *z[c] = {s1[c], s2[c], h1[c], h2[c]};
        sums[c] = sum[c];
    }
}

} // namespace

void LoudnessMeter::process(const float* const* channels, size_t frames)
{
    const std::vector<int>& counted = counted_;
    size_t at = 0;
    while (at < frames) {
        const size_t n = std::min(frames - at, static_cast<size_t>(tick_ - tickFill_));
        for (size_t k = 0; k < counted.size();) {
            const int pair = counted.size() - k >= 2 ? 2 : 1;
            const float* x[2];
            std::array<double, 4>* z[2];
            double sums[2];
            for (int j = 0; j < pair; ++j) {
                x[j] = channels[counted[k + size_t(j)]] + at;
                z[j] = &state_[size_t(counted[k + size_t(j)])];
            }
            if (pair == 2)
                kWeigh<2>(filters_, x, n, z, sums);
            else
                kWeigh<1>(filters_, x, n, z, sums);
            for (int j = 0; j < pair; ++j)
                tickSum_ += weights_[size_t(counted[k + size_t(j)])] * sums[j];
            k += size_t(pair);
        }
        tickFill_ += static_cast<int64_t>(n);
        at += n;
        if (tickFill_ == tick_)
            closeTick();
    }
}

void LoudnessMeter::closeTick()
{
    ring_[size_t(ticks_ % kShortTermTicks)] = tickSum_ / double(tick_);
    ++ticks_;
    tickSum_ = 0;
    tickFill_ = 0;
    double m = 0, st = 0;
    for (int64_t k = 0; k < kShortTermTicks && k < ticks_; ++k) {
        const double v = ring_[size_t((ticks_ - 1 - k) % kShortTermTicks)];
        st += v;
        if (k < kMomentaryTicks)
            m += v;
    }
    const double momentary = lufs(m / kMomentaryTicks);
    const double shortTerm = lufs(st / kShortTermTicks);
    maxMomentary_ = std::max(maxMomentary_, momentary);
    maxShortTerm_ = std::max(maxShortTerm_, shortTerm);
    if (ticks_ % kTicksPerStep == 0) {
        momentary_.push_back(static_cast<float>(momentary));
        shortTerm_.push_back(static_cast<float>(shortTerm));
    }
}

void LoudnessMeter::done() {}

double LoudnessMeter::integrated() const
{
    // Gating blocks: the complete 400 ms windows, overlapping by 75 %.
    double sum = 0;
    size_t count = 0;
    for (size_t i = kMomentarySteps - 1; i < momentary_.size(); ++i)
        if (momentary_[i] > kAbsoluteGate) {
            sum += power(momentary_[i]);
            ++count;
        }
    if (count == 0)
        return kSilenceLufs;
    const double gate = lufs(sum / double(count)) + kRelativeGate;
    sum = 0;
    count = 0;
    for (size_t i = kMomentarySteps - 1; i < momentary_.size(); ++i)
        if (momentary_[i] > kAbsoluteGate && momentary_[i] > gate) {
            sum += power(momentary_[i]);
            ++count;
        }
    return count ? lufs(sum / double(count)) : kSilenceLufs;
}

double LoudnessMeter::range() const
{
    std::vector<double> values;
    double sum = 0;
    for (size_t i = kShortTermSteps - 1; i < shortTerm_.size(); ++i)
        if (shortTerm_[i] > kAbsoluteGate) {
            values.push_back(shortTerm_[i]);
            sum += power(shortTerm_[i]);
        }
    if (values.empty())
        return 0;
    const double gate = lufs(sum / double(values.size())) + kRangeGate;
    values.erase(std::remove_if(values.begin(), values.end(), [&](double v) { return v <= gate; }), values.end());
    if (values.empty())
        return 0;
    std::sort(values.begin(), values.end());
    auto at = [&](double p) { return values[static_cast<size_t>(std::lround(p * double(values.size() - 1)))]; };
    return at(0.95) - at(0.10);
}

std::vector<LoudnessJump> LoudnessMeter::jumps(double lu, double window) const
{
    std::vector<LoudnessJump> out;
    const int64_t k = std::max<int64_t>(1, std::llround(window * 10.0));
    const double integratedLufs = integrated();
    if (integratedLufs <= kSilenceLufs)
        return out;
    const double floor = integratedLufs + kRangeGate;
    const int64_t n = static_cast<int64_t>(momentary_.size());
    int64_t best = -1;
    double bestChange = 0;
    auto flush = [&] {
        if (best < 0)
            return;
        const int64_t frame = std::max<int64_t>(0, (2 * best - k - (kMomentarySteps - 2)) * step_ / 2);
        out.push_back({frame, momentary_[size_t(best - k)], momentary_[size_t(best)]});
        best = -1;
        bestChange = 0;
    };
    for (int64_t i = k; i < n; ++i) {
        const double from = momentary_[size_t(i - k)];
        const double to = momentary_[size_t(i)];
        const double change = to - from;
        const bool jump = from > floor && to > floor && std::abs(change) >= lu;
        if (!jump || (best >= 0 && (change > 0) != (bestChange > 0))) {
            flush();
            if (!jump)
                continue;
        }
        if (std::abs(change) > std::abs(bestChange)) {
            best = i;
            bestChange = change;
        }
    }
    flush();
    return out;
}

size_t LoudnessMeter::memoryBytes() const
{
    return (momentary_.capacity() + shortTerm_.capacity()) * sizeof(float) + state_.capacity() * sizeof(state_[0])
        + weights_.capacity() * sizeof(double);
}

} // namespace avseg
