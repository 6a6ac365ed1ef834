#include <iostream>

#include "dfsim/engine.hpp"
#include "dfsim/units.hpp"
using namespace dfsim;

int main() {
  Program g;
  auto [x_out, x_in] = g.channel<int>("x", {.capacity = 2});
  auto [y_out, y_in] = g.channel<int>("y", {.capacity = 2});
  g.add("source", units::memory_source(std::vector{1, 2, 3}), std::move(x_out));
  g.add("double", [](Context& ctx, Receiver<int> in, Sender<int> out) -> Process {
    while (auto v = co_await in.pop()) {
      co_await out.push(2 * *v, PipelineDepth{3});  // a pipelined unit of depth 3
      ctx.advance(1);                               // initiation interval 1
    }
  }, std::move(x_in), std::move(y_out));
  g.add("check", units::check_equal(std::vector{2, 4, 6}), std::move(y_in));
  RunResult r = run(g, {.threads = 1});  // or .threads = 2: the same result
  std::cout << to_string(r.status) << " in " << r.elapsed_cycles << " cycles\n";
  return r.ok() ? 0 : 1;  // check_equal fails the run at a wrong value
}
