#include "kubeportforwardlist.h"

namespace mist {

KubePortForwardList::~KubePortForwardList()
{
    qDeleteAll(m_forwards);   // each posts its worker's shutdown; nothing waits
}

void KubePortForwardList::add(KubePortForward *forward)
{
    if (!forward || m_forwards.contains(forward))
        return;
    forward->setParent(this);
    m_forwards.append(forward);
    connect(forward, &KubePortForward::closed, this, [this, forward] { remove(forward); });
    connect(forward, &KubePortForward::failed, this, [this, forward] { remove(forward); });
    emit added(forward);
    if (forward->state() == KubePortForward::State::Idle)
        forward->start();
}

void KubePortForwardList::close(KubePortForward *forward)
{
    if (m_forwards.contains(forward))
        forward->close();   // closed() removes it
}

void KubePortForwardList::closeAll()
{
    for (KubePortForward *f : QList<KubePortForward *>(m_forwards))
        f->close();
}

void KubePortForwardList::remove(KubePortForward *forward)
{
    if (!m_forwards.removeOne(forward))
        return;
    emit removed(forward);
    forward->deleteLater();
}

} // namespace mist
