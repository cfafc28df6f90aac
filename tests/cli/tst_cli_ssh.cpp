// `mist ssh` and `mist exec`, end to end: the real binary against the loopback sshd, with a
// machine whose provider defaults (Machine::extra["ssh"]) point at it and at the test key.

#include "inventory/inventorystore.h"
#include "shell/localptybackend.h"

#include "clirunner.h"
#include "sshtestserver.h"

#include <QJsonObject>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QtTest>

using namespace mist;
using namespace mist::test;

namespace {

using Run = CliRun;

QByteArray describe(const Run &r)
{
    return r.describe();
}

} // namespace

class TestCliSsh : public QObject
{
    Q_OBJECT

    SshTestServer m_server;
    QTemporaryDir m_tmp;

    QString dataDir() const { return m_tmp.filePath(QStringLiteral("data")); }

    Run mist(const QStringList &args, const QByteArray &input = {})
    {
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.remove(QStringLiteral("MIST_DATA_DIR"));
        env.remove(QStringLiteral("SSH_AUTH_SOCK"));   // only the test key may get in
        env.insert(QStringLiteral("MIST_KEYCHAIN_SERVICE"), QStringLiteral("mist-cli-ssh-test"));
        env.insert(QStringLiteral("HOME"), m_tmp.path());   // no ~/.ssh/known_hosts of the user
        return runMist(dataDir(), args, env, input);
    }

    QVector<AuditEntry> audit(const QString &action)
    {
        InventoryStore store;
        if (!store.open(dataDir() + QStringLiteral("/inventory.db")))
            return {};
        AuditQuery q;
        q.text = action;
        QVector<AuditEntry> out;
        for (const AuditEntry &e : store.audit(q).value())
            if (e.action == action)
                out << e;
        return out;
    }

private slots:
    void initTestCase()
    {
        MIST_START_SSHD(m_server);
        QVERIFY(QDir().mkpath(dataDir()));
        InventoryStore store;
        QVERIFY(store.open(dataDir() + QStringLiteral("/inventory.db")).ok());
        const QString added = addBoxAndDeadServers(store, m_server);
        QVERIFY2(added.isEmpty(), qPrintable(added));
    }

    void unknownHostKeyRefused()
    {
        const Run r = mist({QStringLiteral("exec"), QStringLiteral("box"), QStringLiteral("--"), QStringLiteral("echo"), QStringLiteral("hi")});
        QVERIFY2(r.code == 255, describe(r).constData());
        QVERIFY(r.out.isEmpty());
        QVERIFY2(r.err.contains(m_server.hostKeyFingerprint()), describe(r).constData());
        QVERIFY2(r.err.contains(QStringLiteral("--accept-new-host-key")), describe(r).constData());
        QCOMPARE(audit(QStringLiteral("ssh.host_key_accepted")).size(), 0);
    }

    void execPassesEverythingThrough()
    {
        Run r = mist({QStringLiteral("exec"), QStringLiteral("box"), QStringLiteral("--accept-new-host-key"), QStringLiteral("--"),
                      QStringLiteral("echo out; echo err >&2; exit 3")});
        QVERIFY2(r.code == 3, describe(r).constData());
        QCOMPARE(r.out, QByteArray("out\n"));
        QVERIFY2(r.err == QStringLiteral("err\n"), describe(r).constData());
        QCOMPARE(audit(QStringLiteral("ssh.host_key_accepted")).size(), 1);

        // Known now: no flag needed; stdin reaches the command, binary-safe.
        QByteArray bytes;
        for (int i = 0; i < 70000; ++i)
            bytes.append(char(i % 251));
        r = mist({QStringLiteral("exec"), QStringLiteral("box"), QStringLiteral("--"), QStringLiteral("cat")}, bytes);
        QVERIFY2(r.code == 0, describe(r).constData());
        QVERIFY(r.out == bytes);

        const auto execs = audit(QStringLiteral("ssh.exec"));
        QCOMPARE(execs.size(), 2);
        QCOMPARE(execs.last().details.value(QStringLiteral("command")).toString(), QStringLiteral("echo out; echo err >&2; exit 3"));
        QCOMPARE(execs.last().details.value(QStringLiteral("exit_status")).toInt(), 3);
        QCOMPARE(execs.last().actor, QStringLiteral("cli"));
    }

    void shellWithoutTerminal()
    {
        const Run r = mist({QStringLiteral("ssh"), QStringLiteral("box")}, "echo from-shell; exit 4\n");
        QVERIFY2(r.code == 4, describe(r).constData());
        QVERIFY(r.out.contains("from-shell"));
        const auto opened = audit(QStringLiteral("ssh.shell_opened"));
        const auto closed = audit(QStringLiteral("ssh.shell_closed"));
        QCOMPARE(opened.size(), 1);
        QCOMPARE(closed.size(), 1);
        QCOMPARE(closed.first().details.value(QStringLiteral("user")).toString(), m_server.user());
        QCOMPARE(closed.first().details.value(QStringLiteral("key_fingerprint")).toString(), m_server.clientKeyFingerprint());
        QVERIFY(closed.first().details.contains(QStringLiteral("duration_s")));
    }

