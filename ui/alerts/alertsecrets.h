#pragma once

#include "util/result.h"

#include <QHash>
#include <QObject>
#include <QString>
#include <QStringList>

#include <functional>

namespace mist {

// Secret webhook header values of one rule in the keychain (owner "alert/<rule id>", field
// "header:<Name>"). The keychain blocks, so the work runs on a worker thread; `done` runs on
// `context`'s thread unless it is gone.
struct AlertSecretChanges
{
    QHash<QString, QString> write;   // header name -> value
    QStringList remove;              // header names

    bool isEmpty() const { return write.isEmpty() && remove.isEmpty(); }
};

void applyAlertSecrets(const QString &ruleId, const AlertSecretChanges &changes, QObject *context,
                       std::function<void(Status)> done);

} // namespace mist
