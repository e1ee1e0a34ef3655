// SPDX-License-Identifier: MIT
#pragma once

#include "ByteReader.h"

#include <algorithm>
#include <cstring>
#include <vector>

namespace avseg {

// A complete file held in memory (native tools and tests; the browser reads a Blob instead).
class MemoryReader : public ByteReader {
public:
    explicit MemoryReader(std::vector<uint8_t> bytes) : bytes_(std::move(bytes)) {}

    size_t read(uint8_t* dst, size_t n) override
    {
        const size_t take = std::min(n, bytes_.size() - static_cast<size_t>(position_));
        if (take == 0)   // an empty file's data() may be null, which memcpy must not be given
            return 0;
        std::memcpy(dst, bytes_.data() + position_, take);
        position_ += static_cast<int64_t>(take);
        return take;
    }
    bool seek(int64_t position) override
    {
        if (position < 0 || position > static_cast<int64_t>(bytes_.size()))
            return false;
        position_ = position;
        return true;
    }
    int64_t position() const override { return position_; }
    int64_t size() const override { return static_cast<int64_t>(bytes_.size()); }

private:
    std::vector<uint8_t> bytes_;
    int64_t position_ = 0;
};

} // namespace avseg
