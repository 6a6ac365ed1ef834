// Q, K, V for every head: random, or from a folder of .npy files (inputs.hpp).
#include "dfsim/experiments/inputs.hpp"

#include <fmt/core.h>

#include "dfsim/sdpa/npy.hpp"

namespace dfsim::experiments {
namespace {

namespace fs = std::filesystem;

// read_npy, with an unusable file an input error (nothing was simulated).
sdpa::Matrix read_input(const fs::path& file) {
  try {
    return sdpa::read_npy(file);
  } catch (const std::runtime_error& e) {
    throw InputError(e.what());
  }
}

// NaN or inf in Q, K or V would flow through every unit into the outputs, where it looks like an
// overflow of exp; refused here, naming the value, unless the user asked for exactly that.
void check_finite(const sdpa::Matrix& m, const fs::path& file, bool allow_non_finite) {
  if (allow_non_finite) return;
  if (auto bad = sdpa::find_non_finite(m))
    throw InputError(fmt::format(
        "{}: {}; Q, K and V must be finite: fix the file, or pass --allow-non-finite to "
        "simulate it as it is",
        file.string(), sdpa::to_string(*bad)));
}

sdpa::Matrix read_checked(const fs::path& file, std::size_t n, std::size_t d,
                          bool allow_non_finite) {
  sdpa::Matrix m = read_input(file);
  if (m.rows != n || m.cols != d)
    throw InputError(
        fmt::format("{}: shape ({}, {}) does not match q's ({}, {}): Q, K and V must "
                    "all be N x d",
                    file.string(), m.rows, m.cols, n, d));
  check_finite(m, file, allow_non_finite);
  return m;
}

void check_folder(const fs::path& dir) {
  if (!fs::is_directory(dir))
    throw InputError("--inputs '" + dir.string() +
                     "' is not a directory (it must hold q.npy, "
                     "k.npy and v.npy)");
  if (!fs::exists(dir / "q0.npy") && !fs::exists(dir / "q.npy"))
    throw InputError(
        "--inputs '" + dir.string() +
        "' holds neither q.npy (one set of Q, K, V for "
        "every head) nor q0.npy (one set per head: q0.npy, k0.npy, v0.npy, q1.npy, ...)");
}

// One head's Q from DIR/q<suffix>.npy, its K and V from DIR/k<kv_suffix>.npy, v<kv_suffix>.npy.
sdpa::Tensors read_head(const fs::path& dir, const std::string& suffix,
                        const std::string& kv_suffix, unsigned heads, bool first,
                        bool allow_non_finite) {
  const fs::path q_file = dir / ("q" + suffix + ".npy");
  sdpa::Matrix q = read_input(q_file);
  if (q.rows == 0 || q.cols == 0)
    throw InputError(fmt::format("{}: shape ({}, {}) is empty: N and d must be at least 1",
                                 q_file.string(), q.rows, q.cols));
  if (first) sdpa::check_memory(q.rows, q.cols, heads);  // before copies for every head
  check_finite(q, q_file, allow_non_finite);
  sdpa::Matrix k = read_checked(dir / ("k" + kv_suffix + ".npy"), q.rows, q.cols, allow_non_finite);
  sdpa::Matrix v = read_checked(dir / ("v" + kv_suffix + ".npy"), q.rows, q.cols, allow_non_finite);
  return {.n = q.rows,
          .d = q.cols,
          .q = std::move(q.values),
          .k = std::move(k.values),
          .v = std::move(v.values)};
}

}  // namespace

Inputs load_inputs(const fs::path& dir, unsigned heads, bool allow_non_finite, unsigned kv_heads) {
  check_folder(dir);
  const bool per_head = fs::exists(dir / "q0.npy");
  const unsigned per_stream = kv_heads && heads % kv_heads == 0 ? heads / kv_heads : 1;
  Inputs in;
  for (unsigned h = 0; h < heads; ++h) {
    if (!per_head && h > 0) {
      in.tensors.push_back(in.tensors.front());
      continue;
    }
    const std::string suffix = per_head ? std::to_string(h) : "";
    const std::string kv_suffix = per_head ? std::to_string(h / per_stream) : "";
    sdpa::Tensors t = read_head(dir, suffix, kv_suffix, heads, h == 0, allow_non_finite);
    if (!in.tensors.empty() && (t.n != in.tensors.front().n || t.d != in.tensors.front().d))
      throw InputError(fmt::format("{}: every head must have the same N and d as head 0 ({} x {})",
                                   (dir / ("q" + suffix + ".npy")).string(),
                                   in.tensors.front().n, in.tensors.front().d));
    in.tensors.push_back(std::move(t));
  }
  in.text = per_head && per_stream > 1
                ? fmt::format("{}/q<h>.npy (one per head), k<g>.npy, v<g>.npy (one per K/V head)",
                              dir.string())
            : per_head
                ? fmt::format("{}/q<h>.npy, k<h>.npy, v<h>.npy (one set per head)", dir.string())
                : fmt::format("{}/q.npy, k.npy, v.npy{}", dir.string(),
                              heads > 1 ? " (the same for every head)" : "");
  return in;
}

Inputs random_inputs(std::size_t n, std::size_t d, unsigned heads, std::uint64_t seed,
                     double scale, std::size_t decode_rows, unsigned kv_heads) {
  const unsigned per_stream = kv_heads && heads % kv_heads == 0 ? heads / kv_heads : 1;
  Inputs in;
  for (unsigned h = 0; h < heads; ++h) {
    in.tensors.push_back(sdpa::random_tensors(n, d, seed + h, scale, decode_rows));
    if (h % per_stream == 0) continue;
    const sdpa::Tensors& stream = in.tensors[h - h % per_stream];
    in.tensors.back().k = stream.k;
    in.tensors.back().v = stream.v;
  }
  in.text = fmt::format("random, uniform in [-{0}, {0}) (seed {1}{2}{3})", scale, seed,
                        heads > 1 ? "; head h: seed + h" : "",
                        per_stream > 1 ? fmt::format("; K, V of head h: head h - h mod {}'s",
                                                     per_stream)
                                       : "");
  return in;
}

}  // namespace dfsim::experiments
