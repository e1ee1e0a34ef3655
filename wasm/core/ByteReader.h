// SPDX-License-Identifier: MIT
#pragma once

#include <cstddef>
#include <cstdint>

namespace avseg {

// What the demuxer reads from: a growing network buffer, a file, or a blob in the browser.
class ByteReader {
public:
    virtual ~ByteReader() = default;
    // Copies up to n bytes at the current position; 0 means no more bytes (end, or not yet arrived).
    virtual size_t read(uint8_t* dst, size_t n) = 0;
    // Moves to an absolute position; false if the position can't be reached.
    virtual bool seek(int64_t position) = 0;
    virtual int64_t position() const = 0;
    // Total size in bytes, or -1 while unknown.
    virtual int64_t size() const = 0;
    // True once a read came up short only because the bytes have not arrived yet.
    virtual bool starved() const { return false; }
    // True when the last read came up empty because the bytes could not be fetched (a refused or
    // failed request), not because the file ended: the same read may succeed later.
    virtual bool failed() const { return false; }
};

} // namespace avseg
