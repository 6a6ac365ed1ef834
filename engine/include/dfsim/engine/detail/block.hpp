#pragma once
// How an awaiter hands a context back to its worker. Defined with the scheduler.
#include "dfsim/engine/detail/context_core.hpp"

namespace dfsim::detail {

// Called from await_suspend after `ctx.wait` is set: registers the context where it will be
// woken and publishes its clock. The coroutine then suspends unconditionally; a wake that
// races with this is caught by a re-check, and spurious wakes are re-checked by the worker.
void block(ContextCore& ctx) noexcept;

}  // namespace dfsim::detail
