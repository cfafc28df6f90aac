#include "alerts/alertservice.h"

#include "alerts/alertcommand.h"
#include "alerts/alertruletext.h"
#include "alerts/webhooksender.h"
#include "monitoring/monitoringservice.h"
#include "polling/polljob.h"
#include "secrets/secretstore.h"
#include "services/actionrunner.h"
#include "services/storeservice.h"
#include "util/logging.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QJsonArray>

namespace mist {

namespace {

qint64 nowMs()
{
    return QDateTime::currentMSecsSinceEpoch();
}

QString eventName(RuleEvent::Kind k)
{
    switch (k) {
    case RuleEvent::Kind::Fired: return QStringLiteral("fired");
    case RuleEvent::Kind::Renotify: return QStringLiteral("renotify");
    case RuleEvent::Kind::Resolved: return QStringLiteral("resolved");
    }
    return {};
}

// An audit line about a rule (never a secret: callers pass safe details only).
AuditEntry alertAudit(const QString &actor, const QString &action, const Machine &machine, const AlertHistoryEntry &entry,
                      QJsonObject details)
{
    AuditEntry a;
    a.timestamp = QDateTime::fromMSecsSinceEpoch(entry.atMs, Qt::UTC);
    a.actor = actor;
    a.action = action;
    a.cloudId = machine.cloudId;
    a.machineId = machine.id;
    a.target = machine.name;
    a.success = entry.success;
    a.message = entry.message;
    a.details = std::move(details);
    a.details.insert(QStringLiteral("rule"), entry.ruleName);
    a.details.insert(QStringLiteral("rule_id"), entry.ruleId);
    if (!entry.action.isEmpty()) {
        a.details.insert(QStringLiteral("action"), entry.action);
        a.details.insert(QStringLiteral("success"), entry.success);
        a.details.insert(QStringLiteral("message"), entry.message);
    }
    return a;
}

bool readsMetrics(const AlertRule &r)
{
    return r.rule.condition.kind != RuleCondition::Kind::StateChanged;
}

} // namespace

struct AlertService::Loaded
{
    AlertRuleBook book;
    QVector<Machine> machines;
    QVector<Cloud> clouds;
};

AlertService::Options AlertService::defaultOptions(const QString &dataDir)
{
    Options o;
    o.rulesPath = AlertRuleBook::filePath(dataDir);
    o.historyPath = AlertHistory::filePath(dataDir);
    return o;
}

AlertService::AlertService(StoreService *store, MonitoringService *monitoring, ActionRunner *actions, Options options,
                           QObject *parent)
    : QObject(parent)
    , m_store(store)
    , m_monitoring(monitoring)
    , m_actions(actions)
    , m_options(std::move(options))
    , m_webhooks(new WebhookSender(this))
{
    qRegisterMetaType<mist::AlertHistoryEntry>();
    m_io.setMaxThreadCount(1);
    m_io.setExpiryTimeout(-1);
    m_work.setMaxThreadCount(4);
    m_webhooks->setBackoffBaseMs(m_options.webhookBackoffMs);
    connect(&m_evaluateTimer, &QTimer::timeout, this, [this] { evaluate(); });
    m_samplesTimer.setSingleShot(true);
    connect(&m_samplesTimer, &QTimer::timeout, this, [this] {
        const QSet<qint64> machines = std::exchange(m_sampledMachines, {});
        if (!machines.isEmpty())
            evaluate(machines);
    });
    connect(&m_pruneTimer, &QTimer::timeout, this, &AlertService::prune);
    connect(&m_reloadTimer, &QTimer::timeout, this, &AlertService::reload);
    if (store)
        connect(store, &StoreService::deltaApplied, this, &AlertService::applyDelta);
    if (monitoring) {
        connect(monitoring, &MonitoringService::samplesCollected, this, [this](qint64 machineId) {
            if (!m_running)
                return;
            // Only machines a metric rule looks at; one evaluation per burst of rounds.
            if (!m_metricTargets.contains(machineId))
                return;
            m_sampledMachines.insert(machineId);
            if (!m_samplesTimer.isActive())
                m_samplesTimer.start(m_options.afterSamplesDelay);
        });
    }
    if (actions) {
        connect(actions, &ActionRunner::actionFinished, this,
                [this](qint64 machineId, const QString &action, bool success, const QString &message) {
                    auto it = m_lifecycleWaiting.find({machineId, action});
                    if (it == m_lifecycleWaiting.end() || it->isEmpty())
                        return;
                    auto done = it->takeFirst();
                    if (it->isEmpty())
                        m_lifecycleWaiting.erase(it);
                    done(Outcome{success, message, {}});
                });
    }
}

AlertService::~AlertService()
{
    stop();
}

void AlertService::start()
{
    if (m_running)
        return;
    QPointer<AlertService> self(this);
    const int generation = m_generation;
    auto history = m_history;
    auto open = m_historyOpen;
    const QString path = m_options.historyPath;
    const qint64 keepMs = qint64(m_options.keepHistoryDays) * 24 * 3600 * 1000;
    m_io.start([self, generation, history, open, path, keepMs] {
        Status s = history->open(path);
        *open = s.ok();
        if (s)
            s = history->prune(nowMs() - keepMs);
        if (!s)
            qCWarning(lcAlerts) << "alert history:" << s.error().toString();
        QMetaObject::invokeMethod(self, [self, generation] {
            if (!self || generation != self->m_generation)
                return;
            self->m_running = true;
            self->m_startedMs = nowMs();
            self->m_evaluateTimer.start(self->m_options.evaluateInterval);
            self->m_pruneTimer.start(self->m_options.pruneInterval);
            self->m_reloadTimer.start(self->m_options.reloadInterval);
            self->reload();
        }, Qt::QueuedConnection);
    });
}

void AlertService::stop()
{
    ++m_generation;
    m_running = false;
    m_evaluateTimer.stop();
    m_samplesTimer.stop();
    m_pruneTimer.stop();
    m_reloadTimer.stop();
    m_evaluating = false;
    m_work.clear();   // commands and webhooks not started yet are dropped, not waited for
    m_work.waitForDone();
    // The history closes on its own thread (SQLite connections stay on one thread).
    m_io.start([history = std::exchange(m_history, std::make_shared<AlertHistory>()), open = m_historyOpen]() mutable {
        *open = false;
        history.reset();
    });
    m_io.waitForDone();
    m_historyOpen = std::make_shared<bool>(false);
    m_lifecycleWaiting.clear();
}

void AlertService::reload()
{
    if (!m_running || !m_store)
        return;
    const QString path = m_options.rulesPath;
    const int generation = m_generation;
    // Small reads on the store thread, as MonitoringService::reload does: no IO on the GUI thread.
    m_store->call<Loaded>(
        this,
        [path](InventoryStore &store) -> Result<Loaded> {
            auto book = AlertRuleBook::load(path);
            if (!book)
                return book.error();
            auto machines = store.machines();
            if (!machines)
                return machines.error();
            auto clouds = store.clouds();
            if (!clouds)
                return clouds.error();
            return Loaded{std::move(book).value(), std::move(machines).value(), std::move(clouds).value()};
        },
        [this, generation](Result<Loaded> loaded) {
            if (generation != m_generation)
                return;
            if (!loaded) {
                qCWarning(lcAlerts) << "alert rules:" << loaded.error().toString();
                emit rulesFailed(loaded.error());
                return;
            }
            applyLoaded(loaded->book, loaded->machines, loaded->clouds);
        });
}

void AlertService::changeRules(RulesChange change, QObject *context, std::function<void(Result<AlertRuleBook>)> done)
{
    QPointer<AlertService> self(this);
    QPointer<QObject> ctx(context ? context : this);
    const QString path = m_options.rulesPath;
    m_io.start([self, change, path, ctx, done] {
        Result<AlertRuleBook> book = AlertRuleBook::load(path);
        if (book) {
            if (Status changed = change(book.value()); !changed)
                book = changed.error();
            else if (Status saved = book->save(path); !saved)
                book = saved.error();
        }
        QMetaObject::invokeMethod(self, [self, book, ctx, done] {
            if (!self)
                return;
            if (book)
                self->reload();
            if (ctx && done)
                done(book);
        }, Qt::QueuedConnection);
    });
}

void AlertService::history(const QString &ruleId, int limit, QObject *context,
                           std::function<void(Result<QVector<AlertHistoryEntry>>)> done)
{
    QPointer<QObject> ctx(context ? context : this);
    auto history = m_history;
    auto open = m_historyOpen;
    m_io.start([history, open, ruleId, limit, ctx, done] {
        Result<QVector<AlertHistoryEntry>> r = *open ? history->recent(ruleId, limit)
                                                     : Result<QVector<AlertHistoryEntry>>(Error{tr("The alert history is not open."), {}});
        if (!ctx || !done)
            return;
        QMetaObject::invokeMethod(ctx.data(), [ctx, done, r] {
            if (ctx)
                done(r);
        }, Qt::QueuedConnection);
    });
}

const AlertRule *AlertService::rule(const QString &id) const
{
    for (const AlertRule &r : m_book.rules()) {
        if (r.rule.id == id)
            return &r;
    }
    return nullptr;
}

void AlertService::applyLoaded(const AlertRuleBook &book, const QVector<Machine> &machines, const QVector<Cloud> &clouds)
{
    // An edited rule starts over: its old state belongs to another condition.
    bool reset = false;
    for (const AlertRule &r : book.rules()) {
        const AlertRule *old = rule(r.rule.id);
        if (old && AlertRuleBook::toJson(*old) != AlertRuleBook::toJson(r))
            reset = m_states.remove(r.rule.id) > 0 || reset;
    }
    if (reset)
        emit statesChanged();
    m_book = book;
    m_machines.clear();
    for (const Machine &m : machines)
        m_machines.insert(m.id, m);
    m_clouds.clear();
    for (const Cloud &c : clouds)
        m_clouds.insert(c.id, c);
    resolveTargets();
    evaluate();
}

void AlertService::resolveTargets()
{
    QHash<QString, QSet<qint64>> targets;
    QSet<qint64> metricTargets;
    for (const AlertRule &r : m_book.rules()) {
        if (!r.rule.enabled)
            continue;
        QSet<qint64> &ids = targets[r.rule.id];
        for (auto it = m_machines.cbegin(); it != m_machines.cend(); ++it) {
            if (r.targets(it.value()))
                ids.insert(it.key());
        }
        if (readsMetrics(r))
            metricTargets.unite(ids);
    }
    m_targets = std::move(targets);
    m_metricTargets = std::move(metricTargets);
    // States of rules and machines no longer targeted go (a disabled rule starts over).
    bool changed = false;
    for (auto it = m_states.begin(); it != m_states.end();) {
        const QSet<qint64> ids = m_targets.value(it.key());
        for (auto m = it->begin(); m != it->end();) {
            if (ids.contains(m.key())) {
                ++m;
            } else {
                m = it->erase(m);
                changed = true;
            }
        }
        it = it->isEmpty() ? m_states.erase(it) : std::next(it);
    }
    if (changed)
        emit statesChanged();
}

void AlertService::applyDelta(const InventoryDelta &d)
{
    if (!m_running)
        return;
    bool membership = !d.machinesAdded.isEmpty() || !d.machinesRemoved.isEmpty() || !d.cloudsRemoved.isEmpty();
    QSet<qint64> stateChanged;
    for (const Cloud &c : d.cloudsChanged)
        m_clouds.insert(c.id, c);
    for (qint64 cloudId : d.cloudsRemoved) {
        m_clouds.remove(cloudId);
        for (auto it = m_machines.begin(); it != m_machines.end();)
            it = it->cloudId == cloudId ? m_machines.erase(it) : std::next(it);
    }
    for (const Machine &m : d.machinesAdded) {
        m_machines.insert(m.id, m);
        stateChanged.insert(m.id);   // first look for StateChanged rules
    }
    for (const Machine &m : d.machinesChanged) {
        auto it = m_machines.find(m.id);
        if (it == m_machines.end()) {
            membership = true;
        } else {
            membership = membership || it->providerTags != m.providerTags || it->userTags != m.userTags;
            if (it->state != m.state)
                stateChanged.insert(m.id);
        }
        m_machines.insert(m.id, m);
    }
    for (qint64 id : d.machinesRemoved)
        m_machines.remove(id);
    if (membership)
        resolveTargets();
    if (!stateChanged.isEmpty())
        evaluateStates(stateChanged);
}

void AlertService::evaluateStates(const QSet<qint64> &machines)
{
    const qint64 now = nowMs();
    bool changed = false;
    const QVector<AlertRule> rules = m_book.rules();   // actions may reload the book meanwhile
    for (const AlertRule &r : rules) {
        if (readsMetrics(r))
            continue;
        for (qint64 id : m_targets.value(r.rule.id)) {
            if (!machines.isEmpty() && !machines.contains(id))
                continue;
            const RuleInput input({}, 0, m_machines.value(id).state);
            applyEvaluation(r, id, RuleEngine::evaluate(r.rule, m_states.value(r.rule.id).value(id), input, now), changed);
        }
    }
    if (changed)
        emit statesChanged();
}

void AlertService::evaluate(const QSet<qint64> &onlyMachines)
{
    if (!m_running)
        return;
    evaluateStates(onlyMachines);
    if (m_evaluating) {
        if (onlyMachines.isEmpty())
            m_evaluateAgain = true;
        else {
            m_sampledMachines.unite(onlyMachines);
            m_samplesTimer.start(m_options.afterSamplesDelay);
        }
        return;
    }
    const qint64 now = nowMs();
    QVector<RuleInputRequest> requests;
    QVector<std::pair<QString, qint64>> keys;
    for (const AlertRule &r : m_book.rules()) {
        if (!readsMetrics(r))
            continue;
        const RuleCondition &c = r.rule.condition;
        for (qint64 id : m_targets.value(r.rule.id)) {
            if (!onlyMachines.isEmpty() && !onlyMachines.contains(id))
                continue;
            // NoData only needs the latest sample's time, not a window.
            requests.append({id, c.metric, c.label, c.kind == RuleCondition::Kind::NoData ? 1 : c.windowMs});
            keys.append({r.rule.id, id});
        }
    }
    if (requests.isEmpty())
        return;
    if (!m_monitoring) {
        qCDebug(lcAlerts) << "no monitoring service: metric rules are not evaluated";
        return;
    }
    m_evaluating = true;
    const int generation = m_generation;
    m_monitoring->ruleInputs(requests, now, this, [this, generation, keys, now](Result<QVector<RuleInput>> inputs) {
        if (generation != m_generation)
            return;
        m_evaluating = false;
        if (!inputs) {
            // E.g. the metrics store did not open: the rules wait (NoData must not fire for that).
            qCDebug(lcAlerts) << "rule inputs:" << inputs.error().toString();
        } else {
            bool changed = false;
            for (int i = 0; i < keys.size() && i < inputs->size(); ++i) {
                const AlertRule *r = rule(keys[i].first);
                if (!r || !r->rule.enabled || !m_targets.value(r->rule.id).contains(keys[i].second))
                    continue;   // the rules or targets changed meanwhile
                const AlertRule copy = *r;
                RuleInput input = inputs->at(i);
                // Samples stop while the app is closed: that silence is not the machine's.
                if (copy.rule.condition.kind == RuleCondition::Kind::NoData)
                    input.lastSampleMs = std::max(input.lastSampleMs, m_startedMs);
                applyEvaluation(copy, keys[i].second,
                                RuleEngine::evaluate(copy.rule, m_states.value(copy.rule.id).value(keys[i].second), input, now),
                                changed);
            }
            if (changed)
                emit statesChanged();
        }
        if (std::exchange(m_evaluateAgain, false))
            evaluate();
    });
}

void AlertService::applyEvaluation(const AlertRule &rule, qint64 machineId, const RuleEvaluation &e, bool &changed)
{
    RuleState &st = m_states[rule.rule.id][machineId];
    changed = changed || st.status != e.state.status;
    st = e.state;
    if (e.event)
        handleEvent(rule, Target{m_machines.value(machineId), m_clouds.value(m_machines.value(machineId).cloudId)}, *e.event);
}

void AlertService::handleEvent(const AlertRule &rule, const Target &target, const RuleEvent &event)
{
    const bool resolved = event.kind == RuleEvent::Kind::Resolved;
    qCInfo(lcAlerts) << eventName(event.kind) << rule.rule.name << "on" << target.machine.name << event.message;
    AlertHistoryEntry h;
    h.atMs = event.atMs;
    h.ruleId = rule.rule.id;
    h.ruleName = rule.rule.name;
    h.machineId = target.machine.id;
    h.machineName = target.machine.name;
    h.event = eventName(event.kind);
    h.message = event.message;
    QJsonObject details{{QStringLiteral("event"), h.event}};
    if (event.value)
        details.insert(QStringLiteral("value"), *event.value);
    record(h, target, resolved ? QStringLiteral("alert.resolved") : QStringLiteral("alert.fired"), details);

    const AlertEventContext ctx{rule.rule.id, rule.rule.name, target.machine.id, target.machine.name, resolved,
                                event.value, event.message, event.atMs};
    for (const AlertAction &action : rule.actions) {
        // Resolves reach only messages that asked for them; re-notifying repeats messages and
        // does not run commands or reboot machines again.
        const bool message = action.kind == AlertAction::Kind::Notify || action.kind == AlertAction::Kind::Webhook;
        if ((resolved && !(message && action.onResolve)) || (event.kind == RuleEvent::Kind::Renotify && !message))
            continue;
        AlertHistoryEntry a = h;
        a.event = QStringLiteral("action");
        a.action = AlertRuleText::actionKindName(action.kind);
        runAction(rule, action, target, ctx, [this, a, target](Outcome o) mutable {
            a.atMs = nowMs();
            a.success = o.success;
            a.message = o.message;
            record(a, target, QStringLiteral("alert.action"), o.details);
        });
    }
}

void AlertService::runAction(const AlertRule &rule, const AlertAction &action, const Target &target,
                             const AlertEventContext &ctx, std::function<void(Outcome)> done, bool test)
{
    switch (action.kind) {
    case AlertAction::Kind::Notify: {
        const QString title = ctx.resolved ? tr("Resolved: %1 on %2").arg(ctx.ruleName, ctx.machineName)
                                           : tr("%1 on %2").arg(ctx.ruleName, ctx.machineName);
        emit notify(title, ctx.message, ctx.resolved);
        done(Outcome{true, tr("Desktop notification shown"), {}});
        return;
    }
    case AlertAction::Kind::Webhook:
        runWebhook(rule, action, ctx, std::move(done));
        return;
    case AlertAction::Kind::Command:
        runCommand(rule, action, target, std::move(done));
        return;
    case AlertAction::Kind::Lifecycle:
        runLifecycle(rule, action, target, test, std::move(done));
        return;
    }
}

void AlertService::runWebhook(const AlertRule &, const AlertAction &action, const AlertEventContext &ctx,
                              std::function<void(Outcome)> done)
{
    QPointer<AlertService> self(this);
    const int generation = m_generation;
    // Secret headers come from the keychain: a worker, then the request goes out from here.
    m_work.start([self, generation, action, ctx, done] {
        SecretStore secrets;
        Result<WebhookRequest> request = WebhookSender::prepare(action, ctx, secrets);
        QMetaObject::invokeMethod(self, [self, generation, request, done] {
            if (!self || generation != self->m_generation)
                return;
            if (!request) {
                done(Outcome{false, request.error().toString(), {}});
                return;
            }
            const QString target = request->safeTarget();
            self->m_webhooks->send(request.value(), self, [done, target](Result<WebhookDelivery> r) {
                QJsonObject details{{QStringLiteral("webhook"), target}};
                if (r) {
                    details.insert(QStringLiteral("attempts"), r->attempts);
                    details.insert(QStringLiteral("http_status"), r->httpStatus);
                }
                done(Outcome{r.ok(), r ? r->message : r.error().toString(), details});
            });
        }, Qt::QueuedConnection);
    });
}

void AlertService::runCommand(const AlertRule &rule, const AlertAction &action, const Target &target,
                              std::function<void(Outcome)> done)
{
    QPointer<AlertService> self(this);
    QPointer<StoreService> store = m_store;
    const int generation = m_generation;
    const qint64 machineId = target.machine.id;
    const QString actor = QStringLiteral("alert:") + rule.rule.name;
    const std::chrono::milliseconds timeout = m_options.commandTimeout;
    const QString command = action.command;
    m_work.start([self, generation, store, machineId, command, actor, timeout, done] {
        const Result<AlertCommandOutcome> r = AlertCommand::run(store, machineId, command, actor, timeout);
        QMetaObject::invokeMethod(self, [self, generation, r, command, done] {
            if (!self || generation != self->m_generation)
                return;
            QJsonObject details{{QStringLiteral("command"), command}};
            if (!r) {
                done(Outcome{false, r.error().toString(), details});
                return;
            }
            details.insert(QStringLiteral("exit_status"), r->exitStatus);
            done(Outcome{r->exitStatus == 0, r->summary, details});
        }, Qt::QueuedConnection);
    });
}

void AlertService::runLifecycle(const AlertRule &rule, const AlertAction &action, const Target &target, bool test,
                                std::function<void(Outcome)> done)
{
    const QString what = action.lifecycleAction;
    const QJsonObject details{{QStringLiteral("lifecycle_action"), what}};
    if (what.isEmpty()) {
        done(Outcome{false, tr("The rule's lifecycle action names no action."), details});
        return;
    }
    if (Action::isDestructive(what) && !action.allowDestructive) {
        done(Outcome{false, tr("%1 was refused: it is destructive and the rule does not allow destructive actions.")
                                .arg(Action::title(what)),
                     details});
        return;
    }
    if (!m_store) {
        done(Outcome{false, tr("The inventory is not available."), details});
        return;
    }
    // The machine as it is now (its state decides what is allowed), from the store thread.
    const qint64 machineId = target.machine.id;
    const QString actor = QStringLiteral("alert:") + rule.rule.name;
    m_store->call<Target>(
        this,
        [machineId](InventoryStore &store) -> Result<Target> {
            auto m = store.machine(machineId);
            if (!m)
                return m.error();
            auto c = store.cloud(m->cloudId);
            if (!c)
                return c.error();
            return Target{m.value(), c.value()};
        },
        [this, what, test, actor, details, done](Result<Target> t) {
            if (!t) {
                done(Outcome{false, t.error().toString(), details});
                return;
            }
            if (!ProviderCall::allowedActions(t->cloud, t->machine).contains(what)) {
                done(Outcome{false, tr("%1 is not possible on %2 while it is %3.")
                                        .arg(Action::title(what), t->machine.name, t->machine.state),
                             details});
                return;
            }
            if (test) {
                done(Outcome{true, tr("%1 is possible on %2 now (a test does not run it).").arg(Action::title(what), t->machine.name),
                             details});
                return;
            }
            if (!m_actions) {
                done(Outcome{false, tr("Lifecycle actions are not available here."), details});
                return;
            }
            m_lifecycleWaiting[{t->machine.id, what}].append([done, details](Outcome o) {
                o.details = details;
                done(o);
            });
            m_actions->run(t->cloud, t->machine, ActionRequest{what, {}}, actor);
        });
}

void AlertService::record(const AlertHistoryEntry &entry, const Target &target, const QString &auditAction,
                          const QJsonObject &details)
{
    emit historyAppended(entry);
    auto history = m_history;
    auto open = m_historyOpen;
    m_io.start([history, open, entry] {
        if (!*open)
            return;
        if (Status s = history->append(entry); !s)
            qCWarning(lcAlerts) << "alert history write failed:" << s.error().toString();
    });
    if (m_store)
        m_store->appendAudit(alertAudit(QStringLiteral("alert:") + entry.ruleName, auditAction, target.machine, entry, details));
}

void AlertService::prune()
{
    auto history = m_history;
    auto open = m_historyOpen;
    const qint64 before = nowMs() - qint64(m_options.keepHistoryDays) * 24 * 3600 * 1000;
    m_io.start([history, open, before] {
        if (*open) {
            if (Status s = history->prune(before); !s)
                qCWarning(lcAlerts) << "alert history pruning failed:" << s.error().toString();
        }
    });
}

void AlertService::testAction(const AlertRule &rule, int actionIndex, QObject *context,
                              std::function<void(Result<QString>)> done)
{
    QPointer<QObject> ctx(context ? context : this);
    auto answer = [ctx, done](Result<QString> r) {
        if (ctx && done)
            done(std::move(r));
    };
    if (actionIndex < 0 || actionIndex >= rule.actions.size()) {
        answer(Error{tr("The rule has no such action."), {}});
        return;
    }
    const AlertAction action = rule.actions.at(actionIndex);
    // As if the rule fired on its first target (by name, so the choice is stable).
    std::optional<Target> target;
    for (const Machine &m : std::as_const(m_machines)) {
        if (rule.targets(m) && (!target || m.name < target->machine.name))
            target = Target{m, m_clouds.value(m.cloudId)};
    }
    const bool needsMachine = action.kind == AlertAction::Kind::Command || action.kind == AlertAction::Kind::Lifecycle;
    if (needsMachine && !target) {
        answer(Error{tr("The rule targets no machine yet, so this action has nothing to run on."), {}});
        return;
    }
    if (!target) {
        target = Target{};
        target->machine.name = tr("(no machine)");
    }
    const qint64 now = nowMs();
    const AlertEventContext ev{rule.rule.id, rule.rule.name, target->machine.id, target->machine.name, false, 0.0,
                               tr("%1: a test of this alert's action").arg(rule.rule.name), now};
    const bool audited = action.kind == AlertAction::Kind::Webhook || action.kind == AlertAction::Kind::Command;
    AlertHistoryEntry entry;
    entry.atMs = now;
    entry.ruleId = rule.rule.id;
    entry.ruleName = rule.rule.name;
    entry.action = AlertRuleText::actionKindName(action.kind);
    const Target t = *target;
    QPointer<AlertService> self(this);
    runAction(rule, action, t, ev, [self, answer, audited, entry, t](Outcome o) mutable {
        if (audited && self && self->m_store) {
            entry.atMs = nowMs();
            entry.success = o.success;
            entry.message = o.message;
            o.details.insert(QStringLiteral("test"), true);
            self->m_store->appendAudit(alertAudit(QStringLiteral("user"), QStringLiteral("alert.action"), t.machine, entry, o.details));
        }
        answer(o.success ? Result<QString>(o.message) : Result<QString>(Error{o.message, {}}));
    }, true);
}

} // namespace mist
