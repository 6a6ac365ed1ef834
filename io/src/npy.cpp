// NumPy .npy files: https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html
// A file is the magic string "\x93NUMPY", a major and a minor version byte, the header length
// (2 bytes little-endian in 1.0, 4 bytes in 2.0 and 3.0), a header that is a Python dict literal
// such as {'descr': '<f8', 'fortran_order': False, 'shape': (3, 4), }, and the raw data.
//
// The reader trusts nothing in the file before it has checked it: the file type before it opens
// it, the magic before the header, every length against the file's size before it allocates.
#include "dfsim/io/npy.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <bit>
#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <limits>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>

namespace dfsim::io {
namespace {

namespace fs = std::filesystem;

constexpr char kMagic[] = "\x93NUMPY";
constexpr std::size_t kMagicSize = 6;
// NumPy writes headers of a few hundred bytes whose values nest brackets two or three deep. Far
// larger figures come only from damaged or hostile files; the limits bound the reader's memory
// and time, and keep a hostile header from costing more than a clear message.
constexpr std::size_t kMaxHeaderBytes = std::size_t{1} << 20;
constexpr std::size_t kMaxNesting = 64;
// Data is converted piece by piece, so a large file costs little memory beyond its values.
constexpr std::size_t kChunkBytes = std::size_t{1} << 20;
constexpr std::size_t kExcerptChars = 160;

[[noreturn]] void fail(const fs::path& file, const std::string& what) {
  throw std::runtime_error(file.string() + ": " + what);
}

std::string errno_text() { return std::strerror(errno); }

// Text from the file as it can appear in a one-line message: control and non-ASCII bytes
// escaped (a header may hold anything), cut short after `limit` characters.
std::string printable(std::string_view text, std::size_t limit = kExcerptChars) {
  std::string s;
  std::size_t i = 0;
  for (; i < text.size() && s.size() < limit; ++i) {
    auto c = static_cast<unsigned char>(text[i]);
    if (c >= 0x20 && c < 0x7f) {
      s += static_cast<char>(c);
    } else {
      constexpr char kHex[] = "0123456789abcdef";
      s += {'\\', 'x', kHex[c >> 4], kHex[c & 0xf]};
    }
  }
  if (i < text.size()) s += "... (" + std::to_string(text.size()) + " bytes)";
  return s;
}

// The header for a message, without the padding that ends it.
std::string excerpt(std::string_view text) {
  while (!text.empty() && (text.back() == ' ' || text.back() == '\n')) text.remove_suffix(1);
  return printable(text);
}

// The three entries of the header dict that matter; the parser rejects anything else it
// cannot read, and ignores unknown keys whose values it can read.
struct Header {
  std::optional<std::string> descr;
  std::optional<bool> fortran_order;
  std::optional<std::vector<std::uint64_t>> shape;
};

class HeaderParser {
 public:
  HeaderParser(std::string_view text, const fs::path& file) : text_(text), file_(file) {}

  Header parse() {
    Header h;
    expect('{');
    for (;;) {
      skip_space();
      if (peek() == '}') break;
      std::string key = string_literal();
      expect(':');
      skip_space();
      if (key == "descr") {
        if (peek() != '\'' && peek() != '"')
          fail(file_,
               "unsupported dtype: a structured array (descr is not a string); "
               "only float64 '<f8' and float32 '<f4' arrays can be read");
        h.descr = string_literal();
      } else if (key == "fortran_order") {
        h.fortran_order = boolean();
      } else if (key == "shape") {
        h.shape = tuple();
      } else {
        skip_value();
      }
      skip_space();
      if (peek() == ',') ++pos_;
    }
    if (!h.descr || !h.fortran_order || !h.shape)
      fail(file_, "malformed header: it must give 'descr', 'fortran_order' and 'shape' (header: " +
                      excerpt(text_) + ")");
    return h;
  }

