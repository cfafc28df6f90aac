#pragma once

#include <QByteArray>

#include <QFile>
#include <QString>
#include <QTextStream>

#include <optional>

namespace mist {

// The CLI's standard input: whether a person is typing, reading answers and secrets.
// Prompts go to stderr so stdout stays clean for -o json/csv.
// Writes all of `data` to a file descriptor (stdout/stderr of the CLI), retrying short writes;
// false when the other end is gone (a closed pipe).
bool writeAll(int fd, const QByteArray &data);

class Terminal
{
public:
    explicit Terminal(QTextStream &err);

    bool stdinIsInteractive() const;

    // One line from stdin without its line break; nullopt at end of input.
    std::optional<QString> readLine();
    // As readLine, but with echo off when stdin is a terminal (passwords never on screen).
    std::optional<QString> readSecret(const QString &prompt);
    // "[y/N]" question on a terminal; anything but y/yes is no.
    bool confirm(const QString &question);

private:
    QTextStream &m_err;
    QFile m_stdin;
};

} // namespace mist
