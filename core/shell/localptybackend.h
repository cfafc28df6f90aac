#pragma once

#include "shell/terminalbackend.h"

#include <QPointer>
#include <QSocketNotifier>

namespace mist {

// A login shell ($SHELL -l, else /bin/sh) on a local pty. Unix only for now; on Windows
// start() fails with a clear message (ConPTY can come behind the same interface).
class LocalPtyBackend : public TerminalBackend
{
    Q_OBJECT

public:
    explicit LocalPtyBackend(QObject *parent = nullptr);
    ~LocalPtyBackend() override;

    // Program and arguments to run instead of the login shell (tests, "run this command").
    void setProgram(const QString &program, const QStringList &arguments);

    void start(int cols, int rows) override;
    void write(const QByteArray &data) override;
    void resize(int cols, int rows) override;
    void close() override;
    QString description() const override;

    qint64 processId() const { return m_pid; }

private:
    void onReadable();
    void onWritable();
    void reap(bool wait);

    QString m_program;
    QStringList m_arguments;
    int m_master = -1;
    qint64 m_pid = -1;
    QByteArray m_pending;
    QSocketNotifier *m_readNotifier = nullptr;
    QSocketNotifier *m_writeNotifier = nullptr;
};

} // namespace mist
