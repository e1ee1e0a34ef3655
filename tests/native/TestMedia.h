// SPDX-License-Identifier: MIT
#pragma once

#include "AudioSink.h"
#include "MediaError.h"
#include "StreamingDecoder.h"

#include <nlohmann/json.hpp>

#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <vector>

namespace avseg::test {

inline std::string fixture(const std::string& name)
{
    return std::string(AVSEG_FIXTURE_DIR) + "/" + name;
}

inline std::vector<uint8_t> readBytes(const std::string& path)
{
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw std::runtime_error("missing fixture " + path + " (ctest runs make_fixtures first)");
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

inline nlohmann::json manifest()
{
    std::ifstream in(fixture("manifest.json"));
    return nlohmann::json::parse(in);
}

// Keeps every decoded sample: only for tests on short files.
class CollectingSink : public AudioSink {
public:
    void start(const AudioFormat& f) override
    {
        format = f;
        pcm.assign(f.channels, {});
        ++starts;
    }
    void process(const float* const* ch, size_t n) override
    {
        for (int c = 0; c < format.channels; ++c)
            pcm[c].insert(pcm[c].end(), ch[c], ch[c] + n);
    }
    void done() override { ++dones; }
    size_t frames() const { return pcm.empty() ? 0 : pcm[0].size(); }

    AudioFormat format;
    std::vector<std::vector<float>> pcm;
    int starts = 0;
    int dones = 0;
};

// Pushes bytes in chunks as a download would, pumping in between.
inline void streamInto(StreamingDecoder& decoder, const std::vector<uint8_t>& bytes, size_t chunk)
{
    for (size_t at = 0; at < bytes.size(); at += chunk) {
        decoder.push(bytes.data() + at, std::min(chunk, bytes.size() - at));
        while (decoder.pump(16) == StreamingDecoder::State::Decoding) {
        }
    }
    decoder.finish();
    while (decoder.pump(1 << 20) != StreamingDecoder::State::Done) {
    }
}

inline std::vector<float> randomSignal(size_t n, unsigned seed)
{
    std::mt19937 rng(seed);
    std::uniform_real_distribution<float> amp(-1.0f, 1.0f);
    std::vector<float> s(n);
    float level = 0.5f;
    for (size_t i = 0; i < n; ++i) {
        if (i % 997 == 0)
            level = std::abs(amp(rng)); // bursts of different loudness, like speech
        s[i] = amp(rng) * level;
    }
    return s;
}

} // namespace avseg::test
