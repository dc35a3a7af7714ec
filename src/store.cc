#include "roster/store.h"

#include "pg_store.h"
#include "sqlite_store.h"

namespace roster {

bool is_postgres_address(std::string_view address) {
  return address.starts_with("postgresql://") || address.starts_with("postgres://");
}

Result<std::unique_ptr<Store>> open_store(const std::string& address, const StoreOptions& options) {
  if (is_postgres_address(address)) {
    auto pg = PgStore::open(address, options);
    if (!pg.is_ok()) return pg.status();
    return std::unique_ptr<Store>(std::move(*pg));
  }
  auto sqlite = SqliteStore::open(address, options);
  if (!sqlite.is_ok()) return sqlite.status();
  return std::unique_ptr<Store>(std::move(*sqlite));
}

}  // namespace roster
