#include "differential.hpp"

#include <array>
#include <sstream>
#include <stdexcept>

#include "reference_model.hpp"

namespace dfsim::verification {
namespace {

constexpr std::array<EngineConfig, 5> kConfigs{{
    {"sequential", 1, Placement::automatic},
    {"parallel-2", 2, Placement::automatic},
    {"parallel-4", 4, Placement::automatic},
    {"round-robin-2", 2, Placement::round_robin},
    {"round-robin-4", 4, Placement::round_robin},
}};

}  // namespace

std::span<const EngineConfig> all_configs() { return kConfigs; }
std::span<const EngineConfig> sequential_config() { return std::span(kConfigs).first(1); }

std::vector<EngineConfig> configs_named(const std::string& names) {
  if (names == "all") return {kConfigs.begin(), kConfigs.end()};
  std::vector<EngineConfig> result;
  std::stringstream ss(names);
  std::string name;
  while (std::getline(ss, name, ',')) {
    bool found = false;
    for (const EngineConfig& c : kConfigs)
      if (name == c.name) {
        result.push_back(c);
        found = true;
      }
    if (!found) throw std::invalid_argument("no executor configuration named '" + name + "'");
  }
  return result;
}

std::optional<Mismatch> check_graph(const GraphSpec& g, std::span<const EngineConfig> configs) {
  Outcome reference = run_reference(g);
  Outcome reversed = run_reference(g, {.reverse_order = true});
  if (auto d = first_difference(reference, reversed))
    return Mismatch{"reference.reverse", *d, reference, reversed};
  for (const EngineConfig& config : configs) {
    Outcome engine = run_engine(g, config);
    if (auto d = first_difference(reference, engine))
      return Mismatch{config.name, *d, std::move(reference), std::move(engine)};
  }
  return std::nullopt;
}

std::string report(std::optional<std::uint64_t> seed, const GraphSpec& g, const Mismatch& m) {
  std::ostringstream os;
  if (seed) os << "seed " << *seed << ": ";
  os << m.config << " disagrees with the reference model\n"
     << "first difference (" << m.difference.kind << "): " << m.difference.text << '\n'
     << "graph:\n"
     << describe(g) << "reference:\n"
     << describe(m.reference) << m.config << ":\n"
     << describe(m.engine);
  if (seed) os << "replay: verification_soak --replay " << *seed << '\n';
  return os.str();
}

}  // namespace dfsim::verification
