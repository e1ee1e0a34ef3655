// SPDX-License-Identifier: MIT
// libFuzzer harness: precomputed peaks (BBC audiowaveform's .dat, version 1 or 2, or its JSON)
// into MediaSession::seedPeaks and drawn as the preview. The files themselves are parsed by the
// element's worker (web/src/worker.js, parsePeaks); this harness reads them the same way, with
// the same checks, so the core sees what a page would hand it. Input: the file, then (after the
// header's data) bytes choosing views. Checks: seedPeaks refuses what does not add up and
// otherwise covers pixels x samplesPerPixel frames, every pixel's extent inside its bins;
// the preview draws only the style's colours; the core's own writer gives back the same peaks.
#include "AudiowaveformData.h"
#include "FuzzInput.h"
#include "MediaError.h"
#include "MediaSession.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <exception>
#include <string>
#include <vector>

using namespace avseg;
using avseg::fuzz::bug;
using avseg::fuzz::Input;

namespace {

constexpr const char* kName = "fuzz_audiowaveform";

struct Parsed {
    int channels = 1, sampleRate = 0, samplesPerPixel = 0, bits = 16;
    std::vector<int16_t> data;
    size_t used = 0;   // bytes of the input the file took
};

int32_t le32(const uint8_t* p)
{
    return int32_t(uint32_t(p[0]) | uint32_t(p[1]) << 8 | uint32_t(p[2]) << 16 | uint32_t(p[3]) << 24);
}

// parsePeaks's binary branch; false where it throws.
bool parseDat(const uint8_t* bytes, size_t size, Parsed& out)
{
    if (size < 20)
        return false;
    const int32_t version = le32(bytes);
    if (version != 1 && version != 2)
        return false;
    const bool eight = (uint32_t(le32(bytes + 4)) & 1) == 1;
    out.bits = eight ? 8 : 16;
    out.sampleRate = le32(bytes + 8);
    out.samplesPerPixel = le32(bytes + 12);
    const double length = double(uint32_t(le32(bytes + 16)));
    const size_t header = version == 2 ? 24 : 20;
    out.channels = version == 2 ? (size >= 24 ? le32(bytes + 20) : 0) : 1;
    const double count = length * out.channels * 2;
    if (!(out.sampleRate > 0) || !(out.samplesPerPixel > 0) || !(out.channels > 0) || double(size) < header + count * (eight ? 1 : 2))
        return false;
    out.data.resize(size_t(count));
    for (size_t i = 0; i < out.data.size(); ++i)
        out.data[i] = eight ? int16_t(int8_t(bytes[header + i]) * 256) : int16_t(bytes[header + 2 * i] | bytes[header + 2 * i + 1] << 8);
    out.used = header + out.data.size() * (eight ? 1 : 2);
    return true;
}

// parsePeaks's JSON branch (the text up to a NUL byte); false where it throws.
bool parseJson(const uint8_t* bytes, size_t size, Parsed& out)
{
    const std::string all(reinterpret_cast<const char*>(bytes), size);
    const std::string text = all.substr(0, all.find('\0'));
    out.used = std::min(size, text.size() + 1);
    const nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
    if (j.is_discarded() || !j.is_object())
        return false;
    auto number = [&](const char* key, double fallback) {
        const auto it = j.find(key);
        return it == j.end() ? fallback : it->is_number() ? it->get<double>() : NAN;
    };
    const double channels = number("channels", 1), version = number("version", NAN), bits = number("bits", NAN);
    const double rate = number("sample_rate", NAN), spp = number("samples_per_pixel", NAN), length = number("length", NAN);
    const auto data = j.find("data");
    if ((version != 1 && version != 2) || (bits != 8 && bits != 16) || !(rate > 0) || !(spp > 0) || data == j.end()
        || !data->is_array() || double(data->size()) != length * channels * 2)
        return false;
    // What the page's Int16Array.from and the binding's int conversions make of the numbers.
    auto toInt = [](double v) { return std::isfinite(v) ? int32_t(int64_t(std::fmod(std::trunc(v), 4294967296.0))) : 0; };
    out.channels = toInt(channels);
    out.sampleRate = toInt(rate);
    out.samplesPerPixel = toInt(spp);
    out.bits = int(bits);
    for (const auto& v : *data) {
        const double d = v.is_number() ? v.get<double>() * (bits == 8 ? 256 : 1) : 0;
        out.data.push_back(int16_t(uint16_t(uint32_t(toInt(d)))));
    }
    return true;
}

void checkPreview(const MediaSession& session, const Parsed& p)
{
    const PeakPyramid& preview = session.previewPeaks();
    const int64_t pixels = int64_t(p.data.size() / size_t(2 * p.channels));
    FUZZ_CHECK(preview.channels() == p.channels);
    FUZZ_CHECK(preview.frames() == pixels * p.samplesPerPixel);
    FUZZ_CHECK(preview.binCount(preview.levelCount() - 1) == 1);
    for (int64_t x = 0; x < pixels && x < 4096; ++x)
        for (int c = 0; c < p.channels && c < 8; ++c) {
            const int16_t lo = p.data[size_t((x * p.channels + c) * 2)], hi = p.data[size_t((x * p.channels + c) * 2 + 1)];
            const Peak e = preview.extent(c, x * p.samplesPerPixel, (x + 1) * p.samplesPerPixel);
            FUZZ_CHECK(e.min <= lo && e.max >= hi);
        }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    Parsed p;
    const bool parsed = size > 0 && data[0] == '{' ? parseJson(data, size, p) : parseDat(data, size, p);
    if (!parsed)
        return 0;
    // The binding copies the peaks into memory: a page cannot hand over more than that.
    if (p.data.size() > (size_t(1) << 24))
        return 0;
    try {
        MediaSession session;
        const bool adds = !p.data.empty() && p.channels > 0 && p.data.size() % size_t(2 * p.channels) == 0;
        const bool seeded = session.seedPeaks(p.data.data(), p.data.size(), p.channels, p.sampleRate, p.samplesPerPixel);
        if (seeded != (adds && p.sampleRate > 0 && p.samplesPerPixel > 0))
            bug(kName, std::string("seedPeaks ") + (seeded ? "took" : "refused") + " " + std::to_string(p.data.size()) + " values for " +
                           std::to_string(p.channels) + " channels at " + std::to_string(p.samplesPerPixel) + " samples per pixel");
        if (!seeded)
            return 0;
        checkPreview(session, p);

        Input in{data + p.used, size - p.used};
        for (int k = 0; k < 4 && !in.empty(); ++k) {
            const int width = 1 + in.byte() % 48, height = 1 + in.byte() % 40;
            std::vector<uint8_t> pixels(size_t(width) * height * 4, 0xa5);
            RgbaImage image{pixels.data(), width, height, width * 4};
            WaveformView view;
            view.startFrame = avseg::fuzz::interestingDouble(in, double(session.previewPeaks().frames()));
            view.framesPerPixel = avseg::fuzz::interestingDouble(in, double(p.samplesPerPixel) * 64);
            const WaveformStyle style;
            try {
                session.render(image, view, style, false);
            } catch (const MediaError&) {
                continue;   // an invalid view is refused as such
            }
            for (size_t i = 0; i < pixels.size(); i += 4) {
                const uint32_t px = uint32_t(pixels[i]) << 24 | uint32_t(pixels[i + 1]) << 16 | uint32_t(pixels[i + 2]) << 8 | pixels[i + 3];
                FUZZ_CHECK(px == style.background || px == style.wave || px == style.axis);
            }
        }

        // The core's writer (avseg-cli audiowaveform) gives back what it was given.
        AudiowaveformData peaks;
        peaks.sampleRate = p.sampleRate;
        peaks.samplesPerPixel = p.samplesPerPixel;
        peaks.channels = p.channels;
        peaks.data = p.data;
        const std::vector<uint8_t> dat = audiowaveformDat(peaks, 16);
        Parsed back;
        if (!parseDat(dat.data(), dat.size(), back) || back.data != p.data || back.channels != p.channels
            || back.sampleRate != p.sampleRate || back.samplesPerPixel != p.samplesPerPixel)
            bug(kName, "the .dat the core writes does not read back as the peaks written");
        (void)nlohmann::json::parse(audiowaveformJson(peaks, p.bits));
    } catch (const std::exception& e) {
        bug(kName, std::string("unexpected exception: ") + e.what());
    }
    return 0;
}
