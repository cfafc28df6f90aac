#pragma once

#include "services/appcore.h"

#include <QFrame>
#include <QVector>

class QVBoxLayout;

namespace mist {

class ActionController;

// An info bar above the tree offering what was found on this computer at first start
// (a local libvirt socket...). Never blocks: each offer has "Add" (straight through
// AppCore::addCloud), "Edit…" (the cloud dialog, prefilled) and "Dismiss".
class DiscoveryBar : public QFrame
{
    Q_OBJECT
public:
    DiscoveryBar(AppCore *core, ActionController *actions, QWidget *parent = nullptr);

    void offer(const QVector<DiscoveredCloud> &offers);
    int offerCount() const;

signals:
    // A kubeconfig offer's "Import…": its contexts are chosen in the import dialog.
    void kubeconfigImportRequested(const QStringList &paths);

private:
    void addOffer(const DiscoveredCloud &offer);
    void addKubeconfigOffer(QWidget *row, const DiscoveredCloud &offer);
    void removeOffer(QWidget *row);

    AppCore *m_core;
    ActionController *m_actions;
    QVBoxLayout *m_rows;
};

} // namespace mist
