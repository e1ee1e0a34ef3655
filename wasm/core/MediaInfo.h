// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>
#include <string>

namespace avseg {

struct MediaInfo {
    std::string formatName;          // demuxer, e.g. "mp3", "mov,mp4,m4a,3gp,3g2,mj2"
    std::string codecName;           // audio decoder, e.g. "mp3float"
    int sampleRate = 0;
    int channels = 0;
    int64_t bitRate = 0;
    double declaredDuration = -1;    // what the container claims, seconds; -1 if it doesn't say
    double startTime = 0;            // the audio stream's first presentation time, seconds
    bool hasVideo = false;           // a video stream besides the audio (cover art aside)
};

} // namespace avseg
