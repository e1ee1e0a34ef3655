// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>
#include <functional>

namespace avseg {

// Decodes the video of a file with FFmpeg and hands over each frame as a width x height grey
// picture (full-range luma, row by row, no padding), in presentation order, numbered as the frame
// index numbers them (FrameIndexReader: the same stream, the same count): frame i is the one
// whose timestamp is the index's i-th. A frame the decoder does not deliver repeats the one before.
// Returns the number of frames. Throws MediaError (NoVideo, UnsupportedFormat, CorruptMedia, ...).
int64_t scanVideoLuma(const char* path, int width, int height,
    const std::function<void(const uint8_t* luma, int64_t index)>& onFrame);

} // namespace avseg
