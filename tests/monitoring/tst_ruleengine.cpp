// Rule evaluation, table-driven: each row is a rule and a sequence of evaluations (time, the
// window's values, last sample) with the expected state and event after each one.

#include "monitoring/ruleengine.h"

#include <QtTest>

#include <cmath>

using namespace mist;

namespace {

using RS = RuleState::Status;
using Kind = RuleEvent::Kind;

struct Step
{
    qint64 t;                 // seconds
    QList<double> window;     // values in the window (empty: no data in it)
    qint64 lastSample;        // seconds, -1 = never
    RS expect;
    int event;                // -1 none, else int(RuleEvent::Kind)
};
using Steps = QVector<Step>;

constexpr qint64 kBase = 1764000000000LL;
constexpr int None = -1;
constexpr int Fired = int(Kind::Fired);
constexpr int Renotify = int(Kind::Renotify);
constexpr int Resolved = int(Kind::Resolved);

Rule threshold(RuleCondition::Aggregate agg, RuleCondition::Compare cmp, double t, qint64 forS, qint64 renotifyS = 0, qint64 cooldownS = 0)
{
    Rule r;
    r.id = QStringLiteral("r1");
    r.name = QStringLiteral("High CPU");
    r.condition.metric = QStringLiteral("cpu.percent");
    r.condition.aggregate = agg;
    r.condition.compare = cmp;
    r.condition.threshold = t;
    r.condition.windowMs = 300000;
    r.condition.forMs = forS * 1000;
    r.renotifyMs = renotifyS * 1000;
    r.cooldownMs = cooldownS * 1000;
    return r;
}

Rule noData(qint64 forS)
{
    Rule r = threshold(RuleCondition::Aggregate::Last, RuleCondition::Compare::Greater, 0, forS);
    r.name = QStringLiteral("Silent");
    r.condition.kind = RuleCondition::Kind::NoData;
    return r;
}

} // namespace

Q_DECLARE_METATYPE(Steps)
Q_DECLARE_METATYPE(Rule)

