#pragma once
// A configuration ready to simulate: the config, what it resolves to, its inputs (one Tensors
// per head) and how many engine threads run it; and its JSON (the "config" object of
// `dfsim sdpa --json` and `dfsim sdpa-min-depth --json`, docs/outputs.md).
//
//   RunSetup s = make_setup({.variant = sdpa::Variant::naive, .n = 64},
//                        random_inputs(64, 1, /*heads=*/1, /*seed=*/1, /*scale=*/1.0));
//   nlohmann::ordered_json j = config_json(s);   // j["variant"] == "naive"
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "dfsim/experiments/arguments.hpp"
#include "dfsim/experiments/inputs.hpp"
#include "dfsim/sdpa/attention.hpp"

namespace dfsim::experiments {

struct RunSetup {
  sdpa::AttentionConfig config;
  sdpa::ResolvedConfig resolved;
  std::vector<sdpa::Tensors> inputs;
  std::string inputs_text;  // for people: "random, uniform in [-1, 1) (seed 1)" or the files read
  unsigned threads = 1;     // engine worker threads (0: one per hardware thread)
};

// Resolves `config` (sdpa::resolve: std::invalid_argument for a bad one) and pairs it with
// `inputs`, whose n and d must be the config's (the caller reads them from the files first).
RunSetup make_setup(const sdpa::AttentionConfig& config, Inputs inputs, unsigned threads = 1);

// Keys in a reading order: variant, n, d, precision, causal, decode_rows, preset, heads,
// kv_heads, lanes, threads, unbounded, inputs,
// max_initiation_interval, depths (resolved; "unbounded" for none), units (resolved timing).
nlohmann::ordered_json config_json(const RunSetup& setup);

// "naive, N = 64, d = 1, fp64, preset one-cycle, 1 head": one line for people.
std::string config_line(const sdpa::AttentionConfig& config);

// "unbounded" or the number.
std::string capacity_text(const std::optional<std::uint64_t>& capacity);

}  // namespace dfsim::experiments
