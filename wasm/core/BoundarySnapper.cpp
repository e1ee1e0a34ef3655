// SPDX-License-Identifier: MIT
#include "BoundarySnapper.h"

#include "ChannelPower.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <limits>

namespace avseg {

namespace {

struct Candidate {
    int64_t frame = 0;
    bool found = false;
};

// Keeps the candidate nearest to `target`; on a tie the earlier offer stays.
void offer(Candidate& best, int64_t target, int64_t frame)
{
    if (!best.found || std::llabs(frame - target) < std::llabs(best.frame - target))
        best = {frame, true};
}

// The zero crossing nearest to `frame` in [lo, hi], on the loudest channel there (the channels'
// mean would cancel a polarity-inverted pair): of a pair of neighbours, one strictly positive and
// one strictly negative, the sample nearer zero; or a sample at either end of a run of exact
// zeros that touches sound. Inside digital silence there is none.
Candidate zeroCrossing(PcmSource& pcm, int64_t frame, int64_t lo, int64_t hi)
{
    Candidate best;
    if (hi < lo)
        return best;
    // One frame more on each side, to see what a run of zeros at the edge of the reach touches.
    const int64_t first = lo - 1;
    const std::vector<float> s = readLoudestChannel(pcm, first, hi - lo + 3);
    for (int64_t at = lo - 1; at <= hi; ++at) {
        const size_t i = size_t(at - first);
        if (s[i] == 0.0f) {
            if (at >= lo && (s[i - 1] != 0.0f || s[i + 1] != 0.0f))
                offer(best, frame, at);
        } else if (s[i + 1] != 0.0f && (s[i] < 0) != (s[i + 1] < 0)) {
            const int64_t nearer = std::abs(s[i]) <= std::abs(s[i + 1]) ? at : at + 1;
            if (nearer >= lo && nearer <= hi)
                offer(best, frame, nearer);
        }
    }
    return best;
}

// The quietest block of the envelope touching [lo, hi] (the nearest of equals), then within it
// the sample where the mean square over a block-long centred window is least.
Candidate energyMinimum(const EnergyEnvelope& envelope, PcmSource* pcm, int64_t frame, int64_t lo, int64_t hi)
{
    Candidate best;
    const int64_t hop = envelope.hop();
    const int64_t blocks = int64_t(envelope.blocks());
    const int64_t firstBlock = std::max<int64_t>(0, lo / hop);
    const int64_t lastBlock = std::min(blocks - 1, hi / hop);
    int64_t quietest = -1;
    for (int64_t b = firstBlock; b <= lastBlock; ++b) {
        const float level = envelope.levelDb(size_t(b));
        if (quietest < 0 || level < envelope.levelDb(size_t(quietest))
            || (level == envelope.levelDb(size_t(quietest))
                && std::llabs(b * hop + hop / 2 - frame) < std::llabs(quietest * hop + hop / 2 - frame)))
            quietest = b;
    }
    if (quietest < 0)
        return best;
    const int64_t from = std::max(lo, quietest * hop);
    const int64_t to = std::min(hi, quietest * hop + hop - 1);
    if (from > to)
        return best;
    int64_t at = std::clamp(quietest * hop + hop / 2, from, to);
    if (pcm) {
        // The envelope's power (the mean of the channels' powers), summed over a centred block-long window.
        const int64_t half = std::max<int64_t>(1, hop / 2);
        const int64_t first = from - half;
        const std::vector<double> power = readPower(*pcm, first, to - from + 1 + 2 * half);
        std::vector<double> prefix(power.size() + 1, 0.0);
        for (size_t i = 0; i < power.size(); ++i)
            prefix[i + 1] = prefix[i] + power[i];
        double least = std::numeric_limits<double>::infinity();
        for (int64_t n = from; n <= to; ++n) {
            const size_t i = size_t(n - first);
            const double e = prefix[i + size_t(half) + 1] - prefix[i - size_t(half)];
            if (e < least || (e == least && std::llabs(n - frame) < std::llabs(at - frame))) {
                least = e;
                at = n;
            }
        }
    }
    return {at, true};
}

} // namespace

SnapResult snapBoundary(int64_t frame, int64_t radius, unsigned kinds, const std::vector<Pause>& pauses,
    const EnergyEnvelope* envelope, PcmSource* pcm)
{
    SnapResult result{frame, SnapNone};
    if (radius < 0)
        return result;
    int64_t lo = std::max<int64_t>(0, frame - radius);
    int64_t hi = frame + radius;
    if (envelope && envelope->frames() > 0)
        hi = std::min(hi, envelope->frames());
    else if (pcm && pcm->frames() > 0)
        hi = std::min(hi, pcm->frames());
    if (lo > hi)
        return result;

    // Pause edges are sample-exact threshold crossings: one in reach wins and is kept as it is.
    if (kinds & SnapPauseEdge) {
        Candidate edge;
        for (const Pause& p : pauses)
            for (int64_t at : {p.start, p.end})
                if (at >= lo && at <= hi)
                    offer(edge, frame, at);
        if (edge.found)
            return {edge.frame, SnapPauseEdge};
    }
    // Else the quietest point; a zero crossing asked with it only fine-tunes it, within a
    // millisecond (and the reach).
    if ((kinds & SnapEnergyMinimum) && envelope && envelope->blocks() > 0) {
        const Candidate quiet = energyMinimum(*envelope, pcm, frame, lo, std::min(hi, envelope->frames() - 1));
        if (quiet.found) {
            int64_t at = quiet.frame;
            if ((kinds & SnapZeroCrossing) && pcm) {
                const int64_t fine = std::max(1, static_cast<int>(std::lround(pcm->sampleRate() / 1000.0)));
                const Candidate zero = zeroCrossing(*pcm, at, std::max(lo, at - fine),
                    std::min({hi, at + fine, pcm->frames() - 1}));
                if (zero.found)
                    at = zero.frame;
            }
            return {at, SnapEnergyMinimum};
        }
    }
    if ((kinds & SnapZeroCrossing) && pcm) {
        const Candidate zero = zeroCrossing(*pcm, frame, lo, std::min(hi, pcm->frames() - 1));
        if (zero.found)
            return {zero.frame, SnapZeroCrossing};
    }
    return result;
}

} // namespace avseg
