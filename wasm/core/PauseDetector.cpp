// SPDX-License-Identifier: MIT
#include "PauseDetector.h"

#include "ChannelPower.h"

#include <algorithm>
#include <cmath>
#include <deque>
#include <optional>

namespace avseg {

namespace {

// ITU-T P.56 method B, on the 1 ms envelope instead of every sample.
constexpr double kEnvelopeSeconds = 0.03;   // smoothing time constant
constexpr double kHangoverSeconds = 0.2;
constexpr double kMarginDb = 15.9;          // active level minus activity threshold
constexpr double kBinDb = 0.25;
constexpr double kLowestDb = EnergyEnvelope::kSilenceDb;
constexpr double kHighestDb = 20.0;
// The noise floor: the 5th percentile of the level over 10 ms windows. The threshold stays 10 dB
// above it, but never rises above speech level - 10 dB.
constexpr double kFloorWindowSeconds = 0.01;
constexpr double kFloorPercentile = 0.05;
constexpr double kFloorMarginDb = 10.0;
constexpr double kHighestGuardDb = -10.0;
constexpr size_t kClickBlocks = 2;
constexpr double kClickQuietSeconds = 0.05;

double powerOf(float db) { return db <= EnergyEnvelope::kSilenceDb ? 0.0 : std::pow(10.0, db / 10.0); }

// Finds where sound at or above `threshold` (mean square) ends or begins near a block edge.
// The power is the envelope's: per frame, the mean over channels of the squared samples.
// The centred mean over 2h + 1 frames locates the crossing robustly against isolated noise
// peaks; the boundary is then the outermost frame in that window whose power reaches the peak of
// a sine at the threshold level (twice the mean square), so that an abrupt edge is found to the
// sample; the crossing itself when no frame does.
class EdgeRefiner {
public:
    EdgeRefiner(PcmSource& pcm, int hop, double threshold)
        : pcm_(pcm), half_(std::max(1, hop / 2)), threshold_(threshold) {}

    // The first frame after the last sounding sample in [lo, hi], or `fallback`.
    int64_t soundEnd(int64_t lo, int64_t hi, int64_t fallback)
    {
        load(lo, hi);
        for (int64_t n = hi; n >= lo; --n)
            if (centred(n) >= threshold_) {
                for (int64_t k = n + half_; k >= n - half_; --k)
                    if (sq(k) >= 2 * threshold_)
                        return k + 1;
                return n + 1;
            }
        return fallback;
    }

    // The first sounding sample in [lo, hi], or `fallback`.
    int64_t soundStart(int64_t lo, int64_t hi, int64_t fallback)
    {
        load(lo, hi);
        for (int64_t n = lo; n <= hi; ++n)
            if (centred(n) >= threshold_) {
                for (int64_t k = n - half_; k <= n + half_; ++k)
                    if (sq(k) >= 2 * threshold_)
                        return k;
                return n;
            }
        return fallback;
    }

private:
    void load(int64_t lo, int64_t hi)
    {
        first_ = lo - half_;
        power_ = readPower(pcm_, first_, hi - lo + 1 + 2 * half_);
        prefix_.assign(power_.size() + 1, 0.0);
        for (size_t i = 0; i < power_.size(); ++i)
            prefix_[i + 1] = prefix_[i] + power_[i];
    }
    double sq(int64_t frame) const { return power_[static_cast<size_t>(frame - first_)]; }
    double centred(int64_t frame) const
    {
        const size_t at = static_cast<size_t>(frame - first_);
        return (prefix_[at + half_ + 1] - prefix_[at - half_]) / double(2 * half_ + 1);
    }

