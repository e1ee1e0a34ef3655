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

// The level of the file's quietest stretches in dBFS: the 5th percentile of the level over 10 ms
// windows; EnergyEnvelope::kSilenceDb when they are digital silence.
double noiseFloorDb(const EnergyEnvelope& envelope);

// The threshold in dBFS pauses are found with: speechLevel + thresholdDb, raised to 10 dB above
// the noise floor if that is higher (a floor above the threshold would hide every pause), but
// never above speechLevel - 10 dB. EnergyEnvelope::kSilenceDb for a file without sound.
double pauseThresholdDb(const EnergyEnvelope& envelope, const PauseOptions& options);

// Pauses at least minDuration long whose blocks are all below pauseThresholdDb(), except clicks
// of at most two blocks with 50 ms of quiet on either side.
// With pcm, each edge is refined from the blocks to the exact sample (doc/analysis.md); without,
// edges fall on block boundaries. Leading and trailing silence count as pauses.
std::vector<Pause> detectPauses(const EnergyEnvelope& envelope, const PauseOptions& options, PcmSource* pcm = nullptr);

} // namespace avseg
