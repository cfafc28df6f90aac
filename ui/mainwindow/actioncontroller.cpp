#include "actioncontroller.h"

#include "clouds/clouddialog.h"
#include "inventory/inventorymodel.h"
#include "polling/polljob.h"
#include "polling/pollscheduler.h"
#include "services/actionrunner.h"
#include "services/appcore.h"
#include "tags/tageditordialog.h"

#include <QIcon>
#include <QInputDialog>
#include <QMessageBox>
#include <QPushButton>
#include <QJsonObject>
#include <QWidget>

namespace mist {

namespace {

// The order menus and buttons show actions in, whatever order a provider lists them.
const QStringList &knownOrder()
{
    static const QStringList order{Action::Start,   Action::Stop,     Action::Reboot,  Action::Restart,
                                   Action::Suspend, Action::Resume,   Action::Pause,   Action::Unpause,
                                   Action::Cordon,  Action::Uncordon, Action::Scale,   Action::RolloutRestart,
                                   Action::PowerOff, Action::Rename,  Action::Destroy};
    return order;
}

QString nameList(const QStringList &names)
{
    constexpr int kShown = 10;
    QStringList shown = names.mid(0, kShown);
    QString text = QStringLiteral("• ") + shown.join(QStringLiteral("\n• "));
    if (names.size() > kShown)
        text += QLatin1Char('\n') + ActionController::tr("… and %n more", nullptr, static_cast<int>(names.size() - kShown));
    return text;
}

} // namespace

ActionController::ActionController(AppCore *core, InventoryModel *model, QWidget *window)
    : QObject(window), m_core(core), m_model(model), m_window(window)
{
    connect(m_core->actions(), &ActionRunner::actionStarted, this, [this](qint64 machineId, const QString &action) {
        const Machine *m = m_model->machine(machineId);
        m_busy.insert(machineId, Busy{action, m ? m->cloudId : 0, false});
        emit busyChanged(machineId);
    });
    connect(m_core->actions(), &ActionRunner::actionFinished, this,
            [this](qint64 machineId, const QString &action, bool success, const QString &message) {
                auto it = m_busy.find(machineId);
                if (it != m_busy.end()) {
                    if (success)
                        it->finished = true;   // the runner re-polls; the new state shows then
                    else
                        m_busy.erase(it);
                }
                emit busyChanged(machineId);
                const QString name = machineName(machineId);
                if (success)
                    emit statusMessage(tr("%1 on %2: done").arg(Action::title(action).remove(QChar(0x2026)), name));
                else
                    emit errorMessage(tr("%1 on %2 failed: %3").arg(Action::title(action).remove(QChar(0x2026)), name, message));
            });
    connect(m_core->poller(), &PollScheduler::pollFinished, this, [this](qint64 cloudId, bool, const QString &) {
        QVector<qint64> done;
        for (auto it = m_busy.cbegin(); it != m_busy.cend(); ++it)
            if (it->finished && it->cloudId == cloudId)
                done << it.key();
        for (qint64 id : std::as_const(done)) {
            m_busy.remove(id);
            emit busyChanged(id);
        }
    });
}

QString ActionController::machineName(qint64 id) const
{
    const Machine *m = m_model->machine(id);
    return m ? m->name : tr("machine %1").arg(id);
}

QVector<Cloud> ActionController::clouds() const
{
    QVector<Cloud> out;
    for (int row = 0; row < m_model->rowCount(); ++row)
        if (const Cloud *c = m_model->cloudAt(m_model->index(row, 0)))
            out << *c;
    return out;
}

QStringList ActionController::allowedActions(const QVector<qint64> &machineIds) const
{
    QStringList found;
    for (qint64 id : machineIds) {
        const Machine *m = m_model->machine(id);
        const Cloud *c = m ? m_model->cloud(m->cloudId) : nullptr;
        if (!m || !c || isBusy(id))
            continue;
        for (const QString &a : ProviderCall::allowedActions(*c, *m))
            if (!found.contains(a))
                found << a;
    }
    QStringList ordered;
    for (const QString &a : knownOrder())
        if (found.contains(a))
            ordered << a;
    for (const QString &a : std::as_const(found))
        if (!ordered.contains(a))
            ordered << a;   // provider-specific actions last
    return ordered;
}

QVector<qint64> ActionController::machinesAllowing(const QString &action, const QVector<qint64> &machineIds) const
{
    QVector<qint64> out;
    for (const Target &t : targets(action, machineIds))
        out << t.machine.id;
    return out;
}

QVector<ActionController::Target> ActionController::targets(const QString &action, const QVector<qint64> &machineIds) const
{
    QVector<Target> out;
    for (qint64 id : machineIds) {
        const Machine *m = m_model->machine(id);
        const Cloud *c = m ? m_model->cloud(m->cloudId) : nullptr;
        if (m && c && !isBusy(id) && ProviderCall::allowedActions(*c, *m).contains(action))
            out << Target{*c, *m};   // copies: the model may change before the dialog closes
    }
    return out;
}

void ActionController::runAction(const QString &action, const QVector<qint64> &machineIds)
{
    const QVector<Target> allowed = targets(action, machineIds);
    const QString title = Action::title(action).remove(QChar(0x2026));
    if (allowed.isEmpty()) {
        emit statusMessage(machineIds.size() == 1
                               ? tr("%1 is not possible on %2 right now").arg(title, machineName(machineIds.first()))
                               : tr("%1 is not possible on any of the selected machines right now").arg(title));
        return;
    }
    const int skipped = static_cast<int>(machineIds.size() - allowed.size());
    if (action == Action::Rename) {
        askNewName(allowed.first());   // a name belongs to one machine
        return;
    }
    if (action == Action::Scale) {
        askReplicas(allowed.first());   // one workload at a time
        return;
    }
    if (Action::isDestructive(action)) {
        confirmAndRun(action, allowed, skipped);
        return;
    }
    start(allowed, action);
    if (skipped > 0)
        emit statusMessage(tr("%1: skipped %2 of the selected machines (not possible in their state)").arg(title).arg(skipped));
}

void ActionController::confirmAndRun(const QString &action, const QVector<Target> &targets, int skipped)
{
    QStringList names;
    for (const Target &t : targets)
        names << t.machine.name;
    const QString title = Action::title(action).remove(QChar(0x2026));

    auto *box = new QMessageBox(m_window);
    box->setObjectName(QStringLiteral("confirmActionBox"));
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->setIcon(QMessageBox::Warning);
    box->setWindowTitle(tr("Confirm %1").arg(title));
    box->setText(targets.size() == 1 ? tr("%1 “%2”?").arg(title, names.first())
                                     : tr("%1 these %n machines?", nullptr, static_cast<int>(targets.size())).arg(title));
    QString info;
    if (targets.size() > 1)
        info = nameList(names) + QStringLiteral("\n\n");
    if (action == Action::Destroy)
        info += tr("The machine is deleted for good, with its disks where the provider does so. This cannot be undone.");
    else if (action == Action::PowerOff)
        info += tr("This cuts the power at once: anything not saved on the machine is lost.");
    if (skipped > 0)
        info += QStringLiteral("\n\n") + tr("Left alone (not possible in their state): %1 of the selected machines.").arg(skipped);
    box->setInformativeText(info);
    box->setStandardButtons(QMessageBox::Yes | QMessageBox::Cancel);
    box->button(QMessageBox::Yes)->setText(title);
    box->button(QMessageBox::Yes)->setIcon(QIcon());   // not the platform's "Yes" tick for a destructive step
    box->setDefaultButton(QMessageBox::Cancel);   // Enter must not destroy anything
    connect(box, &QMessageBox::finished, this, [this, targets, action](int result) {
        if (result == QMessageBox::Yes)
            start(targets, action);
    });
    box->open();
}

void ActionController::askNewName(const Target &target)
{
    auto *dialog = new QInputDialog(m_window);
    dialog->setObjectName(QStringLiteral("renameDialog"));
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setWindowTitle(tr("Rename %1").arg(target.machine.name));
    dialog->setLabelText(tr("New name of “%1”:").arg(target.machine.name));
    dialog->setTextValue(target.machine.name);
    dialog->setOkButtonText(tr("Rename"));
    connect(dialog, &QInputDialog::textValueSelected, this, [this, target](const QString &text) {
        const QString name = text.trimmed();
        if (name.isEmpty() || name == target.machine.name)
            return;
        start({target}, Action::Rename, {{QStringLiteral("name"), name}});
    });
    dialog->open();
}

void ActionController::askReplicas(const Target &target)
{
    auto *dialog = new QInputDialog(m_window);
    dialog->setObjectName(QStringLiteral("scaleDialog"));
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setWindowTitle(tr("Scale the workload of %1").arg(target.machine.name));
    const QJsonObject owner = target.machine.extra.value(QStringLiteral("owner")).toObject();
    dialog->setLabelText(owner.isEmpty() ? tr("Replicas:")
                                         : tr("Replicas of %1 “%2”:").arg(owner.value(QStringLiteral("kind")).toString(),
                                                                           owner.value(QStringLiteral("name")).toString()));
    dialog->setInputMode(QInputDialog::IntInput);
    dialog->setIntRange(0, 10000);
    dialog->setIntValue(1);
    dialog->setOkButtonText(tr("Scale"));
    connect(dialog, &QInputDialog::intValueSelected, this, [this, target](int replicas) {
        start({target}, Action::Scale, {{QStringLiteral("replicas"), replicas}});
    });
    dialog->open();
}

void ActionController::start(const QVector<Target> &targets, const QString &action, const QVariantMap &arguments)
{
    for (const Target &t : targets)
        m_core->runAction(t.cloud, t.machine, ActionRequest{action, arguments});
    const QString title = Action::title(action).remove(QChar(0x2026));
    emit statusMessage(targets.size() == 1 ? tr("%1 %2…").arg(title, targets.first().machine.name)
                                           : tr("%1 %n machines…", nullptr, static_cast<int>(targets.size())).arg(title));
}

void ActionController::editTags(const QVector<qint64> &machineIds)
{
    if (!m_ready)
        return;
    QVector<Machine> machines;
    for (qint64 id : machineIds)
        if (const Machine *m = m_model->machine(id))
            machines << *m;
    if (machines.isEmpty()) {
        emit statusMessage(tr("Select one or more machines to edit their tags"));
        return;
    }
    auto *dialog = new TagEditorDialog(m_core->store(), machines, m_window);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->open();
}

void ActionController::addCloud()
{
    addCloudPrefilled({}, {}, {});
}

void ActionController::addCloudPrefilled(const QString &provider, const QString &name, const QJsonObject &config)
{
    if (!m_ready)
        return;
    auto *dialog = new CloudDialog(m_core, clouds(), m_window);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    if (!provider.isEmpty())
        dialog->prefill(provider, name, config);
    connect(dialog, &CloudDialog::cloudSaved, this, [this](const Cloud &c) {
        emit statusMessage(tr("Added cloud %1; polling it now").arg(c.name));
        emit cloudAdded(c.id);
    });
    dialog->open();
}

void ActionController::editCloud(qint64 cloudId)
{
    const Cloud *c = m_model->cloud(cloudId);
    if (!c || !m_ready)
        return;
    auto *dialog = new CloudDialog(m_core, *c, m_window);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &CloudDialog::cloudSaved, this,
            [this](const Cloud &saved) { emit statusMessage(tr("Saved cloud %1").arg(saved.name)); });
    dialog->open();
}

