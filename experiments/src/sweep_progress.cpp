// A sweep's progress lines and its summary table (sweep_progress.hpp).
#include "dfsim/experiments/sweep_progress.hpp"

#include <algorithm>

#include <fmt/core.h>

namespace dfsim::experiments {
namespace {

std::string time_left(double seconds) {
  if (seconds < 90) return fmt::format("~{:.0f} s left", seconds);
  if (seconds < 5400) return fmt::format("~{:.0f} min left", seconds / 60);
  return fmt::format("~{:.1f} h left", seconds / 3600);
}

bool failed_status(const std::string& status) { return status != "completed"; }

std::string cell(const nlohmann::ordered_json& row, const char* key, const char* format = "{}") {
  if (!row.contains(key) || row[key].is_null()) return "-";
  if (row[key].is_number_float()) return fmt::format(fmt::runtime(format), row[key].get<double>());
  return csv_cell(row[key]);
}

// The axes of a row off their defaults, as point_name writes them: "fp16 causal=skip lanes=4".
std::string axes_text(const nlohmann::ordered_json& r) {
  std::string text;
  auto add = [&text](const std::string& item) { text += (text.empty() ? "" : " ") + item; };
  if (r.value("precision", std::string("fp64")) != "fp64") add(r["precision"].get<std::string>());
  if (r.value("causal", std::string("none")) != "none") add("causal=" + r["causal"].get<std::string>());
  if (r.value("decode_rows", 0) != 0) add("decode=" + csv_cell(r["decode_rows"]));
  if (r.value("heads", 1) != 1) add("heads=" + csv_cell(r["heads"]));
  if (r.value("kv_heads", 1) != r.value("heads", 1)) add("kv_heads=" + csv_cell(r["kv_heads"]));
  if (r.value("lanes", 1) != 1) add("lanes=" + csv_cell(r["lanes"]));
  return text.empty() ? "-" : text;
}

}  // namespace

void SweepProgress::begin(std::size_t points, double cost) {
  total_ = points;
  cost_total_ = cost;
  start_ = std::chrono::steady_clock::now();
}

double SweepProgress::seconds() const {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
}

std::string SweepProgress::finished(const Row& row, double cost) {
  ++done_;
  if (running_) --running_;
  if (failed_status(row.status)) ++failed_;
  cost_done_ += cost;
  const double left = cost_done_ > 0 ? seconds() * (cost_total_ - cost_done_) / cost_done_ : 0;
  std::string what = row.status;
  if (row.preset_run && row.status == "completed") what += fmt::format(", {} cycles", row.preset_run->cycles);
  return fmt::format("[{:>{}}/{} points] {} N={}: {} ({:.1f} s); {} running, {} failed, {}", done_,
                     std::to_string(total_).size(), total_, row.variant, row.n, what,
                     row.wall_seconds, running_, failed_,
                     done_ == total_ ? fmt::format("{:.1f} s in all", seconds()) : time_left(left));
}

std::string summary_table(const nlohmann::ordered_json& results) {
  std::size_t width = 4;
  for (const auto& r : results) width = std::max(width, axes_text(r).size());
  std::string out = fmt::format("{:<17} {:>6} {:<{}} {:>10} {:>10} {:>10} {:>14} {:>10} {:>11}\n",
                                "variant", "N", "axes", width, "cycles", "ideal", "throughput",
                                "memory (elem)", "min long", "max error");
  for (const auto& r : results)
    out += fmt::format("{:<17} {:>6} {:<{}} {:>10} {:>10} {:>10} {:>14} {:>10} {:>11}\n",
                       r["variant"].get<std::string>(), r["n"].get<std::size_t>(), axes_text(r),
                       width, cell(r, "cycles"),
                       cell(r, "ideal_cycles"), cell(r, "throughput", "{:.4f}"),
                       cell(r, "intermediate_memory_elements"), cell(r, "min_depth_long"),
                       cell(r, "max_abs_error", "{:.2g}"));
  return out +
         "(axes: those off their defaults; memory: peak occupancy summed over internal FIFOs, "
         "every FIFO unbounded, one-cycle preset; min long: smallest long-FIFO depth at full throughput, naive variants)\n";
}

}  // namespace dfsim::experiments
