#pragma once

#include "alerts/alertrule.h"
#include "inventory/cloud.h"
#include "inventory/inventorydelta.h"
#include "monitoring/ruleengine.h"
#include "util/datalocation.h"
#include "util/result.h"

#include <QHash>
#include <QObject>
#include <QPointer>
#include <QSet>
#include <QThreadPool>
#include <QTimer>

#include <chrono>
#include <functional>
#include <memory>

namespace mist {

class ActionRunner;
class MonitoringService;
class StoreService;
class WebhookSender;
struct AlertEventContext;

// Runs the alert rules of <data dir>/alerts.json (AlertRuleBook).
//  * Threads: a GUI-thread QObject that only schedules. Rule states live here and
//    RuleEngine::evaluate (pure, cheap) runs here; the metrics are read on the monitoring
//    service's query pool (MonitoringService::ruleInputs), the rules file and the inventory
//    on the store thread, the history (alerts.db) on ONE worker thread, keychain reads and SSH
//    commands on an action pool, webhooks asynchronously with QNetworkAccessManager.
//  * alerts.json is re-read every reloadInterval (30 s: the CLI may have changed it) and at once
//    after setRules()/reload().
//  * When: every evaluateInterval (10 s), shortly after a monitored machine's samples arrive
//    (coalesced), and at once for StateChanged rules when a poll changes a machine's state.
//    Targets (machines and KEY=VALUE tags) are resolved from the inventory on reload and kept
//    current from StoreService::deltaApplied. NoData counts silence from start() at the
//    earliest, so the time the app was closed does not fire every NoData rule at start.
//  * Events: fired / renotify / resolved -> history + audit ("alert.fired", "alert.resolved"),
//    then the rule's actions (resolve: only Notify/Webhook with onResolve; renotify: only
//    Notify/Webhook, commands and lifecycle actions run once per firing); each action's
//    outcome -> history + audit ("alert.action"). A failing action never stops the others.
//    Never a secret in the history or the audit log (webhook URLs appear as scheme://host).
//  * The history is pruned daily (keepHistoryDays).
class AlertService : public QObject
{
    Q_OBJECT
public:
    template <typename T>
    using Callback = std::function<void(Result<T>)>;

    struct Options
    {
        QString rulesPath;     // alerts.json
        QString historyPath;   // alerts.db
        std::chrono::milliseconds evaluateInterval{10000};
        std::chrono::milliseconds reloadInterval{30000};     // alerts.json may change (the CLI)
        std::chrono::milliseconds afterSamplesDelay{1500};   // the store's flush comes first
        std::chrono::milliseconds pruneInterval{24 * 3600 * 1000};
        int keepHistoryDays = 90;
        int webhookBackoffMs = 1000;
        std::chrono::milliseconds commandTimeout{60000};
    };
    static Options defaultOptions(const DataLocation &location) { return defaultOptions(location.dir()); }
    static Options defaultOptions(const QString &dataDir);

    // `monitoring` and `actions` may be null (no metric rules / no lifecycle actions then).
    AlertService(StoreService *store, MonitoringService *monitoring, ActionRunner *actions, Options options,
                 QObject *parent = nullptr);
    ~AlertService() override;   // stop()

    // Opens the history (worker), then loads the rules and starts evaluating.
    void start();
    // Stops evaluating and waits for the history worker and running commands (at most one
    // command timeout). Webhooks in flight are dropped.
    void stop();
    bool isRunning() const { return m_running; }

