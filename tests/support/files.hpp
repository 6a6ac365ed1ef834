#pragma once
// Files for tests: a fresh directory per test case, and a file read whole.
//
//   TempDir dir;                                    // /tmp/dfsim_<pid>_<Suite>_<Case>/
//   write_something(dir / "out.json");
//   EXPECT_EQ(slurp(dir / "out.json"), "...");      // removed when dir goes out of scope
//
// The name holds the process id and the test's full name, so that test processes running at
// once (ctest -j, or several checkouts' suites on one machine) never share a file.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace dfsim::test {

inline std::string slurp(const std::filesystem::path& file) {
  std::ifstream in(file);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

class TempDir {
 public:
  TempDir() {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    std::string name = std::string(info->test_suite_name()) + "_" + info->name();
    for (char& c : name)
      if (c == '/') c = '_';  // parameterized cases: Suite/Case/0
    path_ = std::filesystem::temp_directory_path() /
            ("dfsim_" + std::to_string(::getpid()) + "_" + name);
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  ~TempDir() {
    std::error_code ignored;  // a destructor must not throw; a leftover folder is harmless
    std::filesystem::remove_all(path_, ignored);
  }
  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(const std::string& name) const { return path_ / name; }

 private:
  std::filesystem::path path_;
};

}  // namespace dfsim::test
