#pragma once

#include "inventory/cloud.h"
#include "inventory/machine.h"

#include <QHash>
#include <QObject>
#include <QPointer>
#include <QStringList>
#include <QVector>

class QWidget;

namespace mist {

class AppCore;
class InventoryModel;

// Everything the user can do to machines and clouds, in one place for the menus, the
// toolbar, the context menu and the details pane: filters the selection to the machines
// that allow an action, asks before destructive ones, opens the dialogs (non-blocking,
// window-modal) and reports outcomes. The work itself runs in AppCore's workers.
class ActionController : public QObject
{
    Q_OBJECT
public:
    ActionController(AppCore *core, InventoryModel *model, QWidget *window);

    // Actions allowed for at least one of the machines, in a stable, familiar order.
    QStringList allowedActions(const QVector<qint64> &machineIds) const;
    // The machines (of `machineIds`) that allow `action` right now.
    QVector<qint64> machinesAllowing(const QString &action, const QVector<qint64> &machineIds) const;
    // An action is under way on this machine (its buttons wait for the outcome).
    bool isBusy(qint64 machineId) const { return m_busy.contains(machineId); }

    void setStoreReady(bool ready) { m_ready = ready; }
    bool isStoreReady() const { return m_ready; }
    QVector<Cloud> clouds() const;

public slots:
    void runAction(const QString &action, const QVector<qint64> &machineIds);
    void editTags(const QVector<qint64> &machineIds);
    void addCloud();
    void addCloudPrefilled(const QString &provider, const QString &name, const QJsonObject &config);
    void editCloud(qint64 cloudId);
    void removeCloud(qint64 cloudId);
    void setCloudEnabled(qint64 cloudId, bool enabled);
    void refreshCloud(qint64 cloudId);
    void refreshAll();

signals:
    void statusMessage(const QString &text);
    void errorMessage(const QString &text);
    void cloudAdded(qint64 cloudId);
    void busyChanged(qint64 machineId);

private:
    struct Target
    {
        Cloud cloud;
        Machine machine;
    };
    QVector<Target> targets(const QString &action, const QVector<qint64> &machineIds) const;
    void confirmAndRun(const QString &action, const QVector<Target> &targets, int skipped);
    void askNewName(const Target &target);
    void askReplicas(const Target &target);
    void start(const QVector<Target> &targets, const QString &action, const QVariantMap &arguments = {});
    QString machineName(qint64 id) const;

    AppCore *m_core;
    InventoryModel *m_model;
    QPointer<QWidget> m_window;
    struct Busy
    {
        QString action;
        qint64 cloudId = 0;
        bool finished = false;   // done; waiting for the re-poll that shows its effect
    };
    QHash<qint64, Busy> m_busy;   // machine id -> action under way
    bool m_ready = false;
};

} // namespace mist
