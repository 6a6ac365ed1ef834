#pragma once
#include <stdexcept>
#include <string>
#include <vector>

namespace dfsim {

// A graph that cannot run: every problem found, each naming the channel or context.
class GraphError : public std::invalid_argument {
 public:
  explicit GraphError(std::vector<std::string> problems);
  const std::vector<std::string>& problems() const noexcept { return problems_; }

 private:
  std::vector<std::string> problems_;
};

}  // namespace dfsim
