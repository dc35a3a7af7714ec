#pragma once

#include <condition_variable>
#include <cstdint>
#include <exception>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "roster/csv_input.h"
#include "roster/import_job.h"
#include "roster/row.h"

namespace roster {

// Reads a template file on a thread of its own: each row is read, split, checked
// for shape (ROW_MALFORMED) and put through the handler's checks that need no
// directory, a batch of rows at a time, while the run's thread works the
// directory. On two cores the two stages overlap. Memory is bounded: a few
// batches of rows, reused, whatever the size of the file.
//
// Rows come out in file order, exactly as a loop over input.next() would give
// them. Destroying the reader stops its thread, at any point.
class RowReader {
 public:
  struct Row {
    RawRow raw;
    RowIssues issues;                   // ROW_MALFORMED and the pure checks' issues
    bool well_formed = false;           // false: raw.malformed, nothing else checked
    std::unique_ptr<ParsedRow> parsed;  // what handler.parse() made of it, or null
  };

  // Starts reading at once. `input` (its header read) and `handler` must
  // outlive the reader; neither may be used by anyone else until it is gone.
  RowReader(CsvInput& input, const RowHandler& handler);
  ~RowReader();
  RowReader(const RowReader&) = delete;
  RowReader& operator=(const RowReader&) = delete;

  // The next row, or null at the end of the file or when the file must be
  // refused (input.status() says which, once next() has returned null). The
  // row stays valid until the following call. Rethrows an exception of the
  // reading thread, which would be a bug.
  Row* next();
  // Bytes of the lines handed out so far, for progress.
  uint64_t bytes_consumed() const { return consumed_; }

 private:
  struct Batch {
    std::vector<Row> rows;
    size_t count = 0;       // rows filled
    uint64_t consumed = 0;  // the input's bytes_consumed() after the last of them
    bool last = false;      // nothing follows this batch
  };
  void read_batches();
  bool fill(Batch& batch);

  CsvInput& input_;
  const RowHandler& handler_;
  std::vector<Batch> batches_;  // a ring: the reader fills, next() empties

  std::mutex mutex_;
  std::condition_variable changed_;
  size_t ready_ = 0;   // batches filled and not yet handed back (guarded)
  bool stop_ = false;  // guarded
  std::exception_ptr error_;

  // Only the consuming thread touches these.
  size_t take_ = 0;       // the batch next() reads from
  size_t pos_ = 0;        // the next row in it
  bool holding_ = false;  // next() is inside batch take_
  bool done_ = false;
  uint64_t consumed_ = 0;

  std::thread thread_;  // last: starts once everything above is built
};

}  // namespace roster
