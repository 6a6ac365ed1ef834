#include "reference_model.hpp"

#include <algorithm>
#include <deque>
#include <optional>
#include <span>
#include <stdexcept>
#include <utility>

namespace dfsim::verification {
namespace {

struct Element {
  std::uint64_t value = 0;
  Cycle visible = 0;
};

struct Channel {
  std::string name;
  ChannelSpec spec;
  int sender = 0;
  int receiver = 0;
  std::deque<Element> queue;   // written, not yet dequeued
  std::vector<Cycle> written;  // written[k]: sender's clock when it wrote element k (its t')
  std::vector<Cycle> freed;    // freed[k]: when dequeue k frees its slot
  bool closed = false;         // the sender has returned

  std::uint64_t enqueued() const { return written.size(); }
  std::uint64_t dequeued() const { return freed.size(); }
  bool full_now() const {  // no credit for the next write, whatever the time
    return spec.capacity && enqueued() >= *spec.capacity &&
           dequeued() <= enqueued() - *spec.capacity;
  }
  // docs/semantics.md, enqueue step 1: the free time f of the slot the sender's next write needs
  // (0 while the write needs none); nullopt while the dequeue that frees it has not happened.
  std::optional<Cycle> credit_time() const {
    if (!spec.capacity || enqueued() < *spec.capacity) return Cycle{0};
    std::uint64_t needed = enqueued() - *spec.capacity;
    if (needed < dequeued()) return freed[needed];
    return std::nullopt;
  }
};

// What a node does next. Outputs: `credit_all` waits for every output's credit and then
// writes them all (together); `write` waits for the credit of one output and writes it (in
// order, one output after another).
enum class Op { peek, pop, select, credit_all, write, done };

struct Node {
  int id = 0;
  std::string name;
  NodeSpec spec;
  std::vector<int> in, out;
  std::vector<std::size_t> reads;  // indices into `in` of the inputs this step takes
  std::size_t peeks = 0;           // of those, how many it peeks, in order, before its pops
  Cycle clock = 0;
  Cycle starved = 0;
  Cycle backpressured = 0;
  bool finished = false;

  // Program counter: the operation the node is about to do.
  Op op = Op::done;
  std::size_t input = 0;               // peek/pop: which input
  std::size_t output = 0;              // write: which output
  Cycle issued = 0;                    // the step's clock before its first credit wait
  std::vector<std::uint64_t> popped;   // map/sink: values of this step so far
  std::uint64_t value = 0;             // credit_all/write: the value to write
  std::uint64_t steps = 0;             // completed loop iterations
  std::vector<std::uint64_t> received;
};

// graph_spec.hpp: together peeks every input the step takes; peek_first only the first.
std::size_t peeks_per_step(const NodeSpec& spec, std::size_t inputs) {
  if (spec.kind != NodeKind::map && spec.kind != NodeKind::sink) return 0;
  if (spec.inputs_together) return inputs;
  return spec.peek_first ? std::min<std::size_t>(inputs, 1) : 0;
}

// Step j of a row (j = steps mod row_length) takes the per-row inputs only when j = 0.
bool first_of_row(const Node& n) { return n.steps % n.spec.row_length == 0; }
bool last_of_row(const Node& n) { return (n.steps + 1) % n.spec.row_length == 0; }

class Model {
 public:
  Model(const GraphSpec& g, const ReferenceOptions& options) : options_(options) {
    for (std::size_t c = 0; c < g.channels.size(); ++c) {
      Channel ch;
      ch.name = channel_name(static_cast<int>(c));
      ch.spec = g.channels[c];
      ch.sender = ch.spec.from;
      ch.receiver = ch.spec.to;
      channels_.push_back(std::move(ch));
    }
    for (std::size_t i = 0; i < g.nodes.size(); ++i) {
      Node n;
      n.id = static_cast<int>(i);
      n.name = node_name(n.id);
      n.spec = g.nodes[i];
      n.in = g.inputs(n.id);
      n.out = g.outputs(n.id);
      nodes_.push_back(std::move(n));
    }
    for (Node& n : nodes_) loop_head(n);
  }

  Outcome run() {
    Cycle x = 0;
    while (true) {
      run_cycle(x);
      // The next cycle at which anything can happen.
      std::optional<Cycle> next;
      bool unfinished = false;
      for (const Node& n : nodes_) {
        if (n.finished) continue;
        unfinished = true;
        if (auto r = ready_time(n)) {
          if (*r <= x) throw std::logic_error("reference: " + n.name + " left ready at cycle x");
          next = next ? std::min(*next, *r) : *r;
        }
      }
      if (!unfinished) return outcome("completed");
      if (!next) return outcome("deadlock");
      x = *next;
    }
  }

