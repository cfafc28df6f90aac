// Terminal tabs end to end on the offscreen platform: the real AppCore and main window, an
// "Other server" cloud pointing at the real OpenSSH server the harness starts on loopback,
// a shell opened from the tree, typed into, split, broadcast to, and a host key that changes.
// Plus a local shell on this computer.

#include "uitestapp.h"

#include "audit/auditlogview.h"
#include "inventory/inventorystore.h"
#include "sessions/sessioncontroller.h"
#include "sshtestserver.h"

#include <QJsonArray>
#include <QMessageBox>
#include <QPushButton>
#include <QTemporaryDir>

using namespace mist;
using namespace uitest;

namespace {

// An app with one Other server cloud (machine `name`) pointing at `sshd`, ready and listed.
bool addServer(App &app, const test::SshTestServer &sshd, const QString &name)
{
    Cloud cloud;
    cloud.name = QStringLiteral("servers");
    cloud.provider = QStringLiteral("other");
    cloud.config = QJsonObject{{QStringLiteral("name"), name}, {QStringLiteral("host"), sshd.host()},
                               {QStringLiteral("port"), sshd.port()}, {QStringLiteral("user"), sshd.user()},
                               {QStringLiteral("identity_file"), sshd.clientKeyPath()}};
    bool added = false;
    app.core->addCloud(cloud, {}, app.window.get(), [&](Result<Cloud> r) {
        if (!r)
            qWarning("adding the cloud failed: %s", qPrintable(r.error().toString()));
        added = r.ok();
    });
    QDeadlineTimer deadline(kTimeoutMs);
    while (!(added && findMachine(app.window.get(), name).isValid()) && !deadline.hasExpired())
        QTest::qWait(20);
    return added && findMachine(app.window.get(), name).isValid();
}

} // namespace

class TestTerminalTabs : public QObject
{
    Q_OBJECT

private slots:
    void shellSplitAndBroadcast();
    void changedHostKeyIsRefusedThenReplaced();
    void localShell();
};

void TestTerminalTabs::shellSplitAndBroadcast()
{
    test::SshTestServer sshd;
    MIST_START_SSHD(sshd);
    QTemporaryDir dir;
    App app(dir.path());
    QTRY_VERIFY_WITH_TIMEOUT(app.window->isReady(), kTimeoutMs);
    app.window->terminals()->controller()->setUnknownHostKeyAnswer(true);

    QVERIFY(addServer(app, sshd, QStringLiteral("loopback")));

    // Double-click (activate) the machine: a terminal tab opens and connects.
    const QModelIndex row = findMachine(app.window.get(), QStringLiteral("loopback"));
    app.window->tree()->setCurrentIndex(row);
    emit app.window->tree()->activated(row);
    QCOMPARE(app.tabs()->count(), 1);
    QVERIFY(app.tabs()->isVisible());
    SessionPane *first = app.tabs()->currentPane();
    QVERIFY(first);
    QTRY_COMPARE_WITH_TIMEOUT(first->session()->state(), TerminalSession::State::Connected, kTimeoutMs);

    typeInto(first, QStringLiteral("echo hel''lo"));
    QTRY_VERIFY2_WITH_TIMEOUT(linesEqual(first->session()->screen(), QStringLiteral("hello")) == 1,
                              qPrintable(screenText(first->session()->screen())), kTimeoutMs);

    // Split: a second session to the same machine in the same tab.
    SessionPane *second = app.tabs()->split(Qt::Horizontal);
    QVERIFY(second);
    QCOMPARE(app.tabs()->count(), 1);
    QCOMPARE(app.tabs()->panes().size(), 2);
    QTRY_COMPARE_WITH_TIMEOUT(second->session()->state(), TerminalSession::State::Connected, kTimeoutMs);

    // The remote pty follows the pane's size.
    typeInto(second, QStringLiteral("stty size"));
    const QString size = QStringLiteral("%1 %2").arg(second->view()->rows()).arg(second->view()->columns());
    QTRY_VERIFY2_WITH_TIMEOUT(linesEqual(second->session()->screen(), size) == 1,
                              qPrintable(size + QStringLiteral(" not in:\n") + screenText(second->session()->screen())), kTimeoutMs);

    // Broadcast: typed once into the first pane, run in both.
    action(app.window.get(), "actionBroadcast")->trigger();
    QVERIFY(app.tabs()->broadcasting());
    typeInto(first, QStringLiteral("echo bcast-$((6*7))"));
    QTRY_VERIFY_WITH_TIMEOUT(linesEqual(first->session()->screen(), QStringLiteral("bcast-42")) == 1, kTimeoutMs);
    QTRY_VERIFY2_WITH_TIMEOUT(linesEqual(second->session()->screen(), QStringLiteral("bcast-42")) == 1,
                              qPrintable(screenText(second->session()->screen())), kTimeoutMs);
    // A terminal in another tab takes part too.
    SessionPane *third = app.tabs()->open(first->session()->subject());
    QCOMPARE(app.tabs()->count(), 2);
    QTRY_COMPARE_WITH_TIMEOUT(third->session()->state(), TerminalSession::State::Connected, kTimeoutMs);
    typeInto(first, QStringLiteral("echo tabs-$((2*3))"));
    QTRY_VERIFY2_WITH_TIMEOUT(linesEqual(third->session()->screen(), QStringLiteral("tabs-6")) == 1,
                              qPrintable(screenText(third->session()->screen())), kTimeoutMs);
    app.tabs()->closeCurrent();   // the third one's tab
    QCOMPARE(app.tabs()->count(), 1);

    // The colour scheme setting reaches open terminals.
    action(app.window.get(), "scheme_light")->trigger();
    QCOMPARE(first->view()->colorScheme().id, QStringLiteral("light"));
    QCOMPARE(second->view()->colorScheme().id, QStringLiteral("light"));

    // Out of the broadcast group: no longer receives.
    second->setInBroadcast(false);
    typeInto(first, QStringLiteral("echo only-$((1+1))"));
    QTRY_VERIFY_WITH_TIMEOUT(linesEqual(first->session()->screen(), QStringLiteral("only-2")) == 1, kTimeoutMs);
    QTest::qWait(300);
    QCOMPARE(linesEqual(second->session()->screen(), QStringLiteral("only-2")), 0);

    // Closing the tab closes both sessions and audits them.
    action(app.window.get(), "actionCloseTerminal")->trigger();
    QTRY_COMPARE_WITH_TIMEOUT(app.tabs()->count(), 0, kTimeoutMs);
    int opened = 0, closed = 0, accepted = 0;
    for (const AuditEntry &e : auditOf(app)) {
        opened += e.action == QLatin1String("ssh.shell_opened");
        closed += e.action == QLatin1String("ssh.shell_closed");
        accepted += e.action == QLatin1String("ssh.host_key_accepted");
        if (e.action == QLatin1String("ssh.shell_opened")) {
            QCOMPARE(e.details.value(QStringLiteral("user")).toString(), sshd.user());
            QCOMPARE(e.details.value(QStringLiteral("key_fingerprint")).toString(), sshd.clientKeyFingerprint());
        }
        QVERIFY2(!e.details.contains(QStringLiteral("private_key")), "no secrets in the audit log");
    }
    QCOMPARE(opened, 3);
    QCOMPARE(closed, 3);
    QCOMPARE(accepted, 1);
}

