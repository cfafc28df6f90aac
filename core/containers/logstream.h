#pragma once

#include "util/result.h"

#include <QObject>
#include <QString>

namespace mist {

// What a logs view asks for. Providers ignore what they cannot do (Docker has no "previous").
struct LogOptions
{
    bool follow = false;
    int tailLines = 500;        // -1: everything the runtime kept
    bool timestamps = false;    // prefix each line with the runtime's RFC 3339 timestamp
    bool previous = false;      // Kubernetes: the previous (crashed) instance of the container
    QString container;          // Kubernetes: which container of a pod; empty = the first
    bool allContainers = false; // Kubernetes: every container of the pod, merged
    bool workload = false;      // Kubernetes: every container of every pod of the pod's owner
                                // (ReplicaSet, StatefulSet, DaemonSet, Job), merged as "[pod/container] "
};

// A stream of log text from a container or pod. It runs on its own worker thread after
// start(); signals arrive on the owner's thread. Owned by whoever created it (the view).
class LogStream : public QObject
{
    Q_OBJECT

public:
    using QObject::QObject;
    ~LogStream() override = default;

    virtual void start() = 0;
    // Ends a follow; finished(ok) follows. Never blocks on the network.
    virtual void stop() = 0;

signals:
    // Complete lines, UTF-8 decoded, each ending in '\n'. Merged streams prefix each line
    // with "[source] " (pod/container name). stderr lines of a Docker stream are included.
    void linesReceived(const QString &lines);
    // Once: ok at the end of a non-follow stream or after stop(); an error otherwise.
    void finished(const mist::Status &status);
};

} // namespace mist
