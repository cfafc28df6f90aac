#pragma once

#include "inventory/cloud.h"
#include "inventory/inventorydelta.h"
#include "providers/provider.h"
#include "util/datalocation.h"
#include "util/result.h"

#include <QHash>
#include <QObject>
#include <QSettings>
#include <QThreadPool>

#include <functional>
#include <memory>

namespace mist {

class StoreService;
class PollScheduler;
class ActionRunner;
class ContainerLauncher;
class MonitoringService;
class AlertService;
class InventoryStore;

// Something found on this computer at first start that the user may add as a cloud.
struct DiscoveredCloud
{
    QString provider;     // "libvirt"
    QString name;         // suggested cloud name
    QJsonObject config;   // form values
    QString description;  // "Local libvirt at qemu:///system"

    // An offer whose config has this key (':'-separated kubeconfig paths) is a set of
    // Kubernetes contexts, imported through the kubeconfig import instead of added as one.
    static inline const QString kKubeconfigKey = QStringLiteral("kubeconfig_files");
};

// The application's core, shared by the GUI: the store thread, the poll scheduler and the
// action runner, plus the operations that span them (a cloud with secrets goes to the
// keychain first, then to the store; removing it deletes both).
class AppCore : public QObject
{
    Q_OBJECT
public:
    explicit AppCore(const DataLocation &location, QObject *parent = nullptr);
    ~AppCore() override;

    template <typename T>
    using Callback = std::function<void(Result<T>)>;

    // Opens the inventory on the store thread; emits ready() or startFailed().
    void start();

    StoreService *store() const { return m_store; }
    PollScheduler *poller() const { return m_poller; }
    ActionRunner *actions() const { return m_actions; }
    ContainerLauncher *containers() const { return m_containers; }
    MonitoringService *monitoring() const { return m_monitoring; }
    AlertService *alerts() const { return m_alerts; }
    QSettings &settings() { return m_settings; }
    const DataLocation &location() const { return m_location; }

    // Validates with the provider, writes secrets to the keychain, then stores the cloud.
    void addCloud(Cloud cloud, const QHash<QString, QString> &secrets, QObject *context, Callback<Cloud> done);
    // Secrets given replace the stored ones; fields not given keep their keychain value.
    void updateCloud(Cloud cloud, const QHash<QString, QString> &secrets, QObject *context, Callback<Cloud> done);
    void removeCloud(const Cloud &cloud, QObject *context, Callback<bool> done);
    void setCloudEnabled(const Cloud &cloud, bool enabled);

    void runAction(const Cloud &cloud, const Machine &machine, const ActionRequest &request);

    // Splits form values into config (stored) and secrets (keychain) by the provider's fields.
    static void splitForm(const ProviderInfo &info, const QVariantMap &values, QJsonObject &config,
                          QHash<QString, QString> &secrets);

signals:
    void ready(const mist::InventorySnapshot &snapshot);
    void startFailed(const mist::Error &error);
    void discovered(const QVector<mist::DiscoveredCloud> &offers);   // first start only

private:
    void seedFirstRun(const InventorySnapshot &snapshot);

    DataLocation m_location;
    QSettings m_settings;
    StoreService *m_store;
    PollScheduler *m_poller;
    ActionRunner *m_actions;
    ContainerLauncher *m_containers;
    MonitoringService *m_monitoring;
    AlertService *m_alerts;
    QThreadPool m_keychainPool;
};

// First start: "This computer" always, and what is found locally as offers.
// Settings keys shared by the GUI and the CLI (settings.ini in the data folder).
namespace SettingsKey {
inline const QString MissingGraceSeconds = QStringLiteral("inventory/missingGraceSeconds");
} // namespace SettingsKey

namespace FirstRun {
inline const QString kDoneKey = QStringLiteral("inventory/firstRunDone");
Cloud thisComputerCloud();
// The synchronous form for the CLI: adds This computer to a new inventory once.
Status seed(InventoryStore &store, QSettings &settings);
QVector<DiscoveredCloud> discoverLocal();
} // namespace FirstRun

} // namespace mist

Q_DECLARE_METATYPE(mist::DiscoveredCloud)
