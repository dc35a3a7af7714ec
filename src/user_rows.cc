// The users template: checks one row against the directory as changed so far,
// then creates or updates the user and audits it.

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>

#include "roster/import_job.h"
#include "roster/text.h"

namespace roster {
namespace {

std::string flag(bool v) { return v ? "1" : "0"; }

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
    if (!dir_.looks_ahead()) return Status::ok();  // no copies for a store that ignores them
    usernames_.clear();
    emails_.clear();
    for (const ParsedRow* p : rows) {
      const UserRow& in = static_cast<const ParsedUser&>(*p).row;
      if (is_valid_username(in.username)) usernames_.push_back(in.username);
      if (!in.email.empty()) emails_.push_back(in.email);
    }
    return dir_.look_ahead(usernames_, emails_);
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
  Status check_email(const RowView& row, const User* existing, const User& after,
                     RowIssues& issues);
  Status apply(const User* existing, User& after, std::vector<FieldChange> changes,
               RowOutcome& outcome);
  void resolve(const RowView& row, const UserRow& in, const User* existing, User& after,
               RowIssues& issues);
  void check_access(const RowView& row, const UserRow& in, const User* existing, const User& after,
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

Status UserHandler::handle(const RowView& row, const ParsedRow* parsed, RowIssues& issues,
                           RowOutcome& outcome) {
  unstored_name_.clear();
  const auto& in = static_cast<const ParsedUser&>(*parsed);
  Status st =
      in.absent && issues.ok()
          ? create_checked_by_insert(row, in.row, issues, outcome)
          : check_and_apply(row, in.row, in.prefetched ? &in.stored : nullptr, issues, outcome);
  // A later row with this username is a duplicate even though nothing was
  // created (see Directory::reset_seen).
  if (st.is_ok() && !unstored_name_.empty() && outcome.kind != RowOutcome::Kind::kCreated) {
    st = dir_.remember_name(unstored_name_);
  }
  return st;
}

// A row that creates a user whom nobody had before the run (the reading thread
// looked it up): checked as check_and_apply does, except that its username and
// e-mail are not looked up; the insert checks both (Store::insert_user_if_free).
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
    if (e.code == Code::kTextInvalid || e.code == Code::kRowMalformed) return Status::ok();
  }
  const User* existing = nullptr;
  Status st = find_target(row, in, prefetched, existing, issues);
  if (!st.is_ok() || is_duplicate(issues)) return st;
  if (existing) outcome.identity = existing->username;

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

