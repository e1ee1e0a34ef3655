// SPDX-License-Identifier: MIT
#pragma once

// Speech made at test time by espeak-ng and sox in a temporary folder, and what the analysis
// tests feed it through: a PcmSource over samples held in memory.

#include "AudioSink.h"
#include "PcmSource.h"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

namespace avseg::test {

class TempDir {
public:
    TempDir()
    {
        char tmpl[] = "/tmp/avseg-speech-XXXXXX";
        REQUIRE(mkdtemp(tmpl));
        path = tmpl;
    }
    ~TempDir() { std::system(("rm -rf '" + path + "'").c_str()); }
    std::string operator/(const std::string& name) const { return path + "/" + name; }

    std::string path;
};

inline void shell(const std::string& command)
{
    INFO(command);
    REQUIRE(std::system(command.c_str()) == 0);
}

// 48 kHz mono speech with the leading and trailing near-silence trimmed by sox where the level
// reaches `trim` (of full scale).
inline void speak(const TempDir& dir, const std::string& out, const std::string& voice, const std::string& text,
    const std::string& trim = "0.1%")
{
    shell("espeak-ng -v " + voice + " -w '" + dir / "raw.wav" + "' '" + text + "'");
    shell("sox -R -D -V1 '" + dir / "raw.wav" + "' -r 48000 -b 16 -c 1 '" + out
        + "' rate -v silence 1 0 " + trim + " reverse silence 1 0 " + trim + " reverse");
}

// A sound file's samples, channels interleaved, as float.
inline std::vector<float> readSamples(const TempDir& dir, const std::string& file)
{
    const std::string raw = dir / "samples.f32";
    shell("sox -V1 '" + file + "' -t raw -e floating-point -b 32 -L '" + raw + "'");
    std::ifstream in(raw, std::ios::binary | std::ios::ate);
    std::vector<float> s(static_cast<size_t>(in.tellg()) / sizeof(float));
    in.seekg(0);
    in.read(reinterpret_cast<char*>(s.data()), static_cast<std::streamsize>(s.size() * sizeof(float)));
    return s;
}

// A sound file's samples as one plane per channel.
inline std::vector<std::vector<float>> readPlanes(const TempDir& dir, const std::string& file, size_t channels)
{
    const std::vector<float> interleaved = readSamples(dir, file);
    std::vector<std::vector<float>> planes(channels, std::vector<float>(interleaved.size() / channels));
    for (size_t i = 0; i < interleaved.size(); ++i)
        planes[i % channels][i / channels] = interleaved[i];
    return planes;
}

// A stereo copy of a mono file whose right channel is polarity-inverted (sox remix 1 1i): the
// channels' mean is silence.
inline std::vector<std::vector<float>> invertedStereo(const TempDir& dir, const std::string& mono)
{
    const std::string out = dir / "inverted.wav";
    shell("sox -D -V1 '" + mono + "' '" + out + "' remix 1 1i");
    return readPlanes(dir, out, 2);
}

// Planar samples held in memory, read as a medium would be.
class MemoryPcm : public PcmSource {
public:
    MemoryPcm(int sampleRate, std::vector<std::vector<float>> planes) : rate_(sampleRate), planes_(std::move(planes)) {}
    int sampleRate() const override { return rate_; }
    int channels() const override { return int(planes_.size()); }
    int64_t frames() const override { return planes_.empty() ? 0 : int64_t(planes_[0].size()); }
    PcmSpan read(int64_t first, int64_t count) override
    {
        const int64_t from = std::max<int64_t>(0, first);
        const int64_t to = std::min(frames(), first + count);
        PcmSpan span;
        span.firstFrame = from;
        span.frames = std::max<int64_t>(0, to - from);
        span.channels = channels();
        view_.clear();
        for (const auto& p : planes_)
            view_.push_back(p.data() + std::min<int64_t>(from, int64_t(p.size())));
        span.data = view_.data();
        ++reads;
        return span;
    }
    // Streams everything into sink in chunks of `chunk` frames, as a decoder would.
    void feed(AudioSink& sink, size_t chunk = 4096) const
    {
        sink.start({rate_, channels()});
        std::vector<const float*> at(planes_.size());
        for (int64_t first = 0; first < frames(); first += int64_t(chunk)) {
            for (size_t c = 0; c < planes_.size(); ++c)
                at[c] = planes_[c].data() + first;
            sink.process(at.data(), size_t(std::min<int64_t>(int64_t(chunk), frames() - first)));
        }
        sink.done();
    }
    const std::vector<float>& plane(size_t c) const { return planes_[c]; }

    int reads = 0;

private:
    int rate_;
    std::vector<std::vector<float>> planes_;
    std::vector<const float*> view_;
};

} // namespace avseg::test
