// SPDX-License-Identifier: MIT
#include "StreamBuffer.h"

#include <algorithm>
#include <cstring>

namespace avseg {

void StreamBuffer::push(const uint8_t* data, size_t n)
{
    if (n == 0)
        return;
    if (!keeping_) {
        end_ += static_cast<int64_t>(n);
        return;
    }
    chunks_.emplace_back(data, data + n);
    end_ += static_cast<int64_t>(n);
}

void StreamBuffer::push(std::vector<uint8_t>&& bytes)
{
    if (bytes.empty())
        return;
    if (!keeping_) {
        end_ += static_cast<int64_t>(bytes.size());
        return;
    }
    end_ += static_cast<int64_t>(bytes.size());
    chunks_.push_back(std::move(bytes));
}

size_t StreamBuffer::read(uint8_t* dst, size_t n)
{
    size_t copied = 0;
    int64_t offset = firstOffset_;
    for (const auto& chunk : chunks_) {
        if (copied == n)
            break;
        const int64_t chunkEnd = offset + static_cast<int64_t>(chunk.size());
        if (position_ < chunkEnd) {
            const size_t from = static_cast<size_t>(position_ - offset);
            const size_t take = std::min(n - copied, chunk.size() - from);
            std::memcpy(dst + copied, chunk.data() + from, take);
            copied += take;
            position_ += static_cast<int64_t>(take);
        }
        offset = chunkEnd;
    }
    if (copied < n && !finished_)
        starved_ = true;
    trim();
    return copied;
}

bool StreamBuffer::seek(int64_t position)
{
    if (position < firstOffset_ || position > end_)
        return false;
    position_ = position;
    return true;
}

void StreamBuffer::stopKeeping()
{
    keeping_ = false;
    chunks_.clear();
    firstOffset_ = end_;
    position_ = end_;
}

size_t StreamBuffer::heldBytes() const
{
    return static_cast<size_t>(end_ - firstOffset_);
}

void StreamBuffer::trim()
{
    if (!dropping_)
        return;
    while (!chunks_.empty() && firstOffset_ + static_cast<int64_t>(chunks_.front().size()) <= position_) {
        firstOffset_ += static_cast<int64_t>(chunks_.front().size());
        chunks_.pop_front();
    }
}

} // namespace avseg
