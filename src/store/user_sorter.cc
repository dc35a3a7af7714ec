#include "store/user_sorter.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <queue>

#include "roster/text.h"

namespace roster {

namespace {

// An encoded user: u32 length of what follows, then the username (so that a
// comparison reads it in place), the other strings, the integers and the link
// lists. Strings are a u32 length and the bytes; integers are 8 bytes.
void put_u32(std::string& out, uint32_t v) { out.append(reinterpret_cast<const char*>(&v), 4); }
void put_i64(std::string& out, int64_t v) { out.append(reinterpret_cast<const char*>(&v), 8); }
void put_text(std::string& out, std::string_view s) {
  put_u32(out, static_cast<uint32_t>(s.size()));
  out.append(s);
}
void put_ids(std::string& out, const std::vector<int64_t>& ids) {
  put_u32(out, static_cast<uint32_t>(ids.size()));
  for (int64_t id : ids) put_i64(out, id);
}

void encode(std::string& out, const User& u) {
  size_t start = out.size();
  put_u32(out, 0);  // the length, set below
  put_text(out, u.username);
  put_text(out, u.email);
  put_text(out, u.timezone);
  put_text(out, u.created_at);
  put_text(out, u.created_by);
  put_text(out, u.updated_at);
  put_text(out, u.updated_by);
  put_text(out, u.feed);
  put_text(out, u.start_date);
  put_text(out, u.end_date);
  put_text(out, u.next_change);
  put_i64(out, u.id);
  put_i64(out, u.role_id);
  out += static_cast<char>((u.enabled ? 1 : 0) | (u.all_channels ? 2 : 0) |
                           (u.all_sources ? 4 : 0) | (u.active ? 8 : 0));
  put_ids(out, u.sources);
  put_ids(out, u.channels);
  put_ids(out, u.app_roles);
  uint32_t length = static_cast<uint32_t>(out.size() - start - 4);
  std::memcpy(&out[start], &length, 4);
}

// Reads one encoded user (after its length) into `u`, reusing its memory.
class Decoder {
 public:
  explicit Decoder(const char* p) : p_(p) {}
  uint32_t u32() {
    uint32_t v;
    std::memcpy(&v, p_, 4);
    p_ += 4;
    return v;
  }
  int64_t i64() {
    int64_t v;
    std::memcpy(&v, p_, 8);
    p_ += 8;
    return v;
  }
  void text(std::string& s) {
    uint32_t n = u32();
    s.assign(p_, n);
    p_ += n;
  }
  void ids(std::vector<int64_t>& v) {
    v.resize(u32());
    for (int64_t& id : v) id = i64();
  }
  char byte() { return *p_++; }

 private:
  const char* p_;
};

void decode(const char* record, User& u) {
  Decoder d(record + 4);
  d.text(u.username);
  d.text(u.email);
  d.text(u.timezone);
  d.text(u.created_at);
  d.text(u.created_by);
  d.text(u.updated_at);
  d.text(u.updated_by);
  d.text(u.feed);
  d.text(u.start_date);
  d.text(u.end_date);
  d.text(u.next_change);
  u.id = d.i64();
  u.role_id = d.i64();
  char flags = d.byte();
  u.enabled = (flags & 1) != 0;
  u.all_channels = (flags & 2) != 0;
  u.active = (flags & 8) != 0;
  u.all_sources = (flags & 4) != 0;
  d.ids(u.sources);
  d.ids(u.channels);
  d.ids(u.app_roles);
}

uint32_t record_size(const char* record) {
  uint32_t n;
  std::memcpy(&n, record, 4);
  return n + 4;
}

std::string_view username_of(const char* record) {
  uint32_t n;
  std::memcpy(&n, record + 4, 4);
  return std::string_view(record + 8, n);
}

Status io_error(std::string_view what, const std::string& dir, int err) {
  return Status::database(fmt::format("cannot {} the temporary file that sorts users in \"{}\": {}",
                                      what, dir, std::strerror(err)));
}

// The first 16 bytes of a username, folded as compare_nocase folds them and
// packed big-endian into two integers, zero-padded: comparing keys orders as
// compare_nocase does wherever the first 16 bytes differ (a username holds no
// NUL), and most comparisons of a sort end there.
struct SortKey {
  uint64_t high = 0, low = 0;
  uint32_t offset = 0;
};

SortKey sort_key(std::string_view name, uint32_t offset) {
  SortKey k;
  k.offset = offset;
  for (size_t i = 0; i < 16; ++i) {
    unsigned char c = i < name.size() ? static_cast<unsigned char>(name[i]) : 0;
    if (c >= 'A' && c <= 'Z') c = static_cast<unsigned char>(c - 'A' + 'a');
    uint64_t& half = i < 8 ? k.high : k.low;
    half = half << 8 | c;
  }
  return k;
}

}  // namespace

// One sorted run of the temporary file, read forward through a buffer that
// always holds the whole of the current record.
class UserSorter::RunReader {
 public:
  RunReader(int fd, Run run) : fd_(fd), pos_(run.begin), end_(run.end) {}