 private:
  Channel& ch(int c) { return channels_[static_cast<std::size_t>(c)]; }
  const Channel& ch(int c) const { return channels_[static_cast<std::size_t>(c)]; }

  // Everything that can happen at cycle x, in passes until nothing more can: a node can do
  // several operations at one clock, and one node's act at x can enable another's at x.
  void run_cycle(Cycle x) {
    bool progress = true;
    while (progress) {
      progress = false;
      for (std::size_t k = 0; k < nodes_.size(); ++k) {
        Node& n = nodes_[options_.reverse_order ? nodes_.size() - 1 - k : k];
        while (auto r = ready_time(n)) {
          if (*r > x) break;
          step(n, x);
          progress = true;
        }
      }
    }
  }

  // ---- the node programs (graph_spec.hpp) ----

  // The top of a node's loop: what it does next, or its return.
  void loop_head(Node& n) {
    n.popped.clear();
    n.input = 0;
    switch (n.spec.kind) {
      case NodeKind::source:
        if (n.steps == n.spec.count) return finish(n);
        begin_writes(n, source_value(n.id, n.steps));
        return;
      case NodeKind::merge:
        n.op = Op::select;
        return;
      case NodeKind::sink:
        if (n.spec.limit && n.steps == *n.spec.limit) return finish(n);
        [[fallthrough]];
      case NodeKind::map:
        n.reads.clear();
        for (std::size_t i = 0; i < n.in.size(); ++i)
          if (first_of_row(n) || !(n.spec.per_row_inputs >> i & 1u)) n.reads.push_back(i);
        n.peeks = peeks_per_step(n.spec, n.reads.size());
        n.op = n.peeks > 0 ? Op::peek : Op::pop;
        return;
    }
  }

  // The step's result is ready: the clock now is the issue clock of every write that
  // follows (docs/semantics.md, "Several outputs": all stamped from the same issue clock t).
  void begin_writes(Node& n, std::uint64_t v) {
    n.value = v;
    n.issued = n.clock;
    n.output = 0;
    // One output is written the same way in either discipline; none needs no credit.
    n.op = n.spec.outputs_in_order && !n.out.empty() ? Op::write : Op::credit_all;
  }

  void after_peek(Node& n) {
    if (n.input + 1 < n.peeks) {
      ++n.input;
      return;
    }
    n.input = 0;
    n.op = Op::pop;
  }

  // After a successful pop of input n.input.
  void after_pop(Node& n, std::uint64_t v) {
    n.popped.push_back(v);
    if (n.spec.kind == NodeKind::sink) n.received.push_back(v);  // recorded as it comes
    if (n.input + 1 < n.reads.size()) {
      ++n.input;
      return;
    }
    if (n.spec.kind == NodeKind::sink || (n.spec.writes_per_row && !last_of_row(n)))
      end_step(n);
    else
      begin_writes(n, map_value(n.id, n.popped));
  }

  // The channel of the input the node's peek or pop is at.
  int current_input(const Node& n) const { return n.in[n.reads[n.input]]; }

  void end_step(Node& n) {
    n.clock += n.spec.ii;
    ++n.steps;
    loop_head(n);
  }

  void finish(Node& n) {
    n.finished = true;
    n.op = Op::done;
    for (int c : n.out) ch(c).closed = true;
    trace(n, n.clock, "returns");
  }

  // ---- timing ----

  // When the head of input `c` can be taken: max(clock, its visible time); at the clock for
  // an end of stream; nullopt while the input is empty and open.
  std::optional<Cycle> head_ready(const Node& n, int c) const {
    const Channel& channel = ch(c);
    if (!channel.queue.empty()) return std::max(n.clock, channel.queue.front().visible);
    if (channel.closed) return n.clock;
    return std::nullopt;
  }

  std::optional<Cycle> select_ready(const Node& n) const {
    std::optional<Cycle> earliest;
    bool all_ended = true;
    for (int i : n.in) {
      const Channel& c = ch(i);
      if (!c.queue.empty())
        earliest = std::min(earliest.value_or(c.queue.front().visible), c.queue.front().visible);
      if (!c.queue.empty() || !c.closed) all_ended = false;
    }
    if (earliest) return std::max(n.clock, *earliest);
    if (all_ended) return n.clock;
    return std::nullopt;
  }

  // t' = max(t, f) over the outputs the operation waits for.
  std::optional<Cycle> credit_ready(const Node& n) const {
    Cycle t = n.clock;
    for (int o : waited_outputs(n)) {
      auto f = ch(o).credit_time();
      if (!f) return std::nullopt;
      t = std::max(t, *f);
    }
    return t;
  }

