#pragma once
// A growable FIFO of cycles, private to one thread: an unbounded channel's receiver's record
// of the free times its peak occupancy still needs (ChannelState::finish_statistics).
#include <bit>
#include <cstdint>
#include <memory>

#include "dfsim/engine/cycle.hpp"

namespace dfsim::detail {

class CycleQueue {
 public:
  bool empty() const noexcept { return head_ == tail_; }
  Cycle front() const noexcept { return buf_[head_ & mask_]; }
  Cycle at(std::uint64_t i) const noexcept { return buf_[(head_ + i) & mask_]; }  // i < size
  void pop_front() noexcept { ++head_; }
  void push_back(Cycle c) {
    if (tail_ - head_ == size_) grow();
    buf_[tail_++ & mask_] = c;
  }

 private:
  void grow() {
    std::uint64_t size = size_ == 0 ? 8 : size_ * 2;
    // Not zeroed: every slot is written before it is read (zeroing a grown queue of frees was
    // 4% of an unbounded attention run's instructions).
    auto buf = std::make_unique_for_overwrite<Cycle[]>(size);
    for (std::uint64_t i = head_; i != tail_; ++i) buf[i - head_] = buf_[i & mask_];
    tail_ -= head_;
    head_ = 0;
    buf_ = std::move(buf);
    size_ = size;
    mask_ = size - 1;
  }
  std::unique_ptr<Cycle[]> buf_;
  std::uint64_t size_ = 0, mask_ = 0, head_ = 0, tail_ = 0;
};

}  // namespace dfsim::detail