  // Makes the next record current; false at the end of the run or on a read
  // error (then error() is non-zero).
  bool next() {
    start_ += size_;
    size_ = 0;
    if (file_offset() >= end_) return false;
    if (!fill(4)) return false;
    uint32_t n = record_size(buffer_.data() + start_);
    if (!fill(n)) return false;
    size_ = n;
    return true;
  }
  const char* record() const { return buffer_.data() + start_; }
  int error() const { return error_; }

 private:
  // The file offset of buffer_[start_].
  uint64_t file_offset() const { return pos_ - (filled_ - start_); }

  // Ensures `n` bytes from start_ are in the buffer.
  bool fill(size_t n) {
    if (filled_ - start_ >= n) return true;
    // Move the partial record to the front, then read as much as fits.
    std::memmove(buffer_.data(), buffer_.data() + start_, filled_ - start_);
    filled_ -= start_;
    start_ = 0;
    if (buffer_.size() < n) buffer_.resize(n);
    while (filled_ < n) {
      size_t want = std::min<uint64_t>(buffer_.size() - filled_, end_ - pos_);
      if (want == 0) {
        error_ = EIO;  // the run ends inside a record: the file was cut short
        return false;
      }
      ssize_t got = ::pread(fd_, buffer_.data() + filled_, want, static_cast<off_t>(pos_));
      if (got < 0 && errno == EINTR) continue;
      if (got <= 0) {
        error_ = got < 0 ? errno : EIO;
        return false;
      }
      filled_ += static_cast<size_t>(got);
      pos_ += static_cast<uint64_t>(got);
    }
    return true;
  }

