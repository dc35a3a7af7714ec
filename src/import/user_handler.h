#pragma once

// The users template's row handler, shared by its two files: user_rows.cc
// (find the target, check, apply, audit, invite) and user_fields.cc (turn a
// row's names into the stored user, the access checks' cells, the audit diff).

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "roster/import_job.h"

namespace roster {

// The pure checks of a users row, made on the reading thread.
struct ParsedUser : ParsedRow {
  UserRow row;
  // What the reading thread's lookup ahead (prefetch) found, when it made one:
  // the user the row names as stored before the run (`stored`), or, for a row
  // that creates a user, that nobody had the name before the run.
  bool prefetched = false;
  bool absent = false;
  User stored;
};

// The invitations of a user who may now log in and could not before (SPEC
// §10, §12): one per application it may sign in to, to its e-mail; none for
// a user without one (the store hands out a store-app user's sign-in). `inv`
// is scratch space, reused from user to user.
Status record_invitations(Directory& dir, const User& user, int64_t job_id, std::string_view reason,
                          const std::string& now, Invitation& inv);

class UserHandler : public RowHandler {
 public:
  UserHandler(Directory& dir, const Actor& actor, const JobContext& context)
      : dir_(dir), actor_(actor), context_(context) {}

  const TemplateColumns& columns() const override { return user_columns(); }
  std::string identity_column() const override { return std::string(col::kUsername); }
  std::unique_ptr<ParsedRow> make_parsed() const override { return std::make_unique<ParsedUser>(); }
  void parse(const RowView& row, ParsedRow& out, RowIssues& issues) const override {
    auto& parsed = static_cast<ParsedUser&>(out);
    parsed.prefetched = parsed.absent = false;  // the slot's previous row may have had one
    parse_user_row(row, context_.validate, parsed.row, issues);
  }
  bool prefetches() const override { return true; }
  bool prefetch(UserSnapshot& snapshot, ParsedRow& out) const override {
    auto& parsed = static_cast<ParsedUser&>(out);
    if (!is_valid_username(parsed.row.username)) return false;
    auto found = snapshot.find_user(parsed.row.username, parsed.stored);
    if (!found.is_ok()) return false;
    parsed.prefetched = *found;
    parsed.absent = !*found && (context_.upsert || parsed.row.action == Action::kCreate);
    return parsed.prefetched || parsed.absent;
  }
  Status handle(const RowView& row, const ParsedRow* parsed, RowIssues& issues,
                RowOutcome& outcome) override;
  Status look_ahead(const std::vector<const ParsedRow*>& rows) override {
    ImportAccelerator* fast = dir_.accelerator();
    if (!fast || !fast->looks_ahead()) return Status::ok();  // no copies for a store without it
    usernames_.clear();
    emails_.clear();
    for (const ParsedRow* p : rows) {
      const UserRow& in = static_cast<const ParsedUser&>(*p).row;
      if (is_valid_username(in.username)) usernames_.push_back(in.username);
      if (!in.email.empty()) emails_.push_back(in.email);
    }
    return fast->look_ahead(usernames_, emails_);
  }
  void log_stats() const override;

 private:
  Status create_checked_by_insert(const RowView& row, const UserRow& in, RowIssues& issues,
                                  RowOutcome& outcome);
  Status check_and_apply(const RowView& row, const UserRow& in, const User* prefetched,
                         RowIssues& issues, RowOutcome& outcome);
  Status find_target(const RowView& row, const UserRow& in, const User* prefetched,
                     const User*& existing, RowIssues& issues);
  static bool is_duplicate(const RowIssues& issues);
  Status audit_claim(const User& user, RowOutcome& outcome);
  Status keep_named(const RowView& row);
  Status check_email(const RowView& row, const User* existing, const User& after,
                     RowIssues& issues);
  Status apply(const User* existing, User& after, std::vector<FieldChange> changes,
               RowOutcome& outcome);
  void resolve(const RowView& row, const UserRow& in, const User* existing, User& after,
               RowIssues& issues);
  void check_access(const RowView& row, const UserRow& in, const User* existing, const User& after,
                    RowIssues& issues);
  void resolve_dates(const RowView& row, const UserRow& in, User& after, RowIssues& issues);
  void resolve_lists(const RowView& row, const UserRow& in, const User* existing, User& after,
                     RowIssues& issues);
  void resolve_app_roles(const RowView& row, const UserRow& in, User& after, RowIssues& issues);
  void check_roles_left(const RowView& row, const User& after, RowIssues& issues);
  // The user's role in the application, or 0.
  int64_t role_in(const User& user, int64_t application_id) const;
  std::vector<FieldChange> diff(const User* before, const User& after) const;
  std::string ids_text(const std::vector<int64_t>& ids, bool channels) const;

  Directory& dir_;
  const Actor& actor_;
  const JobContext& context_;
  std::string unstored_name_;                    // the row's username when no stored user has it
  std::vector<std::string> usernames_, emails_;  // look_ahead's, reused
  // The stored user a row names, and the user as the row would leave it: kept
  // from row to row so that their strings' memory is reused.
  User stored_;
  User after_;
  Invitation invitation_;
  // Set while create_checked_by_insert checks a row: the insert stands for the
  // lookups of the username and the e-mail, and `taken_` says that it found
  // either taken.
  bool by_insert_ = false;
  bool taken_ = false;
  uint64_t created_by_insert_ = 0, rechecked_ = 0;
};

}  // namespace roster