class TestRuleEngine : public QObject
{
    Q_OBJECT

private slots:
    void evaluate_data()
    {
        using A = RuleCondition::Aggregate;
        using C = RuleCondition::Compare;
        QTest::addColumn<Rule>("rule");
        QTest::addColumn<Steps>("steps");

        QTest::newRow("fires at once without a duration, resolves")
            << threshold(A::Avg, C::Greater, 90, 0)
            << Steps{{0, {50, 60}, 0, RS::Ok, None},
                     {10, {95, 97}, 10, RS::Firing, Fired},
                     {20, {96}, 20, RS::Firing, None},
                     {30, {80, 99}, 30, RS::Ok, Resolved},    // avg 89.5: not above 90
                     {40, {10}, 40, RS::Ok, None}};
        QTest::newRow("held for a duration")
            << threshold(A::Avg, C::Greater, 90, 60)
            << Steps{{0, {95}, 0, RS::Pending, None},
                     {30, {95}, 30, RS::Pending, None},
                     {59, {95}, 59, RS::Pending, None},
                     {60, {95}, 60, RS::Firing, Fired}};
        QTest::newRow("pending interrupted starts over")
            << threshold(A::Avg, C::Greater, 90, 60)
            << Steps{{0, {95}, 0, RS::Pending, None},
                     {40, {20}, 40, RS::Ok, None},           // no event: it never fired
                     {50, {95}, 50, RS::Pending, None},
                     {100, {95}, 100, RS::Pending, None},
                     {110, {95}, 110, RS::Firing, Fired}};
        QTest::newRow("max min last")
            << threshold(A::Max, C::GreaterOrEqual, 100, 0)
            << Steps{{0, {1, 100, 2}, 0, RS::Firing, Fired}, {10, {1, 99.9}, 10, RS::Ok, Resolved}};
        QTest::newRow("min below")
            << threshold(A::Min, C::Less, 5, 0)
            << Steps{{0, {10, 6, 50}, 0, RS::Ok, None}, {10, {10, 4}, 10, RS::Firing, Fired}};
        QTest::newRow("last at or below")
            << threshold(A::Last, C::LessOrEqual, 5, 0)
            << Steps{{0, {1, 2, 9}, 0, RS::Ok, None}, {10, {9, 2, 5}, 10, RS::Firing, Fired}};
        QTest::newRow("empty window keeps the state")
            << threshold(A::Avg, C::Greater, 90, 0)
            << Steps{{0, {95}, 0, RS::Firing, Fired}, {10, {}, 0, RS::Firing, None}, {20, {1}, 20, RS::Ok, Resolved}};
        QTest::newRow("renotify while firing")
            << threshold(A::Avg, C::Greater, 90, 0, 60)
            << Steps{{0, {95}, 0, RS::Firing, Fired},
                     {30, {95}, 30, RS::Firing, None},
                     {60, {95}, 60, RS::Firing, Renotify},
                     {90, {95}, 90, RS::Firing, None},
                     {120, {95}, 120, RS::Firing, Renotify},
                     {130, {5}, 130, RS::Ok, Resolved}};
        QTest::newRow("cooldown holds back a flapping rule")
            << threshold(A::Avg, C::Greater, 90, 0, 0, 120)
            << Steps{{0, {95}, 0, RS::Firing, Fired},
                     {10, {5}, 10, RS::Ok, Resolved},
                     {20, {95}, 20, RS::Firing, None},        // within 120 s of the resolve
                     {30, {5}, 30, RS::Ok, None},             // never announced: no resolve either
                     {40, {95}, 40, RS::Firing, None},
                     {149, {95}, 149, RS::Firing, None},
                     {150, {95}, 150, RS::Firing, Fired}};    // 120 s after the (silent) resolve at t=30
        QTest::newRow("no data after samples stop")
            << noData(60)
            << Steps{{0, {}, 0, RS::Ok, None},
                     {50, {}, 0, RS::Ok, None},
                     {60, {}, 0, RS::Firing, Fired},
                     {70, {}, 0, RS::Firing, None},
                     {80, {}, 75, RS::Ok, Resolved}};
        QTest::newRow("no data, never any sample")
            << noData(60)
            << Steps{{0, {}, -1, RS::Pending, None},
                     {30, {}, -1, RS::Pending, None},
                     {60, {}, -1, RS::Firing, Fired},
                     {90, {}, -1, RS::Firing, None},
                     {100, {}, 95, RS::Ok, Resolved}};
    }

    void evaluate()
    {
        QFETCH(Rule, rule);
        QFETCH(Steps, steps);
        RuleState state;
        for (const Step &s : steps) {
            RuleInput in;
            // Times start at kBase so a sample at t=0 is not "never" (0).
            const qint64 now = kBase + s.t * 1000;
            for (int i = 0; i < s.window.size(); ++i)
                in.window.append(TimePoint::raw(now - (s.window.size() - i) * 1000, s.window[i]));
            in.lastSampleMs = s.lastSample < 0 ? 0 : kBase + s.lastSample * 1000;
            const RuleEvaluation e = RuleEngine::evaluate(rule, state, in, now);
            const QByteArray where = "at t=" + QByteArray::number(s.t);
            QVERIFY2(e.state.status == s.expect, where + " status " + QByteArray::number(int(e.state.status)));
            QVERIFY2((e.event ? int(e.event->kind) : None) == s.event,
                     where + " event " + QByteArray::number(e.event ? int(e.event->kind) : None));
            if (e.event) {
                QCOMPARE(e.event->atMs, now);
                QVERIFY(e.event->message.contains(rule.name));
            }
            state = e.state;
        }
    }

