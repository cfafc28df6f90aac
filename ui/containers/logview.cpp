#include "logview.h"

#include "containers/containerlauncher.h"

#include <QCheckBox>
#include <QComboBox>
#include <QFile>
#include <QFileDialog>
#include <QFontDatabase>
#include <QGuiApplication>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSaveFile>
#include <QScrollBar>
#include <QShortcut>
#include <QSpinBox>
#include <QTimer>
#include <QToolButton>
#include <QVBoxLayout>

namespace mist {

namespace {
constexpr int kMaxLines = 200000;   // older lines scroll away; "Save" keeps what is shown
constexpr int kFlushMs = 50;
const QString kAllContainers = QStringLiteral("*");
const QString kWorkload = QStringLiteral("**");
} // namespace

LogView::LogView(ContainerLauncher *launcher, Target target, QWidget *parent)
    : QWidget(parent), m_launcher(launcher), m_target(std::move(target)), m_flushTimer(new QTimer(this))
{
    setObjectName(QStringLiteral("logView"));
    setWindowTitle(tr("Logs — %1").arg(m_target.title));
    m_flushTimer->setSingleShot(true);
    m_flushTimer->setInterval(kFlushMs);
    connect(m_flushTimer, &QTimer::timeout, this, &LogView::flush);

    auto *bar = new QHBoxLayout;
    m_follow = new QCheckBox(tr("&Follow"), this);
    m_follow->setObjectName(QStringLiteral("followCheck"));
    m_follow->setChecked(true);
    m_tail = new QSpinBox(this);
    m_tail->setObjectName(QStringLiteral("tailSpin"));
    m_tail->setRange(-1, 1000000);
    m_tail->setSpecialValueText(tr("all"));   // -1
    m_tail->setValue(500);
    m_tail->setPrefix(tr("last "));
    m_tail->setSuffix(tr(" lines"));
    m_timestamps = new QCheckBox(tr("&Timestamps"), this);
    m_timestamps->setObjectName(QStringLiteral("timestampsCheck"));
    bar->addWidget(m_follow);
    bar->addWidget(m_tail);
    bar->addWidget(m_timestamps);
    if (m_target.kubernetes) {
        m_previous = new QCheckBox(tr("&Previous instance"), this);
        m_previous->setObjectName(QStringLiteral("previousCheck"));
        bar->addWidget(m_previous);
        if (m_target.containers.size() > 1 || !m_target.workload.isEmpty()) {
            m_container = new QComboBox(this);
            m_container->setObjectName(QStringLiteral("containerCombo"));
            for (const QString &c : std::as_const(m_target.containers))
                m_container->addItem(c, c);
            if (m_target.containers.size() > 1)
                m_container->addItem(tr("All containers"), kAllContainers);
            if (!m_target.workload.isEmpty())
                m_container->addItem(tr("All pods of %1").arg(m_target.workload), kWorkload);
            bar->addWidget(m_container);
        }
    }
    auto *apply = new QPushButton(tr("&Reload"), this);
    apply->setObjectName(QStringLiteral("reloadButton"));
    bar->addWidget(apply);
    bar->addStretch(1);
    m_search = new QLineEdit(this);
    m_search->setObjectName(QStringLiteral("logSearch"));
    m_search->setPlaceholderText(tr("Search (Ctrl+F, Enter = next, Shift+Enter = previous)"));
    m_search->setClearButtonEnabled(true);
    bar->addWidget(m_search, 1);
    auto *saveButton = new QToolButton(this);
    saveButton->setText(tr("&Save…"));
    bar->addWidget(saveButton);

    m_text = new QPlainTextEdit(this);
    m_text->setObjectName(QStringLiteral("logText"));
    m_text->setReadOnly(true);
    m_text->setLineWrapMode(QPlainTextEdit::NoWrap);
    m_text->setMaximumBlockCount(kMaxLines);
    m_text->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_status = new QLabel(this);
    m_status->setObjectName(QStringLiteral("logStatus"));

    auto *layout = new QVBoxLayout(this);
    layout->addLayout(bar);
    layout->addWidget(m_text, 1);
    layout->addWidget(m_status);

    connect(apply, &QPushButton::clicked, this, &LogView::reload);
    connect(m_follow, &QCheckBox::toggled, this, &LogView::reload);
    connect(m_timestamps, &QCheckBox::toggled, this, &LogView::reload);
    if (m_previous)
        connect(m_previous, &QCheckBox::toggled, this, &LogView::reload);
    if (m_container)
        connect(m_container, &QComboBox::currentIndexChanged, this, &LogView::reload);
    connect(m_search, &QLineEdit::returnPressed, this, [this] {
        find(QGuiApplication::keyboardModifiers() & Qt::ShiftModifier);
    });
    connect(saveButton, &QToolButton::clicked, this, &LogView::save);
    new QShortcut(QKeySequence::Find, this, [this] { m_search->setFocus(); m_search->selectAll(); });
    new QShortcut(QKeySequence::FindNext, this, [this] { find(false); });
    new QShortcut(QKeySequence::FindPrevious, this, [this] { find(true); });
    new QShortcut(QKeySequence::Save, this, [this] { save(); });
    resize(900, 560);
    reload();
}

LogView::~LogView()
{
    stopStream();
}

QString LogView::text() const
{
    return m_text->toPlainText();
}

QString LogView::statusText() const
{
    return m_status->text();
}

void LogView::showWorkload()
{
    if (m_container)
        m_container->setCurrentIndex(m_container->findData(kWorkload));
}

LogOptions LogView::options() const
{
    LogOptions o;
    o.follow = m_follow->isChecked();
    o.tailLines = m_tail->value();
    o.timestamps = m_timestamps->isChecked();
    o.previous = m_previous && m_previous->isChecked();
    if (m_container) {
        const QString c = m_container->currentData().toString();
        o.allContainers = c == kAllContainers;
        o.workload = c == kWorkload;
        if (!o.allContainers && !o.workload)
            o.container = c;
    } else if (m_target.containers.size() == 1) {
        o.container = m_target.containers.first();
    }
    return o;
}

void LogView::reload()
{
    stopStream();
    m_text->clear();
    m_pending.clear();
    const quint64 generation = ++m_generation;
    const LogOptions o = options();
    setStatus(tr("Opening logs…"));
    m_launcher->openLogs(m_target.machineId, o, this, [this, generation, follow = o.follow](Result<LogStream *> stream) {
        if (generation != m_generation) {   // reloaded again meanwhile
            if (stream)
                delete stream.value();
            return;
        }
        if (!stream) {
            setStatus(stream.error().toString(), true);
            return;
        }
        m_stream = stream.value();
        m_stream->setParent(this);
        connect(m_stream, &LogStream::linesReceived, this, &LogView::onLines);
        connect(m_stream, &LogStream::finished, this, &LogView::onFinished);
        setStatus(follow ? tr("Following…") : tr("Loading…"));
        m_stream->start();
    });
}

void LogView::stopStream()
{
    if (!m_stream)
        return;
    LogStream *stream = m_stream;
    m_stream.clear();
    stream->disconnect(this);
    stream->stop();
    stream->deleteLater();
}

void LogView::onLines(const QString &lines)
{
    m_pending += lines;
    if (!m_flushTimer->isActive())
        m_flushTimer->start();
}

void LogView::flush()
{
    if (m_pending.isEmpty())
        return;
    QScrollBar *bar = m_text->verticalScrollBar();
    const bool atEnd = bar->value() == bar->maximum();
    QString chunk;
    chunk.swap(m_pending);
    if (chunk.endsWith(QLatin1Char('\n')))
        chunk.chop(1);
    m_text->appendPlainText(chunk);
    if (atEnd)
        bar->setValue(bar->maximum());
}

void LogView::onFinished(const Status &status)
{
    flush();
    if (sender() == m_stream.data()) {
        m_stream->deleteLater();
        m_stream.clear();
    }
    if (!status)
        setStatus(status.error().toString(), true);
    else
        setStatus(tr("End of log — %n line(s)", nullptr, m_text->blockCount() - (m_text->toPlainText().isEmpty() ? 1 : 0)));
}

void LogView::find(bool backwards)
{
    const QString needle = m_search->text();
    if (needle.isEmpty())
        return;
    QTextDocument::FindFlags flags;
    if (backwards)
        flags |= QTextDocument::FindBackward;
    if (m_text->find(needle, flags))
        return;
    // Wrap around once.
    QTextCursor c = m_text->textCursor();
    c.movePosition(backwards ? QTextCursor::End : QTextCursor::Start);
    m_text->setTextCursor(c);
    if (!m_text->find(needle, flags))
        setStatus(tr("\"%1\" not found").arg(needle));
}

bool LogView::saveTo(const QString &path, QString *error) const
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(m_text->toPlainText().toUtf8() + '\n') < 0 || !file.commit()) {
        if (error)
            *error = file.errorString();
        return false;
    }
    return true;
}

void LogView::save()
{
    flush();
    auto *dialog = new QFileDialog(this, tr("Save logs"));
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setAcceptMode(QFileDialog::AcceptSave);
    dialog->selectFile(QString(m_target.title).replace(QLatin1Char(' '), QLatin1Char('_')) + QStringLiteral(".log"));
    connect(dialog, &QFileDialog::fileSelected, this, [this](const QString &path) {
        QString error;
        if (saveTo(path, &error))
            setStatus(tr("Saved to %1").arg(path));
        else
            setStatus(tr("Could not save to %1: %2").arg(path, error), true);
    });
    dialog->open();
}

void LogView::setStatus(const QString &text, bool error)
{
    m_status->setText(text);
    m_status->setStyleSheet(error ? QStringLiteral("color: #c0392b;") : QString());
}

} // namespace mist
