#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <thread>

#include "roster/csv_input.h"
#include "roster/import_job.h"
#include "roster/row.h"
#include "util/batch_ring.h"

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
    uint64_t consumed = 0;              // the input's bytes_consumed() after it
    bool prefetched = false;            // prefetch() spared handle() work for it
  };

  // Starts reading at once. `input` (its header read) and `handler` must
  // outlive the reader; neither may be used by anyone else until it is gone.
  // With a `snapshot` (which must outlive the reader too), the reading thread
  // also looks rows up ahead in it (RowHandler::prefetch), as many of each
  // batch as keeps the two threads equally busy.
  RowReader(CsvInput& input, const RowHandler& handler, UserSnapshot* snapshot = nullptr);
  ~RowReader();
  RowReader(const RowReader&) = delete;
  RowReader& operator=(const RowReader&) = delete;

  // The next row, or null at the end of the file or when the file must be
  // refused (input.status() says which, once next() has returned null). The
  // row stays valid until the following call. Rethrows an exception of the
  // reading thread, which would be a bug.
  Row* next();
  // When the row next() just returned is the first of a batch: that batch's
  // rows, the returned one first, for a look-ahead; otherwise empty. Valid
  // until next() has returned the batch's last row.
  std::span<const Row> batch_ahead() const;
  // Bytes of the lines handed out so far, for progress.
  uint64_t bytes_consumed() const { return consumed_; }
  // Rows handed out so far that prefetch() found something for.
  uint64_t rows_prefetched() const { return prefetched_; }

 private:
  void read_rows();

  CsvInput& input_;
  const RowHandler& handler_;
  UserSnapshot* snapshot_;
  BatchRing<Row> ring_;
  uint64_t prefetched_ = 0;  // the consuming thread's
  uint64_t consumed_ = 0;    // the consuming thread's
  std::thread thread_;       // last: starts once everything above is built
};

}  // namespace roster
