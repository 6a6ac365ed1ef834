// dfsim.sdpa.sweep and dfsim.distributed (python/dfsim/): experiments/sweep_run.hpp's SweepRun,
// the one sweep implementation of the command line's too. Points and rows cross as JSON text
// (to_json(Point), to_json(Row)): what a Dask task takes and returns. Every run releases the GIL.
#include <pybind11/stl.h>

#include <optional>

#include "bindings.hpp"
#include "dfsim/experiments/arguments.hpp"
#include "dfsim/experiments/report.hpp"
#include "dfsim/experiments/result_folder.hpp"
#include "dfsim/experiments/row.hpp"
#include "dfsim/experiments/sweep.hpp"
#include "dfsim/experiments/sweep_run.hpp"

namespace py = pybind11;
using json = nlohmann::ordered_json;

namespace dfsim::python {
namespace {

// The axes of dfsim.sdpa.sweep (sdpa.py has made each a list of the right Python types).
struct Axes {
  std::vector<std::string> precisions, causal;
  std::vector<std::size_t> decode;
  unsigned heads = 1;
  std::vector<unsigned> kv_heads, lanes;
};

experiments::SweepPlan make_plan(const std::vector<std::string>& variants,
                                 const std::vector<std::size_t>& sizes, std::size_t d,
                                 const std::string& preset, const Axes& axes, std::uint64_t seed,
                                 unsigned threads, std::size_t min_depth_max_n,
                                 std::size_t depth_curve) {
  experiments::SweepPlan plan{.sizes = sizes, .d = d, .decode = axes.decode, .heads = axes.heads,
                              .kv_heads = axes.kv_heads, .lanes = axes.lanes, .seed = seed,
                              .threads = threads, .min_depth_max_n = min_depth_max_n,
                              .depth_curve = depth_curve};
  plan.variants.clear();
  for (const auto& name : variants) plan.variants.push_back(experiments::variant_argument(name));
  plan.preset = experiments::preset_argument(preset);
  plan.precisions.clear();
  for (const auto& name : axes.precisions) plan.precisions.push_back(experiments::precision_argument(name));
  plan.causal.clear();
  for (const auto& name : axes.causal) plan.causal.push_back(experiments::causal_argument(name));
  experiments::check(plan);
  return plan;
}

// A SweepRun and, with a folder, its lock, held until release() (or the object's end).
struct Sweep {
  Sweep(const experiments::SweepPlan& plan, const std::optional<std::string>& out, bool fresh) {
    if (out) lock.emplace(*out);
    run.emplace(plan, out ? *out : "", fresh);
  }
  std::optional<experiments::FolderLock> lock;
  std::optional<experiments::SweepRun> run;
};

// One point's runs (a task of dfsim.distributed): the row as JSON text.
std::string run_point(const std::string& point, unsigned threads, std::size_t min_depth_max_n,
                      unsigned probe_threads, std::size_t depth_curve) {
  const experiments::Point p = experiments::point_from_json(json::parse(point));
  py::gil_scoped_release unlocked;
  experiments::PointResult r = experiments::run_point(
      p, {.threads = threads,
          .min_depth_max_n = min_depth_max_n,
          .probe_threads = probe_threads,
          .depth_curve = depth_curve});
  return experiments::to_json(r.row).dump();
}

void bind_sweep_run(py::module_& s) {
  py::class_<Sweep>(s, "SweepRun", "experiments/sweep_run.hpp's SweepRun (dfsim.distributed)")
      .def(py::init([](const std::vector<std::string>& variants, const std::vector<std::size_t>& sizes,
                       std::size_t d, const std::string& preset, const std::vector<std::string>& precision,
                       std::uint64_t seed, unsigned threads, std::size_t min_depth_max_n,
                       std::size_t depth_curve, const std::optional<std::string>& out, bool fresh,
                       const std::vector<std::string>& causal, const std::vector<std::size_t>& decode,
                       unsigned heads, const std::vector<unsigned>& kv_heads,
                       const std::vector<unsigned>& lanes) {
             const Axes axes{.precisions = precision, .causal = causal, .decode = decode,
                             .heads = heads, .kv_heads = kv_heads, .lanes = lanes};
             return std::make_unique<Sweep>(make_plan(variants, sizes, d, preset, axes, seed,
                                                      threads, min_depth_max_n, depth_curve),
                                            out, fresh);
           }),
           py::arg("variants"), py::arg("sizes"), py::arg("d"), py::arg("preset"),
           py::arg("precision"), py::arg("seed"), py::arg("threads"), py::arg("min_depth_max_n"),
           py::arg("depth_curve"), py::arg("out"), py::arg("fresh"),
           py::arg("causal") = std::vector<std::string>{"none"},
           py::arg("decode") = std::vector<std::size_t>{0}, py::arg("heads") = 1u,
           py::arg("kv_heads") = std::vector<unsigned>{0},
           py::arg("lanes") = std::vector<unsigned>{1})
      .def("pending",
           [](const Sweep& w) {
             std::vector<std::string> list;
             for (const auto& p : w.run->pending()) list.push_back(experiments::to_json(p).dump());
             return list;
           })
      .def_property_readonly("resumed", [](const Sweep& w) { return w.run->resumed(); })
      .def_property_readonly("points_run", [](const Sweep& w) { return w.run->points_run(); })
      .def("start", [](Sweep& w, std::size_t task) { w.run->start(task); })
      .def("set_running",
           [](Sweep& w, std::size_t running) { w.run->progress().set_running(running); })
      .def("finish",
           [](Sweep& w, std::size_t task, const std::string& row) {
             return w.run->finish(task, experiments::row_from_json(json::parse(row)));
           })
      .def("fail",
           [](Sweep& w, std::size_t task, const std::string& error) {
             return w.run->finish(task, experiments::error_row(w.run->pending().at(task), error));
           })
      .def("close", [](Sweep& w, const std::optional<std::string>& signal) { return w.run->close(signal); },
           py::arg("signal") = std::nullopt)
      .def("document", [](const Sweep& w) { return to_python(w.run->document()); })
      .def("config", [](const Sweep& w) { return to_python(experiments::to_json(w.run->plan())); })
      .def("run_in_process",
           [](Sweep& w, unsigned workers, const py::object& progress) {
             auto options = experiments::point_options(w.run->plan());
             experiments::InProcessOptions in{.workers = workers};
             if (!progress.is_none())
               in.on_point = [&progress](const experiments::Row&, const std::string& line) {
                 py::gil_scoped_acquire locked;
                 try {
                   progress(line);
                 } catch (const py::error_already_set&) {
                   // A progress line that could not be shown stops nothing.
                 }
               };
             py::gil_scoped_release unlocked;
             return experiments::run_in_process(*w.run, options, in);
           },
           py::arg("workers") = 1, py::arg("progress") = py::none())
      .def("release", [](Sweep& w) { w.lock.reset(); });
}

}  // namespace

void bind_sweep(py::module_& m) {
  static py::handle folder_in_use =
      py::exception<experiments::FolderInUse>(m, "FolderInUse", PyExc_RuntimeError).release();
  folder_in_use.attr("__doc__") =
      "Another sweep (another process) is writing the same folder; nothing was written.";
  py::module_ s = m.attr("sdpa").cast<py::module_>();
  bind_sweep_run(s);
  s.def("run_point", &run_point, py::arg("point"), py::arg("threads"), py::arg("min_depth_max_n"),
        py::arg("probe_threads"), py::arg("depth_curve"));
  s.def("summary_table", [](const std::string& results) {
    return experiments::summary_table(json::parse(results));
  });
  s.attr("columns") = experiments::columns();
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
