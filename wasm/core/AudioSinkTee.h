// SPDX-License-Identifier: MIT
#pragma once

#include "AudioSink.h"

#include <initializer_list>
#include <utility>
#include <vector>

namespace avseg {

// One decode feeding several sinks (peaks, energy, loudness) in the order given, so that what is
// computed from the whole stream costs no second decode.
class AudioSinkTee : public AudioSink {
public:
    AudioSinkTee(std::initializer_list<AudioSink*> sinks) : sinks_(sinks) {}
    explicit AudioSinkTee(std::vector<AudioSink*> sinks) : sinks_(std::move(sinks)) {}

    void start(const AudioFormat& format) override
    {
        for (AudioSink* s : sinks_)
            s->start(format);
    }
    void process(const float* const* channels, size_t frames) override
    {
        for (AudioSink* s : sinks_)
            s->process(channels, frames);
    }
    void done() override
    {
        for (AudioSink* s : sinks_)
            s->done();
    }

private:
    std::vector<AudioSink*> sinks_;
};

} // namespace avseg
