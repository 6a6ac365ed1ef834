#pragma once
// The timing rules of a channel (docs/semantics.md, "Channels"), once. Every path that moves
// an element or reasons about one calls these: the per-element enqueue and dequeue
// (channel_state.hpp), the bulk moves (bulk.hpp), select (select.hpp) and the stall resolver
// (stall.cpp). A change to a rule is an edit here.
//
// Names: t is the sender's clock when it issues a write, t' its clock after the credit wait,
// f the time a dequeue frees its slot, L the latency, R the response latency. The clocks of
// contexts that still act are finite and far from 2^64, so the rules of a write or a dequeue
// add plainly (on the per-element path a saturating add costs a cmov each, 2-3% of a
// pipeline); only the lower bounds, built from kNever, saturate.
#include <algorithm>

#include "dfsim/engine/cycle.hpp"

namespace dfsim::detail::rules {

// Step 1, credit: enqueue k of a channel of capacity C needs the slot that dequeue k - C
// frees; the sender waits until then (ChannelCore::sender_waits_until: clock = max(t, f)).
// Dequeue: the receiver waits likewise until the element is visible.

// A stamp given as a latency P counts from the clock at issue, before any wait for credit
// (DAM's units read `curr_time = tick()` before they wait, and stamp curr_time + P).
constexpr Cycle stamp_after(Cycle issue_clock, Cycle latency) noexcept {
  return issue_clock + latency;
}

// Step 2: an element is visible at max(stamp, t' + L); with no stamp (0) at t' + L. A wait
// for credit delays a stamped element only when it ends later than stamp - L.
constexpr Cycle visible_time(Cycle stamp, Cycle t_after_credit, Cycle latency) noexcept {
  return std::max(stamp, t_after_credit + latency);
}

// A lower bound of the visible time of anything a sender whose clock is at least t sends
// later (what select and the stall resolver may assume about an empty channel).
constexpr Cycle earliest_visible(Cycle t, Cycle latency) noexcept { return add_cycles(t, latency); }

// A dequeue frees its slot R after the receiver's clock at the dequeue.
constexpr Cycle free_time(Cycle receiver_clock, Cycle response_latency) noexcept {
  return receiver_clock + response_latency;
}

// A lower bound of when the receiver's next dequeue frees its slot, from a lower bound of its
// clock (kNever while nothing is known: saturates, as every bound does).
constexpr Cycle earliest_free(Cycle receiver_clock, Cycle response_latency) noexcept {
  return add_cycles(receiver_clock, response_latency);
}

// Occupancy (docs/semantics.md, "Statistics") counts a slot from its write w to its free f.
// A slot freed at f no longer counts for a write at w >= f: frees come before writes at the
// same cycle.
constexpr bool freed_by(Cycle f, Cycle w) noexcept { return f <= w; }
// With peak p so far, write k raises it (by one) exactly when element k - p was not yet
// freed at the write.
constexpr bool raises_peak(Cycle free_of_k_minus_peak, Cycle written_k) noexcept {
  return !freed_by(free_of_k_minus_peak, written_k);
}

}  // namespace dfsim::detail::rules
