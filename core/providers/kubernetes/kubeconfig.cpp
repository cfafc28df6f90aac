#include "kubeconfig.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>

#include <yaml-cpp/yaml.h>

#include <map>

namespace mist {

namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("KubeconfigReader", text);
}

QString scalar(const YAML::Node &node, const char *key)
{
    const YAML::Node v = node[key];
    return v && v.IsScalar() ? QString::fromStdString(v.Scalar()) : QString();
}

bool boolean(const YAML::Node &node, const char *key)
{
    const QString s = scalar(node, key).toLower();
    return s == QLatin1String("true") || s == QLatin1String("yes") || s == QLatin1String("1");
}

// One named entry of a file, with its paths already absolute.
struct Entry
{
    YAML::Node node;
    QString file;
    QDir dir;

    QString path(const char *key) const
    {
        const QString p = scalar(node, key);
        if (p.isEmpty())
            return p;
        const QString expanded = p.startsWith(QLatin1String("~/")) ? QDir::homePath() + p.mid(1) : p;
        return QDir::cleanPath(dir.absoluteFilePath(expanded));
    }
};

struct Merged
{
    std::map<QString, Entry> clusters, users, contexts;
    QStringList contextOrder;
    QString current;
};

Status mergeFile(Merged &m, const QByteArray &yaml, const QString &path)
{
    YAML::Node root;
    try {
        root = YAML::Load(yaml.toStdString());
    } catch (const YAML::Exception &e) {
        return Error{tr("The kubeconfig %1 is not valid YAML (line %2, column %3).")
                         .arg(path)
                         .arg(e.mark.line + 1)
                         .arg(e.mark.column + 1),
                     QString::fromStdString(e.msg)};
    }
    if (root.IsNull())
        return {};   // an empty file merges as nothing, like kubectl
    if (!root.IsMap())
        return Error{tr("The file %1 is not a kubeconfig (expected a mapping with clusters, users and contexts).").arg(path), {}};
    const QDir dir = QFileInfo(path).absoluteDir();
    auto section = [&](const char *list, const char *item, std::map<QString, Entry> &into, QStringList *order) -> Status {
        const YAML::Node seq = root[list];
        if (!seq || seq.IsNull())
            return {};
        if (!seq.IsSequence())
            return Error{tr("The kubeconfig %1 is malformed: \"%2\" must be a list (line %3).")
                             .arg(path, QLatin1String(list))
                             .arg(seq.Mark().line + 1),
                         {}};
        for (const YAML::Node &e : seq) {
            const QString name = e.IsMap() ? scalar(e, "name") : QString();
            const YAML::Node body = e.IsMap() ? e[item] : YAML::Node();
            if (name.isEmpty() || !body || !body.IsMap())
                return Error{tr("The kubeconfig %1 is malformed: an entry of \"%2\" has no name or no %3 (line %4).")
                                 .arg(path, QLatin1String(list), QLatin1String(item))
                                 .arg(e.Mark().line + 1),
                             {}};
            if (into.count(name))
                continue;   // the first file naming it wins
            into.emplace(name, Entry{body, path, dir});
            if (order)
                order->append(name);
        }
        return {};
    };
    try {
        if (Status s = section("clusters", "cluster", m.clusters, nullptr); !s)
            return s;
        if (Status s = section("users", "user", m.users, nullptr); !s)
            return s;
        if (Status s = section("contexts", "context", m.contexts, &m.contextOrder); !s)
            return s;
        if (m.current.isEmpty())
            m.current = scalar(root, "current-context");
    } catch (const YAML::Exception &e) {
        return Error{tr("The kubeconfig %1 is malformed (line %2, column %3).").arg(path).arg(e.mark.line + 1).arg(e.mark.column + 1),
                     QString::fromStdString(e.msg)};
    }
    return {};
}

bool validBase64(const QString &s)
{
    return QByteArray::fromBase64Encoding(s.toLatin1(), QByteArray::AbortOnBase64DecodingErrors).decodingStatus
        == QByteArray::Base64DecodingStatus::Ok;
}

