// SPDX-License-Identifier: MIT
#include "DecodedWindowCache.h"
#include "MediaSession.h"
#include "MemoryReader.h"
#include "RangeDecoder.h"
#include "SeekIndex.h"
#include "TestMedia.h"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <random>

using namespace avseg;

namespace {

// A fixture decoded sequentially (every sample kept, for comparison) with its seek index, and
// the file to decode ranges from again.
struct Decoded {
    explicit Decoded(const std::string& name) : bytes(test::readBytes(test::fixture(name))), reader(bytes)
    {
        StreamingDecoder decoder(sink, &index);
        test::streamInto(decoder, bytes, 65536);
    }
    int64_t frames() const { return int64_t(sink.frames()); }
    int channels() const { return sink.format.channels; }
    size_t blockBytes(int shift) const { return DecodedWindowCache::blockBytes(channels(), shift); }

    std::vector<uint8_t> bytes;
    test::CollectingSink sink;
    SeekIndex index{2400};
    MemoryReader reader;
};

// What a window decoded on its own, without any cache, gives.
std::vector<std::vector<float>> uncached(Decoded& d, int64_t first, int64_t count)
{
    RangeDecoder ranges(d.reader, d.index, d.sink.format);
    std::vector<std::vector<float>> out(d.channels());
    ranges.decode(first, count, [&](int64_t, const float* const* ch, int n) {
        for (int c = 0; c < d.channels(); ++c)
            out[c].insert(out[c].end(), ch[c], ch[c] + n);
    });
    return out;
}

std::vector<std::vector<float>> joined(const std::vector<PcmSpan>& pieces, int channels)
{
    std::vector<std::vector<float>> out(channels);
    int64_t next = pieces.empty() ? 0 : pieces.front().firstFrame;
    for (const PcmSpan& p : pieces) {
        REQUIRE(p.firstFrame == next);   // consecutive, no gaps
        for (int c = 0; c < channels; ++c)
            out[c].insert(out[c].end(), p.data[c], p.data[c] + p.frames);
        next += p.frames;
    }
    return out;
}

// A session over a fixture, decoded and with its seekable copy attached, as the worker does.
std::unique_ptr<MediaSession> loadSession(const std::string& name, SessionOptions options = {})
{
    auto session = std::make_unique<MediaSession>(options);
    const auto bytes = test::readBytes(test::fixture(name));
    session->push(bytes.data(), bytes.size());
    session->finish();
    session->attachSeekable(std::make_unique<MemoryReader>(bytes));
    while (session->pump(1 << 20) != StreamingDecoder::State::Done) {
    }
    return session;
}

} // namespace

TEST_CASE("windows from the cache are the samples an uncached decode gives, across block seams", "[DecodedWindowCache]")
{
    for (const char* name : {"speech-gaps.flac", "speech-gaps.pcm_s16le.wav", "tone-stereo-44k.flac", "speech-gaps.mp3"}) {
        SECTION(name)
        {
            Decoded d(name);
            const int shift = 12;   // 4096-frame blocks: many seams in a short file
            DecodedWindowCache cache(64 << 20, shift);
            cache.reset(d.channels());
            cache.setFrames(d.frames());
            RangeDecoder ranges(d.reader, d.index, d.sink.format);
            std::mt19937 rng(11);
            std::uniform_int_distribution<int64_t> start(0, d.frames() - 1);
            std::uniform_int_distribution<int64_t> length(1, 5 * 4096);
            // Seams, the media's ends, and random windows that overlap what earlier ones cached.
            std::vector<std::pair<int64_t, int64_t>> windows = {{4096 - 3, 7}, {3 * 4096 - 1, 2}, {0, 4096 * 3 + 5},
                {d.frames() - 5000, 5000}, {d.frames() / 2, 100}};
            for (int i = 0; i < 40; ++i) {
                const int64_t first = start(rng);
                windows.push_back({first, std::min(length(rng), d.frames() - first)});
            }
            for (const auto& [first, count] : windows) {
                INFO("window " << first << " +" << count);
                const auto got = joined(cache.get(ranges, first, count), d.channels());
                const auto want = uncached(d, first, count);
                REQUIRE(cache.missing(first, count) == 0);
                for (int c = 0; c < d.channels(); ++c) {
                    REQUIRE(got[c].size() == size_t(count));
                    REQUIRE(got[c] == want[c]);
                }
            }
        }
    }
}

