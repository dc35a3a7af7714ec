#pragma once

#include <memory>

#include "roster/import_job.h"

namespace roster {

// The row handler of a template, for one run.
std::unique_ptr<RowHandler> make_handler(ImportKind kind, Directory& dir, const Actor& actor,
                                         const JobContext& context);
// The columns of a template.
const TemplateColumns& columns_of(ImportKind kind);

}  // namespace roster
