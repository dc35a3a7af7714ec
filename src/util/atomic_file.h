#pragma once

#include <cstdio>
#include <iosfwd>
#include <memory>
#include <string>
#include <string_view>

#include "roster/result.h"

namespace roster {

// A file that appears whole or not at all. Bytes go to a new temporary file in
// the target's folder, created with O_EXCL | O_NOFOLLOW so that a symlink
// planted at its path is never followed; commit() flushes, fsyncs and renames
// it over the target. Destroying an uncommitted AtomicFile removes the
// temporary. The path "-" writes straight to `standard_output`.
class AtomicFile {
 public:
  static Result<std::unique_ptr<AtomicFile>> create(const std::string& path,
                                                    std::ostream* standard_output = nullptr);
  ~AtomicFile();
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;

  // Buffered; errors surface in sync() or commit().
  void write(std::string_view data);
  // Writes out what is buffered and fsyncs it: after it succeeds, commit() has
  // only the rename left to fail. For work that must not go ahead unless the
  // file will appear (an import commits only once its reports are on disk).
  Status sync();
  Status commit();
  const std::string& path() const { return path_; }

 private:
  AtomicFile(std::string path, std::string temp, std::FILE* file, std::ostream* stream);

  std::string path_;
  std::string temp_;  // empty for standard output
  std::FILE* file_;
  std::ostream* stream_;  // standard output, when path is "-"
  int error_ = 0;         // the errno of the first write that failed
  bool committed_ = false;
};

// Writes `data` to `path` atomically ("-": to `standard_output`).
Status write_file_atomically(const std::string& path, std::string_view data,
                             std::ostream* standard_output = nullptr);

}  // namespace roster
