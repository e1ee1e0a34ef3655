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

// The nearest candidate of the asked kinds within `radius` frames of `frame`: a pause edge, the
// quietest point of the envelope, or a zero crossing of the channels' mean (read from pcm).
// A missing envelope or pcm leaves its kinds out.
SnapResult snapBoundary(int64_t frame, int64_t radius, unsigned kinds, const std::vector<Pause>& pauses,
    const EnergyEnvelope* envelope, PcmSource* pcm);

} // namespace avseg
