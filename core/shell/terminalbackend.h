#pragma once

#include "util/result.h"

#include <QByteArray>
#include <QObject>
#include <QString>

namespace mist {

// What a terminal view talks to: a local pty or a remote shell. Bytes both ways are raw
// (UTF-8 terminal data). Methods are called on the owner's thread; signals arrive there.
class TerminalBackend : public QObject
{
    Q_OBJECT

public:
    enum class State { Idle, Connecting, Connected, Finished, Failed };
    Q_ENUM(State)

    using QObject::QObject;
    ~TerminalBackend() override = default;

    virtual void start(int cols, int rows) = 0;
    virtual void write(const QByteArray &data) = 0;
    virtual void resize(int cols, int rows) = 0;
    virtual void close() = 0;

    virtual QString description() const = 0;   // "root@web-1", "Local shell (/bin/bash)"
    State state() const { return m_state; }

signals:
    void connected();
    void dataReceived(const QByteArray &data);
    void finished(int exitStatus);   // -1 when the other side gave none
    void failed(const mist::Error &error);
    void stateChanged(mist::TerminalBackend::State state);

protected:
    void setState(State state)
    {
        if (state == m_state)
            return;
        m_state = state;
        emit stateChanged(state);
    }

private:
    State m_state = State::Idle;
};

} // namespace mist
