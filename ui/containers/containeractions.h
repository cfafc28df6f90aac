#pragma once

#include <QObject>
#include <QPointer>

#include <functional>

class QAction;
class QMenu;
class QWidget;

namespace mist {

class AppCore;
class KubeImportDialog;
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
    void addToMenu(QMenu *menu) const;
    void updateEnabled();

    // Opens (or raises) the logs window of the selected container/pod; null when not possible.
    LogView *openLogsForSelection();
    // Empty paths: $KUBECONFIG or ~/.kube/config.
    KubeImportDialog *openKubeImport(const QStringList &paths = {});

private:
    AppCore *m_core;
    QPointer<QWidget> m_window;
    Selection m_selection;
    QAction *m_logs;
    QAction *m_importKube;
};

} // namespace mist
