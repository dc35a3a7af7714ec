#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "roster/directory.h"
#include "roster/result.h"

namespace roster {

// The usernames met so far in the file being imported, for
// USERNAME_DUPLICATE_IN_FILE, without memory that grows with the file: a user
// created by this run is recognised by its id (above the largest id when the
// run began); an existing user by one bit per id; a username that ended in
// neither (its row was rejected) is listed in the store's temporary scratch
// table, which stays empty for a clean file. Owned by one import run.
class RunTracker {
 public:
  explicit RunTracker(Directory& dir) : dir_(dir) {}

  // Inside the run's transaction, before the first row.
  Status reset();
  // Records that the row names the stored user `user`; true when an earlier row
  // of the file named it too, or created it.
  bool user_seen_before(const User& user);
  // For a username that is not stored: true when an earlier row named it.
  Result<bool> name_seen_before(std::string_view username);
  // Records a username whose row created nothing.
  Status remember_name(std::string_view username);
  // Records that a rejected row named the stored user `id` without being
  // looked up as a target (its cells were not text): for a --sync run, the
  // user is present all the same.
  void keep(int64_t id);
  // Whether a row of the file named the user `id` (or created it).
  bool named(int64_t id) const;

 private:
  Directory& dir_;
  int64_t max_id_ = 0;            // the largest user id when the run began
  std::vector<bool> seen_ids_;    // existing users met so far, by id
  std::vector<bool> kept_ids_;    // keep()'s, by id; empty until the first
  int64_t remembered_names_ = 0;  // names listed in the store this run
};

}  // namespace roster
