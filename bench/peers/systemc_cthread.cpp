// SystemC peer of dfsim's "pipeline" benchmark, SC_CTHREAD style.
//
// The RTL-ish way: every block is an SC_CTHREAD clocked by the positive edge
// of one sc_clock (period 1 ns = 1 cycle), does at most one non-blocking
// transfer per port per edge (sc_fifo nb_read()/nb_write()) and calls wait()
// exactly once per clock.
//
//   source --fifo0--> stage0 --fifo1--> ... stage(K-1) --fifoK--> sink
//
// Timing model
//   All processes run in the same delta cycle of each clock edge, and a value
//   written into an sc_fifo becomes readable at the next update phase, so a
//   value written at edge c is seen by the consumer at edge c + 1: every
//   sc_fifo behaves as a registered FIFO and costs one cycle.
//   * source: nb_write(i) at every edge (i advances only when the write
//     succeeded, so it stalls when fifo0 is full).
//   * stage, L == 1 (the benchmarked case): if the output fifo has room and a
//     value is available, nb_read it and nb_write value + 1 in the same edge;
//     the output fifo is the stage's one pipeline register, so latency 1 and
//     II 1.
//   * stage, L > 1: the L - 1 extra pipeline registers are an in-flight queue
//     of at most L - 1 entries; each edge the head is written if it is ready
//     (read L - 1 edges ago) and the output fifo accepts it, then one value is
//     read if there is room. Latency L (L - 1 in the queue + 1 in the fifo),
//     II 1, stalls when the output fifo is full.
//   * sink: nb_read at every edge, counting values != i + K; after T values it
//     calls sc_stop().
//   The source writes value i at edge i (t = i ns), value i reaches the sink
//   at edge i + K*L + 1, so the simulation stops at T + K*L ns.

#include <systemc.h>

#include <chrono>
#include <cmath>
#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "pipeline_args.hpp"

namespace {

using value_t = std::int64_t;

SC_MODULE(Source) {
    sc_in<bool> clk;
    sc_fifo_out<value_t> out;

    SC_HAS_PROCESS(Source);
    Source(sc_module_name name, value_t count) : sc_module(name), count_(count) {
        SC_CTHREAD(run, clk.pos());
    }

  private:
    void run() {
        value_t i = 0;
        while (i < count_) {
            if (out.nb_write(i)) ++i;
            wait();
        }
    }

    value_t count_;
};

SC_MODULE(Stage) {
    sc_in<bool> clk;
    sc_fifo_in<value_t> in;
    sc_fifo_out<value_t> out;

    SC_HAS_PROCESS(Stage);
    Stage(sc_module_name name, int latency) : sc_module(name), latency_(latency) {
        SC_CTHREAD(run, clk.pos());
    }

  private:
    struct InFlight {
        std::uint64_t ready; // edge at which the value may be written
        value_t value;
    };

    void run() {
        if (latency_ == 1) {
            for (;;) {
                value_t v;
                if (out.num_free() > 0 && in.nb_read(v)) out.nb_write(v + 1);
                wait();
            }
        }
        const std::size_t regs = static_cast<std::size_t>(latency_ - 1);
        std::deque<InFlight> queue;
        for (std::uint64_t edge = 0;; ++edge) {
            if (!queue.empty() && queue.front().ready <= edge &&
                out.nb_write(queue.front().value))
                queue.pop_front();
            value_t v;
            if (queue.size() < regs && in.nb_read(v))
                queue.push_back({edge + regs, v + 1});
            wait();
        }
    }

    int latency_;
};

SC_MODULE(Sink) {
    sc_in<bool> clk;
    sc_fifo_in<value_t> in;

    SC_HAS_PROCESS(Sink);
    Sink(sc_module_name name, value_t count, int stages)
        : sc_module(name), count_(count), stages_(stages) {
        SC_CTHREAD(run, clk.pos());
    }

    value_t received = 0;
    value_t mismatches = 0;

  private:
    void run() {
        while (received < count_) {
            value_t v;
            if (in.nb_read(v)) {
                if (v != received + stages_) ++mismatches;
                ++received;
            }
            if (received < count_) wait();
        }
        sc_stop();
    }

    value_t count_;
    value_t stages_;
};

} // namespace

int sc_main(int argc, char* argv[]) {
    const dfsim_peer::PipelineArgs args = dfsim_peer::parse_args(argc, argv, "cthread");

    // sc_stop() reports "Simulation stopped by user." as an SC_INFO message on
    // stdout; keep stdout to the single result line.
    sc_report_handler::set_actions("/OSCI/SystemC", SC_INFO, SC_DO_NOTHING);

    const sc_time cycle(1, SC_NS);
    const int K = args.stages;

    sc_clock clk("clk", cycle);

    std::vector<std::unique_ptr<sc_fifo<value_t>>> fifos;
    for (int j = 0; j <= K; ++j) {
        const std::string name = "fifo" + std::to_string(j);
        fifos.push_back(std::make_unique<sc_fifo<value_t>>(name.c_str(), args.capacity));
    }

    Source source("source", args.elements);
    source.clk(clk);
    source.out(*fifos[0]);

    std::vector<std::unique_ptr<Stage>> stages;
    for (int j = 0; j < K; ++j) {
        const std::string name = "stage" + std::to_string(j);
        stages.push_back(std::make_unique<Stage>(name.c_str(), args.latency));
        stages.back()->clk(clk);
        stages.back()->in(*fifos[j]);
        stages.back()->out(*fifos[j + 1]);
    }

    Sink sink("sink", args.elements, K);
    sink.clk(clk);
    sink.in(*fifos[K]);

    // The clock never runs out of events, so the sink ends the run with
    // sc_stop(). The time limit is only a guard against a deadlocked model
    // (it is far above the T + K*L cycles a correct run takes).
    const double limit_cycles = 2.0 * (static_cast<double>(args.elements) +
                                       static_cast<double>(K + 1) * (args.latency + 1)) +
                                1000.0;

    const auto t0 = std::chrono::steady_clock::now();
    sc_start(limit_cycles * cycle);
    const auto t1 = std::chrono::steady_clock::now();

    dfsim_peer::PipelineResult r;
    r.cycles = static_cast<std::int64_t>(std::llround(sc_time_stamp() / cycle));
    r.wall_seconds = std::chrono::duration<double>(t1 - t0).count();
    r.received = sink.received;
    r.mismatches = sink.mismatches;
    return dfsim_peer::report("systemc-cthread", args, r);
}
