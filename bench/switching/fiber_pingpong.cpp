// Competitor 2: stackful fibers (boost::context::fiber, Debian's libboost-context) with a
// minimal ready-queue scheduler of the same shape as the coroutine one: a context that
// cannot proceed records what it waits for and switches away; the other end of the FIFO
// wakes it by queueing it.
//
// Two ways into the next context, as for the coroutines:
//   via_scheduler  block() resumes the loop's fiber, which pops the next ready context
//                  and resumes it: two switches per hand-off.
//   direct         block() switches straight to the next ready context with resume_with,
//                  whose function stores the blocked fiber's continuation on the way.
#include <boost/context/fiber.hpp>
#include <boost/context/fixedsize_stack.hpp>
#include <boost/context/protected_fixedsize_stack.hpp>
#include <boost/context/stack_traits.hpp>

#include <bit>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

#include "common.hpp"

namespace switching::fib {
namespace {

namespace bc = boost::context;

struct Ctx {
  bc::fiber self;  // this context's continuation while it is not running
  bool queued = false;
  bool done = false;
};

template <bool Direct>
struct Scheduler {
  std::deque<Ctx*> ready;
  std::uint64_t switches = 0;
  bc::fiber loop;  // the loop's continuation while a context runs

  void wake(Ctx* c) {
    if (c->queued) return;
    c->queued = true;
    ready.push_back(c);
  }
  Ctx* pop() noexcept {
    if (ready.empty()) return nullptr;
    Ctx* c = ready.front();
    ready.pop_front();
    c->queued = false;
    return c;
  }

  // The loop: resumes ready contexts until none is left.
  void run() {
    while (Ctx* c = pop()) {
      ++switches;
      if constexpr (Direct) {
        // Comes back empty: whoever returns here stored its own continuation.
        (void)std::move(c->self).resume();
      } else {
        c->self = std::move(c->self).resume();
      }
    }
  }

  // Called by context `c` (running) when it must wait; returns when it is resumed.
  void block(Ctx* c) {
    if constexpr (Direct) {
      auto park = [c](bc::fiber&& me) {
        c->self = std::move(me);
        return bc::fiber{};
      };
      bc::fiber from;
      if (Ctx* next = pop()) {
        ++switches;
        from = std::move(next->self).resume_with(park);
      } else {
        from = std::move(loop).resume_with(park);
      }
      // Resumed by the loop: keep its new continuation. By a context: nothing to keep.
      if (from) loop = std::move(from);
    } else {
      loop = std::move(loop).resume();
    }
  }

  // A context running `body()`; it is started by the first resume.
  template <class StackAlloc, class Body>
  void spawn(Ctx* c, StackAlloc salloc, Body body) {
    c->self = bc::fiber(std::allocator_arg, salloc, [this, c, body](bc::fiber&& from) mutable {
      if (from) loop = std::move(from);
      body();
      c->done = true;
      if constexpr (Direct) {
        if (Ctx* next = pop()) {
          ++switches;
          return std::move(next->self);
        }
      }
      return std::move(loop);
    });
  }
};

// A bounded FIFO between one producer and one consumer context. The calls block.
template <bool Direct>
class Fifo {
 public:
  Fifo(Scheduler<Direct>& s, std::uint64_t capacity)
      : sched_(&s), cap_(capacity), mask_(std::bit_ceil(capacity) - 1),
        slots_(std::make_unique<std::uint64_t[]>(mask_ + 1)) {}

  Ctx* producer = nullptr;
  Ctx* consumer = nullptr;

  void push(std::uint64_t v) {
    while (tail_ - head_ >= cap_) {
      waiting_sender_ = producer;
      sched_->block(producer);
    }
    slots_[tail_++ & mask_] = v;
    wake_receiver();
  }
  std::optional<std::uint64_t> pop() {
    while (tail_ == head_ && !closed_) {
      waiting_receiver_ = consumer;
      sched_->block(consumer);
    }
    if (tail_ == head_) return std::nullopt;
    std::uint64_t v = slots_[head_++ & mask_];
    if (Ctx* w = std::exchange(waiting_sender_, nullptr)) sched_->wake(w);
    return v;
  }
  void close() {
    closed_ = true;
    wake_receiver();
  }
  void reset() noexcept {
    head_ = tail_ = 0;
    closed_ = false;
    waiting_sender_ = waiting_receiver_ = nullptr;
  }

