#include "report.hpp"

#include <fmt/core.h>

#include <charconv>

#include "commands.hpp"
#include "exit_codes.hpp"

namespace dfsim::cli {

std::optional<std::uint64_t> parse_capacity(const std::string& text, const std::string& flag) {
  if (text == "unbounded" || text == "inf") return std::nullopt;
  std::uint64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value == 0)
    throw UsageError(flag + " '" + text +
                     "' is not a capacity: give a positive number of elements, or 'unbounded'");
  return value;
}

static std::string si(double v) {
  if (v >= 1e9) return fmt::format("{:.2f} G", v / 1e9);
  if (v >= 1e6) return fmt::format("{:.2f} M", v / 1e6);
  if (v >= 1e3) return fmt::format("{:.2f} k", v / 1e3);
  return fmt::format("{:.0f} ", v);
}

void print_run_summary(const RunResult& r) {
  double wall = r.wall_seconds > 0 ? r.wall_seconds : 1e-9;
  fmt::print("  status          {}\n", to_string(r.status));
  fmt::print("  elapsed cycles  {}\n", r.elapsed_cycles);
  fmt::print("  transfers       {} (elements x channels)\n", r.transfers());
  fmt::print("  wall time       {:.3f} s on {} thread{}\n", r.wall_seconds, r.threads,
             r.threads == 1 ? "" : "s");
  fmt::print("  speed           {}cycles/s, {}transfers/s\n",
             si(static_cast<double>(r.elapsed_cycles) / wall),
             si(static_cast<double>(r.transfers()) / wall));
}

int exit_status(const RunResult& r) {
  switch (r.status) {
    case RunStatus::completed:
      return kExitOk;
    case RunStatus::deadlock:
      fmt::print(stderr, "dfsim: error: {}\n", r.describe_problem());
      return kExitDeadlock;
    case RunStatus::failed:
    case RunStatus::cycle_limit:  // the commands set no limit; a library caller may
      fmt::print(stderr, "dfsim: error: {}\n", r.describe_problem());
      return kExitFailure;
  }
  return kExitFailure;
}

}  // namespace dfsim::cli
