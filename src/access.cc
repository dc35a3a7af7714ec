#include "roster/access.h"

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

bool Actor::has_permission(const std::string& key) const {
  return std::binary_search(permissions.begin(), permissions.end(), key);
}

std::optional<int> Actor::rank_in(int64_t application_id) const {
  if (application_id == kBackOfficeApplicationId) return hierarchy;
  for (const AppRole& r : app_roles) {
    if (r.application_id == application_id) return r.hierarchy;
  }
  if (top_of_back_office) return kOutranksAll;
  return std::nullopt;
}

int64_t Actor::role_in(int64_t application_id) const {
  if (application_id == kBackOfficeApplicationId) return role_id;
  for (const AppRole& r : app_roles) {
    if (r.application_id == application_id) return r.role_id;
  }
  return 0;
}

bool may_assign(int actor_hierarchy, int role_hierarchy, int top_hierarchy) {
  if (role_hierarchy > actor_hierarchy) return true;
  return role_hierarchy == actor_hierarchy && actor_hierarchy <= top_hierarchy;
}

}  // namespace roster
