// SPDX-License-Identifier: MIT
// Media made by ffmpeg at test time (a 20 s clip in each shape an MP4 comes in); the sample
// bytes found are checked against ffprobe's packets, the bytes asked against the file's size.
#include "Mp4Layout.h"
#include "TestMedia.h"

#include <catch2/catch.hpp>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <initializer_list>
#include <map>
#include <sstream>
#include <unistd.h>

extern "C" {
#include <libavformat/avformat.h>
}

using namespace avseg;
using namespace avseg::test;

namespace {

void run(const std::string& command)
{
    INFO(command);
    REQUIRE(std::system(command.c_str()) == 0);
}

std::string capture(const std::string& command)
{
    std::string out;
    FILE* pipe = popen(command.c_str(), "r");
    REQUIRE(pipe);
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, pipe)) > 0)
        out.append(buf, n);
    REQUIRE(pclose(pipe) == 0);
    return out;
}

// The clips, made once per run in a temporary folder removed at exit.
class Clips {
public:
    static Clips& get()
    {
        static Clips clips;
        return clips;
    }
    std::string path(const std::string& name) const { return dir_ + "/" + name; }

private:
    Clips()
    {
        char tmpl[] = "/tmp/avseg-mp4layout-XXXXXX";
        REQUIRE(mkdtemp(tmpl));
        dir_ = tmpl;
        const std::string ff = "ffmpeg -nostdin -hide_banner -v error -y ";
        const std::string src = ff + "-f lavfi -i testsrc2=size=640x360:rate=25 -f lavfi -i sine=frequency=440:sample_rate=48000 -t 20 "
            "-c:v libx264 -preset ultrafast -b:v 2M -g 50 -c:a aac -b:a 128k ";
        run(src + "-movflags +faststart " + path("faststart.mp4"));
        run(ff + "-i " + path("faststart.mp4") + " -c copy " + path("moov-at-end.mp4"));
        const std::string frag = " -c copy -movflags +frag_keyframe+empty_moov+default_base_moof";
        run(ff + "-i " + path("faststart.mp4") + frag + " " + path("fragmented-mfra.mp4"));
        run(ff + "-i " + path("faststart.mp4") + frag + "+global_sidx " + path("sidx-mfra.mp4"));
        run(ff + "-i " + path("faststart.mp4") + " -c copy -movflags +dash+frag_keyframe " + path("dash.mp4"));
        run(ff + "-i " + path("faststart.mp4") + " -vn -c copy " + path("audio-only.m4a"));
        const std::string second = ff + "-i " + path("faststart.mp4")
            + " -f lavfi -i sine=frequency=880:sample_rate=44100:duration=20 -map 0:v -map 0:a -map 1:a -c:v copy -c:a:0 copy -c:a:1 aac -b:a:1 96k ";
        run(second + path("two-audio.mp4"));
        run(second + "-disposition:a:0 0 -disposition:a:1 default " + path("second-audio-default.mp4"));
        // Raw PCM in a QuickTime file: the demuxer reads it chunk by chunk, not sample by sample.
        run(ff + "-i " + path("faststart.mp4") + " -c:v copy -c:a pcm_s16le " + path("pcm.mov"));
        // Without their mfra (as a live recorder leaves them): the last box cut off.
        stripMfra("fragmented-mfra.mp4", "fragmented.mp4");
        stripMfra("sidx-mfra.mp4", "sidx.mp4");
    }
    ~Clips() { std::system(("rm -rf '" + dir_ + "'").c_str()); }

    void stripMfra(const std::string& from, const std::string& to)
    {
        std::vector<uint8_t> b = readBytes(path(from));
        REQUIRE(b.size() > 16);
        const uint32_t mfra = uint32_t(b[b.size() - 4]) << 24 | uint32_t(b[b.size() - 3]) << 16 | uint32_t(b[b.size() - 2]) << 8 | b[b.size() - 1];
        REQUIRE(std::string(b.end() - mfra + 4, b.end() - mfra + 8) == "mfra");
        std::ofstream(path(to), std::ios::binary).write(reinterpret_cast<const char*>(b.data()), std::streamsize(b.size() - mfra));
    }

