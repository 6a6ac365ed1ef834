#pragma once
// The step loop shared by Map, Reduce and Scan (sdpa.md, "One step of a unit"):
//   wait for every input the step reads (peek-next each), dequeue them, compute, write the
//   output(s) stamped (clock after the dequeues) + P, then advance the clock by II.
// The function runs on the peeked elements in place, just before they are dequeued (at the
// same clock, so nobody can tell): no copy per step. This relies on peek's contract that an
// element stays in its channel, where it is, until it is dequeued.
// A Kind says what a step computes and whether it writes:
//   using State; State initial() const; void reset(State&) const;
//   static constexpr bool writes_every_step;
//   writes_every_step:  R step(State&, const In&...) const           (Map, Scan)
//   otherwise:          void step(State&, const In&...) const; R take(State&) const  (Reduce)
#include <array>
#include <cstddef>
#include <optional>
#include <stdexcept>
#include <string>
#include <tuple>
#include <utility>

#include "dfsim/engine/channel.hpp"
#include "dfsim/engine/context.hpp"
#include "dfsim/engine/process.hpp"
#include "dfsim/units/detail/ports.hpp"
#include "dfsim/units/options.hpp"

namespace dfsim::units::detail {

inline constexpr std::size_t kNoInput = static_cast<std::size_t>(-1);

[[noreturn]] void throw_ended_mid_row(const std::string& channel, std::uint64_t row,
                                      std::uint64_t step, std::uint64_t row_length);
[[noreturn]] void throw_ended_early(const std::string& channel, std::uint64_t row,
                                    std::uint64_t rows);
void check_per_row_inputs(const UnitOptions& options, std::size_t inputs, const std::string& unit);

template <class Kind, class... Ins, class... Ports, std::size_t... I>
Process run_steps(Context& ctx, const Kind& kind, const UnitOptions& options,
                  std::tuple<Receiver<Ins>...> ins, std::tuple<Ports...> outs,
                  std::index_sequence<I...>) {
  std::array<bool, sizeof...(Ins)> row_input{};
  for (std::size_t i : options.per_row_inputs) row_input[i] = true;
  // The values a step computes with: the peeked elements themselves (an element stays in
  // its channel, unmoved, until it is dequeued), or the copy a per-row input holds.
  std::tuple<const Ins*...> in{};
  std::tuple<std::optional<Ins>...> held;
  auto senders = all_senders(outs);
  constexpr std::size_t sender_count = std::tuple_size_v<decltype(senders)>;
  const Latency depth{options.timing.latency};
  const Cycle ii = options.timing.initiation_interval;
  const std::uint64_t row_length = options.row_length;
  typename Kind::State state = kind.initial();

  ctx.advance(options.timing.startup_delay);
  for (std::uint64_t row = 0; !options.rows || row < *options.rows; ++row) {
    ctx.advance(options.timing.per_row_delay);
    if (row > 0) kind.reset(state);
    for (std::uint64_t step = 0; step < row_length; ++step) {
      const bool first = step == 0;
      // Peek every input this step reads: the clock moves to the latest of their times, so
      // that all of them are dequeued (and their slots freed) at the same cycle.
      std::size_t ended = kNoInput;
      ((ended == kNoInput && (first || !row_input[I]) &&
                (std::get<I>(in) = co_await std::get<I>(ins).peek()) == nullptr
            ? void(ended = I)
            : void()),
       ...);
      if (ended != kNoInput) {
        const std::string* names[] = {&std::get<I>(ins).name()...};
        if (!first) throw_ended_mid_row(*names[ended], row, step, row_length);
        if (options.rows) throw_ended_early(*names[ended], row, *options.rows);
        co_return;
      }
      if (first) {
        ((row_input[I] ? void(std::get<I>(in) = &std::get<I>(held).emplace(*std::get<I>(in)))
                       : void()),
         ...);
      }
      // Compute from the elements in place, then dequeue them: no clock moves (every one is
      // visible by now) and their slots free together. Then write, stamped clock + P.
      if constexpr (Kind::writes_every_step) {
        auto result = kind.step(state, *std::get<I>(in)...);
        ((first || !row_input[I] ? void(co_await std::get<I>(ins).pop()) : void()), ...);
        if constexpr (sender_count == 1) {
          co_await std::get<0>(senders).push(std::move(result), depth);
        } else {
          co_await credit_all(senders);
          write_ports(outs, std::move(result), depth);
        }
      } else {
        kind.step(state, *std::get<I>(in)...);
        ((first || !row_input[I] ? void(co_await std::get<I>(ins).pop()) : void()), ...);
        if (step + 1 == row_length) {
          if constexpr (sender_count == 1) {
            co_await std::get<0>(senders).push(kind.take(state), depth);
          } else {
            co_await credit_all(senders);
            write_ports(outs, kind.take(state), depth);
          }
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

  template <class... Ends>
  Process operator()(Context& ctx, Ends... ends) const {
    constexpr std::size_t n_in = leading_receivers<Ends...>();
    constexpr std::size_t n_out = sizeof...(Ends) - n_in;
    static_assert(n_out >= 1, "a unit needs at least one output port after its inputs");
    check_options(options_, "unit '" + ctx.name() + "'");
    check_per_row_inputs(options_, n_in, ctx.name());
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
                  "of Senders for a fan-out");
    return run_steps(ctx, kind_, options_, std::make_tuple(std::get<I>(std::move(all))...),
                     std::make_tuple(std::get<n_in + O>(std::move(all))...),
                     std::make_index_sequence<n_in>{});
  }

  Kind kind_;
  UnitOptions options_;
};

}  // namespace dfsim::units::detail
