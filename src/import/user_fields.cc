// The users template's fields: a row's names turned into the stored user, the
// cells that the access rules' refusals are reported at, and the audit diff.

#include <fmt/format.h>

#include <algorithm>

#include "import/user_handler.h"
#include "roster/text.h"

namespace roster {
namespace {

std::string flag(bool v) { return v ? "1" : "0"; }

}  // namespace

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
  resolve_lists(row, in, existing, after, issues);
  resolve_dates(row, in, after, issues);
}

// Start date and End date: the row's, or the stored ones when the file has
// no such column; the End date must come after the Start date.
void UserHandler::resolve_dates(const RowView& row, const UserRow& in, User& after,
                                RowIssues& issues) {
  if (in.start_date) after.start_date = *in.start_date;
  if (in.end_date) after.end_date = *in.end_date;
  if (after.start_date.empty() || after.end_date.empty() || after.end_date > after.start_date) {
    return;
  }
  bool end_column = row.get(col::kEndDate).has_value();
  for (const RowError& e : issues.errors) {
    if (e.code == Code::kDateInvalid) return;  // one reason per cell
  }
  add_issue(issues.errors, row.line(), end_column ? col::kEndDate : col::kStartDate,
            end_column ? after.end_date : after.start_date, Code::kDateRangeInvalid,
            fmt::format("is not after the Start date {}; the End date is the first day without "
                        "access",
                        after.start_date));
}

// The Sources and Sales channels cells: external IDs turned into ids, sorted.
void UserHandler::resolve_lists(const RowView& row, const UserRow& in, const User* existing,
                                User& after, RowIssues& issues) {
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
  // Dates: a user created without them is audited as before they existed.
  if (b.start_date != after.start_date) add(col::kStartDate, b.start_date, after.start_date);
  if (b.end_date != after.end_date) add(col::kEndDate, b.end_date, after.end_date);
  return out;
}

}  // namespace roster
