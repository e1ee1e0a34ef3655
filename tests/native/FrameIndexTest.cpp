// SPDX-License-Identifier: MIT
#include "FrameIndexBuilder.h"
#include "FrameIndexReader.h"
#include "MemoryReader.h"
#include "TestMedia.h"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cstring>
#include <fstream>

using namespace avseg;
using namespace avseg::test;
using nlohmann::json;

namespace {

FrameIndex indexOf(const std::string& name)
{
    MemoryReader bytes(readBytes(fixture(name)));
    FrameIndexReader reader(bytes);
    while (reader.step(64)) {
    }
    return reader.finish();
}

json probe(const std::string& name)
{
    std::ifstream in(fixture(name + ".probe.json"));
    return json::parse(in);
}

} // namespace

TEST_CASE("the frame index has ffprobe's frames at the container's own times", "[FrameIndex]")
{
    for (const std::string name : {"frames-cfr.webm", "frames-vfr.webm", "frames-offset.webm", "frames-bframes.mp4"}) {
        INFO(name);
        const FrameIndex index = indexOf(name);
        const json p = probe(name);
        const json& stream = p["streams"][0];
        REQUIRE(index.count() == std::stoul(stream["nb_read_frames"].get<std::string>()));
        std::vector<int64_t> expected;
        size_t keys = 0;
        for (const json& packet : p["packets"]) {
            expected.push_back(packet["pts"].get<int64_t>());
            keys += packet["flags"].get<std::string>().find('K') != std::string::npos;
        }
        std::sort(expected.begin(), expected.end());
        CHECK(index.pts == expected);
        CHECK(size_t(std::count(index.keyFrame.begin(), index.keyFrame.end(), 1)) == keys);
        CHECK(index.keyFrame[0] == 1);
        const std::string tb = stream["time_base"];
        CHECK(std::to_string(index.timeBaseNum) + "/" + std::to_string(index.timeBaseDen) == tb);
        CHECK(index.pts.front() == stream["start_pts"].get<int64_t>());
        CHECK(index.endPts > index.pts.back());
    }
}

TEST_CASE("variable frame durations and a late start are kept, not smoothed", "[FrameIndex]")
{
    const FrameIndex vfr = indexOf("frames-vfr.webm");
    // 40, 40, 60 ms, repeating: no frame rate could give these.
    for (size_t i = 0; i + 1 < vfr.count(); ++i)
        CHECK(vfr.frameEnd(i) - vfr.frameStart(i) == (i % 3 == 2 ? 60 : 40));
    const FrameIndex late = indexOf("frames-offset.webm");
    CHECK(late.seconds(late.frameStart(0)) == Approx(1.5));
    CHECK(late.seconds(late.endPts) == Approx(1.5 + 50 * 0.04));
}

TEST_CASE("the frame shown at a time is the last one started", "[FrameIndex]")
{
    const FrameIndex index = indexOf("frames-cfr.webm");
    CHECK(index.frameAt(index.pts[0] - 1) == -1);
    for (size_t i = 0; i < index.count(); ++i) {
        CHECK(index.frameAt(index.frameStart(i)) == int64_t(i));
        CHECK(index.frameAt(index.frameEnd(i) - 1) == int64_t(i));
    }
}

TEST_CASE("packets arriving in decode order are put in presentation order; duplicates count once", "[FrameIndex]")
{
    FrameIndexBuilder builder(1, 1000);
    builder.add(0, -80, 40, true);
    builder.add(120, -40, 40, false);
    builder.add(40, 0, 40, false);
    builder.add(80, 40, 40, false);
    builder.add(80, 40, 40, false);
    builder.add(INT64_MIN, 160, 0, false);   // no pts: the dts stands in
    builder.add(INT64_MIN, INT64_MIN, 40, false);
    const FrameIndex index = builder.finish();
    CHECK(index.pts == std::vector<int64_t>{0, 40, 80, 120, 160});
    CHECK(index.keyFrame == std::vector<uint8_t>{1, 0, 0, 0, 0});
    CHECK(index.endPts == 200);  // the last frame's duration unknown: as long as the one before
}

TEST_CASE("an audio file has no video to index; cover art is not a video", "[FrameIndex]")
{
    MemoryReader bytes(readBytes(fixture("speech-gaps.mp3")));
    try {
        FrameIndexReader reader(bytes);
        FAIL("an audio file was indexed as video");
    } catch (const MediaError& e) {
        CHECK(e.code() == ErrorCode::NoVideo);
    }
}

TEST_CASE("an MP4's frame index reads its tables, neither its pictures nor its sound", "[FrameIndex]")
{
    MemoryReader bytes(readBytes(fixture("big-video.mp4")));
    const int64_t size = bytes.size();
    FrameIndexReader reader(bytes);
    while (reader.step(256)) {
    }
    const FrameIndex index = reader.finish();
    CHECK(index.count() == 500);
    CHECK(std::count(index.keyFrame.begin(), index.keyFrame.end(), 1) == 10);
    // Its tables come before its samples: everything up to the mdat box's header, read in
    // whole I/O buffers of 64 KiB. Nothing inside the mdat (pictures or sound) is needed.
    const std::vector<uint8_t> file = readBytes(fixture("big-video.mp4"));
    int64_t mdat = 0;
    while (mdat + 8 <= size && std::memcmp(file.data() + mdat + 4, "mdat", 4) != 0)
        mdat += (int64_t(file[mdat]) << 24) | (int64_t(file[mdat + 1]) << 16) | (int64_t(file[mdat + 2]) << 8) | file[mdat + 3];
    REQUIRE(mdat + 8 <= size);
    INFO(reader.bytesRead() << " of " << size << " bytes read; the mdat starts at " << mdat);
    CHECK(reader.bytesRead() <= std::max<int64_t>(mdat + 16, 64 * 1024));
}
