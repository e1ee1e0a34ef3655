// SPDX-License-Identifier: MIT
#pragma once

#include "ByteReader.h"

namespace avseg {

// One reader of a shared source with a position of its own: several demuxers (the sequential
// decode, sample views, the spectrogram) read one file without moving each other's place.
class CursorReader : public ByteReader {
public:
    explicit CursorReader(ByteReader& source) : source_(source) {}

    size_t read(uint8_t* dst, size_t n) override
    {
        if (!source_.seek(position_))
            return 0;
        const size_t got = source_.read(dst, n);
        position_ += static_cast<int64_t>(got);
        return got;
    }
    bool seek(int64_t position) override
    {
        if (position < 0 || (source_.size() >= 0 && position > source_.size()))
            return false;
        position_ = position;
        return true;
    }
    int64_t position() const override { return position_; }
    int64_t size() const override { return source_.size(); }
    bool starved() const override { return source_.starved(); }
    bool failed() const override { return source_.failed(); }

private:
    ByteReader& source_;
    int64_t position_ = 0;
};

} // namespace avseg
