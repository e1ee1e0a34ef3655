// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>
#include <string>

namespace avseg {

struct Segment;
struct Track;

// Which rule a segment breaks, in the order they are tested.
enum class SegmentRule {
    None,
    NoTrack,          // its track does not exist
    StartsBefore,     // it starts before the media (frame 0)
    Empty,            // it does not end after it starts
    EndsAfter,        // it ends after the media
    TooShort,         // it is shorter than its track's minimum length
    Overlap,          // it overlaps another segment of a track that does not allow that
};

struct SegmentProblem {
    SegmentRule rule = SegmentRule::None;
    std::string why;   // as the annotator reads it; empty when rule is None

    explicit operator bool() const { return rule != SegmentRule::None; }
};

// The rules every segment keeps, written once: the model checks an edit with them
// (AnnotationModel::problemWith), all segments at once (allProblems) and a document as it is read
// (fromJson); each finds the overlapping segment its own way and asks here whether that is a problem.
class SegmentRules {
public:
    // What is wrong with `s` on `track` (null: there is none) in a medium of mediaFrames (0: not
    // known yet); `overlapping` names a segment of the same track that `s` overlaps (empty: none,
    // or not looked for). The first rule broken, or none.
    static SegmentProblem check(const Segment& s, const Track* track, int64_t mediaFrames, const std::string& overlapping = {});
    // Whether overlaps on this track break a rule: callers look for one only then.
    static bool forbidsOverlap(const Track* track);
    // Whether two segments share a frame.
    static bool overlap(const Segment& a, const Segment& b);
};

} // namespace avseg
