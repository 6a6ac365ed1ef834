// What a run costs, known before it starts: the memory it needs at the least, checked against
// the machine so that an impossible size is a usage error instead of std::bad_alloc (or the
// machine swapping) minutes later, and the time it takes, from the elements it moves.
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <limits>
#include <stdexcept>
#include <string>

#include "dfsim/sdpa/attention.hpp"

namespace dfsim::sdpa {
namespace {

// Q, K and V, the outputs, and the reference they are compared with: the tensors a run holds
// at once, whatever the variant (the FIFOs' contents come on top).
constexpr double kValuesPerHead = 5;
constexpr double kBytesPerValue = 8;
// A head's dozen contexts with their coroutine frames and channels: 40,000 heads at N = 2
// took 0.8 to 1.1 GB (20 to 27 kB a head); 16 kB keeps the total a lower bound.
constexpr double kGraphBytesPerHead = 16e3;

double physical_memory_bytes() {
  const long pages = ::sysconf(_SC_PHYS_PAGES), page = ::sysconf(_SC_PAGESIZE);
  if (pages <= 0 || page <= 0) return std::numeric_limits<double>::infinity();  // unknown
  return static_cast<double>(pages) * static_cast<double>(page);
}

std::string bytes_text(double bytes) {
  const char* units[] = {"bytes", "kB", "MB", "GB", "TB", "PB", "EB", "ZB", "YB"};
  int u = 0;
  for (; bytes >= 1000 && u < 8; ++u) bytes /= 1000;
  char text[48];
  std::snprintf(text, sizeof text, u == 0 ? "%.0f %s" : "%.3g %s", bytes, units[u]);
  return text;
}

std::string count_text(double x) {
  char text[48];
  std::snprintf(text, sizeof text, "%.0f", std::floor(x));
  return text;
}

// Simulated elements per second on one thread, rounded down from `dfsim sdpa --variant V
// --n 4096 --preset spatial-calibrated` (Release, a 2-core x86 machine, idle or building):
// reordered-stable moved 7 x 4096^2 = 117 M elements in 1.74 to 1.90 s (62 to 67 M/s);
// naive 52 to 57, naive-stable 57 to 62, reordered (its units take exp per key) 43 to 52.
double elements_per_second(Variant v) {
  switch (v) {
    case Variant::naive: return 50e6;
    case Variant::naive_stable: return 55e6;
    case Variant::reordered: return 40e6;
    case Variant::reordered_stable: return 60e6;
  }
  return 40e6;
}

// A vector element costs d multiply-adds where a scalar costs one: at N = 2048, d = 8 took
// 1.13 and d = 64 1.86 times as long as d = 1.
double vector_weight(std::size_t d) { return 1 + static_cast<double>(d - 1) / 64; }

// Building a head and starting and ending its contexts cost about as much as moving 5,000
// elements: 40,000 heads at N = 2 took 4.2 to 5.9 s.
constexpr double kElementsPerHead = 5000;

// Unbounded FIFOs grow their buffers to their peak (about N^2 / 2 behind a fast producer):
// 1.9 to 2.6 times as slow as the preset's depths at N = 1024.
constexpr double kUnboundedSlowdown = 2;

}  // namespace

double minimum_memory_bytes(std::size_t n, std::size_t d, unsigned heads) {
  // In double: N x d may wrap in 64 bits (2^20 x 2^44), and the comparison needs no exactness.
  const double per_head = kValuesPerHead * kBytesPerValue * static_cast<double>(n) *
                              static_cast<double>(d) +
                          kGraphBytesPerHead;
  return static_cast<double>(heads) * per_head;
}

void check_memory(std::size_t n, std::size_t d, unsigned heads) {
  const double have = physical_memory_bytes();
  const double need = minimum_memory_bytes(n, d, heads);
  if (need <= have) return;
  std::string what = "N = " + std::to_string(n) + (heads == 1 ? " and d = " : ", d = ") +
                     std::to_string(d) +
                     (heads == 1 ? "" : " and " + std::to_string(heads) + " heads") +
                     " need at least " + bytes_text(need) +
                     " of memory (per head: Q, K, V, the outputs and the reference, 5 x N x d "
                     "values of 8 bytes, and about 16 kB of graph), more than this machine's " +
                     bytes_text(have) + ": ";
  const double one_head = minimum_memory_bytes(n, d, 1);
  if (one_head <= have)
    throw std::invalid_argument(what + "give at most " + count_text(have / one_head) +
                                " heads at this N and d");
  const double max_d =
      (have / heads - kGraphBytesPerHead) / (kValuesPerHead * kBytesPerValue * n);
  if (max_d >= 1)
    throw std::invalid_argument(what + "give d at most " + count_text(max_d) + " at this N" +
                                (heads == 1 ? "" : " and number of heads"));
  throw std::invalid_argument(what + "give a smaller N, d or number of heads");
}

namespace {

bool carries_rows(const std::string& fifo) {
  return fifo == "q" || fifo == "sum" || fifo == "max" || fifo == "acc" || fifo == "out" ||
         fifo == "lane_sum" || fifo == "lane_max";
}

// The FIFO roles of `c` that carry an element per key streamed.
std::size_t key_loop_roles(const AttentionConfig& c) {
  std::size_t count = 0;
  for (const std::string& f : fifo_names(c))
    if (!carries_rows(f)) ++count;
  return count;
}

}  // namespace

std::size_t key_loop_fifos(Variant v) { return key_loop_roles({.variant = v}); }

WorkEstimate estimate_work(const AttentionConfig& c) {
  const double lanes = c.lanes, rows = static_cast<double>(query_rows(c));
  const double key = static_cast<double>(key_loop_roles(c));
  const double row = static_cast<double>(fifo_names(c).size()) - key;
  // The lanes share the keys out between them, but each has its own per-row FIFOs (q, sum,
  // acc, ...) and contexts, and L - 1 merges write three FIFOs a row each.
  const double row_elements = rows * (row * lanes + 3 * (lanes - 1));
  WorkEstimate w;
  const double keys = static_cast<double>(keys_streamed(c));
  w.elements = static_cast<double>(c.heads) * (key * keys + row_elements + kElementsPerHead * lanes);
  w.elements_per_second = elements_per_second(c.variant) / vector_weight(c.d) /
                          (c.unbounded ? kUnboundedSlowdown : 1);
  return w;
}

}  // namespace dfsim::sdpa