    PcmSource& pcm_;
    int half_;
    double threshold_;
    int64_t first_ = 0;
    std::vector<double> power_;
    std::vector<double> prefix_;
};

} // namespace

double speechLevelDb(const EnergyEnvelope& envelope)
{
    const std::vector<float>& levels = envelope.levels();
    if (levels.empty() || envelope.sampleRate() <= 0)
        return EnergyEnvelope::kSilenceDb;
    const double blocksPerSecond = double(envelope.sampleRate()) / envelope.hop();
    const double g = std::exp(-1.0 / (kEnvelopeSeconds * blocksPerSecond));
    const size_t hangover = static_cast<size_t>(std::lround(kHangoverSeconds * blocksPerSecond));
    const size_t bins = static_cast<size_t>((kHighestDb - kLowestDb) / kBinDb) + 1;
    std::vector<double> histogram(bins, 0.0);

    double energy = 0;
    double q1 = 0, q2 = 0;
    std::deque<std::pair<size_t, double>> window;   // decreasing envelope over the hangover
    for (size_t i = 0; i < levels.size(); ++i) {
        const double p = powerOf(levels[i]);
        energy += p;
        q1 = g * q1 + (1 - g) * std::sqrt(p);
        q2 = g * q2 + (1 - g) * q1;
        while (!window.empty() && window.back().second <= q2)
            window.pop_back();
        window.emplace_back(i, q2);
        while (window.front().first + hangover < i)
            window.pop_front();
        const double top = window.front().second;
        const double db = top > 0 ? 20 * std::log10(top) : kLowestDb;
        const double clamped = std::clamp(db, kLowestDb, kHighestDb);
        histogram[static_cast<size_t>((clamped - kLowestDb) / kBinDb)] += 1;
    }
    if (energy <= 0)
        return EnergyEnvelope::kSilenceDb;

    // P.56's search (as ITU-T G.191's sv56): from the lowest threshold up, the active level A
    // (energy over the active blocks) minus the threshold C falls from far above kMarginDb; the
    // level is A where A - C first reaches kMarginDb, interpolated between the two thresholds
    // around it. Near the top, activity shrinks to the few blocks around the loudest peak and A - C
    // rises above the margin again, the more so the longer the file: a search from the top would
    // stop there.
    std::vector<double> activeFrom(bins + 1, 0.0);
    for (size_t b = bins; b-- > 0;)
        activeFrom[b] = activeFrom[b + 1] + histogram[b];
    double prevDiff = 0, prevLevel = 0;
    bool havePrev = false;
    for (size_t b = 0; b < bins && activeFrom[b] > 0; ++b) {
        const double threshold = kLowestDb + double(b) * kBinDb;
        const double level = 10 * std::log10(energy / activeFrom[b]);
        const double diff = level - threshold;
        if (diff <= kMarginDb) {
            if (!havePrev)
                return level;
            const double t = (prevDiff - kMarginDb) / (prevDiff - diff);
            return prevLevel + t * (level - prevLevel);
        }
        prevDiff = diff;
        prevLevel = level;
        havePrev = true;
    }
    // Above the margin at every threshold: the active level at the highest one.
    return prevLevel;
}

double noiseFloorDb(const EnergyEnvelope& envelope)
{
    const std::vector<float>& levels = envelope.levels();
    if (levels.empty())
        return EnergyEnvelope::kSilenceDb;
    const size_t span = std::max<size_t>(1, static_cast<size_t>(std::lround(kFloorWindowSeconds * envelope.sampleRate() / envelope.hop())));
    const size_t bins = static_cast<size_t>((kHighestDb - kLowestDb) / kBinDb) + 1;
    std::vector<size_t> histogram(bins, 0);
    double sum = 0;
    size_t count = 0;
    for (size_t i = 0; i < levels.size(); ++i) {
        sum += powerOf(levels[i]);
        if (i >= span)
            sum -= powerOf(levels[i - span]);
        if (i + 1 < span)
            continue;
        const double mean = std::max(sum, 0.0) / double(span);
        const double db = mean > 0 ? std::clamp(10 * std::log10(mean), kLowestDb, kHighestDb) : kLowestDb;
        ++histogram[static_cast<size_t>((db - kLowestDb) / kBinDb)];
        ++count;
    }
    if (count == 0)
        return EnergyEnvelope::kSilenceDb;
    const size_t rank = static_cast<size_t>(kFloorPercentile * double(count));
    size_t seen = 0;
    for (size_t b = 0; b < bins; ++b) {
        seen += histogram[b];
        if (seen > rank)
            return kLowestDb + double(b) * kBinDb;
    }
    return kHighestDb;
}

double pauseThresholdDb(const EnergyEnvelope& envelope, const PauseOptions& options)
{
    const double speech = speechLevelDb(envelope);
    if (speech <= EnergyEnvelope::kSilenceDb)
        return EnergyEnvelope::kSilenceDb;
    const double asked = speech + options.thresholdDb;
    const double aboveFloor = std::min(noiseFloorDb(envelope) + kFloorMarginDb, speech + kHighestGuardDb);
    return std::max(asked, aboveFloor);
}

std::vector<Pause> detectPauses(const EnergyEnvelope& envelope, const PauseOptions& options, PcmSource* pcm)
{
    std::vector<Pause> pauses;
    const std::vector<float>& levels = envelope.levels();
    const int64_t frames = envelope.frames();
    if (levels.empty() || frames <= 0)
        return pauses;
    const int64_t hop = envelope.hop();
    const int64_t minFrames = std::max<int64_t>(1, std::llround(options.minDuration * envelope.sampleRate()));
    const double thresholdDb = pauseThresholdDb(envelope, options);
    if (thresholdDb <= EnergyEnvelope::kSilenceDb) {
        if (frames >= minFrames)
            pauses.push_back({0, frames, EnergyEnvelope::kSilenceDb});
        return pauses;
    }
    const double threshold = std::pow(10.0, thresholdDb / 10.0);
    std::optional<EdgeRefiner> refiner;
    if (pcm)
        refiner.emplace(*pcm, envelope.hop(), threshold);
    const size_t quiet = static_cast<size_t>(std::lround(kClickQuietSeconds * envelope.sampleRate() / double(hop)));

    const size_t blocks = levels.size();
    for (size_t a = 0; a < blocks;) {
        if (levels[a] >= thresholdDb) {
            ++a;
            continue;
        }
        size_t b = a;
        float loudest = EnergyEnvelope::kSilenceDb;
        for (;;) {
            while (b < blocks && levels[b] < thresholdDb)
                loudest = std::max(loudest, levels[b++]);
            // A click of a block or two with quiet on both sides for 50 ms does not end the pause
            // (a plosive's release, the shortest sound of speech, lasts 5 ms or more; the pulses
            // of a fading voice come closer together than 50 ms).
            size_t c = b;
            while (c < blocks && c - b < kClickBlocks && levels[c] >= thresholdDb)
                ++c;
            if (c == b || c >= blocks || levels[c] >= thresholdDb || b - a < quiet)
                break;
            size_t d = c;
            while (d < blocks && d - c < quiet && levels[d] < thresholdDb)
                ++d;
            if (d - c < quiet && d < blocks)
                break;
            while (b < c)
                loudest = std::max(loudest, levels[b++]);
        }
        int64_t start = int64_t(a) * hop;
        int64_t end = std::min(int64_t(b) * hop, frames);
        // Refining moves each edge by at most about two blocks.
        if (end - start + 4 * hop >= minFrames) {
            if (refiner && a > 0)
                start = refiner->soundEnd(std::max<int64_t>(0, start - 2 * hop), std::min(frames - 1, start + hop), start);
            if (refiner && b < blocks)
                end = refiner->soundStart(std::max<int64_t>(0, end - hop), std::min(frames - 1, end + 2 * hop), end);
            if (!pauses.empty())
                start = std::max(start, pauses.back().end);
            if (end - start >= minFrames)
                pauses.push_back({start, end, loudest});
        }
        a = b;
    }
    return pauses;
}

} // namespace avseg
