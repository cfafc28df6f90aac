#pragma once

#include <QWidget>

class QCheckBox;
class QLabel;
class QLineEdit;

namespace mist {

// The find bar of a terminal: text, case sensitivity, previous (older) / next (newer).
// Enter searches towards older output, Shift+Enter towards newer, Escape closes.
class TerminalSearchBar : public QWidget
{
    Q_OBJECT
public:
    explicit TerminalSearchBar(QWidget *parent = nullptr);

    QString text() const;
    bool caseSensitive() const;
    QLineEdit *lineEdit() const { return m_edit; }
    void setStatus(const QString &status);
    void activate();   // show, focus and select the text

signals:
    void findRequested(const QString &text, bool backward, bool caseSensitive);
    void textEdited(const QString &text, bool caseSensitive);
    void closed();

protected:
    void keyPressEvent(QKeyEvent *event) override;

private:
    QLineEdit *m_edit;
    QCheckBox *m_case;
    QLabel *m_status;
};

} // namespace mist
