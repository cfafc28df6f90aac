// Containers and Kubernetes end to end on the offscreen platform: the real AppCore and main
// window against fixture servers that answer as the vendors document.
// - Kubernetes: a kubeconfig imported through the dialog, cluster > node > pod > container in
//   the tree, an exec tab into a container (WebSocket channel protocol), the logs window.
//   The API fixture and the streams fixture sit behind one port, as one API server does.
// - Docker: an engine on a unix socket, a shell into a container over the hijacked exec
//   stream (typed bytes echo back, the terminal size reaches the exec resize endpoint).

#include "uitestapp.h"

#include "containers/containeractions.h"
#include "containers/kubeimportdialog.h"
#include "containers/logview.h"
#include "containers/portforwardsview.h"
#include "dockerfixture.h"
#include "kubeapifixture.h"
#include "kubewsfixture.h"
#include "pathrouter.h"
#include "providers/kubernetes/kubeportforwardlist.h"
#include "testsupport.h"

#include <QFile>
#include <QPushButton>
#include <QTableWidget>
#include <QTcpSocket>
#include <QTemporaryDir>

using namespace mist;
using namespace uitest;

namespace {

// Exactly this line somewhere on the screen (a command's own echo has a prompt before it).
bool hasLine(TerminalScreen *screen, const QString &text)
{
    for (int i = 0; i < screen->totalLines(); ++i)
        if (screen->lineText(i).trimmed() == text)
            return true;
    return false;
}

const Machine *machineOf(MainWindow *w, const QModelIndex &proxyIndex)
{
    const auto *proxy = qobject_cast<const QSortFilterProxyModel *>(w->tree()->model());
    return w->model()->machineAt(proxy->mapToSource(proxyIndex));
}

void select(MainWindow *w, const QModelIndex &index)
{
    w->tree()->setCurrentIndex(index);
    w->tree()->scrollTo(index);
}

} // namespace

class TestContainerTabs : public QObject
{
    Q_OBJECT

private slots:
    void kubeconfigImportTreeExecAndLogs();
    void dockerContainerShell();
};

void TestContainerTabs::kubeconfigImportTreeExecAndLogs()
{
    MIST_REQUIRE_KEYCHAIN();   // the token goes to the keychain
    test::KubeApiFixture api;
    api.setToken(test::KubeWsFixture::token());
    QVERIFY(api.start());
    api.addNode(QStringLiteral("node-1"));
    test::KubeObjects::PodSpec spec;
    spec.ns = QStringLiteral("shop");
    spec.name = QStringLiteral("web-7d4f");
    spec.node = QStringLiteral("node-1");
    spec.containers = {QStringLiteral("app"), QStringLiteral("sidecar")};
    spec.ip = QStringLiteral("10.244.0.7");
    api.addPod(spec);

    test::KubeWsFixture streams;
    QVERIFY(streams.listen());
    streams.addPod(spec.ns, spec.name, spec.containers);
    streams.setLogs(spec.ns, spec.name, QStringLiteral("app"), {QStringLiteral("GET / 200"), QStringLiteral("GET /cart 200")});

    PathRouter router(quint16(api.url().port()), quint16(streams.url().port()),
                      QRegularExpression(QStringLiteral("/(exec|attach|portforward|log)(\\?|$)")));
    QVERIFY(router.listen());

    QTemporaryDir dir;
    const QString kubeconfig = dir.filePath(QStringLiteral("kubeconfig"));
    QFile file(kubeconfig);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(QStringLiteral("apiVersion: v1\nkind: Config\ncurrent-context: shop-dev\n"
                              "clusters:\n- name: dev\n  cluster:\n    server: %1\n"
                              "users:\n- name: fixture\n  user:\n    token: %2\n"
                              "contexts:\n- name: shop-dev\n  context: {cluster: dev, user: fixture, namespace: shop}\n")
                   .arg(router.url(), QString::fromLatin1(test::KubeWsFixture::token()))
                   .toUtf8());
    file.close();

    App app(dir.filePath(QStringLiteral("data")));
    QTRY_VERIFY_WITH_TIMEOUT(app.window->isReady(), kTimeoutMs);

    // Import through the dialog.
    KubeImportDialog *dialog = app.window->containers()->openKubeImport({kubeconfig});
    QVERIFY(dialog);
    QTRY_COMPARE_WITH_TIMEOUT(dialog->contextCount(), 1, kTimeoutMs);
    dialog->findChild<QPushButton *>(QStringLiteral("kubeImportButton"))->click();

    // cluster > node > pod > container.
    QModelIndex container;
    QTRY_VERIFY_WITH_TIMEOUT((container = findMachine(app.window.get(), QStringLiteral("app"))).isValid(), kTimeoutMs);
    const QModelIndex pod = container.parent();
    const QModelIndex node = pod.parent();
    QCOMPARE(machineOf(app.window.get(), container)->kind, MachineKind::Container);
    QCOMPARE(machineOf(app.window.get(), pod)->name, spec.name);
    QCOMPARE(machineOf(app.window.get(), pod)->kind, MachineKind::Pod);
    QCOMPARE(machineOf(app.window.get(), node)->name, QStringLiteral("node-1"));
    QCOMPARE(machineOf(app.window.get(), node)->kind, MachineKind::Node);
    QVERIFY(!node.parent().parent().isValid());   // the node's parent is the cluster (cloud) row
    QVERIFY(findMachine(app.window.get(), QStringLiteral("sidecar")).isValid());
    QCOMPARE(pod.siblingAtColumn(InventoryModel::NamespaceColumn).data().toString(), QStringLiteral("shop"));
    QCOMPARE(container.siblingAtColumn(InventoryModel::NamespaceColumn).data().toString(), QStringLiteral("shop"));

    // An exec tab into the container: a shell prompt, a command and its output.
    select(app.window.get(), container);
    QVERIFY(app.window->terminals()->openShellForSelection());
    SessionPane *pane = app.tabs()->currentPane();
    QVERIFY(pane);
    QTRY_COMPARE_WITH_TIMEOUT(pane->session()->state(), TerminalSession::State::Connected, kTimeoutMs);
    typeInto(pane, QStringLiteral("echo hello-from-kube"));
    QTRY_VERIFY2_WITH_TIMEOUT(hasLine(pane->session()->screen(), QStringLiteral("hello-from-kube")),
                              qPrintable(screenText(pane->session()->screen())), kTimeoutMs);
    bool execAsked = false;
    for (const auto &r : streams.requests())
        execAsked |= r.path.endsWith(QLatin1String("/pods/web-7d4f/exec")) && r.values(QStringLiteral("container")) == QLatin1String("app");
    QVERIFY(execAsked);

    // Logs of the container.
    LogView *logs = app.window->containers()->openLogsForSelection();
    QVERIFY(logs);
    QTRY_VERIFY2_WITH_TIMEOUT(logs->text().contains(QLatin1String("GET /cart 200")), qPrintable(logs->statusText()),
                              kTimeoutMs);
    logs->close();

    // A port forward to the pod: listed, bytes go through, closed from the list.
    select(app.window.get(), pod);
    ContainerActions *actions = app.window->containers();
    QVERIFY(!actions->startPortForward(QStringLiteral("80:x")).ok());   // not a port: said so, nothing started
    const Status started = actions->startPortForward(QStringLiteral("8080"));
    QVERIFY2(started.ok(), qPrintable(started.ok() ? QString() : started.error().toString()));
    KubePortForward *forward = nullptr;
    QTRY_VERIFY_WITH_TIMEOUT(actions->portForwards()->forwards().size() == 1
                                 && (forward = actions->portForwards()->forwards().first())->state()
                                        == KubePortForward::State::Listening,
                             kTimeoutMs);
    QCOMPARE(forward->remotePort(), quint16(8080));
    QTcpSocket client;
    client.connectToHost(QHostAddress::LocalHost, forward->localPort());
    QVERIFY(client.waitForConnected(kTimeoutMs));
    client.write("ping through the pod");
    QByteArray echoed;
    QTRY_VERIFY_WITH_TIMEOUT((echoed += client.readAll()).contains("ping through the pod"), kTimeoutMs);
    PortForwardsView *list = actions->showPortForwards();
    QVERIFY(list);
    QTRY_COMPARE_WITH_TIMEOUT(list->rowCount(), 1, kTimeoutMs);
    list->findChild<QTableWidget *>(QStringLiteral("portForwardsTable"))->selectRow(0);
    list->closeSelected();
    QTRY_VERIFY_WITH_TIMEOUT(actions->portForwards()->forwards().isEmpty(), kTimeoutMs);
    QTRY_COMPARE_WITH_TIMEOUT(list->rowCount(), 0, kTimeoutMs);
}

