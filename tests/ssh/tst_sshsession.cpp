// SshSession against a real OpenSSH server on loopback: auth, exec, pty, host keys, jumps,
// and the ways a connection fails (refused, DNS, silent server, server dying).

#include "inventory/inventorystore.h"
#include "ssh/hostkeys.h"
#include "ssh/sshsession.h"
#include "sshtestserver.h"

#include <QElapsedTimer>
#include <QFile>
#include <QMessageAuthenticationCode>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QtTest>

using namespace mist;
using namespace mist::test;
using namespace std::chrono_literals;

namespace {

QByteArray describe(const SshError &e)
{
    return (sshErrorKindName(e.kind) + QStringLiteral(": ") + e.error.toString()).toUtf8();
}

// Reads from a shell until `needle` shows up (or the time is over).
QByteArray readUntil(SshChannel &ch, const QByteArray &needle, int ms = 10000)
{
    QByteArray all;
    QElapsedTimer t;
    t.start();
    while (!all.contains(needle) && t.elapsed() < ms) {
        QByteArray err;
        if (!ch.read(all, err, 100))
            break;
        all += err;
    }
    return all;
}

} // namespace

class TestSshSession : public QObject
{
    Q_OBJECT

    SshTestServer m_server;
    QTemporaryDir m_tmp;
    std::unique_ptr<InventoryStore> m_store;
    QString m_noKnownHosts;

    SshTarget target() const { return m_server.target(); }

    // A fresh app database for each test that checks what is on record.
    std::unique_ptr<InventoryStore> freshStore(const QString &name)
    {
        auto store = std::make_unique<InventoryStore>();
        if (!store->open(m_tmp.filePath(name + QStringLiteral(".db"))))
            return nullptr;
        return store;
    }

    int auditCount(InventoryStore &store, const QString &action)
    {
        AuditQuery q;
        q.text = action;
        auto rows = store.audit(q);
        int n = 0;
        for (const AuditEntry &e : rows.value())
            n += e.action == action;
        return n;
    }

private slots:
    void initTestCase()
    {
        MIST_START_SSHD(m_server);
        QVERIFY(m_tmp.isValid());
        m_store = freshStore(QStringLiteral("main"));
        QVERIFY(m_store);
        m_noKnownHosts = m_tmp.filePath(QStringLiteral("absent_known_hosts"));
    }

    void keyAuthentication()
    {
        StoreHostKeyVerifier v(*m_store, StoreHostKeyVerifier::Policy::AcceptUnknown, m_noKnownHosts);
        SshSession s;
        const SshStatus st = s.connect(target(), v);
        QVERIFY2(st.ok(), describe(st.sshError()).constData());
        QVERIFY(s.isConnected());
        QCOMPARE(s.authMethod(), QStringLiteral("publickey"));
        QCOMPARE(s.authKeyFingerprint(), m_server.clientKeyFingerprint());
        QCOMPARE(s.hostKey().fingerprint, m_server.hostKeyFingerprint());
        QCOMPARE(s.hostKey().keyType, m_server.hostKeyType());
        QVERIFY(s.keepalive().ok());
        s.disconnect();
        QVERIFY(!s.isConnected());
    }

    void identityFileAuthentication()
    {
        StoreHostKeyVerifier v(*m_store, StoreHostKeyVerifier::Policy::AcceptUnknown, m_noKnownHosts);
        SshTarget t = target();
        t.auth.privateKey.clear();
        t.auth.identityFiles = {m_tmp.filePath(QStringLiteral("does-not-exist")), m_server.clientKeyPath()};
        SshSession s;
        const SshStatus st = s.connect(t, v);
        QVERIFY2(st.ok(), describe(st.sshError()).constData());
        QCOMPARE(s.authKeyFingerprint(), m_server.clientKeyFingerprint());
    }

