#pragma once
// Describe, then run: a Program is built from named channels and contexts, validated as a
// whole, and handed once to an executor (dfsim::run).
//
//   Program g;
//   auto [x_out, x_in] = g.channel<int>("x", {.capacity = 2});
//   g.add("src", [](Context& ctx, Sender<int> out) -> Process {
//     for (int v : {1, 2, 3}) co_await out.push(v);
//   }, std::move(x_out));
//   g.add("sink", units::collect(results), std::move(x_in));   // ready-made: dfsim/units.hpp
//   RunResult r = run(g);
#include <array>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <type_traits>
#include <unordered_set>
#include <utility>
#include <vector>

#include "dfsim/engine/channel.hpp"
#include "dfsim/engine/context.hpp"
#include "dfsim/engine/process.hpp"

namespace dfsim {

class Scope;

namespace detail {

// Ties channel ends handed to a context to that context, recording misuse as problems.
struct EndBinder {
  ContextCore* ctx;
  std::vector<std::string>* problems;

  template <class T>
  void operator()(Sender<T>& end) const {
    bind(end, "sender", &ChannelCore::sender, ctx->outputs);
  }
  template <class T>
  void operator()(Receiver<T>& end) const {
    bind(end, "receiver", &ChannelCore::receiver, ctx->inputs);
  }
  template <class E, class A>
  void operator()(std::vector<E, A>& ends) const {
    for (auto& e : ends) (*this)(e);
  }
  template <class E, std::size_t N>
  void operator()(std::array<E, N>& ends) const {
    for (auto& e : ends) (*this)(e);
  }
  template <class Other>
  void operator()(Other&) const {}  // plain parameters: sizes, functions, options

  template <class T>
  static Sender<T> make_sender(ChannelState<T>* ch) { return Sender<T>(ch); }
  template <class T>
  static Receiver<T> make_receiver(ChannelState<T>* ch) { return Receiver<T>(ch); }

  // Each end once: this context becomes the channel's `side` (its sender or receiver) and
  // lists the channel among its outputs or inputs.
  template <class T>
  void bind(ChannelEnd<T>& end, const char* which, ContextCore* ChannelCore::*side,
            std::vector<ChannelCore*>& channels) const {
    if (!end.ch_) return missing(which);
    ChannelCore* ch = end.ch_;
    if (ch->*side != nullptr) return twice(*ch, which, *(ch->*side));
    ch->*side = ctx;
    end.ctx_ = ctx;
    channels.push_back(ch);
  }
  void missing(const char* which) const;
  void twice(const ChannelCore& ch, const char* which, const ContextCore& first) const;
};

struct BodyBase {
  virtual ~BodyBase() = default;
};
template <class F>
struct Body final : BodyBase {
  explicit Body(F f) : fn(std::move(f)) {}
  F fn;
};

struct ContextNode {
  Context context;
  // The callable a lambda coroutine's captures live in: it must outlive the coroutine.
  std::unique_ptr<BodyBase> body;
  Process process;
};

}  // namespace detail

class Program {
 public:
  Program();
  ~Program();
  Program(Program&&) noexcept;
  Program& operator=(Program&&) noexcept;

  // A channel named `name` (dotted names like "head0.long" group channels for people).
  template <class T>
  std::pair<Sender<T>, Receiver<T>> channel(std::string name, ChannelOptions options = {}) {
    check_channel(name, options);
    auto state = std::make_unique<detail::ChannelState<T>>(std::move(name), options.capacity,
                                                           options.latency,
                                                           options.response_latency);
    auto* raw = state.get();
    channels_.push_back(std::move(state));
    return {detail::EndBinder::make_sender(raw), detail::EndBinder::make_receiver(raw)};
  }

  // A context running `body(ctx, args...)`. Channel ends among args (alone, or in a
  // std::vector or std::array) become this context's; the body must return Process.
  template <class F, class... Args>
  Context& add(std::string name, F body, Args&&... args) {
    static_assert(std::is_invocable_r_v<Process, F&, Context&, Args&&...>,
                  "a context body is called as body(Context&, args...) and returns dfsim::Process");
    detail::ContextNode& node = new_context(std::move(name));
    detail::ContextCore& core = core_of(node.context);
    detail::EndBinder bind{&core, &problems_};
    (bind(args), ...);
    auto holder = std::make_unique<detail::Body<F>>(std::move(body));
    node.process = std::invoke(holder->fn, node.context, std::forward<Args>(args)...);
    node.body = std::move(holder);
    core.handle = node.process.handle();
    return node.context;
  }

  Scope scope(std::string prefix);

  // Every problem of the graph, by name; empty when it can run.
  std::vector<std::string> problems() const;
  // Throws GraphError listing every problem.
  void validate() const;

  std::size_t context_count() const noexcept { return contexts_.size(); }
  std::size_t channel_count() const noexcept { return channels_.size(); }

  // ---- for executors ----
  std::span<const std::unique_ptr<detail::ContextNode>> nodes() const noexcept { return contexts_; }
  std::span<const std::unique_ptr<detail::ChannelCore>> channel_states() const noexcept {
    return channels_;
  }
  // A program runs once: its contexts are coroutines that run to completion.
  void mark_run();

 private:
  detail::ContextNode& new_context(std::string name);
  void check_channel(const std::string& name, const ChannelOptions& options);

  std::vector<std::unique_ptr<detail::ChannelCore>> channels_;
  std::vector<std::unique_ptr<detail::ContextNode>> contexts_;
  std::vector<std::string> problems_;
  std::unordered_set<std::string> context_names_, channel_names_;  // to find duplicates
  bool ran_ = false;
};

// Names everything it creates "prefix.name": g.scope("head0").channel<float>("qk").
class Scope {
 public:
  Scope(Program& program, std::string prefix) : program_(&program), prefix_(std::move(prefix)) {}

  template <class T>
  std::pair<Sender<T>, Receiver<T>> channel(const std::string& name, ChannelOptions options = {}) {
    return program_->channel<T>(qualify(name), options);
  }
  template <class F, class... Args>
  Context& add(const std::string& name, F body, Args&&... args) {
    return program_->add(qualify(name), std::move(body), std::forward<Args>(args)...);
  }
  Scope scope(const std::string& name) const { return Scope(*program_, qualify(name)); }
  std::string qualify(const std::string& name) const {
    return prefix_.empty() ? name : prefix_ + "." + name;
  }

 private:
  Program* program_;
  std::string prefix_;
};

}  // namespace dfsim
