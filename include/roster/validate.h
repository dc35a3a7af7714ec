#pragma once

#include <iterator>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "roster/csv_input.h"
#include "roster/row.h"

namespace roster {

// Pure checks of one row: RawRow -> typed row, or RowErrors. Nothing here looks
// at the directory; the rules that need it (does the role exist, may the actor
// grant it) live in access.h and in the import handlers.

enum class Action { kCreate, kUpdate };

// The column names of each template, as SPEC §2 lists them.
namespace col {
inline constexpr std::string_view kUsername = "Username";
inline constexpr std::string_view kEmail = "E-mail";
inline constexpr std::string_view kEnabled = "Enabled";
inline constexpr std::string_view kAllChannels = "Access all sales channels";
inline constexpr std::string_view kAllSources = "Access all sources";
inline constexpr std::string_view kTimezone = "Timezone";
inline constexpr std::string_view kRole = "Role";
inline constexpr std::string_view kSources = "Sources";
inline constexpr std::string_view kChannels = "Sales channels";
inline constexpr std::string_view kAction = "Action";
inline constexpr std::string_view kName = "Name";
inline constexpr std::string_view kKey = "Key";
inline constexpr std::string_view kHierarchy = "Hierarchy";
inline constexpr std::string_view kPermissions = "Permissions";
inline constexpr std::string_view kExternalId = "External ID";
inline constexpr std::string_view kType = "Type";
inline constexpr std::string_view kApplication = "Application";
inline constexpr std::string_view kStoreAppRole = "Store app role";
inline constexpr std::string_view kApiRole = "API role";
inline constexpr std::string_view kStartDate = "Start date";
inline constexpr std::string_view kEndDate = "End date";
}  // namespace col

// The applications roster knows, and the users-file column that names each
// one's role. The back office's is Role; the others are optional columns.
struct AppRoleColumn {
  std::string_view application_key;
  std::string_view column;
};
inline constexpr AppRoleColumn kAppRoleColumns[] = {
    {"backoffice", col::kRole},
    {"store-app", col::kStoreAppRole},
    {"api", col::kApiRole},
};
inline constexpr size_t kAppCount = std::size(kAppRoleColumns);
// The users-file column of an application's role, or empty for a key roster
// does not know.
std::string_view app_role_column(std::string_view application_key);

const TemplateColumns& user_columns();
const TemplateColumns& role_columns();
const TemplateColumns& source_columns();
const TemplateColumns& channel_columns();
const TemplateColumns& application_columns();

// Reads the cells of one row by template column name. Absent optional columns
// read as nullopt.
class RowView {
 public:
  RowView(const RawRow& row, const CsvInput& input) : row_(row), input_(input) {}
  uint64_t line() const { return row_.line; }
  std::optional<std::string_view> get(std::string_view column) const;
  // A required column's cell (always present once the header was accepted).
  std::string_view at(std::string_view column) const { return get(column).value_or(""); }

 private:
  const RawRow& row_;
  const CsvInput& input_;
};

// A user row after the pure checks. Lists are deduplicated, in file order.
struct UserRow {
  std::string username;
  std::string email;
  bool enabled = true;
  bool all_channels = false;
  bool all_sources = false;
  std::string timezone;
  std::string role;  // name or key, as written
  // The roles of the store app and the API (kAppRoleColumns after the first),
  // as written; nullopt when the file has no such column (the role stays).
  std::optional<std::string> app_roles[kAppCount - 1];
  bool app_columns = false;  // whether the file has any of those columns
  std::vector<std::string> sources;
  std::optional<std::vector<std::string>> channels;  // absent column: untouched
  // Start date and End date (SPEC §12), as written ("" for none); nullopt
  // when the file has no such column (the date stays).
  std::optional<std::string> start_date, end_date;
  Action action = Action::kCreate;
};

struct RoleRow {
  std::string name;
  std::optional<std::string> application;  // a key; nullopt: no Application column
  std::string key;                         // may be empty
  int hierarchy = 0;
  bool all_permissions = false;  // "*"
  std::vector<std::string> permissions;
  bool all_sources = false;
  std::vector<std::string> sources;
  bool all_channels = false;
  std::vector<std::string> channels;
  Action action = Action::kCreate;
};

struct SourceRow {
  std::string external_id;
  std::string name;
  std::string type;
  bool enabled = true;
  Action action = Action::kCreate;
};

struct ApplicationRow {
  std::string key;
  std::string name;
  Action action = Action::kCreate;
};

struct ChannelRow {
  std::string external_id;
  std::string name;
  Action action = Action::kCreate;
};

// Options of the pure checks.
struct ValidateOptions {
  // Fills an empty Timezone cell when set; the Timezone column may then be
  // missing altogether.
  std::string default_timezone;
  // --upsert: the row's action follows from what exists, so a blank (or
  // missing) Action cell is no error.
  bool upsert = false;
};

// The columns a file must and may have under `options`: the template's, with
// Timezone optional when a default stands in for it and Action optional under
// --upsert.
TemplateColumns columns_under(const TemplateColumns& columns, const ValidateOptions& options);

// Each parse_* fills `out` and appends to `issues`; `out` is usable only when
// issues.ok(). A malformed RawRow gets ROW_MALFORMED and nothing else. Every
// template column's cell is checked for TEXT_INVALID first.
void parse_user_row(const RowView& row, const ValidateOptions& options, UserRow& out,
                    RowIssues& issues);
void parse_role_row(const RowView& row, RoleRow& out, RowIssues& issues,
                    const ValidateOptions& options = {});
void parse_source_row(const RowView& row, SourceRow& out, RowIssues& issues,
                      const ValidateOptions& options = {});
void parse_channel_row(const RowView& row, ChannelRow& out, RowIssues& issues,
                       const ValidateOptions& options = {});
void parse_application_row(const RowView& row, ApplicationRow& out, RowIssues& issues,
                           const ValidateOptions& options = {});

// ROW_MALFORMED for `row`, or nothing; every parse_* starts with it.
bool check_well_formed(const RawRow& row, RowIssues& issues);

// Single-field rules, exposed for tests and for the CLI's --admin option.
bool is_valid_username(std::string_view s);
// A feed's name (SPEC §11): 1 to 64 letters, digits, '.', '_' and '-'.
bool is_valid_feed_name(std::string_view s);
bool is_valid_email(std::string_view s);
bool is_valid_external_id(std::string_view s);
bool is_valid_role_key(std::string_view s);
bool is_known_timezone(const std::string& name);

// Appends an issue with a message prefixed by its line and column.
void add_issue(std::vector<RowError>& to, uint64_t line, std::string_view column,
               std::string_view value, Code code, std::string message);

}  // namespace roster