    std::string dir_;
};

// The track ID (as ffprobe numbers streams, id) of the audio stream FFmpeg's own choice picks,
// opened as AudioStreamReader opens a file.
int bestAudioTrackId(const std::string& file)
{
    AVFormatContext* format = nullptr;
    REQUIRE(avformat_open_input(&format, file.c_str(), nullptr, nullptr) == 0);
    REQUIRE(avformat_find_stream_info(format, nullptr) >= 0);
    const int best = av_find_best_stream(format, AVMEDIA_TYPE_AUDIO, -1, -1, nullptr, 0);
    const int id = best >= 0 ? format->streams[best]->id : -1;
    avformat_close_input(&format);
    return id;
}

// The union of the byte spans of ffprobe's packets of one stream.
std::vector<ByteRange> probePackets(const std::string& file, const std::string& stream)
{
    static std::map<std::string, std::vector<ByteRange>> known;
    auto hit = known.find(file + " " + stream);
    if (hit != known.end())
        return hit->second;
    std::istringstream lines(capture("ffprobe -v error -select_streams " + stream
        + " -show_entries packet=pos,size -of csv=p=0 '" + file + "'"));
    std::vector<ByteRange> spans;
    std::string line;
    while (std::getline(lines, line)) {
        if (line.empty())
            continue;
        const int64_t size = std::stoll(line.substr(0, line.find(',')));
        const int64_t pos = std::stoll(line.substr(line.find(',') + 1));
        spans.push_back({pos, pos + size});
    }
    return known[file + " " + stream] = mergeRanges(spans);
}

int64_t total(const std::vector<ByteRange>& ranges)
{
    int64_t n = 0;
    for (const ByteRange& r : ranges)
        n += r.end - r.start;
    return n;
}

struct Run {
    int rounds = 0;
    int64_t bytes = 0;     // fed, the head included
    size_t ranges = 0;
    std::vector<ByteRange> fed;
};

// Bytes of `a` outside `b` (both merged).
int64_t outside(const std::vector<ByteRange>& a, const std::vector<ByteRange>& b)
{
    int64_t n = 0;
    for (const ByteRange& r : a) {
        int64_t inside = 0;
        for (const ByteRange& s : b)
            inside += std::max<int64_t>(0, std::min(r.end, s.end) - std::max(r.start, s.start));
        n += r.end - r.start - inside;
    }
    return n;
}

enum class Order { Asked, Reversed, Split };

// As the worker does: the head first, then every round's wants, until done.
Run plan(Mp4Layout& layout, const std::vector<uint8_t>& file, int64_t head, Order order = Order::Asked)
{
    Run run;
    head = std::min<int64_t>(head, int64_t(file.size()));
    layout.feed(0, file.data(), size_t(head));
    run.bytes = head;
    run.fed.push_back({0, head});
    while (!layout.done()) {
        std::vector<ByteRange> wants = layout.wants();
        REQUIRE(!wants.empty());
        REQUIRE(++run.rounds < 1000);
        run.ranges += wants.size();
        if (order == Order::Reversed)
            std::reverse(wants.begin(), wants.end());
        for (const ByteRange& r : wants) {
            REQUIRE(r.start >= 0);
            REQUIRE(r.end <= int64_t(file.size()));
            REQUIRE(r.start < r.end);
            run.bytes += r.end - r.start;
            run.fed.push_back(r);
            if (order == Order::Split && r.end - r.start > 1) {
                const int64_t mid = r.start + (r.end - r.start) / 2;
                layout.feed(mid, file.data() + mid, size_t(r.end - mid));
                layout.feed(r.start, file.data() + r.start, size_t(mid - r.start));
            } else {
                layout.feed(r.start, file.data() + r.start, size_t(r.end - r.start));
            }
        }
    }
    REQUIRE(layout.wants().empty());
    run.fed = mergeRanges(run.fed);
    return run;
}

