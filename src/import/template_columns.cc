// The templates' columns (SPEC §2 and the later sections' optional ones), and
// which of them a file may leave out under the run's options.

#include <algorithm>

#include "roster/text.h"
#include "roster/validate.h"

namespace roster {
namespace {

std::vector<std::string> names(std::initializer_list<std::string_view> list) {
  return {list.begin(), list.end()};
}

}  // namespace

const TemplateColumns& user_columns() {
  static const TemplateColumns kColumns{
      names({col::kUsername, col::kEmail, col::kEnabled, col::kAllChannels, col::kAllSources,
             col::kTimezone, col::kRole, col::kSources, col::kAction}),
      names({col::kChannels, col::kStoreAppRole, col::kApiRole, col::kStartDate, col::kEndDate})};
  return kColumns;
}

const TemplateColumns& role_columns() {
  static const TemplateColumns kColumns{
      names({col::kName, col::kKey, col::kHierarchy, col::kPermissions, col::kAllSources,
             col::kSources, col::kAllChannels, col::kChannels, col::kAction}),
      names({col::kApplication})};
  return kColumns;
}

const TemplateColumns& application_columns() {
  static const TemplateColumns kColumns{names({col::kKey, col::kName, col::kAction}), {}};
  return kColumns;
}

std::string_view app_role_column(std::string_view application_key) {
  for (const AppRoleColumn& c : kAppRoleColumns) {
    if (iequals(c.application_key, application_key)) return c.column;
  }
  return {};
}

const TemplateColumns& source_columns() {
  static const TemplateColumns kColumns{
      names({col::kExternalId, col::kName, col::kType, col::kEnabled, col::kAction}), {}};
  return kColumns;
}

const TemplateColumns& channel_columns() {
  static const TemplateColumns kColumns{names({col::kExternalId, col::kName, col::kAction}), {}};
  return kColumns;
}

TemplateColumns columns_under(const TemplateColumns& columns, const ValidateOptions& options) {
  TemplateColumns out = columns;
  auto make_optional = [&](std::string_view name) {
    auto it = std::find(out.required.begin(), out.required.end(), name);
    if (it == out.required.end()) return;
    out.optional.push_back(*it);
    out.required.erase(it);
  };
  if (!options.default_timezone.empty()) make_optional(col::kTimezone);
  if (options.upsert) make_optional(col::kAction);
  return out;
}

}  // namespace roster
