#include "roster/schema_tables.h"

#include <algorithm>
#include <cstdlib>

#include "roster/store.h"

namespace roster {

static_assert(kSchemaVersion == 14, "schema_tables.cc lists the tables of schema version 14");

size_t TableSpec::column(std::string_view wanted) const {
  auto it = std::find(columns.begin(), columns.end(), wanted);
  if (it == columns.end()) std::abort();  // a typo in roster's own code, never input
  return static_cast<size_t>(it - columns.begin());
}

const std::vector<TableSpec>& schema_tables() {
  static const std::vector<TableSpec> kTables = {
      {"permissions", {"key", "area", "description"}, "key", false},
      {"applications", {"id", "key", "name"}, "id", true, true},
      {"sources", {"id", "external_id", "name", "type", "enabled"}, "id", true},
      {"sales_channels", {"id", "external_id", "name"}, "id", true},
      {"roles",
       {"id", "name", "key", "hierarchy", "all_sources", "all_sales_channels", "application_id"},
       "id",
       true},
      {"role_permissions", {"role_id", "permission_key"}, "role_id, permission_key", false},
      {"role_sources", {"role_id", "source_id"}, "role_id, source_id", false},
      {"role_sales_channels", {"role_id", "channel_id"}, "role_id, channel_id", false},
      {"users",
       {"id", "username", "email", "enabled", "all_sales_channels", "all_sources", "timezone",
        "role_id", "created_at", "created_by", "updated_at", "updated_by", "feed", "start_date",
        "end_date", "active", "next_change"},
       "id",
       true},
      {"user_sources", {"user_id", "source_id"}, "user_id, source_id", false},
      {"user_sales_channels", {"user_id", "channel_id"}, "user_id, channel_id", false},
      {"user_roles", {"user_id", "role_id"}, "user_id, role_id", false},
      {"jobs",
       {"id",        "kind",    "file",       "sha256",      "actor",
        "mode",      "dry_run", "started_at", "finished_at", "rows_read",
        "created",   "updated", "unchanged",  "rejected",    "outcome",
        "exit_code", "pid",     "enabled",    "disabled",    "disabled_missing",
        "feed",      "sync"},
       "id",
       true},
      {"audit",
       {"id", "job_id", "target_type", "target", "action", "changes", "reason"},
       "id",
       true},
      {"invitations",
       {"id", "job_id", "user_id", "username", "email", "application", "reason", "created_at",
        "sent_at", "withdrawn_by"},
       "id",
       true},
      {"logins", {"login", "user_id"}, "login, user_id", false},
  };
  return kTables;
}

}  // namespace roster