int topLevelCount(const std::vector<uint8_t>& b, const char* type)
{
    int n = 0;
    for (uint64_t at = 0; at + 8 <= b.size();) {
        uint64_t size = uint64_t(b[at]) << 24 | uint64_t(b[at + 1]) << 16 | uint64_t(b[at + 2]) << 8 | b[at + 3];
        if (size == 1)
            for (int i = 8; i < 16; ++i)
                size = (i == 8 ? 0 : size << 8) | b[at + i];
        if (size == 0)
            size = b.size() - at;
        if (std::string(b.begin() + at + 4, b.begin() + at + 8) == type)
            ++n;
        if (size < 8)
            break;
        at += size;
    }
    return n;
}

// ISO boxes written by hand, for what ffmpeg does not write (co64, 64-bit sizes, odd truns).
struct Bytes : std::vector<uint8_t> {
    Bytes& u8(uint32_t v) { push_back(uint8_t(v)); return *this; }
    Bytes& u16(uint32_t v) { return u8(v >> 8).u8(v); }
    Bytes& u32(uint32_t v) { return u16(v >> 16).u16(v & 0xffff); }
    Bytes& u64(uint64_t v) { return u32(uint32_t(v >> 32)).u32(uint32_t(v)); }
    Bytes& tag(const char* t) { insert(end(), t, t + 4); return *this; }
    Bytes& add(const std::vector<uint8_t>& b) { insert(end(), b.begin(), b.end()); return *this; }
    Bytes& zeros(size_t n) { insert(end(), n, 0); return *this; }
};

Bytes box(const char* type, std::initializer_list<std::vector<uint8_t>> children)
{
    Bytes body;
    for (const auto& c : children)
        body.add(c);
    Bytes b;
    b.u32(uint32_t(body.size() + 8)).tag(type).add(body);
    return b;
}

Bytes fullBox(const char* type, uint32_t versionFlags, const Bytes& payload)
{
    Bytes body;
    body.u32(versionFlags).add(payload);
    return box(type, {body});
}

Bytes cat(std::initializer_list<std::vector<uint8_t>> parts)
{
    Bytes b;
    for (const auto& p : parts)
        b.add(p);
    return b;
}

// A trak with a sample table of the given boxes (besides its stsd).
Bytes track(uint32_t id, const char* handler, const Bytes& tables, bool enabled = true)
{
    Bytes tkhd, hdlr, stsdEntry, stsd;
    tkhd.zeros(8).u32(id).zeros(68);
    hdlr.u32(0).tag(handler).zeros(12).u8(0);
    stsdEntry.zeros(6).u16(1).zeros(8).u16(2).u16(16).zeros(4).u32(48000u << 16);
    stsd.u32(1).add(box("mp4a", {stsdEntry}));
    return box("trak", {fullBox("tkhd", enabled ? 3 : 2, tkhd),
        box("mdia", {fullBox("hdlr", 0, hdlr), box("minf", {box("stbl", {fullBox("stsd", 0, stsd), tables})})})});
}

Bytes ftyp()
{
    Bytes b;
    b.tag("isom").u32(512).tag("isom").tag("mp41");
    return box("ftyp", {b});
}

std::vector<ByteRange> flat(std::initializer_list<int64_t> v)
{
    std::vector<ByteRange> out;
    for (auto it = v.begin(); it != v.end(); it += 2)
        out.push_back({*it, *(it + 1)});
    return out;
}

} // namespace

