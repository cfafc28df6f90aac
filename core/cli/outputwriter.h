#pragma once

#include <QDateTime>
#include <QJsonArray>
#include <QJsonObject>
#include <QJsonValue>
#include <QString>
#include <QStringList>
#include <QTextStream>
#include <QVector>

#include <optional>

namespace mist {

enum class OutputFormat { Table, Json, Csv };

std::optional<OutputFormat> outputFormatFromName(const QString &name);

// Rows of typed values under named columns: what every listing command produces, rendered
// by OutputWriter as an aligned table, a JSON array of objects or RFC 4180 CSV.
struct Records
{
    enum class Kind { Plain, Time };   // Time: ISO 8601 UTC string, shown as local time in tables

    struct Column
    {
        QString key;      // JSON key and CSV header ("last_poll")
        QString label;    // translated, "Last poll"; upper-cased as the table header
        Kind kind = Kind::Plain;
    };

    QVector<Column> columns;
    QVector<QVector<QJsonValue>> rows;

    void addColumn(const QString &key, const QString &label, Kind kind = Kind::Plain);
    // Values in column order; missing trailing values are null.
    void addRow(QVector<QJsonValue> values);
    int columnIndex(const QString &key) const;
};

// ISO 8601 in UTC for JSON/CSV; null for an invalid time (never polled, never seen).
QJsonValue timeValue(const QDateTime &time);

class OutputWriter
{
public:
    OutputWriter(OutputFormat format, QTextStream &out);

    OutputFormat format() const { return m_format; }

    // A list: table with a header, JSON array of objects (column order kept), CSV with header.
    void write(const Records &records);
    // One item: "Label: value" lines, one JSON object, or CSV header plus one row.
    void writeItem(const Records &records);
    // Already-shaped JSON (nested documents such as the provider list).
    void writeJson(const QJsonValue &value);

    // Text of one value as a table or CSV cell.
    static QString cellText(const QJsonValue &value, Records::Kind kind, OutputFormat format);
    static QString csvField(const QString &text);
    static QString jsonText(const QJsonValue &value);

private:
    void writeTable(const Records &records);
    void writeJsonArray(const Records &records);
    void writeCsv(const Records &records);
    QString jsonObjectText(const Records &records, int row) const;

    OutputFormat m_format;
    QTextStream &m_out;
};

} // namespace mist
