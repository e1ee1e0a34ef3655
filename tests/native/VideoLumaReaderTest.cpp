// SPDX-License-Identifier: MIT
// Videos made by ffmpeg at test time (tests/fixtures/make-motion-video.sh: cuts, a frozen and a
// skipped frame at known frames), decoded by VideoLumaReader and analysed by MotionAnalyzer.
#include "ByteReader.h"
#include "FrameIndexReader.h"
#include "MediaError.h"
#include "MemoryReader.h"
#include "MotionAnalyzer.h"
#include "TestMedia.h"
#include "VideoLumaReader.h"

#include <catch2/catch.hpp>

#include <cstdlib>
#include <string>
#include <unistd.h>

using namespace avseg;
using namespace avseg::test;

namespace {

class TempDir {
public:
    TempDir()
    {
        char tmpl[] = "/tmp/avseg-motion-XXXXXX";
        REQUIRE(mkdtemp(tmpl));
        path_ = tmpl;
    }
    ~TempDir() { std::system(("rm -rf '" + path_ + "'").c_str()); }
    std::string path(const std::string& name) const { return path_ + "/" + name; }

private:
    std::string path_;
};

void run(const std::string& command)
{
    INFO(command);
    REQUIRE(std::system(command.c_str()) == 0);
}

std::string makeMotionVideo(const TempDir& dir, const std::string& rate, const std::string& name, const std::string& options = "")
{
    const std::string out = dir.path(name);
    run(std::string(AVSEG_SOURCE_DIR) + "/tests/fixtures/make-motion-video.sh " + rate + " " + out + " " + options);
    return out;
}

size_t indexedFrames(const std::string& path)
{
    MemoryReader bytes(readBytes(path));
    FrameIndexReader reader(bytes);
    while (reader.step(256)) {
    }
    return reader.finish().count();
}

struct Scan {
    int64_t frames = 0;
    std::vector<int64_t> indices;
    MotionAnalyzer analyzer;
};

void scan(const std::string& path, Scan& out)
{
    out.frames = scanVideoLuma(path.c_str(), 64, 36, [&](const uint8_t* luma, int64_t index) {
        out.indices.push_back(index);
        out.analyzer.push(luma, 64, 36);
    });
    out.analyzer.finish();
}

} // namespace

TEST_CASE("cuts and jerks in generated videos are found at exactly their frames at 24, 25, 30 and 29.97 fps", "[VideoLumaReader]")
{
    TempDir dir;
    for (const std::string rate : {"24", "25", "30", "30000/1001"}) {
        INFO("H.264 with B-frames at " << rate << " fps");
        const std::string path = makeMotionVideo(dir, rate, "cuts.mp4");
        Scan s;
        scan(path, s);
        REQUIRE(s.frames == 218);
        CHECK(size_t(s.frames) == indexedFrames(path));
        REQUIRE(s.indices.size() == 218);
        CHECK(s.indices.front() == 0);
        CHECK(s.indices.back() == 217);
        CHECK(s.analyzer.cuts() == std::vector<int64_t>{30, 55, 90, 118});
        CHECK(s.analyzer.jerks() == std::vector<int64_t>{138, 169});
    }
}

TEST_CASE("frames are numbered as the frame index numbers them in a WebM starting at 1.5 s", "[VideoLumaReader]")
{
    TempDir dir;
    const std::string path = makeMotionVideo(dir, "25", "late.webm", "-output_ts_offset 1.5");
    Scan s;
    scan(path, s);
    CHECK(size_t(s.frames) == indexedFrames(path));
    CHECK(s.analyzer.cuts() == std::vector<int64_t>{30, 55, 90, 118});
    CHECK(s.analyzer.jerks() == std::vector<int64_t>{138, 169});
}

TEST_CASE("limited-range video gives full-range grey pictures, as a browser's RGB of it does", "[VideoLumaReader]")
{
    TempDir dir;
    const std::string path = dir.path("black-white.mp4");
    run("ffmpeg -nostdin -hide_banner -v error -y -f lavfi -i color=black:size=320x180:rate=10:duration=1 "
        "-f lavfi -i color=white:size=320x180:rate=10:duration=1 -filter_complex '[0][1]concat=n=2:v=1:a=0,format=yuv420p' "
        "-color_range tv -c:v libx264 -preset veryfast " + path);
    std::vector<int> means;
    scanVideoLuma(path.c_str(), 8, 4, [&](const uint8_t* luma, int64_t) {
        int sum = 0;
        for (int i = 0; i < 32; ++i)
            sum += luma[i];
        means.push_back(sum / 32);
    });
    REQUIRE(means.size() == 20);
    CHECK(means.front() <= 1);
    CHECK(means.back() >= 254);
}

TEST_CASE("a file without video is refused with no-video", "[VideoLumaReader]")
{
    try {
        scanVideoLuma(fixture("speech-gaps.mp3").c_str(), 64, 36, [](const uint8_t*, int64_t) {});
        FAIL("an audio file was scanned as video");
    } catch (const MediaError& e) {
        CHECK(e.code() == ErrorCode::NoVideo);
    }
}
