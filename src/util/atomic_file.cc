#include "util/atomic_file.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <iostream>
#include <random>

namespace roster {
namespace {

Status io_error(std::string_view what, const std::string& path, int err) {
  return Status::database(fmt::format("cannot {} \"{}\": {}", what, path, std::strerror(err)));
}

// A file that cannot be created where it was asked for (no such folder, no
// permission, a read-only file system) is the command line's mistake: a usage
// error (exit 2) naming the path as given, never the temporary name. Anything
// else (no space, an I/O error) is the storage failing (exit 5).
Status create_error(const std::string& path, int err) {
  if (err == ENOENT || err == ENOTDIR || err == EACCES || err == EROFS || err == EISDIR) {
    return Status::usage(fmt::format("cannot write \"{}\": {}", path, std::strerror(err)));
  }
  return io_error("create", path, err);
}

}  // namespace

Result<std::unique_ptr<AtomicFile>> AtomicFile::create(const std::string& path,
                                                       std::ostream* standard_output) {
  if (path == "-") {
    return std::unique_ptr<AtomicFile>(
        new AtomicFile(path, "", nullptr, standard_output ? standard_output : &std::cout));
  }
  std::random_device rd;
  for (int attempt = 0; attempt < 16; ++attempt) {
    std::string temp = fmt::format("{}.tmp-{}-{:08x}", path, ::getpid(), rd());
    int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
    if (fd < 0 && errno == EEXIST) continue;
    if (fd < 0) return create_error(path, errno);
    std::FILE* f = ::fdopen(fd, "w");
    if (f == nullptr) {
      int err = errno;
      ::close(fd);
      ::unlink(temp.c_str());
      return io_error("open", temp, err);
    }
    return std::unique_ptr<AtomicFile>(new AtomicFile(path, temp, f, nullptr));
  }
  return Status::database(fmt::format("cannot create a temporary file beside \"{}\"", path));
}

AtomicFile::AtomicFile(std::string path, std::string temp, std::FILE* file, std::ostream* stream)
    : path_(std::move(path)), temp_(std::move(temp)), file_(file), stream_(stream) {}

AtomicFile::~AtomicFile() {
  if (temp_.empty() || committed_) return;
  std::fclose(file_);
  ::unlink(temp_.c_str());
}

void AtomicFile::write(std::string_view data) {
  if (error_ != 0 || data.empty()) return;
  if (stream_ != nullptr) {
    stream_->write(data.data(), static_cast<std::streamsize>(data.size()));
    if (!*stream_) error_ = EIO;
    return;
  }
  if (std::fwrite(data.data(), 1, data.size(), file_) != data.size()) {
    error_ = errno != 0 ? errno : EIO;
  }
}

Status AtomicFile::sync() {
  if (stream_ != nullptr) {
    stream_->flush();
    if (error_ == 0 && !*stream_) error_ = EIO;
  } else if (error_ == 0 && (std::fflush(file_) != 0 || ::fsync(::fileno(file_)) != 0)) {
    error_ = errno != 0 ? errno : EIO;
  }
  if (error_ != 0) return io_error("write", stream_ ? "standard output" : path_, error_);
  return Status::ok();
}

Status AtomicFile::commit() {
  Status st = sync();
  committed_ = true;
  if (stream_ != nullptr) return st;
  // The FILE is closed either way; the temporary goes unless it was renamed.
  if (std::fclose(file_) != 0 && st.is_ok()) st = io_error("write", path_, errno);
  if (st.is_ok() && ::rename(temp_.c_str(), path_.c_str()) != 0) {
    st = io_error("write", path_, errno);
  }
  if (!st.is_ok()) ::unlink(temp_.c_str());
  return st;
}

Status write_file_atomically(const std::string& path, std::string_view data,
                             std::ostream* standard_output) {
  auto file = AtomicFile::create(path, standard_output);
  if (!file.is_ok()) return file.status();
  (*file)->write(data);
  return (*file)->commit();
}

}  // namespace roster
