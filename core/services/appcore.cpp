#include "appcore.h"

#include "alerts/alertservice.h"
#include "containers/containerlauncher.h"
#include "monitoring/monitoringservice.h"
#include "providers/docker/dockerprovider.h"
#include "providers/kubernetes/kubeconfig.h"

#include "services/sshconfigimport.h"

#include "polling/pollscheduler.h"
#include "providers/providerregistry.h"
#include "secrets/secretstore.h"
#include "services/actionrunner.h"
#include "services/storeservice.h"
#include "inventory/inventorystore.h"
#include "util/logging.h"
#ifdef MIST_WITH_LIBVIRT
#include "providers/libvirt/libvirtdiscovery.h"
#endif

#include <QCoreApplication>
#include <QFutureWatcher>
#include <QPointer>
#include <QFileInfo>
#include <QUuid>
#include <QtConcurrent/QtConcurrentRun>

namespace mist {

namespace {

// Runs blocking keychain work on the pool, then `then(result)` in `context`'s thread.
template <typename T>
void offThread(QThreadPool *pool, QObject *context, std::function<T()> work, std::function<void(T)> then)
{
    auto *watcher = new QFutureWatcher<T>(context);
    QObject::connect(watcher, &QFutureWatcher<T>::finished, context, [watcher, then] {
        then(watcher->result());
        watcher->deleteLater();
    });
    watcher->setFuture(QtConcurrent::run(pool, std::move(work)));
}
} // namespace

AppCore::AppCore(const DataLocation &location, QObject *parent)
    : QObject(parent)
    , m_location(location)
    , m_settings(location.settingsPath(), QSettings::IniFormat)
    , m_store(new StoreService(this))
    , m_poller(new PollScheduler(m_store, this))
    , m_actions(new ActionRunner(m_store, m_poller, this))
    , m_containers(new ContainerLauncher(m_store, this))
    , m_monitoring(new MonitoringService(m_store, MonitoringService::defaultOptions(location), this))
    , m_alerts(new AlertService(m_store, m_monitoring, m_actions, AlertService::defaultOptions(location), this))
{
    qRegisterMetaType<mist::InventorySnapshot>();
    m_keychainPool.setMaxThreadCount(1);   // keychain prompts one at a time
}

AppCore::~AppCore()
{
    // Collectors reach the store thread (host keys, SSH settings): they stop before it goes.
    m_alerts->stop();   // reads the metrics and runs actions: before the monitoring service
    m_monitoring->stop();
    m_poller->stop();
    m_keychainPool.waitForDone();
}

void AppCore::start()
{
    const auto grace = std::chrono::seconds(m_settings.value(SettingsKey::MissingGraceSeconds, 3600).toLongLong());
    m_store->open(m_location.inventoryPath(), grace, this, [this](Result<InventorySnapshot> r) {
        if (!r) {
            emit startFailed(r.error());
            return;
        }
        emit ready(r.value());
        m_poller->start(r.value().clouds);
        m_monitoring->start();   // collects what monitoring.json names (nothing by default)
        m_alerts->start();       // runs the rules of alerts.json (none by default)
        seedFirstRun(r.value());
    });
}

void AppCore::seedFirstRun(const InventorySnapshot &snapshot)
{
    if (m_settings.value(FirstRun::kDoneKey, false).toBool())
        return;
    m_settings.setValue(FirstRun::kDoneKey, true);
    if (snapshot.clouds.isEmpty()) {
        m_store->addCloud(FirstRun::thisComputerCloud(), QStringLiteral("app"), this, [](Result<Cloud> r) {
            if (!r)
                qCWarning(lcStore) << "could not add This computer:" << r.error().toString();
        });
    }
    // Sockets are probed and config files read: not on the GUI thread.
    auto *watcher = new QFutureWatcher<QVector<DiscoveredCloud>>(this);
    connect(watcher, &QFutureWatcher<QVector<DiscoveredCloud>>::finished, this, [this, watcher] {
        watcher->deleteLater();
        const QVector<DiscoveredCloud> offers = watcher->result();
        if (!offers.isEmpty())
            emit discovered(offers);
    });
    watcher->setFuture(QtConcurrent::run(&FirstRun::discoverLocal));
}

void AppCore::splitForm(const ProviderInfo &info, const QVariantMap &values, QJsonObject &config,
                        QHash<QString, QString> &secrets)
{
    for (const FormField &f : info.fields) {
        if (!values.contains(f.id))
            continue;
        const QVariant v = values.value(f.id);
        if (f.secret) {
            if (!v.toString().isEmpty())
                secrets.insert(f.id, v.toString());
        } else if (f.type == FormField::Type::Boolean) {
            config.insert(f.id, v.toBool());
        } else if (f.type == FormField::Type::Integer) {
            config.insert(f.id, v.toString().isEmpty() ? QJsonValue() : QJsonValue(v.toLongLong()));
        } else {
            config.insert(f.id, v.toString());
        }
    }
}

void AppCore::addCloud(Cloud cloud, const QHash<QString, QString> &secrets, QObject *context, Callback<Cloud> done)
{
    auto provider = ProviderRegistry::instance().provider(cloud.provider);
    if (!provider) {
        done(Error{tr("Unknown provider \"%1\"").arg(cloud.provider), {}});
        return;
    }
    Credentials creds{cloud.config, secrets, {}};
    if (Status valid = provider->validate(creds); !valid) {
        done(valid.error());
        return;
    }
    if (cloud.uuid.isEmpty())
        cloud.uuid = QUuid::createUuid().toString(QUuid::WithoutBraces);
    cloud.secretFields = secrets.keys();
    cloud.secretFields.sort();

    QPointer<QObject> guard(context);
    auto storeIt = [this, guard, done](const Cloud &c) {
        m_store->addCloud(c, QStringLiteral("user"), this, [this, guard, done, c](Result<Cloud> r) {
            if (!r && !c.secretFields.isEmpty()) {
                // Nothing half-added: the secrets of a cloud that was not stored go too.
                offThread<Status>(&m_keychainPool, this, [c] { return SecretStore().removeAll(c.uuid, c.secretFields); },
                                  [](Status) {});
            }
            if (guard)
                done(r);
        });
    };
    if (secrets.isEmpty()) {
        storeIt(cloud);
        return;
    }
    offThread<Status>(&m_keychainPool, this, [cloud, secrets] { return SecretStore().writeAll(cloud.uuid, secrets); },
                      [guard, done, storeIt, cloud](Status s) {
                          if (!s) {
                              if (guard)
                                  done(s.error());
                              return;
                          }
                          storeIt(cloud);
                      });
}

void AppCore::updateCloud(Cloud cloud, const QHash<QString, QString> &secrets, QObject *context, Callback<Cloud> done)
{
    for (const QString &f : secrets.keys())
        if (!cloud.secretFields.contains(f))
            cloud.secretFields << f;
    cloud.secretFields.sort();
    QPointer<QObject> guard(context);
    auto storeIt = [this, guard, done, cloud] {
        m_store->updateCloud(cloud, QStringLiteral("user"), this, [guard, done](Result<Cloud> r) {
            if (guard)
                done(r);
        });
    };
    if (secrets.isEmpty()) {
        storeIt();
        return;
    }
    offThread<Status>(&m_keychainPool, this, [cloud, secrets] { return SecretStore().writeAll(cloud.uuid, secrets); },
                      [guard, done, storeIt](Status s) {
                          if (!s) {
                              if (guard)
                                  done(s.error());
                              return;
                          }
                          storeIt();
                      });
}

void AppCore::removeCloud(const Cloud &cloud, QObject *context, Callback<bool> done)
{
    QPointer<QObject> guard(context);
    m_store->removeCloud(cloud.id, QStringLiteral("user"), this, [this, guard, done, cloud](Result<bool> r) {
        if (r && !cloud.secretFields.isEmpty()) {
            offThread<Status>(&m_keychainPool, this, [cloud] { return SecretStore().removeAll(cloud.uuid, cloud.secretFields); },
                              [cloud](Status s) {
                                  if (!s)
                                      qCWarning(lcSecrets) << "could not delete the secrets of" << cloud.name << s.error().toString();
                              });
        }
        if (guard)
            done(r);
    });
}

void AppCore::setCloudEnabled(const Cloud &cloud, bool enabled)
{
    Cloud c = cloud;
    c.enabled = enabled;
    m_store->updateCloud(c, QStringLiteral("user"), this, [](Result<Cloud>) {});
}

void AppCore::runAction(const Cloud &cloud, const Machine &machine, const ActionRequest &request)
{
    m_actions->run(cloud, machine, request);
}

namespace FirstRun {

Cloud thisComputerCloud()
{
    Cloud c;
    c.name = QCoreApplication::translate("FirstRun", "This computer");
    c.provider = QStringLiteral("local");
    c.pollIntervalSec = 60;
    return c;
}

Status seed(InventoryStore &store, QSettings &settings)
{
    if (settings.value(kDoneKey, false).toBool())
        return {};
    auto clouds = store.clouds();
    if (!clouds)
        return clouds.error();
    settings.setValue(kDoneKey, true);
    if (!clouds.value().isEmpty())
        return {};
    auto added = store.addCloud(thisComputerCloud(), QStringLiteral("cli"));
    return added ? Status() : Status(added.error());
}

QVector<DiscoveredCloud> discoverLocal()
{
    QVector<DiscoveredCloud> out;
#ifdef MIST_WITH_LIBVIRT
    for (const QString &uri : discoverLocalLibvirtUris()) {
        DiscoveredCloud d;
        d.provider = QStringLiteral("libvirt");
        d.name = uri.contains(QLatin1String("session")) ? QStringLiteral("kvm-session") : QStringLiteral("kvm-local");
        d.config.insert(QStringLiteral("uri"), uri);
        d.description = QCoreApplication::translate("FirstRun", "Local libvirt at %1").arg(uri);
        out << d;
    }
#endif
    // Hosts the user already reaches with ssh: offered as one "Other server" cloud.
    const SshConfig::Environment env = SshConfig::Environment::current();
    if (const QString path = SshConfig::defaultPath(env); QFileInfo::exists(path)) {
        if (auto config = SshConfig::fromFile(path, env); config && !config.value().importableHosts().isEmpty()) {
            const QVector<SshHostConfig> hosts = config.value().importableHosts();
            DiscoveredCloud d;
            d.provider = QStringLiteral("other");
            d.name = QStringLiteral("ssh-config");
            d.config.insert(QStringLiteral("hosts"), SshConfigImport::hostEntries(config.value(), hosts, env.localUser));
            d.description = QCoreApplication::translate("FirstRun", "%n host(s) from ~/.ssh/config", nullptr, int(hosts.size()));
            out << d;
        }
    }
    // Docker/Podman engines answering on their usual local sockets.
    for (const QString &uri : DockerProvider::findLocalEndpoints()) {
        DiscoveredCloud d;
        d.provider = QStringLiteral("docker");
        d.name = uri.contains(QLatin1String("podman")) ? QStringLiteral("podman-local") : QStringLiteral("docker-local");
        d.config.insert(QStringLiteral("uri"), uri);
        d.description = QCoreApplication::translate("FirstRun", "A container engine at %1").arg(uri);
        out << d;
    }
    // Clusters kubectl knows ($KUBECONFIG or ~/.kube/config): the user picks the contexts.
    if (const QStringList files = KubeconfigReader::defaultPaths(); !files.isEmpty()) {
        if (auto config = KubeconfigReader::readFiles(files); config && !config.value().contexts.isEmpty()) {
            DiscoveredCloud d;
            d.provider = QStringLiteral("kubernetes");
            d.name = config.value().currentContext;
            d.config.insert(DiscoveredCloud::kKubeconfigKey, files.join(QLatin1Char(':')));
            d.description = QCoreApplication::translate("FirstRun", "%n Kubernetes context(s) in %1", nullptr,
                                                        int(config.value().contexts.size()))
                                .arg(files.join(QStringLiteral(", ")));
            out << d;
        }
    }
    return out;
}

} // namespace FirstRun

} // namespace mist
