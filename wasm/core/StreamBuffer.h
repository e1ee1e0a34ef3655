// SPDX-License-Identifier: MIT
#pragma once

#include "ByteReader.h"

#include <deque>
#include <vector>

namespace avseg {

// Bytes pushed in as they arrive from the network; read by the demuxer.
// Bytes below the retain mark are dropped, so memory follows the read-ahead, not the file.
class StreamBuffer : public ByteReader {
public:
    void push(const uint8_t* data, size_t n);
    void push(std::vector<uint8_t>&& bytes);
    void finish() { finished_ = true; }
    bool finished() const { return finished_; }

    size_t read(uint8_t* dst, size_t n) override;
    bool seek(int64_t position) override;
    int64_t position() const override { return position_; }
    int64_t size() const override { return finished_ ? end_ : -1; }

    int64_t received() const { return end_; }
    int64_t ahead() const { return keeping_ ? end_ - position_ : 0; }
    size_t heldBytes() const;

    bool starved() const override { return starved_; }
    void clearStarved() { starved_ = false; }

    // Drop everything before position(); from now on keep dropping as reading goes on.
    void dropConsumed(bool enable) { dropping_ = enable; trim(); }
    // Keep no bytes at all from now on, only count them (decoding continues from another copy).
    void stopKeeping();

private:
    void trim();

    std::deque<std::vector<uint8_t>> chunks_;
    int64_t firstOffset_ = 0;  // file offset of chunks_.front()[0]
    int64_t end_ = 0;
    int64_t position_ = 0;
    bool finished_ = false;
    bool starved_ = false;
    bool dropping_ = false;
    bool keeping_ = true;
};

} // namespace avseg
