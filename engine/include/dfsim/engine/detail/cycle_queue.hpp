#pragma once
// A growable FIFO of non-decreasing cycles, private to one thread: an unbounded channel's
// receiver's record of the free times its peak occupancy still needs
// (ChannelState::finish_statistics). It holds as many values as the peak (in simulated time),
// which the pacing of a sender does not bound: half of N^2 in an unbounded attention graph.
// Kept as 8 bytes a value, that record was 60% of such a run's time, in page faults and the
// copies of its growth (perf, reordered-stable N = 1,024). A receiver frees at a steady
// rate, so the values are stored as runs of equal steps: a steady stream is one run, and no
// sequence takes more than 16 bytes a value.
#include <bit>
#include <cstdint>
#include <memory>

#include "dfsim/engine/cycle.hpp"

namespace dfsim::detail {

class CycleQueue {
 public:
  bool empty() const noexcept { return size_ == 0; }
  std::uint64_t size() const noexcept { return size_; }
  // Precondition: !empty().
  Cycle front() const noexcept { return front_; }
  void pop_front() noexcept {
    if (--size_ == 0) return;
    Run& run = runs_[head_ & mask_];
    front_ += run.step;
    if (--run.count == 0) ++head_;
  }
  // Precondition: c >= the last value pushed.
  void push_back(Cycle c) {
    if (size_++ == 0) {
      front_ = back_ = c;
      return;
    }
    const Cycle step = c - back_;
    back_ = c;
    if (head_ != tail_) {
      Run& last = runs_[(tail_ - 1) & mask_];
      if (last.step == step) {
        ++last.count;
        return;
      }
    }
    if (tail_ - head_ == capacity_) grow();
    runs_[tail_++ & mask_] = Run{step, 1};
  }

 private:
  // `count` values, each `step` after the one before it (the first after the run before).
  struct Run {
    Cycle step;
    std::uint64_t count;
  };
  void grow() {
    const std::uint64_t capacity = capacity_ == 0 ? 8 : capacity_ * 2;
    auto runs = std::make_unique_for_overwrite<Run[]>(capacity);
    for (std::uint64_t i = head_; i != tail_; ++i) runs[i - head_] = runs_[i & mask_];
    tail_ -= head_;
    head_ = 0;
    runs_ = std::move(runs);
    capacity_ = capacity;
    mask_ = capacity - 1;
  }
  std::unique_ptr<Run[]> runs_;
  std::uint64_t capacity_ = 0, mask_ = 0, head_ = 0, tail_ = 0;
  std::uint64_t size_ = 0;  // values: the front, and the sum of the runs' counts
  Cycle front_ = 0, back_ = 0;
};

}  // namespace dfsim::detail
