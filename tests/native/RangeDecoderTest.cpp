// SPDX-License-Identifier: MIT
#include "MemoryReader.h"
#include "RangeDecoder.h"
#include "SeekIndex.h"
#include "TestMedia.h"

#include <catch2/catch.hpp>

using namespace avseg;

TEST_CASE("a range decoded again equals the same frames of the sequential decode", "[RangeDecoder]")
{
    const std::vector<std::pair<const char*, bool>> files = {{"speech-gaps.mp3", false}, {"speech-gaps.flac", true},
        {"speech-gaps.ogg", false}, {"speech-gaps.opus", false}, {"speech-gaps.aac.m4a", false},
        {"speech-gaps.alac.m4a", true}, {"speech-gaps.opus.webm", false}, {"speech-gaps.aac", false},
        {"speech-gaps.pcm_s16le.wav", true}, {"speech-gaps.pcm_mulaw.wav", true}, {"tone-stereo-44k.flac", true}};
    for (const auto& [name, lossless] : files) {
        SECTION(name)
        {
            const auto bytes = test::readBytes(test::fixture(name));
            test::CollectingSink sink;
            SeekIndex index(2400);
            StreamingDecoder decoder(sink, &index);
            test::streamInto(decoder, bytes, 65536);
            REQUIRE(index.points().size() > 10);

            MemoryReader reader(bytes);
            RangeDecoder ranges(reader, index, sink.format);
            const int64_t total = int64_t(sink.frames());
            std::mt19937 rng(42);
            std::uniform_int_distribution<int64_t> start(0, total - 1);
            std::vector<int64_t> firsts = {0, 1, total - 100, total / 2};
            for (int i = 0; i < 12; ++i)
                firsts.push_back(start(rng));
            for (int64_t first : firsts) {
                const int64_t count = std::min<int64_t>(3000, total - first);
                std::vector<std::vector<float>> got(sink.format.channels);
                int64_t next = first;
                INFO("first " << first << " count " << count);
                ranges.decode(first, count, [&](int64_t at, const float* const* ch, int n) {
                    INFO("at " << at << " next " << next);
                    REQUIRE(at == next);
                    for (int c = 0; c < sink.format.channels; ++c)
                        got[c].insert(got[c].end(), ch[c], ch[c] + n);
                    next += n;
                });
                REQUIRE(next == first + count);
                for (int c = 0; c < sink.format.channels; ++c) {
                    const auto& all = sink.pcm[c];
                    if (lossless) {
                        REQUIRE(std::equal(got[c].begin(), got[c].end(), all.begin() + first));
                        continue;
                    }
                    // Lossy decoders may differ in the last bits after a seek (Opus, AAC at the end);
                    // the samples must still sit at exactly the same positions.
                    auto error = [&](int64_t shift) {
                        double e = 0;
                        for (int64_t i = 0; i < count; ++i) {
                            const int64_t j = std::clamp<int64_t>(first + i + shift, 0, total - 1);
                            e += std::abs(double(got[c][i]) - all[j]);
                        }
                        return e;
                    };
                    const double aligned = error(0);
                    for (int64_t i = 0; i < count; ++i)
                        REQUIRE(std::abs(got[c][i] - all[first + i]) < 2e-3f);
                    for (int64_t shift : {-2, -1, 1, 2})
                        if (error(shift) > 0.05) // a shift only shows where there is signal
                            REQUIRE(aligned < error(shift) / 10);
                }
            }
        }
    }
}

TEST_CASE("the seek index thins itself to stay small and stays usable", "[SeekIndex]")
{
    SeekIndex index(10, 64);
    for (int64_t f = 0; f < 100000; f += 5)
        index.consider(f * 3, f, f);
    REQUIRE(index.points().size() <= 64);
    REQUIRE(index.points().size() >= 32);
    for (size_t i = 1; i < index.points().size(); ++i) {
        REQUIRE(index.points()[i].frame > index.points()[i - 1].frame);
        REQUIRE(index.points()[i].bytePos == index.points()[i].frame * 3);
    }
    const long k = index.pointBefore(50000);
    REQUIRE(index.points()[k].frame <= 50000);
    REQUIRE(index.points()[k + 1].frame > 50000);
}

