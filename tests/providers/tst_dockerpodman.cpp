// The Docker provider against a real engine: Debian's Podman serving the Docker-compatible
// API on a temporary unix socket (`podman system service`), with its own storage in a temp
// dir. Images come from `podman import` of an empty tarball (no network needed). Where the
// sandbox refuses to run containers (no setrlimit, no cgroups), the tests check that the
// engine's own error reaches the user. Skipped when podman is not installed.
#include "providers/docker/dockerclient.h"
#include "providers/docker/dockerprovider.h"
#include "shell/terminalbackend.h"

#include <QDir>
#include <QFileInfo>
#include <QJsonArray>
#include <QProcess>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QUrlQuery>

#include <optional>

using namespace mist;

class TestDockerPodman : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir{QStringLiteral("/tmp/mist-podman-XXXXXX")};   // short: unix socket paths are limited
    QProcess m_service;
    DockerProvider m_provider;

    QString socketPath() const { return m_dir.filePath(QStringLiteral("podman.sock")); }
    Credentials creds() const
    {
        Credentials c;
        c.config.insert(QStringLiteral("uri"), QStringLiteral("unix://") + socketPath());
        return c;
    }
    QStringList podmanArgs() const
    {
        return {QStringLiteral("--root"), m_dir.filePath(QStringLiteral("root")),
                QStringLiteral("--runroot"), m_dir.filePath(QStringLiteral("run")),
                QStringLiteral("--storage-driver"), QStringLiteral("vfs"),
                QStringLiteral("--events-backend"), QStringLiteral("file"),
                QStringLiteral("--cgroup-manager"), QStringLiteral("cgroupfs")};
    }
    bool podman(const QStringList &args, QString *output = nullptr)
    {
        QProcess p;
        p.start(QStringLiteral("podman"), podmanArgs() + args);
        const bool ok = p.waitForFinished(60000) && p.exitStatus() == QProcess::NormalExit && p.exitCode() == 0;
        if (output)
            *output = QString::fromUtf8(p.readAllStandardOutput() + p.readAllStandardError());
        return ok;
    }

    // Creates a container through the Engine API (our client), as `docker create` would.
    QString create(const QString &name)
    {
        auto client = DockerClient::connect(creds());
        if (!client)
            return {};
        QUrlQuery q;
        q.addQueryItem(QStringLiteral("name"), name);
        const QJsonObject body{{QStringLiteral("Image"), QStringLiteral("localhost/mist-test:latest")},
                               {QStringLiteral("Cmd"), QJsonArray{QStringLiteral("/bin/true")}},
                               {QStringLiteral("Labels"), QJsonObject{{QStringLiteral("team"), QStringLiteral("qa")}}}};
        auto reply = client.value()->call("POST", QStringLiteral("/containers/create"), q, &body);
        if (!reply || reply->status() != 201)
            return {};
        return QJsonDocument::fromJson(reply->body).object().value(QStringLiteral("Id")).toString();
    }

    std::optional<Machine> listed(const QString &name)
    {
        PollResult r = m_provider.poll(creds());
        if (!r.success)
            return std::nullopt;
        for (const Machine &m : r.machines)
            if (m.name == name)
                return m;
        return std::nullopt;
    }

