// SPDX-License-Identifier: MIT
#pragma once

#include "ByteReader.h"
#include "MediaError.h"

#include <cstdint>
#include <fstream>
#include <string>

namespace avseg {

// A local file as a ByteReader, for the command-line tools (the browser reads through HTTP).
class FileReader : public ByteReader {
public:
    explicit FileReader(const char* path) : in_(path, std::ios::binary)
    {
        if (!in_)
            throw MediaError(ErrorCode::FetchFailed, std::string("cannot open ") + path);
        in_.seekg(0, std::ios::end);
        size_ = static_cast<int64_t>(in_.tellg());
        in_.seekg(0);
    }
    size_t read(uint8_t* dst, size_t n) override
    {
        in_.read(reinterpret_cast<char*>(dst), static_cast<std::streamsize>(n));
        const auto got = static_cast<size_t>(in_.gcount());
        position_ += static_cast<int64_t>(got);
        in_.clear();
        return got;
    }
    bool seek(int64_t position) override
    {
        if (position < 0 || position > size_)
            return false;
        in_.clear();
        in_.seekg(position);
        position_ = position;
        return true;
    }
    int64_t position() const override { return position_; }
    int64_t size() const override { return size_; }

private:
    std::ifstream in_;
    int64_t size_ = 0;
    int64_t position_ = 0;
};

} // namespace avseg
