#include "prometheussourcedialog.h"

#include "monitoring/prometheus/prometheuscollector.h"
#include "secrets/secretstore.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDateTime>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QFutureWatcher>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QVBoxLayout>
#include <QtConcurrent>

namespace mist {

namespace {

constexpr qint64 kTestRangeMs = 10 * 60 * 1000;

// The worker's part of "Test": the secret (typed, else the keychain), then every query.
Result<QString> testSource(const PrometheusSource &source, const Machine &machine, const std::optional<QString> &typedSecret)
{
    Result<QString> secret = typedSecret ? Result<QString>(*typedSecret) : PrometheusCollector::keychainSecret(source);
    if (!secret)
        return secret.error();
    const qint64 stepMs = qint64(source.stepSeconds > 0 ? source.stepSeconds : 10) * 1000;
    const qint64 to = QDateTime::currentMSecsSinceEpoch() / stepMs * stepMs;
    Result<PrometheusImport> r = PrometheusCollector::fetch(source, machine, secret.value(), to - kTestRangeMs, to, stepMs);
    if (!r)
        return r.error();
    QStringList lines;
    for (const PrometheusImport::SeriesCount &c : r->counts)
        lines << QCoreApplication::translate("PrometheusSourceDialog", "%1%2: %n point(s)", nullptr, c.points)
                     .arg(c.series, c.label.isEmpty() ? QString() : QStringLiteral(" (%1)").arg(c.label));
    for (const Error &e : r->failedQueries)
        lines << e.toString();
    for (const QString &w : r->warnings)
        lines << w;
    if (r->counts.isEmpty())
        return Error{QCoreApplication::translate("PrometheusSourceDialog", "No series for %1 with %2: check the instance matcher.")
                         .arg(machine.name, source.matcherFor(machine)),
                     lines.join(QLatin1Char('\n'))};
    return lines.join(QLatin1Char('\n'));
}

// The worker's part of "Save": the secret first (a source never exists without it), then the file.
Result<PrometheusSource> saveSource(const QString &path, const PrometheusSource &source, const std::optional<QString> &typedSecret,
                                    const std::optional<PrometheusSource> &previous)
{
    Result<PrometheusSources> sources = PrometheusSources::load(path);
    if (!sources)
        return sources.error();
    Result<PrometheusSource> stored = sources.value().upsert(source);
    if (!stored)
        return stored;
    SecretStore secrets;
    const QString field = stored->secretField();
    if (!field.isEmpty() && typedSecret) {
        if (Status s = secrets.write(stored->secretOwner(), field, *typedSecret); !s)
            return s.error();
    }
    if (Status s = sources.value().save(path); !s)
        return s.error();
    // A secret the source no longer uses (auth changed) is deleted.
    if (previous && !previous->secretField().isEmpty() && previous->secretField() != field)
        (void)secrets.remove(previous->secretOwner(), previous->secretField());
    return stored;
}

} // namespace

PrometheusSourceDialog::PrometheusSourceDialog(QString dataDir, QVector<Cloud> clouds, QVector<Machine> machines,
                                               std::optional<PrometheusSource> existing, QWidget *parent)
    : QDialog(parent)
    , m_dataDir(std::move(dataDir))
    , m_clouds(std::move(clouds))
    , m_machines(std::move(machines))
    , m_existing(std::move(existing))
{
    setWindowTitle(m_existing ? tr("Prometheus Source") : tr("Add Prometheus Source"));
    auto *form = new QFormLayout;
    m_name = new QLineEdit(this);
    form->addRow(tr("&Name:"), m_name);
    m_url = new QLineEdit(this);
    m_url->setPlaceholderText(QStringLiteral("http://prometheus:9090"));
    m_url->setToolTip(tr("Base URL of the query API, without /api/v1. VictoriaMetrics cluster: "
                         "http://vmselect:8481/select/<tenant>/prometheus"));
    form->addRow(tr("&URL:"), m_url);
    m_scope = new QComboBox(this);
    m_scope->addItem(tr("One machine"), int(PrometheusSource::Scope::Machine));
    m_scope->addItem(tr("Every monitored machine of a cloud"), int(PrometheusSource::Scope::Cloud));
    form->addRow(tr("&Feeds:"), m_scope);
    m_target = new QComboBox(this);
    form->addRow(QString(), m_target);
    m_auth = new QComboBox(this);
    m_auth->addItem(tr("None"), int(PrometheusSource::Auth::None));
    m_auth->addItem(tr("User and password"), int(PrometheusSource::Auth::Basic));
    m_auth->addItem(tr("Bearer token"), int(PrometheusSource::Auth::Bearer));
    form->addRow(tr("&Authentication:"), m_auth);
    m_user = new QLineEdit(this);
    form->addRow(tr("U&ser:"), m_user);
    m_secret = new QLineEdit(this);
    m_secret->setEchoMode(QLineEdit::Password);
    form->addRow(tr("Pass&word / token:"), m_secret);
    m_matcher = new QLineEdit(PrometheusSource::kDefaultMatcher, this);
    m_matcher->setToolTip(tr("PromQL label matchers that select this machine's series. {host}, {name} and {ip} are "
                             "replaced by the machine's SSH host (or IP), name and IP."));
    form->addRow(tr("Instance &matcher:"), m_matcher);
    m_step = new QSpinBox(this);
    m_step->setRange(0, 86400);
    m_step->setSuffix(tr(" s"));
    m_step->setSpecialValueText(tr("The machine's monitoring interval"));
    form->addRow(tr("S&tep:"), m_step);
    m_timeout = new QSpinBox(this);
    m_timeout->setRange(1, 600);
    m_timeout->setValue(PrometheusSource::kDefaultTimeoutSeconds);
    m_timeout->setSuffix(tr(" s"));
    form->addRow(tr("T&imeout:"), m_timeout);
    m_insecure = new QCheckBox(tr("Accept any TLS certificate (self-signed test servers only)"), this);
    form->addRow(QString(), m_insecure);
    m_caFile = new QLineEdit(this);
    m_caFile->setPlaceholderText(tr("CA certificates (PEM file), optional"));
    form->addRow(tr("&CA file:"), m_caFile);
    m_queries = new QPlainTextEdit(this);
    m_queries->setPlaceholderText(tr("Extra or replaced series, one per line: SERIES=PROMQL or SERIES[LABEL]=PROMQL\n"
                                     "e.g. app.rps=sum(rate(http_requests_total{$match}[$rate]))"));
    m_queries->setMaximumHeight(90);
    form->addRow(tr("&Queries:"), m_queries);

    auto *testRow = new QHBoxLayout;
    m_testMachine = new QComboBox(this);
    m_test = new QPushButton(tr("&Test"), this);
    testRow->addWidget(m_testMachine, 1);
    testRow->addWidget(m_test);
    form->addRow(tr("Test with:"), testRow);
    m_result = new QPlainTextEdit(this);
    m_result->setReadOnly(true);
    m_result->setMaximumHeight(120);
    m_message = new QLabel(this);
    m_message->setWordWrap(true);
    m_buttons = new QDialogButtonBox(QDialogButtonBox::Save | QDialogButtonBox::Cancel, this);

    auto *layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(m_result);
    layout->addWidget(m_message);
    layout->addWidget(m_buttons);

    if (m_existing) {
        const PrometheusSource &s = *m_existing;
        m_name->setText(s.name);
        m_url->setText(s.url);
        m_scope->setCurrentIndex(m_scope->findData(int(s.scope)));
        m_auth->setCurrentIndex(m_auth->findData(int(s.auth)));
        m_user->setText(s.user);
        m_matcher->setText(s.matcher);
        m_step->setValue(s.stepSeconds);
        m_timeout->setValue(s.timeoutSeconds);
        m_insecure->setChecked(s.insecureTls);
        m_caFile->setText(s.caFile);
        QStringList lines;
        for (const PrometheusQuery &q : s.queries)
            lines << q.toText();
        m_queries->setPlainText(lines.join(QLatin1Char('\n')));
        if (!s.secretField().isEmpty())
            m_secret->setPlaceholderText(tr("(stored in the keychain — type to replace)"));
    }
    fillTargets();
    if (m_existing)
        m_target->setCurrentIndex(std::max(0, m_target->findData(m_existing->scopeId)));
    updateAuth();

    connect(m_scope, &QComboBox::currentIndexChanged, this, &PrometheusSourceDialog::fillTargets);
    fillTestMachines();
    connect(m_target, &QComboBox::currentIndexChanged, this, &PrometheusSourceDialog::fillTestMachines);
    connect(m_auth, &QComboBox::currentIndexChanged, this, &PrometheusSourceDialog::updateAuth);
    connect(m_test, &QPushButton::clicked, this, &PrometheusSourceDialog::runTest);
    connect(m_buttons, &QDialogButtonBox::accepted, this, &PrometheusSourceDialog::save);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
}

void PrometheusSourceDialog::fillTargets()
{
    m_target->clear();
    if (PrometheusSource::Scope(m_scope->currentData().toInt()) == PrometheusSource::Scope::Machine) {
        for (const Machine &m : std::as_const(m_machines))
            m_target->addItem(m.name, m.id);
    } else {
        for (const Cloud &c : std::as_const(m_clouds))
            m_target->addItem(c.name, c.id);
    }
}

void PrometheusSourceDialog::fillTestMachines()
{
    m_testMachine->clear();
    const PrometheusSource s = source();
    for (const Machine &m : std::as_const(m_machines)) {
        if (s.appliesTo(m))
            m_testMachine->addItem(m.name, m.id);
    }
}

void PrometheusSourceDialog::updateAuth()
{
    const auto auth = PrometheusSource::Auth(m_auth->currentData().toInt());
    m_user->setEnabled(auth == PrometheusSource::Auth::Basic);
    m_secret->setEnabled(auth != PrometheusSource::Auth::None);
}

PrometheusSource PrometheusSourceDialog::source() const
{
    PrometheusSource s = m_existing.value_or(PrometheusSource{});
    s.name = m_name->text().trimmed();
    s.url = m_url->text().trimmed();
    s.scope = PrometheusSource::Scope(m_scope->currentData().toInt());
    s.scopeId = m_target->currentData().toLongLong();
    s.auth = PrometheusSource::Auth(m_auth->currentData().toInt());
    s.user = s.auth == PrometheusSource::Auth::Basic ? m_user->text().trimmed() : QString();
    s.matcher = m_matcher->text().trimmed();
    s.stepSeconds = m_step->value();
    s.timeoutSeconds = m_timeout->value();
    s.insecureTls = m_insecure->isChecked();
    s.caFile = m_caFile->text().trimmed();
    s.queries.clear();
    for (const QString &line : m_queries->toPlainText().split(QLatin1Char('\n'))) {
        if (line.trimmed().isEmpty() || line.trimmed().startsWith(QLatin1Char('#')))
            continue;
        if (std::optional<PrometheusQuery> q = PrometheusQuery::parse(line))
            s.queries.append(*q);
    }
    return s;
}

// The first query line that is not SERIES=PROMQL (source() leaves such lines out), or "".
QString PrometheusSourceDialog::queryLineError() const
{
    const QStringList lines = m_queries->toPlainText().split(QLatin1Char('\n'));
    for (qsizetype i = 0; i < lines.size(); ++i) {
        const QString line = lines.at(i).trimmed();
        if (!line.isEmpty() && !line.startsWith(QLatin1Char('#')) && !PrometheusQuery::parse(lines.at(i)))
            return tr("Query line %1 is not SERIES=PROMQL: %2").arg(i + 1).arg(line);
    }
    return {};
}

std::optional<Machine> PrometheusSourceDialog::testMachine() const
{
    const qint64 id = m_testMachine->currentData().toLongLong();
    for (const Machine &m : m_machines) {
        if (m.id == id)
            return m;
    }
    return std::nullopt;
}

void PrometheusSourceDialog::reject()
{
    if (!m_saving)
        QDialog::reject();
}

void PrometheusSourceDialog::setBusy(bool busy)
{
    m_test->setEnabled(!busy);
    m_buttons->button(QDialogButtonBox::Save)->setEnabled(!busy);
}

void PrometheusSourceDialog::runTest()
{
    const PrometheusSource s = source();
    const std::optional<Machine> machine = testMachine();
    if (!machine) {
        m_message->setText(tr("Choose a machine the source feeds to test with."));
        emit testFinished(false, m_message->text());
        return;
    }
    if (const QString bad = queryLineError(); !bad.isEmpty()) {
        m_message->setText(bad);
        emit testFinished(false, bad);
        return;
    }
    if (Status valid = s.validate(); !valid) {
        m_message->setText(valid.error().message);
        emit testFinished(false, m_message->text());
        return;
    }
    const std::optional<QString> typed = m_secret->text().isEmpty() ? std::nullopt : std::optional<QString>(m_secret->text());
    setBusy(true);
    m_result->clear();
    m_message->setText(tr("Asking %1…").arg(s.url));
    auto *watcher = new QFutureWatcher<Result<QString>>(this);
    connect(watcher, &QFutureWatcher<Result<QString>>::finished, this, [this, watcher] {
        watcher->deleteLater();
        setBusy(false);
        const Result<QString> r = watcher->result();
        m_message->setText(r ? tr("The server answered.") : r.error().message);
        m_result->setPlainText(r ? r.value() : r.error().detail);
        emit testFinished(r.ok(), r ? r.value() : r.error().toString());
    });
    watcher->setFuture(QtConcurrent::run([s, m = *machine, typed] { return testSource(s, m, typed); }));
}

void PrometheusSourceDialog::save()
{
    const PrometheusSource s = source();
    if (const QString bad = queryLineError(); !bad.isEmpty()) {
        m_message->setText(bad);
        return;
    }
    if (Status valid = s.validate(); !valid) {
        m_message->setText(valid.error().message);
        return;
    }
    const bool needsSecret = !s.secretField().isEmpty()
                             && (!m_existing || m_existing->secretField() != s.secretField());
    if (needsSecret && m_secret->text().isEmpty()) {
        m_message->setText(tr("Enter the password or token: it is kept in the keychain."));
        return;
    }
    const std::optional<QString> typed = m_secret->text().isEmpty() ? std::nullopt : std::optional<QString>(m_secret->text());
    setBusy(true);
    m_saving = true;
    m_message->setText(tr("Saving…"));
    auto *watcher = new QFutureWatcher<Result<PrometheusSource>>(this);
    connect(watcher, &QFutureWatcher<Result<PrometheusSource>>::finished, this, [this, watcher] {
        watcher->deleteLater();
        setBusy(false);
        m_saving = false;
        const Result<PrometheusSource> r = watcher->result();
        if (!r) {
            m_message->setText(r.error().toString());
            return;
        }
        m_existing = r.value();
        emit saved(r.value());
        accept();
    });
    watcher->setFuture(QtConcurrent::run([path = PrometheusSources::filePath(m_dataDir), s, typed, previous = m_existing] {
        return saveSource(path, s, typed, previous);
    }));
}

} // namespace mist
