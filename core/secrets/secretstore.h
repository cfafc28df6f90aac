#pragma once

#include "util/result.h"

#include <QHash>
#include <QString>

namespace mist {

// Secrets (passwords, tokens, private keys) live only in the OS keychain through QtKeychain
// with the insecure plaintext fallback switched off. Everything else stores a reference:
// the cloud's uuid and the field name, which together form the keychain key
// "<cloud-uuid>/<field>" under the service name.
//
// The calls block until the keychain answers (a local event loop drives the QtKeychain
// job), so they belong on worker threads and in the CLI, never on the GUI thread.
class SecretStore
{
public:
    explicit SecretStore(QString service = defaultService());

    static QString defaultService();   // "mist-desktop", or $MIST_KEYCHAIN_SERVICE (tests)

    Status write(const QString &owner, const QString &field, const QString &secret);
    Result<QString> read(const QString &owner, const QString &field);
    Status remove(const QString &owner, const QString &field);   // absent is not an error

    // Convenience for a cloud's secret fields.
    Status writeAll(const QString &owner, const QHash<QString, QString> &secrets);
    Result<QHash<QString, QString>> readAll(const QString &owner, const QStringList &fields);
    Status removeAll(const QString &owner, const QStringList &fields);

private:
    QString m_service;
};

} // namespace mist
