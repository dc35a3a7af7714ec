#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace roster {

// The hierarchy and scope rules of SPEC §1, as pure functions over plain data.
// A smaller hierarchy number means more authority.

// The back office's application id: created with the schema, so every
// directory has it, and every role of a roles file without an Application
// column belongs to it.
inline constexpr int64_t kBackOfficeApplicationId = 1;

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
  int64_t role_id = 0;  // the back-office role
  int hierarchy = 0;    // that role's hierarchy
  // The actor's roles in other applications: (application id, role id, hierarchy).
  struct AppRole {
    int64_t application_id = 0;
    int64_t role_id = 0;
    int hierarchy = 0;
  };
  std::vector<AppRole> app_roles;
  // Whether the actor's back-office role is at the top of the back office (as
  // init's Administrator is): it then outranks every role of an application in
  // which it holds none, so that the first store-app roles can be made and given.
  bool top_of_back_office = false;
  std::vector<std::string> permissions;  // sorted
  Scope sources;                         // the actor's own sources (all when it has all sources)
  Scope channels;                        // likewise for sales channels

  bool has_permission(const std::string& key) const;
  // The actor's hierarchy in application `application_id`: its role's there;
  // kOutranksAll when it holds none there but is at the top of the back office;
  // nullopt when it holds none there, and so may assign nothing in it.
  std::optional<int> rank_in(int64_t application_id) const;
  // The actor's role in `application_id`, or 0.
  int64_t role_in(int64_t application_id) const;
};

// A rank above every hierarchy (hierarchies are >= 0).
inline constexpr int kOutranksAll = -1;

// Whether an actor ranked `actor_hierarchy` may assign (or create, or change) a
// role ranked `role_hierarchy`, given the smallest hierarchy defined in the
// directory: strictly lower roles always; peers only at the very top.
bool may_assign(int actor_hierarchy, int role_hierarchy, int top_hierarchy);

}  // namespace roster
