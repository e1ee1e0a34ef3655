// SPDX-License-Identifier: MIT
#pragma once

#include "EnergyEnvelope.h"
#include "PauseDetector.h"
#include "PcmSource.h"

#include <cstdint>
#include <vector>

namespace avseg {

enum SnapKind : unsigned {
    SnapNone = 0,
    SnapPauseEdge = 1,
    SnapEnergyMinimum = 2,
    SnapZeroCrossing = 4,
};

struct SnapResult {
    int64_t frame = 0;       // where the boundary goes (the frame asked for when nothing is in reach)
    SnapKind kind = SnapNone;
};

// Where a boundary dropped at `frame` goes, among the asked kinds within `radius` frames, by rank
// (doc/analysis.md "Snapping"): the nearest pause edge, exactly; else the quietest point of the
// envelope, moved to the nearest zero crossing within a millisecond when zero crossings are asked
// too; else the nearest zero crossing of the loudest channel (read from pcm).
// A missing envelope or pcm leaves its kinds out.
SnapResult snapBoundary(int64_t frame, int64_t radius, unsigned kinds, const std::vector<Pause>& pauses,
    const EnergyEnvelope* envelope, PcmSource* pcm);

} // namespace avseg
