// Result<T>: a value or an Error (kind, message naming the bad value, errno of a failed system call
// or netlink request); tapd's one error convention.
#pragma once

#include <string>
#include <utility>
#include <variant>

namespace tapd {

// Error kinds map one to one onto the D-Bus error names in common/names.hpp.
enum class ErrorKind {
    InvalidArgument,
    PermissionDenied,
    Conflict,
    NotFound,
    QuotaExceeded,
    Failed
};

// Callers decide by kind and err, never by the message: the message is for people.
struct Error {
    ErrorKind kind = ErrorKind::Failed;
    std::string message;
    // The positive errno of the failed system call or of the kernel's netlink answer (NLMSG_ERROR)
    // the error comes from; 0 for an error that has none.
    int err = 0;
};

inline Error make_error(ErrorKind kind, std::string message) {
    return Error{kind, std::move(message)};
}

// Formats "what: strerror(err)" for a failed system call; err is a positive errno value.
std::string errno_text(const std::string& what, int err);

// An Error of KIND from a failed system call or netlink request: the message is
// errno_text(WHAT, ERR), and err is ERR.
Error errno_error(ErrorKind kind, const std::string& what, int err);

class Status;

template <class T>
class [[nodiscard]] Result {
  public:
    Result(T value) : v_(std::move(value)) {}
    Result(Error error) : v_(std::move(error)) {}
    bool ok() const { return v_.index() == 0; }
    explicit operator bool() const { return ok(); }
    T& value() & { return std::get<0>(v_); }
    T&& value() && { return std::get<0>(std::move(v_)); }
    const T& value() const& { return std::get<0>(v_); }
    T* operator->() { return &std::get<0>(v_); }
    const Error& error() const { return std::get<1>(v_); }
    // Without the value: success, or the error.
    Status status() const;

  private:
    std::variant<T, Error> v_;
};

// Status: a Result with no value.
class [[nodiscard]] Status {
  public:
    Status() = default;
    Status(Error error) : error_(std::move(error)), ok_(false) {}
    bool ok() const { return ok_; }
    explicit operator bool() const { return ok_; }
    const Error& error() const { return error_; }

  private:
    Error error_{};
    bool ok_ = true;
};

template <class T>
Status Result<T>::status() const {
    return ok() ? Status{} : Status{error()};
}

}  // namespace tapd
