// SPDX-License-Identifier: MIT
#include "MediaError.h"

namespace avseg {

const char* errorCodeName(ErrorCode code)
{
    switch (code) {
    case ErrorCode::None: return "none";
    case ErrorCode::FetchFailed: return "fetch-failed";
    case ErrorCode::CorsBlocked: return "cors-blocked";
    case ErrorCode::UnsupportedFormat: return "unsupported-format";
    case ErrorCode::CorruptMedia: return "corrupt-media";
    case ErrorCode::TruncatedMedia: return "truncated-media";
    case ErrorCode::EmptyMedia: return "empty-media";
    case ErrorCode::NoAudio: return "no-audio";
    case ErrorCode::NoVideo: return "no-video";
    case ErrorCode::Internal: return "internal";
    case ErrorCode::InvalidConfig: return "invalid-config";
    }
    return "internal";
}

} // namespace avseg
