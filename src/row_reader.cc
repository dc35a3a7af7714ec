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
    : input_(input), handler_(handler), ring_(kBatches, kBatchRows) {
  ring_.for_each_item([&](Row& row) { row.parsed = handler.make_parsed(); });
  thread_ = std::thread([this] { read_rows(); });
}

RowReader::~RowReader() {
  ring_.stop();
  thread_.join();
}

void RowReader::read_rows() {
  try {
    while (BatchRing<Row>::Batch* batch = ring_.acquire()) {
      while (batch->count < batch->items.size()) {
        Row& row = batch->items[batch->count];
        if (!input_.next(row.raw)) {
          batch->last = true;
          break;
        }
        row.issues.errors.clear();
        row.issues.warnings.clear();
        // A line that could not be split into the header's cells is never guessed at.
        row.well_formed = check_well_formed(row.raw, row.issues);
        if (row.well_formed && row.parsed) {
          handler_.parse(RowView(row.raw, input_), *row.parsed, row.issues);
        }
        row.consumed = input_.bytes_consumed();
        ++batch->count;
      }
      bool last = batch->last;
      ring_.publish();
      if (last) return;
    }
  } catch (...) {
    ring_.fail(std::current_exception());
  }
}

std::span<const RowReader::Row> RowReader::batch_ahead() const {
  if (!ring_.at_batch_start()) return {};
  const auto& batch = ring_.current_batch();
  return {batch.items.data(), batch.count};
}

RowReader::Row* RowReader::next() {
  Row* row = ring_.next();
  if (row != nullptr) consumed_ = row->consumed;
  return row;
}

}  // namespace roster
