#include "searchbar.h"

#include "inventory/inventoryfilterproxy.h"

#include <QKeyEvent>
#include <QLabel>
#include <QLineEdit>
#include <QTimer>
#include <QVBoxLayout>

namespace mist {

namespace {
constexpr int kTypingPauseMs = 120;
}

SearchBar::SearchBar(InventoryFilterProxy *proxy, QWidget *parent)
    : QWidget(parent), m_proxy(proxy), m_edit(new QLineEdit(this)), m_errorLabel(new QLabel(this)), m_timer(new QTimer(this))
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(2);

    m_edit->setObjectName(QStringLiteral("searchEdit"));
    m_edit->setClearButtonEnabled(true);
    m_edit->setPlaceholderText(tr("Search (Ctrl+F):  web   state:running AND cloud:kvm1   env:prod   \"exact name\"   /regex/"));
    m_edit->setToolTip(tr("<p>Type words to match names, IPs, sizes and tags.</p>"
                          "<p><code>state:running</code>, <code>cloud:kvm1</code>, <code>kind:vm</code> match one field; "
                          "<code>env:prod</code> matches a tag; <code>\"exact name\"</code> matches a whole phrase; "
                          "<code>/web-\\d+/</code> is a regular expression. Combine with AND, OR, NOT and parentheses.</p>"
                          "<p>Esc clears the search.</p>"));
    m_edit->installEventFilter(this);
    layout->addWidget(m_edit);

    m_errorLabel->setObjectName(QStringLiteral("searchErrorLabel"));
    m_errorLabel->setStyleSheet(QStringLiteral("QLabel { color: #c0392b; }"));
    m_errorLabel->setWordWrap(true);
    m_errorLabel->hide();
    layout->addWidget(m_errorLabel);

    m_timer->setSingleShot(true);
    m_timer->setInterval(kTypingPauseMs);
    connect(m_timer, &QTimer::timeout, this, &SearchBar::applyNow);
    connect(m_edit, &QLineEdit::textChanged, m_timer, qOverload<>(&QTimer::start));
}

QString SearchBar::errorText() const
{
    return m_errorLabel->isVisible() ? m_errorLabel->text() : QString();
}

bool SearchBar::isFiltering() const
{
    return !m_proxy->searchText().trimmed().isEmpty();
}

void SearchBar::focusSearch()
{
    m_edit->setFocus(Qt::ShortcutFocusReason);
    m_edit->selectAll();
}

void SearchBar::clear()
{
    m_edit->clear();
    applyNow();
}

void SearchBar::applyNow()
{
    m_timer->stop();
    const QString text = m_edit->text();
    if (text == m_proxy->searchText() && m_errorLabel->isHidden())
        return;
    const bool wasFiltering = isFiltering();
    const Status status = m_proxy->setSearchText(text);
    if (!status) {
        // The proxy keeps the previous filter; say why this one was not taken.
        showError(status.error().message, status.error().detail);
        return;
    }
    showError({}, {});
    if (wasFiltering || isFiltering())
        emit filterChanged(isFiltering());
}

void SearchBar::showError(const QString &message, const QString &detail)
{
    if (message.isEmpty()) {
        m_errorLabel->hide();
        m_edit->setStyleSheet(QString());
        return;
    }
    const bool addDetail = !detail.isEmpty() && !message.contains(detail);
    m_errorLabel->setText(addDetail ? tr("%1 (%2) — still showing the previous results").arg(message, detail)
                                    : tr("%1 — still showing the previous results").arg(message));
    m_errorLabel->show();
    m_edit->setStyleSheet(QStringLiteral("QLineEdit { border: 1px solid #c0392b; }"));
}

bool SearchBar::eventFilter(QObject *watched, QEvent *event)
{
    if (watched == m_edit && event->type() == QEvent::KeyPress) {
        auto *key = static_cast<QKeyEvent *>(event);
        if (key->key() == Qt::Key_Escape) {
            if (m_edit->text().isEmpty())
                emit leaveRequested();
            else
                clear();
            return true;
        }
        if (key->key() == Qt::Key_Return || key->key() == Qt::Key_Enter) {
            applyNow();   // no need to wait for the typing pause
            return true;
        }
        if (key->key() == Qt::Key_Down) {
            applyNow();
            emit leaveRequested();
            return true;
        }
    }
    return QWidget::eventFilter(watched, event);
}

} // namespace mist