    void passwordRefusedWhenDisabled()
    {
        StoreHostKeyVerifier v(*m_store, StoreHostKeyVerifier::Policy::AcceptUnknown, m_noKnownHosts);
        SshTarget t = target();
        t.auth.privateKey.clear();
        int prompts = 0;
        t.auth.passwordPrompt = [&](const QString &) -> std::optional<QString> {
            ++prompts;
            return QStringLiteral("secret");
        };
        SshSession s;
        const SshStatus st = s.connect(t, v);
        QVERIFY(!st.ok());
        QCOMPARE(st.kind(), SshErrorKind::AuthFailed);
        QCOMPARE(prompts, 0);   // the server does not offer passwords: never asked
        const QString msg = st.error().message;
        QVERIFY2(msg.contains(QStringLiteral("Authentication failed for %1@127.0.0.1").arg(m_server.user())), qPrintable(msg));
        QVERIFY2(msg.contains(QStringLiteral("the server accepts: publickey)")), qPrintable(msg));
        QVERIFY(!s.isConnected());
    }

    void unauthorizedKeyListsWhatWasTried()
    {
        const QString other = m_tmp.filePath(QStringLiteral("other_key"));
        QString error;
        QVERIFY2(SshTestServer::generateKey(other, QStringLiteral("ed25519"), {}, &error), qPrintable(error));
        QFile f(other);
        QVERIFY(f.open(QIODevice::ReadOnly));
        StoreHostKeyVerifier v(*m_store, StoreHostKeyVerifier::Policy::AcceptUnknown, m_noKnownHosts);
        SshTarget t = target();
        t.auth.privateKey = f.readAll();
        SshSession s;
        const SshStatus st = s.connect(t, v);
        QCOMPARE(st.kind(), SshErrorKind::AuthFailed);
        const QString fp = SshTestServer::publicKeyFingerprint(other + QStringLiteral(".pub"));
        QVERIFY2(st.error().message.contains(QStringLiteral("publickey (key %1)").arg(fp)), qPrintable(st.error().message));
    }

    void encryptedKeyWithWrongPassphrase()
    {
        const QString path = m_tmp.filePath(QStringLiteral("locked_key"));
        QString error;
        QVERIFY2(SshTestServer::generateKey(path, QStringLiteral("ed25519"), QStringLiteral("right one"), &error), qPrintable(error));
        QFile f(path);
        QVERIFY(f.open(QIODevice::ReadOnly));
        StoreHostKeyVerifier v(*m_store, StoreHostKeyVerifier::Policy::AcceptUnknown, m_noKnownHosts);
        SshTarget t = target();
        t.auth.privateKey = f.readAll();
        t.auth.passphrase = QStringLiteral("wrong");
        SshSession s;
        const SshStatus st = s.connect(t, v);
        QCOMPARE(st.kind(), SshErrorKind::AuthFailed);
        QVERIFY2(st.error().detail.contains(QStringLiteral("cannot be read")), qPrintable(st.error().toString()));

        // Garbage instead of a key: the same clear failure, no crash.
        t.auth.privateKey = QByteArray("-----BEGIN OPENSSH PRIVATE KEY-----\n\x01\x02garbage\n", 45);
        QCOMPARE(s.connect(t, v).kind(), SshErrorKind::AuthFailed);
    }

    void execExitCodesAndStreams()
    {
        StoreHostKeyVerifier v(*m_store, StoreHostKeyVerifier::Policy::AcceptUnknown, m_noKnownHosts);
        SshSession s;
        QVERIFY(s.connect(target(), v).ok());
        auto r = s.exec(QStringLiteral("echo out; echo err >&2; exit 3"));
        QVERIFY2(r.ok(), describe(r.sshError()).constData());
        QCOMPARE(r->exitStatus, 3);
        QCOMPARE(r->out, QByteArray("out\n"));
        QCOMPARE(r->err, QByteArray("err\n"));

        r = s.exec(QStringLiteral("true"));
        QVERIFY(r.ok());
        QCOMPARE(r->exitStatus, 0);
        QVERIFY(r->out.isEmpty() && r->err.isEmpty());

        r = s.exec(QStringLiteral("tr a-z A-Z"), QByteArray("from stdin\n"));
        QVERIFY(r.ok());
        QCOMPARE(r->out, QByteArray("FROM STDIN\n"));

        r = s.exec(QStringLiteral("sleep 5"), {}, 500ms);
        QCOMPARE(r.kind(), SshErrorKind::Timeout);
        // The session is still usable after a timed-out command.
        r = s.exec(QStringLiteral("echo still"));
        QVERIFY(r.ok());
        QCOMPARE(r->out, QByteArray("still\n"));
    }

