// SystemC peer of dfsim's "pipeline" benchmark, SC_THREAD style.
//
// The way SystemC users typically write an untimed/loosely timed dataflow
// pipeline: every block is an SC_THREAD talking through sc_fifo ports with
// blocking read()/write(), and time is modelled with wait(<duration>).
// One clock cycle = 1 ns; there is no sc_clock.
//
//   source --fifo0--> stage0 --fifo1--> ... stage(K-1) --fifoK--> sink
//
// Timing model
//   * source: writes value i, then waits 1 cycle (one value per cycle).
//   * stage, L == 1 (the benchmarked case): the textbook loop
//         v = in.read(); wait(L cycles); out.write(v + 1);
//     It reads value i at time t, writes i + 1 at t + 1 and is back at read()
//     at t + 1, so latency 1 and initiation interval 1.
//   * stage, L > 1: the same loop would have II = L, so the stage is split in
//     two threads sharing an in-flight queue of at most L entries (the
//     pipeline registers): `accept` reads one value per cycle while there is
//     room and stamps it with ready time now + L; `emit` writes the head at
//     its ready time (at most one write per cycle, blocking if the output fifo
//     is full, which back-pressures `accept` through the queue bound).
//   * sink: blocking read() of T values, counting values != i + K.
//   An sc_fifo hop takes no simulated time (the written value is readable one
//   delta cycle later), so value i reaches the sink at t = i + K*L and the
//   simulation ends at T - 1 + K*L ns (the last event) when it runs out of
//   events; sc_start() returns by starvation, no sc_stop() needed.

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
    sc_fifo_out<value_t> out;

    SC_HAS_PROCESS(Source);
    Source(sc_module_name name, value_t count, const sc_time& cycle)
        : sc_module(name), count_(count), cycle_(cycle) {
        SC_THREAD(run);
    }

  private:
    void run() {
        for (value_t i = 0; i < count_; ++i) {
            out.write(i);
            wait(cycle_);
        }
    }

    value_t count_;
    sc_time cycle_;
};

SC_MODULE(Stage) {
    sc_fifo_in<value_t> in;
    sc_fifo_out<value_t> out;

    SC_HAS_PROCESS(Stage);
    Stage(sc_module_name name, int latency, const sc_time& cycle)
        : sc_module(name), latency_(latency), cycle_(cycle), delay_(cycle * latency) {
        if (latency_ == 1) {
            SC_THREAD(run);
        } else {
            SC_THREAD(accept);
            SC_THREAD(emit);
        }
    }

  private:
    // L == 1: read, wait one cycle, write.
    void run() {
        for (;;) {
            value_t v = in.read();
            wait(delay_);
            out.write(v + 1);
        }
    }

    struct InFlight {
        sc_time ready;
        value_t value;
    };

    // L > 1, input side: one read per cycle while fewer than L values are in
    // flight.
    void accept() {
        for (;;) {
            while (static_cast<int>(queue_.size()) >= latency_) wait(popped_);
            value_t v = in.read();
            queue_.push_back({sc_time_stamp() + delay_, v + 1});
            pushed_.notify();
            wait(cycle_);
        }
    }

    // L > 1, output side: write the oldest value at its ready time, at most
    // one write per cycle.
    void emit() {
        sc_time next_slot = SC_ZERO_TIME;
        for (;;) {
            while (queue_.empty()) wait(pushed_);
            const InFlight head = queue_.front();
            const sc_time at = head.ready > next_slot ? head.ready : next_slot;
            const sc_time now = sc_time_stamp();
            if (at > now) wait(at - now);
            out.write(head.value);
            queue_.pop_front();
            popped_.notify();
            next_slot = sc_time_stamp() + cycle_;
        }
    }

    int latency_;
    sc_time cycle_;
    sc_time delay_;
    std::deque<InFlight> queue_;
    sc_event pushed_;
    sc_event popped_;
};

SC_MODULE(Sink) {
    sc_fifo_in<value_t> in;

    SC_HAS_PROCESS(Sink);
    Sink(sc_module_name name, value_t count, int stages)
        : sc_module(name), count_(count), stages_(stages) {
        SC_THREAD(run);
    }

    value_t received = 0;
    value_t mismatches = 0;

  private:
    void run() {
        for (value_t i = 0; i < count_; ++i) {
            const value_t v = in.read();
            if (v != i + stages_) ++mismatches;
            ++received;
        }
    }

    value_t count_;
    value_t stages_;
};

} // namespace

int sc_main(int argc, char* argv[]) {
    const dfsim_peer::PipelineArgs args = dfsim_peer::parse_args(argc, argv, "thread");

    const sc_time cycle(1, SC_NS);
    const int K = args.stages;

    std::vector<std::unique_ptr<sc_fifo<value_t>>> fifos;
    for (int j = 0; j <= K; ++j) {
        const std::string name = "fifo" + std::to_string(j);
        fifos.push_back(std::make_unique<sc_fifo<value_t>>(name.c_str(), args.capacity));
    }

    Source source("source", args.elements, cycle);
    source.out(*fifos[0]);

    std::vector<std::unique_ptr<Stage>> stages;
    for (int j = 0; j < K; ++j) {
        const std::string name = "stage" + std::to_string(j);
        stages.push_back(std::make_unique<Stage>(name.c_str(), args.latency, cycle));
        stages.back()->in(*fifos[j]);
        stages.back()->out(*fifos[j + 1]);
    }

    Sink sink("sink", args.elements, K);
    sink.in(*fifos[K]);

    const auto t0 = std::chrono::steady_clock::now();
    sc_start();
    const auto t1 = std::chrono::steady_clock::now();

    dfsim_peer::PipelineResult r;
    r.cycles = static_cast<std::int64_t>(std::llround(sc_time_stamp() / cycle));
    r.wall_seconds = std::chrono::duration<double>(t1 - t0).count();
    r.received = sink.received;
    r.mismatches = sink.mismatches;
    return dfsim_peer::report("systemc-thread", args, r);
}