  int fd_;
  uint64_t pos_;  // the file offset just past what is in the buffer
  uint64_t end_;
  std::vector<char> buffer_ = std::vector<char>(size_t{256} << 10);
  size_t start_ = 0;   // the current record's first byte in buffer_
  size_t size_ = 0;    // and its size (0 before the first)
  size_t filled_ = 0;  // bytes of buffer_ in use
  int error_ = 0;
};

UserSorter::UserSorter(size_t run_bytes) : run_bytes_(run_bytes) {}

UserSorter::~UserSorter() {
  if (spiller_.joinable()) spiller_.join();
  if (fd_ >= 0) ::close(fd_);
}

Status UserSorter::add(const User& user) {
  buffer_.offsets.push_back(static_cast<uint32_t>(buffer_.bytes.size()));
  encode(buffer_.bytes, user);
  if (buffer_.bytes.size() >= run_bytes_) return spill();
  return Status::ok();
}

void UserSorter::sort_buffer(Buffer& buffer) {
  const char* base = buffer.bytes.data();
  std::vector<SortKey> keys;
  keys.reserve(buffer.offsets.size());
  for (uint32_t off : buffer.offsets) keys.push_back(sort_key(username_of(base + off), off));
  std::sort(keys.begin(), keys.end(), [base](const SortKey& a, const SortKey& b) {
    if (a.high != b.high) return a.high < b.high;
    if (a.low != b.low) return a.low < b.low;
    return compare_nocase(username_of(base + a.offset), username_of(base + b.offset)) < 0;
  });
  for (size_t i = 0; i < keys.size(); ++i) buffer.offsets[i] = keys[i].offset;
}

Status UserSorter::write_file(std::string_view bytes) {
  while (!bytes.empty()) {
    ssize_t n = ::pwrite(fd_, bytes.data(), bytes.size(), static_cast<off_t>(file_size_));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return io_error("write", tmp_dir_, errno);
    bytes.remove_prefix(static_cast<size_t>(n));
    file_size_ += static_cast<uint64_t>(n);
  }
  return Status::ok();
}

Status UserSorter::open_file() {
  if (fd_ >= 0) return Status::ok();
  const char* env = std::getenv("TMPDIR");
  tmp_dir_ = env != nullptr && *env != '\0' ? env : "/tmp";
  std::string path = tmp_dir_ + "/roster-sort-XXXXXX";
  fd_ = ::mkstemp(path.data());
  if (fd_ < 0) return io_error("create", tmp_dir_, errno);
  ::unlink(path.c_str());  // gone when closed, whatever happens to this process
  return Status::ok();
}

Status UserSorter::spill() {
  if (Status st = open_file(); !st.is_ok()) return st;
  if (Status st = wait_spill(); !st.is_ok()) return st;
  std::swap(buffer_, spilling_);
  spilled_ = true;
  spiller_ = std::thread([this] {
    try {
      spill_status_ = write_run(spilling_);
    } catch (const std::exception& e) {
      spill_status_ = Status::database(fmt::format("sorting users: {}", e.what()));
    }
  });
  return Status::ok();
}

Status UserSorter::wait_spill() {
  if (spiller_.joinable()) spiller_.join();
  return spill_status_;
}

Status UserSorter::write_run(Buffer& buffer) {
  sort_buffer(buffer);
  Run run;
  run.begin = file_size_;
  std::string out;
  out.reserve(size_t{1} << 20);
  for (uint32_t off : buffer.offsets) {
    const char* r = buffer.bytes.data() + off;
    out.append(r, record_size(r));
    if (out.size() >= (size_t{1} << 20)) {
      if (Status st = write_file(out); !st.is_ok()) return st;
      out.clear();
    }
  }
  if (Status st = write_file(out); !st.is_ok()) return st;
  run.end = file_size_;
  runs_.push_back(run);
  buffer.bytes.clear();
  buffer.offsets.clear();
  return Status::ok();
}

Status UserSorter::for_each(const std::function<bool(User&)>& fn) {
  User u;
  if (!spilled_) {
    sort_buffer(buffer_);
    for (uint32_t off : buffer_.offsets) {
      decode(buffer_.bytes.data() + off, u);
      if (!fn(u)) break;
    }
    return Status::ok();
  }
  if (Status st = wait_spill(); !st.is_ok()) return st;
  if (!buffer_.offsets.empty()) {
    if (Status st = write_run(buffer_); !st.is_ok()) return st;
  }
  // The runs' buffers take over the memory of these two.
  buffer_ = Buffer();
  spilling_ = Buffer();

  std::vector<RunReader> readers;
  readers.reserve(runs_.size());
  auto greater = [&readers](size_t a, size_t b) {
    return compare_nocase(username_of(readers[a].record()), username_of(readers[b].record())) > 0;
  };
  std::priority_queue<size_t, std::vector<size_t>, decltype(greater)> heap(greater);
  for (const Run& run : runs_) {
    readers.emplace_back(fd_, run);
    if (readers.back().next()) heap.push(readers.size() - 1);
  }
  for (const RunReader& r : readers) {
    if (r.error() != 0) return io_error("read", tmp_dir_, r.error());
  }
  while (!heap.empty()) {
    size_t i = heap.top();
    heap.pop();
    decode(readers[i].record(), u);
    if (!fn(u)) return Status::ok();
    if (readers[i].next()) {
      heap.push(i);
    } else if (readers[i].error() != 0) {
      return io_error("read", tmp_dir_, readers[i].error());
    }
  }
  return Status::ok();
}

}  // namespace roster