    // StateChanged: each step is (t, the machine's state now, expected status, event).
    void stateChanged_data()
    {
        QTest::addColumn<Rule>("rule");
        QTest::addColumn<QStringList>("states");
        QTest::addColumn<QList<int>>("expect");   // status * 10 + (event + 1)
        auto rule = [](const QString &to, qint64 forS = 0, qint64 renotifyS = 0, qint64 cooldownS = 0) {
            Rule r;
            r.id = QStringLiteral("s1");
            r.name = QStringLiteral("Machine down");
            r.condition.kind = RuleCondition::Kind::StateChanged;
            r.condition.toState = to;
            r.condition.forMs = forS * 1000;
            r.renotifyMs = renotifyS * 1000;
            r.cooldownMs = cooldownS * 1000;
            return r;
        };
        auto x = [](RS st, int ev) { return int(st) * 10 + ev + 1; };
        // Steps are 10 s apart.
        QTest::newRow("into a state fires, leaving it resolves")
            << rule(QStringLiteral("stopped")) << QStringList{"running", "running", "stopped", "stopped", "running"}
            << QList<int>{x(RS::Ok, None), x(RS::Ok, None), x(RS::Firing, Fired), x(RS::Firing, None), x(RS::Ok, Resolved)};
        QTest::newRow("already in the state at the first look: no change, no event")
            << rule(QStringLiteral("stopped")) << QStringList{"stopped", "stopped", "running", "stopped"}
            << QList<int>{x(RS::Ok, None), x(RS::Ok, None), x(RS::Ok, None), x(RS::Firing, Fired)};
        QTest::newRow("other changes do not fire")
            << rule(QStringLiteral("stopped")) << QStringList{"running", "paused", "error", "running"}
            << QList<int>{x(RS::Ok, None), x(RS::Ok, None), x(RS::Ok, None), x(RS::Ok, None)};
        QTest::newRow("held for a duration")
            << rule(QStringLiteral("error"), 20) << QStringList{"running", "error", "error", "error", "running"}
            << QList<int>{x(RS::Ok, None), x(RS::Pending, None), x(RS::Pending, None), x(RS::Firing, Fired), x(RS::Ok, Resolved)};
        QTest::newRow("back before the duration: never fires")
            << rule(QStringLiteral("error"), 20) << QStringList{"running", "error", "running", "running"}
            << QList<int>{x(RS::Ok, None), x(RS::Pending, None), x(RS::Ok, None), x(RS::Ok, None)};
        QTest::newRow("renotify while in the state")
            << rule(QStringLiteral("stopped"), 0, 20) << QStringList{"running", "stopped", "stopped", "stopped", "stopped"}
            << QList<int>{x(RS::Ok, None), x(RS::Firing, Fired), x(RS::Firing, None), x(RS::Firing, Renotify), x(RS::Firing, None)};
        QTest::newRow("unknown state changes nothing")
            << rule(QStringLiteral("stopped")) << QStringList{"running", "", "stopped", "", "running"}
            << QList<int>{x(RS::Ok, None), x(RS::Ok, None), x(RS::Firing, Fired), x(RS::Firing, None), x(RS::Ok, Resolved)};
        QTest::newRow("any change: every change fires, momentarily")
            << rule(QString()) << QStringList{"running", "running", "stopped", "stopped", "running", "paused"}
            << QList<int>{x(RS::Ok, None), x(RS::Ok, None), x(RS::Firing, Fired), x(RS::Ok, None), x(RS::Firing, Fired),
                          x(RS::Firing, Fired)};
        QTest::newRow("any change with a cooldown: at most one event per cooldown")
            << rule(QString(), 0, 0, 60)
            << QStringList{"running", "stopped", "running", "stopped", "stopped", "stopped", "stopped", "running"}
            // t=10 fires; the changes at t=20 and t=30 are held back (within 60 s of it) and end
            // silently; the change at t=70 is 60 s after the last event: announced.
            << QList<int>{x(RS::Ok, None), x(RS::Firing, Fired), x(RS::Firing, None), x(RS::Firing, None), x(RS::Ok, None),
                          x(RS::Ok, None), x(RS::Ok, None), x(RS::Firing, Fired)};
    }

    void stateChanged()
    {
        QFETCH(Rule, rule);
        QFETCH(QStringList, states);
        QFETCH(QList<int>, expect);
        QCOMPARE(states.size(), expect.size());
        QVERIFY(RuleEngine::validate(rule, {}).ok());
        RuleState state;
        for (int i = 0; i < states.size(); ++i) {
            RuleInput in;
            in.state = states[i];
            const qint64 now = kBase + i * 10000;
            const RuleEvaluation e = RuleEngine::evaluate(rule, state, in, now);
            const int got = int(e.state.status) * 10 + (e.event ? int(e.event->kind) : None) + 1;
            QVERIFY2(got == expect[i], QByteArray("step ") + QByteArray::number(i) + " got " + QByteArray::number(got)
                                           + " expected " + QByteArray::number(expect[i]));
            if (e.event && e.event->kind == Kind::Fired)
                QVERIFY2(e.event->message.contains(QLatin1String("to ") + states[i]), qPrintable(e.event->message));
            state = e.state;
        }
    }