  // No allocation: ready_time runs for every node in every visited cycle.
  static std::span<const int> waited_outputs(const Node& n) {
    if (n.op == Op::write) return std::span<const int>(n.out).subspan(n.output, 1);
    return n.out;
  }

  // The earliest cycle at which the node's next operation can happen, given what exists
  // now; nullopt while it waits for something that has not happened (an element, a dequeue).
  std::optional<Cycle> ready_time(const Node& n) const {
    switch (n.op) {
      case Op::done: return std::nullopt;
      case Op::peek:
      case Op::pop: return head_ready(n, current_input(n));
      case Op::select: return select_ready(n);
      case Op::credit_all:
      case Op::write: return credit_ready(n);
    }
    return std::nullopt;
  }

  // The stepper's rule (the node acts at cycle x, so its clock is x) against the engine's
  // (the clock moves to max(clock, t)).
  void move_clock(Node& n, Cycle x, Cycle t, Cycle& counter) {
    if (x != std::max(n.clock, t))
      throw std::logic_error("reference: " + n.name + " acts at cycle " + std::to_string(x) +
                             " but max(clock " + std::to_string(n.clock) + ", time " +
                             std::to_string(t) + ") differs");
    counter += x - n.clock;
    n.clock = x;
  }

  std::uint64_t dequeue(Node& n, int c, Cycle x) {
    Channel& channel = ch(c);
    Element e = channel.queue.front();
    move_clock(n, x, e.visible, n.starved);
    channel.queue.pop_front();
    channel.freed.push_back(n.clock + channel.spec.response_latency);
    trace(n, x, "pops " + channel.name + " (visible " + std::to_string(e.visible) +
                    ", slot free at " + std::to_string(channel.freed.back()) + ")");
    return e.value;
  }

  // docs/semantics.md, enqueue step 2: with the issue clock t, the clock after the credit wait t'
  // (the node's clock now) and a latency P, visible at max(t + P, t' + L); without a stamp
  // (P = 0) that is t' + L.
  void enqueue(Node& n, int o) {
    Channel& c = ch(o);
    Cycle visible = std::max(n.issued + n.spec.stamp, n.clock + c.spec.latency);
    c.queue.push_back({n.value, visible});
    c.written.push_back(n.clock);
    trace(n, n.clock, "pushes " + c.name + " (issued " + std::to_string(n.issued) +
                          ", visible " + std::to_string(visible) + ")");
  }

  void step(Node& n, Cycle x) {
    switch (n.op) {
      case Op::done: return;
      case Op::peek: return step_peek(n, x);
      case Op::pop: return step_pop(n, x);
      case Op::select: return step_select(n, x);
      case Op::credit_all: return step_credit_all(n, x);
      case Op::write: return step_write(n, x);
    }
  }

  // Each step_* performs the node's next operation at cycle x. Precondition:
  // ready_time(n) <= x.
  void step_peek(Node& n, Cycle x) {
    Channel& c = ch(current_input(n));
    if (c.queue.empty()) return finish(n);  // closed: end of stream
    if (c.queue.front().visible > x) throw std::logic_error("reference: peek too early");
    move_clock(n, x, c.queue.front().visible, n.starved);
    trace(n, x, "peeks " + c.name);
    after_peek(n);
  }

  void step_pop(Node& n, Cycle x) {
    Channel& c = ch(current_input(n));
    if (c.queue.empty()) return finish(n);  // closed: end of stream
    if (c.queue.front().visible > x) throw std::logic_error("reference: pop too early");
    after_pop(n, dequeue(n, current_input(n), x));
  }

  void step_select(Node& n, Cycle x) {
    // Among the heads visible at <= x, the earliest; ties to the lower input.
    std::optional<std::size_t> best;
    for (std::size_t i = 0; i < n.in.size(); ++i) {
      const Channel& c = ch(n.in[i]);
      if (c.queue.empty() || c.queue.front().visible > x) continue;
      if (!best || c.queue.front().visible < ch(n.in[*best]).queue.front().visible) best = i;
    }
    if (!best) return finish(n);  // every input ended
    const Element& head = ch(n.in[*best]).queue.front();
    move_clock(n, x, head.visible, n.starved);
    trace(n, x, "selects input " + std::to_string(*best));
    std::uint64_t v = dequeue(n, n.in[*best], x);
    begin_writes(n, merge_value(n.id, v, *best));
  }

