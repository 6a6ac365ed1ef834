// The calls of docs/observing-a-run.md, each on the same small graph: two sources merged by a
// select into a consumer that takes an element every 4 cycles, so that the merge waits for
// credit and the bound has something to say.
#include <fstream>
#include <iostream>
#include <vector>

#include "dfsim/engine.hpp"
#include "dfsim/units.hpp"
using namespace dfsim;

#include "dfsim/engine/select.hpp"

// Forwards the elements of a and b in the order they become visible.
void add_merge(Program& g, Receiver<int> a_in, Receiver<int> b_in, Sender<int> out) {
  g.add("merge", [](Context&, Receiver<int> a, Receiver<int> b, Sender<int> out) -> Process {
    for (;;) {
      auto i = co_await select(a, b);   // the input whose next element is visible earliest
      if (!i) break;                    // both ended
      auto v = *i == 0 ? co_await a.pop() : co_await b.pop();
      co_await out.push(*v);
    }
  }, std::move(a_in), std::move(b_in), std::move(out));
}

void build(Program& g) {
  auto [a_out, a_in] = g.channel<int>("a", {.capacity = 2});
  auto [b_out, b_in] = g.channel<int>("b", {.capacity = 2});
  auto [m_out, m_in] = g.channel<int>("merged", {.capacity = 2});
  g.add("a_source", units::memory_source(std::vector{1, 2, 3, 4}), std::move(a_out));
  g.add("b_source", units::memory_source(std::vector{10, 20, 30, 40}), std::move(b_out));
  add_merge(g, std::move(a_in), std::move(b_in), std::move(m_out));
  g.add("slow", [](Context& ctx, Receiver<int> in) -> Process {
    while (auto x = co_await in.pop()) ctx.advance(4);
  }, std::move(m_in));
}

#include "dfsim/engine/stall_summary.hpp"

void print_stalls(Program& g) {
  RunResult r = run(g);
  std::cout << find_bound(r).to_string() << "\n";  // out of 34 cycles, slow was busy 32
  std::cout << stall_table(r);   // a row per context: busy, starved (most on), back-pressured (most on)
}

#include "dfsim/engine/run_result_json.hpp"

void print_json(Program& g) {
  RunResult r = run(g);
  std::cout << to_json(r).dump(2) << "\n";      // everything, and "bound"
  nlohmann::json s = stall_summary_json(r);     // {"bound": ..., "contexts": [...]} alone
  nlohmann::json b = to_json(find_bound(r));    // {"kind", "context", "channel", "cycles", "elapsed", "text"}
  std::cout << b["text"] << "\n";
}

#include "dfsim/engine/dot.hpp"

void write_dot(Program& g) {
  std::ofstream("run.dot") << to_dot(run(g));   // then: dot -Tsvg run.dot -o run.svg
}

#include "dfsim/engine/trace.hpp"

void write_trace(Program& g) {
  Tracer tracer({.only = {"merge", "merged"}, .from = 4, .until = 20, .max_events = 200'000});
  RunResult r = run(g, {.tracer = &tracer});
  TraceWriteSummary w = tracer.write_chrome_trace("run.trace.json");
  if (w.truncated()) std::cerr << "cut at cycle " << w.complete_before << "\n";
}

int main() {
  for (void (*show)(Program&) : {print_stalls, print_json, write_dot, write_trace}) {
    Program g;
    build(g);
    show(g);
  }
  return 0;
}