void ActionController::removeCloud(qint64 cloudId)
{
    const Cloud *c = m_model->cloud(cloudId);
    if (!c || !m_ready)
        return;
    const Cloud cloud = *c;
    auto *box = new QMessageBox(m_window);
    box->setObjectName(QStringLiteral("confirmRemoveCloudBox"));
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->setIcon(QMessageBox::Warning);
    box->setWindowTitle(tr("Remove cloud"));
    box->setText(tr("Remove the cloud “%1” from Mist Desktop?").arg(cloud.name));
    box->setInformativeText(tr("Its machines leave the inventory and its stored credentials are deleted from the "
                               "system keychain. The machines themselves are not touched; the audit log keeps "
                               "their history."));
    box->setStandardButtons(QMessageBox::Yes | QMessageBox::Cancel);
    box->button(QMessageBox::Yes)->setText(tr("Remove"));
    box->button(QMessageBox::Yes)->setIcon(QIcon());
    box->setDefaultButton(QMessageBox::Cancel);
    connect(box, &QMessageBox::finished, this, [this, cloud](int result) {
        if (result != QMessageBox::Yes)
            return;
        m_core->removeCloud(cloud, this, [this, name = cloud.name](Result<bool> r) {
            if (r)
                emit statusMessage(tr("Removed cloud %1").arg(name));
            else
                emit errorMessage(tr("Could not remove %1: %2").arg(name, r.error().toString()));
        });
    });
    box->open();
}

void ActionController::setCloudEnabled(qint64 cloudId, bool enabled)
{
    const Cloud *c = m_model->cloud(cloudId);
    if (!c || !m_ready || c->enabled == enabled)
        return;
    m_core->setCloudEnabled(*c, enabled);
    emit statusMessage(enabled ? tr("Enabled %1").arg(c->name) : tr("Disabled %1: it is no longer polled").arg(c->name));
}

void ActionController::refreshCloud(qint64 cloudId)
{
    const Cloud *c = m_model->cloud(cloudId);
    if (!c || !m_ready)
        return;
    m_core->poller()->pollNow(cloudId);
}

void ActionController::refreshAll()
{
    if (m_ready)
        m_core->poller()->pollAll();
}

} // namespace mist
