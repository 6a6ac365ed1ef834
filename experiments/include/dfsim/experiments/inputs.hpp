#pragma once
// Q, K and V for every head: random from a seed, or read from a folder of .npy files with the
// folder conventions of `dfsim sdpa --inputs DIR` (docs/outputs.md):
//   DIR/q.npy, k.npy, v.npy        one set for every head
//   DIR/q0.npy, k0.npy, v0.npy, q1.npy, ...   one set per head (when DIR/q0.npy exists);
//     with kv_heads K/V heads (grouped-query), k<g>.npy and v<g>.npy for g < kv_heads, read by
//     heads g * heads / kv_heads to (g + 1) * heads / kv_heads - 1
// Every file must be N x d like q's, and finite unless allow_non_finite.
//
//   Inputs in = load_inputs("data", /*heads=*/2, /*allow_non_finite=*/false);
//   // in.tensors.size() == 2, in.text == "data/q.npy, k.npy, v.npy (the same for every head)"
#include <cstdint>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

#include "dfsim/sdpa/attention.hpp"

namespace dfsim::experiments {

struct Inputs {
  std::vector<sdpa::Tensors> tensors;  // one per head
  std::string text;                    // what they are, for people
};

// A folder or file that cannot be used: what() names the file and the fix (the messages of
// `--inputs`, which they are meant for). A std::invalid_argument: nothing was simulated.
class InputError : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

// Throws InputError (unreadable, wrong shape, empty, non-finite, heads that differ) and
// std::invalid_argument from sdpa::check_memory (inputs too large for this machine).
Inputs load_inputs(const std::filesystem::path& dir, unsigned heads, bool allow_non_finite,
                   unsigned kv_heads = 0);

// Head h from seed + h (sdpa::random_tensors), uniform in [-scale, scale); with decode_rows,
// that many query rows against n keys (sdpa::AttentionConfig::decode_rows). With kv_heads
// (grouped-query, sdpa::AttentionConfig::kv_heads) head h takes the K and V of the first head
// of its stream, h - h mod (heads / kv_heads).
Inputs random_inputs(std::size_t n, std::size_t d, unsigned heads, std::uint64_t seed,
                     double scale, std::size_t decode_rows = 0, unsigned kv_heads = 0);

}  // namespace dfsim::experiments