    void binaryGarbage()
    {
        StoreHostKeyVerifier v(*m_store, StoreHostKeyVerifier::Policy::AcceptUnknown, m_noKnownHosts);
        SshSession s;
        QVERIFY(s.connect(target(), v).ok());
        QByteArray bytes;
        for (int i = 0; i < 300000; ++i)
            bytes.append(char((i * 7 + i / 256) & 0xff));
        auto r = s.exec(QStringLiteral("cat"), bytes);
        QVERIFY2(r.ok(), describe(r.sshError()).constData());
        QCOMPARE(r->out.size(), bytes.size());
        QVERIFY(r->out == bytes);
        r = s.exec(QStringLiteral("head -c 200000 /dev/urandom; head -c 1000 /dev/urandom >&2"));
        QVERIFY(r.ok());
        QCOMPARE(r->out.size(), 200000);
        QCOMPARE(r->err.size(), 1000);

        // Garbage into a pty shell: the channel keeps working.
        auto ch = s.openShell(80, 24);
        QVERIFY2(ch.ok(), describe(ch.sshError()).constData());
        QVERIFY(ch.value()->write("head -c 50000 /dev/urandom; echo; echo done''marker\n").ok());
        QVERIFY(readUntil(*ch.value(), "donemarker").contains("donemarker"));
    }

    void ptyShellRoundTripAndResize()
    {
        StoreHostKeyVerifier v(*m_store, StoreHostKeyVerifier::Policy::AcceptUnknown, m_noKnownHosts);
        SshSession s;
        QVERIFY(s.connect(target(), v).ok());
        auto ch = s.openShell(80, 24);
        QVERIFY2(ch.ok(), describe(ch.sshError()).constData());
        SshChannel &shell = *ch.value();
        QVERIFY(shell.write("echo $TERM; stty size; echo hel''lo\n").ok());
        QByteArray out = readUntil(shell, "hello");
        QVERIFY2(out.contains("xterm-256color"), out.constData());
        QVERIFY2(out.contains("24 80"), out.constData());
        QVERIFY(shell.resize(132, 40).ok());
        QVERIFY(shell.write("stty size; echo size''done\n").ok());
        out = readUntil(shell, "sizedone");
        QVERIFY2(out.contains("40 132"), out.constData());
        QVERIFY(shell.write("exit 7\n").ok());
        QElapsedTimer t;
        t.start();
        while (!shell.isEof() && t.elapsed() < 10000) {
            QByteArray o, e;
            QVERIFY(shell.read(o, e, 100).ok());
        }
        QVERIFY(shell.isEof());
        QCOMPARE(shell.exitStatus(), 7);
    }

    void unknownHostKeyRejected()
    {
        auto store = freshStore(QStringLiteral("reject"));
        QVERIFY(store);
        StoreHostKeyVerifier v(*store, StoreHostKeyVerifier::Policy::RejectUnknown, m_noKnownHosts);
        SshSession s;
        const SshStatus st = s.connect(target(), v);
        QCOMPARE(st.kind(), SshErrorKind::HostKeyUnknown);
        QVERIFY2(st.error().message.contains(m_server.hostKeyFingerprint()), qPrintable(st.error().message));
        QVERIFY(st.sshError().hostKey.has_value());
        QCOMPARE(st.sshError().hostKey->fingerprint, m_server.hostKeyFingerprint());
        QVERIFY(!s.isConnected());
        QCOMPARE(KnownHostRepository(store->database()).all().value().size(), 0);
        QCOMPARE(auditCount(*store, QStringLiteral("ssh.host_key_accepted")), 0);
    }

