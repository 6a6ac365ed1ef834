#pragma once
// The two ways a node's behaviour can come from outside the graph layer (e.g. from Python):
// a foreign step function for a Map, Reduce or Scan (the unit keeps its timing: only what a
// step computes is foreign), and a custom node that is a whole context of its own. Nodes with
// a hook cannot be saved to JSON (json.hpp): saving one is an error that names it.
#include <functional>
#include <span>
#include <vector>

#include "dfsim/engine/channel.hpp"
#include "dfsim/engine/context.hpp"
#include "dfsim/engine/process.hpp"
#include "dfsim/graph/value.hpp"

namespace dfsim::graph {

// What one step of a Map, Reduce or Scan sees. Vectors (value.hpp) are borrowed in `inputs`;
// a vector written to `outputs` or `*state` must hold one reference of its own (make it with
// `vectors->make`); a vector state replaced by a new one must be released
// (`vectors->release(old)`).
struct StepArgs {
  std::span<const Value> inputs;           // in the node's input order
  std::span<const ElementType> input_types;
  Value* state = nullptr;                  // Reduce, Scan: the running state, in and out
  ElementType state_type{};
  std::span<Value> outputs;                // Map, Scan: one per output port; Reduce: empty
  std::span<const ElementType> output_types;
  VectorPool* vectors = nullptr;
};

// Called once per step, on the unit's simulation thread (a Python binding takes the GIL in
// it). An exception ends the run as failed, naming the unit and its cycle.
//   Map:    fill args.outputs from args.inputs.
//   Reduce: update *args.state from args.inputs (the state is written at the row's end).
//   Scan:   update *args.state, then fill args.outputs.
// float32 results are rounded to float by the unit, int64 ones are taken as they are.
using ForeignStep = std::function<void(const StepArgs& args)>;

// A custom node's channel ends, in the order of the spec's inputs and outputs (each output
// port's Senders in order, flattened). A popped vector Value holds one reference; pushing one
// hands a reference on (retain first to push the same vector twice).
struct CustomEnds {
  std::vector<Receiver<Value>> inputs;
  std::vector<ElementType> input_types;
  std::vector<Sender<Value>> outputs;
  std::vector<ElementType> output_types;
  VectorPool* vectors = nullptr;
};

// Builds the node's context body: called once, when the graph is built, with the context
// (its name, clock, advance) and the ends, which the returned coroutine must take over.
//
//   spec.nodes.push_back({.name = "merge", .kind = NodeKind::custom, .inputs = {"a", "b"},
//                         .outputs = {{"m"}},
//                         .custom = [](Context& ctx, CustomEnds ends) -> Process {
//                           return merge_body(ctx, std::move(ends));
//                         }});
using CustomBody = std::function<Process(Context& ctx, CustomEnds ends)>;

}  // namespace dfsim::graph
