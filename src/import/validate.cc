#include "roster/validate.h"

#include <date/tz.h>
#include <fmt/format.h>

#include <algorithm>
#include <charconv>

#include "roster/dates.h"
#include "roster/text.h"

namespace roster {
namespace {

// A value as it is quoted in messages: long garbage is cut, so that a 10 MB cell
// does not become a 10 MB report line.
std::string shown(std::string_view value) {
  constexpr size_t kMax = 80;
  if (value.size() <= kMax) return std::string(value);
  size_t cut = kMax;
  while (cut > 0 && (static_cast<unsigned char>(value[cut]) & 0xC0) == 0x80) --cut;
  return fmt::format("{}... ({} bytes)", value.substr(0, cut), value.size());
}

bool all_of_chars(std::string_view s, std::string_view extra) {
  return std::all_of(s.begin(), s.end(), [&](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           extra.find(c) != std::string_view::npos;
  });
}

// Checks the TEXT_INVALID rule on every cell of the template's columns, so that
// no other rule ever sees a control character or broken UTF-8.
bool check_text(const RowView& row, const TemplateColumns& columns, RowIssues& issues) {
  bool ok = true;
  auto check = [&](const std::string& column) {
    std::optional<std::string_view> cell = row.get(column);
    if (!cell) return;
    if (auto problem = cell_text_problem(*cell)) {
      add_issue(issues.errors, row.line(), column, *cell, Code::kTextInvalid, *problem);
      ok = false;
    }
  };
  for (const std::string& c : columns.required) check(c);
  for (const std::string& c : columns.optional) check(c);
  return ok;
}

std::optional<bool> parse_flag(const RowView& row, std::string_view column, RowIssues& issues) {
  std::string_view v = row.at(column);
  if (v == "1") return true;
  if (v == "0") return false;
  add_issue(issues.errors, row.line(), column, v, Code::kFlagInvalid,
            v.empty() ? "is required; write 1 (yes) or 0 (no)"
                      : "is not a flag; write 1 (yes) or 0 (no)");
  return std::nullopt;
}

std::optional<Action> parse_action(const RowView& row, const ValidateOptions& options,
                                   RowIssues& issues) {
  std::string_view v = row.at(col::kAction);
  if (v.empty() && options.upsert) return std::nullopt;  // what exists decides
  if (iequals(v, "create")) return Action::kCreate;
  if (iequals(v, "update")) return Action::kUpdate;
  add_issue(issues.errors, row.line(), col::kAction, v, Code::kActionInvalid,
            "is not an action; write Create or Update");
  return std::nullopt;
}

// Splits a list cell, storing each entry once and warning about repeats.
std::vector<std::string> parse_list(const RowView& row, std::string_view column,
                                    Code duplicate_code, RowIssues& issues) {
  std::vector<std::string> out;
  for (std::string& item : split_list(row.get(column).value_or(""))) {
    if (std::find(out.begin(), out.end(), item) != out.end()) {
      add_issue(issues.warnings, row.line(), column, item, duplicate_code,
                "is listed more than once; it is stored once");
      continue;
    }
    out.push_back(std::move(item));
  }
  return out;
}

std::string timezone_hint(const std::string& name) {
  try {
    const auto& db = date::get_tzdb();
    std::vector<std::string> candidates;
    for (const auto& zone : db.zones) {
      if (iequals(zone.name(), name)) return fmt::format("; did you mean \"{}\"?", zone.name());
    }
    for (const auto& zone : db.zones) candidates.emplace_back(zone.name());
    if (auto hint = closest_match(name, candidates)) {
      return fmt::format("; did you mean \"{}\"?", *hint);
    }
  } catch (const std::exception&) {
  }
  return "; use an IANA name such as UTC or Europe/Paris";
}

// Username and E-mail, and the other applications' role columns that decide
// whether E-mail may be blank.
void parse_identity(const RowView& row, UserRow& out, RowIssues& issues) {
  uint64_t line = row.line();
  out.username = row.at(col::kUsername);
  if (out.username.empty()) {
    add_issue(issues.errors, line, col::kUsername, "", Code::kUsernameRequired, "is required");
  } else if (!is_valid_username(out.username)) {
    add_issue(issues.errors, line, col::kUsername, out.username, Code::kUsernameInvalid,
              "is not a valid username; use 1 to 64 letters, digits and . _ - @, "
              "with no spaces");
  }

  // A file with a column of another application's role may leave E-mail and
  // Role blank for a user of that application only: the handler checks what
  // the user is left with (EMAIL_REQUIRED_FOR_BACK_OFFICE, ROLE_REQUIRED).
  out.app_columns = false;
  for (size_t i = 1; i < kAppCount; ++i) {
    std::optional<std::string_view> cell = row.get(kAppRoleColumns[i].column);
    if (cell) {
      out.app_roles[i - 1] = std::string(*cell);
      out.app_columns = true;
    } else {
      out.app_roles[i - 1].reset();
    }
  }
  out.email = row.at(col::kEmail);
  if (out.email.empty()) {
    if (!out.app_columns) {
      add_issue(issues.errors, line, col::kEmail, "", Code::kEmailRequired, "is required");
    }
  } else if (!is_valid_email(out.email)) {
    add_issue(issues.errors, line, col::kEmail, out.email, Code::kEmailInvalid,
              "is not a valid e-mail address; expected name@example.com, at most 254 "
              "characters");
  }
}

// A Start date or End date cell: a calendar date, or empty for none.
void parse_date(const RowView& row, std::string_view column, std::optional<std::string>& out,
                RowIssues& issues) {
  std::optional<std::string_view> cell = row.get(column);
  if (!cell) {
    out.reset();
    return;
  }
  out = std::string(*cell);
  if (!out->empty() && !is_iso_date(*out)) {
    add_issue(issues.errors, row.line(), column, *out, Code::kDateInvalid,
              "is not a date; write YYYY-MM-DD (2026-12-24), or leave it empty for none");
  }
}

}  // namespace

std::optional<std::string_view> RowView::get(std::string_view column) const {
  int i = input_.index_of(column);
  if (i < 0 || static_cast<size_t>(i) >= row_.cells.size()) {
    if (i < 0) return std::nullopt;
    return std::string_view();
  }
  return row_.cells[static_cast<size_t>(i)];
}

void add_issue(std::vector<RowError>& to, uint64_t line, std::string_view column,
               std::string_view value, Code code, std::string message) {
  std::string v = shown(value);
  std::string text = value.empty() ? fmt::format("{} (empty) {}", column, message)
                                   : fmt::format("{} \"{}\" {}", column, v, message);
  to.push_back({line, std::string(column), std::move(v), code, std::move(text)});
}

std::string format_issue(const RowError& issue) {
  return fmt::format("{}: {}", code_name(issue.code), issue.message);
}

bool check_well_formed(const RawRow& row, RowIssues& issues) {
  if (!row.malformed) return true;
  issues.errors.push_back({row.line, "", "", Code::kRowMalformed,
                           fmt::format("line {}: {}", row.line, row.malformed_reason)});
  return false;
}

bool is_valid_username(std::string_view s) {
  return !s.empty() && s.size() <= 64 && all_of_chars(s, "._-@");
}

bool is_valid_feed_name(std::string_view s) {
  return !s.empty() && s.size() <= 64 && all_of_chars(s, "._-");
}

bool is_valid_email(std::string_view s) {
  if (s.size() > 254) return false;
  size_t at = s.rfind('@');
  if (at == std::string_view::npos || at == 0 || at > 64) return false;
  std::string_view local = s.substr(0, at), domain = s.substr(at + 1);
  if (!all_of_chars(local, "!#$%&'*+/=?^_`{|}~.-")) return false;
  if (local.front() == '.' || local.back() == '.' || local.find("..") != std::string_view::npos) {
    return false;
  }
  if (domain.empty() || domain.find('.') == std::string_view::npos) return false;
  size_t start = 0;
  std::string_view label;
  while (start <= domain.size()) {
    size_t dot = std::min(domain.find('.', start), domain.size());
    label = domain.substr(start, dot - start);
    if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-' ||
        !all_of_chars(label, "-")) {
      return false;
    }
    start = dot + 1;
  }
  // The top-level label is alphabetic (".com", ".fr"), never all digits.
  return std::any_of(label.begin(), label.end(), [](char c) { return c > '9'; });
}

