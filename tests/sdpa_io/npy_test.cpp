// .npy reading and writing: round trips, files written by NumPy itself (when /usr/bin/python3
// has numpy; skipped otherwise), and the message of every error.
#include "dfsim/sdpa/npy.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <bit>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <future>
#include <limits>
#include <string>

#include "files.hpp"

namespace dfsim::sdpa {
namespace {

namespace fs = std::filesystem;

constexpr const char* kPython = "/usr/bin/python3";

bool numpy_available() {
  static const bool available =
      fs::exists(kPython) &&
      std::system((std::string(kPython) + " -c 'import numpy' >/dev/null 2>&1").c_str()) == 0;
  return available;
}

class Npy : public ::testing::Test {
 protected:
  fs::path path(const std::string& name) const { return dir_ / name; }

  // Runs `code` with numpy imported as np and DIR set to the test's directory.
  void python(const std::string& code) {
    fs::path script = path("script.py");
    std::ofstream(script) << "import numpy as np\nDIR = '" << dir_.path().string() << "'\n" << code;
    std::string command = std::string(kPython) + " " + script.string();
    ASSERT_EQ(std::system(command.c_str()), 0) << "python failed:\n" << code;
  }

  // A file with the given header dict and `data_bytes` zero bytes of data (format 1.0).
  fs::path handmade(const std::string& name, const std::string& dict, std::size_t data_bytes) {
    std::string header = dict;
    while ((10 + header.size() + 1) % 64 != 0) header += ' ';
    header += '\n';
    std::string bytes = "\x93NUMPY\x01";
    bytes += '\0';
    bytes += static_cast<char>(header.size() & 0xff);
    bytes += static_cast<char>(header.size() >> 8);
    bytes += header;
    bytes.append(data_bytes, '\0');
    std::ofstream(path(name), std::ios::binary) << bytes;
    return path(name);
  }

  // A format 2.0 file (4-byte header length) with the header exactly as given, unpadded.
  fs::path raw_v2(const std::string& name, const std::string& header, std::size_t data_bytes) {
    std::string bytes = "\x93NUMPY\x02";
    bytes += '\0';
    for (int i = 0; i < 4; ++i) bytes += static_cast<char>((header.size() >> (8 * i)) & 0xff);
    bytes += header;
    bytes.append(data_bytes, '\0');
    std::ofstream(path(name), std::ios::binary) << bytes;
    return path(name);
  }

  // The header of issue 18's crash: an unknown key whose value nests `levels` lists.
  static std::string nested_header(std::size_t levels, bool closed) {
    return "{'descr':'<f8','fortran_order':False,'shape':(1,1),'x':" + std::string(levels, '[') +
           (closed ? std::string(levels, ']') + "}" : "");
  }

  // The message read_npy throws for `file`.
  static std::string error_of(const fs::path& file) {
    try {
      read_npy(file);
    } catch (const std::runtime_error& e) {
      return e.what();
    }
    return "(no error)";
  }

