#include "roster/store.h"

#include <fmt/format.h>

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

bool is_postgres_address(std::string_view address) {
  return address.starts_with("postgresql://") || address.starts_with("postgres://");
}

}  // namespace roster
