#include "roster/store.h"

#include <fmt/format.h>

#include <algorithm>

#include "store/decode.h"

namespace roster {

Status refuse_newer_schema(const std::string& address, int version) {
  if (version <= kSchemaVersion) return Status::ok();
  return Status::database(
      fmt::format("database \"{}\" has schema version {}, made by a newer roster (this one knows "
                  "up to {}); upgrade roster",
                  address, version, kSchemaVersion));
}

Result<bool> ImportAccelerator::insert_user_if_free(User& user) {
  User other;
  auto named = store_.find_user(user.username, other);
  if (!named.is_ok()) return named.status();
  if (*named) return false;
  if (!user.email.empty()) {
    auto owner = store_.email_owner(user.email);
    if (!owner.is_ok()) return owner.status();
    if (owner->has_value()) return false;
  }
  Status st = store_.insert_user(user);
  if (!st.is_ok()) return st;
  return true;
}

Status migrate_in_steps(Store& store, const SchemaSteps& steps, int target,
                        const std::vector<Permission>* catalog) {
  Status st = store.begin();
  if (!st.is_ok()) return st;
  Result<int> version = steps.version();
  if (!version.is_ok()) st = version.status();
  for (int v = st.is_ok() ? *version : target; st.is_ok() && v < target;) {
    Result<int> next = steps.step(v);
    if (next.is_ok()) {
      v = *next;
    } else {
      st = next.status();
    }
  }
  if (st.is_ok() && steps.check) st = steps.check();
  for (size_t i = 0; st.is_ok() && catalog != nullptr && i < catalog->size(); ++i) {
    st = store.upsert_permission((*catalog)[i]);
  }
  if (!st.is_ok()) {
    store.rollback();
    return st;
  }
  return store.commit();
}

void parse_id_list(std::string_view text, std::vector<int64_t>& out) {
  out.clear();
  int64_t v = 0;
  bool any = false;
  for (size_t i = 0; i <= text.size(); ++i) {
    if (i < text.size() && text[i] >= '0' && text[i] <= '9') {
      v = v * 10 + (text[i] - '0');
      any = true;
    } else {
      if (any) out.push_back(v);
      v = 0;
      any = false;
    }
  }
  std::sort(out.begin(), out.end());
}

bool is_postgres_address(std::string_view address) {
  return address.starts_with("postgresql://") || address.starts_with("postgres://");
}

}  // namespace roster
