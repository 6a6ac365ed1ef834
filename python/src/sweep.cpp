// dfsim.sdpa.sweep and dfsim.distributed (python/dfsim/): experiments/sweep_run.hpp's SweepRun,
// the one sweep implementation of the command line's too. Plans, points, a point's work and
// rows cross as JSON text (sweep.hpp's to_json and *_from_json): what the command line hands
// over and what a Dask task takes and returns, so a field added to them needs nothing here.
// Every run releases the GIL.
#include <pybind11/stl.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <exception>
#include <mutex>
#include <optional>
#include <thread>

#include "bindings.hpp"
#include "dfsim/experiments/min_depth.hpp"
#include "dfsim/experiments/report.hpp"
#include "dfsim/experiments/result_folder.hpp"
#include "dfsim/experiments/row.hpp"
#include "dfsim/experiments/sweep.hpp"
#include "dfsim/experiments/sweep_run.hpp"

namespace py = pybind11;
using json = nlohmann::ordered_json;

namespace dfsim::python {
namespace {

experiments::SweepPlan plan_arg(const std::string& plan) {
  json config;
  try {
    config = json::parse(plan);
  } catch (const json::parse_error& e) {
    throw std::invalid_argument("a sweep plan is JSON text, as results.json's config: " +
                                std::string(e.what()));
  }
  return experiments::plan_from_json(config);
}

experiments::Point point_arg(const std::string& point) {
  return experiments::point_from_json(json::parse(point));
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

// run_in_process on a thread of its own while this (Python's) thread waits for it with the GIL
// released, taking the GIL every tenth of a second to run Python's signal handlers: Ctrl-C
// (KeyboardInterrupt) stops the points at their next run or probe whatever thread they are
// on, their rows "interrupted after ...", and is raised here once they have.
bool run_in_process(Sweep& w, unsigned workers, const py::object& progress) {
  std::atomic<bool> stop{false};
  auto options = experiments::point_options(w.run->plan());
  options.stop = [&stop] { return stop.load(); };
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
  std::optional<py::error_already_set> signal_error;
  std::exception_ptr failure;
  bool whole = false, done = false;
  std::mutex mutex;
  std::condition_variable ended;
  {
    py::gil_scoped_release unlocked;
    std::thread runner([&] {
      try {
        whole = experiments::run_in_process(*w.run, options, in);
      } catch (...) {
        failure = std::current_exception();
      }
      std::lock_guard lock(mutex);
      done = true;
      ended.notify_all();
    });
    std::unique_lock lock(mutex);
    while (!ended.wait_for(lock, std::chrono::milliseconds(100), [&] { return done; })) {
      if (stop) continue;
      lock.unlock();
      {
        py::gil_scoped_acquire locked;
        if (PyErr_CheckSignals() != 0) {
          signal_error.emplace();
          stop = true;
        }
      }
      lock.lock();
    }
    lock.unlock();
    runner.join();
  }
  if (failure) std::rethrow_exception(failure);
  if (signal_error) throw *signal_error;
  return whole;
}

void bind_sweep_run(py::module_& s) {
  py::class_<Sweep>(s, "SweepRun", "experiments/sweep_run.hpp's SweepRun (dfsim.distributed)")
      .def(py::init([](const std::string& plan, const std::optional<std::string>& out, bool fresh) {
             return std::make_unique<Sweep>(plan_arg(plan), out, fresh);
           }),
           py::arg("plan"), py::arg("out"), py::arg("fresh"))
      .def("pending",
           [](const Sweep& w) {
             std::vector<std::string> list;
             for (const auto& p : w.run->pending()) list.push_back(experiments::to_json(p).dump());
             return list;
           })
      .def_property_readonly("resumed", [](const Sweep& w) { return w.run->resumed(); })
      .def_property_readonly("points_run", [](const Sweep& w) { return w.run->points_run(); })
      .def("start", [](Sweep& w, std::size_t task) { w.run->start(task); })
      .def("update",
           [](Sweep& w, std::size_t task, const std::string& row) {
             w.run->update(task, experiments::row_from_json(json::parse(row)));
           })
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
      .def("run_in_process", &run_in_process, py::arg("workers") = 1,
           py::arg("progress") = py::none())
      .def("release", [](Sweep& w) { w.lock.reset(); });
}

// A point's runs in parts (sweep.hpp's begin_point, probe_point, end_point): the tasks of
// dfsim.distributed.
void bind_point_parts(py::module_& s) {
  s.def("begin_point", [](const std::string& point, const std::string& plan) {
    const experiments::Point p = point_arg(point);
    const experiments::PointOptions options = experiments::point_options(plan_arg(plan));
    py::gil_scoped_release unlocked;
    return experiments::to_json(experiments::begin_point(p, options)).dump();
  });
  s.def("probe_point", [](const std::string& point, const std::string& fifo, std::uint64_t depth,
                          Cycle target_cycles) {
    const experiments::Point p = point_arg(point);
    py::gil_scoped_release unlocked;
    return experiments::probe_point(p, fifo, depth, target_cycles).matches;
  });
  s.def(
      "end_point",
      [](const std::string& point, const std::string& plan, const std::string& work,
         const std::map<std::string, std::uint64_t>& depths, std::size_t probes, double seconds,
         const std::string& error, bool interrupted) {
        const experiments::Point p = point_arg(point);
        const experiments::PointOptions options = experiments::point_options(plan_arg(plan));
        // work "": the point's first task never ended (its row says "interrupted before ...").
        experiments::PointWork begun = work.empty()
                                           ? experiments::PointWork{.row = experiments::pending_row(p)}
                                           : experiments::point_work_from_json(json::parse(work));
        begun.interrupted |= interrupted;
        py::gil_scoped_release unlocked;
        experiments::PointResult r = experiments::end_point(
            p, std::move(begun),
            {.depths = depths, .probes = probes, .wall_seconds = seconds, .error = error},
            options);
        return experiments::to_json(r.row).dump();
      },
      py::arg("point"), py::arg("plan"), py::arg("work"), py::arg("depths"), py::arg("probes"),
      py::arg("seconds"), py::arg("error") = "", py::arg("interrupted") = false);
  py::class_<experiments::FifoSearch>(s, "FifoSearch", "min_depth.hpp's FifoSearch: one FIFO's rounds")
      .def(py::init<std::uint64_t>(), py::arg("upper"))
      .def("done", &experiments::FifoSearch::done)
      .def("next", &experiments::FifoSearch::next, py::arg("k"))
      .def("record", &experiments::FifoSearch::record, py::arg("depths"), py::arg("matches"))
      .def("depth", &experiments::FifoSearch::depth);
}

}  // namespace

void bind_sweep(py::module_& m) {
  static py::handle folder_in_use =
      py::exception<experiments::FolderInUse>(m, "FolderInUse", PyExc_RuntimeError).release();
  folder_in_use.attr("__doc__") =
      "Another sweep (another process) is writing the same folder; nothing was written.";
  py::module_ s = m.attr("sdpa").cast<py::module_>();
  bind_sweep_run(s);
  bind_point_parts(s);
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
