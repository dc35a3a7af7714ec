#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "roster/model.h"
#include "roster/result.h"

namespace roster {

// Orders users by username as the stores' case-insensitive username index does
// (ASCII letters folded, then byte order, a prefix first), for a scan that reads
// them in storage order: in memory up to `run_bytes` of encoded users, and
// beyond that in sorted runs appended to one unlinked temporary file
// ($TMPDIR, else /tmp), merged at the end. A full buffer is sorted and written
// by a thread of the sorter's own while add() fills a second one, so the scan
// waits for neither. Memory stays near twice `run_bytes` plus a small buffer
// per run, whatever the number of users.
//
//   UserSorter sorter;
//   for (each user u in storage order) sorter.add(u);
//   sorter.for_each([](User& u) { ...; return true; });
class UserSorter {
 public:
  explicit UserSorter(size_t run_bytes = size_t{12} << 20);
  ~UserSorter();
  UserSorter(const UserSorter&) = delete;
  UserSorter& operator=(const UserSorter&) = delete;

  Status add(const User& user);
  // Hands every user added to `fn` in username order, until `fn` returns false.
  // Call once, after the last add().
  Status for_each(const std::function<bool(User&)>& fn);

  // How many sorted runs went to the temporary file (0: all fit in memory).
  // After for_each().
  size_t spilled_runs() const { return runs_.size(); }

 private:
  struct Run {
    uint64_t begin = 0;
    uint64_t end = 0;
  };
  struct Buffer {
    std::string bytes;              // encoded users, one after another
    std::vector<uint32_t> offsets;  // where each one starts in bytes
  };
  class RunReader;

  static void sort_buffer(Buffer& buffer);
  Status open_file();
  // Hands buffer_ to the spilling thread, once the previous run is written.
  Status spill();
  // Waits for the spilling thread: the Status of the runs it wrote.
  Status wait_spill();
  // Sorts `buffer`, appends it to the file as a run and empties it.
  Status write_run(Buffer& buffer);
  Status write_file(std::string_view bytes);

  size_t run_bytes_;
  Buffer buffer_;    // filled by add()
  Buffer spilling_;  // sorted and written by spiller_
  std::thread spiller_;
  Status spill_status_;
  bool spilled_ = false;  // a run was handed to spiller_
  // The file and its runs: the spilling thread's while it runs.
  int fd_ = -1;
  std::string tmp_dir_;
  uint64_t file_size_ = 0;
  std::vector<Run> runs_;
};

}  // namespace roster
