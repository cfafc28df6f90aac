#pragma once

#include "providers/kubernetes/kubeportforward.h"

#include <QList>
#include <QObject>

namespace mist {

// The port forwards the user has open (the UI's list). Owns them; a forward that is closed
// or fails to listen leaves the list (failed() reached the UI first).
class KubePortForwardList : public QObject
{
    Q_OBJECT

public:
    using QObject::QObject;
    ~KubePortForwardList() override;

    void add(KubePortForward *forward);   // takes ownership; starts it when idle
    QList<KubePortForward *> forwards() const { return m_forwards; }
    void close(KubePortForward *forward);
    void closeAll();

signals:
    void added(mist::KubePortForward *forward);
    void removed(mist::KubePortForward *forward);   // deleted later

private:
    void remove(KubePortForward *forward);

    QList<KubePortForward *> m_forwards;
};

} // namespace mist
