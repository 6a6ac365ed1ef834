// Shared command line and result printing for the SystemC peers of dfsim's
// "pipeline" benchmark (bench/peers/systemc_thread.cpp and
// bench/peers/systemc_cthread.cpp).
//
// Workload: a source produces T values 0..T-1, one per clock cycle; K stages
// each add 1 (latency L cycles, initiation interval 1); a sink checks that
// value i arrives as i + K. Neighbours are connected by sc_fifo<int64_t>(C).
//
// This header deliberately contains no SystemC code: it only knows about the
// command line and the one-line result, so both peers report identically.
// stdout carries only the result line; diagnostics go to stderr. (SystemC
// prints its copyright banner on stderr before sc_main runs; set
// SYSTEMC_DISABLE_COPYRIGHT_MESSAGE=1 in the environment to silence it.)
#pragma once

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

namespace dfsim_peer {

struct PipelineArgs {
    std::int64_t elements = 1000000; // T
    int stages = 8;                  // K
    int capacity = 8;                // C
    int latency = 1;                 // L
    std::string style;               // "thread" or "cthread"
    bool json = false;
};

inline void print_usage(const char* prog, const char* style) {
    std::fprintf(stderr,
                 "usage: %s [--elements T] [--stages K] [--capacity C] [--latency L]\n"
                 "          [--style %s] [--json]\n"
                 "  --elements T   values sent through the pipeline (default 1000000)\n"
                 "  --stages K     +1 stages between source and sink (default 8)\n"
                 "  --capacity C   capacity of every sc_fifo (default 8)\n"
                 "  --latency L    latency of every stage in cycles, II = 1 (default 1)\n"
                 "  --style S      must be '%s' for this binary (the other style is a\n"
                 "                 separate binary)\n"
                 "  --json         print one JSON object instead of the human line\n",
                 prog, style, style);
}

// Parses an integer option value in [lo, hi]; exits with status 2 on error.
inline std::int64_t parse_int(const char* opt, const char* text, std::int64_t lo,
                              std::int64_t hi) {
    char* end = nullptr;
    errno = 0;
    long long v = std::strtoll(text, &end, 10);
    if (errno != 0 || end == text || *end != '\0' || v < lo || v > hi) {
        std::fprintf(stderr, "error: %s expects an integer in [%lld, %lld], got '%s'\n",
                     opt, static_cast<long long>(lo), static_cast<long long>(hi), text);
        std::exit(2);
    }
    return v;
}

// Parses argv. `style` is the style implemented by the calling binary
// ("thread" or "cthread"); --style is accepted so both peers can be driven with
// the same command line, but it must name this binary's style.
// Exits with status 2 on a bad command line, 0 on --help.
inline PipelineArgs parse_args(int argc, char** argv, const char* style) {
    PipelineArgs a;
    a.style = style;
    const char* prog = argc > 0 ? argv[0] : "peer";
    for (int i = 1; i < argc; ++i) {
        const char* arg = argv[i];
        auto value = [&]() -> const char* {
            if (i + 1 >= argc) {
                std::fprintf(stderr, "error: %s needs a value\n", arg);
                std::exit(2);
            }
            return argv[++i];
        };
        if (std::strcmp(arg, "--elements") == 0) {
            a.elements = parse_int(arg, value(), 0, INT64_C(1) << 52);
        } else if (std::strcmp(arg, "--stages") == 0) {
            a.stages = static_cast<int>(parse_int(arg, value(), 0, 100000));
        } else if (std::strcmp(arg, "--capacity") == 0) {
            a.capacity = static_cast<int>(parse_int(arg, value(), 1, 1 << 24));
        } else if (std::strcmp(arg, "--latency") == 0) {
            a.latency = static_cast<int>(parse_int(arg, value(), 1, 1 << 20));
        } else if (std::strcmp(arg, "--style") == 0) {
            const char* s = value();
            if (std::strcmp(s, style) != 0) {
                std::fprintf(stderr,
                             "error: this binary implements --style %s; run the "
                             "peer_systemc_%s binary for --style %s\n",
                             style, s, s);
                std::exit(2);
            }
        } else if (std::strcmp(arg, "--json") == 0) {
            a.json = true;
        } else if (std::strcmp(arg, "--help") == 0 || std::strcmp(arg, "-h") == 0) {
            print_usage(prog, style);
            std::exit(0);
        } else {
            std::fprintf(stderr, "error: unknown argument '%s'\n", arg);
            print_usage(prog, style);
            std::exit(2);
        }
    }
    return a;
}

struct PipelineResult {
    std::int64_t cycles = 0;       // simulated time at the end, in ns (= cycles)
    double wall_seconds = 0.0;     // steady_clock around sc_start only
    std::int64_t received = 0;     // values seen by the sink
    std::int64_t mismatches = 0;   // values that were not i + K
};

// Prints the one-line result on stdout and diagnostics on stderr.
// Returns the process exit status: 0 if the sink saw every value correct,
// 1 otherwise.
inline int report(const char* simulator, const PipelineArgs& a, const PipelineResult& r) {
    const double channels = static_cast<double>(a.stages) + 1.0;
    const double transfers = static_cast<double>(a.elements) * channels;
    const double tps = r.wall_seconds > 0.0 ? transfers / r.wall_seconds : 0.0;
    if (a.json) {
        std::printf("{\"simulator\": \"%s\", \"elements\": %lld, \"stages\": %d, "
                    "\"capacity\": %d, \"latency\": %d, \"cycles\": %lld, "
                    "\"wall_seconds\": %.6f, \"transfers_per_second\": %.1f, "
                    "\"mismatches\": %lld, \"received\": %lld}\n",
                    simulator, static_cast<long long>(a.elements), a.stages, a.capacity,
                    a.latency, static_cast<long long>(r.cycles), r.wall_seconds, tps,
                    static_cast<long long>(r.mismatches),
                    static_cast<long long>(r.received));
    } else {
        std::printf("elements %lld stages %d capacity %d cycles %lld wall_seconds %.6f "
                    "transfers_per_second %.1f\n",
                    static_cast<long long>(a.elements), a.stages, a.capacity,
                    static_cast<long long>(r.cycles), r.wall_seconds, tps);
    }
    std::fflush(stdout);
    int status = 0;
    if (r.mismatches != 0) {
        std::fprintf(stderr, "%s: FAIL: %lld value(s) did not arrive as i + %d\n", simulator,
                     static_cast<long long>(r.mismatches), a.stages);
        status = 1;
    }
    if (r.received != a.elements) {
        std::fprintf(stderr, "%s: FAIL: sink received %lld of %lld values\n", simulator,
                     static_cast<long long>(r.received), static_cast<long long>(a.elements));
        status = 1;
    }
    return status;
}

} // namespace dfsim_peer