QJsonObject execBlock(const Entry &user)
{
    const YAML::Node exec = user.node["exec"];
    QJsonObject o;
    QString command = scalar(exec, "command");
    // kubectl: a command with a path separator is relative to the kubeconfig's directory.
    if (command.contains(QLatin1Char('/')) && QFileInfo(command).isRelative())
        command = QDir::cleanPath(user.dir.absoluteFilePath(command));
    o.insert(QStringLiteral("command"), command);
    o.insert(QStringLiteral("apiVersion"), scalar(exec, "apiVersion"));
    QJsonArray args, env;
    if (exec["args"] && exec["args"].IsSequence())
        for (const YAML::Node &a : exec["args"])
            args.append(a.IsScalar() ? QString::fromStdString(a.Scalar()) : QString());
    if (exec["env"] && exec["env"].IsSequence())
        for (const YAML::Node &e : exec["env"])
            env.append(QJsonObject{{QStringLiteral("name"), scalar(e, "name")}, {QStringLiteral("value"), scalar(e, "value")}});
    o.insert(QStringLiteral("args"), args);
    o.insert(QStringLiteral("env"), env);
    if (!scalar(exec, "installHint").isEmpty())
        o.insert(QStringLiteral("installHint"), scalar(exec, "installHint"));
    return o;
}

void applyCluster(KubeContextImport &c, const Entry &cluster)
{
    c.server = scalar(cluster.node, "server");
    c.config.insert(QStringLiteral("server"), c.server);
    const QString caData = scalar(cluster.node, "certificate-authority-data");
    if (!caData.isEmpty()) {
        c.config.insert(QStringLiteral("ca_data"), caData);
        if (!validBase64(caData))
            c.warnings << tr("The certificate-authority-data of cluster %1 is not valid base64.").arg(c.cluster);
    } else if (const QString ca = cluster.path("certificate-authority"); !ca.isEmpty()) {
        c.config.insert(QStringLiteral("ca_file"), ca);
    }
    c.insecure = boolean(cluster.node, "insecure-skip-tls-verify");
    c.config.insert(QStringLiteral("insecure"), c.insecure);
    if (c.insecure)
        c.warnings << tr("The kubeconfig turns off TLS verification for cluster %1 (insecure-skip-tls-verify).").arg(c.cluster);
    if (!scalar(cluster.node, "proxy-url").isEmpty())
        c.warnings << tr("The proxy-url of cluster %1 is not supported; Mist connects directly.").arg(c.cluster);
}

void applyUser(KubeContextImport &c, const Entry &user)
{
    const QString token = scalar(user.node, "token");
    if (!token.isEmpty())
        c.secrets.insert(QStringLiteral("token"), token);
    else if (const QString tokenFile = user.path("tokenFile"); !tokenFile.isEmpty())
        c.config.insert(QStringLiteral("token_file"), tokenFile);

    const QString certData = scalar(user.node, "client-certificate-data");
    if (!certData.isEmpty()) {
        c.config.insert(QStringLiteral("client_cert_data"), certData);
        if (!validBase64(certData))
            c.warnings << tr("The client-certificate-data of user %1 is not valid base64.").arg(c.user);
    } else if (const QString cert = user.path("client-certificate"); !cert.isEmpty()) {
        c.config.insert(QStringLiteral("client_cert_file"), cert);
    }
    // The client key is a secret: its text goes to the keychain, never into the config.
    const QString keyData = scalar(user.node, "client-key-data");
    if (!keyData.isEmpty()) {
        if (!validBase64(keyData))
            c.warnings << tr("The client-key-data of user %1 is not valid base64.").arg(c.user);
        else
            c.secrets.insert(QStringLiteral("client_key"), QString::fromUtf8(QByteArray::fromBase64(keyData.toLatin1())));
    } else if (const QString keyFile = user.path("client-key"); !keyFile.isEmpty()) {
        QFile f(keyFile);
        if (f.open(QIODevice::ReadOnly))
            c.secrets.insert(QStringLiteral("client_key"), QString::fromUtf8(f.readAll()));
        else
            c.warnings << tr("The client key file %1 of user %2 cannot be read.").arg(keyFile, c.user);
    }
    if (user.node["exec"] && user.node["exec"].IsMap())
        c.config.insert(QStringLiteral("exec"), execBlock(user));
    if (user.node["auth-provider"])
        c.warnings << tr("User %1 uses an auth-provider, which Mist does not support; use an exec plugin or a token.").arg(c.user);
    if (!scalar(user.node, "username").isEmpty() && token.isEmpty())
        c.warnings << tr("User %1 uses a user name and password, which Mist does not support.").arg(c.user);
}

} // namespace

