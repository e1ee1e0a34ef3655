// SPDX-License-Identifier: MIT
#pragma once

#include <cstddef>
#include <iterator>
#include <stdexcept>
#include <string>

namespace avseg {

// Stable codes: the element's `error` event, its thrown Errors and the bindings' results use
// these names. web/src/error-codes.js, web/avseg.d.ts and doc/element-api.md list the same ones
// (tests/web/error-codes.test.mjs reads kErrorCodes below and checks).
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
    InvalidDocument,
    InvalidValue,
    Refused,
    InvalidPeaks,
    InvalidAnalysis,
};

struct ErrorCodeEntry {
    ErrorCode code;
    const char* name;
};

// The one place a code's name is spelled; in enum order.
inline constexpr ErrorCodeEntry kErrorCodes[] = {
    {ErrorCode::None, "none"},
    {ErrorCode::FetchFailed, "fetch-failed"},
    {ErrorCode::CorsBlocked, "cors-blocked"},
    {ErrorCode::UnsupportedFormat, "unsupported-format"},
    {ErrorCode::CorruptMedia, "corrupt-media"},
    {ErrorCode::TruncatedMedia, "truncated-media"},
    {ErrorCode::EmptyMedia, "empty-media"},
    {ErrorCode::NoAudio, "no-audio"},
    {ErrorCode::NoVideo, "no-video"},
    {ErrorCode::Internal, "internal"},
    {ErrorCode::InvalidConfig, "invalid-config"},
    {ErrorCode::InvalidDocument, "invalid-document"},
    {ErrorCode::InvalidValue, "invalid-value"},
    {ErrorCode::Refused, "refused"},
    {ErrorCode::InvalidPeaks, "invalid-peaks"},
    {ErrorCode::InvalidAnalysis, "invalid-analysis"},
};

constexpr bool errorCodesInOrder()
{
    for (std::size_t i = 0; i < std::size(kErrorCodes); ++i)
        if (kErrorCodes[i].code != static_cast<ErrorCode>(i))
            return false;
    return std::size(kErrorCodes) == static_cast<std::size_t>(ErrorCode::InvalidAnalysis) + 1;
}
static_assert(errorCodesInOrder(), "kErrorCodes must list every ErrorCode once, in enum order");

// "internal" for a value outside the enum.
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
