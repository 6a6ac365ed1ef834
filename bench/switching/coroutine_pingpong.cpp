// Competitor 1: C++20 stackless coroutines with a minimal ready-queue scheduler shaped
// like the engine's worker (engine/src/worker.cpp): a context that cannot proceed records
// what it waits for and suspends; the other end of the FIFO wakes it by queueing it.
//
// Two ways back into the next context:
//   via_scheduler  await_suspend returns void: control goes back to the loop, which pops
//                  the next ready context and resumes it (what the engine does).
//   direct         await_suspend returns the next ready context's handle (symmetric
//                  transfer): one jump instead of two, the loop only starts things off.
#include <bit>
#include <coroutine>
#include <cstdint>
#include <deque>
#include <exception>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

#include "common.hpp"

namespace switching::coro {
namespace {

struct Task {
  struct promise_type {
    // The size of the last frame allocated: the memory a context needs, exactly.
    static inline std::size_t last_frame_size = 0;
    static void* operator new(std::size_t n) {
      last_frame_size = n;
      return ::operator new(n);
    }
    static void operator delete(void* p) noexcept { ::operator delete(p); }

    Task get_return_object() noexcept {
      return Task{std::coroutine_handle<promise_type>::from_promise(*this)};
    }
    std::suspend_always initial_suspend() noexcept { return {}; }
    std::suspend_always final_suspend() noexcept { return {}; }
    void return_void() noexcept {}
    void unhandled_exception() noexcept { std::terminate(); }
  };
  using Handle = std::coroutine_handle<promise_type>;

  Task() = default;
  explicit Task(Handle h) noexcept : handle(h) {}
  Task(Task&& o) noexcept : handle(std::exchange(o.handle, {})) {}
  Task& operator=(Task&& o) noexcept {
    if (this != &o) {
      if (handle) handle.destroy();
      handle = std::exchange(o.handle, {});
    }
    return *this;
  }
  ~Task() {
    if (handle) handle.destroy();
  }
  Handle handle;
};

struct Ctx {
  std::coroutine_handle<> handle;
  bool queued = false;
};

struct Scheduler {
  std::deque<Ctx*> ready;
  std::uint64_t switches = 0;

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
      c->handle.resume();
    }
  }
  // For symmetric transfer: the next context to run, or back to the loop.
  std::coroutine_handle<> next() noexcept {
    if (Ctx* c = pop()) {
      ++switches;
      return c->handle;
    }
    return std::noop_coroutine();
  }
};

// A bounded FIFO between one producer and one consumer context.
template <bool Direct>
class Fifo {
 public:
  Fifo(Scheduler& s, std::uint64_t capacity)
      : sched_(&s), cap_(capacity), mask_(std::bit_ceil(capacity) - 1),
        slots_(std::make_unique<std::uint64_t[]>(mask_ + 1)) {}

  Ctx* producer = nullptr;
  Ctx* consumer = nullptr;

  struct PushAwaiter {
    Fifo* f;
    std::uint64_t value;
    bool await_ready() const noexcept { return f->tail_ - f->head_ < f->cap_; }
    auto await_suspend(std::coroutine_handle<>) noexcept {
      f->waiting_sender_ = f->producer;
      if constexpr (Direct) return f->sched_->next();
    }
    void await_resume() noexcept {
      f->slots_[f->tail_++ & f->mask_] = value;
      f->wake_receiver();
    }
  };
  struct PopAwaiter {
    Fifo* f;
    bool await_ready() const noexcept { return f->tail_ != f->head_ || f->closed_; }
    auto await_suspend(std::coroutine_handle<>) noexcept {
      f->waiting_receiver_ = f->consumer;
      if constexpr (Direct) return f->sched_->next();
    }
    std::optional<std::uint64_t> await_resume() noexcept {
      if (f->tail_ == f->head_) return std::nullopt;
      std::uint64_t v = f->slots_[f->head_++ & f->mask_];
      if (Ctx* w = std::exchange(f->waiting_sender_, nullptr)) f->sched_->wake(w);
      return v;
    }
  };

  PushAwaiter push(std::uint64_t v) noexcept { return {this, v}; }
  PopAwaiter pop() noexcept { return {this}; }
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
  Scheduler* sched_;
  std::uint64_t cap_, mask_;
  std::unique_ptr<std::uint64_t[]> slots_;
  std::uint64_t head_ = 0, tail_ = 0;
  bool closed_ = false;
  Ctx* waiting_sender_ = nullptr;
  Ctx* waiting_receiver_ = nullptr;
};

// ---- the user code: what a context body looks like in this style ----
template <bool Direct>
Task producer(Fifo<Direct>& out, std::uint64_t n) {
  for (std::uint64_t i = 0; i < n; ++i) co_await out.push(i);
  out.close();
}

template <bool Direct>
Task consumer(Fifo<Direct>& in, std::uint64_t& sum) {
  while (auto v = co_await in.pop()) sum += *v;
}

template <bool Direct>
Task stage(Fifo<Direct>& in, Fifo<Direct>& out) {
  while (auto v = co_await in.pop()) co_await out.push(*v);
  out.close();
}