// One test case: its sections share the clips, made once.
TEST_CASE("read plans of MP4s made by ffmpeg", "[Mp4Layout]")
{
    const Clips& clips = Clips::get();

    SECTION("the audio track's bytes are exactly ffprobe's packets in every shape an MP4 comes in")
    {
        struct Shape {
            const char* file;
            bool fragmented;
            bool hops;
            const char* codec = "mp4a";
        };
        const Shape shapes[] = {
            {"faststart.mp4", false, false},
            {"moov-at-end.mp4", false, false},
            {"fragmented-mfra.mp4", true, false},
            {"fragmented.mp4", true, true},
            {"sidx.mp4", true, false},
            {"sidx-mfra.mp4", true, false},
            {"dash.mp4", true, false},
            {"audio-only.m4a", false, false},
            {"two-audio.mp4", false, false},
            {"pcm.mov", false, false, "sowt"},
        };
        for (const Shape& shape : shapes) {
            for (Order order : {Order::Asked, Order::Reversed, Order::Split}) {
                INFO(shape.file << " fed in order " << int(order));
                const std::vector<uint8_t> file = readBytes(clips.path(shape.file));
                Mp4Layout layout(int64_t(file.size()));
                const Run run = plan(layout, file, 64 << 10, order);
                CHECK(layout.problem().empty());
                CHECK(layout.container() == Mp4Layout::Container::Mp4);
                CHECK(layout.fragmented() == shape.fragmented);
                CHECK(layout.hopByHop() == shape.hops);
                CHECK(layout.audioCodec() == shape.codec);
                CHECK(layout.mediaRanges() == probePackets(clips.path(shape.file), "a:0"));

                // The index: every moof (and the moov) is among the ranges to pin.
                const std::vector<ByteRange> index = layout.indexRanges();
                const int fragments = topLevelCount(file, "moof");
                CHECK((fragments > 0) == shape.fragmented);
                CHECK(total(index) < int64_t(file.size()) / 50);

                // Few rounds where the file has an index of its fragments; one per fragment where not.
                if (shape.hops)
                    CHECK(run.rounds >= fragments - 2);
                else
                    CHECK(run.rounds <= 5);
                // What the plan reads besides the samples: well under the 6% of the file.
                CHECK(outside(run.fed, layout.mediaRanges()) <= int64_t(file.size()) * 6 / 100);
            }
        }
    }

    SECTION("with two audio tracks the one av_find_best_stream picks is planned")
    {
        for (const char* name : {"two-audio.mp4", "second-audio-default.mp4"}) {
            INFO(name);
            const std::vector<uint8_t> file = readBytes(clips.path(name));
            Mp4Layout layout(int64_t(file.size()));
            plan(layout, file, 64 << 10);
            const bool second = std::string(name) == "second-audio-default.mp4";
            CHECK(layout.audioTrackId() == (second ? 3u : 2u));
            CHECK(int(layout.audioTrackId()) == bestAudioTrackId(clips.path(name)));
            CHECK(layout.mediaRanges() == probePackets(clips.path(name), second ? "a:1" : "a:0"));
            CHECK(layout.mediaRanges() != probePackets(clips.path(name), second ? "a:0" : "a:1"));
        }
    }

    SECTION("all moofs are asked in one round when the file has an mfra or a sidx")
    {
        for (const char* name : {"fragmented-mfra.mp4", "sidx.mp4"}) {
            INFO(name);
            const std::vector<uint8_t> file = readBytes(clips.path(name));
            const int fragments = topLevelCount(file, "moof");
            REQUIRE(fragments >= 8);
            // A head too short for any fragment: everything after comes from the plan.
            Mp4Layout layout(int64_t(file.size()));
            layout.feed(0, file.data(), 4096);
            size_t widest = 0;
            int rounds = 0;
            while (!layout.done() && rounds < 50) {
                const std::vector<ByteRange> wants = layout.wants();
                widest = std::max(widest, wants.size());
                ++rounds;
                for (const ByteRange& r : wants)
                    layout.feed(r.start, file.data() + r.start, size_t(r.end - r.start));
            }
            CHECK(layout.done());
            // All but the first few, which the walk reached meanwhile, hop by hop.
            CHECK(widest >= size_t(fragments - 3));
            CHECK(rounds <= 5);
        }
    }
}

