#include "import/feed_sync.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <string>
#include <vector>

#include "roster/dates.h"
#include "util/logging.h"

namespace roster {

Status disable_missing(Directory& dir, const Actor& actor, const JobContext& context,
                       const RunTracker& tracker, ChangesReport& changes, SyncCounts& counts) {
  // First the names, in one read of the feed's index: nothing is written while
  // a store reads (PostgreSQL streams the rows). A healthy snapshot names
  // almost everyone, so this list stays short.
  std::vector<std::string> missing;
  Status st = dir.for_each_feed_user(context.feed, true, [&](int64_t id, const std::string& name) {
    if (!tracker.named(id)) missing.push_back(name);
    return true;
  });
  if (!st.is_ok()) return st;
  log_event(spdlog::level::info,
            fmt::format("job {}: {} enabled users of feed {} are missing from the snapshot",
                        context.job_id, missing.size(), context.feed),
            {{"job_id", context.job_id},
             {"feed", context.feed},
             {"missing", static_cast<int64_t>(missing.size())}});

  const std::string reason =
      fmt::format("missing from feed {} (job {})", context.feed, context.job_id);
  const std::vector<FieldChange> disable = {{"Enabled", "1", "0"}};
  User user;
  for (const std::string& name : missing) {
    auto found = dir.find_user(name, user);
    if (!found.is_ok()) return found.status();
    if (!*found || user.id == actor.user_id) continue;  // the actor never disables itself
    if (check_manage_user(actor, user, dir)) {
      ++counts.not_allowed;
      continue;
    }
    User after = user;
    after.enabled = false;
    settle_dates(after, context.now);
    after.updated_at = context.now;
    after.updated_by = actor.username;
    st = dir.update_user(user, after);
    if (st.is_ok()) {
      auto withdrawn = dir.withdraw_invitations(user.id, context.job_id);
      if (!withdrawn.is_ok()) st = withdrawn.status();
    }
    if (st.is_ok())
      st = dir.add_audit(context.job_id, "user", user.username, "disable", disable, reason);
    if (!st.is_ok()) return st;
    changes.add(0, user.username, "disabled-missing", disable);
    ++counts.disabled;
  }
  return Status::ok();
}

}  // namespace roster
