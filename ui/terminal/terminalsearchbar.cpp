#include "terminalsearchbar.h"

#include <QCheckBox>
#include <QHBoxLayout>
#include <QKeyEvent>
#include <QLabel>
#include <QLineEdit>
#include <QToolButton>

namespace mist {

TerminalSearchBar::TerminalSearchBar(QWidget *parent)
    : QWidget(parent)
    , m_edit(new QLineEdit(this))
    , m_case(new QCheckBox(tr("Match case"), this))
    , m_status(new QLabel(this))
{
    setAutoFillBackground(true);
    setFocusProxy(m_edit);
    m_edit->setPlaceholderText(tr("Find in terminal"));
    m_edit->setClearButtonEnabled(true);

    auto *prev = new QToolButton(this);
    prev->setArrowType(Qt::UpArrow);
    prev->setToolTip(tr("Find older (Enter)"));
    auto *next = new QToolButton(this);
    next->setArrowType(Qt::DownArrow);
    next->setToolTip(tr("Find newer (Shift+Enter)"));
    auto *close = new QToolButton(this);
    close->setText(QStringLiteral("\u2715"));
    close->setToolTip(tr("Close (Escape)"));
    close->setAutoRaise(true);

    auto *layout = new QHBoxLayout(this);
    layout->setContentsMargins(4, 2, 4, 2);
    layout->setSpacing(4);
    layout->addWidget(m_edit, 1);
    layout->addWidget(prev);
    layout->addWidget(next);
    layout->addWidget(m_case);
    layout->addWidget(m_status);
    layout->addWidget(close);

    connect(prev, &QToolButton::clicked, this, [this] { emit findRequested(text(), true, caseSensitive()); });
    connect(next, &QToolButton::clicked, this, [this] { emit findRequested(text(), false, caseSensitive()); });
    connect(close, &QToolButton::clicked, this, [this] {
        hide();
        emit closed();
    });
    connect(m_edit, &QLineEdit::textEdited, this, [this](const QString &t) { emit textEdited(t, caseSensitive()); });
    connect(m_case, &QCheckBox::toggled, this, [this](bool cs) { emit textEdited(text(), cs); });
}

QString TerminalSearchBar::text() const { return m_edit->text(); }
bool TerminalSearchBar::caseSensitive() const { return m_case->isChecked(); }
void TerminalSearchBar::setStatus(const QString &status) { m_status->setText(status); }

void TerminalSearchBar::activate()
{
    show();
    raise();
    m_edit->setFocus(Qt::ShortcutFocusReason);
    m_edit->selectAll();
}

void TerminalSearchBar::keyPressEvent(QKeyEvent *event)
{
    switch (event->key()) {
    case Qt::Key_Return:
    case Qt::Key_Enter:
        emit findRequested(text(), !(event->modifiers() & Qt::ShiftModifier), caseSensitive());
        return;
    case Qt::Key_Escape:
        hide();
        emit closed();
        return;
    default:
        QWidget::keyPressEvent(event);
    }
}

} // namespace mist