TEST_CASE("a sparse (thinned) index still seeks near the target instead of decoding from the start", "[RangeDecoder]")
{
    for (const char* name : {"speech-gaps.mp3", "speech-gaps.ogg", "speech-gaps.aac.m4a", "speech-gaps.flac"}) {
        INFO(name);
        const auto bytes = test::readBytes(test::fixture(name));
        test::CollectingSink sink;
        SeekIndex index(1200, 4); // thins to ~4 points, ~120000 frames apart
        StreamingDecoder decoder(sink, &index);
        test::streamInto(decoder, bytes, 65536);
        REQUIRE(index.points().size() <= 4);
        MemoryReader reader(bytes);
        RangeDecoder ranges(reader, index, sink.format);
        for (int64_t first : {int64_t(300000), int64_t(150000), int64_t(420000)}) {
            std::vector<float> got;
            ranges.decode(first, 1000, [&](int64_t, const float* const* ch, int n) { got.insert(got.end(), ch[0], ch[0] + n); });
            REQUIRE(got.size() == 1000);
            for (size_t i = 0; i < got.size(); ++i)
                REQUIRE(std::abs(got[i] - sink.pcm[0][first + int64_t(i)]) < 2e-3f);
        }
        CHECK(ranges.restarts() == 0);
        CHECK(ranges.prerollFrames() < 3 * 300000);
    }
}

namespace {

// A file whose reads come back empty while `failing` (a presigned link that expired), then work again (a fresh link).
class InterruptedReader : public ByteReader {
public:
    explicit InterruptedReader(std::vector<uint8_t> bytes) : memory_(std::move(bytes)) {}
    size_t read(uint8_t* dst, size_t n) override { return failing ? 0 : memory_.read(dst, n); }
    bool seek(int64_t position) override { return memory_.seek(position); }
    int64_t position() const override { return memory_.position(); }
    int64_t size() const override { return memory_.size(); }
    bool failing = false;

private:
    MemoryReader memory_;
};

} // namespace

TEST_CASE("a decode whose source reads nothing fails, and the next one, once it reads again, gives the samples", "[RangeDecoder]")
{
    for (const char* name : {"speech-gaps.pcm_s16le.wav", "speech-gaps.mp3", "speech-gaps.flac"}) {
        INFO(name);
        const auto bytes = test::readBytes(test::fixture(name));
        test::CollectingSink sink;
        SeekIndex index(2400);
        StreamingDecoder decoder(sink, &index);
        test::streamInto(decoder, bytes, 65536);
        InterruptedReader reader(bytes);
        RangeDecoder ranges(reader, index, sink.format);
        auto decode = [&](int64_t first) {
            std::vector<float> got;
            ranges.decode(first, 1000, [&](int64_t, const float* const* ch, int n) { got.insert(got.end(), ch[0], ch[0] + n); });
            return got;
        };
        REQUIRE(decode(200000).size() == 1000);
        reader.failing = true;
        // Reopening the file from its start fails too (its header cannot be read): that decode throws or gives nothing.
        for (int64_t first : {int64_t(100000), int64_t(300000)}) {
            size_t n = 0;
            try {
                n = decode(first).size();
            } catch (const MediaError&) {
            }
            CHECK(n < 1000);
        }
        reader.failing = false;
        const int64_t first = 250000;
        const auto got = decode(first);
        REQUIRE(got.size() == 1000);
        for (size_t i = 0; i < got.size(); ++i)
            REQUIRE(std::abs(got[i] - sink.pcm[0][first + int64_t(i)]) < 2e-3f);
    }
}