    void unknownAcceptedThenSilent()
    {
        auto store = freshStore(QStringLiteral("accept"));
        QVERIFY(store);
        int asked = 0;
        StoreHostKeyVerifier ask(*store, StoreHostKeyVerifier::Policy::Ask, m_noKnownHosts);
        ask.setAsk([&](const HostKeyInfo &info) {
            ++asked;
            return info.fingerprint == m_server.hostKeyFingerprint();
        });
        SshSession s;
        QVERIFY(s.connect(target(), ask).ok());
        QCOMPARE(asked, 1);
        const auto rows = KnownHostRepository(store->database()).all().value();
        QCOMPARE(rows.size(), 1);
        QCOMPARE(rows.first().fingerprint, m_server.hostKeyFingerprint());
        QCOMPARE(rows.first().port, m_server.port());
        QCOMPARE(auditCount(*store, QStringLiteral("ssh.host_key_accepted")), 1);

        // Second time: known, nobody asked, nothing audited again.
        StoreHostKeyVerifier strict(*store, StoreHostKeyVerifier::Policy::RejectUnknown, m_noKnownHosts);
        SshSession again;
        QVERIFY(again.connect(target(), strict).ok());
        QVERIFY(again.connect(target(), ask).ok());
        QCOMPARE(asked, 1);
        QCOMPARE(auditCount(*store, QStringLiteral("ssh.host_key_accepted")), 1);
    }

    void userKnownHostsFile()
    {
        auto store = freshStore(QStringLiteral("userfile"));
        QVERIFY(store);
        // Hashed entry for [127.0.0.1]:port, as `ssh-keygen -H` writes it.
        const QByteArray salt = QByteArray::fromHex("0102030405060708090a0b0c0d0e0f1011121314");
        const QString name = QStringLiteral("[127.0.0.1]:%1").arg(m_server.port());
        const QByteArray hash = QMessageAuthenticationCode::hash(name.toUtf8(), salt, QCryptographicHash::Sha1);
        const QString hashed = QStringLiteral("|1|%1|%2").arg(QString::fromLatin1(salt.toBase64()), QString::fromLatin1(hash.toBase64()));
        const QString path = m_tmp.filePath(QStringLiteral("known_hosts"));
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
        f.write("# comment\n\n@revoked * ssh-ed25519 AAAA\nnot a valid line\n");
        f.write(QStringLiteral("otherhost,10.0.0.1 %1 %2\n").arg(m_server.hostKeyType(), m_server.hostPublicKey()).toUtf8());
        f.write(QStringLiteral("%1 %2 %3 comment\n").arg(hashed, m_server.hostKeyType(), m_server.hostPublicKey()).toUtf8());
        f.close();
        StoreHostKeyVerifier v(*store, StoreHostKeyVerifier::Policy::RejectUnknown, path);
        SshSession s;
        const SshStatus st = s.connect(target(), v);
        QVERIFY2(st.ok(), describe(st.sshError()).constData());
        QCOMPARE(KnownHostRepository(store->database()).all().value().size(), 0);   // read, never copied

        // A plain [host]:port entry with another key of the same type: changed, naming the line.
        const QString otherPub = m_tmp.filePath(QStringLiteral("otherhost"));
        QVERIFY(SshTestServer::generateKey(otherPub, QStringLiteral("ed25519"), {}));
        QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
        f.write(QStringLiteral("[127.0.0.1]:%1,!nothing %2 %3\n")
                    .arg(m_server.port())
                    .arg(m_server.hostKeyType(), SshTestServer::publicKeyBase64(otherPub + QStringLiteral(".pub")))
                    .toUtf8());
        f.close();
        const SshStatus changed = s.connect(target(), v);
        QCOMPARE(changed.kind(), SshErrorKind::HostKeyChanged);
        QVERIFY2(changed.error().message.contains(path + QStringLiteral(" line 1")), qPrintable(changed.error().message));
        QVERIFY(changed.error().message.contains(SshTestServer::publicKeyFingerprint(otherPub + QStringLiteral(".pub"))));

        QVERIFY(OpenSshKnownHosts::hostMatches(QStringLiteral("*.example.com,!bad.example.com"), QStringLiteral("a.EXAMPLE.com")));
        QVERIFY(!OpenSshKnownHosts::hostMatches(QStringLiteral("*.example.com,!bad.example.com"), QStringLiteral("bad.example.com")));
        QVERIFY(OpenSshKnownHosts::hostMatches(QStringLiteral("host?"), QStringLiteral("host1")));
        QVERIFY(!OpenSshKnownHosts::hostMatches(QStringLiteral("host?"), QStringLiteral("host12")));
    }

