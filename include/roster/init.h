#pragma once

#include <string>
#include <vector>

#include "roster/directory.h"
#include "roster/result.h"

namespace roster {

// roster init, as library calls.

// Writes the permission catalog into the directory (insert or update, never a
// delete) in one transaction; returns the schema version it is at.
Result<int> prepare_directory(Directory& dir, const std::vector<Permission>& catalog);

// Checks --admin and --email before anything is opened: both or neither, a
// valid username and e-mail. A usage Status otherwise.
Status check_first_admin(const std::string& admin, const std::string& email);

// On a directory with no user and no Administrator role: the role
// "Administrator" (hierarchy 0, every permission, all scopes) and the user
// `admin` holding it, audited, as a job of kind "init". A usage Status on any
// other directory.
Status create_first_admin(Directory& dir, const std::string& admin, const std::string& email);

}  // namespace roster
