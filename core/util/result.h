#pragma once

#include <QString>
#include <QMetaType>

#include <optional>
#include <utility>

namespace mist {

// A user-facing error: `message` is one translated sentence saying what went wrong,
// `detail` carries the technical cause (library error text, path, URI) for logs and tooltips.
struct Error
{
    QString message;
    QString detail;

    QString toString() const
    {
        if (detail.isEmpty())
            return message;
        // "Could not connect to X." + ": reason" reads badly; drop the sentence's full stop.
        QString head = message;
        if (head.endsWith(QLatin1Char('.')))
            head.chop(1);
        return head + QStringLiteral(": ") + detail;
    }
};

// Minimal expected-like carrier (std::expected is not in the Debian 12 toolchain's C++20 mode).
template <typename T>
class [[nodiscard]] Result
{
public:
    Result(T value) : m_value(std::move(value)) {}
    Result(Error error) : m_error(std::move(error)) {}

    bool ok() const { return m_value.has_value(); }
    explicit operator bool() const { return ok(); }
    const T &value() const & { return *m_value; }
    T &value() & { return *m_value; }
    // By value on a temporary, so `for (x : f().value())` never iterates a dead object.
    T value() && { return std::move(*m_value); }
    const T &operator*() const & { return *m_value; }
    const T *operator->() const { return &*m_value; }
    const Error &error() const { return m_error; }

private:
    std::optional<T> m_value;
    Error m_error;
};

template <>
class [[nodiscard]] Result<void>
{
public:
    Result() = default;
    Result(Error error) : m_failed(true), m_error(std::move(error)) {}

    bool ok() const { return !m_failed; }
    explicit operator bool() const { return ok(); }
    const Error &error() const { return m_error; }

private:
    bool m_failed = false;
    Error m_error;
};

using Status = Result<void>;

} // namespace mist

Q_DECLARE_METATYPE(mist::Error)
