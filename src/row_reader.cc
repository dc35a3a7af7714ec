#include "row_reader.h"

namespace roster {
namespace {

// Three batches: one being filled, one being worked, one ready in between, so
// that neither thread waits while the other is busy. 512 rows a batch make the
// hand-over (a lock and a wake-up) rare next to the rows' own work.
constexpr size_t kBatches = 3;
constexpr size_t kBatchRows = 512;

}  // namespace

RowReader::RowReader(CsvInput& input, const RowHandler& handler)
    : input_(input), handler_(handler), batches_(kBatches) {
  for (Batch& batch : batches_) {
    batch.rows.resize(kBatchRows);
    for (Row& row : batch.rows) row.parsed = handler.make_parsed();
  }
  thread_ = std::thread([this] { read_batches(); });
}

RowReader::~RowReader() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stop_ = true;
  }
  changed_.notify_all();
  thread_.join();
}

void RowReader::read_batches() {
  size_t fill_at = 0;
  try {
    for (;;) {
      {
        std::unique_lock<std::mutex> lock(mutex_);
        changed_.wait(lock, [&] { return stop_ || ready_ < batches_.size(); });
        if (stop_) return;
      }
      bool more = fill(batches_[fill_at]);
      {
        std::lock_guard<std::mutex> lock(mutex_);
        ++ready_;
      }
      changed_.notify_all();
      if (!more) return;
      fill_at = (fill_at + 1) % batches_.size();
    }
  } catch (...) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      error_ = std::current_exception();
    }
    changed_.notify_all();
  }
}

// Fills `batch` from the input; false when the input has no more rows.
bool RowReader::fill(Batch& batch) {
  batch.count = 0;
  batch.last = false;
  while (batch.count < batch.rows.size()) {
    Row& row = batch.rows[batch.count];
    if (!input_.next(row.raw)) {
      batch.last = true;
      break;
    }
    row.issues.errors.clear();
    row.issues.warnings.clear();
    // A line that could not be split into the header's cells is never guessed at.
    row.well_formed = check_well_formed(row.raw, row.issues);
    if (row.well_formed && row.parsed) {
      handler_.parse(RowView(row.raw, input_), *row.parsed, row.issues);
    }
    ++batch.count;
  }
  batch.consumed = input_.bytes_consumed();
  return !batch.last;
}

RowReader::Row* RowReader::next() {
  while (!done_) {
    if (holding_) {
      Batch& batch = batches_[take_];
      if (pos_ < batch.count) return &batch.rows[pos_++];
      bool last = batch.last;
      {
        std::lock_guard<std::mutex> lock(mutex_);
        --ready_;
      }
      changed_.notify_all();
      holding_ = false;
      take_ = (take_ + 1) % batches_.size();
      pos_ = 0;
      done_ = last;
      continue;
    }
    {
      std::unique_lock<std::mutex> lock(mutex_);
      changed_.wait(lock, [&] { return ready_ > 0 || error_; });
      if (ready_ == 0) std::rethrow_exception(error_);
    }
    holding_ = true;
    consumed_ = batches_[take_].consumed;
  }
  return nullptr;
}

}  // namespace roster