 private:
  void wake_receiver() {
    if (Ctx* w = std::exchange(waiting_receiver_, nullptr)) sched_->wake(w);
  }
  Scheduler<Direct>* sched_;
  std::uint64_t cap_, mask_;
  std::unique_ptr<std::uint64_t[]> slots_;
  std::uint64_t head_ = 0, tail_ = 0;
  bool closed_ = false;
  Ctx* waiting_sender_ = nullptr;
  Ctx* waiting_receiver_ = nullptr;
};

// ---- the user code: what a context body looks like in this style ----
template <bool Direct>
void producer(Fifo<Direct>& out, std::uint64_t n) {
  for (std::uint64_t i = 0; i < n; ++i) out.push(i);
  out.close();
}

template <bool Direct>
void consumer(Fifo<Direct>& in, std::uint64_t& sum) {
  while (auto v = in.pop()) sum += *v;
}

template <bool Direct>
void stage(Fifo<Direct>& in, Fifo<Direct>& out) {
  while (auto v = in.pop()) out.push(*v);
  out.close();
}

template <bool Direct>
void BM_Fiber_PingPong(benchmark::State& state) {
  const auto capacity = static_cast<std::uint64_t>(state.range(0));
  std::uint64_t switches = 0, sum = 0;
  for (auto _ : state) {
    Scheduler<Direct> sched;
    Fifo<Direct> fifo(sched, capacity);
    Ctx p, c;
    fifo.producer = &p;
    fifo.consumer = &c;
    sched.spawn(&p, bc::fixedsize_stack(), [&fifo] { producer(fifo, kElements); });
    sched.spawn(&c, bc::fixedsize_stack(), [&fifo, &sum] { consumer(fifo, sum); });
    sched.wake(&p);
    sched.wake(&c);
    sched.run();
    if (!p.done || !c.done) state.SkipWithError("did not finish");
    switches = sched.switches;
  }
  benchmark::DoNotOptimize(sum);
  report_pingpong(state, kElements, switches);
}

// As BM_Coroutine_Chain: a pipeline of N contexts over FIFOs of capacity 1.
template <bool Direct>
void BM_Fiber_Chain(benchmark::State& state) {
  const auto n = static_cast<std::size_t>(state.range(0));
  std::uint64_t switches = 0, sum = 0;
  for (auto _ : state) {
    state.PauseTiming();
    Scheduler<Direct> sched;
    std::vector<std::unique_ptr<Fifo<Direct>>> fifos;
    for (std::size_t i = 0; i + 1 < n; ++i) fifos.push_back(std::make_unique<Fifo<Direct>>(sched, 1));
    std::vector<Ctx> ctxs(n);
    for (std::size_t i = 0; i < n; ++i) {
      if (i + 1 < n) fifos[i]->producer = &ctxs[i];
      if (i > 0) fifos[i - 1]->consumer = &ctxs[i];
    }
    sched.spawn(&ctxs[0], bc::fixedsize_stack(), [&] { producer(*fifos.front(), kChainElements); });
    for (std::size_t i = 1; i + 1 < n; ++i) {
      Fifo<Direct>* in = fifos[i - 1].get();
      Fifo<Direct>* out = fifos[i].get();
      sched.spawn(&ctxs[i], bc::fixedsize_stack(), [in, out] { stage(*in, *out); });
    }
    sched.spawn(&ctxs[n - 1], bc::fixedsize_stack(), [&] { consumer(*fifos.back(), sum); });
    for (auto& c : ctxs) sched.wake(&c);
    state.ResumeTiming();
    sched.run();
    state.PauseTiming();
    if (!ctxs.back().done) state.SkipWithError("did not finish");
    switches = sched.switches;
    ctxs.clear();
    fifos.clear();
    state.ResumeTiming();
  }
  benchmark::DoNotOptimize(sum);
  report_pingpong(state, kChainElements * (n - 1), switches);
}

// As BM_Coroutine_Create: 10,000 consumers on their own empty FIFOs, created, run to their
// first suspension (memory measured there), let return, destroyed. `stack_size` 0: the
// stack allocator's default.
template <class StackAlloc>
void BM_Fiber_Create(benchmark::State& state) {
  const auto stack_size = state.range(0) > 0 ? static_cast<std::size_t>(state.range(0))
                                             : bc::stack_traits::default_size();
  Scheduler<false> sched;
  std::vector<std::unique_ptr<Fifo<false>>> fifos;
  std::vector<Ctx> ctxs(kContexts);
  for (std::size_t i = 0; i < kContexts; ++i) {
    fifos.push_back(std::make_unique<Fifo<false>>(sched, 1));
    fifos.back()->consumer = &ctxs[i];
  }
  std::uint64_t sum = 0;
  CreationTimes times;
  bool measured = false;
  for (auto _ : state) {
    const bool cold = !measured;
    auto probe = first_probe(state, measured);
    const double t0 = thread_cpu_ns();
    for (std::size_t i = 0; i < kContexts; ++i) {
      Fifo<false>* f = fifos[i].get();
      sched.spawn(&ctxs[i], StackAlloc(stack_size), [f, &sum] { consumer(*f, sum); });
    }
    const double t1 = thread_cpu_ns();
    for (auto& c : ctxs) sched.wake(&c);
    sched.run();  // each suspends at its first pop
    const double t2 = thread_cpu_ns();
    finish_probe(state, probe, kContexts, measured);
    const double t3 = thread_cpu_ns();
    for (auto& f : fifos) f->close();
    sched.run();  // each returns; its stack is freed
    for (auto& f : fifos) f->reset();
    times.add(cold, t1 - t0, (t2 - t0) + (thread_cpu_ns() - t3));
  }
  benchmark::DoNotOptimize(sum);
  times.report(state, kContexts);
  state.counters["stack_B"] = static_cast<double>(stack_size);
}

BENCHMARK(BM_Fiber_PingPong<false>)
    ->Name("fiber/via_scheduler")->ArgName("C")->Arg(1)->Arg(8)
    ->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_Fiber_PingPong<true>)
    ->Name("fiber/direct")->ArgName("C")->Arg(1)->Arg(8)
    ->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_Fiber_Chain<false>)
    ->Name("fiber/via_scheduler/chain")->ArgName("N")->Arg(kChainContexts)
    ->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_Fiber_Chain<true>)
    ->Name("fiber/direct/chain")->ArgName("N")->Arg(kChainContexts)
    ->Unit(benchmark::kMicrosecond);
// Debian's default stack (malloc'd, no guard page), a small one, and one with a guard page.
BENCHMARK(BM_Fiber_Create<bc::fixedsize_stack>)
    ->Name("fiber/create_10k/fixedsize")->ArgName("stack")->Arg(0)->Arg(16 * 1024)
    ->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_Fiber_Create<bc::protected_fixedsize_stack>)
    ->Name("fiber/create_10k/protected")->ArgName("stack")->Arg(0)
    ->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace switching::fib
