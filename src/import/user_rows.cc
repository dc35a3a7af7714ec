// The users template: checks one row against the directory as changed so far,
// then creates or updates the user and audits it.

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "import/user_handler.h"
#include "roster/dates.h"
#include "roster/text.h"

namespace roster {

Status UserHandler::handle(const RowView& row, const ParsedRow* parsed, RowIssues& issues,
                           RowOutcome& outcome) {
  unstored_name_.clear();
  const auto& in = static_cast<const ParsedUser&>(*parsed);
  Status st =
      in.absent && issues.ok()
          ? create_checked_by_insert(row, in.row, issues, outcome)
          : check_and_apply(row, in.row, in.prefetched ? &in.stored : nullptr, issues, outcome);
  // A later row with this username is a duplicate even though nothing was
  // created (see RunTracker).
  if (st.is_ok() && !unstored_name_.empty() && outcome.kind != RowOutcome::Kind::kCreated) {
    st = context_.tracker->remember_name(unstored_name_);
  }
  return st;
}

// A row that creates a user whom nobody had before the run (the reading thread
// looked it up): checked as check_and_apply does, except that its username and
// e-mail are not looked up; the insert checks both (ImportAccelerator::insert_user_if_free).
// The one way that can go wrong is a name or an e-mail that an earlier row of
// the run took, and then the insert writes nothing. So when the insert finds
// either taken, or the row has any other problem, the row is checked again the
// usual way from where it started: which problem a row reports first depends
// on those lookups, and a rejected row must read as it always did.
Status UserHandler::create_checked_by_insert(const RowView& row, const UserRow& in,
                                             RowIssues& issues, RowOutcome& outcome) {
  const size_t warnings = issues.warnings.size();
  by_insert_ = true;
  taken_ = false;
  Status st = check_and_apply(row, in, nullptr, issues, outcome);
  by_insert_ = false;
  if (!st.is_ok()) return st;
  if (!taken_ && issues.ok()) {
    ++created_by_insert_;
    return st;
  }
  ++rechecked_;
  issues.errors.clear();  // none when this began
  issues.warnings.erase(issues.warnings.begin() + static_cast<std::ptrdiff_t>(warnings),
                        issues.warnings.end());
  outcome = RowOutcome{};
  unstored_name_.clear();
  return check_and_apply(row, in, nullptr, issues, outcome);
}

void UserHandler::log_stats() const {
  if (created_by_insert_ + rechecked_ == 0) return;
  spdlog::debug("{} new users were checked by their insert alone; {} rows were checked again",
                created_by_insert_, rechecked_);
}

Status UserHandler::check_and_apply(const RowView& row, const UserRow& in, const User* prefetched,
                                    RowIssues& issues, RowOutcome& outcome) {
  outcome.identity = std::string(row.at(col::kUsername));
  for (const RowError& e : issues.errors) {
    // Cells that are not text at all are not looked up any further.
    if (e.code == Code::kTextInvalid || e.code == Code::kRowMalformed) {
      return keep_named(row);
    }
  }
  const User* existing = nullptr;
  Status st = find_target(row, in, prefetched, existing, issues);
  if (!st.is_ok() || is_duplicate(issues)) return st;
  if (existing) {
    outcome.identity = existing->username;
    if (auto denied = check_feed(context_.feed, *existing)) {
      add_issue(issues.errors, row.line(), col::kUsername, existing->username, denied->code,
                std::move(denied->detail));
      return Status::ok();
    }
  }

  User& after = after_;
  if (existing) {
    after = *existing;
  } else {
    after = User{};
  }
  resolve(row, in, existing, after, issues);
  if (in.app_columns) check_roles_left(row, after, issues);
  if (!issues.ok()) return Status::ok();
  st = check_email(row, existing, after, issues);
  if (!st.is_ok() || !issues.ok()) return st;

  // A feed's run manages the users it creates, and claims those no feed
  // manages yet (access.h: may_claim). The feed is no template column: a claim
  // alone leaves the row unchanged.
  bool claim = existing && may_claim(actor_, context_.feed, *existing, dir_);
  if (!existing || claim) after.feed = context_.feed;
  std::vector<FieldChange> changes = diff(existing, after);
  // A row equal to the stored user writes nothing, so there is nothing to
  // authorise: an export re-imports cleanly, the actor's own row included.
  if (changes.empty()) {
    outcome.kind = RowOutcome::Kind::kUnchanged;
    if (claim) st = dir_.update_user(*existing, after);
    return st.is_ok() && claim ? audit_claim(after, outcome) : st;
  }
  check_access(row, in, existing, after, issues);
  if (!issues.ok()) return Status::ok();
  st = apply(existing, after, std::move(changes), outcome);
  return st.is_ok() && claim ? audit_claim(after, outcome) : st;
}

// A claim is audited on its own, and shown in the plan on the row's line(s).
Status UserHandler::audit_claim(const User& user, RowOutcome& outcome) {
  FieldChange managed{"Managed by", "", user.feed};
  Status st =
      dir_.add_audit(context_.job_id, "user", user.username, "claim", {managed},
                     fmt::format("claimed by feed {} (job {})", user.feed, context_.job_id));
  outcome.changes.push_back(std::move(managed));
  return st;
}

// A row rejected before its target was looked up (a cell that is not text)
// still names its user: a --sync run must not take it for missing. Its cells
// were not parsed, so the username is read from its cell.
Status UserHandler::keep_named(const RowView& row) {
  std::string_view username = row.at(col::kUsername);
  if (!context_.sync || !is_valid_username(username)) return Status::ok();
  auto found = dir_.find_user(username, stored_);
  if (!found.is_ok()) return found.status();
  if (*found) context_.tracker->keep(stored_.id);
  return Status::ok();
}

// The user the row names, if it exists, with the duplicate-in-file and the
// Create/Update (or --upsert) rules.
//
// `prefetched` is the stored user as it was before the run, when the reading
// thread found it. Only a row naming that same user can have changed it since,
// and such a row makes this one a duplicate (its id is marked seen), which is
// all this row then uses of it; so it stands for a lookup. A user not found
// before the run may have been created by an earlier row: that is looked up.
Status UserHandler::find_target(const RowView& row, const UserRow& in, const User* prefetched,
                                const User*& existing, RowIssues& issues) {
  if (!is_valid_username(in.username)) return Status::ok();  // already reported
  bool found = prefetched != nullptr;
  if (found) {
    stored_ = *prefetched;
  } else if (!by_insert_) {  // else nobody had the name before the run; the insert checks the rest
    auto lookup = dir_.find_user(in.username, stored_);
    if (!lookup.is_ok()) return lookup.status();
    found = *lookup;
  }
  bool duplicate = false;
  if (found) {
    duplicate = context_.tracker->user_seen_before(stored_);
  } else {
    auto named = context_.tracker->name_seen_before(in.username);
    if (!named.is_ok()) return named.status();
    duplicate = *named;
    unstored_name_ = in.username;
  }
  if (duplicate) {
    add_issue(issues.errors, row.line(), col::kUsername, in.username,
              Code::kUsernameDuplicateInFile,
              "appears earlier in this file; only its first row counts, remove this one");
    return Status::ok();
  }
  if (found) existing = &stored_;
  for (const RowError& e : issues.errors) {
    if (e.code == Code::kActionInvalid) return Status::ok();
  }
  Action action = context_.upsert ? (found ? Action::kUpdate : Action::kCreate) : in.action;
  if (action == Action::kCreate && found) {
    add_issue(issues.errors, row.line(), col::kUsername, in.username, Code::kUserExists,
              "already exists; use Action Update to change it (or run with --upsert)");
  } else if (action == Action::kUpdate && !found) {
    add_issue(issues.errors, row.line(), col::kUsername, in.username, Code::kUserNotFound,
              "is not in the directory; use Action Create to add it (or run with --upsert)");
  }
  return Status::ok();
}

bool UserHandler::is_duplicate(const RowIssues& issues) {
  return !issues.errors.empty() && issues.errors.back().code == Code::kUsernameDuplicateInFile;
}

// EMAIL_TAKEN. The stored e-mail is already unique: look it up only when it changes.
Status UserHandler::check_email(const RowView& row, const User* existing, const User& after,
                                RowIssues& issues) {
  if (after.email.empty()) return Status::ok();  // a user of other applications only
  if (by_insert_) return Status::ok();           // the insert checks it
  if (existing && iequals(existing->email, after.email)) return Status::ok();
  auto owner = dir_.email_owner(after.email);
  if (!owner.is_ok()) return owner.status();
  if (owner->has_value() && !iequals(**owner, after.username)) {
    add_issue(issues.errors, row.line(), col::kEmail, after.email, Code::kEmailTaken,
              fmt::format("already belongs to user \"{}\"; each user needs an e-mail of its own",
                          **owner));
  }
  return Status::ok();
}

// Creates or updates the user and audits the change, in the run's transaction.
Status UserHandler::apply(const User* existing, User& after, std::vector<FieldChange> changes,
                          RowOutcome& outcome) {
  after.updated_at = context_.now;
  after.updated_by = actor_.username;
  settle_dates(after, context_.now);  // who may log in today, as of this row
  Status st;
  if (existing) {
    st = dir_.update_user(*existing, after);
    outcome.kind = RowOutcome::Kind::kUpdated;
    outcome.disabled_user = existing->enabled && !after.enabled;
    outcome.enabled_user = !existing->enabled && after.enabled;
    outcome.expired_user = existing->active && !after.active && after.enabled;
    // A user who loses access is sent nothing that is still pending.
    if (st.is_ok() && existing->active && !after.active) {
      auto withdrawn = dir_.withdraw_invitations(existing->id, context_.job_id);
      if (!withdrawn.is_ok()) st = withdrawn.status();
    }
  } else {
    after.created_at = context_.now;
    after.created_by = actor_.username;
    if (by_insert_) {
      // A store that gave the run a snapshot has an accelerator.
      auto inserted = dir_.accelerator()->insert_user_if_free(after);
      if (!inserted.is_ok()) return inserted.status();
      taken_ = !*inserted;
      if (taken_) return Status::ok();  // nothing written; checked again
    } else {
      st = dir_.insert_user(after);
    }
    outcome.kind = RowOutcome::Kind::kCreated;
  }
  if (!st.is_ok()) return st;
  outcome.changes = std::move(changes);
  // An update that enables or disables the user is audited as such.
  std::string_view action = !existing                            ? "create"
                            : existing->enabled == after.enabled ? "update"
                            : after.enabled                      ? "enable"
                                                                 : "disable";
  st = dir_.add_audit(context_.job_id, "user", after.username, action, outcome.changes);
  // A user who may log in and could not before gets an invitation to send; a
  // user created disabled, or before its Start date, gets one once active.
  // One for each application the user may sign in to, to the user's e-mail (a
  // store-app user without one gets none: the store hands out its sign-in).
  if (st.is_ok() && context_.invite && after.active && (!existing || !existing->active)) {
    st = record_invitations(dir_, after, context_.job_id, existing ? "enabled" : "created",
                            context_.now, invitation_);
  }
  return st;
}

Status record_invitations(Directory& dir, const User& user, int64_t job_id, std::string_view reason,
                          const std::string& now, Invitation& inv) {
  if (user.email.empty()) return Status::ok();
  inv.job_id = job_id;
  inv.user_id = user.id;
  inv.username = user.username;
  inv.email = user.email;
  inv.reason = reason;
  inv.created_at = now;
  for (const Role* role : roles_of(user, dir)) {
    const Application* app = dir.application_by_id(role->application_id);
    inv.application = app ? app->key : std::string(kBackOfficeKey);
    if (Status st = dir.add_invitation(inv); !st.is_ok()) return st;
  }
  return Status::ok();
}

// Turns the row's names into the stored user: role, sources, sales channels.

std::unique_ptr<RowHandler> make_user_handler(Directory& dir, const Actor& actor,
                                              const JobContext& context) {
  return std::make_unique<UserHandler>(dir, actor, context);
}

}  // namespace roster
