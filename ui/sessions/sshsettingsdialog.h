#pragma once

#include "inventory/machine.h"
#include "keys/sshkey.h"

#include <QDialog>

class QComboBox;
class QLabel;
class QLineEdit;
class QSpinBox;

namespace mist {

class AppCore;

// "SSH settings…" of one machine: which key, user, port and jump hosts to use (Mist's key
// association). Empty fields fall back to what the provider knows and then to the defaults
// (root, 22, the default key, the ssh-agent). Loaded and saved on the store thread.
class SshSettingsDialog : public QDialog
{
    Q_OBJECT
public:
    SshSettingsDialog(AppCore *core, const Machine &machine, QWidget *parent = nullptr);

    void accept() override;

signals:
    void saved();

private:
    void load();
    void showError(const QString &text);

    AppCore *m_core;
    Machine m_machine;
    QComboBox *m_key;
    QLineEdit *m_user;
    QSpinBox *m_port;
    QLineEdit *m_jump;
    QLabel *m_error;
};

} // namespace mist
