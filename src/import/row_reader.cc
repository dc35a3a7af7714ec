#include "import/row_reader.h"

#include <algorithm>

namespace roster {
namespace {

// Three batches: one being filled, one being worked, one ready in between, so
// that neither thread waits while the other is busy. 512 rows a batch make the
// hand-over (a lock and a wake-up) rare next to the rows' own work.
constexpr size_t kBatches = 3;
constexpr size_t kBatchRows = 512;

// How many rows of a batch the reading thread looks up ahead (prefetch). It
// starts at half and moves by a step at each hand-over, toward the thread that
// had to wait for the other: up when the reader found every batch still full,
// down when the run's thread had nothing left. When more than three lookups
// of a batch in four spare the run's thread nothing (rows that update users
// nobody has, say), only a few rows of the next batch are tried, to notice
// when that changes.
constexpr size_t kShareStep = kBatchRows / 16;
constexpr size_t kProbeRows = kBatchRows / 32;

// Whether row `i` of batch `batch` is one of about `share` rows of it, picked
// by a hash: an even spread would fall in step with files whose rows alternate
// (an existing user, then a new one), and try only one kind.
bool in_share(uint64_t batch, size_t i, size_t share) {
  uint64_t h = (batch * kBatchRows + i) * 0x9E3779B97F4A7C15ull;
  return (h >> 32) % kBatchRows < share;
}

}  // namespace

RowReader::RowReader(CsvInput& input, const RowHandler& handler, UserSnapshot* snapshot)
    : input_(input), handler_(handler), snapshot_(snapshot), ring_(kBatches, kBatchRows) {
  ring_.for_each_item([&](Row& row) { row.parsed = handler.make_parsed(); });
  thread_ = std::thread([this] { read_rows(); });
}

RowReader::~RowReader() {
  ring_.stop();
  thread_.join();
}

void RowReader::read_rows() {
  size_t share = kBatchRows / 2;
  bool useful = true;
  uint64_t batches = 0;
  try {
    bool waited = false;
    while (BatchRing<Row>::Batch* batch = ring_.acquire(&waited)) {
      if (waited) share = std::min(kBatchRows, share + kShareStep);
      size_t tries = useful ? share : std::min(share, kProbeRows);
      size_t tried = 0, found = 0;
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
        row.prefetched = false;
        if (row.well_formed && row.parsed) {
          handler_.parse(RowView(row.raw, input_), *row.parsed, row.issues);
          if (snapshot_ != nullptr && in_share(batches, batch->count, tries)) {
            ++tried;
            row.prefetched = handler_.prefetch(*snapshot_, *row.parsed);
            if (row.prefetched) ++found;
          }
        }
        row.consumed = input_.bytes_consumed();
        ++batch->count;
      }
      if (tried > 0) useful = found * 4 >= tried;
      ++batches;
      bool last = batch->last;
      if (ring_.publish() && share >= kShareStep) share -= kShareStep;
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
  if (row != nullptr) {
    consumed_ = row->consumed;
    if (row->prefetched) ++prefetched_;
  }
  return row;
}

}  // namespace roster
