// SPDX-License-Identifier: MIT
#pragma once

#include "AudiowaveformData.h"
#include "MemoryReader.h"
#include "StreamingDecoder.h"
#include "TestMedia.h"

#include <string>

namespace avseg::test {

// What avseg-cli writes for a fixture: its audiowaveform peaks, decoded through the core.
inline AudiowaveformData generatedPeaks(const std::string& name, int samplesPerPixel, bool splitChannels)
{
    MemoryReader source(readBytes(fixture(name)));
    AudiowaveformData peaks;
    AudiowaveformGenerator generator(peaks, samplesPerPixel, splitChannels);
    StreamingDecoder decoder(generator, nullptr);
    decoder.openSeekable(source);
    while (decoder.pump(256) != StreamingDecoder::State::Done) {
    }
    return peaks;
}

} // namespace avseg::test
