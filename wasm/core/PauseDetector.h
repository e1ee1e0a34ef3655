// SPDX-License-Identifier: MIT
#pragma once

#include "EnergyEnvelope.h"
#include "PcmSource.h"

#include <cstdint>
#include <vector>

namespace avseg {

struct PauseOptions {
    double thresholdDb = -30.0;   // relative to the file's speech level
    double minDuration = 0.2;     // seconds
};

// A silent span, frames [start, end), with its loudest block's level in dBFS.
struct Pause {
    int64_t start = 0;
    int64_t end = 0;
    float levelDb = 0;
};

// The file's speech level in dBFS, from the envelope's blocks (doc/analysis.md says how);
// EnergyEnvelope::kSilenceDb when there is no sound at all.
double speechLevelDb(const EnergyEnvelope& envelope);

// Pauses at least minDuration long whose blocks are all below speechLevel + thresholdDb.
// With pcm, each edge is refined from the blocks to the exact sample (doc/analysis.md); without,
// edges fall on block boundaries. Leading and trailing silence count as pauses.
std::vector<Pause> detectPauses(const EnergyEnvelope& envelope, const PauseOptions& options, PcmSource* pcm = nullptr);

} // namespace avseg
