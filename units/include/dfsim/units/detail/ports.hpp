#pragma once
// How units see their channel ends: the leading Receivers are inputs, the rest are output
// ports. A port is one Sender, or a std::array of Senders that all receive the same value (a
// fan-out). Writing to all ports of a step is atomic: credit on every output first.
#include <array>
#include <cstddef>
#include <tuple>
#include <type_traits>
#include <utility>

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
template <class Ports>
auto all_senders(Ports& ports) {
  return std::apply([](auto&... p) { return std::tuple_cat(sender_refs(p)...); }, ports);
}

// Writes `v` to a port whose credit is already held.
template <class T, class V>
void write_port(Sender<T>& s, V&& v, Latency depth) {
  s.push_now(T(std::forward<V>(v)), depth);
}
template <class T, std::size_t K, class V>
void write_port(std::array<Sender<T>, K>& a, V&& v, Latency depth) {
  for (std::size_t i = 0; i + 1 < K; ++i) a[i].push_now(T(v), depth);
  a[K - 1].push_now(T(std::forward<V>(v)), depth);
}

// One port: the whole result. Several ports: component k of a tuple-like result to port k.
template <class Ports, class R>
void write_ports(Ports& ports, R&& result, Latency depth) {
  constexpr std::size_t n = std::tuple_size_v<Ports>;
  if constexpr (n == 1) {
    write_port(std::get<0>(ports), std::forward<R>(result), depth);
  } else {
    static_assert(std::tuple_size_v<std::remove_cvref_t<R>> == n,
                  "a unit with several output ports must compute a tuple with one value per port");
    [&]<std::size_t... k>(std::index_sequence<k...>) {
      (write_port(std::get<k>(ports), std::get<k>(std::forward<R>(result)), depth), ...);
    }(std::make_index_sequence<n>{});
  }
}

// co_await on the result: credit on every Sender (an atomic fan-out).
template <class Senders>
auto credit_all(Senders& senders) noexcept {
  return std::apply([](auto&... s) { return all_credit(s...); }, senders);
}

}  // namespace dfsim::units::detail