bool is_valid_external_id(std::string_view s) {
  return !s.empty() && s.size() <= 64 && all_of_chars(s, "._-:/");
}

bool is_valid_role_key(std::string_view s) {
  return !s.empty() && s.size() <= 64 && all_of_chars(s, "._-");
}

bool is_known_timezone(const std::string& name) {
  if (name.empty()) return false;
  try {
    date::locate_zone(name);
    return true;
  } catch (const std::exception&) {
    return false;
  }
}

void parse_user_row(const RowView& row, const ValidateOptions& options, UserRow& out,
                    RowIssues& issues) {
  uint64_t line = row.line();
  if (!check_text(row, user_columns(), issues)) return;
  parse_identity(row, out, issues);

  auto enabled = parse_flag(row, col::kEnabled, issues);
  auto all_channels = parse_flag(row, col::kAllChannels, issues);
  auto all_sources = parse_flag(row, col::kAllSources, issues);
  out.enabled = enabled.value_or(false);
  out.all_channels = all_channels.value_or(false);
  out.all_sources = all_sources.value_or(false);

  out.timezone = row.at(col::kTimezone);
  if (out.timezone.empty()) out.timezone = options.default_timezone;
  if (out.timezone.empty()) {
    add_issue(issues.errors, line, col::kTimezone, "", Code::kTimezoneRequired,
              "is required; write an IANA name such as UTC or Europe/Paris, or run "
              "with --default-timezone");
  } else if (!is_known_timezone(out.timezone)) {
    add_issue(issues.errors, line, col::kTimezone, out.timezone, Code::kTimezoneUnknown,
              "is not in the system's tz database" + timezone_hint(out.timezone));
  }

  out.role = row.at(col::kRole);
  if (out.role.empty() && !out.app_columns) {
    add_issue(issues.errors, line, col::kRole, "", Code::kRoleRequired,
              "is required; write a role name or key");
  }

  out.sources = parse_list(row, col::kSources, Code::kSourceDuplicate, issues);
  if (row.get(col::kChannels)) {
    out.channels = parse_list(row, col::kChannels, Code::kSalesChannelDuplicate, issues);
  } else {
    out.channels.reset();
  }
  parse_date(row, col::kStartDate, out.start_date, issues);
  parse_date(row, col::kEndDate, out.end_date, issues);
  // Every field is assigned, so that a UserRow reused from row to row keeps
  // nothing of the row before.
  out.action = parse_action(row, options, issues).value_or(Action::kCreate);
}

