#pragma once
// Simulated time. Every context owns a local clock; there is no global one.
#include <cstdint>
#include <limits>

// For the per-element path: a call there costs more than the work it does. Not under the
// sanitizers: forced inlining into every await of every coroutine multiplies their
// instrumented code, and their builds are for finding bugs, not for speed.
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define DFSIM_HOT inline
#else
#define DFSIM_HOT [[gnu::always_inline]] inline
#endif

namespace dfsim {

using Cycle = std::uint64_t;

// The clock of a context that has returned: later than any finite time.
inline constexpr Cycle kNever = std::numeric_limits<Cycle>::max();

// Saturating addition: lower bounds built from kNever must stay kNever.
constexpr Cycle add_cycles(Cycle a, Cycle b) noexcept {
  Cycle sum;
  return __builtin_add_overflow(a, b, &sum) ? kNever : sum;  // an add and a cmov
}

}  // namespace dfsim