  // Together: one wait for the latest credit of all outputs, then every write at that clock.
  void step_credit_all(Node& n, Cycle x) {
    Cycle f = 0;
    for (int o : n.out) f = std::max(f, *ch(o).credit_time());
    move_clock(n, x, f, n.backpressured);
    for (int o : n.out) enqueue(n, o);
    end_step(n);
  }

  // In order: this output's own credit wait, then its write; the next output's wait starts
  // from the clock this one reached.
  void step_write(Node& n, Cycle x) {
    int o = n.out[n.output];
    move_clock(n, x, *ch(o).credit_time(), n.backpressured);
    enqueue(n, o);
    if (++n.output < n.out.size()) return;
    end_step(n);
  }

  // ---- the report ----

  static std::uint64_t peak_occupancy(const Channel& c) {
    // Occupied at x: written at or before x and not freed by x. Frees sort before writes
    // at the same cycle: a slot freed at x can be written again at x.
    std::vector<std::pair<Cycle, int>> events;
    for (Cycle w : c.written) events.push_back({w, +1});
    for (Cycle f : c.freed) events.push_back({f, -1});
    std::sort(events.begin(), events.end());
    std::int64_t occupied = 0, peak = 0;
    for (const auto& [time, delta] : events) {
      occupied += delta;
      peak = std::max(peak, occupied);
    }
    if (c.spec.capacity && static_cast<std::uint64_t>(peak) > *c.spec.capacity)
      throw std::logic_error("reference: " + c.name + " holds more than its capacity");
    return static_cast<std::uint64_t>(peak);
  }

  void blocked_on_input(const Node& n, BlockedOutcome& b) const {
    const Channel& c = ch(current_input(n));
    b.operation = n.op == Op::peek ? "peek" : "dequeue";
    b.channel = c.name;
    b.channel_state = "empty";
    b.other_end = node_name(c.sender);
    b.other_end_finished = nodes_[static_cast<std::size_t>(c.sender)].finished;
  }

  void blocked_in_select(const Node& n, BlockedOutcome& b) const {
    b.operation = "select";
    b.channel_state = "empty";
    for (int i : n.in) {
      const Channel& c = ch(i);
      if (!c.queue.empty() || c.closed) continue;
      b.channel += (b.channel.empty() ? "" : ", ") + c.name;
      b.other_end += (b.other_end.empty() ? "" : ", ") + node_name(c.sender);
    }
  }

  // A wait for credit on one output is a plain enqueue's; on several, the atomic fan-out's.
  // The channel reported is the first waited output that has no credit.
  void blocked_on_credit(const Node& n, BlockedOutcome& b) const {
    std::span<const int> waited = waited_outputs(n);
    b.operation = waited.size() == 1 ? "enqueue" : "fan-out credit";
    for (int o : waited) {
      const Channel& c = ch(o);
      if (!c.full_now()) continue;
      std::string cap = std::to_string(*c.spec.capacity);
      b.channel = c.name;
      b.channel_state = "full (" + cap + " of " + cap + ")";
      b.other_end = node_name(c.receiver);
      b.other_end_finished = nodes_[static_cast<std::size_t>(c.receiver)].finished;
      return;
    }
  }

  BlockedOutcome blocked(const Node& n) const {
    BlockedOutcome b;
    b.context = n.name;
    b.clock = n.clock;
    switch (n.op) {
      case Op::done: break;
      case Op::peek:
      case Op::pop: blocked_on_input(n, b); break;
      case Op::select: blocked_in_select(n, b); break;
      case Op::credit_all:
      case Op::write: blocked_on_credit(n, b); break;
    }
    return b;
  }

  Outcome outcome(const char* status) const {
    Outcome o;
    o.status = status;
    for (const Node& n : nodes_) {
      o.nodes.push_back({n.name, n.clock, n.starved, n.backpressured, n.finished, n.received});
      o.elapsed = std::max(o.elapsed, n.clock);
      if (!n.finished) o.blocked.push_back(blocked(n));
    }
    for (const Channel& c : channels_)
      o.channels.push_back({c.name, c.enqueued(), peak_occupancy(c)});
    return o;
  }

  void trace(const Node& n, Cycle x, const std::string& what) const {
    if (options_.trace)
      *options_.trace << "  x=" << x << " " << n.name << " (clock " << n.clock << ") " << what
                      << '\n';
  }

  ReferenceOptions options_;
  std::vector<Channel> channels_;
  std::vector<Node> nodes_;
};

}  // namespace

Outcome run_reference(const GraphSpec& g, const ReferenceOptions& options) {
  auto bad = problems(g);
  if (!bad.empty()) throw std::invalid_argument("reference: invalid graph: " + bad.front());
  return Model(g, options).run();
}

}  // namespace dfsim::verification
