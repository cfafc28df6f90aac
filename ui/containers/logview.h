#pragma once

#include "containers/logstream.h"

#include <QPointer>
#include <QWidget>

class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QSpinBox;
class QTimer;

namespace mist {

class ContainerLauncher;

// Logs of one container or pod in a window of its own: follow, last N lines, timestamps,
// previous instance and container choice (Kubernetes), search, save to a file. Text is
// appended in batches (at most every 50 ms) so a chatty container cannot flood the GUI.
class LogView : public QWidget
{
    Q_OBJECT
public:
    struct Target
    {
        qint64 machineId = 0;
        QString title;             // "web-1 (docker-local)"
        QStringList containers;    // a pod's containers; empty for a single container
        bool kubernetes = false;   // offers "previous" and "all containers"
        QString workload;          // a pod's owner ("ReplicaSet web-7d9f8"): offers all its pods
    };

    LogView(ContainerLauncher *launcher, Target target, QWidget *parent = nullptr);
    ~LogView() override;

    QString text() const;
    bool isStreaming() const { return !m_stream.isNull(); }
    QString statusText() const;
    bool saveTo(const QString &path, QString *error = nullptr) const;

public slots:
    void reload();   // restart the stream with the current options
    void showWorkload();   // every pod of the pod's owner, merged (when it has one)
    void find(bool backwards = false);

private:
    LogOptions options() const;
    void onLines(const QString &lines);
    void onFinished(const Status &status);
    void flush();
    void save();
    void stopStream();
    void setStatus(const QString &text, bool error = false);

    ContainerLauncher *m_launcher;
    Target m_target;
    QPointer<LogStream> m_stream;
    quint64 m_generation = 0;   // answers for an older reload are dropped
    QString m_pending;
    QTimer *m_flushTimer;
    QPlainTextEdit *m_text;
    QCheckBox *m_follow;
    QSpinBox *m_tail;
    QCheckBox *m_timestamps;
    QCheckBox *m_previous = nullptr;
    QComboBox *m_container = nullptr;
    QLineEdit *m_search;
    QLabel *m_status;
};

} // namespace mist
