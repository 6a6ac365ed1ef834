#pragma once
// The reference outputs a run is checked against (AttentionRun::max_abs_error), computed on a
// second thread while the run takes the first.
#include <exception>
#include <stop_token>
#include <thread>
#include <vector>

#include "dfsim/sdpa/attention.hpp"

namespace dfsim::sdpa::detail {

// reference_attention, given up (an empty result) once `stop` is requested: asked once a row,
// so that a run that ended early does not wait for N^2 x d work it will not use.
std::vector<double> reference_attention(const Tensors& t, bool causal, std::stop_token stop);

// Every head's reference. In the background, a thread starts on them at construction: at
// N = 1,024 they are about 6% of a one-thread run's instructions, and the second core is
// otherwise idle. Otherwise a head's is computed when first asked for, on the caller's thread
// (a run on several threads has no core to spare). The destructor stops the thread at its next
// row when the run ended before anything was asked.
//   References refs(inputs, causal, /*background=*/options.threads <= 1);
//   result.run = run(g, options);
//   const std::vector<double>& ref = refs.of(head);  // waits for the thread
class References {
 public:
  References(const std::vector<Tensors>& inputs, bool causal, bool background);
  References(const References&) = delete;
  References& operator=(const References&) = delete;
  ~References() = default;  // the std::jthread requests stop and joins

  // Rethrows what the thread threw.
  const std::vector<double>& of(unsigned head);

 private:
  void compute(std::stop_token stop) noexcept;
  void wait();

  const std::vector<Tensors>& inputs_;
  bool causal_;
  std::vector<std::vector<double>> refs_;
  std::vector<bool> done_;
  std::exception_ptr failure_;
  std::jthread thread_;  // last: it starts after the fields it writes exist
};

}  // namespace dfsim::sdpa::detail
