#pragma once

#include "ssh/sshconfig.h"

#include <QDialog>

class QLabel;
class QLineEdit;
class QTreeWidget;

namespace mist {

class AppCore;

// "Import hosts from ~/.ssh/config": reads the file (and its Includes) on a worker, lists
// its concrete hosts with what they resolve to and any warnings, and adds the checked ones
// as one "Other server" cloud.
class SshConfigImportDialog : public QDialog
{
    Q_OBJECT
public:
    explicit SshConfigImportDialog(AppCore *core, QWidget *parent = nullptr,
                                   const QString &path = SshConfig::defaultPath());

    void accept() override;

signals:
    void imported(const QString &cloudName, int hosts);

private:
    void load();
    void showError(const QString &text);

    AppCore *m_core;
    QString m_path;
    std::optional<SshConfig> m_config;
    QLineEdit *m_name;
    QTreeWidget *m_hosts;
    QLabel *m_warnings;
    QLabel *m_error;
};

} // namespace mist
