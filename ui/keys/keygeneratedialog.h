#pragma once

#include "keys/keymaterial.h"

#include <QDialog>

class QComboBox;
class QDialogButtonBox;
class QLabel;
class QLineEdit;

namespace mist {

// Asks for what a new key needs: name, type, optional passphrase (typed twice). Only
// collects the values; KeyManagerDialog does the work.
class KeyGenerateDialog : public QDialog
{
    Q_OBJECT
public:
    explicit KeyGenerateDialog(QWidget *parent = nullptr);

    QString name() const;
    KeyType type() const;
    QString passphrase() const;

    // For tests and prefills.
    void setValues(const QString &name, KeyType type, const QString &passphrase);

public slots:
    void accept() override;

private:
    QLineEdit *m_name;
    QComboBox *m_type;
    QLineEdit *m_passphrase;
    QLineEdit *m_repeat;
    QLabel *m_error;
};

} // namespace mist