 private:
  char peek() const { return pos_ < text_.size() ? text_[pos_] : '\0'; }
  void skip_space() {
    while (pos_ < text_.size() && (text_[pos_] == ' ' || text_[pos_] == '\t' ||
                                   text_[pos_] == '\n' || text_[pos_] == '\r'))
      ++pos_;
  }
  [[noreturn]] void malformed(const std::string& what) const {
    fail(file_, "malformed header (" + what + " at character " + std::to_string(pos_) +
                    "): " + excerpt(text_));
  }
  void expect(char c) {
    skip_space();
    if (peek() != c) malformed(std::string("expected '") + c + "'");
    ++pos_;
  }
  std::string string_literal() {
    skip_space();
    char quote = peek();
    if (quote != '\'' && quote != '"') malformed("expected a quoted string");
    std::size_t end = text_.find(quote, pos_ + 1);
    if (end == std::string_view::npos) malformed("unterminated string");
    std::string s(text_.substr(pos_ + 1, end - pos_ - 1));
    pos_ = end + 1;
    return s;
  }
  bool boolean() {
    if (text_.substr(pos_, 4) == "True") {
      pos_ += 4;
      return true;
    }
    if (text_.substr(pos_, 5) == "False") {
      pos_ += 5;
      return false;
    }
    malformed("expected True or False");
  }
  std::uint64_t integer() {
    skip_space();
    std::uint64_t v = 0;
    std::size_t start = pos_;
    while (peek() >= '0' && peek() <= '9') {
      auto digit = static_cast<std::uint64_t>(peek() - '0');
      if (v > (std::numeric_limits<std::uint64_t>::max() - digit) / 10)
        malformed("dimension too large");
      v = v * 10 + digit;
      ++pos_;
    }
    if (pos_ == start) malformed("expected a non-negative integer");
    if (peek() == 'L') ++pos_;  // written by Python 2
    return v;
  }
  std::vector<std::uint64_t> tuple() {
    expect('(');
    std::vector<std::uint64_t> dims;
    for (;;) {
      skip_space();
      if (peek() == ')') break;
      dims.push_back(integer());
      skip_space();
      if (peek() == ',') {
        ++pos_;
      } else if (peek() != ')') {
        malformed("expected ',' or ')' in the shape");
      }
    }
    ++pos_;
    return dims;
  }
  // Any value the header might hold for a key we do not use: a string, a bool, a number, or
  // tuples, lists and dicts of them. Iterative, with the open brackets on a stack of bounded
  // depth: a recursive descent overflowed the call stack on a header nesting 100,000 brackets.
  void skip_value() {
    std::string closers;  // the brackets still open, innermost last
    for (;;) {
      skip_space();
      char c = peek();
      if (c == '(' || c == '[' || c == '{') {
        if (closers.size() == kMaxNesting)
          malformed("brackets nested more than " + std::to_string(kMaxNesting) + " deep");
        closers += c == '(' ? ')' : c == '[' ? ']' : '}';
        ++pos_;
        continue;
      }
      if (!closers.empty() && c == closers.back()) {
        closers.pop_back();
        ++pos_;
      } else if (!closers.empty() && c == '\0') {
        malformed("unterminated value");
      } else {
        skip_scalar();
      }
      if (closers.empty()) return;
      skip_space();
      if (peek() == ',' || peek() == ':') ++pos_;
    }
  }
  void skip_scalar() {
    if (peek() == '\'' || peek() == '"') {
      string_literal();
      return;
    }
    std::size_t start = pos_;
    while (pos_ < text_.size() && text_[pos_] != ',' && text_[pos_] != '}' && text_[pos_] != ')' &&
           text_[pos_] != ']' && text_[pos_] != ':')
      ++pos_;
    if (pos_ == start) malformed("expected a value");
  }

