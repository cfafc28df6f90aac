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