void TestContainerTabs::dockerContainerShell()
{
    test::DockerFixture engine;
    QVERIFY2(engine.start(), qPrintable(engine.errorString()));
    for (const auto &c : test::DockerFixture::sampleContainers())
        engine.addContainer(c);

    QTemporaryDir dir;
    App app(dir.path());
    QTRY_VERIFY_WITH_TIMEOUT(app.window->isReady(), kTimeoutMs);
    Cloud cloud;
    cloud.name = QStringLiteral("engine");
    cloud.provider = QStringLiteral("docker");
    cloud.config = QJsonObject{{QStringLiteral("uri"), engine.uri()}};
    bool added = false;
    app.core->addCloud(cloud, {}, app.window.get(), [&](Result<Cloud> r) {
        QVERIFY2(r.ok(), qPrintable(r.ok() ? QString() : r.error().toString()));
        added = true;
    });
    QTRY_VERIFY_WITH_TIMEOUT(added, kTimeoutMs);

    QModelIndex term;
    QTRY_VERIFY_WITH_TIMEOUT((term = findMachine(app.window.get(), QStringLiteral("term"))).isValid(), kTimeoutMs);
    QCOMPARE(machineOf(app.window.get(), term)->kind, MachineKind::Container);
    QCOMPARE(machineOf(app.window.get(), term.parent())->kind, MachineKind::ContainerHost);

    select(app.window.get(), term);
    QVERIFY(app.window->terminals()->openShellForSelection());
    SessionPane *pane = app.tabs()->currentPane();
    QVERIFY(pane);
    QTRY_COMPARE_WITH_TIMEOUT(pane->session()->state(), TerminalSession::State::Connected, kTimeoutMs);
    QTest::keyClicks(pane->view(), QStringLiteral("typed-into-docker"));
    QTRY_VERIFY2_WITH_TIMEOUT(screenText(pane->session()->screen()).contains(QLatin1String("typed-into-docker")),
                              qPrintable(screenText(pane->session()->screen())), kTimeoutMs);
    // The tab's size reached the engine through the exec resize endpoint.
    QTRY_VERIFY_WITH_TIMEOUT(!engine.resizes().isEmpty(), kTimeoutMs);
    QCOMPARE(engine.resizes().last(), qMakePair(pane->view()->rows(), pane->view()->columns()));
    QVERIFY2(engine.violations().isEmpty(), qPrintable(engine.violations().join(QLatin1Char('\n'))));
}

QTEST_MAIN(TestContainerTabs)
#include "tst_containertabs.moc"