    // Re-reads alerts.json (and the inventory) now.
    void reload();
    // One change to the rules, made on the worker to alerts.json as it is on disk (so an edit
    // made meanwhile, e.g. by `mist rules`, is kept), then saved and reloaded. done() gets the
    // rules as saved, or the change's or the file's error.
    using RulesChange = std::function<Status(AlertRuleBook &)>;
    void changeRules(RulesChange change, QObject *context, std::function<void(Result<AlertRuleBook>)> done);
    // Newest first; ruleId "" = every rule.
    void history(const QString &ruleId, int limit, QObject *context,
                 std::function<void(Result<QVector<AlertHistoryEntry>>)> done);
    // rule id -> machine id -> where it stands (targets evaluated at least once).
    QHash<QString, QHash<qint64, RuleState>> states() const { return m_states; }
    const AlertRuleBook &rules() const { return m_book; }
    // The rules window's "Test" button: runs one action as if the rule fired on its first
    // target (Command needs one; a Lifecycle action is only checked, never run). Not recorded
    // in the history; webhook and command tests are audited.
    void testAction(const AlertRule &rule, int actionIndex, QObject *context, std::function<void(Result<QString>)> done);

signals:
    // The UI shows it in the system tray.
    void notify(const QString &title, const QString &message, bool resolved);
    void historyAppended(const mist::AlertHistoryEntry &entry);
    void statesChanged();
    void rulesFailed(const mist::Error &error);   // alerts.json unreadable (the old rules stay)

private:
    struct Target
    {
        Machine machine;
        Cloud cloud;
    };
    struct Loaded;
    struct Outcome
    {
        bool success = true;
        QString message;
        QJsonObject details;   // audit details besides rule/action/success/message
    };

    void applyLoaded(const AlertRuleBook &book, const QVector<Machine> &machines, const QVector<Cloud> &clouds);
    void applyDelta(const InventoryDelta &delta);
    void resolveTargets();
    void evaluate(const QSet<qint64> &onlyMachines = {});
    void evaluateStates(const QSet<qint64> &machines);
    void applyEvaluation(const AlertRule &rule, qint64 machineId, const RuleEvaluation &e, bool &changed);
    void handleEvent(const AlertRule &rule, const Target &target, const RuleEvent &event);
    void runAction(const AlertRule &rule, const AlertAction &action, const Target &target, const AlertEventContext &ctx,
                   std::function<void(Outcome)> done, bool test = false);
    void runWebhook(const AlertRule &rule, const AlertAction &action, const AlertEventContext &ctx,
                    std::function<void(Outcome)> done);
    void runCommand(const AlertRule &rule, const AlertAction &action, const Target &target,
                    std::function<void(Outcome)> done);
    void runLifecycle(const AlertRule &rule, const AlertAction &action, const Target &target, bool test,
                      std::function<void(Outcome)> done);
    void record(const AlertHistoryEntry &entry, const Target &target, const QString &auditAction, const QJsonObject &details);
    void prune();
    const AlertRule *rule(const QString &id) const;

    QPointer<StoreService> m_store;
    QPointer<MonitoringService> m_monitoring;
    QPointer<ActionRunner> m_actions;
    Options m_options;
    std::shared_ptr<AlertHistory> m_history = std::make_shared<AlertHistory>();
    std::shared_ptr<bool> m_historyOpen = std::make_shared<bool>(false);   // worker thread only
    QThreadPool m_io;        // one thread: history, rules file writes
    QThreadPool m_work;      // keychain reads, SSH commands
    WebhookSender *m_webhooks;
    QTimer m_evaluateTimer, m_samplesTimer, m_pruneTimer, m_reloadTimer;
    bool m_running = false;
    qint64 m_startedMs = 0;   // NoData counts silence from here at the earliest (not the app's downtime)
    int m_generation = 0;   // bumps on stop(): late answers of an older run are ignored
    bool m_evaluating = false, m_evaluateAgain = false;
    QSet<qint64> m_sampledMachines;   // samples arrived, evaluation pending

    AlertRuleBook m_book;
    QHash<qint64, Machine> m_machines;
    QHash<qint64, Cloud> m_clouds;
    QHash<QString, QSet<qint64>> m_targets;      // enabled rule id -> machine ids
    QSet<qint64> m_metricTargets;                // machines some metric rule looks at
    QHash<QString, QHash<qint64, RuleState>> m_states;
    // Lifecycle actions handed to the ActionRunner: (machine, action) -> their callbacks.
    QHash<QPair<qint64, QString>, QVector<std::function<void(Outcome)>>> m_lifecycleWaiting;
};

} // namespace mist

Q_DECLARE_METATYPE(mist::AlertHistoryEntry)
