#pragma once
// Runs the dfsim binary as a user would, capturing its stdout, stderr and exit status.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "files.hpp"

namespace dfsim::testing {

struct Output {
  int status = -1;
  std::string out;
  std::string err;
};

using dfsim::test::slurp;
using dfsim::test::TempDir;

// `args` is appended to the binary's path as shell words (tests pass only simple words).
inline Output run_dfsim(const std::string& args, const TempDir& dir) {
  auto out = dir / "stdout.txt";
  auto err = dir / "stderr.txt";
  std::string command = std::string(DFSIM_BINARY) + " " + args + " >" + out.string() + " 2>" +
                        err.string() + " </dev/null";
  int raw = std::system(command.c_str());
  Output o;
  o.status = WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
  o.out = slurp(out);
  o.err = slurp(err);
  return o;
}

inline bool python_has(const std::string& module) {
  return std::filesystem::exists("/usr/bin/python3") &&
         std::system(("/usr/bin/python3 -c 'import " + module + "' >/dev/null 2>&1").c_str()) == 0;
}

}  // namespace dfsim::testing
