#pragma once

#include <memory>
#include <string>

#include "roster/store.h"

namespace roster {

// Connects to the PostgreSQL directory at `uri`; the way in to the PostgreSQL
// store for code that may not include <libpq-fe.h>.
Result<std::unique_ptr<Store>> open_pg_store(const std::string& uri, const StoreOptions& options);

}  // namespace roster
