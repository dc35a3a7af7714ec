#pragma once

#include <memory>
#include <string>

#include "roster/store.h"

namespace roster {

// Opens (or creates, per `options`) the SQLite directory file at `path`; the
// way in to the SQLite store for code that may not include <sqlite3.h>.
Result<std::unique_ptr<Store>> open_sqlite_store(const std::string& path,
                                                 const StoreOptions& options);

}  // namespace roster
