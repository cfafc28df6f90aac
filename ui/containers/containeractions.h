#pragma once

#include <QObject>
#include <QPointer>

#include "util/result.h"

#include <functional>

class QAction;
class QMenu;
class QWidget;

namespace mist {

class AppCore;
class KubeImportDialog;
class KubePortForwardList;
class PortForwardsView;
class LogView;
struct Cloud;
struct Machine;

// Container and Kubernetes commands of the main window: logs of the selected container or
// pod (a window per target, reused when opened again) and the kubeconfig import.
class ContainerActions : public QObject
{
    Q_OBJECT
public:
    using Selection = std::function<std::pair<const Cloud *, const Machine *>()>;

    ContainerActions(AppCore *core, QWidget *window, Selection selection, QObject *parent = nullptr);

    QAction *logsAction() const { return m_logs; }
    QAction *importKubeconfigAction() const { return m_importKube; }
    QAction *portForwardAction() const { return m_portForward; }
    KubePortForwardList *portForwards() const { return m_forwards; }
    void addToMenu(QMenu *menu) const;
    void updateEnabled();

    // Opens (or raises) the logs window of the selected container/pod; null when not possible.
    LogView *openLogsForSelection();
    // Empty paths: $KUBECONFIG or ~/.kube/config.
    KubeImportDialog *openKubeImport(const QStringList &paths = {});
    // "[LOCAL:]REMOTE" as kubectl takes it; the forward starts and the list window shows.
    Status startPortForward(const QString &ports);
    PortForwardsView *showPortForwards();

signals:
    void statusMessage(const QString &text);

private:
    void askPortForward();

    AppCore *m_core;
    QPointer<QWidget> m_window;
    Selection m_selection;
    QAction *m_logs;
    QAction *m_importKube;
    QAction *m_portForward;
    QAction *m_showForwards;
    KubePortForwardList *m_forwards;
};

} // namespace mist
