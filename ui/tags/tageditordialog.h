#pragma once

#include "inventory/machine.h"
#include "util/result.h"

#include <QDialog>
#include <QStringList>
#include <QVector>

class QDialogButtonBox;
class QLabel;
class QLineEdit;
class QProgressBar;
class QPushButton;
class QTableWidget;

namespace mist {

class StoreService;

// Edits the user tags of one or several machines at once. Tags every machine has with the
// same value show plainly; keys only some machines have, or with different values, show as
// "mixed" and are left alone unless the user types a value. Provider tags are read-only.
// Saved through StoreService::tagMachines (actor "user"); errors show inline, nothing typed
// is lost.
class TagEditorDialog : public QDialog
{
    Q_OBJECT
public:
    TagEditorDialog(StoreService *store, const QVector<Machine> &machines, QWidget *parent = nullptr);

    // The change the dialog would send (also for tests).
    struct Change
    {
        TagMap set;
        QStringList removeKeys;
        bool isEmpty() const { return set.isEmpty() && removeKeys.isEmpty(); }
    };
    Result<Change> change() const;

public slots:
    void accept() override;
    void reject() override;

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    void fillTags();
    void fillProviderTags(QTableWidget *table);
    int addRow(const QString &key, const QString &value, bool original, bool mixed);
    void addFromQuickEdit();
    void removeSelected();
    void setBusy(bool busy);
    void showError(const QString &message);

    StoreService *m_store;
    QVector<Machine> m_machines;
    QStringList m_removedKeys;   // original keys whose rows were removed
    bool m_busy = false;
    QTableWidget *m_table = nullptr;
    QLineEdit *m_quickEdit = nullptr;
    QPushButton *m_removeButton = nullptr;
    QLabel *m_errorLabel = nullptr;
    QProgressBar *m_busyBar = nullptr;
    QDialogButtonBox *m_buttons = nullptr;
};

} // namespace mist
