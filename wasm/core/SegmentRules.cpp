// SPDX-License-Identifier: MIT
#include "SegmentRules.h"

#include "AnnotationModel.h"

namespace avseg {

namespace {

std::string describe(const Track& t)
{
    return t.category + "/" + t.tag;
}

SegmentProblem broken(SegmentRule rule, std::string why)
{
    return {rule, std::move(why)};
}

} // namespace

SegmentProblem SegmentRules::check(const Segment& s, const Track* t, int64_t mediaFrames, const std::string& overlapping)
{
    if (!t)
        return broken(SegmentRule::NoTrack, "there is no track '" + s.track + "'");
    if (s.start < 0)
        return broken(SegmentRule::StartsBefore, "the segment starts before the media");
    if (s.end <= s.start)
        return broken(SegmentRule::Empty, "the segment must end after it starts");
    if (mediaFrames > 0 && s.end > mediaFrames)
        return broken(SegmentRule::EndsAfter, "the segment ends after the media");
    if (s.end - s.start < t->policy.minLength)
        return broken(SegmentRule::TooShort, "the segment is shorter than the minimum length of track " + describe(*t));
    if (forbidsOverlap(t) && !overlapping.empty())
        return broken(SegmentRule::Overlap,
            "track " + describe(*t) + " does not allow overlapping segments (it would overlap " + overlapping + ")");
    return {};
}

bool SegmentRules::forbidsOverlap(const Track* t)
{
    return t && !t->policy.allowOverlap;
}

bool SegmentRules::overlap(const Segment& a, const Segment& b)
{
    return a.start < b.end && b.start < a.end;
}

} // namespace avseg
