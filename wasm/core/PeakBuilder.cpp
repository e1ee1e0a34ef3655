// SPDX-License-Identifier: MIT
#include "PeakBuilder.h"

#include <algorithm>
#include <limits>

namespace avseg {

void PeakBuilder::start(const AudioFormat& format)
{
    out_.reset(format.channels, format.sampleRate, options_.baseShift);
    out_.levels_.assign(1, PeakPyramid::Level{options_.baseShift, {}, false});
    children_.assign(1, 0);
    accMin_.assign(format.channels, std::numeric_limits<float>::infinity());
    accMax_.assign(format.channels, -std::numeric_limits<float>::infinity());
    accFrames_ = 0;
    scratch_.resize(format.channels);
}

void PeakBuilder::process(const float* const* channels, size_t frames)
{
    if (out_.levels_.empty())
        return;
    const int nch = out_.channels_;
    size_t offset = 0;
    while (offset < frames) {
        const int64_t binSize = int64_t(1) << out_.levels_[0].shift;
        const size_t take = static_cast<size_t>(std::min<int64_t>(int64_t(frames - offset), binSize - accFrames_));
        for (int c = 0; c < nch; ++c) {
            const float* s = channels[c] + offset;
            float lo = accMin_[c];
            float hi = accMax_[c];
            for (size_t i = 0; i < take; ++i) {
                // NaN counts as silence, as quantiseSample() has it.
                const float v = s[i] == s[i] ? s[i] : 0.0f;
                lo = v < lo ? v : lo;
                hi = v > hi ? v : hi;
            }
            accMin_[c] = lo;
            accMax_[c] = hi;
        }
        accFrames_ += static_cast<int64_t>(take);
        out_.frames_ += static_cast<int64_t>(take);
        offset += take;
        if (accFrames_ == binSize)
            closeBaseBin();
    }
    publishOpenBase();
}

void PeakBuilder::done()
{
    auto& levels = out_.levels_;
    if (levels.empty())
        return;
    // No coarsening here: it would reopen the base with the next level's open bin, and nothing more arrives.
    if (accFrames_ > 0)
        closeBaseBin(false);
    for (size_t l = 1; l < levels.size(); ++l) {
        if (!levels[l].open)
            continue;
        levels[l].open = false;
        children_[l] = 0;
        if (l + 1 < levels.size() || out_.binCount(static_cast<int>(l)) > 1)
            addToLevel(l + 1, &levels[l].bins[levels[l].bins.size() - out_.channels_]);
    }
}

void PeakBuilder::publishOpenBase()
{
    if (accFrames_ == 0)
        return;
    auto& base = out_.levels_[0];
    for (int c = 0; c < out_.channels_; ++c)
        scratch_[c] = Peak{quantiseSample(accMin_[c]), quantiseSample(accMax_[c])};
    if (base.open)
        std::copy(scratch_.begin(), scratch_.end(), base.bins.end() - out_.channels_);
    else
        append(base, scratch_.data(), options_.maxBasePeaks);
    base.open = true;
}

void PeakBuilder::closeBaseBin(bool mayCoarsen)
{
    publishOpenBase();
    out_.levels_[0].open = false;
    std::fill(accMin_.begin(), accMin_.end(), std::numeric_limits<float>::infinity());
    std::fill(accMax_.begin(), accMax_.end(), -std::numeric_limits<float>::infinity());
    accFrames_ = 0;
    addToLevel(1, scratch_.data());
    if (mayCoarsen && static_cast<int64_t>(out_.levels_[0].bins.size()) >= options_.maxBasePeaks)
        coarsen();
}

void PeakBuilder::addToLevel(size_t level, const Peak* peaks)
{
    auto& levels = out_.levels_;
    if (level >= levels.size()) {
        levels.push_back(PeakPyramid::Level{levels.back().shift + 1, {}, false});
        children_.push_back(0);
    }
    auto& lv = levels[level];
    const int nch = out_.channels_;
    if (lv.open) {
        Peak* last = &lv.bins[lv.bins.size() - nch];
        for (int c = 0; c < nch; ++c)
            last[c].merge(peaks[c]);
    } else {
        append(lv, peaks, options_.maxBasePeaks >> std::min<size_t>(level, 62));
        lv.open = true;
    }
    if (++children_[level] == 2) {
        lv.open = false;
        children_[level] = 0;
        // Points into this level's heap buffer, which growing the level list does not move.
        addToLevel(level + 1, lv.bins.data() + lv.bins.size() - nch);
    }
}

void PeakBuilder::coarsen()
{
    auto& levels = out_.levels_;
    const int nch = out_.channels_;
    auto& next = levels[1];
    if (next.open) {
        // The next level's open bin becomes the partly filled accumulator of the new base.
        for (int c = 0; c < nch; ++c) {
            const Peak& p = next.bins[next.bins.size() - nch + c];
            accMin_[c] = p.min / 32767.0f;
            accMax_[c] = p.max / 32767.0f;
        }
        accFrames_ = int64_t(1) << levels[0].shift;
        next.bins.resize(next.bins.size() - nch);
        next.open = false;
    }
    levels.erase(levels.begin());
    children_.erase(children_.begin());
    children_[0] = 0;
    publishOpenBase();
}

void PeakBuilder::append(PeakPyramid::Level& level, const Peak* peaks, int64_t cap)
{
    auto& bins = level.bins;
    if (bins.size() == bins.capacity()) {
        const int64_t grown = std::max<int64_t>(int64_t(bins.capacity()) * 2, 256);
        bins.reserve(static_cast<size_t>(std::min(grown, std::max<int64_t>(cap, int64_t(bins.size()) + out_.channels_))));
    }
    bins.insert(bins.end(), peaks, peaks + out_.channels_);
}

} // namespace avseg
