#pragma once

#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

#include "roster/directory.h"
#include "roster/import_job.h"
#include "roster/result.h"

namespace roster {

// The exports (SPEC §8), as the calls the commands make: the users template
// that an actor may see, the reference data, the audit trail. Each writes its
// file atomically ("-" for `standard_output`) and in a deterministic order, so
// that an unedited export re-imports as all unchanged.

struct UserExportOptions {
  std::string actor;
  std::string out = "-";
  // Filters: each list matches any of its entries; different filters combine.
  std::vector<std::string> roles;    // role names or keys
  std::vector<std::string> sources;  // source external IDs
  std::optional<bool> enabled;
  std::string changed_since;  // ISO 8601 UTC, as given; empty for none
  std::string feed;           // only the users this feed manages; empty for any
};

// Writes the users template (the nine columns, Sales channels, and the other
// applications' role columns once one of their roles exists), sorted by
// username, Action = Update, of the users the actor may see (access.h:
// may_see_user) that pass the filters. Fails with a usage Status for an
// unknown role or source or a malformed time, an actor Status (exit 4) for an
// actor that may not export users, or the file's or the database's Status.
Status export_users(Directory& dir, const UserExportOptions& options,
                    std::ostream& standard_output);

// The reference-data template of `kind` (not users), every row Action = Update,
// sorted by external ID, key or role name.
std::string export_reference(const Directory& dir, ImportKind kind);

// The audit entries matching `filter`, one line per changed field, oldest
// first, to `out`.
Status export_audit(Directory& dir, const AuditFilter& filter, const std::string& out,
                    std::ostream& standard_output);

}  // namespace roster
