// The Prometheus source dialog (offscreen): Test runs the queries on a worker against the API
// fixture and shows the series or the server's error; Save writes prometheus.json (and the
// token to the real keychain, never to the file).

#include "monitoring/prometheus/prometheussources.h"
#include "monitoring/prometheussourcedialog.h"
#include "secrets/secretstore.h"

#include "prometheusfixture.h"
#include "testsupport.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

#include <future>

using namespace mist;
using namespace mist::test;

class TestPrometheusSourceDialog : public QObject
{
    Q_OBJECT

    PrometheusFixture m_prom;
    QVector<Cloud> m_clouds;
    QVector<Machine> m_machines;

    template <typename T>
    static T *child(QWidget *w, int index)
    {
        return w->findChildren<T *>().value(index);
    }

private slots:
    void initTestCase()
    {
        QVERIFY(m_prom.listen());
        m_prom.matcher = QStringLiteral("instance=~\"web1(:[0-9]+)?\"");
        Cloud c;
        c.id = 3;
        c.name = QStringLiteral("servers");
        m_clouds = {c};
        Machine a, b;
        a.id = 7;
        a.cloudId = 3;
        a.name = QStringLiteral("web1");
        b.id = 8;
        b.cloudId = 3;
        b.name = QStringLiteral("web2");
        m_machines = {a, b};
    }

    void testShowsSeriesOrTheError()
    {
        QTemporaryDir dir;
        PrometheusSource existing;
        existing.id = QStringLiteral("abc");
        existing.name = QStringLiteral("prom");
        existing.url = m_prom.url();
        existing.scopeId = 7;
        existing.matcher = QStringLiteral("instance=~\"{name}(:[0-9]+)?\"");
        existing.stepSeconds = 30;
        PrometheusSourceDialog dialog(dir.path(), m_clouds, m_machines, existing);
        QCOMPARE(dialog.source().url, m_prom.url());
        QCOMPARE(dialog.source().scopeId, 7);
        QSignalSpy finished(&dialog, &PrometheusSourceDialog::testFinished);
        dialog.runTest();
        QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 1, 10000);
        QVERIFY2(finished.at(0).at(0).toBool(), qPrintable(finished.at(0).at(1).toString()));
        const QString text = finished.at(0).at(1).toString();
        QVERIFY2(text.contains(QStringLiteral("cpu.percent: 21 point")), qPrintable(text));   // 10 min at 30 s
        QVERIFY(text.contains(QStringLiteral("net.rx_bytes_per_s (eth0)")));

        // A URL without the API: the error is shown.
        auto *url = dialog.findChildren<QLineEdit *>().value(1);
        QVERIFY(url);
        url->setText(m_prom.url() + QStringLiteral("/nothing"));
        dialog.runTest();
        QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 2, 10000);
        QVERIFY(!finished.at(1).at(0).toBool());
        QVERIFY2(finished.at(1).at(1).toString().contains(QStringLiteral("HTTP 404")), qPrintable(finished.at(1).at(1).toString()));

        // A query line that is not SERIES=PROMQL is named, not silently left out.
        auto *queries = dialog.findChild<QPlainTextEdit *>();
        QVERIFY(queries);
        queries->setPlainText(QStringLiteral("# own queries\ncpu.percent=100 - avg(rate(x[1m]))\napp-rps"));
        dialog.runTest();
        QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 3, 10000);
        QVERIFY(!finished.at(2).at(0).toBool());
        QVERIFY2(finished.at(2).at(1).toString().contains(QStringLiteral("line 3")), qPrintable(finished.at(2).at(1).toString()));
    }

    void saveWritesFileAndKeychain()
    {
        MIST_REQUIRE_KEYCHAIN();
        QTemporaryDir dir;
        PrometheusSourceDialog dialog(dir.path(), m_clouds, m_machines);
        const QList<QLineEdit *> edits = dialog.findChildren<QLineEdit *>();
        edits.at(0)->setText(QStringLiteral("vm"));
        edits.at(1)->setText(m_prom.url() + QStringLiteral("/select/0/prometheus"));
        const QList<QComboBox *> combos = dialog.findChildren<QComboBox *>();
        combos.at(0)->setCurrentIndex(1);   // a cloud
        combos.at(2)->setCurrentIndex(2);   // bearer
        QCOMPARE(combos.at(3)->count(), 2);  // both machines of the cloud can be tested with
        const QString token = QStringLiteral("dialog-token-%1").arg(QDateTime::currentMSecsSinceEpoch());
        edits.at(3)->setText(token);
        QSignalSpy saved(&dialog, &PrometheusSourceDialog::saved);
        dialog.findChild<QDialogButtonBox *>()->button(QDialogButtonBox::Save)->click();
        QTRY_COMPARE_WITH_TIMEOUT(saved.size(), 1, 10000);
        auto sources = PrometheusSources::load(PrometheusSources::filePath(dir.path()));
        QVERIFY(sources.ok());
        const PrometheusSource *s = sources->find(QStringLiteral("vm"));
        QVERIFY(s);
        QCOMPARE(s->scope, PrometheusSource::Scope::Cloud);
        QCOMPARE(s->scopeId, 3);
        QCOMPARE(s->auth, PrometheusSource::Auth::Bearer);
        QVERIFY(filesContaining(dir.path(), token.toUtf8()).isEmpty());
        // Keychain calls off the GUI thread, as the app makes them.
        // (std::async: QFuture::result() may run a task that has not started on the calling thread.)
        const auto keychain = [](auto call) { return std::async(std::launch::async, call).get(); };
        const QString owner = s->secretOwner();
        QCOMPARE(keychain([owner] { return SecretStore().read(owner, QStringLiteral("token")).value(); }), token);

        // Test with the stored token (field left empty) reaches the fixture with it.
        m_prom.requiredAuthorization = "Bearer " + token.toUtf8();
        PrometheusSourceDialog edit(dir.path(), m_clouds, m_machines, *s);
        QSignalSpy finished(&edit, &PrometheusSourceDialog::testFinished);
        edit.runTest();
        QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 1, 10000);
        m_prom.requiredAuthorization.clear();
        // The matcher has the default {host}: web1 has no IP, so its name is used.
        QVERIFY2(finished.at(0).at(0).toBool(), qPrintable(finished.at(0).at(1).toString()));
        QVERIFY(keychain([owner] { return SecretStore().remove(owner, QStringLiteral("token")).ok(); }));
    }
};

QTEST_MAIN(TestPrometheusSourceDialog)
#include "tst_prometheussourcedialog.moc"
