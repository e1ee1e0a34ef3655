// SPDX-License-Identifier: MIT
// A read of the seekable source that fails (an expired link) interrupts the decode instead of
// ending it, and the decode goes on from where it stopped once reads work again: the same frames
// as an uninterrupted decode, without reading the file from its start again.
#include "MediaSession.h"
#include "MemoryReader.h"
#include "TestMedia.h"

#include <catch2/catch.hpp>

#include <cstring>

using namespace avseg;
using namespace avseg::test;

namespace {

// Bytes from memory whose reads at or past `refuseFrom` come back empty (as the page's reader
// does once a presigned link has expired) while `refusing` is set.
class RefusingReader : public ByteReader {
public:
    explicit RefusingReader(std::vector<uint8_t> bytes) : bytes_(std::move(bytes)) {}

    size_t read(uint8_t* dst, size_t n) override
    {
        const size_t take = std::min(n, bytes_.size() - size_t(position_));
        failed_ = take > 0 && refusing && position_ + int64_t(take) > refuseFrom;
        if (failed_) {
            ++refused;
            return 0;
        }
        if (position_ < lowest)
            lowest = position_;
        std::memcpy(dst, bytes_.data() + position_, take);
        position_ += int64_t(take);
        return take;
    }
    bool seek(int64_t position) override
    {
        if (position < 0 || position > int64_t(bytes_.size()))
            return false;
        position_ = position;
        return true;
    }
    int64_t position() const override { return position_; }
    int64_t size() const override { return int64_t(bytes_.size()); }
    bool failed() const override { return failed_; }

    bool refusing = false;
    int64_t refuseFrom = 0;
    int refused = 0;
    int64_t lowest = INT64_MAX;   // the lowest position read since last reset

private:
    std::vector<uint8_t> bytes_;
    int64_t position_ = 0;
    bool failed_ = false;
};

struct Decoded {
    std::vector<std::vector<float>> pcm;
    int interruptions = 0;
    int64_t lowestAfter = INT64_MAX;   // the lowest byte read after reads worked again
    int64_t refuseFrom = 0;
};

// Decodes the whole file through openSeekable; with `refuseAt` (a fraction of the file) > 0,
// reads past that point are refused after the decode got there, for a few pumps, then work again.
Decoded decode(const std::string& name, double refuseAt)
{
    const std::vector<uint8_t> bytes = readBytes(fixture(name));
    auto owned = std::make_unique<RefusingReader>(bytes);
    RefusingReader& reader = *owned;
    CollectingSink sink;
    SeekIndex index;
    StreamingDecoder decoder(sink, &index);
    decoder.openSeekable(reader);
    Decoded out;
    out.refuseFrom = int64_t(double(bytes.size()) * refuseAt);
    bool armed = refuseAt > 0;
    for (int guard = 0; guard < 1000000; ++guard) {
        if (armed && reader.position() >= out.refuseFrom / 2) {
            reader.refusing = true;
            reader.refuseFrom = out.refuseFrom;
            armed = false;
        }
        const auto state = decoder.pump(8);
        if (state == StreamingDecoder::State::Done)
            break;
        if (state == StreamingDecoder::State::Interrupted) {
            ++out.interruptions;
            // Still refused: it goes on at most up to the refused bytes, and never ends.
            auto again = decoder.pump(4);
            for (int i = 0; i < 100000 && again == StreamingDecoder::State::Decoding; ++i)
                again = decoder.pump(4);
            REQUIRE(again == StreamingDecoder::State::Interrupted);
            reader.refusing = false;
            reader.lowest = INT64_MAX;
        }
        REQUIRE(state != StreamingDecoder::State::NeedBytes);
    }
    out.lowestAfter = reader.lowest;
    out.pcm = std::move(sink.pcm);
    return out;
}

} // namespace

TEST_CASE("a refused read interrupts the decode, which then goes on where it stopped with the same frames", "[ReadFailure]")
{
    for (const char* name : {"speech-gaps.pcm_s16le.wav", "speech-gaps.mp3", "speech-gaps.flac", "speech-gaps.ogg",
             "speech-gaps.opus", "speech-gaps.aac.m4a", "speech-gaps.opus.webm", "tone-stereo-44k.flac"}) {
        INFO(name);
        const Decoded whole = decode(name, 0);
        const Decoded cut = decode(name, 0.6);
        CHECK(cut.interruptions == 1);
        REQUIRE(cut.pcm.size() == whole.pcm.size());
        for (size_t c = 0; c < whole.pcm.size(); ++c) {
            REQUIRE(cut.pcm[c].size() == whole.pcm[c].size());
            CHECK(cut.pcm[c] == whole.pcm[c]);
        }
        // Gone on from near where it stopped, not read again from the start.
        CHECK(cut.lowestAfter > cut.refuseFrom / 4);
    }
}

TEST_CASE("a read refused while the file is opened is tried again, not taken for a file it cannot read", "[ReadFailure]")
{
    const std::vector<uint8_t> bytes = readBytes(fixture("speech-gaps.mp3"));
    RefusingReader reader(bytes);
    reader.refusing = true;
    reader.refuseFrom = 0;
    CollectingSink sink;
    SeekIndex index;
    StreamingDecoder decoder(sink, &index);
    decoder.openSeekable(reader);
    CHECK(decoder.pump(8) == StreamingDecoder::State::Interrupted);
    CHECK_FALSE(decoder.opened());
    reader.refusing = false;
    while (decoder.pump(64) != StreamingDecoder::State::Done) {
    }
    CHECK(sink.frames() > 0);
    CHECK(decoder.problems().empty());
}