TEST_CASE("chunk offsets past 4 GiB (co64) and a 64-bit mdat size", "[Mp4Layout]")
{
    const int64_t gib = int64_t(1) << 30;
    Bytes stsc, stsz, co64, stts;
    stsc.u32(2).u32(1).u32(3).u32(1).u32(3).u32(2).u32(1);       // chunks 1-2: 3 samples, 3-: 2
    stsz.u32(0).u32(9);
    for (uint32_t s : {100, 200, 300, 10, 20, 30, 7, 8, 9})
        stsz.u32(s);
    co64.u32(4).u64(5 * gib).u64(5 * gib + 600).u64(5 * gib + 10000).u64(6 * gib);
    stts.u32(1).u32(9).u32(1024);
    const Bytes stbl = cat({fullBox("stts", 0, stts), fullBox("stsc", 0, stsc), fullBox("stsz", 0, stsz), fullBox("co64", 0, co64)});
    Bytes head = ftyp();
    const Bytes moov = box("moov", {track(1, "soun", stbl)});
    const int64_t mdatAt = int64_t(head.size());
    Bytes mdat;
    mdat.u32(1).tag("mdat").u64(uint64_t(7 * gib));
    head.add(mdat);
    const int64_t moovAt = mdatAt + 7 * gib;
    const int64_t size = moovAt + int64_t(moov.size());

    Mp4Layout layout(size);
    layout.feed(0, head.data(), head.size());
    const std::vector<ByteRange> wants = layout.wants();
    REQUIRE(wants.size() == 1);
    CHECK(wants[0].start == moovAt);
    layout.feed(moovAt, moov.data(), moov.size());
    REQUIRE(layout.done());
    CHECK(layout.problem().empty());
    CHECK(layout.mediaRanges() == flat({5 * gib, 5 * gib + 660, 5 * gib + 10000, 5 * gib + 10015, 6 * gib, 6 * gib + 9}));
    // The 16-byte mdat header and the moov, to pin.
    CHECK(layout.indexRanges() == flat({0, mdatAt + 16, moovAt, size}));
}

TEST_CASE("fragment runs: implicit bases, defaults from trex and tfhd, negative data offsets", "[Mp4Layout]")
{
    Bytes trex, mvexTrex2;
    trex.u32(2).u32(1).u32(1024).u32(50).u32(0);                // track 2: default size 50
    const Bytes moov = box("moov", {track(1, "vide", Bytes()), track(2, "soun", Bytes()),
        box("mvex", {fullBox("trex", 0, trex)})});
    Bytes file = ftyp();
    file.add(moov);
    const int64_t moofAt = int64_t(file.size());

    // traf 1 (video): no base flags, so it starts at the moof; trun with a data offset and sizes.
    Bytes tfhd1, trun1, tfhd2, trun2a, trun2b, tfhd3, trun3;
    tfhd1.u32(1);
    trun1.u32(2).u32(1000).u32(300).u32(400);                   // flags 0x201: offset, sizes
    // traf 2 (audio): implicit base = end of traf 1's data; first trun sizes from trex (50 each),
    // then one without data-offset (the base again, as the mov demuxer reads it) with its own sizes.
    tfhd2.u32(2);
    trun2a.u32(4).u32(int32_t(-100));                           // flags 0x1, 4 samples, offset -100
    trun2b.u32(7);                                              // no flags: 7 samples of the default
    // traf 3 (audio again, default-base-is-moof and a tfhd default size, first-sample-flags).
    tfhd3.u32(2).u32(30);
    trun3.u32(3).u32(int32_t(5000)).u32(0);                     // flags 0x5 (offset, first flags)
    const Bytes moof = box("moof", {fullBox("mfhd", 0, Bytes().u32(1)),
        box("traf", {fullBox("tfhd", 0x000000, tfhd1), fullBox("trun", 0x000201, trun1)}),
        box("traf", {fullBox("tfhd", 0x000000, tfhd2), fullBox("trun", 0x000001, trun2a), fullBox("trun", 0x000000, trun2b)}),
        box("traf", {fullBox("tfhd", 0x020010, tfhd3), fullBox("trun", 0x000005, trun3)})});
    file.add(moof);
    Bytes mdat;
    mdat.u32(uint32_t(8 + 8000)).tag("mdat").zeros(8000);
    file.add(mdat);

    Mp4Layout layout(int64_t(file.size()));
    layout.feed(0, file.data(), file.size());
    REQUIRE(layout.done());
    CHECK(layout.problem().empty());
    CHECK(layout.fragmented());
    CHECK(layout.audioTrackId() == 2);
    const int64_t video = moofAt + 1000;                        // 700 bytes of video
    const int64_t implicit = video + 700;
    CHECK(layout.mediaRanges() == mergeRanges({{implicit - 100, implicit + 100}, {implicit, implicit + 350},
        {moofAt + 5000, moofAt + 5000 + 3 * 30}}));
}

