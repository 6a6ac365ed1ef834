// Running a sweep into its folder (sweep_run.hpp): order, resume, streaming, the in-process
// executor.
#include "dfsim/experiments/sweep_run.hpp"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <fstream>
#include <numeric>
#include <stdexcept>
#include <thread>

#include "dfsim/experiments/min_depth.hpp"

namespace dfsim::experiments {
namespace fs = std::filesystem;
using json = nlohmann::ordered_json;
namespace {

template <typename T>
T parsed(std::optional<T> value, const json& j, const char* key) {
  if (!value) throw std::invalid_argument("point: unknown " + std::string(key) + " " + j.dump());
  return *value;
}

// The columns a row has before its runs (pending_row's), but those that change as it runs:
// what tells two points apart, whatever axes the plan has.
json identity(const json& row, const json& pending) {
  json id = json::object();
  for (const auto& [key, value] : pending.items())
    if (key != "status" && key != "wall_seconds" && key != "runs_done")
      id[key] = row.contains(key) ? row[key] : json();
  return id;
}

// The final rows of an unfinished earlier run of the same plan in `dir`, or nothing. A sweep
// that ended is run again whole: the same command after a change to the simulator measures it.
std::vector<json> earlier_rows(const fs::path& dir, const json& config) {
  std::ifstream in(dir / "results.json");
  if (!in) return {};
  json doc = json::parse(in, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded() || !doc.contains("config") || doc["config"] != config ||
      !doc.contains("results") || !doc.contains("status") ||
      doc["status"].get<std::string>().rfind("complete", 0) == 0)
    return {};
  std::vector<json> rows;
  for (const json& r : doc["results"])
    if (is_final(row_from_json(r))) rows.push_back(r);
  return rows;
}

}  // namespace

json to_json(const Point& p) {
  return {{"variant", sdpa::to_string(p.variant)},
          {"n", p.n},
          {"d", p.d},
          {"preset", sdpa::to_string(p.preset)},
          {"precision", sdpa::to_string(p.precision)},
          {"causal", sdpa::to_string(p.causal)},
          {"decode_rows", p.decode_rows},
          {"heads", p.heads},
          {"kv_heads", p.kv_heads},
          {"lanes", p.lanes},
          {"seed", p.seed}};
}

Point point_from_json(const json& j) {
  try {
    return {.variant = parsed(sdpa::parse_variant(j.at("variant").get<std::string>()), j, "variant"),
            .n = j.at("n").get<std::size_t>(),
            .d = j.at("d").get<std::size_t>(),
            .preset = parsed(sdpa::parse_preset(j.at("preset").get<std::string>()), j, "preset"),
            .precision = parsed(sdpa::parse_precision(j.at("precision").get<std::string>()), j,
                                "precision"),
            .causal = parsed(sdpa::parse_causal(j.at("causal").get<std::string>()), j, "causal"),
            .decode_rows = j.at("decode_rows").get<std::size_t>(),
            .heads = j.at("heads").get<unsigned>(),
            .kv_heads = j.at("kv_heads").get<unsigned>(),
            .lanes = j.at("lanes").get<unsigned>(),
            .seed = j.at("seed").get<std::uint64_t>()};
  } catch (const json::exception& e) {
    throw std::invalid_argument("not a sweep point: " + j.dump() + ": " + e.what());
  }
}

double estimated_cost(const Point& p, std::size_t min_depth_max_n) {
  const sdpa::AttentionConfig config = attention_config(p);
  const double elements = static_cast<double>(sdpa::keys_streamed(config)) *
                          static_cast<double>(p.heads) * static_cast<double>(p.d);
  double runs = 2;  // the preset's depths, unbounded at the one-cycle preset
  if (p.n <= min_depth_max_n) runs += expected_min_depth_runs(config, FifoSelection::claims);
  return elements * runs;
}

bool is_final(const Row& row) {
  return row.status != "running" && row.status.rfind("interrupted", 0) != 0;
}

Row error_row(const Point& point, const std::string& error) {
  Row row = pending_row(point);
  row.status = "error: " + error;
  return row;
}

SweepRun::SweepRun(SweepPlan plan, fs::path dir, bool fresh)
    : plan_(std::move(plan)), all_(points(plan_)) {
  check(plan_);
  rows_.resize(all_.size());
  folder_index_.resize(all_.size());
  std::vector<json> pendings;
  for (const Point& p : all_) pendings.push_back(to_json(pending_row(p)));
  std::vector<Row> kept;
  if (!dir.empty() && !fresh)
    for (const json& r : earlier_rows(dir, to_json(plan_)))
      for (std::size_t i = 0; i < all_.size(); ++i)
        if (!rows_[i] && identity(r, pendings[i]) == identity(pendings[i], pendings[i])) {
          rows_[i] = row_from_json(r);
          folder_index_[i] = kept.size();
          kept.push_back(*rows_[i]);
          break;
        }
  resumed_ = kept.size();
  if (!dir.empty()) {
    fs::create_directories(dir);
    folder_.emplace(dir, to_json(plan_), kept);
  }
  std::vector<double> cost;
  double total = 0;
  for (std::size_t i = 0; i < all_.size(); ++i) {
    cost.push_back(estimated_cost(all_[i], plan_.min_depth_max_n));
    if (!rows_[i]) total += cost.back();
  }
  std::vector<std::size_t> order(all_.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return cost[a] > cost[b]; });
  for (std::size_t i : order)
    if (!rows_[i]) {
      pending_.push_back(all_[i]);
      pending_position_.push_back(i);
    }
  progress_.begin(pending_.size(), total);
}