TEST_CASE("lossless windows from the cache equal the sequential decode exactly", "[DecodedWindowCache]")
{
    Decoded d("speech-gaps.flac");
    DecodedWindowCache cache(64 << 20, 10);
    cache.reset(d.channels());
    cache.setFrames(d.frames());
    RangeDecoder ranges(d.reader, d.index, d.sink.format);
    // Backwards through the file in steps that straddle seams, so each window joins new and cached blocks.
    for (int64_t first = d.frames() - 3000; first > 0; first -= 2500) {
        const auto got = joined(cache.get(ranges, first, 3000), 1);
        REQUIRE(std::equal(got[0].begin(), got[0].end(), d.sink.pcm[0].begin() + first));
    }
}

TEST_CASE("the cache evicts the least recently used blocks and stays within its budget", "[DecodedWindowCache]")
{
    Decoded d("call.wav");   // 22 s mono
    const int shift = 12;
    const int64_t block = int64_t(1) << shift;
    DecodedWindowCache cache(4 * d.blockBytes(shift), shift);
    cache.reset(d.channels());
    cache.setFrames(d.frames());
    RangeDecoder ranges(d.reader, d.index, d.sink.format);

    for (int64_t first = 0; first + 3 * block < d.frames(); first += block / 3) {
        cache.get(ranges, first, 2 * block);
        REQUIRE(cache.memoryBytes() <= cache.maxBytes());
        REQUIRE(cache.blockCount() <= 4);
    }
    // A, B, then A again: C pushes out B, the least recently used, not A.
    const int64_t a = 10 * block, b = 40 * block, c = 70 * block;
    cache.get(ranges, a, 2 * block);
    cache.get(ranges, b, 2 * block);
    cache.get(ranges, a, 2 * block);
    cache.get(ranges, c, 2 * block);
    REQUIRE(cache.missing(a, 2 * block) == 0);
    REQUIRE(cache.missing(c, 2 * block) == 0);
    REQUIRE(cache.missing(b, 2 * block) == 2 * block);
}

TEST_CASE("a window larger than the budget is served whole, and the next call brings the cache back within it", "[DecodedWindowCache]")
{
    Decoded d("call.wav");
    const int shift = 12;
    const int64_t block = int64_t(1) << shift;
    DecodedWindowCache cache(3 * d.blockBytes(shift), shift);
    cache.reset(d.channels());
    cache.setFrames(d.frames());
    RangeDecoder ranges(d.reader, d.index, d.sink.format);

    const auto whole = joined(cache.get(ranges, 5 * block + 17, 6 * block), 1);
    REQUIRE(whole[0].size() == size_t(6 * block));
    REQUIRE(std::equal(whole[0].begin(), whole[0].end(), d.sink.pcm[0].begin() + 5 * block + 17));
    REQUIRE(cache.memoryBytes() > cache.maxBytes());
    cache.get(ranges, 100 * block, block);
    REQUIRE(cache.memoryBytes() <= cache.maxBytes());
}

TEST_CASE("a window read on from where the last one ended does not seek again", "[DecodedWindowCache]")
{
    Decoded d("speech-gaps.flac");
    DecodedWindowCache cache(64 << 20, 12);
    cache.reset(d.channels());
    cache.setFrames(d.frames());
    RangeDecoder ranges(d.reader, d.index, d.sink.format);
    cache.get(ranges, 50000, 20000);
    const int seeks = cache.seeks();
    cache.get(ranges, 60000, 30000);   // the decoder stands where the first window's last block ended
    REQUIRE(cache.seeks() == seeks);
    cache.get(ranges, 300000, 1000);
    REQUIRE(cache.seeks() == seeks + 1);
}

TEST_CASE("fill decodes within its frame budget per call and reports what remains", "[DecodedWindowCache]")
{
    Decoded d("call.wav");
    DecodedWindowCache cache(64 << 20, 12);
    cache.reset(d.channels());
    cache.setFrames(d.frames());
    RangeDecoder ranges(d.reader, d.index, d.sink.format);
    const std::vector<DecodedWindowCache::Range> wanted = {{200000, 400000}, {100000, 200000}};
    DecodedWindowCache::Limits limits;
    limits.maxFrames = 10000;
    // A WAV packet is at most this many frames; a call stops after the packet that reaches its budget.
    constexpr int64_t kPacket = 8192;
    int calls = 0;
    for (bool more = true; more; ++calls) {
        REQUIRE(calls < 100);
        const int64_t before = cache.framesDecoded();
        more = cache.fill(ranges, wanted, limits);
        REQUIRE(cache.framesDecoded() - before <= limits.maxFrames + kPacket);
        REQUIRE(cache.framesDecoded() > before);
    }
    REQUIRE(calls >= 300000 / (limits.maxFrames + kPacket));
    REQUIRE(cache.missing(100000, 300000) == 0);
    const auto got = joined(cache.get(ranges, 100000, 300000), 1);
    REQUIRE(std::equal(got[0].begin(), got[0].end(), d.sink.pcm[0].begin() + 100000));
    // Done: nothing more to decode.
    const int64_t before = cache.framesDecoded();
    REQUIRE_FALSE(cache.fill(ranges, wanted, limits));
    REQUIRE(cache.framesDecoded() == before);
}

