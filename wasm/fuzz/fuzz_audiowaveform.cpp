// SPDX-License-Identifier: MIT
// libFuzzer harness: precomputed peaks (BBC audiowaveform's .dat, version 1 or 2, or its JSON)
// read by the core's reader (AudiowaveformReader, what the worker hands the bytes to), seeded
// into MediaSession::seedPeaks and drawn as the preview. Input: the file; a second reading of the
// same bytes chooses views. Checks: the reader never throws, says why it refuses, and what it
// accepts fills its header exactly within the range of its bits; seedPeaks takes every file the
// reader accepts and covers pixels x samplesPerPixel frames, every pixel's extent inside its
// bins; the preview draws only the style's colours; the core's own writer reads back the same.
#include "AudiowaveformData.h"
#include "AudiowaveformReader.h"
#include "FuzzInput.h"
#include "MediaError.h"
#include "MediaSession.h"

#include <exception>
#include <string>
#include <vector>

using namespace avseg;
using avseg::fuzz::bug;
using avseg::fuzz::Input;

namespace {

constexpr const char* kName = "fuzz_audiowaveform";

void checkPreview(const MediaSession& session, const AudiowaveformRead& r)
{
    const AudiowaveformHeader& h = r.header;
    const PeakPyramid& preview = session.previewPeaks();
    FUZZ_CHECK(preview.channels() == h.channels);
    FUZZ_CHECK(preview.frames() == h.length * h.samplesPerPixel);
    FUZZ_CHECK(preview.binCount(preview.levelCount() - 1) == 1);
    for (int64_t x = 0; x < h.length && x < 4096; ++x)
        for (int c = 0; c < h.channels && c < 8; ++c) {
            const int16_t lo = r.data[size_t((x * h.channels + c) * 2)], hi = r.data[size_t((x * h.channels + c) * 2 + 1)];
            const Peak e = preview.extent(c, x * h.samplesPerPixel, (x + 1) * h.samplesPerPixel);
            FUZZ_CHECK(e.min <= lo && e.max >= hi);
        }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    try {
        const AudiowaveformRead r = readAudiowaveform(data, size);
        if (!r.ok) {
            FUZZ_CHECK(!r.error.empty() && r.data.empty());
            return 0;
        }
        const AudiowaveformHeader& h = r.header;
        FUZZ_CHECK(h.length > 0 && h.channels >= 1 && h.sampleRate >= 1 && h.samplesPerPixel >= 1);
        FUZZ_CHECK(r.data.size() == size_t(h.length) * size_t(h.channels) * 2);
        if (h.bits == 8)
            for (int16_t v : r.data)
                FUZZ_CHECK(v % 256 == 0);
        // The binding copies the peaks into memory: a page cannot hand over more than that.
        if (r.data.size() > (size_t(1) << 24))
            return 0;

        MediaSession session;
        if (!session.seedPeaks(r.data.data(), r.data.size(), h.channels, h.sampleRate, h.samplesPerPixel))
            bug(kName, "seedPeaks refused a file the reader accepted: " + std::to_string(r.data.size()) + " values for "
                           + std::to_string(h.channels) + " channels at " + std::to_string(h.samplesPerPixel) + " samples per pixel");
        checkPreview(session, r);
        FUZZ_CHECK(session.previewShown());

        Input in{data, size};
        for (int k = 0; k < 4 && !in.empty(); ++k) {
            const int width = 1 + in.byte() % 48, height = 1 + in.byte() % 40;
            std::vector<uint8_t> pixels(size_t(width) * height * 4, 0xa5);
            RgbaImage image{pixels.data(), width, height, width * 4};
            WaveformView view;
            view.startFrame = avseg::fuzz::interestingDouble(in, double(session.previewPeaks().frames()));
            view.framesPerPixel = avseg::fuzz::interestingDouble(in, double(h.samplesPerPixel) * 64);
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

        // The core's writer (avseg-cli audiowaveform) gives back what it was given, in both forms.
        AudiowaveformData peaks;
        peaks.sampleRate = h.sampleRate;
        peaks.samplesPerPixel = h.samplesPerPixel;
        peaks.channels = h.channels;
        peaks.data = r.data;
        const std::vector<uint8_t> dat = audiowaveformDat(peaks, 16);
        const std::string json = audiowaveformJson(peaks, h.bits);
        for (const AudiowaveformRead& back : {readAudiowaveform(dat.data(), dat.size()),
                 readAudiowaveform(reinterpret_cast<const uint8_t*>(json.data()), json.size())}) {
            if (!back.ok || back.data != r.data || back.header.channels != h.channels || back.header.sampleRate != h.sampleRate
                || back.header.samplesPerPixel != h.samplesPerPixel)
                bug(kName, "what the core writes does not read back as the peaks written: " + back.error);
        }
    } catch (const std::exception& e) {
        bug(kName, std::string("unexpected exception: ") + e.what());
    }
    return 0;
}
