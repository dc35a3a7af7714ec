// The reference-data exports and the audit trail.

#include "export/scope_text.h"
#include "roster/csv_input.h"
#include "roster/export.h"
#include "roster/text.h"
#include "roster/validate.h"
#include "util/atomic_file.h"

namespace roster {

// Appends the external IDs of sources (or sales channels) `ids` to `out`, sorted
// and comma-separated; `names` is scratch space, reused from call to call.
void append_scope(std::string& out, const Directory& d, const std::vector<int64_t>& ids,
                  bool channels, std::vector<std::string_view>& names) {
  names.clear();
  for (int64_t id : ids) {
    if (channels) {
      if (const SalesChannel* c = d.channel_by_id(id)) names.push_back(c->external_id);
    } else if (const Source* s = d.source_by_id(id)) {
      names.push_back(s->external_id);
    }
  }
  std::sort(names.begin(), names.end());
  for (size_t i = 0; i < names.size(); ++i) {
    if (i > 0) out += ',';
    out += names[i];
  }
}

std::string scope_cell(const Directory& d, const std::vector<int64_t>& ids, bool channels) {
  std::string out;
  std::vector<std::string_view> names;
  append_scope(out, d, ids, channels, names);
  return out;
}

std::string export_reference(const Directory& dir, ImportKind kind) {
  const Directory& d = dir;
  std::string text;
  auto header = [&](const TemplateColumns& cols) { text += csv_line(cols.required); };
  if (kind == ImportKind::kSources) {
    header(source_columns());
    for (const Source* s : d.sources()) {
      text += csv_line({s->external_id, s->name, s->type, s->enabled ? "1" : "0", "Update"});
    }
  } else if (kind == ImportKind::kSalesChannels) {
    header(channel_columns());
    for (const SalesChannel* c : d.channels()) {
      text += csv_line({c->external_id, c->name, "Update"});
    }
  } else if (kind == ImportKind::kApplications) {
    header(application_columns());
    for (const Application& a : d.applications()) text += csv_line({a.key, a.name, "Update"});
  } else {
    // The Application column once a role of another application exists.
    bool app_column = d.other_applications_in_use();
    std::vector<std::string> cols = role_columns().required;
    if (app_column) cols.emplace_back(col::kApplication);
    text += csv_line(cols);
    for (const Role* r : d.roles()) {
      std::vector<std::string> cells = {r->name,
                                        r->key,
                                        std::to_string(r->hierarchy),
                                        join(r->permissions, ","),
                                        r->sources.all ? "1" : "0",
                                        scope_cell(d, r->sources.ids, false),
                                        r->channels.all ? "1" : "0",
                                        scope_cell(d, r->channels.ids, true),
                                        "Update"};
      if (app_column) {
        const Application* app = d.application_by_id(r->application_id);
        cells.push_back(app ? app->key : "");
      }
      text += csv_line(cells);
    }
  }
  return text;
}

Status export_audit(Directory& dir, const AuditFilter& filter, const std::string& out,
                    std::ostream& standard_output) {
  auto file = AtomicFile::create(out.empty() ? "-" : out, &standard_output);
  if (!file.is_ok()) return file.status();
  (*file)->write(csv_line(
      {"Time", "Job", "Actor", "Type", "Target", "Action", "Field", "Before", "After", "Reason"}));
  Status st = dir.for_each_audit(filter, [&](const AuditEntry& e) {
    (*file)->write(csv_line({e.at, std::to_string(e.job_id), e.actor, e.target_type, e.target,
                             e.action, e.change.field, e.change.before, e.change.after, e.reason}));
  });
  if (!st.is_ok()) return st;
  return (*file)->commit();
}

}  // namespace roster
