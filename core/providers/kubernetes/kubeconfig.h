#pragma once

#include "providers/provider.h"
#include "util/result.h"

#include <QByteArray>
#include <QHash>
#include <QJsonObject>
#include <QString>
#include <QStringList>
#include <QVector>

namespace mist {

// One kubeconfig context, ready to become a "kubernetes" cloud: `config` is Cloud::config
// (non-secret keys from docs/contracts), `secrets` go to the keychain ("token", "client_key").
struct KubeContextImport
{
    QString name;            // the context's name: a good cloud name
    QString cluster;
    QString user;
    QString server;
    QString namespaceName;   // empty: "default"
    bool current = false;    // the kubeconfig's current-context
    bool insecure = false;   // insecure-skip-tls-verify: show as a warning
    QJsonObject config;
    QHash<QString, QString> secrets;
    QStringList warnings;    // translated: insecure, unsupported auth, unreadable key file…

    Credentials credentials() const { return Credentials{config, secrets, nullptr}; }
};

struct KubeconfigImport
{
    QStringList files;       // in merge order
    QString currentContext;
    QVector<KubeContextImport> contexts;   // in file order, current one flagged
    QStringList warnings;    // contexts that could not be imported, and why

    const KubeContextImport *context(const QString &name) const;
};

// Reads kubeconfig files as kubectl does: several files merge with the first file winning
// per cluster/user/context name, the first current-context wins, relative paths resolve
// against the file that names them. No network and no plugin runs here.
class KubeconfigReader
{
public:
    // KUBECONFIG (':'-separated, existing files only) or ~/.kube/config.
    static QStringList defaultPaths();
    static Result<KubeconfigImport> readDefault();
    static Result<KubeconfigImport> readFiles(const QStringList &paths);
    // `path` names the source in messages and anchors relative paths.
    static Result<KubeconfigImport> readText(const QByteArray &yaml, const QString &path);
};

} // namespace mist
