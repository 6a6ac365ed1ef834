#pragma once
// The step loop shared by Map, Reduce, Scan and the sources (docs/sdpa.md, "One step of a
// unit"): take the inputs the step reads, compute, write the output(s) stamped P after the
// clock at which the writes are issued, then advance the clock by II. Inputs are taken and
// outputs written together or in order (units::Discipline).
// Taken together, the function runs on the peeked elements in place, just before they are
// dequeued (at the same clock, so nobody can tell): no copy per step. This relies on peek's
// contract that an element stays in its channel, where it is, until it is dequeued. Taken in
// order, each input is dequeued into the step's own copy.
// A Kind says what a step computes and whether it writes:
//   using State; State initial() const; void reset(State&) const;
//   static constexpr bool writes_every_step;
//   writes_every_step:  R step(State&, const In&...) const           (Map, Scan, sources)
//   otherwise:          void step(State&, const In&...) const; R take(State&) const  (Reduce)
#include <array>
#include <cstddef>
#include <optional>
#include <stdexcept>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include "dfsim/engine/channel.hpp"
#include "dfsim/engine/context.hpp"
#include "dfsim/engine/process.hpp"
#include "dfsim/units/detail/ports.hpp"
#include "dfsim/units/options.hpp"

namespace dfsim::units::detail {

// The State of a Reduce or a Scan: `init` at the start of every row.
template <class S>
struct StartsEachRowAt {
  using State = S;
  S init;
  State initial() const { return init; }
  void reset(State& s) const { s = init; }
};

// A kind that counts, as a hardware unit beside a row and column counter: its step is
// fn(row, step, in...), the step within the row, from 0 at every row. A source's step (no
// inputs: fn(row, j)) and an indexed Map's (a causal mask compares row and step).
template <class Fn>
struct CountsRowAndStep {
  struct State {
    std::uint64_t row = 0;
    std::uint64_t step = 0;
  };
  static constexpr bool writes_every_step = true;
  Fn fn;
  State initial() const { return {}; }
  void reset(State& s) const { s = {s.row + 1, 0}; }
  template <class... In>
  decltype(auto) step(State& s, const In&... in) const {
    return fn(s.row, s.step++, in...);
  }
};

inline constexpr std::size_t kNoInput = static_cast<std::size_t>(-1);

[[noreturn]] void throw_ended_mid_row(const std::string& channel, std::uint64_t row,
                                      std::uint64_t step, std::uint64_t row_length);
[[noreturn]] void throw_ended_early(const std::string& channel, std::uint64_t row,
                                    std::uint64_t rows);
[[noreturn]] void throw_row_length_zero(const std::string& unit, std::uint64_t row);
void check_per_row_inputs(const UnitOptions& options, std::size_t inputs, std::string_view unit);

// An input taken in order: the popped element moves into the step's copy; at end of stream
// `ended` names the input.
template <class T>
const T* hold(std::optional<T>& copy, std::optional<T>&& popped, std::size_t& ended,
              std::size_t input) {
  if (!popped) {
    ended = input;
    return nullptr;
  }
  return &copy.emplace(std::move(*popped));
}

// What one step writes: a Map's or Scan's step result, a Reduce's take.
template <class Kind, class... Ins>
struct StepResultOf {
  static auto probe() {
    typename Kind::State* state = nullptr;
    const Kind* kind = nullptr;
    if constexpr (Kind::writes_every_step)
      return std::decay_t<decltype(kind->step(*state, std::declval<const Ins&>()...))>{};
    else
      return std::decay_t<decltype(kind->take(*state))>{};
  }
  using type = decltype(probe());
};

// kTogether, kWriteTogether: the disciplines, fixed per instantiation so that the step loop
// tests neither (a runtime test cost the attention units about 11 instructions a step).
template <bool kTogether, bool kWriteTogether, class Kind, class... Ins, class... Ports,
          std::size_t... I, std::size_t... S>
Process run_steps(Context& ctx, const Kind& kind, const UnitOptions& options,
                  std::tuple<Receiver<Ins>...> ins, std::tuple<Ports...> outs,
                  std::index_sequence<I...>, std::index_sequence<S...>) {
  using Result = typename StepResultOf<Kind, Ins...>::type;
  std::array<bool, sizeof...(Ins)> row_input{};
  for (std::size_t i : options.per_row_inputs) row_input[i] = true;
  // The values a step computes with: the peeked elements themselves, or the copies the
  // step holds (an input taken in order, or a per-row input).
  std::tuple<const Ins*...> in{};
  std::tuple<std::optional<Ins>...> held;
  auto senders = all_senders(outs);
  constexpr auto port_of = PortLayout<std::tuple<Ports...>>::port_of();
  constexpr bool kRuntimeFanOut = any_runtime_fan_out<Ports...>;
  SenderGroup group;
  if constexpr (kRuntimeFanOut) group = sender_group(senders);
  const Cycle depth = options.timing.latency;
  const Cycle ii = options.timing.initiation_interval;
  typename Kind::State state = kind.initial();

  ctx.advance(options.timing.startup_delay);
  for (std::uint64_t row = 0; !options.rows || row < *options.rows; ++row) {
    const std::uint64_t row_length =
        options.row_lengths ? options.row_lengths(row) : options.row_length;
    if (row_length == 0) throw_row_length_zero(ctx.name(), row);
    ctx.advance(options.timing.per_row_delay);
    if (row > 0) kind.reset(state);
    for (std::uint64_t step = 0; step < row_length; ++step) {
      const bool first = step == 0;
      // Together: peek every input this step reads (the clock moves to the latest of their
      // times, so that all are dequeued, and their slots freed, at the same cycle). In
      // order: dequeue each into the step's copy, the clock moving for each in turn.
      std::size_t ended = kNoInput;
      if constexpr (kTogether) {
        ((ended == kNoInput && (first || !row_input[I]) &&
                  (std::get<I>(in) = co_await std::get<I>(ins).peek()) == nullptr
              ? void(ended = I)
              : void()),
         ...);
      } else {
        ((ended == kNoInput && (first || !row_input[I])
              ? void(std::get<I>(in) = hold(std::get<I>(held), co_await std::get<I>(ins).pop(),
                                            ended, I))
              : void()),
         ...);
      }
      if (ended != kNoInput) {
        if constexpr (sizeof...(Ins) > 0) {
          const std::string* names[] = {&std::get<I>(ins).name()...};
          if (!first) throw_ended_mid_row(*names[ended], row, step, row_length);
          if (options.rows) throw_ended_early(*names[ended], row, *options.rows);
        }
        co_return;
      }
      if (kTogether && first) {
        ((row_input[I] ? void(std::get<I>(in) = &std::get<I>(held).emplace(*std::get<I>(in)))
                       : void()),
         ...);
      }
      // Compute from the elements (in place, when peeked), then dequeue them: no clock moves
      // (every one is visible by now) and their slots free together.
      std::optional<Result> result;
      if constexpr (Kind::writes_every_step)
        result.emplace(kind.step(state, *std::get<I>(in)...));
      else
        kind.step(state, *std::get<I>(in)...);
      // Each was peeked: pop_now, no suspension point (a co_await per input made every unit's
      // coroutine larger and each pop test again for the element it had just peeked).
      if constexpr (kTogether)
        ((first || !row_input[I] ? void(std::get<I>(ins).pop_now()) : void()), ...);
      if constexpr (!Kind::writes_every_step)
        if (step + 1 == row_length) result.emplace(kind.take(state));
      if (result) {
        // Every output is stamped from the clock at which the writes are issued, now.
        if constexpr (kWriteTogether && (kRuntimeFanOut || sizeof...(S) > 1)) {
          const Cycle stamp = dfsim::detail::rules::stamp_after(
              co_await credit_on_every_sender<kRuntimeFanOut>(senders, group), depth);
          (push_now_each(std::get<S>(senders),
                         element_for<decltype(std::get<S>(senders))>(port_value<port_of[S], Ports...>(*result)),
                         stamp),
           ...);
        } else if constexpr (kRuntimeFanOut) {
          // In order: Sender k of entry e of all_senders(), each waiting for its own credit.
          const Cycle stamp = dfsim::detail::rules::stamp_after(ctx.now(), depth);
          for (std::size_t e = 0, k = 0; e < sizeof...(S);) {
            bool entry_done = false;
            ((e == S ? (k < senders_of(std::get<S>(senders)).size()
                            ? void(co_await senders_of(std::get<S>(senders))[k].push_at(
                                  element_for<decltype(std::get<S>(senders))>(
                                      port_value<port_of[S], Ports...>(*result)),
                                  stamp))
                            : void(entry_done = true))
                     : void()),
             ...);
            if (entry_done) {
              ++e;
              k = 0;
            } else {
              ++k;
            }
          }
        } else {
          // One Sender, or several in order: each waits for its own credit.
          const Cycle stamp = dfsim::detail::rules::stamp_after(ctx.now(), depth);
          (co_await std::get<S>(senders).push_at(
               element_for<decltype(std::get<S>(senders))>(port_value<port_of[S], Ports...>(*result)),
               stamp),
           ...);
        }
      }
      ctx.advance(ii);
    }
  }
}

// The context body of a Map, Reduce or Scan: called as body(ctx, inputs..., ports...).
template <class Kind>
class StepUnit {
 public:
  StepUnit(Kind kind, UnitOptions options) : kind_(std::move(kind)), options_(std::move(options)) {}
  const Kind& kind() const noexcept { return kind_; }
  const UnitOptions& options() const noexcept { return options_; }