TEST_CASE("fill keeps to the blocks the budget holds, the first ranges first", "[DecodedWindowCache]")
{
    Decoded d("call.wav");
    const int shift = 12;
    const int64_t block = int64_t(1) << shift;
    DecodedWindowCache cache(5 * d.blockBytes(shift), shift);
    cache.reset(d.channels());
    cache.setFrames(d.frames());
    RangeDecoder ranges(d.reader, d.index, d.sink.format);
    REQUIRE_FALSE(cache.fill(ranges, {{20 * block, 23 * block}, {40 * block, 50 * block}}, {}));
    REQUIRE(cache.missing(20 * block, 3 * block) == 0);
    REQUIRE(cache.missing(40 * block, 2 * block) == 0);
    REQUIRE(cache.missing(42 * block, block) == block);
    REQUIRE(cache.memoryBytes() <= cache.maxBytes());
}

TEST_CASE("after prefetch, the next zoom step in and out and the screens either side draw without decoding", "[DecodedWindowCache][MediaSession]")
{
    SessionOptions options;
    options.cacheBlockShift = 10;   // blocks much smaller than a screen, so "not further" can be told
    auto session = loadSession("call.wav", options);   // 48 kHz mono: peaks down to 16 frames per pixel
    const int width = 1000;
    const double base = double(int64_t(1) << session->peaks().baseShift());
    REQUIRE(base == 16);
    auto drain = [&](const WaveformView& view) {
        DecodedWindowCache::Limits limits;
        limits.maxFrames = 20000;
        int calls = 0;
        while (session->prefetch(view, width, limits))
            REQUIRE(++calls < 1000);
    };

    SECTION("zooming in from the peaks")
    {
        const WaveformView view{300000, 20};   // peaks; half of it is not
        REQUIRE_FALSE(session->needsDecode(view, width));
        const WaveformView in{view.startFrame + width * 20 / 4.0, 10};
        REQUIRE(session->needsDecode(in, width));
        drain(view);
        REQUIRE_FALSE(session->needsDecode(in, width));
        // The cursor may anchor the zoom anywhere on screen: its window is there too.
        REQUIRE_FALSE(session->needsDecode({view.startFrame, 10}, width));
        REQUIRE_FALSE(session->needsDecode({view.startFrame + width * 10, 10}, width));
    }
    SECTION("at sample level")
    {
        const WaveformView view{500000, 4};
        const double span = width * 4;
        REQUIRE(session->needsDecode(view, width));
        drain(view);
        REQUIRE_FALSE(session->needsDecode(view, width));
        REQUIRE_FALSE(session->needsDecode({view.startFrame - span / 2, 8}, width));      // zoom out around the centre
        REQUIRE_FALSE(session->needsDecode({view.startFrame + span, 4}, width));          // the next screen
        REQUIRE_FALSE(session->needsDecode({view.startFrame - span, 4}, width));          // the previous one
        REQUIRE(session->needsDecode({view.startFrame + 3 * span, 4}, width));            // not further
        REQUIRE(session->windows().memoryBytes() <= session->windows().maxBytes());
    }
    SECTION("two zoom steps in from the peaks")
    {
        const WaveformView view{300000, 40};   // peaks, and so is half its span; a quarter is not
        const WaveformView in{view.startFrame + width * 40 * 3 / 8.0, 10};
        REQUIRE(session->needsDecode(in, width));
        drain(view);
        REQUIRE_FALSE(session->needsDecode(in, width));
    }
    SECTION("nothing to do where even two zoom steps in are drawn from peaks")
    {
        REQUIRE_FALSE(session->prefetch({0, 64}, width, {}));
        REQUIRE(session->windows().framesDecoded() == 0);
    }
}

