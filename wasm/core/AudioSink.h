// SPDX-License-Identifier: MIT
#pragma once

#include <cstddef>

namespace avseg {

struct AudioFormat {
    int sampleRate = 0;
    int channels = 0;
};

// Receives decoded PCM as planar float in [-1, 1]. Decoders push; peak builders,
// range readers and tests consume. Tests feed synthetic samples through this.
class AudioSink {
public:
    virtual ~AudioSink() = default;
    virtual void start(const AudioFormat& format) = 0;
    virtual void process(const float* const* channels, size_t frames) = 0;
    virtual void done() = 0;
};

} // namespace avseg
