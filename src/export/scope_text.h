#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "roster/directory.h"

namespace roster {

// Appends the external IDs of sources (or sales channels) `ids` to `out`, sorted
// and comma-separated; `names` is scratch space, reused from call to call.
void append_scope(std::string& out, const Directory& d, const std::vector<int64_t>& ids,
                  bool channels, std::vector<std::string_view>& names);
// The same as a new string.
std::string scope_cell(const Directory& d, const std::vector<int64_t>& ids, bool channels);

}  // namespace roster