    void interactiveShellOnAPty()
    {
        LocalPtyBackend pty;   // a real terminal for `mist ssh`: raw mode, window size, SIGWINCH
        pty.setProgram(QStringLiteral(MIST_CLI_BINARY), {QStringLiteral("--data-dir"), dataDir(), QStringLiteral("ssh"), QStringLiteral("box")});
        QByteArray out;
        connect(&pty, &TerminalBackend::dataReceived, this, [&](const QByteArray &d) { out += d; });
        QSignalSpy finished(&pty, &TerminalBackend::finished);
        pty.start(90, 30);
        pty.write("stty size; echo $TERM; echo ready''now\n");
        QVERIFY2(QTest::qWaitFor([&] { return out.contains("readynow"); }, 15000), out.constData());
        QVERIFY2(out.contains("30 90"), out.constData());
        QVERIFY2(out.contains("xterm-256color"), out.constData());
        pty.resize(120, 40);
        QTest::qWait(200);
        pty.write("stty size; echo resized''now\n");
        QVERIFY2(QTest::qWaitFor([&] { return out.contains("resizednow"); }, 15000), out.constData());
        QVERIFY2(out.contains("40 120"), out.constData());
        pty.write("exit 6\n");
        QVERIFY(finished.wait(15000));
        QCOMPARE(finished.first().first().toInt(), 6);
    }

    void failuresAndUsage()
    {
        Run r = mist({QStringLiteral("exec"), QStringLiteral("dead"), QStringLiteral("--"), QStringLiteral("true")});
        QVERIFY2(r.code == 255 && r.err.contains(QStringLiteral("Connection refused by 127.0.0.1:")), describe(r).constData());
        r = mist({QStringLiteral("exec"), QStringLiteral("no-such-machine"), QStringLiteral("--"), QStringLiteral("true")});
        QVERIFY2(r.code == 1, describe(r).constData());
        r = mist({QStringLiteral("exec"), QStringLiteral("box")});
        QVERIFY2(r.code == 2, describe(r).constData());
        r = mist({QStringLiteral("ssh"), QStringLiteral("box"), QStringLiteral("-p"), QStringLiteral("nope")});
        QVERIFY2(r.code == 2, describe(r).constData());
        r = mist({QStringLiteral("exec"), QStringLiteral("box"), QStringLiteral("-l"), QStringLiteral("nosuchuser"), QStringLiteral("--"), QStringLiteral("true")});
        QVERIFY2(r.code == 255 && r.err.contains(QStringLiteral("Authentication failed for nosuchuser@127.0.0.1")), describe(r).constData());
        const auto execs = audit(QStringLiteral("ssh.exec"));
        QVERIFY(!execs.isEmpty());
    }

    // Last: it changes the server's host key.
    void changedHostKey()
    {
        QVERIFY2(m_server.rotateHostKey(), qPrintable(m_server.errorString()));
        Run r = mist({QStringLiteral("exec"), QStringLiteral("box"), QStringLiteral("--accept-new-host-key"), QStringLiteral("--"), QStringLiteral("true")});
        QVERIFY2(r.code == 255, describe(r).constData());
        QVERIFY2(r.err.contains(QStringLiteral("CHANGED")), describe(r).constData());
        const QString hint = QStringLiteral("--replace-host-key ") + m_server.hostKeyFingerprint();
        QVERIFY2(r.err.contains(hint), describe(r).constData());
        // A wrong fingerprint replaces nothing.
        r = mist({QStringLiteral("exec"), QStringLiteral("box"), QStringLiteral("--replace-host-key"), QStringLiteral("SHA256:wrong"),
                  QStringLiteral("--"), QStringLiteral("true")});
        QCOMPARE(r.code, 255);
        r = mist({QStringLiteral("exec"), QStringLiteral("box"), QStringLiteral("--replace-host-key"), m_server.hostKeyFingerprint(),
                  QStringLiteral("--"), QStringLiteral("echo replaced")});
        QVERIFY2(r.code == 0 && r.out == "replaced\n", describe(r).constData());
        QCOMPARE(audit(QStringLiteral("ssh.host_key_replaced")).size(), 1);
        r = mist({QStringLiteral("exec"), QStringLiteral("box"), QStringLiteral("--"), QStringLiteral("true")});
        QVERIFY2(r.code == 0, describe(r).constData());
    }
};

QTEST_GUILESS_MAIN(TestCliSsh)
#include "tst_cli_ssh.moc"
