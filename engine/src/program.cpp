#include "dfsim/engine/program.hpp"

#include <set>
#include <stdexcept>

#include "dfsim/engine/errors.hpp"

namespace dfsim {

namespace {
std::string join_problems(const std::vector<std::string>& problems) {
  std::string text = "the graph cannot run (" + std::to_string(problems.size()) +
                     (problems.size() == 1 ? " problem" : " problems") + "):";
  for (const auto& p : problems) text += "\n  - " + p;
  return text;
}
}  // namespace

GraphError::GraphError(std::vector<std::string> problems)
    : std::invalid_argument(join_problems(problems)), problems_(std::move(problems)) {}

namespace detail {
void EndBinder::missing(const char* which) const {
  problems->push_back("context '" + ctx->name + "' was given an empty " + which +
                      " end (moved from already? each channel end goes to exactly one context)");
}
void EndBinder::twice(const ChannelCore& ch, const char* which, const ContextCore& first) const {
  problems->push_back("channel '" + ch.name() + "' has two " + which + "s: '" + first.name +
                      "' and '" + ctx->name + "'");
}
}  // namespace detail

Program::Program() = default;
Program::~Program() {
  // Coroutine frames hold channel ends and may reference bodies: destroy them first.
  for (auto& node : contexts_) node->process = Process{};
}
Program::Program(Program&&) noexcept = default;
Program& Program::operator=(Program&&) noexcept = default;

Scope Program::scope(std::string prefix) { return Scope(*this, std::move(prefix)); }

detail::ContextNode& Program::new_context(std::string name) {
  if (name.empty()) problems_.push_back("a context has an empty name");
  if (!context_names_.insert(name).second)
    problems_.push_back("two contexts are named '" + name + "'");
  auto node = std::make_unique<detail::ContextNode>();
  detail::ContextCore& core = core_of(node->context);
  core.name = std::move(name);
  core.index = contexts_.size();
  contexts_.push_back(std::move(node));
  return *contexts_.back();
}

void Program::check_channel(const std::string& name, const ChannelOptions& options) {
  if (name.empty()) problems_.push_back("a channel has an empty name");
  if (!channel_names_.insert(name).second)
    problems_.push_back("two channels are named '" + name + "'");
  if (options.capacity && *options.capacity == 0)
    problems_.push_back("channel '" + name +
                        "' has capacity 0: give it at least 1, or dfsim::unbounded");
  if (options.capacity && *options.capacity > detail::kMaxCapacity)
    problems_.push_back("channel '" + name + "' has capacity " +
                        std::to_string(*options.capacity) +
                        ": a bounded channel reserves its slots up front, at most " +
                        std::to_string(detail::kMaxCapacity) +
                        "; make it unbounded, which grows as it fills");
  if (options.latency == 0)
    problems_.push_back("channel '" + name + "' has latency 0: latencies are at least 1 cycle");
  if (options.response_latency == 0)
    problems_.push_back("channel '" + name +
                        "' has response latency 0: latencies are at least 1 cycle");
}

std::vector<std::string> Program::problems() const {
  std::vector<std::string> all = problems_;
  for (const auto& ch : channels_) {
    if (ch->sender == nullptr)
      all.push_back("channel '" + ch->name() + "' has no sender: hand its Sender to a context" +
                    (ch->receiver ? " (its receiver is '" + ch->receiver->name + "')" : ""));
    if (ch->receiver == nullptr)
      all.push_back("channel '" + ch->name() + "' has no receiver: hand its Receiver to a context" +
                    (ch->sender ? " (its sender is '" + ch->sender->name + "')" : ""));
  }
  if (ran_) all.push_back("this program has already run: build a new one for another run");
  return all;
}

void Program::validate() const {
  auto all = problems();
  if (!all.empty()) throw GraphError(std::move(all));
}

void Program::mark_run() { ran_ = true; }

}  // namespace dfsim
