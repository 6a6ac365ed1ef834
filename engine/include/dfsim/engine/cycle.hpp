#pragma once
// Simulated time. Every context owns a local clock; there is no global one.
#include <cstdint>
#include <limits>

// For the per-element path: a call there costs more than the work it does.
#define DFSIM_HOT [[gnu::always_inline]] inline

namespace dfsim {

using Cycle = std::uint64_t;

// The clock of a context that has returned: later than any finite time.
inline constexpr Cycle kNever = std::numeric_limits<Cycle>::max();

// Saturating addition: lower bounds built from kNever must stay kNever.
constexpr Cycle add_cycles(Cycle a, Cycle b) noexcept {
  return a > kNever - b ? kNever : a + b;
}

}  // namespace dfsim
