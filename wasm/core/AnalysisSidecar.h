// SPDX-License-Identifier: MIT
#pragma once

#include "LoudnessMeter.h"
#include "PauseDetector.h"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace avseg {

// Everything `avseg-cli analyze` computes for one media file, as the sidecar (.avsa) holds it
// (doc/analysis-format.md). Every part is optional; frames count the audio's sample frames.
struct AnalysisData {
    int sampleRate = 0;
    int64_t frames = 0;

    struct Energy {
        int hop = 0;                   // frames per block
        std::vector<float> levels;     // dBFS per block
    };
    struct Pauses {
        double speechLevelDb = 0;
        PauseOptions options;          // what they were found with
        std::vector<Pause> pauses;     // [start, end) in frames, in order
    };
    struct Loudness {
        int64_t stepFrames = 0;
        std::vector<float> momentary;  // LUFS
        std::vector<float> shortTerm;
        std::optional<double> integrated;   // LUFS; absent when nothing passes the gates
        std::optional<double> range;        // LU
        double jumpLu = 0;             // the rise or fall the jumps were found with
        std::vector<LoudnessJump> jumps;
    };
    struct Pitch {
        int hop = 0;
        int64_t firstIndex = 0;
        double floorHz = 0;
        double ceilingHz = 0;
        std::vector<float> hz;         // 0 where unvoiced
        std::vector<float> clarity;
    };
    struct Video {
        int64_t frames = 0;            // frames of the video's frame index
        std::vector<float> motion;     // one per frame, [0, 1]
        std::vector<int64_t> cuts;     // frame indices
        std::vector<int64_t> jerks;
    };

    std::optional<Energy> energy;
    std::optional<Pauses> pauses;
    std::optional<Loudness> loudness;
    std::optional<Pitch> pitch;
    std::optional<Video> video;
    std::string generator;             // who wrote it, e.g. "avseg-cli 0.3.0"; informative only
};

inline constexpr char kAnalysisMagic[8] = {'A', 'V', 'S', 'E', 'G', 'A', 'N', 'L'};
inline constexpr uint32_t kAnalysisVersion = 1;

// The sidecar's bytes. Throws MediaError InvalidAnalysis for data that would not read back
// (a pause outside the frames, a non-finite number, arrays of mismatched lengths).
std::vector<uint8_t> writeAnalysisSidecar(const AnalysisData& data);

// Reads a sidecar strictly; throws MediaError InvalidAnalysis saying what is wrong and where.
AnalysisData readAnalysisSidecar(const uint8_t* bytes, size_t size);

} // namespace avseg
