#include "sessioncontroller.h"

#include "containers/containerlauncher.h"
#include "inventory/inventorystore.h"
#include "providers/thiscomputer/thiscomputerprovider.h"
#include "secrets/secretstore.h"
#include "services/appcore.h"
#include "services/storehostkeys.h"
#include "services/storeservice.h"
#include "sessions/guiprompt.h"
#include "sessions/sessionpane.h"
#include "sessions/sessiontabs.h"
#include "shell/localptybackend.h"
#include "shell/sshshellbackend.h"
#include "ssh/sshtargetresolver.h"

#include <QFutureWatcher>
#include <QInputDialog>
#include <QLineEdit>
#include <QMessageBox>
#include <QPushButton>
#include <QtConcurrent/QtConcurrentRun>

namespace mist {

namespace {

const QString kLocalProvider = QStringLiteral("local");

QString hostKeyText(const HostKeyInfo &info)
{
    return QCoreApplication::translate("SessionController", "%1 key fingerprint:\n%2")
        .arg(info.keyType, info.fingerprint);
}

} // namespace

SessionController::SessionController(AppCore *core, QWidget *window, QObject *parent)
    : QObject(parent), m_core(core), m_window(window),
      m_tabs(new SessionTabs([this](const SessionSubject &s) { return makeSession(s); }, window))
{
    connect(m_tabs, &SessionTabs::trustHostKeyRequested, this, &SessionController::trustHostKey);
}

SessionController::~SessionController() = default;

bool SessionController::canOpenShell(const Cloud &cloud, const Machine &machine)
{
    if (cloud.provider == kLocalProvider)
        return true;
    // Containers and pods: exec through the runtime's API (not SSH); stopped machines have no sshd.
    if (machine.kind == MachineKind::Container || machine.kind == MachineKind::Pod)
        return ContainerLauncher::canExec(cloud, machine);
    return machine.state != MachineState::Stopped && machine.state != MachineState::Terminated
        && machine.state != MachineState::Suspended && machine.state != MachineState::Paused;
}

SessionPane *SessionController::openShell(const Cloud &cloud, const Machine &machine)
{
    SessionSubject s;
    s.machineId = machine.id;
    s.cloudId = cloud.id;
    s.machineName = machine.name;
    s.local = cloud.provider == kLocalProvider;
    s.container = machine.kind == MachineKind::Container || machine.kind == MachineKind::Pod;
    return m_tabs->open(s);
}

SessionPane *SessionController::openLocalShell()
{
    SessionSubject s;
    s.local = true;
    s.machineName = tr("This computer");
    return m_tabs->open(s);
}

TerminalSession *SessionController::makeSession(const SessionSubject &subject)
{
    TerminalSession::Launcher launcher;
    if (subject.local) {
        launcher = [](QObject *, std::function<void(Result<TerminalBackend *>)> ready) {
            ready(static_cast<TerminalBackend *>(new LocalPtyBackend));
        };
    } else if (subject.container) {
        launcher = [this, subject](QObject *context, std::function<void(Result<TerminalBackend *>)> ready) {
            m_core->containers()->openExec(subject.machineId, ExecRequest{}, context, std::move(ready));
        };
    } else {
        launcher = [this, subject](QObject *context, std::function<void(Result<TerminalBackend *>)> ready) {
            launchSsh(subject, context, std::move(ready));
        };
    }
    return new TerminalSession(subject, std::move(launcher), m_core->store());
}

void SessionController::launchSsh(const SessionSubject &subject, QObject *context,
                                  std::function<void(Result<TerminalBackend *>)> ready)
{
    // 1. Which address, user, port, key and jumps: the store thread (reads only).
    const qint64 machineId = subject.machineId;
    m_core->store()->call<SshSettings>(
        context,
        [machineId](InventoryStore &store) -> Result<SshSettings> {
            auto machine = store.machine(machineId);
            if (!machine)
                return machine.error();
            return SshTargetResolver::settings(store, machine.value());
        },
        [this, subject, context, ready](Result<SshSettings> settings) {
            if (!settings) {
                ready(settings.error());
                return;
            }
            // 2. The private key from the keychain: a worker (the keychain may take a while).
            auto *watcher = new QFutureWatcher<Result<SshTarget>>(context);
            connect(watcher, &QFutureWatcher<Result<SshTarget>>::finished, context, [this, watcher, subject, ready] {
                watcher->deleteLater();
                Result<SshTarget> target = watcher->result();
                if (!target) {
                    ready(target.error());
                    return;
                }
                SshTarget t = target.value();
                t.auth.passwordPrompt = passwordPromptFor(t.endpoint.userHost());
                // 3. The connection itself runs on the backend's thread.
                ready(static_cast<TerminalBackend *>(new SshShellBackend(t, verifierFor(subject))));
            });
            watcher->setFuture(QtConcurrent::run([s = settings.value()]() -> Result<SshTarget> {
                SecretStore secrets;
                return SshTargetResolver::target(s, &secrets);
            }));
        });
}

std::shared_ptr<HostKeyVerifier> SessionController::verifierFor(const SessionSubject &subject)
{
    QPointer<QWidget> window = m_window;
    const std::optional<bool> preset = m_unknownKeyAnswer;
    auto ask = [window, preset, name = subject.machineName](const HostKeyInfo &info) -> bool {
        if (preset)
            return *preset;
        return askOnGuiThread<bool>(window, [info, name](QWidget *parent, std::function<void(bool)> answer) {
            auto *box = new QMessageBox(QMessageBox::Question, tr("Unknown host key"),
                                        tr("Mist has not seen the host key of %1 (%2) before.").arg(name, info.host), QMessageBox::NoButton, parent);
            box->setObjectName(QStringLiteral("unknownHostKeyBox"));
            box->setInformativeText(hostKeyText(info) + QStringLiteral("\n\n")
                                    + tr("Compare it with the server's key (ssh-keygen -lf /etc/ssh/ssh_host_*_key.pub) before trusting it."));
            QPushButton *trust = box->addButton(tr("Trust and connect"), QMessageBox::AcceptRole);
            box->addButton(tr("Cancel"), QMessageBox::RejectRole);
            box->setAttribute(Qt::WA_DeleteOnClose);
            connect(box, &QMessageBox::finished, box, [box, trust, answer] { answer(box->clickedButton() == trust); });
            box->open();
        }, false);
    };
    auto verifier = std::make_shared<StoreServiceHostKeyVerifier>(m_core->store(), ask);
    verifier->setAuditContext(QStringLiteral("user"), subject.machineId, subject.machineName);
    return verifier;
}

std::function<std::optional<QString>(const QString &)> SessionController::passwordPromptFor(const QString &who)
{
    QPointer<QWidget> window = m_window;
    return [window, who](const QString &prompt) -> std::optional<QString> {
        return askOnGuiThread<std::optional<QString>>(
            window, [who, prompt](QWidget *parent, std::function<void(std::optional<QString>)> answer) {
                auto *dialog = new QInputDialog(parent);
                dialog->setObjectName(QStringLiteral("sshPasswordDialog"));
                dialog->setWindowTitle(tr("Password for %1").arg(who));
                dialog->setLabelText(prompt.isEmpty() ? tr("Password:") : prompt);
                dialog->setTextEchoMode(QLineEdit::Password);
                dialog->setAttribute(Qt::WA_DeleteOnClose);
                connect(dialog, &QInputDialog::finished, dialog, [dialog, answer](int result) {
                    answer(result == QDialog::Accepted ? std::optional<QString>(dialog->textValue()) : std::nullopt);
                });
                dialog->open();
            },
            std::nullopt);
    };
}

void SessionController::trustHostKey(SessionPane *pane)
{
    const std::optional<SshError> problem = pane->session()->hostKeyProblem();
    if (!problem || !problem->hostKey)
        return;
    const HostKeyInfo info = *problem->hostKey;
    const bool changed = problem->kind == SshErrorKind::HostKeyChanged;
    const SessionSubject subject = pane->session()->subject();

    auto *box = new QMessageBox(changed ? QMessageBox::Warning : QMessageBox::Question,
                                changed ? tr("Host key changed") : tr("Unknown host key"), {}, QMessageBox::NoButton, m_window);
    box->setObjectName(QStringLiteral("trustHostKeyBox"));
    if (changed) {
        box->setText(tr("The host key of %1 (%2) is not the one on record. This happens after a reinstall, "
                        "but it is also what an attacker in the middle looks like.").arg(subject.machineName, info.host));
        box->setInformativeText(tr("On record (%1): %2\nPresented now: %3 %4\n\nReplace the recorded key only if you know why it changed.")
                                    .arg(problem->knownSource, problem->knownFingerprint, info.keyType, info.fingerprint));
    } else {
        box->setText(tr("Trust the host key of %1 (%2)?").arg(subject.machineName, info.host));
        box->setInformativeText(hostKeyText(info));
    }
    QPushButton *accept = box->addButton(changed ? tr("Replace key and connect") : tr("Trust and connect"), QMessageBox::AcceptRole);
    box->addButton(tr("Cancel"), QMessageBox::RejectRole);
    box->setDefaultButton(qobject_cast<QPushButton *>(box->buttons().constLast()));
    box->setAttribute(Qt::WA_DeleteOnClose);
    QPointer<SessionPane> guard(pane);
    connect(box, &QMessageBox::finished, this, [this, box, accept, info, changed, subject, guard] {
        if (box->clickedButton() != accept)
            return;
        m_core->store()->call<bool>(
            this,
            [info, changed, subject](InventoryStore &store) -> Result<bool> {
                StoreHostKeyVerifier verifier(store);
                verifier.setAuditContext(QStringLiteral("user"), subject.machineId, subject.machineName);
                if (Status s = verifier.remember(info, changed); !s)
                    return s.error();
                return true;
            },
            [this, guard](Result<bool> saved) {
                if (!saved) {
                    QMessageBox::warning(m_window, tr("Host key not saved"), saved.error().toString());
                    return;
                }
                if (guard)
                    guard->session()->reconnect();
            });
    });
    box->open();
}

} // namespace mist
