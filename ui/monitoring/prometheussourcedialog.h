#pragma once

#include "inventory/cloud.h"
#include "inventory/machine.h"
#include "monitoring/prometheus/prometheussources.h"

#include <QDialog>

#include <optional>

class QCheckBox;
class QComboBox;
class QDialogButtonBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QPushButton;
class QSpinBox;

namespace mist {

// Adds or edits one Prometheus / VictoriaMetrics source (prometheus.json in the data folder):
// URL, the machine or cloud it feeds, authentication (the password or token goes to the
// keychain, never the file), instance matcher, step, timeout, TLS and custom queries.
// "Test" runs the queries for a machine over the last 10 minutes on a worker and shows the
// series found or the server's error; "Save" writes the keychain and the file on a worker.
// The GUI thread never touches the network, the keychain or the file.
class PrometheusSourceDialog : public QDialog
{
    Q_OBJECT
public:
    // clouds/machines: what the scope and test choices offer (the inventory as the UI has it).
    PrometheusSourceDialog(QString dataDir, QVector<Cloud> clouds, QVector<Machine> machines,
                           std::optional<PrometheusSource> existing = std::nullopt, QWidget *parent = nullptr);

    // The source as the fields describe it (no secret).
    PrometheusSource source() const;
    // Runs the test (as the Test button does).
    void runTest();

    // Ignored while a save runs: it would finish unseen, and the service never reload.
    void reject() override;

signals:
    void saved(const mist::PrometheusSource &source);
    void testFinished(bool ok, const QString &text);

private:
    void fillTargets();
    void fillTestMachines();   // the machines the chosen scope covers
    void updateAuth();
    void save();
    void setBusy(bool busy);
    QString queryLineError() const;
    bool m_saving = false;
    std::optional<Machine> testMachine() const;

    QString m_dataDir;
    QVector<Cloud> m_clouds;
    QVector<Machine> m_machines;
    std::optional<PrometheusSource> m_existing;

    QLineEdit *m_name = nullptr;
    QLineEdit *m_url = nullptr;
    QComboBox *m_scope = nullptr;
    QComboBox *m_target = nullptr;
    QComboBox *m_auth = nullptr;
    QLineEdit *m_user = nullptr;
    QLineEdit *m_secret = nullptr;
    QLineEdit *m_matcher = nullptr;
    QSpinBox *m_step = nullptr;
    QSpinBox *m_timeout = nullptr;
    QCheckBox *m_insecure = nullptr;
    QLineEdit *m_caFile = nullptr;
    QPlainTextEdit *m_queries = nullptr;
    QComboBox *m_testMachine = nullptr;
    QPushButton *m_test = nullptr;
    QPlainTextEdit *m_result = nullptr;
    QLabel *m_message = nullptr;
    QDialogButtonBox *m_buttons = nullptr;
};

} // namespace mist