TEST_CASE("not an MP4: unknown at once, nothing wanted", "[Mp4Layout]")
{
    Bytes wav;
    wav.tag("RIFF").u32(1000).tag("WAVE").tag("fmt ").zeros(40);
    Mp4Layout layout(100000);
    CHECK(layout.container() == Mp4Layout::Container::Undecided);
    CHECK(layout.wants() == flat({0, Mp4Layout::kProbeBytes}));
    layout.feed(0, wav.data(), wav.size());
    CHECK(layout.container() == Mp4Layout::Container::Unknown);
    CHECK(layout.done());
    CHECK(layout.wants().empty());
    CHECK(layout.problem().empty());
}

TEST_CASE("hostile sizes get a problem, and absurd counts cost no time or memory", "[Mp4Layout]")
{
    SECTION("a box smaller than its header")
    {
        Bytes b = ftyp();
        b.u32(4).tag("free").zeros(100);
        Mp4Layout layout(int64_t(b.size()));
        layout.feed(0, b.data(), b.size());
        CHECK(layout.done());
        CHECK(layout.problem().find("impossible size") != std::string::npos);
    }
    SECTION("a moov larger than accepted")
    {
        Bytes b = ftyp();
        b.u32(1).tag("moov").u64(uint64_t(Mp4Layout::kMaxIndexBox) + 8);
        Mp4Layout layout(int64_t(1) << 40);
        layout.feed(0, b.data(), b.size());
        CHECK(layout.done());
        CHECK(layout.problem().find("more than the 256 MiB accepted") != std::string::npos);
    }
    SECTION("a moov past the end of the file")
    {
        Bytes b = ftyp();
        b.u32(5000).tag("moov").zeros(100);
        Mp4Layout layout(int64_t(b.size()));
        layout.feed(0, b.data(), b.size());
        CHECK(layout.problem().find("runs past the end") != std::string::npos);
    }
    SECTION("no moov at all")
    {
        Bytes b = ftyp();
        b.u32(108).tag("mdat").zeros(100);
        Mp4Layout layout(int64_t(b.size()));
        layout.feed(0, b.data(), b.size());
        CHECK(layout.problem().find("no moov") != std::string::npos);
    }
    SECTION("four billion samples of a constant size, and a trun of four billion")
    {
        Bytes stsc, stsz, stco, trex;
        stsc.u32(1).u32(1).u32(0xffffffff).u32(1);
        stsz.u32(1000).u32(0xffffffff);
        stco.u32(1).u32(100);
        const Bytes moov = box("moov", {track(1, "soun", cat({fullBox("stsc", 0, stsc), fullBox("stsz", 0, stsz), fullBox("stco", 0, stco)}))});
        Bytes b = ftyp();
        b.add(moov).u32(16).tag("mdat").zeros(8);
        Mp4Layout layout(int64_t(b.size()));
        layout.feed(0, b.data(), b.size());
        CHECK(layout.done());
        CHECK(layout.mediaRanges() == flat({100, int64_t(b.size())}));

        trex.u32(1).u32(1).u32(0).u32(0xffffffff).u32(0);
        const Bytes fmoov = box("moov", {track(1, "soun", Bytes()), box("mvex", {fullBox("trex", 0, trex)})});
        Bytes trun, tfhd;
        tfhd.u32(1);
        trun.u32(0xffffffff).u32(0);
        Bytes f = ftyp();
        f.add(fmoov);
        const int64_t moofAt = int64_t(f.size());
        f.add(box("moof", {box("traf", {fullBox("tfhd", 0x020000, tfhd), fullBox("trun", 0x000001, trun)})}));
        f.u32(8).tag("mdat");
        Mp4Layout frag(int64_t(f.size()));
        frag.feed(0, f.data(), f.size());
        CHECK(frag.done());
        CHECK(frag.mediaRanges() == flat({moofAt, int64_t(f.size())}));
    }
}