TEST_CASE("a view drawn from cached blocks is the view drawn from the sequential decode's samples", "[DecodedWindowCache][MediaSession]")
{
    SessionOptions options;
    options.cacheBlockShift = 10;   // the view spans several blocks
    auto session = loadSession("speech-gaps.flac", options);
    Decoded d("speech-gaps.flac");
    const int width = 400, height = 100;
    std::vector<uint8_t> a(size_t(width) * height * 4), b(a.size());
    RgbaImage imageA{a.data(), width, height, width * 4}, imageB{b.data(), width, height, width * 4};
    const float* planes[] = {d.sink.pcm[0].data()};
    const PcmSpan all{0, d.frames(), 1, planes};
    for (const WaveformView view : {WaveformView{123456.7, 9.5}, WaveformView{200000, 1}, WaveformView{300001.2, 0.05}}) {
        const RenderInfo info = session->render(imageA, view, {});
        REQUIRE(info.fromSamples);
        REQUIRE(info.decoded);
        renderSamples(all, view, {}, imageB);
        REQUIRE(a == b);
        REQUIRE_FALSE(session->render(imageA, view, {}).decoded);
    }
}

TEST_CASE("while panning, prefetch fills the screen the pan moves towards first", "[DecodedWindowCache][MediaSession]")
{
    const int width = 1000;
    const double fpp = 4, span = width * fpp;   // 4,000 frames: about four 1,024-frame blocks
    for (const double dir : {1.0, -1.0}) {
        SECTION(dir > 0 ? "right" : "left")
        {
            SessionOptions options;
            options.cacheBlockShift = 10;
            options.maxCachedBytes = 11 * DecodedWindowCache::blockBytes(1, 10);   // the view and one screen beside it
            auto session = loadSession("call.wav", options);
            auto drain = [&](const WaveformView& view) {
                int calls = 0;
                while (session->prefetch(view, width, {}))
                    REQUIRE(++calls < 100);
            };
            const WaveformView a{500000, fpp};
            drain(a);
            const WaveformView b{a.startFrame + dir * span / 10, fpp};
            drain(b);
            REQUIRE_FALSE(session->needsDecode(b, width));
            REQUIRE_FALSE(session->needsDecode({b.startFrame + dir * span, fpp}, width));
            REQUIRE(session->needsDecode({b.startFrame - dir * span, fpp}, width));
            REQUIRE(session->windows().memoryBytes() <= session->windows().maxBytes());
        }
    }
}

TEST_CASE("wide columns drawn through the blocks' run summaries are the columns drawn from every sample", "[DecodedWindowCache][WaveformRenderer]")
{
    Decoded d("tone-stereo-44k.flac");
    DecodedWindowCache cache(64 << 20, 12);
    cache.reset(d.channels());
    cache.setFrames(d.frames());
    RangeDecoder ranges(d.reader, d.index, d.sink.format);
    const int width = 300, height = 120;
    std::vector<uint8_t> a(size_t(width) * height * 4), b(a.size());
    RgbaImage imageA{a.data(), width, height, width * 4}, imageB{b.data(), width, height, width * 4};
    const float* planes[] = {d.sink.pcm[0].data(), d.sink.pcm[1].data()};
    const PcmSpan all{0, d.frames(), 2, planes};
    for (const WaveformView view : {WaveformView{1000.3, 130.7}, WaveformView{77777, 1000}, WaveformView{5, 64}, WaveformView{3000, 200}}) {
        const int64_t first = std::max<int64_t>(int64_t(view.startFrame) - 1, 0);
        const int64_t count = std::min<int64_t>(int64_t(std::ceil(view.startFrame + width * view.framesPerPixel)) + 2, d.frames()) - first;
        const auto& pieces = cache.get(ranges, first, count);
        REQUIRE(pieces.size() > 1);
        REQUIRE(pieces.front().runMin != nullptr);
        renderSamples(pieces, view, {}, imageA);
        renderSamples(all, view, {}, imageB);
        REQUIRE(a == b);
    }
}

namespace {

// Every read the decoders make of the file, as byte ranges.
class RecordingReader : public ByteReader {
public:
    explicit RecordingReader(std::vector<uint8_t> bytes) : inner_(std::move(bytes)) {}
    size_t read(uint8_t* dst, size_t n) override
    {
        const int64_t at = inner_.position();
        const size_t got = inner_.read(dst, n);
        if (got > 0)
            reads.push_back({at, at + int64_t(got)});
        return got;
    }
    bool seek(int64_t position) override { return inner_.seek(position); }
    int64_t position() const override { return inner_.position(); }
    int64_t size() const override { return inner_.size(); }

