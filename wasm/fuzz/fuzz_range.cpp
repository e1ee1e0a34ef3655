// SPDX-License-Identifier: MIT
// libFuzzer harness: RangeDecoder re-reading real media (the fixtures, decoded once at start)
// for fuzzed ranges, through a reader that may misbehave. Layout:
//   byte 0  the medium (index into kMedia, of those present)
//   byte 1  the reader: bit 0 short reads, bit 1 the file ends early, bit 2 seeks may fail
//   then ops: a mode byte, a first frame and a count; at most kMaxOps.
// With whole reads and a whole file, every range must come back exactly where the sequential
// decode had it: blocks in order, contiguous, covering the range clipped to the media, equal to
// the sequential samples (lossy codecs, which settle differently after a seek: close to them
// on average, and aligned with them rather than with a shifted copy).
// A broken reader may cost frames or repeat them, but never cause a crash, an unexpected
// exception or a block outside the range.
// Env: AVSEG_FUZZ_MEDIA, the fixtures folder (default build/fixtures).
#include "FuzzInput.h"
#include "MediaError.h"
#include "MemoryReader.h"
#include "RangeDecoder.h"
#include "SeekIndex.h"
#include "StreamingDecoder.h"

#include <algorithm>
#include <cmath>
#include <exception>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <vector>

using namespace avseg;
using avseg::fuzz::bug;
using avseg::fuzz::Input;

namespace {

constexpr const char* kName = "fuzz_range";
constexpr int kMaxOps = 6;
constexpr int64_t kMaxCount = 20000;

struct Medium {
    std::string name;
    bool lossless;
    std::vector<uint8_t> bytes;
    AudioFormat format;
    std::vector<std::vector<float>> pcm;
    SeekIndex index{2400};
};

const struct {
    const char* name;
    bool lossless;
} kMedia[] = {{"speech-gaps.mp3", false}, {"speech-gaps.flac", true}, {"speech-gaps.ogg", false},
    {"speech-gaps.opus", false}, {"speech-gaps.aac.m4a", false}, {"speech-gaps.alac.m4a", true},
    {"speech-gaps.opus.webm", false}, {"speech-gaps.aac", false}, {"speech-gaps.pcm_s16le.wav", true},
    {"tone-stereo-44k.flac", true}};

class Collecting : public AudioSink {
public:
    explicit Collecting(Medium& m) : m_(m) {}
    void start(const AudioFormat& format) override
    {
        m_.format = format;
        m_.pcm.assign(format.channels, {});
    }
    void process(const float* const* channels, size_t frames) override
    {
        for (int c = 0; c < m_.format.channels; ++c)
            m_.pcm[c].insert(m_.pcm[c].end(), channels[c], channels[c] + frames);
    }
    void done() override {}

private:
    Medium& m_;
};

std::vector<std::unique_ptr<Medium>> media;

// A MemoryReader that may return fewer bytes than asked, end early, or refuse a seek.
class FaultyReader : public ByteReader {
public:
    FaultyReader(const std::vector<uint8_t>& bytes, uint8_t faults, uint32_t seed, size_t end)
        : bytes_(bytes), faults_(faults), rng_(seed | 1), end_(std::min(end, bytes.size())) {}

