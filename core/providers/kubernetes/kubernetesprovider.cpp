#include "kubernetesprovider.h"

#include "kubeactions.h"
#include "kubeapiclient.h"
#include "kubemachines.h"
#include "kubewatch.h"
#include "util/logging.h"

#include <QCoreApplication>
#include <QFileInfo>

namespace mist {

namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("KubernetesProvider", text);
}

const QString kNodesPath = QStringLiteral("/api/v1/nodes");

QString namespaceFilter(const Credentials &credentials)
{
    return credentials.config.value(QStringLiteral("namespace")).toString().trimmed();
}

} // namespace

QString KubernetesProvider::podsPath(const Credentials &credentials)
{
    const QString ns = namespaceFilter(credentials);
    return ns.isEmpty() ? QStringLiteral("/api/v1/pods")
                        : QStringLiteral("/api/v1/namespaces/%1/pods").arg(QString::fromLatin1(QUrl::toPercentEncoding(ns)));
}

ProviderInfo KubernetesProvider::info() const
{
    ProviderInfo i;
    i.id = QStringLiteral("kubernetes");
    i.title = tr("Kubernetes / OpenShift");
    i.category = QStringLiteral("Containers");
    i.capabilities = {QStringLiteral("poll"), QStringLiteral("actions"), QStringLiteral("watch"), QStringLiteral("exec"),
                      QStringLiteral("logs")};
    i.fields = {
        FormField{QStringLiteral("server"), tr("API server URL"), FormField::Type::Url, true, false, {},
                  tr("https://api.example.com:6443"), {}},
        FormField{QStringLiteral("token"), tr("Bearer token"), FormField::Type::Password, false, true, {},
                  tr("A service account or user token"), {}},
        FormField{QStringLiteral("ca_file"), tr("CA certificate file"), FormField::Type::File, false, false, {},
                  tr("PEM file of the cluster's certificate authority; empty: the system CAs"), {}},
        FormField{QStringLiteral("insecure"), tr("Skip TLS verification (insecure)"), FormField::Type::Boolean, false, false,
                  false, tr("Only for test clusters: anyone on the network could impersonate the server"), {}},
        FormField{QStringLiteral("namespace"), tr("Namespace"), FormField::Type::Text, false, false, {},
                  tr("Only this namespace's pods; empty: all namespaces"), {}},
    };
    return i;
}

Status KubernetesProvider::validate(const Credentials &credentials) const
{
    if (Status s = Provider::validate(credentials); !s)
        return s;
    const QUrl url(credentials.value(QStringLiteral("server")).trimmed(), QUrl::StrictMode);
    if (!url.isValid() || url.host().isEmpty()
        || (url.scheme() != QLatin1String("https") && url.scheme() != QLatin1String("http")))
        return Error{tr("The API server URL must look like https://host:6443."), credentials.value(QStringLiteral("server"))};
    const QString ca = credentials.config.value(QStringLiteral("ca_file")).toString();
    if (!ca.isEmpty() && !QFileInfo(ca).isReadable())
        return Error{tr("The CA certificate file %1 cannot be read.").arg(ca), {}};
    return {};
}

PollResult KubernetesProvider::poll(const Credentials &credentials)
{
    auto connection = KubeConnection::fromCredentials(credentials);
    if (!connection)
        return PollResult::failure(connection.error());
    KubeApiClient client(*connection);
    PollResult result;
    KubeCursor cursor;

    auto nodes = client.list(kNodesPath, KubeOperation{tr("list"), tr("nodes")});
    // A user limited to one namespace usually may not list nodes: show its pods anyway.
    const bool nodesForbidden = !nodes && !namespaceFilter(credentials).isEmpty()
                                && nodes.error().detail.startsWith(QLatin1String("HTTP 403"));
    if (!nodes && !nodesForbidden)
        return PollResult::failure(nodes.error());
    const QString ns = namespaceFilter(credentials);
    auto pods = client.list(podsPath(credentials),
                            KubeOperation{tr("list"), ns.isEmpty() ? tr("pods in all namespaces") : tr("pods in %1").arg(ns)});
    if (!pods)
        return PollResult::failure(pods.error());

    if (nodes) {
        cursor.nodes = nodes->resourceVersion;
        for (const QJsonValue &n : nodes->items)
            result.machines << KubeMachines::fromNode(n.toObject());
    } else {
        result.error = nodes.error();   // a warning: the pods are complete
    }
    result.machines.reserve(result.machines.size() + pods->items.size() * 3);
    for (const QJsonValue &p : pods->items) {
        const QJsonObject pod = p.toObject();
        Machine m = KubeMachines::fromPod(pod);
        if (nodesForbidden)
            m.parentExternalId.clear();
        result.machines << m;
        result.machines << KubeMachines::containersOf(pod);
    }
    cursor.pods = pods->resourceVersion;
    cursor.nodesSkipped = nodesForbidden;
    result.success = true;
    result.complete = true;
    result.watchCursor = cursor.toString();
    qCDebug(lcProviderKube) << "polled" << connection->server.host() << ":" << result.machines.size() << "records";
    return result;
}

QStringList KubernetesProvider::allowedActions(const Machine &machine) const
{
    return KubeActions::allowed(machine);
}

Status KubernetesProvider::runAction(const Credentials &credentials, const Machine &machine, const ActionRequest &request)
{
    auto connection = KubeConnection::fromCredentials(credentials);
    if (!connection)
        return connection.error();
    KubeApiClient client(*connection);
    return KubeActions::run(client, machine, request);
}

WatchOutcome KubernetesProvider::watch(const Credentials &credentials, const QString &cursorText, WatchSink &sink)
{
    const KubeCursor cursor = KubeCursor::parse(cursorText);
    if (cursor.pods.isEmpty())
        return WatchOutcome{WatchOutcome::End::Expired, {}};
    auto connection = KubeConnection::fromCredentials(credentials);
    if (!connection)
        return WatchOutcome{WatchOutcome::End::Failed, connection.error()};
    KubeApiClient client(*connection);
    KubeWatcher watcher(client, podsPath(credentials), cursor.nodesSkipped ? QString() : kNodesPath, cursor);
    return watcher.run(sink);
}

} // namespace mist