  template <class... Ends>
  Process operator()(Context& ctx, Ends... ends) const {
    constexpr std::size_t n_in = leading_receivers<Ends...>();
    constexpr std::size_t n_out = sizeof...(Ends) - n_in;
    static_assert(n_out >= 1, "a unit needs at least one output port after its inputs");
    const std::string who = "unit '" + ctx.name() + "'";
    check_options(options_, who);
    check_per_row_inputs(options_, n_in, who);
    std::tuple<Ends...> all(std::move(ends)...);
    return split(ctx, std::move(all), std::make_index_sequence<n_in>{},
                 std::make_index_sequence<n_out>{});
  }

 private:
  template <class All, std::size_t... I, std::size_t... O>
  Process split(Context& ctx, All all, std::index_sequence<I...>, std::index_sequence<O...>) const {
    constexpr std::size_t n_in = sizeof...(I);
    static_assert((PortTraits<std::tuple_element_t<n_in + O, All>>::is_port && ...),
                  "after the inputs (Receivers) come the output ports: a Sender, or a std::array "
                  "or std::vector of Senders for a fan-out");
    using Ports = std::tuple<std::tuple_element_t<n_in + O, All>...>;
    constexpr std::size_t n_senders = PortLayout<Ports>::senders;
    // Several Senders (a run-time fan-out may have several): the output discipline matters.
    constexpr bool several_senders =
        n_senders > 1 || any_runtime_fan_out<std::tuple_element_t<n_in + O, All>...>;
    auto ins = std::make_tuple(std::get<I>(std::move(all))...);
    auto outs = std::make_tuple(std::get<n_in + O>(std::move(all))...);
    // With one input (one Sender) both disciplines are the same: one instantiation.
    const bool in_order = n_in > 1 && options_.input_discipline == Discipline::in_order;
    const bool write_in_order = several_senders && options_.output_discipline == Discipline::in_order;
    auto start = [&]<bool kTogether, bool kWriteTogether>() {
      return run_steps<kTogether, kWriteTogether>(ctx, kind_, options_, std::move(ins),
                                                  std::move(outs), std::make_index_sequence<n_in>{},
                                                  std::make_index_sequence<n_senders>{});
    };
    if constexpr (n_in > 1 && several_senders) {
      if (in_order) return write_in_order ? start.template operator()<false, false>()
                                          : start.template operator()<false, true>();
      return write_in_order ? start.template operator()<true, false>()
                            : start.template operator()<true, true>();
    } else if constexpr (n_in > 1) {
      return in_order ? start.template operator()<false, true>() : start.template operator()<true, true>();
    } else if constexpr (several_senders) {
      return write_in_order ? start.template operator()<true, false>()
                            : start.template operator()<true, true>();
    } else {
      (void)in_order;
      (void)write_in_order;
      return start.template operator()<true, true>();
    }
  }

  Kind kind_;
  UnitOptions options_;
};

}  // namespace dfsim::units::detail
