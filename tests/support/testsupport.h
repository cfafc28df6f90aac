#pragma once

#include <QByteArray>
#include <QString>
#include <QStringList>

namespace mist::test {

// Path of a file under tests/data.
QString dataFile(const QString &relative);

// Every file below `dir` whose bytes contain `needle` (for "the secret is not on disk" scans).
QStringList filesContaining(const QString &dir, const QByteArray &needle);

// True when a Secret Service answers on the session bus (the test command starts one).
bool secretServiceAvailable();

} // namespace mist::test

// Ends the test when no Secret Service answers: a failure under the test command (which
// starts one, MIST_REQUIRE_KEYCHAIN), a skip elsewhere.
#define MIST_REQUIRE_KEYCHAIN()                                                                    \
    do {                                                                                           \
        if (!mist::test::secretServiceAvailable()) {                                               \
            if (qEnvironmentVariableIsSet("MIST_REQUIRE_KEYCHAIN"))                                \
                QFAIL("No Secret Service on the session bus; the test command should have started gnome-keyring-daemon"); \
            QSKIP("No Secret Service on the session bus (run through scripts/with-keyring.sh)");   \
        }                                                                                          \
    } while (false)
