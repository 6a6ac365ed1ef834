#pragma once
// A run's wall time, estimated before it starts, so that a run of hours is announced rather
// than discovered. The engine's cost is per element moved (a push, a pop, and a switch of
// context when a channel is empty or full), so the time is about the elements through all
// channels divided by a speed measured for each kind of graph; each workload keeps its own
// speed, with how it was measured.
namespace dfsim {

struct WorkEstimate {
  double elements = 0;             // through every channel, over all the runs it covers
  double elements_per_second = 1;  // measured on one thread
  double seconds() const { return elements / elements_per_second; }
  // Another run's work; the speed becomes the mean over both, weighted by time.
  void add(const WorkEstimate& other) {
    const double total = seconds() + other.seconds();
    elements += other.elements;
    if (total > 0) elements_per_second = elements / total;
  }
};

}  // namespace dfsim
