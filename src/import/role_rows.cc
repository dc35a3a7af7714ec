// The roles template: checks one row against the directory as changed so far
// and against what the actor may grant, then saves and audits the role.

#include <fmt/format.h>

#include <algorithm>

#include "import/reference_handler.h"
#include "roster/text.h"

namespace roster {
namespace {

class RoleHandler : public ReferenceHandler {
 public:
  using ReferenceHandler::ReferenceHandler;
  const TemplateColumns& columns() const override { return role_columns(); }
  std::string identity_column() const override { return std::string(col::kName); }
  Status handle(const RowView& row, const ParsedRow* parsed, RowIssues& issues,
                RowOutcome& outcome) override;

 private:
  void resolve_permissions(const RowView& row, const RoleRow& in, Role& after, RowIssues& issues);
  Scope resolve_scope(const RowView& row, bool all, const std::vector<std::string>& ids,
                      bool channels, RowIssues& issues);
  void check_names(const RowView& row, const RoleRow& in, const Role* existing, RowIssues& issues);
  Status check_access(const RowView& row, const Role* existing, const Role& after,
                      RowIssues& issues);
  int64_t resolve_application(const RowView& row, const RoleRow& in, const Role* existing,
                              RowIssues& issues);
  std::vector<FieldChange> diff(const Role* before, const Role& after) const;
  std::string scope_text(const Scope& scope, bool channels) const;
};

Status RoleHandler::handle(const RowView& row, const ParsedRow* /*parsed*/, RowIssues& issues,
                           RowOutcome& outcome) {
  RoleRow in;
  parse_role_row(row, in, issues, context_.validate);
  outcome.identity = in.name;
  if (!issues.ok() || !first_in_file(row, col::kName, to_lower_ascii(in.name),
                                     Code::kRoleDuplicateInFile, issues)) {
    return Status::ok();
  }
  const Role* existing = dir_.role_by_name(in.name);
  if (!resolve_action(row, in.action, existing != nullptr, col::kName, in.name, Code::kRoleExists,
                      Code::kRoleNotFound, issues)) {
    return Status::ok();
  }
  if (existing) outcome.identity = existing->name;
  check_names(row, in, existing, issues);

  Role after = existing ? *existing : Role{};
  if (!existing) after.name = in.name;
  after.application_id = resolve_application(row, in, existing, issues);
  after.key = in.key;
  after.hierarchy = in.hierarchy;
  resolve_permissions(row, in, after, issues);
  after.sources = resolve_scope(row, in.all_sources, in.sources, false, issues);
  after.channels = resolve_scope(row, in.all_channels, in.channels, true, issues);
  if (!issues.ok()) return Status::ok();

  std::vector<FieldChange> changes = diff(existing, after);
  // A row equal to the stored role writes nothing, so there is nothing to
  // authorise (an export re-imports cleanly, whoever runs it).
  if (changes.empty()) {
    outcome.kind = RowOutcome::Kind::kUnchanged;
    return Status::ok();
  }
  Status st = check_access(row, existing, after, issues);
  if (!st.is_ok() || !issues.ok()) return st;
  bool creating = existing == nullptr;
  st = dir_.save_role(after);
  if (st.is_ok()) st = audit("role", after.name, creating, changes);
  outcome.kind = creating ? RowOutcome::Kind::kCreated : RowOutcome::Kind::kUpdated;
  outcome.changes = std::move(changes);
  return st;
}

// What the actor may grant and at which rank (access.h), then whether the
// changed scopes still cover the role's users.
Status RoleHandler::check_access(const RowView& row, const Role* existing, const Role& after,
                                 RowIssues& issues) {
  for (GrantDenial& g : check_role_grants(actor_, after)) {
    auto [column, value] = grant_cell(g, dir_);
    add_issue(issues.errors, row.line(), column, value, g.denial.code, std::move(g.denial.detail));
  }
  if (!issues.ok()) return Status::ok();
  const Application* app = dir_.application_by_id(after.application_id);
  if (auto denied = check_role_change(actor_, existing, after,
                                      app ? app->name : std::string(kBackOfficeKey), dir_)) {
    if (denied->at_hierarchy) {
      add_issue(issues.errors, row.line(), col::kHierarchy, std::to_string(after.hierarchy),
                denied->denial.code, std::move(denied->denial.detail));
    } else {
      add_issue(issues.errors, row.line(), col::kName, after.name, denied->denial.code,
                std::move(denied->denial.detail));
    }
    return Status::ok();
  }
  if (existing) {
    auto outside = dir_.user_outside_scope(existing->id, after.sources, after.channels);
    if (!outside.is_ok()) return outside.status();
    if (outside->has_value()) {
      add_issue(
          issues.errors, row.line(), col::kName, existing->name, Code::kRoleScopeInUse,
          fmt::format("would no longer cover its user {}; change that user first", **outside));
      return Status::ok();
    }
  }
  return Status::ok();
}

// A key or a name may not collide with another role's name or key: users files
// name roles by either.
void RoleHandler::check_names(const RowView& row, const RoleRow& in, const Role* existing,
                              RowIssues& issues) {
  int64_t self = existing ? existing->id : 0;
  if (const Role* other = dir_.role_by_key(in.name); other && other->id != self) {
    add_issue(issues.errors, row.line(), col::kName, in.name, Code::kRoleExists,
              fmt::format("is the key of role \"{}\"; choose another name", other->name));
  }
  if (in.key.empty()) return;
  const Role* by_key = dir_.role_by_key(in.key);
  const Role* by_name = dir_.role_by_name(in.key);
  const Role* other = by_key && by_key->id != self     ? by_key
                      : by_name && by_name->id != self ? by_name
                                                       : nullptr;
  if (other) {
    add_issue(
        issues.errors, row.line(), col::kKey, in.key, Code::kRoleKeyTaken,
        fmt::format("is already the key or name of role \"{}\"; keys are unique", other->name));
  }
}

// The role's application: the Application column's key; without the column,
// the stored role's, or the back office for a new role. It never changes.
int64_t RoleHandler::resolve_application(const RowView& row, const RoleRow& in,
                                         const Role* existing, RowIssues& issues) {
  int64_t kept = existing ? existing->application_id : kBackOfficeApplicationId;
  if (!in.application) return kept;
  std::string_view key = in.application->empty() ? kBackOfficeKey : *in.application;
  const Application* app = dir_.application_by_key(key);
  if (app == nullptr) {
    std::vector<std::string> keys;
    for (const Application& a : dir_.applications()) keys.push_back(a.key);
    add_issue(issues.errors, row.line(), col::kApplication, *in.application,
              Code::kApplicationUnknown,
              fmt::format("is not an application of this directory (it has {}); "
                          "`roster applications import` adds the store app and the API",
                          join(keys, ", ")));
    return kept;
  }
  if (existing && app->id != existing->application_id) {
    const Application* stored = dir_.application_by_id(existing->application_id);
    add_issue(issues.errors, row.line(), col::kApplication, *in.application, Code::kRoleExists,
              fmt::format("differs from the application of the existing role \"{}\" ({}); a "
                          "role's application never changes, so give the new role another name",
                          existing->name, stored ? stored->key : "?"));
    return kept;
  }
  return app->id;
}

void RoleHandler::resolve_permissions(const RowView& row, const RoleRow& in, Role& after,
                                      RowIssues& issues) {
  after.permissions.clear();
  std::vector<std::string> wanted = in.permissions;
  if (in.all_permissions) {
    wanted.clear();
    for (const Permission& p : dir_.permissions()) wanted.push_back(p.key);
  }
  std::vector<std::string> keys;
  for (const Permission& p : dir_.permissions()) keys.push_back(p.key);
  for (const std::string& key : wanted) {
    if (!dir_.permission_exists(key)) {
      add_issue(issues.errors, row.line(), col::kPermissions, key, Code::kPermissionUnknown,
                "is not in the permission catalog" +
                    hint_for(key, keys, "; see templates/permissions.csv"));
    } else {
      after.permissions.push_back(key);
    }
  }
  std::sort(after.permissions.begin(), after.permissions.end());
}

Scope RoleHandler::resolve_scope(const RowView& row, bool all, const std::vector<std::string>& ids,
                                 bool channels, RowIssues& issues) {
  std::string_view list_column = channels ? col::kChannels : col::kSources;
  std::string_view all_column = channels ? col::kAllChannels : col::kAllSources;
  Scope scope;
  scope.all = all;
  if (all) {
    if (!ids.empty()) {
      add_issue(issues.warnings, row.line(), list_column, join(ids, ","),
                channels ? Code::kSalesChannelsIgnoredWithAll : Code::kSourcesIgnoredWithAll,
                fmt::format("is ignored: {} is 1", all_column));
    }
    return scope;
  }
  for (const std::string& id : ids) {
    int64_t found = 0;
    if (channels) {
      if (const SalesChannel* c = dir_.channel_by_external_id(id)) found = c->id;
    } else if (const Source* s = dir_.source_by_external_id(id)) {
      found = s->id;
    }
    if (found == 0) {
      add_issue(
          issues.errors, row.line(), list_column, id,
          channels ? Code::kSalesChannelUnknown : Code::kSourceUnknown,
          "is not a known external ID (they are case-sensitive)" +
              hint_for(id, channels ? dir_.channel_external_ids() : dir_.source_external_ids(),
                       ""));
    } else {
      scope.ids.push_back(found);
    }
  }
  std::sort(scope.ids.begin(), scope.ids.end());
  return scope;
}

std::string RoleHandler::scope_text(const Scope& scope, bool channels) const {
  std::vector<std::string> names;
  for (int64_t id : scope.ids) {
    names.push_back(channels ? dir_.channel_by_id(id)->external_id
                             : dir_.source_by_id(id)->external_id);
  }
  std::sort(names.begin(), names.end());
  return join(names, ",");
}

std::vector<FieldChange> RoleHandler::diff(const Role* before, const Role& after) const {
  std::vector<FieldChange> out;
  bool creating = before == nullptr;
  const Role empty;
  const Role& b = before ? *before : empty;
  if (creating) out.push_back({std::string(col::kName), "", after.name});
  // A back-office role's audit entry stays as it was before applications.
  if (creating && after.application_id != kBackOfficeApplicationId) {
    const Application* app = dir_.application_by_id(after.application_id);
    out.push_back({std::string(col::kApplication), "", app ? app->key : ""});
  }
  field(out, creating, col::kKey, b.key, after.key);
  field(out, creating, col::kHierarchy, std::to_string(b.hierarchy),
        std::to_string(after.hierarchy));
  field(out, creating, col::kPermissions, join(b.permissions, ","), join(after.permissions, ","));
  field(out, creating, col::kAllSources, flag_text(b.sources.all), flag_text(after.sources.all));
  field(out, creating, col::kSources, scope_text(b.sources, false),
        scope_text(after.sources, false));
  field(out, creating, col::kAllChannels, flag_text(b.channels.all), flag_text(after.channels.all));
  field(out, creating, col::kChannels, scope_text(b.channels, true),
        scope_text(after.channels, true));
  return out;
}

}  // namespace

std::unique_ptr<RowHandler> make_role_handler(Directory& dir, const Actor& actor,
                                              const JobContext& context) {
  return std::make_unique<RoleHandler>(dir, actor, context);
}

}  // namespace roster
