#pragma once

#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

#include "roster/directory.h"
#include "roster/import_job.h"
#include "roster/result.h"
#include "roster/validate.h"

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
  std::optional<bool> active;  // SPEC §12: enabled and within its dates today
  std::string changed_since;   // ISO 8601 UTC, as given; empty for none
  std::string feed;            // only the users this feed manages; empty for any
};

// Writes the users template (the nine columns, Sales channels, and the other
// applications' role columns once one of their roles exists), sorted by
// username, Action = Update, of the users the actor may see (access.h:
// may_see_user) that pass the filters. Fails with a usage Status for an
// unknown role or source or a malformed time, an actor Status (exit 4) for an
// actor that may not export users, or the file's or the database's Status.
Status export_users(Directory& dir, const UserExportOptions& options,
                    std::ostream& standard_output);

// A user as a line of the users export: the export's header (the nine columns,
// Sales channels, and the applications' role columns once one of their roles
// exists), and each user's cells under it, Action = Update. The cells' memory
// is reused from user to user.
class UserRowWriter {
 public:
  // `date_columns`: Start date and End date after the others (when some user
  // has a date: Directory::any_user_dates).
  UserRowWriter(const Directory& d, bool date_columns);
  const std::vector<std::string>& header() const { return header_; }
  // The user's cells, in the header's order, for the caller to read or edit
  // before append_line.
  std::vector<std::string>& cells(const User& user);
  // Appends the cells as one CSV line.
  void append_line(std::string& out) const;

 private:
  const Directory& d_;
  bool app_columns_ = false;
  bool date_columns_ = false;
  const Application* apps_[kAppCount] = {};
  std::vector<std::string> header_;
  std::vector<std::string> cells_;
  std::vector<std::string_view> names_;
};

// roster audit --job ID --reverse (SPEC §15): a users file that, imported,
// puts every user the job changed back as it was before the job, for the
// fields the job changed (a user the job created comes back with Enabled 0).
// Only the users the actor may see (may_see_user); `hidden` counts the others.
struct ReverseResult {
  Job job;
  int64_t users = 0;    // rows written
  int64_t created = 0;  // of them, users the job created
  int64_t hidden = 0;   // users the job changed that the actor may not see
};
// Fails with a usage Status for a job that does not exist or changed no user,
// an actor Status (exit 4) for an actor that may not export users, or the
// file's or the database's Status.
Result<ReverseResult> export_reverse(Directory& dir, int64_t job_id, const std::string& actor,
                                     const std::string& out, std::ostream& standard_output);

// The reference-data template of `kind` (not users), every row Action = Update,
// sorted by external ID, key or role name.
std::string export_reference(const Directory& dir, ImportKind kind);

// The audit entries matching `filter`, one line per changed field, oldest
// first, to `out`.
Status export_audit(Directory& dir, const AuditFilter& filter, const std::string& out,
                    std::ostream& standard_output);

}  // namespace roster