void SweepRun::write(std::size_t task, const Row& row, bool final) {
  const std::size_t i = pending_position_.at(task);
  rows_[i] = row;
  if (!folder_) return;
  if (!folder_index_[i]) folder_index_[i] = folder_->add_row(row);
  if (final)
    folder_->finish_row(*folder_index_[i], row);
  else
    folder_->update_row(*folder_index_[i], row);
}

void SweepRun::start(std::size_t task) {
  std::lock_guard lock(mutex_);
  progress_.started();
  write(task, pending_row(pending_.at(task)), false);
}

void SweepRun::update(std::size_t task, const Row& row) {
  std::lock_guard lock(mutex_);
  write(task, row, false);
}

std::string SweepRun::finish(std::size_t task, const Row& row) {
  std::lock_guard lock(mutex_);
  write(task, row, true);
  return progress_.finished(row, estimated_cost(pending_.at(task), plan_.min_depth_max_n));
}

std::string SweepRun::close(const std::optional<std::string>& signal) {
  std::lock_guard lock(mutex_);
  bool problems = false, whole = !signal;
  for (const auto& row : rows_) {
    if (!row || !is_final(*row)) whole = false;
    if (row && is_final(*row) && row->status != "completed") problems = true;
  }
  const std::string status = !whole ? "interrupted" : problems ? "complete with problems" : "complete";
  if (!folder_) return status;
  std::vector<std::size_t> order;
  for (const auto& index : folder_index_)
    if (index) order.push_back(*index);
  folder_->reorder(order);
  for (std::size_t i = 0, k = 0; i < folder_index_.size(); ++i)
    if (folder_index_[i]) folder_index_[i] = k++;
  folder_->finish(status, progress_.seconds(), signal);
  return status;
}

json SweepRun::document() const {
  std::lock_guard lock(mutex_);
  if (folder_) return folder_->document();
  json doc = sweep_document_head(to_json(plan_));
  doc["results"] = json::array();
  for (const auto& row : rows_)
    if (row) doc["results"].push_back(to_json(*row));
  return doc;
}

std::vector<Row> SweepRun::rows() const {
  std::lock_guard lock(mutex_);
  std::vector<Row> list;
  for (const auto& row : rows_)
    if (row) list.push_back(*row);
  return list;
}

std::size_t SweepRun::points_run() const {
  std::lock_guard lock(mutex_);
  return progress_.done();
}

bool run_in_process(SweepRun& run, const PointOptions& options, const InProcessOptions& in) {
  const std::vector<Point>& todo = run.pending();
  std::atomic<std::size_t> next{0};
  std::atomic<bool> stopped{false};
  std::mutex report_mutex;
  auto worker = [&] {
    for (std::size_t i; !stopped && (i = next.fetch_add(1)) < todo.size();) {
      if (options.stop && options.stop()) {
        stopped = true;
        break;
      }
      const Point& point = todo[i];
      run.start(i);
      PointOptions mine = options;
      mine.on_stage_end = [&](const StageEnd& e) {
        if (options.on_stage_end) options.on_stage_end(e);
        run.update(i, e.row);
      };
      PointResult r;
      try {
        r = run_point(point, mine);
      } catch (const std::exception& e) {
        r.row = error_row(point, e.what());
      }
      if (r.interrupted) stopped = true;
      const std::string line = run.finish(i, r.row);
      std::lock_guard lock(report_mutex);
      if (in.on_point) in.on_point(r.row, line);
    }
  };
  const unsigned count = std::max(1u, std::min<unsigned>(in.workers, static_cast<unsigned>(todo.size())));
  std::vector<std::thread> pool;
  for (unsigned t = 1; t < count; ++t) pool.emplace_back(worker);
  worker();
  for (auto& t : pool) t.join();
  return !stopped && next >= todo.size();
}

}  // namespace dfsim::experiments
