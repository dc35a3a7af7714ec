#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace roster {

// The hierarchy and scope rules of SPEC §1, as pure functions over plain data.
// A smaller hierarchy number means more authority.

// A set of ids that is either everything, or the listed ids (sorted, unique).
struct Scope {
  bool all = false;
  std::vector<int64_t> ids;

  bool contains(int64_t id) const;
  // Whether every id of `other` (or everything, when other.all) lies inside.
  bool covers(const Scope& other) const;
};

// What the tool knows of the person running it.
struct Actor {
  int64_t user_id = 0;
  std::string username;
  int64_t role_id = 0;
  int hierarchy = 0;
  std::vector<std::string> permissions;  // sorted
  Scope sources;                         // the actor's own sources (all when it has all sources)
  Scope channels;                        // likewise for sales channels

  bool has_permission(const std::string& key) const;
};

// Whether an actor ranked `actor_hierarchy` may assign (or create, or change) a
// role ranked `role_hierarchy`, given the smallest hierarchy defined in the
// directory: strictly lower roles always; peers only at the very top.
bool may_assign(int actor_hierarchy, int role_hierarchy, int top_hierarchy);

}  // namespace roster