const KubeContextImport *KubeconfigImport::context(const QString &name) const
{
    for (const KubeContextImport &c : contexts)
        if (c.name == name)
            return &c;
    return nullptr;
}

QStringList KubeconfigReader::defaultPaths()
{
    QStringList out;
    const QString env = qEnvironmentVariable("KUBECONFIG");
    if (!env.isEmpty()) {
        for (const QString &p : env.split(QDir::listSeparator(), Qt::SkipEmptyParts))
            if (QFileInfo::exists(p) && !out.contains(p))
                out << p;
        return out;
    }
    const QString home = QDir::home().filePath(QStringLiteral(".kube/config"));
    if (QFileInfo::exists(home))
        out << home;
    return out;
}

Result<KubeconfigImport> KubeconfigReader::readDefault()
{
    const QStringList paths = defaultPaths();
    if (paths.isEmpty())
        return Error{tr("No kubeconfig found (~/.kube/config or KUBECONFIG)."), {}};
    return readFiles(paths);
}

static Result<KubeconfigImport> build(const Merged &m, const QStringList &files)
{
    KubeconfigImport out;
    out.files = files;
    out.currentContext = m.current;
    for (const QString &name : m.contextOrder) {
        const Entry &ctx = m.contexts.at(name);
        KubeContextImport c;
        c.name = name;
        c.cluster = scalar(ctx.node, "cluster");
        c.user = scalar(ctx.node, "user");
        c.namespaceName = scalar(ctx.node, "namespace");
        c.current = name == m.current;
        auto cluster = m.clusters.find(c.cluster);
        if (cluster == m.clusters.end()) {
            out.warnings << tr("Context %1 names the cluster \"%2\", which no kubeconfig defines.").arg(name, c.cluster);
            continue;
        }
        c.config.insert(QStringLiteral("context"), name);
        c.config.insert(QStringLiteral("kubeconfig"), ctx.file);
        c.config.insert(QStringLiteral("cluster"), c.cluster);
        if (!c.namespaceName.isEmpty())
            c.config.insert(QStringLiteral("namespace"), c.namespaceName);
        applyCluster(c, cluster->second);
        if (c.server.isEmpty()) {
            out.warnings << tr("Cluster %1 of context %2 has no server.").arg(c.cluster, name);
            continue;
        }
        if (!c.user.isEmpty()) {
            c.config.insert(QStringLiteral("user"), c.user);
            auto user = m.users.find(c.user);
            if (user == m.users.end())
                c.warnings << tr("Context %1 names the user \"%2\", which no kubeconfig defines.").arg(name, c.user);
            else
                applyUser(c, user->second);
        }
        out.contexts << c;
    }
    return out;
}

Result<KubeconfigImport> KubeconfigReader::readFiles(const QStringList &paths)
{
    Merged m;
    for (const QString &path : paths) {
        QFile f(path);
        if (!f.open(QIODevice::ReadOnly))
            return Error{tr("Could not read the kubeconfig %1.").arg(path), f.errorString()};
        if (f.size() > 64 * 1024 * 1024)
            return Error{tr("The file %1 is too large to be a kubeconfig.").arg(path), {}};
        if (Status s = mergeFile(m, f.readAll(), path); !s)
            return s.error();
    }
    return build(m, paths);
}

Result<KubeconfigImport> KubeconfigReader::readText(const QByteArray &yaml, const QString &path)
{
    Merged m;
    if (Status s = mergeFile(m, yaml, path); !s)
        return s.error();
    return build(m, {path});
}

} // namespace mist
