#pragma once
// The return type of every context body: a coroutine that the executor resumes.
#include <coroutine>
#include <exception>
#include <utility>

namespace dfsim {

class Process {
 public:
  struct promise_type {
    std::exception_ptr error;
    Process get_return_object() noexcept {
      return Process{std::coroutine_handle<promise_type>::from_promise(*this)};
    }
    // Suspended at creation: building a graph runs no user code.
    std::suspend_always initial_suspend() noexcept { return {}; }
    // Kept alive after return so the executor can see it is done and read the error.
    std::suspend_always final_suspend() noexcept { return {}; }
    void return_void() noexcept {}
    void unhandled_exception() noexcept { error = std::current_exception(); }
  };
  using Handle = std::coroutine_handle<promise_type>;

  Process() = default;
  explicit Process(Handle h) noexcept : handle_(h) {}
  Process(Process&& other) noexcept : handle_(std::exchange(other.handle_, {})) {}
  Process& operator=(Process&& other) noexcept {
    if (this != &other) {
      reset();
      handle_ = std::exchange(other.handle_, {});
    }
    return *this;
  }
  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;
  ~Process() { reset(); }

  Handle handle() const noexcept { return handle_; }
  std::exception_ptr error() const noexcept { return handle_ ? handle_.promise().error : nullptr; }

 private:
  void reset() noexcept {
    if (handle_) handle_.destroy();
    handle_ = {};
  }
  Handle handle_;
};

}  // namespace dfsim
