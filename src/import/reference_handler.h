#pragma once

// The base of the reference-data handlers (reference_rows.cc: sources, sales
// channels, applications; role_rows.cc: roles).

#include <set>
#include <string>
#include <vector>

#include "roster/import_job.h"

namespace roster {

inline std::string flag_text(bool v) { return v ? "1" : "0"; }

// The state every reference handler shares: the directory, the actor, the run,
// the identities met so far in the file, and how Create/Update resolve.
class ReferenceHandler : public RowHandler {
 public:
  ReferenceHandler(Directory& dir, const Actor& actor, const JobContext& context)
      : dir_(dir), actor_(actor), context_(context) {}

 protected:
  // Applies --upsert and the Create/Update rules; false (with an error) when the
  // row's action does not fit what exists.
  bool resolve_action(const RowView& row, Action action, bool exists, std::string_view column,
                      const std::string& id, Code exists_code, Code missing_code,
                      RowIssues& issues) {
    if (context_.upsert) return true;
    if (action == Action::kCreate && exists) {
      add_issue(issues.errors, row.line(), column, id, exists_code,
                "already exists; use Action Update to change it (or run with --upsert)");
      return false;
    }
    if (action == Action::kUpdate && !exists) {
      add_issue(issues.errors, row.line(), column, id, missing_code,
                "does not exist; use Action Create to add it (or run with --upsert)");
      return false;
    }
    return true;
  }

  // False (with an error) when `id` already appeared in this file.
  bool first_in_file(const RowView& row, std::string_view column, const std::string& id, Code code,
                     RowIssues& issues) {
    if (seen_.insert(id).second) return true;
    add_issue(issues.errors, row.line(), column, id, code,
              "appears earlier in this file; only its first row counts, remove this one");
    return false;
  }

  Status audit(std::string_view type, const std::string& target, bool created,
               const std::vector<FieldChange>& changes) {
    return dir_.add_audit(context_.job_id, type, target, created ? "create" : "update", changes);
  }

  static void field(std::vector<FieldChange>& out, bool creating, std::string_view name,
                    const std::string& before, const std::string& after) {
    if (creating || before != after) {
      out.push_back({std::string(name), creating ? "" : before, after});
    }
  }

  Directory& dir_;
  const Actor& actor_;
  const JobContext& context_;
  std::set<std::string> seen_;
};

}  // namespace roster
