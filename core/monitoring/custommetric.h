#pragma once

#include "monitoring/metricsample.h"

#include <QByteArray>
#include <QString>

#include <chrono>

namespace mist {

class SshSession;

// A user-defined metric: a command whose stdout is one number, or `name value` lines.
struct CustomMetric
{
    QString name;          // series name; with `name value` lines each becomes "<name>.<line name>"
    QString command;
    QString unit;
    int intervalSeconds = 60;

    bool operator==(const CustomMetric &) const = default;
};

class CustomMetricParser
{
public:
    // "42.5" -> {name, 42.5}; "a 1\nb 2" -> {name.a, 1}, {name.b, 2}. Anything else (text, NaN,
    // an empty answer, a line without a value) is an Error naming the line. Pure; any thread.
    static Result<QVector<MetricPoint>> parse(const QByteArray &stdoutText, const CustomMetric &metric);
    // Runs the command over an open session (blocking; the session's worker thread) and parses it.
    // A non-zero exit status is an Error carrying stderr.
    static Result<QVector<MetricPoint>> run(SshSession &session, const CustomMetric &metric,
                                            std::chrono::milliseconds timeout = std::chrono::seconds(30));
    // The same on this computer ("/bin/sh -c"), for "This computer" (blocking; a worker thread).
    static Result<QVector<MetricPoint>> runLocal(const CustomMetric &metric,
                                                 std::chrono::milliseconds timeout = std::chrono::seconds(30));
};

} // namespace mist
