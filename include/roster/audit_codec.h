#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "roster/model.h"
#include "roster/result.h"
#include "roster/store.h"

namespace roster {

// How an audit entry's fields are kept: one JSON object per changed record,
// {"Field": "after"} for a create, else {"Field": ["before", "after"]}, fields
// in the order they changed.

// Writes the object for `changes` into `json` (its memory reused). `action` is
// create, update, enable or disable; only a create has no "before".
void encode_audit_changes(std::string_view action, const std::vector<FieldChange>& changes,
                          std::string& json);

// Calls `fn` once per field of `stored`, through `entry` (reused), with the
// field's own action: within an update, a change of Enabled is an enable or a
// disable. A database Status when the object is damaged.
Status decode_audit(const StoredAudit& stored, AuditEntry& entry,
                    const std::function<void(const AuditEntry&)>& fn);

}  // namespace roster
