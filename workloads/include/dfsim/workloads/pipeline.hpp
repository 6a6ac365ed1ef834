#pragma once
// The linear pipeline of the engine's demonstration and speed benchmark: a source of T
// values, K stages that each add 1 (latency L, one element per cycle), a checking sink.
#include <cstdint>
#include <string>

#include "dfsim/engine.hpp"
#include "dfsim/units.hpp"

namespace dfsim::workloads {

struct PipelineOptions {
  std::uint64_t elements = 1000;
  unsigned stages = 8;
  std::optional<std::uint64_t> capacity = 2;  // nullopt: unbounded
  Cycle latency = 1;                          // of each stage
};

// A stage: accepts one value per cycle, emits value + 1 after `latency` cycles.
inline auto add_one(Cycle latency) {
  return units::map([](std::int64_t v) { return v + 1; }, {.timing = {.latency = latency}});
}

// Checks that value i arrives as i + stages; fails the run otherwise.
inline auto expect_offset(std::int64_t offset, std::uint64_t count) {
  return [offset, count](Context& ctx, Receiver<std::int64_t> in) -> Process {
    std::int64_t i = 0;
    auto check = [&i, offset](std::int64_t v) {
      if (v != i + offset)
        throw std::runtime_error("element " + std::to_string(i) + ": expected " +
                                 std::to_string(i + offset) + ", got " + std::to_string(v));
      ++i;
    };
    for (;;) {
      const bool more = co_await in.wait();
      if (!more) break;
      if (pop_ready(ctx, in, check, 0) > 0) continue;
      check(*co_await in.pop());
    }
    if (static_cast<std::uint64_t>(i) != count)
      throw std::runtime_error("received " + std::to_string(i) + " of " + std::to_string(count) +
                               " elements");
  };
}

// "prefix" followed by the index. (Not "literal" + std::to_string(i): g++ 12 warns falsely
// about it under -O2, GCC bug 105329.)
inline std::string indexed(std::string prefix, std::uint64_t index) {
  prefix += std::to_string(index);
  return prefix;
}

// Channels "c0" (source to stage 0) .. "c<K>" (last stage to sink); contexts "source",
// "stage0" .. "stage<K-1>", "sink".
inline void build_pipeline(Program& g, const PipelineOptions& o) {
  ChannelOptions ch{.capacity = o.capacity};
  auto [src_out, next_in] = g.channel<std::int64_t>("c0", ch);
  g.add("source", units::index_source(o.elements, [](std::uint64_t i) { return static_cast<std::int64_t>(i); }),
        std::move(src_out));
  for (unsigned k = 0; k < o.stages; ++k) {
    auto [out, in] = g.channel<std::int64_t>(indexed("c", k + 1), ch);
    g.add(indexed("stage", k), add_one(o.latency), std::move(next_in), std::move(out));
    next_in = std::move(in);
  }
  g.add("sink", expect_offset(o.stages, o.elements), std::move(next_in));
}

// T elements through each of the K + 1 channels, at the slowest speed measured for the
// channels' kind (Release, one thread, a 2-core x86 machine busy with builds, T = 2,000,000,
// K = 1 to 64): 64 to 203 M elements/s at capacity 2 to 8, 28 to 58 M/s at capacity 1 or
// unbounded, where every element switches contexts or the buffers grow.
inline WorkEstimate pipeline_work(const PipelineOptions& o) {
  const bool fast = o.capacity && *o.capacity >= 2;
  return {.elements = static_cast<double>(o.elements) * (static_cast<double>(o.stages) + 1),
          .elements_per_second = fast ? 60e6 : 25e6};
}

}  // namespace dfsim::workloads
