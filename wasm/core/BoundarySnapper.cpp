// SPDX-License-Identifier: MIT
#include "BoundarySnapper.h"

#include <algorithm>
#include <cstdlib>
#include <limits>

namespace avseg {

namespace {

struct Candidate {
    int64_t frame = 0;
    bool found = false;
};

// Keeps the candidate nearest to `target`; on a tie the earlier offer (a stronger kind) stays.
void offer(Candidate& best, SnapKind& kind, int64_t target, int64_t frame, SnapKind offered)
{
    if (!best.found || std::llabs(frame - target) < std::llabs(best.frame - target)) {
        best = {frame, true};
        kind = offered;
    }
}

// The channels' mean of frames [first, first + count) clipped to what pcm has; `first` moves
// to where the returned samples start.
std::vector<float> readMix(PcmSource& pcm, int64_t& first, int64_t count)
{
    std::vector<float> mix;
    const PcmSpan span = pcm.read(first, count);
    if (span.frames <= 0 || span.channels <= 0 || !span.data)
        return mix;
    first = span.firstFrame;
    mix.assign(static_cast<size_t>(span.frames), 0.0f);
    for (int c = 0; c < span.channels; ++c)
        for (size_t i = 0; i < mix.size(); ++i)
            mix[i] += span.data[c][i];
    const float scale = 1.0f / static_cast<float>(span.channels);
    for (float& v : mix)
        v *= scale;
    return mix;
}

// The zero crossing nearest to `frame` in [lo, hi]: of each pair of neighbours with opposite
// signs (or an exact zero), the sample nearer zero.
Candidate zeroCrossing(PcmSource& pcm, int64_t frame, int64_t lo, int64_t hi)
{
    Candidate best;
    if (hi < lo)
        return best;
    int64_t first = lo;
    const std::vector<float> mix = readMix(pcm, first, hi - lo + 1);
    SnapKind ignored = SnapNone;
    for (size_t i = 0; i < mix.size(); ++i) {
        const int64_t at = first + int64_t(i);
        if (mix[i] == 0.0f) {
            offer(best, ignored, frame, at, SnapZeroCrossing);
            continue;
        }
        if (i + 1 < mix.size() && mix[i + 1] != 0.0f && (mix[i] < 0) != (mix[i + 1] < 0))
            offer(best, ignored, frame, std::abs(mix[i]) <= std::abs(mix[i + 1]) ? at : at + 1, SnapZeroCrossing);
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
        const int64_t half = std::max<int64_t>(1, hop / 2);
        int64_t first = from - half;
        const int64_t wanted = first;
        std::vector<float> mix = readMix(*pcm, first, to - from + 1 + 2 * half);
        // Pad what lies outside the medium with zeros so the windows stay aligned.
        if (!mix.empty() && first > wanted) {
            mix.insert(mix.begin(), size_t(first - wanted), 0.0f);
            first = wanted;
        }
        if (!mix.empty()) {
            mix.resize(size_t(to - from + 1 + 2 * half), 0.0f);
            std::vector<double> prefix(mix.size() + 1, 0.0);
            for (size_t i = 0; i < mix.size(); ++i)
                prefix[i + 1] = prefix[i] + double(mix[i]) * double(mix[i]);
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

    Candidate best;
    SnapKind kind = SnapNone;
    if (kinds & SnapPauseEdge)
        for (const Pause& p : pauses)
            for (int64_t edge : {p.start, p.end})
                if (edge >= lo && edge <= hi)
                    offer(best, kind, frame, edge, SnapPauseEdge);
    if ((kinds & SnapEnergyMinimum) && envelope && envelope->blocks() > 0) {
        const Candidate c = energyMinimum(*envelope, pcm, frame, lo, std::min(hi, envelope->frames() - 1));
        if (c.found)
            offer(best, kind, frame, c.frame, SnapEnergyMinimum);
    }
    if ((kinds & SnapZeroCrossing) && pcm) {
        const Candidate c = zeroCrossing(*pcm, frame, lo, std::min(hi, pcm->frames() - 1));
        if (c.found)
            offer(best, kind, frame, c.frame, SnapZeroCrossing);
    }
    if (best.found)
        result = {best.frame, kind};
    return result;
}

} // namespace avseg