void parse_role_row(const RowView& row, RoleRow& out, RowIssues& issues,
                    const ValidateOptions& options) {
  uint64_t line = row.line();
  if (!check_text(row, role_columns(), issues)) return;

  out.name = row.at(col::kName);
  if (out.name.empty()) {
    add_issue(issues.errors, line, col::kName, "", Code::kRoleNameRequired, "is required");
  } else if (out.name.size() > 100 || out.name.find(',') != std::string::npos) {
    add_issue(issues.errors, line, col::kName, out.name, Code::kRoleNameInvalid,
              "is not a valid role name; use at most 100 characters and no comma");
  }
  out.key = row.at(col::kKey);
  if (!out.key.empty() && !is_valid_role_key(out.key)) {
    add_issue(issues.errors, line, col::kKey, out.key, Code::kRoleKeyInvalid,
              "is not a valid key; use 1 to 64 letters, digits and . _ - (or leave it "
              "empty)");
  }

  std::string_view h = row.at(col::kHierarchy);
  if (h.empty()) {
    add_issue(issues.errors, line, col::kHierarchy, "", Code::kHierarchyRequired,
              "is required; write a whole number, 0 or more (smaller ranks higher)");
  } else {
    auto [ptr, ec] = std::from_chars(h.data(), h.data() + h.size(), out.hierarchy);
    if (ec != std::errc() || ptr != h.data() + h.size() || out.hierarchy < 0 ||
        out.hierarchy > 1000000) {
      add_issue(issues.errors, line, col::kHierarchy, h, Code::kHierarchyInvalid,
                "is not a hierarchy; write a whole number from 0 to 1000000 (smaller "
                "ranks higher)");
    }
  }

  out.all_permissions = row.at(col::kPermissions) == "*";
  if (!out.all_permissions) {
    out.permissions = parse_list(row, col::kPermissions, Code::kPermissionDuplicate, issues);
  }
  out.all_sources = parse_flag(row, col::kAllSources, issues).value_or(false);
  out.sources = parse_list(row, col::kSources, Code::kSourceDuplicate, issues);
  out.all_channels = parse_flag(row, col::kAllChannels, issues).value_or(false);
  out.channels = parse_list(row, col::kChannels, Code::kSalesChannelDuplicate, issues);
  if (auto app = row.get(col::kApplication)) {
    out.application = std::string(*app);
  } else {
    out.application.reset();
  }
  if (auto action = parse_action(row, options, issues)) out.action = *action;
}

