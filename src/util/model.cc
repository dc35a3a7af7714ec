#include "roster/model.h"

#include <algorithm>

namespace roster {

bool Scope::contains(int64_t id) const {
  return all || std::binary_search(ids.begin(), ids.end(), id);
}

bool Scope::covers(const Scope& other) const {
  if (all) return true;
  if (other.all) return false;
  return std::includes(ids.begin(), ids.end(), other.ids.begin(), other.ids.end());
}

}  // namespace roster
