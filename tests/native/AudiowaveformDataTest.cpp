// SPDX-License-Identifier: MIT
#include "AudiowaveformData.h"
#include "MemoryReader.h"
#include "PeakPyramid.h"
#include "StreamingDecoder.h"
#include "GeneratedPeaks.h"
#include "TestMedia.h"

#include <catch2/catch.hpp>

#include <algorithm>

using namespace avseg;
using namespace avseg::test;

namespace {

int32_t le32(const std::vector<uint8_t>& b, size_t at)
{
    return int32_t(uint32_t(b[at]) | uint32_t(b[at + 1]) << 8 | uint32_t(b[at + 2]) << 16 | uint32_t(b[at + 3]) << 24);
}


} // namespace

TEST_CASE("the .dat file has audiowaveform's version 2 header and a min/max pair per pixel and channel", "[Audiowaveform]")
{
    const AudiowaveformData peaks = generatedPeaks("speech-gaps.wav", 300, false);
    CollectingSink pcm;
    {
        MemoryReader source(readBytes(fixture("speech-gaps.wav")));
        StreamingDecoder decoder(pcm, nullptr);
        decoder.openSeekable(source);
        while (decoder.pump(256) != StreamingDecoder::State::Done) {
        }
    }
    const size_t frames = pcm.frames();
    const std::vector<uint8_t> dat = audiowaveformDat(peaks, 16);
    REQUIRE(le32(dat, 0) == 2);                       // version
    REQUIRE(le32(dat, 4) == 0);                       // flags: 16-bit
    REQUIRE(le32(dat, 8) == 48000);                   // sample rate
    REQUIRE(le32(dat, 12) == 300);                    // samples per pixel
    REQUIRE(size_t(le32(dat, 16)) == (frames + 299) / 300);   // length in pixels
    REQUIRE(le32(dat, 20) == 1);                      // channels
    REQUIRE(dat.size() == 24 + size_t(le32(dat, 16)) * 2 * 2);
    // Each pixel's pair is the brute-force min and max of its samples, the last pixel partial.
    for (size_t x = 0; x < size_t(le32(dat, 16)); ++x) {
        int16_t lo = INT16_MAX, hi = INT16_MIN;
        for (size_t i = x * 300; i < std::min(frames, (x + 1) * 300); ++i) {
            lo = std::min(lo, quantiseSample(pcm.pcm[0][i]));
            hi = std::max(hi, quantiseSample(pcm.pcm[0][i]));
        }
        const size_t at = 24 + x * 4;
        REQUIRE(int16_t(dat[at] | dat[at + 1] << 8) == lo);
        REQUIRE(int16_t(dat[at + 2] | dat[at + 3] << 8) == hi);
    }
}

TEST_CASE("8 bits are the 16-bit values divided by 256; JSON holds the same numbers", "[Audiowaveform]")
{
    const AudiowaveformData peaks = generatedPeaks("speech-gaps.wav", 512, false);
    const std::vector<uint8_t> dat = audiowaveformDat(peaks, 8);
    REQUIRE(le32(dat, 4) == 1);
    REQUIRE(dat.size() == 24 + peaks.data.size());
    for (size_t i = 0; i < peaks.data.size(); ++i)
        REQUIRE(int8_t(dat[24 + i]) == peaks.data[i] / 256);
    const auto json = nlohmann::json::parse(audiowaveformJson(peaks, 8));
    REQUIRE(json["version"] == 2);
    REQUIRE(json["bits"] == 8);
    REQUIRE(json["sample_rate"] == 48000);
    REQUIRE(json["samples_per_pixel"] == 512);
    REQUIRE(json["length"] == peaks.length());
    REQUIRE(json["data"].size() == peaks.data.size());
    REQUIRE(json["data"][10] == peaks.data[10] / 256);
}

TEST_CASE("silent gaps are zero pixels; split channels keep each channel", "[Audiowaveform]")
{
    const auto facts = nlohmann::json::parse(std::ifstream(fixture("speech-gaps.json")));
    const AudiowaveformData peaks = generatedPeaks("speech-gaps.wav", 480, false);
    const int64_t gapStart = facts["silence"][0][0], gapEnd = facts["silence"][0][1];
    for (int64_t x = (gapStart + 479) / 480; (x + 1) * 480 <= gapEnd; ++x) {
        REQUIRE(peaks.data[size_t(x) * 2] == 0);
        REQUIRE(peaks.data[size_t(x) * 2 + 1] == 0);
    }
    const AudiowaveformData split = generatedPeaks("speech-gaps.wav", 480, true);
    REQUIRE(split.channels == 1);   // a mono file has one channel either way
    REQUIRE(split.data == peaks.data);
}