template <bool Direct>
void BM_Coroutine_PingPong(benchmark::State& state) {
  const auto capacity = static_cast<std::uint64_t>(state.range(0));
  std::uint64_t switches = 0, sum = 0;
  for (auto _ : state) {
    Scheduler sched;
    Fifo<Direct> fifo(sched, capacity);
    Ctx p, c;
    fifo.producer = &p;
    fifo.consumer = &c;
    Task tp = producer(fifo, kElements);
    Task tc = consumer(fifo, sum);
    p.handle = tp.handle;
    c.handle = tc.handle;
    sched.wake(&p);
    sched.wake(&c);
    sched.run();
    if (!tp.handle.done() || !tc.handle.done()) state.SkipWithError("did not finish");
    switches = sched.switches;
  }
  benchmark::DoNotOptimize(sum);
  report_pingpong(state, kElements, switches);
}

// A pipeline of N contexts (producer, N - 2 stages, consumer) over FIFOs of capacity 1:
// the switch cost when thousands of contexts are live and each switch goes to another one.
template <bool Direct>
void BM_Coroutine_Chain(benchmark::State& state) {
  const auto n = static_cast<std::size_t>(state.range(0));
  std::uint64_t switches = 0, sum = 0;
  for (auto _ : state) {
    state.PauseTiming();
    Scheduler sched;
    std::vector<std::unique_ptr<Fifo<Direct>>> fifos;
    for (std::size_t i = 0; i + 1 < n; ++i) fifos.push_back(std::make_unique<Fifo<Direct>>(sched, 1));
    std::vector<Ctx> ctxs(n);
    std::vector<Task> tasks;
    tasks.push_back(producer(*fifos.front(), kChainElements));
    for (std::size_t i = 1; i + 1 < n; ++i) tasks.push_back(stage(*fifos[i - 1], *fifos[i]));
    tasks.push_back(consumer(*fifos.back(), sum));
    for (std::size_t i = 0; i < n; ++i) {
      ctxs[i].handle = tasks[i].handle;
      if (i + 1 < n) fifos[i]->producer = &ctxs[i];
      if (i > 0) fifos[i - 1]->consumer = &ctxs[i];
      sched.wake(&ctxs[i]);
    }
    state.ResumeTiming();
    sched.run();
    state.PauseTiming();
    if (!tasks.back().handle.done()) state.SkipWithError("did not finish");
    switches = sched.switches;
    tasks.clear();
    fifos.clear();
    state.ResumeTiming();
  }
  benchmark::DoNotOptimize(sum);
  report_pingpong(state, kChainElements * (n - 1), switches);
}

// 10,000 consumers, each on its own (empty) FIFO: create them, run each to its first
// suspension, close the FIFOs so they return, destroy them. Memory is measured while all
// are suspended; the frame size is exact (the promise's operator new).
void BM_Coroutine_Create(benchmark::State& state) {
  Scheduler sched;
  std::vector<std::unique_ptr<Fifo<false>>> fifos;
  std::vector<Ctx> ctxs(kContexts);
  for (std::size_t i = 0; i < kContexts; ++i) {
    fifos.push_back(std::make_unique<Fifo<false>>(sched, 1));
    fifos.back()->consumer = &ctxs[i];
  }
  std::vector<Task> tasks;
  tasks.reserve(kContexts);
  std::uint64_t sum = 0;
  CreationTimes times;
  bool measured = false;
  for (auto _ : state) {
    const bool cold = !measured;
    auto probe = first_probe(state, measured);
    const double t0 = thread_cpu_ns();
    for (std::size_t i = 0; i < kContexts; ++i) {
      tasks.push_back(consumer(*fifos[i], sum));
      ctxs[i].handle = tasks.back().handle;
    }
    const double t1 = thread_cpu_ns();
    for (auto& c : ctxs) sched.wake(&c);
    sched.run();  // each suspends at its first pop
    const double t2 = thread_cpu_ns();
    finish_probe(state, probe, kContexts, measured);
    const double t3 = thread_cpu_ns();
    for (auto& f : fifos) f->close();
    sched.run();  // each returns
    tasks.clear();
    for (auto& f : fifos) f->reset();
    times.add(cold, t1 - t0, (t2 - t0) + (thread_cpu_ns() - t3));
  }
  benchmark::DoNotOptimize(sum);
  times.report(state, kContexts);
  state.counters["frame_B"] = static_cast<double>(Task::promise_type::last_frame_size);
}

BENCHMARK(BM_Coroutine_PingPong<false>)
    ->Name("coroutine/via_scheduler")->ArgName("C")->Arg(1)->Arg(8)
    ->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_Coroutine_PingPong<true>)
    ->Name("coroutine/direct")->ArgName("C")->Arg(1)->Arg(8)
    ->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_Coroutine_Chain<false>)
    ->Name("coroutine/via_scheduler/chain")->ArgName("N")->Arg(kChainContexts)
    ->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_Coroutine_Chain<true>)
    ->Name("coroutine/direct/chain")->ArgName("N")->Arg(kChainContexts)
    ->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_Coroutine_Create)->Name("coroutine/create_10k")->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace switching::coro
