#pragma once
// How units see their channel ends: the leading Receivers are inputs, the rest are output
// ports. A port is one Sender, or a std::array (width fixed at compile time) or std::vector
// (width known at run time: the heads that share a K/V source) of Senders that all receive the
// same value (a fan-out). The unit writes a step's outputs together (credit on every output
// first) or in order (units::Discipline).
#include <array>
#include <cstddef>
#include <span>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include "dfsim/engine/channel.hpp"
#include "dfsim/engine/fan_out.hpp"

namespace dfsim::units::detail {

template <class E>
struct IsReceiver : std::false_type {};
template <class T>
struct IsReceiver<Receiver<T>> : std::true_type {};

template <class E>
struct PortTraits {
  static constexpr bool is_port = false;
};
template <class T>
struct PortTraits<Sender<T>> {
  static constexpr bool is_port = true;
  using value_type = T;
};
template <class T, std::size_t K>
struct PortTraits<std::array<Sender<T>, K>> {
  static_assert(K > 0, "a fan-out port needs at least one Sender");
  static constexpr bool is_port = true;
  using value_type = T;
};
// A run-time fan-out stays one entry of all_senders(): its width is not a type.
template <class T>
struct PortTraits<std::vector<Sender<T>>> {
  static constexpr bool is_port = true;
  static constexpr bool runtime_width = true;
  using value_type = T;
};

template <class Port>
constexpr bool is_runtime_fan_out() {
  if constexpr (requires { PortTraits<Port>::runtime_width; })
    return true;
  else
    return false;
}
template <class... Ports>
inline constexpr bool any_runtime_fan_out = (is_runtime_fan_out<Ports>() || ...);

// How many of the leading ends are Receivers (the inputs).
template <class... Ends>
constexpr std::size_t leading_receivers() {
  constexpr bool flags[] = {IsReceiver<Ends>::value..., false};
  std::size_t n = 0;
  while (n < sizeof...(Ends) && flags[n]) ++n;
  return n;
}

// A tuple of references to every Sender of every port, in order.
template <class T>
auto sender_refs(Sender<T>& s) {
  return std::tuple<Sender<T>&>(s);
}
template <class T, std::size_t K>
auto sender_refs(std::array<Sender<T>, K>& a) {
  return std::apply([](auto&... s) { return std::tuple<decltype(s)...>(s...); }, a);
}
template <class T>
auto sender_refs(std::vector<Sender<T>>& v) {
  return std::tuple<std::vector<Sender<T>>&>(v);
}
template <class Ports>
auto all_senders(Ports& ports) {
  return std::apply([](auto&... p) { return std::tuple_cat(sender_refs(p)...); }, ports);
}

// How many entries of all_senders() a port takes (a run-time fan-out: one).
template <class Port>
constexpr std::size_t senders_in_port() {
  if constexpr (requires { std::tuple_size<Port>::value; })
    return std::tuple_size_v<Port>;
  else
    return 1;
}

// For each Sender of all_senders(ports), in order, the index of its port.
template <class Ports>
struct PortLayout;
template <class... P>
struct PortLayout<std::tuple<P...>> {
  static constexpr std::size_t senders = (std::size_t{0} + ... + senders_in_port<P>());
  static constexpr std::array<std::size_t, senders> port_of() {
    std::array<std::size_t, senders> port{};
    std::size_t s = 0, k = 0;
    ((void)(s = fill_port(port, s, senders_in_port<P>(), k++)), ...);
    return port;
  }

 private:
  static constexpr std::size_t fill_port(std::array<std::size_t, senders>& port, std::size_t s,
                                         std::size_t n, std::size_t k) {
    for (std::size_t i = 0; i < n; ++i) port[s + i] = k;
    return s + n;
  }
};

// The element a Sender<T> is given: T made from what its port receives.
template <class SenderRef, class V>
auto element_for(const V& v) {
  using T = typename PortTraits<std::remove_cvref_t<SenderRef>>::value_type;
  return T(v);
}

// What port k receives of a step's result: all of it with one port; component k of a
// tuple-like result with several.
template <std::size_t k, class... Ports, class R>
const auto& port_value(const R& result) {
  if constexpr (sizeof...(Ports) == 1) {
    return result;
  } else {
    static_assert(std::tuple_size_v<R> == sizeof...(Ports),
                  "a unit with several output ports must compute a tuple with one value per port");
    return std::get<k>(result);
  }
}

// With a run-time fan-out among the ports: the Senders of an entry of all_senders(), and every
// Sender's channel in order (gathered once per unit, so a step allocates nothing).
template <class T>
std::span<Sender<T>> senders_of(Sender<T>& s) noexcept {
  return std::span<Sender<T>>(&s, 1);
}
template <class T>
std::span<Sender<T>> senders_of(std::vector<Sender<T>>& v) noexcept {
  return std::span<Sender<T>>(v);
}
// Inlined into the step loop (as push_now_at is): called, it cost an attention graph 5%.
template <class T>
DFSIM_HOT void push_now_each(Sender<T>& s, const T& value, Cycle stamp) noexcept {
  s.push_now_at(value, stamp);
}
template <class T>
DFSIM_HOT void push_now_each(std::vector<Sender<T>>& v, const T& value, Cycle stamp) noexcept {
  push_all(std::span<Sender<T>>(v), value, stamp);
}
// Every Sender of all_senders(), gathered once per unit (so a step's wait allocates nothing).
template <class Senders>
SenderGroup sender_group(Senders& senders) {
  SenderGroup group;
  std::apply([&](auto&... entry) { (group.add(senders_of(entry)), ...); }, senders);
  return group;
}

// co_await on the result: credit on every Sender of all_senders() (an atomic fan-out); with a
// run-time fan-out among the ports, through their group (sender_group).
template <bool kRuntimeFanOut, class Senders>
auto credit_on_every_sender(Senders& senders, const SenderGroup& group) noexcept {
  if constexpr (kRuntimeFanOut)
    return all_credit(group);
  else
    return all_credit(senders);
}

}  // namespace dfsim::units::detail
