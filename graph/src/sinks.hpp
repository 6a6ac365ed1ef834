#pragma once
// The context bodies of a spec's sinks: keep every value, check them against expected values,
// or discard them. Each releases the vectors it dequeues (value.hpp).
#include "dfsim/engine/channel.hpp"
#include "dfsim/engine/context.hpp"
#include "dfsim/engine/process.hpp"
#include "dfsim/graph/build.hpp"

namespace dfsim::graph::detail {

// Dequeues every element as soon as it is visible (units::sink), into `into`.
std::function<Process(Context&, Receiver<Value>)> keep_sink(KeptValues* into, VectorPool* pool);
std::function<Process(Context&, Receiver<Value>)> discard_sink(ElementType type, VectorPool* pool);
// Fails the run at the first value that differs from `expected` by more than
// abs + rel * |expected| (0, 0: exactly), or at a stream of another length.
std::function<Process(Context&, Receiver<Value>)> check_sink(ElementType type, Data expected,
                                                              double abs_tolerance,
                                                              double rel_tolerance, VectorPool* pool);

}  // namespace dfsim::graph::detail
