// dfsim.sdpa.sweep (python/dfsim/sdpa.py): the sweep protocol of experiments/sweep.hpp, every
// (variant, N) point's row as row.hpp's JSON, and given a folder, results.json and results.csv
// written as `dfsim sdpa-sweep` writes them (locked, each replaced whole after every run).
#include <pybind11/stl.h>

#include <chrono>
#include <optional>

#include "bindings.hpp"
#include "dfsim/experiments/report.hpp"
#include "dfsim/experiments/result_folder.hpp"
#include "dfsim/experiments/row.hpp"
#include "dfsim/experiments/sweep.hpp"

namespace py = pybind11;

namespace dfsim::python {
namespace {

experiments::SweepPlan make_plan(const std::vector<std::string>& variants,
                                 const std::vector<std::size_t>& sizes, std::size_t d,
                                 const std::string& preset, const std::string& precision,
                                 std::uint64_t seed, unsigned threads, std::size_t min_depth_max_n) {
  experiments::SweepPlan plan{.sizes = sizes, .d = d, .seed = seed, .threads = threads,
                              .min_depth_max_n = min_depth_max_n};
  plan.variants.clear();
  for (const auto& name : variants) plan.variants.push_back(variant_arg(name));
  plan.preset = preset_arg(preset);
  plan.precision = precision_arg(precision);
  experiments::check(plan);
  return plan;
}

// Every point in order; with a folder, its row is written before its first run and after each.
std::vector<experiments::Row> run_points(const experiments::SweepPlan& plan,
                                         experiments::SweepFolder* folder, bool& problems) {
  std::vector<experiments::Row> rows;
  experiments::PointOptions options = experiments::point_options(plan);
  for (const experiments::Point& point : experiments::points(plan)) {
    std::size_t index = folder ? folder->add_row(experiments::pending_row(point)) : 0;
    if (folder)
      options.on_stage_end = [&](const experiments::StageEnd& e) { folder->update_row(index, e.row); };
    experiments::PointResult r = experiments::run_point(point, options);
    if (folder) folder->finish_row(index, r.row);
    problems = problems || r.deadlock || r.failed || r.overflow;
    rows.push_back(std::move(r.row));
  }
  return rows;
}

py::dict sweep(const std::vector<std::string>& variants, const std::vector<std::size_t>& sizes,
               std::size_t d, const std::string& preset, const std::string& precision,
               std::uint64_t seed, unsigned threads, std::size_t min_depth_max_n,
               const std::optional<std::string>& out) {
  auto plan = make_plan(variants, sizes, d, preset, precision, seed, threads, min_depth_max_n);
  std::optional<experiments::FolderLock> lock;
  std::optional<experiments::SweepFolder> folder;
  if (out) {
    lock.emplace(*out);
    folder.emplace(*out, experiments::to_json(plan));
  }
  auto start = std::chrono::steady_clock::now();
  bool problems = false;
  std::vector<experiments::Row> rows;
  {
    py::gil_scoped_release unlocked;
    rows = run_points(plan, folder ? &*folder : nullptr, problems);
  }
  double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::string status = problems ? "complete with problems" : "complete";
  if (folder) folder->finish(status, wall);
  py::list row_list;
  for (const auto& row : rows) row_list.append(to_python(experiments::to_json(row)));
  py::dict result;
  result["rows"] = row_list;
  result["columns"] = experiments::columns();
  result["status"] = status;
  result["config"] = to_python(experiments::to_json(plan));
  result["wall_seconds"] = wall;
  return result;
}

}  // namespace

void bind_sweep(py::module_& m) {
  static py::handle folder_in_use =
      py::exception<experiments::FolderInUse>(m, "FolderInUse", PyExc_RuntimeError).release();
  folder_in_use.attr("__doc__") =
      "Another sweep (another process) is writing the same folder; nothing was written.";
  py::module_ s = m.attr("sdpa").cast<py::module_>();
  s.def("sweep", &sweep, py::arg("variants"), py::arg("sizes"), py::arg("d"), py::arg("preset"),
        py::arg("precision"), py::arg("seed"), py::arg("threads"), py::arg("min_depth_max_n"),
        py::arg("out"));
  s.attr("default_min_depth_max_n") = experiments::kDefaultMinDepthMaxN;
  // report.md has one renderer, the experiments layer's, as for `dfsim sdpa-sweep`.
  s.def(
      "write_report",
      [](const std::string& dir, const std::string& why_no_plots) {
        experiments::write_report(dir, experiments::read_sweep(dir), {.why_no_plots = why_no_plots});
      },
      py::arg("dir"), py::arg("why_no_plots") = "");
}

}  // namespace dfsim::python