void TestTerminalTabs::changedHostKeyIsRefusedThenReplaced()
{
    test::SshTestServer sshd;
    MIST_START_SSHD(sshd);
    QTemporaryDir dir;
    App app(dir.path());
    QTRY_VERIFY_WITH_TIMEOUT(app.window->isReady(), kTimeoutMs);
    const QString name = QStringLiteral("box");
    QVERIFY(addServer(app, sshd, name));
    app.window->tree()->setCurrentIndex(findMachine(app.window.get(), name));
    action(app.window.get(), "actionOpenShell")->trigger();
    SessionPane *pane = app.tabs()->currentPane();
    QVERIFY(pane);

    // First contact: the user is shown the fingerprint while the connection waits.
    QMessageBox *ask = nullptr;
    QTRY_VERIFY_WITH_TIMEOUT((ask = app.window->findChild<QMessageBox *>(QStringLiteral("unknownHostKeyBox"))) != nullptr,
                             kTimeoutMs);
    QVERIFY2(ask->informativeText().contains(sshd.hostKeyFingerprint()), qPrintable(ask->informativeText()));
    QCOMPARE(pane->session()->state(), TerminalSession::State::Connecting);
    ask->buttons().first()->click();   // "Trust and connect"
    QTRY_COMPARE_WITH_TIMEOUT(pane->session()->state(), TerminalSession::State::Connected, kTimeoutMs);

    // The server gets a new host key: a reconnect is refused.
    QVERIFY(sshd.rotateHostKey());
    pane->session()->close();
    pane->findChild<QPushButton *>(QStringLiteral("reconnectButton"))->click();
    QTRY_COMPARE_WITH_TIMEOUT(pane->session()->state(), TerminalSession::State::Failed, kTimeoutMs);
    QVERIFY(pane->session()->hostKeyProblem().has_value());
    QCOMPARE(pane->session()->hostKeyProblem()->kind, SshErrorKind::HostKeyChanged);
    QVERIFY2(pane->session()->statusText().contains(sshd.hostKeyFingerprint()), qPrintable(pane->session()->statusText()));
    auto *trust = pane->findChild<QPushButton *>(QStringLiteral("trustHostKeyButton"));
    QVERIFY(trust->isVisibleTo(pane));

    // Only an explicit replace lets it connect again.
    trust->click();
    QMessageBox *box = nullptr;
    QTRY_VERIFY((box = app.window->findChild<QMessageBox *>(QStringLiteral("trustHostKeyBox"))) != nullptr);
    QVERIFY(box->informativeText().contains(sshd.hostKeyFingerprint()));
    box->buttons().first()->click();   // "Replace key and connect"
    QTRY_COMPARE_WITH_TIMEOUT(pane->session()->state(), TerminalSession::State::Connected, kTimeoutMs);
}

void TestTerminalTabs::localShell()
{
    QTemporaryDir dir;
    App app(dir.path());
    QTRY_VERIFY_WITH_TIMEOUT(app.window->isReady(), kTimeoutMs);
    action(app.window.get(), "actionLocalShell")->trigger();
    SessionPane *pane = app.tabs()->currentPane();
    QVERIFY(pane);
    QTRY_COMPARE_WITH_TIMEOUT(pane->session()->state(), TerminalSession::State::Connected, kTimeoutMs);
    typeInto(pane, QStringLiteral("echo local-$((20+1))"));
    QTRY_VERIFY2_WITH_TIMEOUT(linesEqual(pane->session()->screen(), QStringLiteral("local-21")) == 1,
                              qPrintable(screenText(pane->session()->screen())), kTimeoutMs);
    typeInto(pane, QStringLiteral("exit"));
    QTRY_COMPARE_WITH_TIMEOUT(pane->session()->state(), TerminalSession::State::Closed, kTimeoutMs);
    QVERIFY(pane->findChild<QPushButton *>(QStringLiteral("reconnectButton"))->isVisibleTo(pane));
}

QTEST_MAIN(TestTerminalTabs)
#include "tst_terminaltabs.moc"
