#pragma once
// A growable FIFO of cycles, private to one thread: the receiver's record of free times not
// yet matched against writes (see ChannelState::account_free).
#include <bit>
#include <cstdint>
#include <memory>

#include "dfsim/engine/cycle.hpp"

namespace dfsim::detail {

class CycleQueue {
 public:
  bool empty() const noexcept { return head_ == tail_; }
  Cycle front() const noexcept { return buf_[head_ & mask_]; }
  void pop_front() noexcept { ++head_; }
  void push_back(Cycle c) {
    if (tail_ - head_ == size_) grow();
    buf_[tail_++ & mask_] = c;
  }

 private:
  void grow() {
    std::uint64_t size = size_ == 0 ? 8 : size_ * 2;
    auto buf = std::make_unique<Cycle[]>(size);
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