private slots:
    void initTestCase()
    {
        if (QStandardPaths::findExecutable(QStringLiteral("podman")).isEmpty())
            QSKIP("podman is not installed (scripts/install-deps.sh installs it)");
        QVERIFY(m_dir.isValid());
        m_service.setProcessChannelMode(QProcess::MergedChannels);
        m_service.start(QStringLiteral("podman"), podmanArgs() + QStringList{QStringLiteral("system"), QStringLiteral("service"),
                                                                            QStringLiteral("--time=0"),
                                                                            QStringLiteral("unix://") + socketPath()});
        QVERIFY(m_service.waitForStarted(10000));
        for (int i = 0; i < 200 && !QFileInfo::exists(socketPath()) && m_service.state() == QProcess::Running; ++i)
            QTest::qWait(100);
        if (!QFileInfo::exists(socketPath()))
            QSKIP(qPrintable(QStringLiteral("podman system service does not run here: ") + QString::fromUtf8(m_service.readAll())));

        // An image without network: an empty root file system.
        const QString rootfs = m_dir.filePath(QStringLiteral("rootfs"));
        QVERIFY(QDir().mkpath(rootfs));
        QVERIFY(QProcess::execute(QStringLiteral("tar"), {QStringLiteral("-C"), rootfs, QStringLiteral("-cf"),
                                                          m_dir.filePath(QStringLiteral("empty.tar")), QStringLiteral(".")}) == 0);
        QString out;
        // Rootless podman without subuid ranges cannot store images: nothing to test against then.
        if (!podman({QStringLiteral("import"), m_dir.filePath(QStringLiteral("empty.tar")), QStringLiteral("mist-test:latest")}, &out))
            QSKIP(qPrintable(QStringLiteral("podman cannot import an image here: ") + out));
    }

    void cleanupTestCase()
    {
        if (m_service.state() == QProcess::Running) {
            m_service.terminate();
            if (!m_service.waitForFinished(10000))
                m_service.kill();
        }
        podman({QStringLiteral("rm"), QStringLiteral("-af")});
    }

    void negotiatesWithPodman()
    {
        auto client = DockerClient::connect(creds());
        QVERIFY2(client, qPrintable(client.error().toString()));
        QVERIFY(client.value()->isPodman());
        QVERIFY(DockerClient::compareVersions(client.value()->apiVersion(), QStringLiteral("1.24")) >= 0);
        QVERIFY(DockerClient::compareVersions(client.value()->apiVersion(), QString::fromLatin1(DockerClient::OurApiVersion)) <= 0);
        QCOMPARE(DockerProvider::findLocalEndpoints({socketPath()}), QStringList{QStringLiteral("unix://") + socketPath()});
    }

    void listsCreatedContainer()
    {
        const QString id = create(QStringLiteral("mist-real-1"));
        QVERIFY(!id.isEmpty());
        PollResult r = m_provider.poll(creds());
        QVERIFY2(r.success, qPrintable(r.error.toString()));
        QCOMPARE(r.machines.first().kind, MachineKind::ContainerHost);
        QCOMPARE(r.machines.first().extra.value(QStringLiteral("engine")).toString(), QStringLiteral("Podman"));
        auto m = listed(QStringLiteral("mist-real-1"));
        QVERIFY(m);
        QCOMPARE(m->externalId, id);
        QCOMPARE(m->kind, MachineKind::Container);
        QCOMPARE(m->parentExternalId, QStringLiteral("host"));
        QCOMPARE(m->state, MachineState::Stopped);
        QCOMPARE(m->image, QStringLiteral("localhost/mist-test:latest"));
        QCOMPARE(m->providerTags.value(QStringLiteral("team")), QStringLiteral("qa"));
        QVERIFY(m->created.isValid());
    }

    void renameAndConflict()
    {
        QVERIFY(!create(QStringLiteral("mist-real-2")).isEmpty());
        auto m = listed(QStringLiteral("mist-real-1"));
        QVERIFY(m);
        Status taken = m_provider.runAction(creds(), *m, {Action::Rename, {{QStringLiteral("name"), QStringLiteral("mist-real-2")}}});
        QVERIFY(!taken.ok());
        QVERIFY2(taken.error().message.contains(QStringLiteral("already in use")), qPrintable(taken.error().toString()));
        Status renamed = m_provider.runAction(creds(), *m, {Action::Rename, {{QStringLiteral("name"), QStringLiteral("mist-renamed")}}});
        QVERIFY2(renamed.ok(), qPrintable(renamed.error().toString()));
        QVERIFY(listed(QStringLiteral("mist-renamed")));
        QVERIFY(!listed(QStringLiteral("mist-real-1")));
    }

    void startRunsOrTheEngineSaysWhyNot()
    {
        auto m = listed(QStringLiteral("mist-renamed"));
        QVERIFY(m);
        Status started = m_provider.runAction(creds(), *m, {Action::Start, {}});
        if (started.ok()) {   // an environment that can run containers: /bin/true exits at once
            QTRY_VERIFY_WITH_TIMEOUT(listed(QStringLiteral("mist-renamed"))->state == MachineState::Stopped, 10000);
            return;
        }
        // This sandbox: crun cannot set limits. The engine's words reach the user.
        const Error e = started.error();
        QVERIFY2(e.message.startsWith(QStringLiteral("Could not start container mist-renamed.")), qPrintable(e.toString()));
        QVERIFY2(e.message.contains(QStringLiteral("The Docker engine failed: ")), qPrintable(e.toString()));
        QVERIFY2(e.message.size() > QStringLiteral("Could not start container mist-renamed. The Docker engine failed: ").size(),
                 qPrintable(e.toString()));
        QVERIFY(e.detail.startsWith(QStringLiteral("HTTP 5")));
    }

    void execOnStoppedContainerFailsClearly()
    {
        auto m = listed(QStringLiteral("mist-real-2"));
        QVERIFY(m);
        auto out = m_provider.containerAccess()->exec(creds(), *m, ExecRequest{{QStringLiteral("ls")}, false, {}});
        QVERIFY(!out);
        QVERIFY2(out.error().message.contains(QStringLiteral("running")), qPrintable(out.error().toString()));

        std::unique_ptr<TerminalBackend> shell(m_provider.containerAccess()->createExecBackend(creds(), *m, ExecRequest{}));
        QSignalSpy failed(shell.get(), &TerminalBackend::failed);
        shell->start(80, 24);
        QTRY_COMPARE_WITH_TIMEOUT(failed.count(), 1, 15000);
    }

    void removeDestroysForGood()
    {
        for (const QString &name : {QStringLiteral("mist-renamed"), QStringLiteral("mist-real-2")}) {
            auto m = listed(name);
            QVERIFY(m);
            Status st = m_provider.runAction(creds(), *m, {Action::Destroy, {}});
            QVERIFY2(st.ok(), qPrintable(st.error().toString()));
            QVERIFY(!listed(name));
            // Gone: a second remove is a clear 404.
            Status again = m_provider.runAction(creds(), *m, {Action::Destroy, {}});
            QVERIFY(!again.ok());
            QVERIFY2(again.error().message.contains(QStringLiteral("no longer exists")), qPrintable(again.error().toString()));
        }
    }
};

QTEST_GUILESS_MAIN(TestDockerPodman)
#include "tst_dockerpodman.moc"