  std::string_view text_;
  const fs::path& file_;
  std::size_t pos_ = 0;
};

template <typename T>
T load_little_endian(const char* p) {
  using Bits = std::conditional_t<sizeof(T) == 8, std::uint64_t, std::uint32_t>;
  Bits bits = 0;
  for (std::size_t i = 0; i < sizeof(T); ++i)
    bits |= static_cast<Bits>(static_cast<unsigned char>(p[i])) << (8 * i);
  return std::bit_cast<T>(bits);
}

std::string shape_text(const std::vector<std::uint64_t>& shape) {
  std::string s = "(";
  for (std::size_t i = 0; i < shape.size(); ++i) {
    s += std::to_string(shape[i]);
    if (i + 1 < shape.size() || shape.size() == 1) s += ",";
    if (i + 1 < shape.size()) s += " ";
  }
  return s + ")";
}

// A file descriptor, closed when it goes out of scope.
class File {
 public:
  explicit File(int fd) : fd_(fd) {}
  File(File&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  File(const File&) = delete;
  File& operator=(const File&) = delete;
  File& operator=(File&&) = delete;
  ~File() {
    if (fd_ >= 0) ::close(fd_);
  }
  int fd() const { return fd_; }

 private:
  int fd_;
};

std::string kind_of(mode_t mode) {
  if (S_ISDIR(mode)) return "a directory";
  if (S_ISFIFO(mode)) return "a named pipe (FIFO)";
  if (S_ISCHR(mode)) return "a character device";
  if (S_ISBLK(mode)) return "a block device";
  if (S_ISSOCK(mode)) return "a socket";
  return "of an unknown kind";
}

[[noreturn]] void not_regular(const fs::path& file, mode_t mode) {
  std::string what = "not a regular file: it is " + kind_of(mode);
  std::error_code ec;
  if (fs::is_symlink(file, ec)) {
    fs::path target = fs::canonical(file, ec);
    if (!ec) what += " (a symbolic link to " + target.string() + ")";
  }
  fail(file, what + "; give a .npy file written by numpy.save");
}

// Opens `file` and gives its size, refusing anything but a regular file before reading a byte:
// a device such as /dev/zero never ends and a named pipe blocks until someone writes to it.
File open_regular(const fs::path& file, std::uint64_t& size) {
  struct stat st {};
  if (::stat(file.c_str(), &st) != 0) {
    if (errno == ENOENT) fail(file, "no such file");
    fail(file, "cannot open: " + errno_text());
  }
  if (!S_ISREG(st.st_mode)) not_regular(file, st.st_mode);
  // O_NONBLOCK so that a path replaced by a FIFO after the stat cannot make open() wait; the
  // fstat below then refuses it.
  File f(::open(file.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC));
  if (f.fd() < 0) fail(file, "cannot open: " + errno_text());
  if (::fstat(f.fd(), &st) != 0) fail(file, "cannot open: " + errno_text());
  if (!S_ISREG(st.st_mode)) not_regular(file, st.st_mode);
  size = static_cast<std::uint64_t>(st.st_size);
  return f;
}

// Reads up to `n` bytes; fewer only at the end of the file.
std::size_t read_some(int fd, char* p, std::size_t n, const fs::path& file) {
  std::size_t done = 0;
  while (done < n) {
    ssize_t r = ::read(fd, p + done, n - done);
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) fail(file, "read error: " + errno_text());
    if (r == 0) break;
    done += static_cast<std::size_t>(r);
  }
  return done;
}

struct RawHeader {
  std::string text;
  std::uint64_t data_start = 0;  // the offset of the data in the file
};

// The magic string, the version and the header, each checked before the next is read.
RawHeader read_header(int fd, const fs::path& file, std::uint64_t file_size) {
  char preamble[kMagicSize + 2 + 4];
  std::size_t got = read_some(fd, preamble, kMagicSize + 2, file);
  if (got < kMagicSize + 2 || std::memcmp(preamble, kMagic, kMagicSize) != 0)
    fail(file, "not a NumPy .npy file (bad magic string: it must start with \"\\x93NUMPY\")");
  int major = static_cast<unsigned char>(preamble[kMagicSize]);
  int minor = static_cast<unsigned char>(preamble[kMagicSize + 1]);
  if (major < 1 || major > 3 || minor != 0)
    fail(file, "unsupported .npy format version " + std::to_string(major) + "." +
                   std::to_string(minor) + " (1.0, 2.0 and 3.0 can be read)");
  std::size_t length_size = major == 1 ? 2 : 4;
  if (read_some(fd, preamble + kMagicSize + 2, length_size, file) < length_size)
    fail(file, "truncated: the file ends inside its preamble");
  std::uint64_t length = 0;
  for (std::size_t i = 0; i < length_size; ++i)
    length |= std::uint64_t{static_cast<unsigned char>(preamble[kMagicSize + 2 + i])} << (8 * i);
  std::uint64_t header_start = kMagicSize + 2 + length_size;
  if (file_size < header_start + length)
    fail(file, "truncated: the header is " + std::to_string(length) +
                   " bytes, the file ends after " + std::to_string(file_size - header_start));
  if (length > kMaxHeaderBytes)
    fail(file, "the header is " + std::to_string(length) + " bytes, more than the " +
                   std::to_string(kMaxHeaderBytes) +
                   " this reader accepts (NumPy writes a few hundred)");
  std::string header(length, '\0');
  if (read_some(fd, header.data(), length, file) < length)
    fail(file, "truncated: the file ended while its header was read (did it change meanwhile?)");
  return {.text = std::move(header), .data_start = header_start + length};
}

// What the header says about the data, once it is known to be readable.
struct Layout {
  std::size_t rows = 0;
  std::size_t cols = 0;
  std::size_t item_size = 0;  // 8 for '<f8', 4 for '<f4'
};

Layout layout_of(const Header& h, const fs::path& file) {
  const std::string& descr = *h.descr;
  const std::string shown = printable(descr, 40);
  std::size_t item_size = 0;
  bool little =
      descr.size() == 3 &&
      (descr[0] == '<' || (descr[0] == '=' && std::endian::native == std::endian::little));
  if (descr.size() == 3 && descr[0] == '>' && (descr.substr(1) == "f8" || descr.substr(1) == "f4"))
    fail(file, "big-endian dtype '" + descr +
                   "' is not supported: save it little-endian, e.g. a.astype('<" + descr.substr(1) +
                   "')");
  if (little && descr.substr(1) == "f8") item_size = 8;
  if (little && descr.substr(1) == "f4") item_size = 4;
  if (item_size == 0)
    fail(file, "unsupported dtype '" + shown +
                   "': only float64 ('<f8') and float32 ('<f4') can be read; convert with "
                   "a.astype(numpy.float64)");
  if (*h.fortran_order)
    fail(file, "Fortran-order array: only C order can be read; save numpy.ascontiguousarray(a)");
  const auto& shape = *h.shape;
  if (shape.size() != 1 && shape.size() != 2)
    fail(file, "wrong dimensions: shape " + shape_text(shape) + " is " +
                   std::to_string(shape.size()) +
                   "-D; a 2-D (rows, cols) or 1-D (rows,) array is needed");
  return {.rows = shape[0], .cols = shape.size() == 2 ? shape[1] : 1, .item_size = item_size};
}

void read_values(int fd, const fs::path& file, std::size_t item_size, std::vector<double>& out) {
  std::size_t total = out.size() * item_size;
  std::vector<char> chunk(std::min(kChunkBytes, total));
  std::size_t per_chunk = chunk.size() / item_size;
  for (std::size_t first = 0; first < out.size(); first += per_chunk) {
    std::size_t count = std::min(per_chunk, out.size() - first);
    std::size_t done = first * item_size;
    std::size_t got = read_some(fd, chunk.data(), count * item_size, file);
    if (got < count * item_size)
      fail(file, "truncated: the file ended after " + std::to_string(done + got) + " of its " +
                     std::to_string(total) + " data bytes (did it change while it was read?)");
    for (std::size_t i = 0; i < count; ++i)
      out[first + i] = item_size == 8
                           ? load_little_endian<double>(chunk.data() + 8 * i)
                           : static_cast<double>(load_little_endian<float>(chunk.data() + 4 * i));
  }
}

}  // namespace

Matrix read_npy(const fs::path& file) {
  std::uint64_t file_size = 0;
  File f = open_regular(file, file_size);
  RawHeader header = read_header(f.fd(), file, file_size);
  Header h = HeaderParser(header.text, file).parse();
  Layout layout = layout_of(h, file);

  const std::vector<std::uint64_t>& shape = *h.shape;
  std::uint64_t available = file_size - header.data_start;
  // Checked against the file's size before anything is allocated: a header may claim any shape.
  if (layout.cols != 0 && layout.rows > available / layout.item_size / layout.cols)
    fail(file, "truncated: shape " + shape_text(shape) + " of '" + *h.descr + "' needs " +
                   std::to_string(layout.rows) + " x " + std::to_string(layout.cols) + " x " +
                   std::to_string(layout.item_size) + " bytes of data, the file has " +
                   std::to_string(available));
  Matrix m{.rows = layout.rows, .cols = layout.cols};
  m.values.resize(layout.rows * layout.cols);
  read_values(f.fd(), file, layout.item_size, m.values);
  return m;
}

std::optional<NonFinite> find_non_finite(const Matrix& m) {
  std::optional<NonFinite> first;
  for (std::size_t i = 0; i < m.values.size(); ++i) {
    double v = m.values[i];
    if (std::isfinite(v)) continue;
    if (!first)
      first = NonFinite{.row = m.cols ? i / m.cols : i, .col = m.cols ? i % m.cols : 0, .value = v};
    ++first->count;
  }
  return first;
}

std::string to_string(const NonFinite& x) {
  std::string value = std::isnan(x.value) ? "NaN" : x.value > 0 ? "inf" : "-inf";
  std::string s = "row " + std::to_string(x.row) + ", column " + std::to_string(x.col) + " is " +
                  value + " (counting from 0";
  if (x.count > 1) s += "; the first of " + std::to_string(x.count) + " NaN or infinite values";
  return s + ")";
}

void write_npy(const std::filesystem::path& file, const Matrix& m) {
  if (m.values.size() != m.rows * m.cols)
    throw std::invalid_argument(
        "write_npy(" + file.string() + "): " + std::to_string(m.values.size()) + " values for a " +
        std::to_string(m.rows) + " x " + std::to_string(m.cols) + " matrix");
  std::string header = "{'descr': '<f8', 'fortran_order': False, 'shape': (" +
                       std::to_string(m.rows) + ", " + std::to_string(m.cols) + "), }";
  // Pad with spaces and end with '\n' so that the data starts on a 64-byte boundary.
  std::size_t preamble = kMagicSize + 2 + 2;
  std::size_t total = preamble + header.size() + 1;
  header.append((64 - total % 64) % 64, ' ');
  header += '\n';

  std::string bytes(kMagic, kMagicSize);
  bytes += '\x01';
  bytes += '\x00';
  bytes += static_cast<char>(header.size() & 0xff);
  bytes += static_cast<char>((header.size() >> 8) & 0xff);
  bytes += header;
  bytes.reserve(bytes.size() + 8 * m.values.size());
  for (double v : m.values) {
    auto bits = std::bit_cast<std::uint64_t>(v);
    for (int i = 0; i < 8; ++i) bytes += static_cast<char>((bits >> (8 * i)) & 0xff);
  }

  std::ofstream out(file, std::ios::binary | std::ios::trunc);
  if (!out) fail(file, std::string("cannot create: ") + std::strerror(errno));
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  out.close();
  if (!out) fail(file, std::string("cannot write: ") + std::strerror(errno));
}

}  // namespace dfsim::io
