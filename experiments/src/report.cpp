// report.md of a sweep (report.hpp): conclusions computed from the rows, in words.
#include "dfsim/experiments/report.hpp"

#include <fmt/core.h>
#include <spawn.h>
#include <unistd.h>
#include <sys/wait.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>

#include "dfsim/engine/dot.hpp"
#include "dfsim/experiments/result_folder.hpp"

extern char** environ;

namespace dfsim::experiments {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::ordered_json;
using Points = std::vector<std::pair<double, double>>;  // (N, value), sorted by N

bool is_naive(const std::string& variant) { return variant.rfind("naive", 0) == 0; }

std::optional<double> number(const json& row, const std::string& key) {
  if (!row.contains(key) || !row[key].is_number()) return std::nullopt;
  return row[key].get<double>();
}

Points series(const std::vector<json>& rows, const std::string& variant, const std::string& key) {
  Points pts;
  for (const auto& r : rows)
    if (r["variant"] == variant)
      if (auto v = number(r, key)) pts.emplace_back(r["n"].get<double>(), *v);
  std::sort(pts.begin(), pts.end());
  return pts;
}

struct Fit {
  double a = 0, b = 0, worst_residual = 0;
};
// Least squares y = a x + b; nullopt with fewer than 2 distinct x.
std::optional<Fit> linear_fit(const Points& pts) {
  if (pts.size() < 2) return std::nullopt;
  const double n = static_cast<double>(pts.size());
  double mx = 0, my = 0;
  for (auto [x, y] : pts) mx += x / n, my += y / n;
  double sxx = 0, sxy = 0;
  for (auto [x, y] : pts) sxx += (x - mx) * (x - mx), sxy += (x - mx) * (y - my);
  if (sxx == 0) return std::nullopt;
  Fit f{.a = sxy / sxx};
  f.b = my - f.a * mx;
  for (auto [x, y] : pts) f.worst_residual = std::max(f.worst_residual, std::fabs(y - (f.a * x + f.b)));
  return f;
}

std::optional<double> loglog_slope(const Points& pts) {
  Points logs;
  for (auto [x, y] : pts)
    if (x > 0 && y > 0) logs.emplace_back(std::log(x), std::log(y));
  auto fit = linear_fit(logs);
  return fit ? std::optional(fit->a) : std::nullopt;
}

// As a person reads it: integers whole, others to 4 significant digits.
std::string num(double v) {
  if (v == std::floor(v) && std::fabs(v) < 1e15) return fmt::format("{}", static_cast<long long>(v));
  if (std::fabs(v) >= 1e5 || std::fabs(v) < 1e-3) return fmt::format("{:.2e}", v);
  return fmt::format("{:.4g}", v);
}

std::string cell(const json& row, const std::string& key) {
  if (!row.contains(key) || row[key].is_null()) return "-";
  if (row[key].is_string()) return row[key].get<std::string>();
  if (row[key].is_boolean()) return row[key].get<bool>() ? "true" : "false";
  return num(row[key].get<double>());
}

// The axes beyond variant and N (sweep.hpp's SweepPlan), as the config lists them and the
// rows hold them. A sweep's base slice is every axis at its first value: the rows that
// sections 1 to 4 draw against N, as a sweep without these axes would have.
struct Axis {
  const char* config_key;  // in results.json's config
  const char* row_key;     // in a row
};
constexpr Axis kAxes[] = {{"precision", "precision"}, {"causal", "causal"},
                          {"decode", "decode_rows"}, {"kv_heads", "kv_heads"},
                          {"lanes", "lanes"}};

// An axis' values in the config, as the rows hold them; an older document without the axis
// (or with a single precision string) has one value, which every row holds.
std::vector<json> axis_values(const json& config, const Axis& axis) {
  if (!config.contains(axis.config_key)) return {};
  json list = config[axis.config_key];
  if (!list.is_array()) list = json::array({list});
  std::vector<json> values;
  for (json v : list) {
    // kv_heads 0 stands for "heads": the rows hold the number of streams.
    if (std::string(axis.config_key) == "kv_heads" && v == 0) v = config.value("heads", 1);
    values.push_back(v);
  }
  return values;
}

bool varies(const json& config, const Axis& axis) { return axis_values(config, axis).size() > 1; }

std::vector<json> base_rows(const std::vector<json>& rows, const json& config) {
  std::vector<json> base;
  for (const auto& r : rows) {
    bool in = true;
    for (const Axis& axis : kAxes) {
      const auto values = axis_values(config, axis);
      if (!values.empty() && r.contains(axis.row_key) && r[axis.row_key] != values.front()) in = false;
    }
    if (in) base.push_back(r);
  }
  return base;
}

std::string signed_term(double b) { return fmt::format("{} {:.1f}", b >= 0 ? "+" : "-", std::fabs(b)); }

// The smallest and largest value of a series that is not empty.
std::pair<double, double> value_range(const Points& pts) {
  double lo = pts[0].second, hi = pts[0].second;
  for (auto [x, y] : pts) lo = std::min(lo, y), hi = std::max(hi, y);
  return {lo, hi};
}

std::string growth_words(const Points& pts) {
  if (pts.size() < 2) return "only one size measured";
  auto [n0, y0] = pts.front();
  auto [n1, y1] = pts.back();
  auto [lo, hi] = value_range(pts);
  if (lo == hi) return fmt::format("constant at {} for every N from {} to {}", num(lo), num(n0), num(n1));
  auto slope = loglog_slope(pts);
  auto fit = linear_fit(pts);
  std::string text = fmt::format("{} at N = {} to {} at N = {} (x{:.2f} for x{:.2f} in N; log-log slope {:.2f}",
                                 num(y0), num(n0), num(y1), num(n1), y1 / y0, n1 / n0, slope.value_or(0));
  if (fit) text += fmt::format("; fit {:.3f} N {}", fit->a, signed_term(fit->b));
  text += ")";
  if (slope && *slope > 0.8) return "grows linearly with N: " + text;
  if (hi - lo <= 0.1 * hi) return "is nearly constant: " + text;
  return "grows sub-linearly: " + text;
}

std::string join(const std::vector<std::string>& items, const char* sep) {
  std::string s;
  for (const auto& item : items) s += (s.empty() ? "" : sep) + item;
  return s;
}

std::vector<std::string> memory_conclusions(const std::vector<json>& rows,
                                            const std::vector<std::string>& variants) {
  std::vector<std::string> out;
  for (const auto& v : variants)
    if (auto pts = series(rows, v, "intermediate_memory_elements"); !pts.empty())
      out.push_back(fmt::format("**{}**: intermediate memory {}.", v, growth_words(pts)));
  return out;
}

std::string cycles_line(const std::vector<json>& rows, const std::string& v, const Points& over) {
  std::vector<std::string> ys, ns;
  for (auto [n, y] : over) {
    ys.push_back(num(y));
    ns.push_back(num(n));
  }
  auto [lo, hi] = value_range(over);
  const double top = std::max({0.0, std::fabs(lo), std::fabs(hi)});
  std::string line = fmt::format("**{}**: cycles - II_max N^2 is {} at N = {}", v, join(ys, ", "), join(ns, ", "));
  auto fit = linear_fit(over);
  if (hi - lo <= std::max(2.0, 0.05 * top)) {
    line += ": constant in N, the pipeline's fill and drain only";
  } else if (fit) {
    line += fmt::format(": a fit {:.2f} N {} (largest residual {:.1f} cycles)", fit->a,
                        signed_term(fit->b), fit->worst_residual);
    if (fit->worst_residual <= 0.05 * top + 2) {
      double ii = 1;
      for (const auto& r : rows)
        if (r["variant"] == v) ii = number(r, "ii_max").value_or(1);
      line += fmt::format(", O(N): {:.2f} x II_max x N, the time of about {:.1f} row(s) of N "
                          "elements before the first output", fit->a / ii, fit->a / ii);
    }
  }
  if (Points tps = series(rows, v, "throughput"); !tps.empty()) {
    auto [tmin, tmax] = value_range(tps);
    line += fmt::format("; throughput {:.4f} to {:.4f} of full.", tmin, tmax);
  }
  return line;
}

std::vector<std::string> cycles_conclusions(const std::vector<json>& rows,
                                            const std::vector<std::string>& variants) {
  std::vector<std::string> out;
  for (const auto& v : variants)
    if (auto over = series(rows, v, "overhead_cycles"); !over.empty())
      out.push_back(cycles_line(rows, v, over));
  std::optional<double> worst;
  for (const auto& r : rows)
    if (auto t = number(r, "throughput")) worst = std::min(worst.value_or(*t), *t);
  if (worst)
    out.push_back(fmt::format("Lowest throughput of any run: {:.4f} of full{}", *worst,
                              *worst >= 0.95 ? " - every run is within 5% of II_max N^2." : "."));
  return out;
}

std::vector<std::string> depth_conclusions(const std::vector<json>& rows,
                                           const std::vector<std::string>& variants) {
  std::vector<std::string> out;
  for (const auto& v : variants) {
    if (!is_naive(v)) {
      if (auto pts = series(rows, v, "min_depth_max"); !pts.empty())
        out.push_back(fmt::format("**{}**: the largest minimal depth of any FIFO {}.", v, growth_words(pts)));
      continue;
    }
    Points pts = series(rows, v, "min_depth_long");
    if (pts.empty()) continue;
    std::vector<std::string> items;
    double cmin = 1e300, cmax = -1e300;
    for (auto [n, d] : pts) {
      items.push_back(fmt::format("{} (N + {})", num(d), num(d - n)));
      cmin = std::min(cmin, d - n), cmax = std::max(cmax, d - n);
    }
    std::string line = fmt::format("**{}**: the minimal long-FIFO depth is {}", v, join(items, ", "));
    if (auto fit = linear_fit(pts)) line += fmt::format("; fit {:.3f} N {}", fit->a, signed_term(fit->b));
    line += cmin == cmax ? fmt::format(": N + c with c = {}.", num(cmin))
                         : fmt::format(": N + c with c from {} to {}.", num(cmin), num(cmax));
    out.push_back(line);
  }
  return out;
}

std::vector<std::string> other_checks(const std::vector<json>& rows,
                                      const std::vector<std::string>& variants) {
  std::vector<std::string> out;
  for (const auto& v : variants) {
    std::vector<std::string> differ;
    bool any = false;
    for (const auto& r : rows) {
      auto a = number(r, "cycles"), b = number(r, "unbounded_cycles");
      if (r["variant"] != v || !a || !b) continue;
      any = true;
      if (*a != *b) differ.push_back(fmt::format("N = {}: {} vs {}", num(r["n"].get<double>()), num(*a), num(*b)));
    }
    if (!any) continue;
    out.push_back(fmt::format(
        "**{}**: with the preset's {}FIFO depths the run takes {}", v, is_naive(v) ? "" : "constant ",
        differ.empty() ? std::string("exactly the cycles of the all-unbounded run at every N.")
                       : "different cycles from the unbounded run: " + join(differ, ", ") + "."));
  }
  std::optional<double> largest;
  for (const auto& r : rows)
    if (auto e = number(r, "max_abs_error"); e && std::isfinite(*e)) largest = std::max(largest.value_or(*e), *e);
  if (largest) out.push_back(fmt::format("Largest |output - fp64 reference| over all runs: {:.3g}.", *largest));
  std::vector<std::string> bad;
  for (const auto& r : rows)
    if (r["status"] != "completed") bad.push_back(fmt::format("{} N = {}: {}", r["variant"].get<std::string>(), num(r["n"].get<double>()), cell(r, "status")));
  if (!bad.empty()) out.push_back("Runs that did not complete cleanly: " + join(bad, "; ") + ".");
  return out;
}

std::string bullets(const std::vector<std::string>& items) {
  if (items.empty()) return "- (no data)\n";
  std::string text;
  for (const auto& item : items) text += "- " + item + "\n";
  return text;
}

std::string table(const std::vector<json>& rows, const json& config) {
  std::vector<std::string> keys = {"variant", "n"}, heads = {"variant", "N"};
  for (const Axis& axis : kAxes)
    if (varies(config, axis)) keys.push_back(axis.row_key), heads.push_back(axis.row_key);
  for (const auto& [key, head] : std::vector<std::pair<const char*, const char*>>{
           {"ii_max", "II_max"}, {"cycles", "cycles"}, {"ideal_cycles", "ideal"},
           {"throughput", "throughput"}, {"intermediate_memory_elements", "memory (elements)"},
           {"intermediate_memory_bytes", "memory (bytes)"}, {"long_fifo_peak", "long-FIFO peak"},
           {"min_depth_long", "min long depth"}, {"min_depth_max", "deepest min depth"},
           {"max_abs_error", "max abs error"}, {"status", "status"}})
    keys.push_back(key), heads.push_back(head);
  std::string md = "| " + join(heads, " | ") + " |\n|";
  for (std::size_t i = 0; i < heads.size(); ++i) md += "---|";
  md += "\n";
  for (const auto& r : rows) {
    std::vector<std::string> cells;
    for (const auto& key : keys) cells.push_back(cell(r, key));
    md += "| " + join(cells, " | ") + " |\n";
  }
  return md;
}

std::string plot(const fs::path& dir, const char* file, const char* alt, const std::string& why) {
  if (why.empty() && fs::exists(dir / file)) return fmt::format("![{}]({})\n", alt, file);
  return fmt::format("*(plot not drawn: {})*\n", why.empty() ? std::string(file) + " is missing" : why);
}

// One sentence per curve: where the runs deadlock, where full throughput begins, what a depth
// between costs.
std::string curve_sentence(const Row& row) {
  const DepthCurve& c = *row.depth_curve;
  std::optional<std::uint64_t> last_deadlock, first_full;
  const DepthCurvePoint* partial = nullptr;
  const double best = std::max_element(c.points.begin(), c.points.end(), [](const auto& a, const auto& b) {
                        return a.throughput < b.throughput;
                      })->throughput;
  for (const auto& p : c.points) {
    if (p.status == "deadlock") last_deadlock = p.depth;
    if (p.status == "completed" && p.throughput == best && !first_full) first_full = p.depth;
    if (p.status == "completed" && p.throughput < best) partial = &p;
  }
  std::string text = fmt::format("{}, N = {}, FIFO `{}`: ", row.variant, row.n, c.fifo);
  if (last_deadlock) text += fmt::format("deadlocks at depth {} and below; ", *last_deadlock);
  if (first_full) text += fmt::format("full throughput ({:.3f}) from depth {}", best, *first_full);
  if (partial)
    text += fmt::format("; at depth {} the throughput is {:.3f} ({:.0f}% of full)", partial->depth,
                        partial->throughput, 100 * partial->throughput / best);
  return text + ".";
}

// Section 4, when the sweep drew depth curves (--depth-curve): the plot, a sentence per
// variant at its largest N with a curve.
std::string depth_curve_section(const SweepDocument& doc, const fs::path& dir, const std::string& why) {
  std::map<std::string, const Row*> largest;
  for (const Row& r : doc.results)
    if (r.depth_curve && !r.depth_curve->points.empty() &&
        (!largest.count(r.variant) || largest[r.variant]->n < r.n))
      largest[r.variant] = &r;
  if (largest.empty()) return "";
  std::vector<std::string> sentences;
  for (const auto& [variant, row] : largest) sentences.push_back(curve_sentence(*row));
  return "\n## 4. Throughput against one FIFO's depth\n\n" +
         plot(dir, "depth_curve.png", "throughput against the depth of one FIFO", why) +
         "\nEach point is a run at the preset's depths but one FIFO's: the naive graphs' long "
         "FIFO, the reordered graphs' deepest (by minimal depth), from a quarter of its minimal "
         "depth to 1.5 times it (`--depth-curve`). A cross at 0 is a run that deadlocked. It is "
         "what a FIFO shallower than the minimum costs.\n\n" +
         bullets(sentences);
}

// The largest max_abs_error of each variant in each format, over every N and axis; a run
// with inf or NaN outputs says "overflow".
std::string error_section(const std::vector<json>& rows, const json& config,
                          const std::vector<std::string>& variants) {
  std::vector<std::string> formats;
  for (const json& p : axis_values(config, kAxes[0])) formats.push_back(p.get<std::string>());
  if (formats.empty()) return "";
  std::string md = "\n## Error against the fp64 reference, per format\n\nThe largest |output - "
                   "reference| of each variant in each format, over every point of the sweep; the "
                   "reference is softmax(Q K^T / sqrt(d)) V in double precision. fp32 is the "
                   "machine's float; fp16 and bf16 are emulated, every unit's result rounded to "
                   "the format (docs/sdpa.md, \"Precision\"). `overflow`: a run's outputs were "
                   "inf or NaN (the reordered graph without a max overflows once a score passes "
                   "ln of the format's largest value, 11.09 in fp16).\n\n| variant | " +
                   join(formats, " | ") + " |\n|---|";
  for (std::size_t i = 0; i < formats.size(); ++i) md += "---|";
  md += "\n";
  for (const auto& v : variants) {
    std::vector<std::string> cells = {v};
    for (const auto& f : formats) {
      std::optional<double> worst;
      bool overflow = false;
      for (const auto& r : rows)
        if (r["variant"] == v && r.value("precision", std::string()) == f) {
          overflow |= r.value("non_finite", false);
          if (auto e = number(r, "max_abs_error"); e && std::isfinite(*e))
            worst = std::max(worst.value_or(0), *e);
        }
      cells.push_back(overflow ? "overflow" : worst ? fmt::format("{:.3g}", *worst) : "-");
    }
    md += "| " + join(cells, " | ") + " |\n";
  }
  return md;
}

// A measure of a row for an axis' table; nullopt where the row lacks it.
using Measure = std::optional<double> (*)(const json& row);

struct AxisSection {
  Axis axis;
  const char* title;
  const char* plot;
  const char* what;     // the table's measure, in words
  Measure measure;
  const char* text;
};

std::optional<double> cycles_of(const json& r) { return number(r, "cycles"); }
std::optional<double> cycles_per_token(const json& r) {
  auto cycles = number(r, "cycles");
  const double rows = r.value("decode_rows", 0.0) > 0 ? r["decode_rows"].get<double>() : r["n"].get<double>();
  return cycles ? std::optional(*cycles / rows) : std::nullopt;
}
std::optional<double> memory_bytes(const json& r) { return number(r, "intermediate_memory_bytes"); }

const AxisSection kAxisSections[] = {
    {kAxes[1], "Causal masking: every key masked, or the masked keys skipped", "causal.png",
     "cycles", cycles_of,
     "`mask` streams all N^2 keys and writes -inf for j > i; `skip` streams only the keys j <= i, "
     "N (N + 1) / 2 of them, so it takes about half the cycles of `mask` at the same N."},
    {kAxes[2], "Decode: cycles per generated token", "decode.png", "cycles per query row",
     cycles_per_token,
     "A decode point runs B query rows against the N cached keys (B x N keys streamed); 0 is "
     "prefill, N rows. Cycles per query row fall towards II_max x N as the batch fills the "
     "pipeline, whose fill is paid once per run."},
    {kAxes[3], "Shared K/V heads: intermediate memory", "kv_heads.png",
     "intermediate memory (bytes)", memory_bytes,
     "The query heads share this many K/V streams (grouped-query attention; 1: multi-query); a "
     "shared K and V memory fans out to its heads' FIFOs. Intermediate memory is the FIFOs' "
     "between units, every head's."},
    {kAxes[4], "Parallel lanes: cycles", "lanes.png", "cycles", cycles_of,
     "L lanes each take one key per cycle, the lanes' partial states merged once per row: "
     "the ideal is II_max x rows x ceil(N / L)."},
};

// Rows at every axis but `axis` at its base value, at the largest N among them.
std::string axis_section(const AxisSection& a, const std::vector<json>& rows, const json& config,
                         const std::vector<std::string>& variants, const fs::path& dir,
                         const std::string& why) {
  const auto values = axis_values(config, a.axis);
  if (values.size() < 2) return "";
  json base_config = config;
  base_config.erase(a.axis.config_key);
  std::vector<json> slice = base_rows(rows, base_config);
  double largest = 0;
  for (const auto& r : slice) largest = std::max(largest, r["n"].get<double>());
  std::vector<std::string> heads = {"variant"};
  for (const auto& v : values) heads.push_back(fmt::format("{} = {}", a.axis.row_key, csv_cell(v)));
  std::string md = fmt::format("\n## {}\n\n{}\n{}\n\n{} at N = {}:\n\n| {} |\n|", a.title,
                               plot(dir, a.plot, a.title, why), a.text, a.what, num(largest),
                               join(heads, " | "));
  for (std::size_t i = 0; i < heads.size(); ++i) md += "---|";
  md += "\n";
  for (const auto& v : variants) {
    std::vector<std::string> cells = {v};
    for (const auto& value : values) {
      std::string text = "-";
      for (const auto& r : slice)
        if (r["variant"] == v && r["n"].get<double>() == largest && r[a.axis.row_key] == value)
          if (auto m = a.measure(r)) text = num(*m);
      cells.push_back(text);
    }
    md += "| " + join(cells, " | ") + " |\n";
  }
  return md;
}

std::string header(const SweepDocument& doc, const std::vector<std::string>& variants) {
  const json& c = doc.config;
  std::vector<std::string> sizes, axes;
  for (const auto& n : c.value("n", json::array())) sizes.push_back(n.dump());
  for (const Axis& axis : kAxes) {
    std::vector<std::string> values;
    for (const json& v : axis_values(c, axis)) values.push_back(csv_cell(v));
    if (!values.empty()) axes.push_back(fmt::format("{} {}", axis.row_key, join(values, ", ")));
  }
  std::string status = doc.status + (doc.signal ? " (stopped by " + *doc.signal + ")" : "");
  return fmt::format(
      "Variants {}; N = {}; d = {}; {} head(s); {}; timing preset `{}` for the depth runs; "
      "random Q, K, V uniform in [-1, 1) from seed {}. Sweep status: {}{}{}\n",
      join(variants, ", "), join(sizes, ", "), c.value("d", json()).dump(),
      c.value("heads", json(1)).dump(), join(axes, "; "), c.value("preset", std::string("?")),
      c.value("seed", json()).dump(), status,
      doc.wall_seconds ? fmt::format(", {:.1f} s of wall time.", *doc.wall_seconds) : ".",
      doc.dfsim_version.empty() ? "" : " Simulated by dfsim " + doc.dfsim_version + ".");
}

std::vector<std::string> report_variants(const SweepDocument& doc) {
  std::vector<std::string> variants;
  for (const auto& v : doc.config.value("variants", json::array()))
    if (std::any_of(doc.results.begin(), doc.results.end(),
                    [&](const Row& r) { return r.variant == v; }))
      variants.push_back(v.get<std::string>());
  return variants;
}

std::string graph_file(const std::string& variant) { return "graph-" + variant + ".svg"; }

std::string graphs_section(const fs::path& dir, const std::vector<std::string>& variants) {
  std::string md;
  for (const auto& v : variants)
    if (fs::exists(dir / graph_file(v)))
      md += fmt::format("![the {} graph]({})\n\n", v, graph_file(v));
  if (md.empty()) return "";
  return "\n## The graphs\n\nEach variant's units and FIFOs as the engine ran them (N = 4, unit "
         "preset): boxes are contexts with their final clock, edges FIFOs with capacity, "
         "elements and peak occupancy.\n\n" + md;
}

// `dot` on PATH, if any.
std::optional<fs::path> find_dot() {
  const char* path = std::getenv("PATH");
  std::stringstream dirs(path ? path : "");
  for (std::string d; std::getline(dirs, d, ':');)
    if (!d.empty() && ::access((fs::path(d) / "dot").c_str(), X_OK) == 0) return fs::path(d) / "dot";
  return std::nullopt;
}

bool run_dot(const fs::path& dot, const fs::path& in, const fs::path& out) {
  std::vector<std::string> args = {dot.string(), "-Tsvg", in.string(), "-o", out.string()};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = 0;
  if (posix_spawn(&pid, argv[0], nullptr, nullptr, argv.data(), environ) != 0) return false;
  int status = 0;
  while (waitpid(pid, &status, 0) < 0)
    if (errno != EINTR) return false;
  return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

// A picture is a nicety: a variant whose picture cannot be drawn is left out.
void draw_graphs(const fs::path& dir, const std::vector<std::string>& variants) {
  auto dot = find_dot();
  if (!dot) return;
  for (const auto& name : variants) {
    auto variant = sdpa::parse_variant(name);
    if (!variant) continue;
    auto run = sdpa::simulate_attention({.variant = *variant, .n = 4}, {sdpa::random_tensors(4, 1, 1)});
    const fs::path source = dir / ("graph-" + name + ".dot");
    write_atomically(source, to_dot(run.run));
    if (!run_dot(*dot, source, dir / graph_file(name))) fs::remove(dir / graph_file(name));
    fs::remove(source);
  }
}

}  // namespace

SweepDocument sweep_document(const json& j) {
  SweepDocument doc{.config = j.at("config"), .status = j.value("status", std::string())};
  if (j.contains("signal")) doc.signal = j["signal"].get<std::string>();
  if (j.contains("wall_seconds")) doc.wall_seconds = j["wall_seconds"].get<double>();
  doc.dfsim_version = j.value("dfsim_version", std::string());
  for (const auto& r : j.value("results", json::array())) doc.results.push_back(row_from_json(r));
  return doc;
}

SweepDocument read_sweep(const fs::path& dir) {
  std::ifstream in(dir / "results.json");
  if (!in) throw std::runtime_error("cannot read " + (dir / "results.json").string());
  try {
    return sweep_document(json::parse(in));
  } catch (const json::exception& e) {
    throw std::runtime_error((dir / "results.json").string() + " is not a sweep's results: " + e.what());
  }
}

std::string render_report(const SweepDocument& doc, const fs::path& dir, const ReportOptions& options) {
  std::vector<json> all;
  for (const Row& r : doc.results) all.push_back(to_json(r));
  // Sections 1 to 3 and the checks draw against N: the base slice (every axis at its first).
  const std::vector<json> rows = base_rows(all, doc.config);
  const std::vector<std::string> variants = report_variants(doc);
  const std::string& why = options.why_no_plots;
  std::string md = "# Scaled dot-product attention on streaming dataflow: sweep report\n\n";
  md += header(doc, variants) + "\n";
  md += "Every number below was measured by the simulator (`results.csv`, `results.json`); the "
        "sentences are generated from those numbers by dfsim (the experiments layer's report). "
        "Each (variant, N) point is three runs: (1) the preset's FIFO depths, which give the "
        "cycles, the throughput and the error; (2) every FIFO unbounded with the `one-cycle` preset "
        "(every unit at the same rate), whose peak occupancies give the intermediate memory; (3) "
        "a search for each FIFO's smallest depth that keeps the cycles of the unbounded run at "
        "the preset's timing.\n\n";
  md += "## 1. Intermediate memory against N\n\n" + plot(dir, "memory.png", "intermediate memory against N", why);
  md += "\nIntermediate memory is the sum over the FIFOs between units of their peak occupancy "
        "(Q, K and V memories excluded). With every FIFO unbounded and every unit at the same "
        "rate, a FIFO holds what the graph forces it to hold. Both axes are logarithmic: a line "
        "parallel to the dotted y = N grows linearly; a flat line is O(1).\n\n";
  md += bullets(memory_conclusions(rows, variants));
  md += "\n## 2. Cycles against II_max x N^2\n\n" + plot(dir, "cycles.png", "cycles against the ideal", why);
  md += "\nLeft: each run's cycles against the ideal II_max x N^2 (the slowest unit's initiation "
        "interval times the N^2 score elements). Points on the dashed y = x line are at full "
        "throughput. Right: cycles minus the ideal, the time the pipeline takes to fill and "
        "drain. A flat line is a constant fill; a straight rising line is a fill of O(N), e.g. "
        "a graph that must see a whole row before its first output. Either way the extra is "
        "o(N^2), so the throughput tends to 1 as N grows.\n\n";
  md += bullets(cycles_conclusions(rows, variants));
  md += "\n## 3. Minimal FIFO depth against N\n\n" + plot(dir, "min_depth.png", "minimal depth against N", why);
  md += "\nFor the naive graphs: the smallest depth of the long FIFO(s) for which the run takes "
        "as many cycles as with unbounded FIFOs, with the fitted line N + c. Shallower deadlocks "
        "or slows down. For the reordered graphs: the largest minimal depth over all their "
        "FIFOs, which should not depend on N.\n\n";
  md += bullets(depth_conclusions(rows, variants));
  md += depth_curve_section(doc, dir, why);
  md += error_section(all, doc.config, variants);
  for (const AxisSection& a : kAxisSections) md += axis_section(a, all, doc.config, variants, dir, why);
  md += "\n## Other checks\n\n" + bullets(other_checks(rows, variants));
  md += "\n## Results\n\n" + table(all, doc.config);
  md += "\nColumns: memory is run (2)'s intermediate memory; long-FIFO peak is its largest peak "
        "occupancy of a naive long FIFO; min long depth and deepest min depth come from run (3). "
        "Every column of results.csv is explained in docs/outputs.md.\n";
  if (options.graphs) md += graphs_section(dir, variants);
  if (!why.empty())
    md += "\nDraw the plots later with `/usr/bin/python3 scripts/plot_sweep.py " + dir.string() + "`.\n";
  return md;
}

void write_report(const fs::path& dir, const SweepDocument& doc, const ReportOptions& options) {
  if (options.graphs) draw_graphs(dir, report_variants(doc));
  write_atomically(dir / "report.md", render_report(doc, dir, options));
}

}  // namespace dfsim::experiments
