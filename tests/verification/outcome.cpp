#include "outcome.hpp"

#include <algorithm>
#include <sstream>
#include <type_traits>

namespace dfsim::verification {
namespace {

template <class T>
std::string text(const T& value) {
  std::ostringstream os;
  if constexpr (std::is_same_v<T, bool>)
    os << (value ? "true" : "false");
  else
    os << value;
  return os.str();
}

template <class T>
std::optional<Difference> differ(const std::string& kind, const std::string& where,
                                 const T& expected, const T& actual) {
  if (expected == actual) return std::nullopt;
  return Difference{kind, where + ": reference " + text(expected) + ", engine " + text(actual)};
}

std::optional<Difference> first_value_difference(const NodeOutcome& e, const NodeOutcome& a) {
  std::size_t n = std::min(e.received.size(), a.received.size());
  for (std::size_t i = 0; i < n; ++i)
    if (e.received[i] != a.received[i])
      return Difference{"node.received", e.name + " value " + std::to_string(i) +
                                             ": reference " + text(e.received[i]) +
                                             ", engine " + text(a.received[i])};
  if (e.received.size() != a.received.size())
    return Difference{"node.received", e.name + " received " + text(e.received.size()) +
                                           " values in the reference, " +
                                           text(a.received.size()) + " in the engine"};
  return std::nullopt;
}

}  // namespace

std::optional<Difference> first_difference(const Outcome& e, const Outcome& a) {
  if (auto d = differ("status", "status", e.status, a.status)) {
    if (!a.failure.empty()) d->text += " (" + a.failure + ")";
    return d;
  }
  if (e.nodes.size() != a.nodes.size() || e.channels.size() != a.channels.size())
    return Difference{"shape", "the outcomes have different numbers of nodes or channels"};
  // Values first: a wrong value explains later timing differences, not the other way round.
  for (std::size_t i = 0; i < e.nodes.size(); ++i)
    if (auto d = first_value_difference(e.nodes[i], a.nodes[i])) return d;
  for (std::size_t i = 0; i < e.channels.size(); ++i) {
    const ChannelOutcome& ec = e.channels[i];
    const ChannelOutcome& ac = a.channels[i];
    if (auto d = differ("channel.elements", ec.name + " elements", ec.elements, ac.elements))
      return d;
  }
  for (std::size_t i = 0; i < e.nodes.size(); ++i) {
    const NodeOutcome& en = e.nodes[i];
    const NodeOutcome& an = a.nodes[i];
    if (auto d = differ("node.finished", en.name + " finished", en.finished, an.finished)) return d;
    if (auto d = differ("node.final_clock", en.name + " final clock", en.final_clock,
                        an.final_clock))
      return d;
    if (auto d = differ("node.starved", en.name + " starved cycles", en.starved, an.starved))
      return d;
    if (auto d = differ("node.backpressured", en.name + " back-pressured cycles",
                        en.backpressured, an.backpressured))
      return d;
  }
  if (auto d = differ("elapsed", "elapsed cycles", e.elapsed, a.elapsed)) return d;
  for (std::size_t i = 0; i < e.channels.size(); ++i) {
    const ChannelOutcome& ec = e.channels[i];
    const ChannelOutcome& ac = a.channels[i];
    if (auto d = differ("channel.peak_occupancy", ec.name + " peak occupancy", ec.peak_occupancy,
                        ac.peak_occupancy))
      return d;
  }
  if (e.blocked.size() != a.blocked.size())
    return Difference{"blocked.count", "blocked contexts: reference " + text(e.blocked.size()) +
                                           ", engine " + text(a.blocked.size())};
  for (std::size_t i = 0; i < e.blocked.size(); ++i) {
    const BlockedOutcome& eb = e.blocked[i];
    const BlockedOutcome& ab = a.blocked[i];
    std::string who = "blocked #" + std::to_string(i) + " (" + eb.context + ")";
    if (auto d = differ("blocked.context", who + " context", eb.context, ab.context)) return d;
    if (auto d = differ("blocked.clock", who + " clock", eb.clock, ab.clock)) return d;
    if (auto d = differ("blocked.operation", who + " operation", eb.operation, ab.operation))
      return d;
    if (auto d = differ("blocked.channel", who + " channel", eb.channel, ab.channel)) return d;
    if (auto d = differ("blocked.channel_state", who + " channel state", eb.channel_state,
                        ab.channel_state))
      return d;
    if (auto d = differ("blocked.other_end", who + " other end", eb.other_end, ab.other_end))
      return d;
    if (auto d = differ("blocked.other_end_finished", who + " other end finished",
                        eb.other_end_finished, ab.other_end_finished))
      return d;
  }
  return std::nullopt;
}

std::string describe(const Outcome& o) {
  std::ostringstream os;
  os << "  status " << o.status << ", elapsed " << o.elapsed << '\n';
  if (!o.failure.empty()) os << "  failure: " << o.failure << '\n';
  for (const NodeOutcome& n : o.nodes) {
    os << "  " << n.name << ": clock " << n.final_clock << (n.finished ? "" : " (blocked)")
       << ", starved " << n.starved << ", back-pressured " << n.backpressured;
    if (!n.received.empty()) os << ", received " << n.received.size() << " values";
    os << '\n';
  }
  for (const ChannelOutcome& c : o.channels)
    os << "  " << c.name << ": " << c.elements << " elements, peak " << c.peak_occupancy << '\n';
  for (const BlockedOutcome& b : o.blocked)
    os << "  blocked " << b.context << " at " << b.clock << ": " << b.operation << " '"
       << b.channel << "' (" << b.channel_state << "), other end '" << b.other_end << "'"
       << (b.other_end_finished ? " finished" : "") << '\n';
  return os.str();
}

}  // namespace dfsim::verification
