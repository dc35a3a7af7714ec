#pragma once

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <ostream>

#include "roster/csv_input.h"
#include "roster/import_job.h"

namespace roster {

// A live line on a terminal: rows, rows per second, share of the bytes, ETA.
class ProgressLine {
 public:
  ProgressLine(std::ostream* out, const CsvInput& input)
      : out_(input.total_bytes() > kProgressMinBytes ? out : nullptr), input_(input) {}
  ~ProgressLine() {
    if (drawn_) *out_ << "\r\033[K" << std::flush;
  }
  void update(int64_t rows, uint64_t bytes_consumed) {
    if (out_ == nullptr || rows % 4096 != 0) return;
    auto now = std::chrono::steady_clock::now();
    if (drawn_ && now - last_ < std::chrono::milliseconds(500)) return;
    last_ = now;
    double seconds = std::chrono::duration<double>(now - start_).count();
    double share = static_cast<double>(bytes_consumed) / static_cast<double>(input_.total_bytes());
    share = std::min(share, 1.0);
    double rate = seconds > 0 ? static_cast<double>(rows) / seconds : 0;
    double eta = share > 0 ? seconds * (1 - share) / share : 0;
    *out_ << fmt::format("\r\033[K{} rows, {:.0f} rows/s, {:.0f}% read, ETA {:.0f} s", rows, rate,
                         share * 100, eta)
          << std::flush;
    drawn_ = true;
  }

 private:
  std::ostream* out_;
  const CsvInput& input_;
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
  std::chrono::steady_clock::time_point last_;
  bool drawn_ = false;
};

}  // namespace roster
