#pragma once

#include "util/result.h"

#include <QString>

namespace mist {

// The contents of a FormField::Type::SecretFile (a TLS private key, a kubeconfig token file):
// what goes to the keychain. Empty, unreadable or implausibly large (> 1 MiB) files are errors,
// never silently truncated.
Result<QString> readSecretFile(const QString &path);

} // namespace mist
