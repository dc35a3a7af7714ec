#include "roster/audit_codec.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

namespace roster {

namespace {

// Appends `v` as a JSON string. Written by hand because this runs once per
// changed record; nlohmann::json reads the entries back.
void append_json_string(std::string& out, std::string_view v) {
  out += '"';
  // Runs of plain characters go in whole; only the rare escapes one by one.
  size_t plain = 0;
  for (size_t i = 0; i < v.size(); ++i) {
    auto c = static_cast<unsigned char>(v[i]);
    if (c != '"' && c != '\\' && c >= 0x20) continue;
    out.append(v, plain, i - plain);
    plain = i + 1;
    if (c < 0x20) {
      out += fmt::format("\\u{:04x}", c);
    } else {
      out += '\\';
      out += v[i];
    }
  }
  out.append(v, plain);
  out += '"';
}

}  // namespace

void encode_audit_changes(std::string_view action, const std::vector<FieldChange>& changes,
                          std::string& json) {
  // clear() and a char, not `= "{"`: GCC 12 reports a false -Wrestrict for
  // assigning a literal to a reused string once this is inlined.
  json.clear();
  json += '{';
  bool create = action == "create";
  for (const FieldChange& c : changes) {
    if (json.size() > 1) json += ',';
    append_json_string(json, c.field);
    json += ':';
    if (create) {  // a creation has no "before"
      append_json_string(json, c.after);
    } else {
      json += '[';
      append_json_string(json, c.before);
      json += ',';
      append_json_string(json, c.after);
      json += ']';
    }
  }
  json += '}';
}

Status decode_audit(const StoredAudit& stored, AuditEntry& e,
                    const std::function<void(const AuditEntry&)>& fn) {
  e.job_id = stored.job_id;
  e.at = stored.at;
  e.actor = stored.actor;
  e.target_type = stored.target_type;
  e.target = stored.target;
  e.reason = stored.reason;
  const std::string& action = stored.action;
  // Ordered: the fields come back in the order they were written.
  auto fields = nlohmann::ordered_json::parse(stored.changes, nullptr, false);
  if (!fields.is_object()) {
    return Status::database("the audit entry of " + e.target + " is damaged");
  }
  for (const auto& [field, value] : fields.items()) {
    if (value.is_string()) {
      e.change = {field, "", value.get<std::string>()};
    } else if (value.is_array() && value.size() == 2 && value[0].is_string() &&
               value[1].is_string()) {
      e.change = {field, value[0].get<std::string>(), value[1].get<std::string>()};
    } else {
      return Status::database("the audit entry of " + e.target + " is damaged");
    }
    // Within an update, only the Enabled field is an enable or a disable;
    // the others keep their action (a lifecycle's activate and expire too).
    e.action = action == "create" || action == "claim" || action == "release" ||
                       action == "activate" || action == "expire"
                   ? action
               : e.change.field == "Enabled" && e.change.after == "0" ? "disable"
               : e.change.field == "Enabled" && e.change.after == "1" ? "enable"
                                                                      : "update";
    fn(e);
  }
  return Status::ok();
}

}  // namespace roster