namespace {

void parse_external_id(const RowView& row, std::string& out, RowIssues& issues) {
  out = row.at(col::kExternalId);
  if (out.empty()) {
    add_issue(issues.errors, row.line(), col::kExternalId, "", Code::kExternalIdRequired,
              "is required");
  } else if (!is_valid_external_id(out)) {
    add_issue(issues.errors, row.line(), col::kExternalId, out, Code::kExternalIdInvalid,
              "is not a valid external ID; use 1 to 64 letters, digits and . _ - : / "
              "(no spaces, no comma)");
  }
}

void parse_name(const RowView& row, std::string& out, RowIssues& issues) {
  out = row.at(col::kName);
  if (out.empty()) {
    add_issue(issues.errors, row.line(), col::kName, "", Code::kNameRequired, "is required");
  }
}

}  // namespace

void parse_source_row(const RowView& row, SourceRow& out, RowIssues& issues,
                      const ValidateOptions& options) {
  if (!check_text(row, source_columns(), issues)) return;
  parse_external_id(row, out.external_id, issues);
  parse_name(row, out.name, issues);
  out.type = to_lower_ascii(row.at(col::kType));
  if (out.type != "store" && out.type != "warehouse" && out.type != "other") {
    add_issue(issues.errors, row.line(), col::kType, row.at(col::kType), Code::kSourceTypeInvalid,
              "is not a source type; write store, warehouse or other");
  }
  out.enabled = parse_flag(row, col::kEnabled, issues).value_or(false);
  if (auto action = parse_action(row, options, issues)) out.action = *action;
}

void parse_channel_row(const RowView& row, ChannelRow& out, RowIssues& issues,
                       const ValidateOptions& options) {
  if (!check_text(row, channel_columns(), issues)) return;
  parse_external_id(row, out.external_id, issues);
  parse_name(row, out.name, issues);
  if (auto action = parse_action(row, options, issues)) out.action = *action;
}

void parse_application_row(const RowView& row, ApplicationRow& out, RowIssues& issues,
                           const ValidateOptions& options) {
  if (!check_text(row, application_columns(), issues)) return;
  out.key = to_lower_ascii(row.at(col::kKey));
  if (app_role_column(out.key).empty()) {
    add_issue(issues.errors, row.line(), col::kKey, row.at(col::kKey), Code::kApplicationUnknown,
              "is not an application roster knows; write backoffice, store-app or api");
  }
  parse_name(row, out.name, issues);
  if (auto action = parse_action(row, options, issues)) out.action = *action;
}

}  // namespace roster
