#pragma once

#include "inventory/cloud.h"
#include "providers/provider.h"

#include <QDialog>
#include <QHash>
#include <QPointer>
#include <QVariantMap>

class QCheckBox;
class QComboBox;
class QDialogButtonBox;
class QFormLayout;
class QLabel;
class QLineEdit;
class QProgressBar;
class QSpinBox;
class QWidget;

namespace mist {

class AppCore;

// Add or edit a cloud. The form below the common fields (name, interval, enabled) is
// generated from the provider's ProviderInfo::fields. Saving is asynchronous (the provider
// validates, secrets go to the keychain, the store checks the name): the dialog stays open
// with everything typed until the core says it worked, and shows the reason when not.
class CloudDialog : public QDialog
{
    Q_OBJECT
public:
    // Adding: `existing` lets the dialog skip singleton providers that are already present.
    CloudDialog(AppCore *core, const QVector<Cloud> &existing, QWidget *parent = nullptr);
    // Editing `cloud`: the provider is fixed, secrets show empty and are only sent if typed.
    CloudDialog(AppCore *core, const Cloud &cloud, QWidget *parent = nullptr);

    bool isEditing() const { return m_editing; }
    // Prefills the add form (a discovered local hypervisor, a retry after a failed add).
    void prefill(const QString &providerId, const QString &name, const QJsonObject &config);

signals:
    void cloudSaved(const mist::Cloud &cloud);

public slots:
    void accept() override;
    void reject() override;

private:
    struct FieldWidget
    {
        FormField field;
        QWidget *editor = nullptr;   // QLineEdit, QCheckBox or QComboBox
        QLabel *label = nullptr;
    };

    void buildCommon();
    void fillProviderCombo(const QVector<Cloud> &existing);
    void showProvider(const QString &providerId);
    QWidget *createEditor(const FormField &field, QWidget *parent);
    void setEditorValue(const FieldWidget &fw, const QVariant &value);
    QVariant editorValue(const FieldWidget &fw) const;
    void rememberTypedValues();
    QString currentProviderId() const;
    Status checkForm() const;
    void setBusy(bool busy);
    void showError(const QString &message, const QString &detail = {});
    void finished(const Result<Cloud> &result);

    AppCore *m_core;
    bool m_editing = false;
    bool m_busy = false;
    Cloud m_cloud;            // the cloud being edited (ids, uuid, secret field names)
    ProviderInfo m_info;      // the provider whose form is shown
    QComboBox *m_providerCombo = nullptr;
    QLineEdit *m_nameEdit = nullptr;
    QSpinBox *m_intervalSpin = nullptr;
    QCheckBox *m_enabledCheck = nullptr;
    QFormLayout *m_form = nullptr;       // common fields
    QWidget *m_fieldsBox = nullptr;      // generated provider fields, rebuilt on provider change
    QFormLayout *m_fieldsForm = nullptr;
    QLabel *m_requiredNote = nullptr;
    QLabel *m_errorLabel = nullptr;
    QProgressBar *m_busyBar = nullptr;
    QDialogButtonBox *m_buttons = nullptr;
    QVector<FieldWidget> m_fields;
    // Values typed per provider, so switching the provider back and forth loses nothing.
    QHash<QString, QVariantMap> m_typed;
};

} // namespace mist
