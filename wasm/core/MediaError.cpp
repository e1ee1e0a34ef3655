// SPDX-License-Identifier: MIT
#include "MediaError.h"

#include <iterator>

namespace avseg {

const char* errorCodeName(ErrorCode code)
{
    const auto i = static_cast<std::size_t>(code);
    return i < std::size(kErrorCodes) ? kErrorCodes[i].name : errorCodeName(ErrorCode::Internal);
}

} // namespace avseg