    void hostKeyChangedRefusedThenReplaced()
    {
        SshTestServer server;
        MIST_START_SSHD(server);
        auto store = freshStore(QStringLiteral("changed"));
        QVERIFY(store);
        SshTarget t = target();
        t.endpoint.port = server.port();
        t.auth.privateKey = server.clientPrivateKey();
        StoreHostKeyVerifier accept(*store, StoreHostKeyVerifier::Policy::AcceptUnknown, m_noKnownHosts);
        SshSession s;
        QVERIFY(s.connect(t, accept).ok());
        s.disconnect();
        const QString oldFp = server.hostKeyFingerprint();

        QVERIFY2(server.rotateHostKey(), qPrintable(server.errorString()));
        const QString newFp = server.hostKeyFingerprint();
        QVERIFY(oldFp != newFp);

        // Even the accept-everything policy never lets a changed key through.
        const SshStatus st = s.connect(t, accept);
        QCOMPARE(st.kind(), SshErrorKind::HostKeyChanged);
        QVERIFY(!s.isConnected());
        const QString msg = st.error().message;
        QVERIFY2(msg.contains(oldFp) && msg.contains(newFp), qPrintable(msg));
        QVERIFY2(msg.contains(QStringLiteral("CHANGED")) && msg.contains(QStringLiteral("Mist's known hosts")), qPrintable(msg));
        QCOMPARE(st.sshError().knownFingerprint, oldFp);
        QVERIFY(st.sshError().hostKey.has_value());
        QCOMPARE(st.sshError().hostKey->fingerprint, newFp);
        // remember() without replace refuses to overwrite.
        QVERIFY(!accept.remember(*st.sshError().hostKey, false).ok());

        // The explicit replace, then a normal connect.
        QVERIFY(accept.replaceHostKey(*st.sshError().hostKey).ok());
        StoreHostKeyVerifier strict(*store, StoreHostKeyVerifier::Policy::RejectUnknown, m_noKnownHosts);
        const SshStatus again = s.connect(t, strict);
        QVERIFY2(again.ok(), describe(again.sshError()).constData());
        QCOMPARE(auditCount(*store, QStringLiteral("ssh.host_key_replaced")), 1);
        AuditQuery q;
        q.text = QStringLiteral("ssh.host_key_replaced");
        const AuditEntry e = store->audit(q).value().first();
        QCOMPARE(e.details.value(QStringLiteral("old_fingerprint")).toString(), oldFp);
        QCOMPARE(e.details.value(QStringLiteral("fingerprint")).toString(), newFp);
    }

    void proxyJump()
    {
        StoreHostKeyVerifier v(*m_store, StoreHostKeyVerifier::Policy::AcceptUnknown, m_noKnownHosts);
        SshTarget t = target();
        t.jumps = {t.endpoint};
        SshSession s;
        SshStatus st = s.connect(t, v);
        QVERIFY2(st.ok(), describe(st.sshError()).constData());
        auto r = s.exec(QStringLiteral("echo via-jump; echo e >&2; exit 4"));
        QVERIFY2(r.ok(), describe(r.sshError()).constData());
        QCOMPARE(r->out, QByteArray("via-jump\n"));
        QCOMPARE(r->err, QByteArray("e\n"));
        QCOMPARE(r->exitStatus, 4);
        // Enough data to need flow control through the bridge.
        QByteArray big(2 * 1024 * 1024, 'x');
        r = s.exec(QStringLiteral("cat"), big);
        QVERIFY(r.ok());
        QCOMPARE(r->out.size(), big.size());
        s.disconnect();

        // Two hops: jump -> jump -> target.
        t.jumps = {t.endpoint, t.endpoint};
        st = s.connect(t, v);
        QVERIFY2(st.ok(), describe(st.sshError()).constData());
        r = s.exec(QStringLiteral("echo two-hops"));
        QVERIFY(r.ok());
        QCOMPARE(r->out, QByteArray("two-hops\n"));
        auto ch = s.openShell(80, 24);
        QVERIFY(ch.ok());
        QVERIFY(ch.value()->write("echo sh''ell\n").ok());
        QVERIFY(readUntil(*ch.value(), "shell").contains("shell"));
        ch.value().reset();
        s.disconnect();

        // The jump host cannot reach the next hop: a channel error naming both.
        QTcpServer closed;
        QVERIFY(closed.listen(QHostAddress::LocalHost, 0));
        const int deadPort = closed.serverPort();
        closed.close();
        t.jumps = {t.endpoint};
        t.endpoint.port = deadPort;
        st = s.connect(t, v);
        QCOMPARE(st.kind(), SshErrorKind::ChannelFailed);
        QVERIFY2(st.error().message.contains(QStringLiteral("127.0.0.1:%1").arg(deadPort)), qPrintable(st.error().message));
    }