  std::vector<FieldChange> changes = diff(existing, after);
  // A row equal to the stored user writes nothing, so there is nothing to
  // authorise: an export re-imports cleanly, the actor's own row included.
  if (changes.empty()) {
    outcome.kind = RowOutcome::Kind::kUnchanged;
    return Status::ok();
  }
  check_access(row, in, existing, after, issues);
  if (!issues.ok()) return Status::ok();
  return apply(existing, after, std::move(changes), outcome);
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
    duplicate = dir_.user_seen_before(stored_);
  } else {
    auto named = dir_.name_seen_before(in.username);
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
  Status st;
  if (existing) {
    st = dir_.update_user(*existing, after);
    outcome.kind = RowOutcome::Kind::kUpdated;
    outcome.disabled_user = existing->enabled && !after.enabled;
  } else {
    after.created_at = context_.now;
    after.created_by = actor_.username;
    if (by_insert_) {
      auto inserted = dir_.insert_user_if_free(after);
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
  // An enabled user who was not before gets an invitation to send; a user
  // created disabled gets one once enabled.
  // One for each application the user may sign in to, to the user's e-mail (a
  // store-app user without one gets none: the store hands out its sign-in).
  if (st.is_ok() && context_.invite && after.enabled && (!existing || !existing->enabled) &&
      !after.email.empty()) {
    Invitation& inv = invitation_;
    inv.job_id = context_.job_id;
    inv.user_id = after.id;
    inv.username = after.username;
    inv.email = after.email;
    inv.reason = existing ? "enabled" : "created";
    inv.created_at = context_.now;
    for (const Role* role : roles_of(after, dir_)) {
      const Application* app = dir_.application_by_id(role->application_id);
      inv.application = app ? app->key : std::string(kBackOfficeKey);
      if (st.is_ok()) st = dir_.add_invitation(inv);
    }
  }
  return st;
}

// Turns the row's names into the stored user: role, sources, sales channels.
void UserHandler::resolve(const RowView& row, const UserRow& in, const User* existing, User& after,
                          RowIssues& issues) {
  if (!existing) after.username = in.username;
  after.email = in.email;
  after.enabled = in.enabled;
  after.all_channels = in.all_channels;
  after.all_sources = in.all_sources;
  after.timezone = in.timezone;

  const Role* role = dir_.role_by_name_or_key(in.role);
  if (in.role.empty()) {
    // A user of other applications only; without their columns, ROLE_REQUIRED
    // is already reported.
    if (in.app_columns) after.role_id = 0;
  } else if (role == nullptr) {
    add_issue(issues.errors, row.line(), col::kRole, in.role, Code::kRoleUnknown,
              "is not a role name or key" + hint_for(in.role, dir_.role_names_and_keys(),
                                                     "; `roster roles export` lists the roles"));
  } else if (role->application_id != kBackOfficeApplicationId) {
    const Application* app = dir_.application_by_id(role->application_id);
    add_issue(issues.errors, row.line(), col::kRole, in.role, Code::kRoleWrongApplication,
              fmt::format("is a role of the application \"{}\"; Role takes a back-office role, "
                          "{} one of \"{}\"",
                          app ? app->key : "?", app ? app_role_column(app->key) : "", in.role));
  } else {
    after.role_id = role->id;
  }
  if (in.app_columns) resolve_app_roles(row, in, after, issues);

  after.sources.clear();
  if (in.all_sources && !in.sources.empty()) {
    add_issue(issues.warnings, row.line(), col::kSources, join(in.sources, ","),
              Code::kSourcesIgnoredWithAll,
              "is ignored: Access all sources is 1, which already covers every source");
  } else {
    for (const std::string& id : in.sources) {
      const Source* src = dir_.source_by_external_id(id);
      if (src == nullptr) {
        add_issue(
            issues.errors, row.line(), col::kSources, id, Code::kSourceUnknown,
            "is not a known source external ID (they are case-sensitive)" +
                hint_for(id, dir_.source_external_ids(), "; `roster sources export` lists them"));
      } else {
        after.sources.push_back(src->id);
      }
    }
    if (!in.all_sources && in.sources.empty()) {
      add_issue(issues.warnings, row.line(), col::kSources, "", Code::kNoSources,
                "is blank and Access all sources is 0: the user has no source");
    }
  }
  std::sort(after.sources.begin(), after.sources.end());

  if (in.all_channels) {
    if (in.channels && !in.channels->empty()) {
      add_issue(issues.warnings, row.line(), col::kChannels, join(*in.channels, ","),
                Code::kSalesChannelsIgnoredWithAll,
                "is ignored: Access all sales channels is 1, which already covers them all");
    }
    after.channels.clear();
  } else if (in.channels) {
    after.channels.clear();
    for (const std::string& id : *in.channels) {
      const SalesChannel* c = dir_.channel_by_external_id(id);
      if (c == nullptr) {
        add_issue(issues.errors, row.line(), col::kChannels, id, Code::kSalesChannelUnknown,
                  "is not a known sales channel external ID (they are case-sensitive)" +
                      hint_for(id, dir_.channel_external_ids(),
                               "; `roster sales-channels export` lists them"));
      } else {
        after.channels.push_back(c->id);
      }
    }
    std::sort(after.channels.begin(), after.channels.end());
  } else if (!existing) {
    after.channels.clear();
  }
}

// The Store app role and API role cells: each names a role of its own
// application, or is blank for none; an absent column leaves the role as it is.
void UserHandler::resolve_app_roles(const RowView& row, const UserRow& in, User& after,
                                    RowIssues& issues) {
  for (size_t i = 1; i < kAppCount; ++i) {
    const std::optional<std::string>& cell = in.app_roles[i - 1];
    if (!cell) continue;
    std::string_view column = kAppRoleColumns[i].column;
    const Application* app = dir_.application_by_key(kAppRoleColumns[i].application_key);
    const Role* role = cell->empty() ? nullptr : dir_.role_by_name_or_key(*cell);
    if (!cell->empty() && role == nullptr) {
      add_issue(issues.errors, row.line(), column, *cell, Code::kRoleUnknown,
                "is not a role name or key" + hint_for(*cell, dir_.role_names_and_keys(),
                                                       "; `roster roles export` lists the roles"));
      continue;
    }
    if (role && (app == nullptr || role->application_id != app->id)) {
      const Application* its = dir_.application_by_id(role->application_id);
      add_issue(issues.errors, row.line(), column, *cell, Code::kRoleWrongApplication,
                fmt::format("is a role of the application \"{}\"; {} takes a role of \"{}\"",
                            its ? its->key : "?", column, kAppRoleColumns[i].application_key));
      continue;
    }
    if (app == nullptr) continue;  // blank, and the application is not there: nothing held
    std::erase_if(after.app_roles, [&](int64_t id) {
      const Role* r = dir_.role_by_id(id);
      return r && r->application_id == app->id;
    });
    if (role) after.app_roles.push_back(role->id);
    std::sort(after.app_roles.begin(), after.app_roles.end());
  }
}

// With the applications' columns, Role and E-mail may be blank, but the user
// must keep a role somewhere, and a back-office user an e-mail.
void UserHandler::check_roles_left(const RowView& row, const User& after, RowIssues& issues) {
  if (after.role_id == 0 && after.app_roles.empty()) {
    add_issue(issues.errors, row.line(), col::kRole, "", Code::kRoleRequired,
              "is required when the user has no role in another application; write a role "
              "name or key");
  }
  if (after.role_id != 0 && after.email.empty()) {
    add_issue(issues.errors, row.line(), col::kEmail, "", Code::kEmailRequiredForBackOffice,
              "is required for a user with a back-office role (Role); only users of the store "
              "app or the API alone may have none");
  }
}

int64_t UserHandler::role_in(const User& user, int64_t application_id) const {
  if (application_id == kBackOfficeApplicationId) return user.role_id;
  for (int64_t id : user.app_roles) {
    const Role* r = dir_.role_by_id(id);
    if (r && r->application_id == application_id) return id;
  }
  return 0;
}

// The rules are access.h's (check_change_user, check_user_grants); this puts
// each refusal at the cell it is about.
void UserHandler::check_access(const RowView& row, const UserRow& in, const User* existing,
                               const User& after, RowIssues& issues) {
  if (existing) {
    if (auto denied = check_change_user(actor_, *existing, dir_)) {
      add_issue(issues.errors, row.line(), col::kUsername, existing->username, denied->code,
                std::move(denied->detail));
      return;
    }
  }
  for (GrantDenial& g : check_user_grants(actor_, after, dir_)) {
    auto [column, value] = grant_cell(g, dir_);
    if (g.what == Grant::kRole) {
      const Role* role = dir_.role_by_id(g.id);
      value = in.role;
      if (role->application_id != kBackOfficeApplicationId) {
        const Application* app = dir_.application_by_id(role->application_id);
        column = app_role_column(app ? app->key : "");
        value = row.at(column);
      }
    }
    add_issue(issues.errors, row.line(), column, value, g.denial.code, std::move(g.denial.detail));
  }
}

std::string UserHandler::ids_text(const std::vector<int64_t>& ids, bool channels) const {
  std::vector<std::string> names;
  for (int64_t id : ids) {
    names.push_back(channels ? dir_.channel_by_id(id)->external_id
                             : dir_.source_by_id(id)->external_id);
  }
  std::sort(names.begin(), names.end());
  return join(names, ",");
}

// Field-by-field differences; for a new user, every field. Values are compared
// first and turned into text only when they differ: most rows of a nightly
// feed change nothing.
std::vector<FieldChange> UserHandler::diff(const User* before, const User& after) const {
  std::vector<FieldChange> out;
  out.reserve(before ? 2 : 9);
  auto role_name = [&](int64_t id) {
    const Role* r = dir_.role_by_id(id);
    return r ? r->name : std::string();
  };
  auto add = [&](std::string_view name, std::string b, std::string a) {
    out.push_back({std::string(name), before ? std::move(b) : std::string(), std::move(a)});
  };
  const User empty;
  const User& b = before ? *before : empty;
  if (!before) add(col::kUsername, "", after.username);
  if (!before || b.email != after.email) add(col::kEmail, b.email, after.email);
  if (!before || b.enabled != after.enabled) {
    add(col::kEnabled, flag(b.enabled), flag(after.enabled));
  }
  if (!before || b.all_channels != after.all_channels) {
    add(col::kAllChannels, flag(b.all_channels), flag(after.all_channels));
  }
  if (!before || b.all_sources != after.all_sources) {
    add(col::kAllSources, flag(b.all_sources), flag(after.all_sources));
  }
  if (!before || b.timezone != after.timezone) add(col::kTimezone, b.timezone, after.timezone);
  if (!before || b.role_id != after.role_id) {
    add(col::kRole, role_name(b.role_id), role_name(after.role_id));
  }
  // The other applications' roles: a user created without any is audited as
  // before they existed.
  if (!after.app_roles.empty() || b.app_roles != after.app_roles) {
    for (size_t i = 1; i < kAppCount; ++i) {
      const Application* app = dir_.application_by_key(kAppRoleColumns[i].application_key);
      if (app == nullptr) continue;
      int64_t was = role_in(b, app->id), now = role_in(after, app->id);
      if (was != now) add(kAppRoleColumns[i].column, role_name(was), role_name(now));
    }
  }
  // Both lists are sorted and free of repeats, so equal lists mean equal text.
  if (!before || b.sources != after.sources) {
    add(col::kSources, ids_text(b.sources, false), ids_text(after.sources, false));
  }
  if (!before || b.channels != after.channels) {
    add(col::kChannels, ids_text(b.channels, true), ids_text(after.channels, true));
  }
  return out;
}

}  // namespace

std::unique_ptr<RowHandler> make_user_handler(Directory& dir, const Actor& actor,
                                              const JobContext& context) {
  return std::make_unique<UserHandler>(dir, actor, context);
}

}  // namespace roster