TEST_CASE("a box of size 0 runs to the end of the file", "[Mp4Layout]")
{
    Bytes stsc, stsz, stco;
    stsc.u32(1).u32(1).u32(2).u32(1);
    stsz.u32(0).u32(2).u32(10).u32(20);
    const Bytes moovFirst = cat({ftyp(), box("moov", {track(1, "soun", cat({fullBox("stsc", 0, stsc), fullBox("stsz", 0, stsz),
        fullBox("stco", 0, Bytes().u32(1).u32(0))}))})});
    // The chunk offset is patched to the first byte after the mdat's header.
    Bytes file = moovFirst;
    const int64_t data = int64_t(file.size()) + 8;
    file[file.size() - 4] = uint8_t(data >> 24);
    file[file.size() - 3] = uint8_t(data >> 16);
    file[file.size() - 2] = uint8_t(data >> 8);
    file[file.size() - 1] = uint8_t(data);
    file.u32(0).tag("mdat").zeros(100);
    Mp4Layout layout(int64_t(file.size()));
    layout.feed(0, file.data(), file.size());
    REQUIRE(layout.done());
    CHECK(layout.problem().empty());
    CHECK(layout.mediaRanges() == flat({data, data + 30}));

    // With the moov after an mdat that runs to the end, there is no moov.
    Bytes hidden = ftyp();
    hidden.u32(0).tag("mdat").add(moovFirst);
    Mp4Layout lost(int64_t(hidden.size()));
    lost.feed(0, hidden.data(), hidden.size());
    CHECK(lost.done());
    CHECK(lost.problem().find("no moov") != std::string::npos);
}

TEST_CASE("an index box fed in pieces from its end backwards is kept until whole, each byte asked once", "[Mp4Layout]")
{
    // A 40 KiB moov (past the first 16 KiB asked): the pieces that come before the bytes joining
    // them to the box's header used to be dropped, and asked again round after round.
    Bytes file = ftyp();
    const size_t moovAt = file.size();
    file.add(box("moov", {box("free", {Bytes().zeros(40 << 10)})}));
    file.u32(8 + 64).tag("mdat").zeros(64);
    Mp4Layout layout(int64_t(file.size()));
    std::vector<ByteRange> asked;
    for (int round = 0; !layout.done() && round < 8; ++round) {
        const std::vector<ByteRange> wants = layout.wants();
        REQUIRE_FALSE(wants.empty());
        for (const ByteRange& r : wants) {
            for (const ByteRange& before : asked)
                CHECK((r.end <= before.start || before.end <= r.start));
            asked.push_back(r);
            for (int64_t end = r.end; end > r.start;) {
                const int64_t start = std::max(r.start, end - 32);
                layout.feed(start, file.data() + start, size_t(end - start));
                end = start;
            }
        }
    }
    REQUIRE(layout.done());
    Mp4Layout whole(int64_t(file.size()));
    whole.feed(0, file.data(), file.size());
    CHECK(layout.problem() == whole.problem());
    CHECK(asked.back().end > int64_t(moovAt + (16 << 10)));
}