    void refusedPort()
    {
        QTcpServer closed;
        QVERIFY(closed.listen(QHostAddress::LocalHost, 0));
        const int port = closed.serverPort();
        closed.close();
        StoreHostKeyVerifier v(*m_store, StoreHostKeyVerifier::Policy::AcceptUnknown, m_noKnownHosts);
        SshTarget t = target();
        t.endpoint.port = port;
        SshSession s;
        const SshStatus st = s.connect(t, v);
        QCOMPARE(st.kind(), SshErrorKind::Refused);
        QCOMPARE(st.error().message, QStringLiteral("Connection refused by 127.0.0.1:%1").arg(port));
    }

    void dnsFailure()
    {
        StoreHostKeyVerifier v(*m_store, StoreHostKeyVerifier::Policy::AcceptUnknown, m_noKnownHosts);
        SshTarget t = target();
        t.endpoint.host = QStringLiteral("no-such-host.invalid");
        SshSession s;
        const SshStatus st = s.connect(t, v);
        QCOMPARE(st.kind(), SshErrorKind::Dns);
        QCOMPARE(st.error().message, QStringLiteral("Cannot resolve host name 'no-such-host.invalid'"));
    }

    void silentServerTimesOut()
    {
        QTcpServer silent;   // accepts TCP (kernel backlog) and never says a word
        QVERIFY(silent.listen(QHostAddress::LocalHost, 0));
        StoreHostKeyVerifier v(*m_store, StoreHostKeyVerifier::Policy::AcceptUnknown, m_noKnownHosts);
        SshTarget t = target();
        t.endpoint.port = silent.serverPort();
        t.connectTimeout = 1500ms;
        SshSession s;
        QElapsedTimer clock;
        clock.start();
        const SshStatus st = s.connect(t, v);
        const qint64 took = clock.elapsed();
        QCOMPARE(st.kind(), SshErrorKind::Timeout);
        QVERIFY2(took < 1500 + 1500, qPrintable(QString::number(took)));
        QVERIFY2(st.error().message.contains(QStringLiteral("did not answer within 1.5 s")), qPrintable(st.error().message));
    }

    void serverDroppedMidSession()
    {
        SshTestServer server;
        MIST_START_SSHD(server);
        auto store = freshStore(QStringLiteral("dropped"));
        SshTarget t = target();
        t.endpoint.port = server.port();
        t.auth.privateKey = server.clientPrivateKey();
        StoreHostKeyVerifier v(*store, StoreHostKeyVerifier::Policy::AcceptUnknown, m_noKnownHosts);
        SshSession s;
        QVERIFY(s.connect(t, v).ok());
        auto ch = s.openShell(80, 24);
        QVERIFY(ch.ok());
        QVERIFY(ch.value()->write("echo up''now\n").ok());
        QVERIFY(readUntil(*ch.value(), "upnow").contains("upnow"));

        server.killAll();
        QElapsedTimer clock;
        clock.start();
        SshStatus st;
        while (clock.elapsed() < 10000) {
            QByteArray o, e;
            st = ch.value()->read(o, e, 200);
            if (!st.ok() || ch.value()->isEof())
                break;
        }
        QVERIFY2(clock.elapsed() < 10000, "no hang after the server died");
        if (st.ok())
            QVERIFY(ch.value()->isEof());
        else
            QCOMPARE(st.kind(), SshErrorKind::Disconnected);
        ch.value().reset();
        auto r = s.exec(QStringLiteral("true"));
        QVERIFY(!r.ok());
        QCOMPARE(r.kind(), SshErrorKind::Disconnected);
    }
};

QTEST_GUILESS_MAIN(TestSshSession)
#include "tst_sshsession.moc"
