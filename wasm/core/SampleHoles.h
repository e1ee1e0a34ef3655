// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>
#include <utility>
#include <vector>

struct AVFormatContext;

namespace avseg {

// The byte ranges of an MP4 that hold samples nobody will decode (its pictures, when only the
// sound or only the timestamps are wanted), from the demuxer's sample tables. Reads inside them
// can be answered with zeros, so those bytes are never fetched: the demuxer would otherwise read
// through them between the samples it wants.
class SampleHoles {
public:
    // Takes in the samples the demuxer has learned of since the last call (an MP4 knows all of
    // them from its header; a fragmented one learns them fragment by fragment).
    void learn(AVFormatContext* format, const std::vector<int>& streams);
    // For n bytes at pos: whether they start inside a hole, and how many bytes from pos are on
    // the same side (inside that hole, or before the next one).
    std::pair<bool, int64_t> span(int64_t pos, int64_t n) const;
    bool empty() const { return holes_.empty(); }

private:
    std::vector<int> known_;                           // entries seen, per stream index
    std::vector<std::pair<int64_t, int64_t>> holes_;   // [start, end), sorted, merged
};

} // namespace avseg
