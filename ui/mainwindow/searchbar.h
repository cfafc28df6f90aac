#pragma once

#include <QWidget>

class QLabel;
class QLineEdit;
class QTimer;

namespace mist {

class InventoryFilterProxy;

// The search box above the tree. Filters as the user types (a short pause coalesces fast
// typing on big inventories); a query that does not parse shows its error inline and the
// tree keeps the last good filter. Esc clears; Enter applies at once; Down moves to the results.
class SearchBar : public QWidget
{
    Q_OBJECT
public:
    explicit SearchBar(InventoryFilterProxy *proxy, QWidget *parent = nullptr);

    QLineEdit *lineEdit() const { return m_edit; }
    QString errorText() const;
    bool isFiltering() const;   // a good, non-empty filter is applied

public slots:
    void focusSearch();
    void clear();
    void applyNow();

signals:
    void filterChanged(bool filtering);
    void leaveRequested();   // Down, or Esc on an empty box: go to the tree

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    void showError(const QString &message, const QString &detail);

    InventoryFilterProxy *m_proxy;
    QLineEdit *m_edit;
    QLabel *m_errorLabel;
    QTimer *m_timer;
};

} // namespace mist