    size_t read(uint8_t* dst, size_t n) override
    {
        if (position_ >= end_)
            return 0;
        size_t take = std::min(n, end_ - position_);
        if ((faults_ & 1) && take > 1)
            take = 1 + next() % take;
        std::copy_n(bytes_.begin() + ptrdiff_t(position_), take, dst);
        position_ += take;
        return take;
    }
    bool seek(int64_t position) override
    {
        if (position < 0 || position > int64_t(end_) || ((faults_ & 4) && next() % 8 == 0))
            return false;
        position_ = size_t(position);
        return true;
    }
    int64_t position() const override { return int64_t(position_); }
    int64_t size() const override { return int64_t(end_); }

private:
    uint32_t next()
    {
        rng_ ^= rng_ << 13;
        rng_ ^= rng_ >> 17;
        rng_ ^= rng_ << 5;
        return rng_;
    }
    const std::vector<uint8_t>& bytes_;
    uint8_t faults_;
    uint32_t rng_;
    size_t end_;
    size_t position_ = 0;
};

} // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***)
{
    const char* env = std::getenv("AVSEG_FUZZ_MEDIA");
    const std::string dir = env && *env ? env : "build/fixtures";
    for (const auto& spec : kMedia) {
        std::ifstream file(dir + "/" + spec.name, std::ios::binary);
        if (!file)
            continue;
        auto m = std::make_unique<Medium>();
        m->name = spec.name;
        m->lossless = spec.lossless;
        m->bytes.assign(std::istreambuf_iterator<char>(file), {});
        Collecting sink(*m);
        StreamingDecoder decoder(sink, &m->index);
        decoder.push(m->bytes.data(), m->bytes.size());
        decoder.finish();
        while (decoder.pump(1 << 20) != StreamingDecoder::State::Done) {
        }
        media.push_back(std::move(m));
    }
    if (media.empty())
        bug(kName, "no media in " + dir + " (set AVSEG_FUZZ_MEDIA to the fixtures folder)");
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    Input in{data, size};
    if (size < 2)
        return 0;
    Medium& m = *media[in.byte() % media.size()];
    const uint8_t faults = in.byte() & 7;
    const int64_t total = int64_t(m.pcm.empty() ? 0 : m.pcm[0].size());
    const size_t end = faults & 2 ? size_t(in.u32() % (m.bytes.size() + 1)) : m.bytes.size();
    const bool exact = (faults & 6) == 0;

    FaultyReader reader(m.bytes, faults, 0x9e3779b9u ^ uint32_t(size), end);
    try {
        RangeDecoder ranges(reader, m.index, m.format);
        for (int op = 0; op < kMaxOps && !in.empty(); ++op) {
            const uint8_t mode = in.byte();
            int64_t first = int64_t(in.u32() % uint32_t(total + 4001)) - 2000;
            if (mode & 0x80)   // near the end, where decoders flush
                first = total - int64_t(in.u16() % 9000);
            const int64_t count = in.u16() % kMaxCount;
            const int64_t from = std::max<int64_t>(first, 0);
            const int64_t want = std::clamp<int64_t>(first + count, 0, total);
            int64_t next = from;
            std::vector<float> delivered;   // channel 0 of a lossy medium, from `from` on
            const auto check = [&](int64_t at, const float* const* channels, int n) {
                // A failed read or seek may make the decoder start over from the beginning and
                // deliver frames again (consumers keep the later copy), so only a whole file
                // must come back in order.
                if (exact ? at != next : at < from)
                    bug(kName, m.name + ": a block at " + std::to_string(at) + " where " + std::to_string(exact ? next : from) + " was next");
                if (n <= 0 || at + n > total)
                    bug(kName, m.name + ": a block of " + std::to_string(n) + " at " + std::to_string(at) + " past the end " + std::to_string(total));
                if (exact && m.lossless)
                    for (int c = 0; c < m.format.channels; ++c)
                        for (int i = 0; i < n; ++i) {
                            const float got = channels[c][i], was = m.pcm[c][size_t(at + i)];
                            if (!(got == was || (std::isnan(got) && std::isnan(was))))
                                bug(kName, m.name + ": frame " + std::to_string(at + i) + " channel " + std::to_string(c) + " reads " +
                                               std::to_string(got) + ", the sequential decode had " + std::to_string(was));
                        }
                if (exact && !m.lossless)
                    delivered.insert(delivered.end(), channels[0], channels[0] + n);
                next = at + n;
            };
            // Lossy decoders settle differently after a seek (AAC's noise substitution draws from
            // a generator the seek restarts): samples may differ slightly, but must sit exactly
            // where the sequential decode had them, which a shift by a frame or two would show.
            const auto aligned = [&]() {
                auto error = [&](int64_t shift) {
                    double e = 0;
                    for (size_t i = 0; i < delivered.size(); ++i)
                        e += std::fabs(double(delivered[i]) - m.pcm[0][size_t(std::clamp<int64_t>(from + int64_t(i) + shift, 0, total - 1))]);
                    return e;
                };
                const double at = error(0);
                if (!(at <= 2e-4 * double(delivered.size()) + 1e-3))
                    bug(kName, m.name + ": frames from " + std::to_string(from) + " differ from the sequential decode by " + std::to_string(at / double(delivered.size())) + " on average");
                for (int64_t shift : {-2, -1, 1, 2}) {
                    const double off = error(shift);
                    // Only a shift that fits clearly better than the place itself is a misplacement:
                    // in a quiet, smooth stretch a shifted copy is almost as close as the right one.
                    if (off < at / 2 && at > 1e-3)
                        bug(kName, m.name + ": frames from " + std::to_string(from) + " match the sequential decode shifted by " + std::to_string(shift)
                            + " (" + std::to_string(delivered.size()) + " frames; error " + std::to_string(at) + " in place, " + std::to_string(off) + " shifted)");
                }
            };
            if (mode & 1) {
                ranges.decode(first, count, check);
                if (exact && next < want)
                    bug(kName, m.name + ": decode(" + std::to_string(first) + ", " + std::to_string(count) + ") stopped at " + std::to_string(next));
                aligned();
            } else {
                // begin/step as DecodedPcmSource drives it: a few packets, whatever they cover.
                ranges.begin(first);
                for (int steps = (mode >> 1) & 15; steps >= 0; --steps)
                    if (!ranges.step([&](int64_t at, const float* const* channels, int n) {
                            check(at, channels, n);
                        }))
                        break;
                aligned();
            }
        }
    } catch (const MediaError&) {
        if (exact)
            bug(kName, m.name + ": MediaError reading a whole file that decoded before");
    } catch (const std::exception& e) {
        bug(kName, std::string("unexpected exception: ") + e.what());
    }
    return 0;
}
