// SPDX-License-Identifier: MIT
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace avseg {

// Names well-known media formats the build does not include, from their first bytes,
// so the user hears "AC-3 is not supported" rather than "not a recognised file".
// Empty when the bytes match none of them.
std::string recogniseUnsupported(const uint8_t* head, size_t size);

} // namespace avseg