    std::vector<std::pair<int64_t, int64_t>> reads;

private:
    MemoryReader inner_;
};

// Two minutes of noisy tone made by ffmpeg in a temporary folder (removed at exit), long enough
// that a view's bytes are a small part of the file.
std::string longClip(const std::string& name, const std::string& codec)
{
    struct Dir {
        Dir()
        {
            char tmpl[] = "/tmp/avseg-viewbytes-XXXXXX";
            REQUIRE(mkdtemp(tmpl));
            path = tmpl;
        }
        ~Dir() { std::system(("rm -rf '" + path + "'").c_str()); }
        std::string path;
    };
    static const Dir folder;
    const std::string& dir = folder.path;
    static std::vector<std::string> made;
    const std::string path = dir + "/" + name;
    if (std::find(made.begin(), made.end(), path) == made.end()) {
        const std::string command = "ffmpeg -nostdin -hide_banner -v error -y -f lavfi -i 'sine=frequency=440:sample_rate=48000:duration=120' "
            "-f lavfi -i 'anoisesrc=color=pink:sample_rate=48000:amplitude=0.2:duration=120' "
            "-filter_complex 'amix=inputs=2,pan=stereo|c0=c0|c1=c0' " + codec + " '" + path + "'";
        INFO(command);
        REQUIRE(std::system(command.c_str()) == 0);
        made.push_back(path);
    }
    return path;
}

} // namespace

TEST_CASE("bytesFor covers every byte the decode of a view then reads, and is a small part of the file", "[DecodedWindowCache][MediaSession]")
{
    const std::pair<const char*, const char*> formats[] = {
        {"long.mp3", "-c:a libmp3lame -b:a 128k"},
        {"long.flac", "-c:a flac"},
        {"long.wav", "-c:a pcm_s16le"},
        {"long.m4a", "-c:a aac -b:a 128k -movflags +faststart"},
    };
    for (const auto& [name, codec] : formats) {
        SECTION(name)
        {
            const std::vector<uint8_t> bytes = test::readBytes(longClip(name, codec));
            auto owned = std::make_unique<RecordingReader>(bytes);
            RecordingReader& reader = *owned;
            MediaSession session;
            session.openSeekable(std::move(owned));
            while (session.pump(1 << 20) != StreamingDecoder::State::Done) {
            }
            const int width = 1000;
            const double fpp = double(int64_t(1) << session.peaks().baseShift()) / 2;   // sample level
            std::vector<uint8_t> pixels(size_t(width) * 100 * 4);
            RgbaImage image{pixels.data(), width, 100, width * 4};
            const int64_t frames = session.framesDecoded();
            REQUIRE(frames > 100 * 48000);
            auto covered = [&](MediaSession::ByteSpan span) {
                for (const auto& [from, to] : reader.reads) {
                    INFO(reader.reads.size() << " reads; read [" << from << ", " << to << ") of the span [" << span.first << ", " << span.second << ")");
                    REQUIRE(from >= span.first);
                    REQUIRE(to <= span.second);
                }
            };
            // Cold jumps about the file, the start and the end too; then the screens beside one.
            for (double at : {0.5, 0.1, 0.9, 0.0, 0.999, 0.3, 0.31}) {
                const WaveformView view{std::floor(at * double(frames)), fpp};
                const MediaSession::ByteSpan span = session.bytesFor(view, width);
                REQUIRE(session.needsDecode(view, width));
                REQUIRE(span.second > span.first);
                if (at > 0.05)
                    REQUIRE(span.second - span.first < int64_t(bytes.size()) / 8);
                reader.reads.clear();
                REQUIRE(session.render(image, view, {}).fromSamples);
                REQUIRE_FALSE(reader.reads.empty());
                covered(span);
                REQUIRE(session.bytesFor(view, width) == MediaSession::ByteSpan{0, 0});   // all cached now
            }
            const WaveformView view{std::floor(0.7 * double(frames)), fpp};
            session.render(image, view, {});
            DecodedWindowCache::Limits slice;
            slice.maxFrames = 20000;
            for (int calls = 0;; ++calls) {
                REQUIRE(calls < 1000);
                const MediaSession::ByteSpan span = session.bytesForPrefetch(view, width);
                reader.reads.clear();
                const bool more = session.prefetch(view, width, slice);
                covered(span);
                if (!more)
                    break;
            }
            REQUIRE(session.bytesForPrefetch(view, width) == MediaSession::ByteSpan{0, 0});
        }
    }
}