    void disabledResolvesSilently()
    {
        Rule r = threshold(RuleCondition::Aggregate::Avg, RuleCondition::Compare::Greater, 90, 0);
        RuleInput hot{{TimePoint::raw(0, 99)}, 1};
        RuleEvaluation e = RuleEngine::evaluate(r, {}, hot, 1000);
        QCOMPARE(e.state.status, RS::Firing);
        r.enabled = false;
        e = RuleEngine::evaluate(r, e.state, hot, 2000);
        QCOMPARE(e.state.status, RS::Ok);
        QVERIFY(!e.event);
    }

    void messageNamesValueAndThreshold()
    {
        Rule r = threshold(RuleCondition::Aggregate::Max, RuleCondition::Compare::Greater, 90, 0);
        r.condition.label = QStringLiteral("cpu3");
        const RuleEvaluation e = RuleEngine::evaluate(r, {}, RuleInput{{TimePoint::raw(0, 97.25)}, 1}, 1000);
        QVERIFY(e.event);
        QVERIFY2(e.event->message.contains(QLatin1String("97.25")), qPrintable(e.event->message));
        QVERIFY(e.event->message.contains(QLatin1String("cpu.percent{cpu3}")));
        QVERIFY(e.event->message.contains(QLatin1String("> 90")));
        QCOMPARE(e.value.value(), 97.25);
    }

    void validate_data()
    {
        QTest::addColumn<Rule>("rule");
        QTest::addColumn<QString>("unit");
        QTest::addColumn<bool>("ok");
        using A = RuleCondition::Aggregate;
        using C = RuleCondition::Compare;
        QTest::newRow("fine") << threshold(A::Avg, C::Greater, 90, 60) << QStringLiteral("%") << true;
        QTest::newRow("above 100 %") << threshold(A::Avg, C::Greater, 150, 60) << QStringLiteral("%") << false;
        QTest::newRow("> 100 %") << threshold(A::Avg, C::Greater, 100, 60) << QStringLiteral("%") << false;
        QTest::newRow(">= 100 %") << threshold(A::Avg, C::GreaterOrEqual, 100, 60) << QStringLiteral("%") << true;
        QTest::newRow("below 0 %") << threshold(A::Avg, C::Less, 0, 60) << QStringLiteral("%") << false;
        QTest::newRow("negative bytes") << threshold(A::Avg, C::Less, -1, 60) << QStringLiteral("bytes/s") << false;
        QTest::newRow("load any") << threshold(A::Avg, C::Greater, 1000, 60) << QString() << true;
        QTest::newRow("nan") << threshold(A::Avg, C::Greater, std::nan(""), 60) << QString() << false;
        Rule negative = threshold(A::Avg, C::Greater, 1, -5);
        QTest::newRow("negative duration") << negative << QString() << false;
        Rule noWindow = threshold(A::Avg, C::Greater, 1, 0);
        noWindow.condition.windowMs = 0;
        QTest::newRow("no window") << noWindow << QString() << false;
        QTest::newRow("no data without duration") << noData(0) << QString() << false;
        QTest::newRow("no data") << noData(60) << QString() << true;
        Rule noMetric = threshold(A::Avg, C::Greater, 1, 0);
        noMetric.condition.metric.clear();
        QTest::newRow("no metric") << noMetric << QString() << false;
    }

    void validate()
    {
        QFETCH(Rule, rule);
        QFETCH(QString, unit);
        QFETCH(bool, ok);
        const Status s = RuleEngine::validate(rule, unit);
        QCOMPARE(s.ok(), ok);
        if (!ok)
            QVERIFY(!s.error().detail.isEmpty());
    }
};

QTEST_GUILESS_MAIN(TestRuleEngine)
#include "tst_ruleengine.moc"
