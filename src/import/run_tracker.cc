#include "roster/run_tracker.h"

namespace roster {

Status RunTracker::reset() {
  Status st = dir_.clear_scratch_names();
  if (!st.is_ok()) return st;
  auto max_id = dir_.max_user_id();
  if (!max_id.is_ok()) return max_id.status();
  max_id_ = *max_id;
  seen_ids_.assign(static_cast<size_t>(max_id_) + 1, false);
  kept_ids_.clear();
  remembered_names_ = 0;
  return Status::ok();
}

bool RunTracker::user_seen_before(const User& user) {
  if (user.id > max_id_ || user.id < 0) return true;  // created by this run
  auto bit = seen_ids_[static_cast<size_t>(user.id)];
  bool before = bit;
  bit = true;
  return before;
}

Result<bool> RunTracker::name_seen_before(std::string_view username) {
  if (remembered_names_ == 0) return false;  // no statement for a clean file
  return dir_.scratch_name_listed(username);
}

Status RunTracker::remember_name(std::string_view username) {
  auto added = dir_.list_scratch_name(username);
  if (!added.is_ok()) return added.status();
  if (*added) ++remembered_names_;
  return Status::ok();
}

void RunTracker::keep(int64_t id) {
  if (id > max_id_ || id < 0) return;  // created by this run: named already
  if (kept_ids_.empty()) kept_ids_.assign(static_cast<size_t>(max_id_) + 1, false);
  kept_ids_[static_cast<size_t>(id)] = true;
}

bool RunTracker::named(int64_t id) const {
  if (id > max_id_ || id < 0) return true;
  auto i = static_cast<size_t>(id);
  return seen_ids_[i] || (!kept_ids_.empty() && kept_ids_[i]);
}

}  // namespace roster
