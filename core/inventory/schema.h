#pragma once

#include "inventory/sqlite.h"

namespace mist::schema {

// The newest schema version this build knows. PRAGMA user_version holds the file's version.
int latestVersion();

// Brings the database up to targetVersion (tests stop early to build an old file), each
// step in its own transaction. A file from a newer build is refused rather than touched.
Status migrate(sql::Database &db, int targetVersion = latestVersion());

} // namespace mist::schema
