#include "reference_model.hpp"

#include <algorithm>
#include <deque>
#include <optional>
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
  std::vector<Cycle> written;  // written[k]: sender's clock when it wrote element k
  std::vector<Cycle> freed;    // freed[k]: when dequeue k frees its slot
  bool closed = false;         // the sender has returned

  std::uint64_t enqueued() const { return written.size(); }
  std::uint64_t dequeued() const { return freed.size(); }
  bool full_now() const {  // no credit for the next write, whatever the time
    return spec.capacity && enqueued() >= *spec.capacity &&
           dequeued() <= enqueued() - *spec.capacity;
  }
  // When the sender's next write has credit; nullopt while the dequeue it needs has not
  // happened.
  std::optional<Cycle> credit_time() const {
    if (!spec.capacity || enqueued() < *spec.capacity) return Cycle{0};
    std::uint64_t needed = enqueued() - *spec.capacity;
    if (needed < dequeued()) return freed[needed];
    return std::nullopt;
  }
};

enum class Op { peek, pop, select, credit, done };

struct Node {
  int id = 0;
  std::string name;
  NodeSpec spec;
  std::vector<int> in, out;
  Cycle clock = 0;
  Cycle starved = 0;
  Cycle backpressured = 0;
  bool finished = false;

  // Program counter: the operation the node is about to do.
  Op op = Op::done;
  std::size_t input = 0;               // peek/pop: which input
  std::vector<std::uint64_t> popped;   // map/sink: values of this step so far
  std::uint64_t value = 0;             // credit: the value to push once credit is there
  std::uint64_t steps = 0;             // completed loop iterations
  std::vector<std::uint64_t> received;
};

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
      // Everything that can happen at cycle x, in passes until nothing more can.
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

  // ---- the node programs (graph_spec.hpp) ----

  // The top of a node's loop: what it does next, or its return.
  void loop_head(Node& n) {
    n.popped.clear();
    switch (n.spec.kind) {
      case NodeKind::source:
        if (n.steps == n.spec.count) return finish(n);
        n.value = source_value(n.id, n.steps);
        n.op = Op::credit;
        return;
      case NodeKind::map:
        n.op = n.spec.peek_first ? Op::peek : Op::pop;
        n.input = 0;
        return;
      case NodeKind::merge:
        n.op = Op::select;
        return;
      case NodeKind::sink:
        if (n.spec.limit && n.steps == *n.spec.limit) return finish(n);
        n.op = Op::pop;
        n.input = 0;
        return;
    }
  }

  // After a successful pop of input n.input.
  void after_pop(Node& n, std::uint64_t v) {
    n.popped.push_back(v);
    if (n.spec.kind == NodeKind::sink) n.received.push_back(v);  // recorded as it comes
    if (n.input + 1 < n.in.size()) {
      ++n.input;
      return;
    }
    if (n.spec.kind == NodeKind::sink) {
      end_step(n);
    } else {
      n.value = map_value(n.id, n.popped);
      n.op = Op::credit;
    }
  }

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

  // The earliest cycle at which the node's next operation can happen, given what exists
  // now; nullopt while it waits for something that has not happened (an element, a dequeue).
  std::optional<Cycle> ready_time(const Node& n) const {
    switch (n.op) {
      case Op::done:
        return std::nullopt;
      case Op::peek:
      case Op::pop: {
        const Channel& c = ch(n.in[n.input]);
        if (!c.queue.empty()) return std::max(n.clock, c.queue.front().visible);
        if (c.closed) return n.clock;  // end of stream
        return std::nullopt;
      }
      case Op::select: {
        std::optional<Cycle> earliest;
        bool all_ended = true;
        for (int i : n.in) {
          const Channel& c = ch(i);
          if (!c.queue.empty())
            earliest = earliest ? std::min(*earliest, c.queue.front().visible)
                                : c.queue.front().visible;
          if (!c.queue.empty() || !c.closed) all_ended = false;
        }
        if (earliest) return std::max(n.clock, *earliest);
        if (all_ended) return n.clock;
        return std::nullopt;
      }
      case Op::credit: {
        Cycle t = n.clock;
        for (int o : n.out) {
          auto f = ch(o).credit_time();
          if (!f) return std::nullopt;
          t = std::max(t, *f);
        }
        return t;
      }
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

  // Performs the node's next operation at cycle x. Precondition: ready_time(n) <= x.
  void step(Node& n, Cycle x) {
    switch (n.op) {
      case Op::done:
        return;
      case Op::peek: {
        Channel& c = ch(n.in[n.input]);
        if (c.queue.empty()) return finish(n);  // closed: end of stream
        if (c.queue.front().visible > x) throw std::logic_error("reference: peek too early");
        move_clock(n, x, c.queue.front().visible, n.starved);
        trace(n, x, "peeks " + c.name);
        n.op = Op::pop;
        return;
      }
      case Op::pop: {
        Channel& c = ch(n.in[n.input]);
        if (c.queue.empty()) return finish(n);  // closed: end of stream
        if (c.queue.front().visible > x) throw std::logic_error("reference: pop too early");
        after_pop(n, dequeue(n, n.in[n.input], x));
        return;
      }
      case Op::select: {
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
        n.value = merge_value(n.id, v, *best);
        n.op = Op::credit;
        return;
      }
      case Op::credit: {
        Cycle t = 0;
        for (int o : n.out) t = std::max(t, *ch(o).credit_time());
        move_clock(n, x, t, n.backpressured);
        for (int o : n.out) {
          Channel& c = ch(o);
          Cycle visible = n.clock + std::max(c.spec.latency, n.spec.stamp);
          c.queue.push_back({n.value, visible});
          c.written.push_back(n.clock);
          trace(n, x, "pushes " + c.name + " (visible " + std::to_string(visible) + ")");
        }
        end_step(n);
        return;
      }
    }
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

  BlockedOutcome blocked(const Node& n) const {
    BlockedOutcome b;
    b.context = n.name;
    b.clock = n.clock;
    switch (n.op) {
      case Op::done:
        break;
      case Op::peek:
      case Op::pop: {
        const Channel& c = ch(n.in[n.input]);
        b.operation = n.op == Op::peek ? "peek" : "dequeue";
        b.channel = c.name;
        b.channel_state = "empty";
        b.other_end = node_name(c.sender);
        b.other_end_finished = nodes_[static_cast<std::size_t>(c.sender)].finished;
        break;
      }
      case Op::select: {
        b.operation = "select";
        b.channel_state = "empty";
        for (int i : n.in) {
          const Channel& c = ch(i);
          if (!c.queue.empty() || c.closed) continue;
          b.channel += (b.channel.empty() ? "" : ", ") + c.name;
          b.other_end += (b.other_end.empty() ? "" : ", ") + node_name(c.sender);
        }
        break;
      }
      case Op::credit: {
        b.operation = n.out.size() == 1 ? "enqueue" : "fan-out credit";
        for (int o : n.out) {
          const Channel& c = ch(o);
          if (!c.full_now()) continue;
          std::string cap = std::to_string(*c.spec.capacity);
          b.channel = c.name;
          b.channel_state = "full (" + cap + " of " + cap + ")";
          b.other_end = node_name(c.receiver);
          b.other_end_finished = nodes_[static_cast<std::size_t>(c.receiver)].finished;
          break;
        }
        break;
      }
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
    for (const Channel& c : channels_) o.channels.push_back({c.name, c.enqueued(), peak_occupancy(c)});
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
