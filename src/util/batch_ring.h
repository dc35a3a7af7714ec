#pragma once

#include <condition_variable>
#include <cstddef>
#include <exception>
#include <mutex>
#include <vector>

namespace roster {

// Hands items from one producing thread to one consuming thread, a batch at a
// time, through a ring of a few batches whose items are reused: memory stays
// bounded, and the two threads meet only once per batch. The consumer sees the
// items in the order they were produced.
template <typename T>
class BatchRing {
 public:
  struct Batch {
    std::vector<T> items;
    size_t count = 0;   // items filled
    bool last = false;  // nothing follows this batch
  };

  BatchRing(size_t batches, size_t items_per_batch) : batches_(batches) {
    for (Batch& b : batches_) b.items.resize(items_per_batch);
  }

  // Every item of every batch, for setting them up before the threads start.
  template <typename F>
  void for_each_item(F f) {
    for (Batch& b : batches_) {
      for (T& item : b.items) f(item);
    }
  }

  // Producer: waits for a free batch and returns it emptied, or null once the
  // consumer has stopped the ring. `waited` tells whether every batch was
  // still full on the way in: the producer is ahead of the consumer.
  Batch* acquire(bool* waited = nullptr) {
    std::unique_lock<std::mutex> lock(mutex_);
    if (waited != nullptr) *waited = !stopped_ && ready_ == batches_.size();
    changed_.wait(lock, [&] { return stopped_ || ready_ < batches_.size(); });
    if (stopped_) return nullptr;
    Batch& b = batches_[fill_];
    b.count = 0;
    b.last = false;
    return &b;
  }
  // Producer: hands the acquired batch to the consumer. A batch marked last
  // ends the stream; nothing is acquired after it. Returns whether the
  // consumer had nothing left before it: the producer is behind.
  bool publish() {
    bool drained;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      drained = ready_ == 0;
      ++ready_;
    }
    fill_ = (fill_ + 1) % batches_.size();
    changed_.notify_all();
    return drained;
  }
  // Producer: ends the stream with an exception, which next() rethrows.
  void fail(std::exception_ptr error) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      error_ = error;
    }
    changed_.notify_all();
  }

  // Consumer: the next item, or null after the last batch. The item stays
  // valid until the following call.
  T* next() {
    while (!done_) {
      if (holding_) {
        Batch& b = batches_[take_];
        if (pos_ < b.count) return &b.items[pos_++];
        done_ = b.last;
        holding_ = false;
        pos_ = 0;
        take_ = (take_ + 1) % batches_.size();
        {
          std::lock_guard<std::mutex> lock(mutex_);
          --ready_;
        }
        changed_.notify_all();
        continue;
      }
      std::unique_lock<std::mutex> lock(mutex_);
      changed_.wait(lock, [&] { return ready_ > 0 || error_; });
      if (ready_ == 0) std::rethrow_exception(error_);
      holding_ = true;
    }
    return nullptr;
  }
  // Consumer: whether the item next() just returned is the first of its batch,
  // and that batch (valid until next() moves past its last item).
  bool at_batch_start() const { return holding_ && pos_ == 1; }
  const Batch& current_batch() const { return batches_[take_]; }
  // Consumer: stops the producer (acquire() returns null from now on).
  void stop() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      stopped_ = true;
    }
    changed_.notify_all();
  }

 private:
  std::vector<Batch> batches_;
  std::mutex mutex_;
  std::condition_variable changed_;
  size_t ready_ = 0;  // batches published and not yet emptied (guarded)
  bool stopped_ = false;
  std::exception_ptr error_;
  size_t fill_ = 0;  // producer only
  size_t take_ = 0;  // consumer only
  size_t pos_ = 0;
  bool holding_ = false;
  bool done_ = false;
};

}  // namespace roster
