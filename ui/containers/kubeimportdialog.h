#pragma once

#include "providers/kubernetes/kubeconfig.h"

#include <QDialog>

class QLabel;
class QLineEdit;
class QPushButton;
class QTreeWidget;

namespace mist {

class AppCore;

// "Import kubeconfig…": reads the files (on a worker), lists their contexts with server,
// namespace, user and warnings (insecure TLS in orange), and adds the checked ones as
// Kubernetes clouds: tokens and client keys to the keychain first, as every cloud.
class KubeImportDialog : public QDialog
{
    Q_OBJECT
public:
    // Empty paths: $KUBECONFIG or ~/.kube/config.
    KubeImportDialog(AppCore *core, const QStringList &paths, QWidget *parent = nullptr);

    void load(const QStringList &paths);
    int contextCount() const;
    void setChecked(const QString &context, bool checked);

public slots:
    void accept() override;   // imports the checked contexts

signals:
    void loaded();
    void imported(int clouds);   // after accept, when every checked context was added

private:
    void show(const Result<KubeconfigImport> &config);
    void browse();
    void setError(const QString &text);

    AppCore *m_core;
    KubeconfigImport m_config;
    QLineEdit *m_path;
    QTreeWidget *m_list;
    QLabel *m_message;
    QPushButton *m_import;
    int m_pending = 0;
    int m_added = 0;
    int m_failed = 0;
};

} // namespace mist
