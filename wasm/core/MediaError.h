// SPDX-License-Identifier: MIT
#pragma once

#include <stdexcept>
#include <string>

namespace avseg {

// Stable codes: the element's `error` event and the docs use these names.
enum class ErrorCode {
    None,
    FetchFailed,
    CorsBlocked,
    UnsupportedFormat,
    CorruptMedia,
    TruncatedMedia,
    EmptyMedia,
    NoAudio,
    NoVideo,
    Internal,
    InvalidConfig,
};

const char* errorCodeName(ErrorCode code);

class MediaError : public std::runtime_error {
public:
    MediaError(ErrorCode code, const std::string& message)
        : std::runtime_error(message), code_(code) {}
    ErrorCode code() const { return code_; }

private:
    ErrorCode code_;
};

} // namespace avseg
