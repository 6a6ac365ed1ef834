#pragma once
// Shared by the three competitors of the switching benchmark (see CMakeLists.txt): the
// workload's sizes, the counters every case reports, and memory probes.
#include <benchmark/benchmark.h>
#include <malloc.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <time.h>
#include <unistd.h>

#include <optional>

namespace switching {

// Elements a producer sends to a consumer in one benchmark iteration.
inline constexpr std::uint64_t kElements = 100'000;
// The chain cases: a pipeline of this many contexts (the reduction-tree workload has about
// 2,000), and the elements that travel its whole length; "elements" there counts hops.
inline constexpr std::size_t kChainContexts = 2'000;
inline constexpr std::uint64_t kChainElements = 256;
// Contexts made in one iteration of the creation cases.
inline constexpr std::size_t kContexts = 10'000;

// Time per element and per switch, computed by Google Benchmark from the CPU time.
// `switches` counts resumptions of a context (one resume in and the suspension back out).
inline void report_pingpong(benchmark::State& state, std::uint64_t elements,
                            std::uint64_t switches) {
  using benchmark::Counter;
  const double iters = static_cast<double>(state.iterations());
  state.counters["elements"] = static_cast<double>(elements);
  state.counters["switches"] = static_cast<double>(switches);
  // Rate counters divided by time, then inverted: seconds per element (shown as "n").
  state.counters["s_per_elem"] =
      Counter(static_cast<double>(elements) * iters, Counter::kIsRate | Counter::kInvert);
  state.counters["s_per_switch"] =
      Counter(static_cast<double>(switches) * iters, Counter::kIsRate | Counter::kInvert);
}

// Heap in use, including blocks malloc serves with mmap (large fiber stacks).
inline std::size_t heap_in_use() {
  struct mallinfo2 mi = mallinfo2();
  return mi.uordblks + mi.hblkhd;
}

// Resident set size of the process, in bytes.
inline std::size_t resident_bytes() {
  std::FILE* f = std::fopen("/proc/self/statm", "r");
  if (!f) return 0;
  unsigned long size = 0, resident = 0;
  int n = std::fscanf(f, "%lu %lu", &size, &resident);
  std::fclose(f);
  return n == 2 ? resident * static_cast<std::size_t>(sysconf(_SC_PAGESIZE)) : 0;
}

// Memory of `count` live contexts, measured once (outside the timed loop).
// Freed memory is trimmed first, so that pages reused from earlier cases do not hide the
// resident cost of new ones.
struct MemoryProbe {
  MemoryProbe() { malloc_trim(0); heap0 = heap_in_use(); rss0 = resident_bytes(); }
  std::size_t heap0 = 0;
  std::size_t rss0 = 0;
  void report(benchmark::State& state, std::size_t count) const {
    const double n = static_cast<double>(count);
    state.counters["heap_B_per_ctx"] =
        static_cast<double>(heap_in_use() - heap0) / n;
    state.counters["rss_B_per_ctx"] =
        static_cast<double>(resident_bytes() - rss0) / n;
  }
};

// This thread's CPU time in ns: wall time on a shared, loaded machine counts other work.
inline double thread_cpu_ns() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) * 1e9 + static_cast<double>(ts.tv_nsec);
}

// Starts a memory probe on the first iteration only, outside the timed region.
inline std::optional<MemoryProbe> first_probe(benchmark::State& state, bool& measured) {
  std::optional<MemoryProbe> probe;
  if (measured) return probe;
  state.PauseTiming();
  probe.emplace();
  state.ResumeTiming();
  return probe;
}
inline void finish_probe(benchmark::State& state, std::optional<MemoryProbe>& probe,
                         std::size_t count, bool& measured) {
  if (!probe) return;
  state.PauseTiming();
  probe->report(state, count);
  measured = true;
  state.ResumeTiming();
}

// Creation cost in ns of CPU time per context. The first iteration of a repetition is
// "cold" (freed memory was just trimmed, as for a simulator building its graph once); the
// others reuse memory the allocator kept ("warm"). "lifecycle" adds running each context
// to its first suspension, letting it return, and destroying it.
struct CreationTimes {
  double cold_create = 0, cold_lifecycle = 0, warm_create = 0, warm_lifecycle = 0;
  std::size_t warm_iterations = 0;

  void add(bool cold, double create_ns, double lifecycle_ns) {
    if (cold) {
      cold_create = create_ns;
      cold_lifecycle = lifecycle_ns;
    } else {
      warm_create += create_ns;
      warm_lifecycle += lifecycle_ns;
      ++warm_iterations;
    }
  }
  void report(benchmark::State& state, std::size_t count, bool lifecycle = true) const {
    const double n = static_cast<double>(count);
    state.counters["create_cold_ns"] = cold_create / n;
    if (lifecycle) state.counters["lifecycle_cold_ns"] = cold_lifecycle / n;
    if (warm_iterations == 0) return;
    const double w = static_cast<double>(warm_iterations) * n;
    state.counters["create_warm_ns"] = warm_create / w;
    if (lifecycle) state.counters["lifecycle_warm_ns"] = warm_lifecycle / w;
  }
};

}  // namespace switching