  dfsim::test::TempDir dir_;
};

TEST_F(Npy, RoundTripKeepsShapeAndEveryBit) {
  Matrix m{.rows = 3, .cols = 4};
  for (std::size_t i = 0; i < 12; ++i) m.values.push_back(std::ldexp(1.0 + 0.1 * i, int(i) - 6));
  m.values[5] = -0.0;
  m.values[7] = std::numeric_limits<double>::infinity();
  m.values[11] = std::numeric_limits<double>::denorm_min();
  write_npy(path("m.npy"), m);
  Matrix back = read_npy(path("m.npy"));
  EXPECT_EQ(back.rows, 3u);
  EXPECT_EQ(back.cols, 4u);
  ASSERT_EQ(back.values.size(), 12u);
  for (std::size_t i = 0; i < 12; ++i)
    EXPECT_EQ(std::bit_cast<std::uint64_t>(back.values[i]),
              std::bit_cast<std::uint64_t>(m.values[i]))
        << "element " << i;
}

TEST_F(Npy, WrittenDataStartsOnA64ByteBoundary) {
  write_npy(path("m.npy"), {.rows = 2, .cols = 1, .values = {1.0, 2.0}});
  EXPECT_EQ(fs::file_size(path("m.npy")) % 64, 16u);  // 64-byte preamble + 2 doubles
}

TEST_F(Npy, RoundTripOfAnEmptyMatrix) {
  write_npy(path("e.npy"), {.rows = 0, .cols = 3});
  Matrix back = read_npy(path("e.npy"));
  EXPECT_EQ(back.rows, 0u);
  EXPECT_EQ(back.cols, 3u);
  EXPECT_TRUE(back.values.empty());
}

TEST_F(Npy, WriteRejectsAWrongValueCount) {
  EXPECT_THROW(write_npy(path("x.npy"), {.rows = 2, .cols = 2, .values = {1.0}}),
               std::invalid_argument);
}

TEST_F(Npy, WriteIntoAMissingDirectoryNamesTheFile) {
  try {
    write_npy(path("no/such/dir/x.npy"), {.rows = 1, .cols = 1, .values = {1.0}});
    FAIL() << "no error";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("no/such/dir/x.npy"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("cannot create"), std::string::npos) << e.what();
  }
}

TEST_F(Npy, ReadsFloat64WrittenByNumpy) {
  if (!numpy_available()) GTEST_SKIP() << "/usr/bin/python3 with numpy is not available";
  python("np.save(DIR + '/a.npy', np.arange(6, dtype=np.float64).reshape(2, 3) / 7)\n");
  Matrix m = read_npy(path("a.npy"));
  ASSERT_EQ(m.rows, 2u);
  ASSERT_EQ(m.cols, 3u);
  for (std::size_t i = 0; i < 6; ++i) EXPECT_EQ(m.values[i], double(i) / 7) << i;
}

TEST_F(Npy, ReadsFloat32WrittenByNumpy) {
  if (!numpy_available()) GTEST_SKIP() << "/usr/bin/python3 with numpy is not available";
  python("np.save(DIR + '/a.npy', (np.arange(6, dtype=np.float32) / 3).reshape(3, 2))\n");
  Matrix m = read_npy(path("a.npy"));
  ASSERT_EQ(m.rows, 3u);
  ASSERT_EQ(m.cols, 2u);
  for (std::size_t i = 0; i < 6; ++i) EXPECT_EQ(m.values[i], double(float(i) / 3.0f)) << i;
}

TEST_F(Npy, ReadsAOneDimensionalArrayAsAColumn) {
  if (!numpy_available()) GTEST_SKIP() << "/usr/bin/python3 with numpy is not available";
  python("np.save(DIR + '/a.npy', np.array([1.5, -2.5, 3.5]))\n");
  Matrix m = read_npy(path("a.npy"));
  EXPECT_EQ(m.rows, 3u);
  EXPECT_EQ(m.cols, 1u);
  EXPECT_EQ(m.values, (std::vector<double>{1.5, -2.5, 3.5}));
}

TEST_F(Npy, ReadsFormatVersion2) {
  if (!numpy_available()) GTEST_SKIP() << "/usr/bin/python3 with numpy is not available";
  python(
      "a = np.arange(8, dtype=np.float64).reshape(4, 2)\n"
      "with open(DIR + '/a.npy', 'wb') as f:\n"
      "    np.lib.format.write_array(f, a, version=(2, 0))\n");
  Matrix m = read_npy(path("a.npy"));
  EXPECT_EQ(m.rows, 4u);
  EXPECT_EQ(m.cols, 2u);
  EXPECT_EQ(m.values[7], 7.0);
}

TEST_F(Npy, NumpyReadsWhatWeWrite) {
  if (!numpy_available()) GTEST_SKIP() << "/usr/bin/python3 with numpy is not available";
  write_npy(path("ours.npy"), {.rows = 2, .cols = 3, .values = {0.1, 0.2, 0.3, -1e300, 5e-324, 7}});
  python(
      "a = np.load(DIR + '/ours.npy')\n"
      "assert a.dtype == np.float64 and a.shape == (2, 3) and a.flags['C_CONTIGUOUS'], a\n"
      "assert (a == np.array([[0.1, 0.2, 0.3], [-1e300, 5e-324, 7]])).all(), a\n");
}

TEST_F(Npy, MissingFile) {
  std::string message = error_of(path("absent.npy"));
  EXPECT_NE(message.find("absent.npy"), std::string::npos) << message;
  EXPECT_NE(message.find("no such file"), std::string::npos) << message;
}

TEST_F(Npy, BadMagic) {
  std::ofstream(path("text.npy")) << "q,k,v\n1,2,3\n";
  std::string message = error_of(path("text.npy"));
  EXPECT_NE(message.find("text.npy"), std::string::npos) << message;
  EXPECT_NE(message.find("bad magic"), std::string::npos) << message;
}

TEST_F(Npy, EmptyFileHasBadMagic) {
  std::ofstream(path("empty.npy")).close();
  EXPECT_NE(error_of(path("empty.npy")).find("bad magic"), std::string::npos);
}

TEST_F(Npy, UnsupportedVersion) {
  std::string bytes = "\x93NUMPY\x09";
  bytes += '\0';
  bytes += "\x10\x00";
  std::ofstream(path("v9.npy"), std::ios::binary) << bytes;
  std::string message = error_of(path("v9.npy"));
  EXPECT_NE(message.find("version 9.0"), std::string::npos) << message;
}

TEST_F(Npy, IntegerDtype) {
  auto file = handmade("i8.npy", "{'descr': '<i8', 'fortran_order': False, 'shape': (2, 2), }", 32);
  std::string message = error_of(file);
  EXPECT_NE(message.find("i8.npy"), std::string::npos) << message;
  EXPECT_NE(message.find("unsupported dtype '<i8'"), std::string::npos) << message;
}

TEST_F(Npy, BigEndian) {
  auto file = handmade("be.npy", "{'descr': '>f8', 'fortran_order': False, 'shape': (2, 2), }", 32);
  std::string message = error_of(file);
  EXPECT_NE(message.find("be.npy"), std::string::npos) << message;
  EXPECT_NE(message.find("big-endian"), std::string::npos) << message;
}

TEST_F(Npy, FortranOrder) {
  auto file = handmade("f.npy", "{'descr': '<f8', 'fortran_order': True, 'shape': (2, 2), }", 32);
  std::string message = error_of(file);
  EXPECT_NE(message.find("f.npy"), std::string::npos) << message;
  EXPECT_NE(message.find("Fortran"), std::string::npos) << message;
}

TEST_F(Npy, ThreeDimensions) {
  auto file =
      handmade("c.npy", "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 2, 2), }", 64);
  std::string message = error_of(file);
  EXPECT_NE(message.find("c.npy"), std::string::npos) << message;
  EXPECT_NE(message.find("wrong dimensions: shape (2, 2, 2) is 3-D"), std::string::npos) << message;
}

TEST_F(Npy, Scalar) {
  auto file = handmade("s.npy", "{'descr': '<f8', 'fortran_order': False, 'shape': (), }", 8);
  EXPECT_NE(error_of(file).find("wrong dimensions: shape () is 0-D"), std::string::npos)
      << error_of(file);
}

TEST_F(Npy, TruncatedData) {
  auto file = handmade("t.npy", "{'descr': '<f4', 'fortran_order': False, 'shape': (3, 2), }", 20);
  std::string message = error_of(file);
  EXPECT_NE(message.find("truncated"), std::string::npos) << message;
  EXPECT_NE(message.find("needs 3 x 2 x 4 bytes of data, the file has 20"), std::string::npos)
      << message;
}

TEST_F(Npy, MalformedHeader) {
  auto file = handmade("h.npy", "{'descr': '<f8', 'fortran_order': Maybe, 'shape': (2,), }", 16);
  std::string message = error_of(file);
  EXPECT_NE(message.find("h.npy"), std::string::npos) << message;
  EXPECT_NE(message.find("malformed header"), std::string::npos) << message;
}

TEST_F(Npy, HeaderWithoutShape) {
  auto file = handmade("h.npy", "{'descr': '<f8', 'fortran_order': False}", 16);
  EXPECT_NE(error_of(file).find("must give 'descr', 'fortran_order' and 'shape'"),
            std::string::npos)
      << error_of(file);
}

TEST_F(Npy, StructuredDtype) {
  if (!numpy_available()) GTEST_SKIP() << "/usr/bin/python3 with numpy is not available";
  python("np.save(DIR + '/r.npy', np.zeros(3, dtype=[('x', '<f8'), ('y', '<i4')]))\n");
  EXPECT_NE(error_of(path("r.npy")).find("structured array"), std::string::npos)
      << error_of(path("r.npy"));
}

TEST_F(Npy, NumpyIntegerAndBigEndianAndFortranFiles) {
  if (!numpy_available()) GTEST_SKIP() << "/usr/bin/python3 with numpy is not available";
  python(
      "np.save(DIR + '/i.npy', np.arange(4).reshape(2, 2))\n"
      "np.save(DIR + '/b.npy', np.arange(4, dtype='>f8').reshape(2, 2))\n"
      "np.save(DIR + '/f.npy', np.asfortranarray(np.arange(6.0).reshape(2, 3)))\n");
  EXPECT_NE(error_of(path("i.npy")).find("unsupported dtype '<i8'"), std::string::npos)
      << error_of(path("i.npy"));
  EXPECT_NE(error_of(path("b.npy")).find("big-endian dtype '>f8'"), std::string::npos)
      << error_of(path("b.npy"));
  EXPECT_NE(error_of(path("f.npy")).find("Fortran"), std::string::npos) << error_of(path("f.npy"));
}

// Issue 18: 100,000 nested brackets overflowed the parser's call stack (SIGSEGV).
TEST_F(Npy, HundredThousandNestedBracketsAreAMessageNotACrash) {
  for (bool closed : {true, false}) {
    auto file = raw_v2("nested.npy", nested_header(100'000, closed), 8);
    std::string message = error_of(file);
    EXPECT_EQ(
        message.rfind(file.string() + ": malformed header (brackets nested more than 64 deep at "
                                      "character 119): {'descr':'<f8','fortran_order':False,",
                      0),
        0u)
        << message.substr(0, 400);
    // The 200 KB header is cut short: the message stays one short line.
    EXPECT_NE(
        message.find("... (" + std::to_string(nested_header(100'000, closed).size()) + " bytes)"),
        std::string::npos)
        << message.substr(0, 400);
    EXPECT_LT(message.size(), 400u);
    EXPECT_EQ(message.find('\n'), std::string::npos);
  }
}

TEST_F(Npy, NestingUpToTheLimitIsSkipped) {
  auto file = raw_v2("nested.npy", nested_header(64, true), 8);
  Matrix m = read_npy(file);
  EXPECT_EQ(m.rows, 1u);
  EXPECT_EQ(m.cols, 1u);
  EXPECT_NE(error_of(raw_v2("deeper.npy", nested_header(65, true), 8)).find("nested more than 64"),
            std::string::npos);
}

TEST_F(Npy, UnknownKeysOfEveryKindAreSkipped) {
  auto file = handmade("k.npy",
                       "{'descr': '<f8', 'a': [1, (2, 3), {'b': 'c]'}], 'e': {}, 'f': (), "
                       "'fortran_order': False, 'g': -1.5e3, 'shape': (2, 1), }",
                       16);
  Matrix m = read_npy(file);
  EXPECT_EQ(m.rows, 2u);
  EXPECT_EQ(m.cols, 1u);
}

TEST_F(Npy, HeaderControlBytesAreEscapedInTheMessage) {
  auto file = raw_v2("c.npy", "{'descr': '<f8', 'fortran_order': \x01\xff", 0);
  std::string message = error_of(file);
  EXPECT_NE(message.find("(expected True or False at character 34): {'descr': '<f8', "
                         "'fortran_order': \\x01\\xff"),
            std::string::npos)
      << message;
}

// Issue 18: q.npy linked to /dev/zero was read whole (1.97 GB) before its magic was checked.
TEST_F(Npy, SymlinkToDevZeroIsRefusedWithoutReading) {
  if (!fs::exists("/dev/zero")) GTEST_SKIP() << "no /dev/zero";
  fs::create_symlink("/dev/zero", path("q.npy"));
  EXPECT_EQ(error_of(path("q.npy")),
            path("q.npy").string() +
                ": not a regular file: it is a character device (a symbolic link to /dev/zero); "
                "give a .npy file written by numpy.save");
}

// Issue 18: a named pipe without a writer blocked read_npy forever.
TEST_F(Npy, NamedPipeIsRefusedWithoutBlocking) {
  ASSERT_EQ(::mkfifo(path("q.npy").c_str(), 0600), 0) << std::strerror(errno);
  auto message = std::async(std::launch::async, [&] { return error_of(path("q.npy")); });
  if (message.wait_for(std::chrono::seconds(10)) != std::future_status::ready) {
    int writer = ::open(path("q.npy").c_str(), O_WRONLY | O_NONBLOCK);  // lets the reader go
    if (writer >= 0) ::close(writer);
    FAIL() << "read_npy blocked on a named pipe";
  }
  EXPECT_EQ(message.get(), path("q.npy").string() +
                               ": not a regular file: it is a named pipe (FIFO); give a .npy "
                               "file written by numpy.save");
}

// Issue 18: a directory gave a message without the file's name.
TEST_F(Npy, DirectoryIsRefusedByName) {
  fs::create_directories(path("q.npy"));
  EXPECT_EQ(error_of(path("q.npy")), path("q.npy").string() +
                                         ": not a regular file: it is a directory; give a .npy "
                                         "file written by numpy.save");
}

TEST_F(Npy, DanglingSymlinkIsAMissingFile) {
  fs::create_symlink(path("absent.npy"), path("q.npy"));
  EXPECT_EQ(error_of(path("q.npy")), path("q.npy").string() + ": no such file");
}

// A header may claim any shape: the claim is checked against the file's size before the
// values are allocated (a std::bad_alloc would not be a std::runtime_error, and fail here).
TEST_F(Npy, HugeShapeIsTruncatedNotAllocated) {
  auto file = handmade(
      "h.npy", "{'descr': '<f8', 'fortran_order': False, 'shape': (4294967296, 1048576), }", 24);
  EXPECT_NE(error_of(file).find("truncated: shape (4294967296, 1048576) of '<f8' needs "
                                "4294967296 x 1048576 x 8 bytes of data, the file has 24"),
            std::string::npos)
      << error_of(file);
  auto wraps = handmade(
      "w.npy", "{'descr': '<f8', 'fortran_order': False, 'shape': (18446744073709551615, 2), }",
      24);
  EXPECT_NE(error_of(wraps).find("truncated: shape (18446744073709551615, 2)"), std::string::npos)
      << error_of(wraps);
}

TEST_F(Npy, HeaderLengthBeyondTheFileIsTruncated) {
  std::string bytes = "\x93NUMPY\x02";
  bytes += '\0';
  bytes += "\xf0\xff\xff\xff{'descr'";
  std::ofstream(path("l.npy"), std::ios::binary) << bytes;
  EXPECT_EQ(error_of(path("l.npy")), path("l.npy").string() +
                                         ": truncated: the header is 4294967280 bytes, the file "
                                         "ends after 8");
}

TEST_F(Npy, HeaderOverOneMebibyteIsRefused) {
  auto file = raw_v2("big.npy", "{" + std::string((1 << 20) + 1, ' '), 0);
  EXPECT_EQ(error_of(file), file.string() +
                                ": the header is 1048578 bytes, more than the 1048576 this "
                                "reader accepts (NumPy writes a few hundred)");
}

TEST_F(Npy, TruncatedPreamble) {
  std::ofstream(path("p.npy"), std::ios::binary) << std::string("\x93NUMPY\x02\x00\x10", 9);
  EXPECT_NE(error_of(path("p.npy")).find("truncated: the file ends inside its preamble"),
            std::string::npos);
}

TEST_F(Npy, ExtraDataAfterTheValuesIsIgnored) {
  auto file = handmade("x.npy", "{'descr': '<f8', 'fortran_order': False, 'shape': (1,), }", 12);
  EXPECT_EQ(read_npy(file).values, std::vector<double>{0.0});
}

TEST_F(Npy, LargeFileIsReadInPieces) {
  Matrix m{.rows = 100'000, .cols = 3};  // 2.4 MB of data: three pieces of 1 MiB
  for (std::size_t i = 0; i < 300'000; ++i) m.values.push_back(static_cast<double>(i) * 0.5);
  write_npy(path("big.npy"), m);
  EXPECT_EQ(read_npy(path("big.npy")).values, m.values);
}

TEST(NonFinite, FirstNanOrInfinityAndTheCount) {
  constexpr double kNan = std::numeric_limits<double>::quiet_NaN();
  constexpr double kInf = std::numeric_limits<double>::infinity();
  Matrix m{.rows = 4, .cols = 2, .values = {0, 1, 2, 3, 4, kNan, kInf, 7}};
  auto bad = find_non_finite(m);
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->row, 2u);
  EXPECT_EQ(bad->col, 1u);
  EXPECT_EQ(bad->count, 2u);
  EXPECT_EQ(to_string(*bad),
            "row 2, column 1 is NaN (counting from 0; the first of 2 NaN or "
            "infinite values)");
  m.values[5] = 5;
  m.values[6] = -kInf;
  EXPECT_EQ(to_string(*find_non_finite(m)), "row 3, column 0 is -inf (counting from 0)");
  m.values[6] = kInf;
  EXPECT_EQ(to_string(*find_non_finite(m)), "row 3, column 0 is inf (counting from 0)");
  m.values[6] = 6;
  EXPECT_FALSE(find_non_finite(m));
}

TEST_F(Npy, NonFiniteValuesAreReadAsTheyAre) {
  Matrix m{.rows = 1, .cols = 2, .values = {std::numeric_limits<double>::quiet_NaN(), 1.0}};
  write_npy(path("n.npy"), m);
  Matrix back = read_npy(path("n.npy"));
  EXPECT_TRUE(std::isnan(back.values[0]));
  EXPECT_EQ(find_non_finite(back)->col, 0u);
}

}  // namespace
}  // namespace dfsim::sdpa
