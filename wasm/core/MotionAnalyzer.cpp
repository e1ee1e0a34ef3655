// SPDX-License-Identifier: MIT
#include "MotionAnalyzer.h"

#include "MediaError.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

namespace avseg {

namespace {

// The median of values (reordered); 0 when there are none.
float median(std::vector<float>& values)
{
    if (values.empty())
        return 0;
    const size_t mid = values.size() / 2;
    std::nth_element(values.begin(), values.begin() + mid, values.end());
    const float upper = values[mid];
    if (values.size() % 2)
        return upper;
    const float lower = *std::max_element(values.begin(), values.begin() + mid);
    return (lower + upper) / 2;
}

} // namespace

MotionAnalyzer::MotionAnalyzer(MotionOptions options)
    : options_(options)
{
    options_.window = std::max(1, options_.window);
    options_.flashFrames = std::max(0, options_.flashFrames);
    options_.jerkWindow = std::max(2, options_.jerkWindow);
    options_.jerkFactor = std::max(1.0, options_.jerkFactor);
}

float MotionAnalyzer::distance(const Histogram& a, const Histogram& b)
{
    float sum = 0;
    for (int i = 0; i < kBins; ++i)
        sum += std::fabs(a[i] - b[i]);
    return std::min(1.0f, sum / 2);
}

void MotionAnalyzer::push(const uint8_t* luma, int width, int height)
{
    if (finished_)
        return;
    if (width <= 0 || height <= 0)
        throw MediaError(ErrorCode::InvalidValue, "a motion frame must be at least 1x1 pixels");
    if (previous_.empty()) {
        width_ = width;
        height_ = height;
    } else if (width != width_ || height != height_) {
        throw MediaError(ErrorCode::InvalidValue, "motion frame " + std::to_string(frames()) + " is " + std::to_string(width) + "x"
            + std::to_string(height) + " pixels, the ones before " + std::to_string(width_) + "x" + std::to_string(height_));
    }
    const size_t n = size_t(width) * size_t(height);
    Histogram histogram{};
    uint64_t difference = 0;
    const bool first = previous_.empty();
    for (size_t p = 0; p < n; ++p) {
        histogram[luma[p] * kBins / 256] += 1;
        if (!first)
            difference += static_cast<uint64_t>(std::abs(int(luma[p]) - int(previous_[p])));
    }
    for (float& bin : histogram)
        bin /= float(n);
    motion_.push_back(first ? 0.0f : float(double(difference) / (255.0 * double(n))));
    histogram_.push_back(first ? 0.0f : distance(histogram, recent_.back()));
    // Distances to the frames before the one before, newest first, for the flash test.
    for (int f = 0; f < options_.flashFrames; ++f) {
        const int at = int(recent_.size()) - 2 - f;
        back_.push_back(at >= 0 ? distance(histogram, recent_[size_t(at)]) : std::numeric_limits<float>::infinity());
    }
    recent_.push_back(histogram);
    if (recent_.size() > size_t(options_.flashFrames) + 1)
        recent_.erase(recent_.begin());
    previous_.assign(luma, luma + n);
}

bool MotionAnalyzer::isCut(size_t i) const
{
    const float m = motion_[i];
    if (m < options_.cutMin || histogram_[i] < options_.histogramMin)
        return false;
    const size_t n = motion_.size();
    const size_t w = size_t(options_.window);
    std::vector<float> around;
    for (size_t j = std::max<size_t>(1, i > w ? i - w : 0); j <= std::min(n - 1, i + w); ++j) {
        if (j != i)
            around.push_back(motion_[j]);
    }
    if (m < options_.cutFactor * median(around))
        return false;
    const size_t flash = size_t(options_.flashFrames);
    for (size_t f = 1; f <= flash; ++f) {
        // A frame soon after looks like the one before this: this begins a flash.
        if (i + f < n && back_[(i + f) * flash + f - 1] < options_.histogramMin)
            return false;
        // This looks like one from before the frame before: this ends a flash.
        if (back_[i * flash + f - 1] < options_.histogramMin)
            return false;
    }
    return true;
}

void MotionAnalyzer::findJerks()
{
    const size_t n = motion_.size();
    const size_t w = size_t(options_.jerkWindow);
    const double factor = options_.jerkFactor;
    size_t shotStart = 0;
    auto nextCut = cuts_.begin();
    bool lastWasDip = false;
    std::vector<float> before;
    std::vector<float> after;
    for (size_t i = 1; i < n; ++i) {
        if (nextCut != cuts_.end() && size_t(*nextCut) == i) {
            shotStart = i;
            ++nextCut;
            lastWasDip = false;
            continue;
        }
        const size_t shotEnd = nextCut != cuts_.end() ? size_t(*nextCut) : n;
        // The shot's first frame's motion is the cut (or nothing, for frame 0).
        before.clear();
        for (size_t j = std::max(shotStart + 1, i > w ? i - w : 0); j < i; ++j)
            before.push_back(motion_[j]);
        after.clear();
        for (size_t j = i + 1; j < std::min(shotEnd, i + w + 1); ++j)
            after.push_back(motion_[j]);
        bool dip = false;
        if (before.size() >= 2 && after.size() >= 2) {
            const float b = median(before);
            const float a = median(after);
            const double lo = std::min(a, b);
            const double hi = std::max(a, b);
            const double m = motion_[i];
            // A flash or a change of light moves the histogram, not the picture: no jerk at it
            // or at the frame after it (measured against it).
            const bool light = std::max(histogram_[i], histogram_[i - 1]) >= options_.histogramMin;
            if (lo >= options_.jerkMin && !light) {
                // Single frames: a dip begins where the frame before still moved; a spike stands
                // above both of its neighbours (a slow stretch of a pan is no jerk).
                const double prev = motion_[i - 1];
                const double next = motion_[i + 1];
                dip = m <= options_.freezeRatio * std::min(lo, prev);
                const bool spike = m >= factor * std::max({hi, prev, next}) && m - hi >= options_.jerkMin;
                if (dip || (spike && !lastWasDip))
                    jerks_.push_back(int64_t(i));
            }
        }
        lastWasDip = dip;
    }
}

void MotionAnalyzer::finish()
{
    if (finished_)
        return;
    finished_ = true;
    for (size_t i = 1; i < motion_.size(); ++i) {
        if (isCut(i))
            cuts_.push_back(int64_t(i));
    }
    findJerks();
}

} // namespace avseg
