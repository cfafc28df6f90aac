#include "outputwriter.h"

#include <QDateTime>
#include <QJsonDocument>

#include <algorithm>

namespace mist {

std::optional<OutputFormat> outputFormatFromName(const QString &name)
{
    const QString n = name.trimmed().toLower();
    if (n == QLatin1String("table"))
        return OutputFormat::Table;
    if (n == QLatin1String("json"))
        return OutputFormat::Json;
    if (n == QLatin1String("csv"))
        return OutputFormat::Csv;
    return std::nullopt;
}

void Records::addColumn(const QString &key, const QString &label, Kind kind)
{
    columns.append(Column{key, label, kind});
}

void Records::addRow(QVector<QJsonValue> values)
{
    values.resize(columns.size());   // new elements are null QJsonValues
    rows.append(std::move(values));
}

int Records::columnIndex(const QString &key) const
{
    for (int i = 0; i < columns.size(); ++i)
        if (columns.at(i).key == key)
            return i;
    return -1;
}

QJsonValue timeValue(const QDateTime &time)
{
    if (!time.isValid())
        return QJsonValue(QJsonValue::Null);
    return time.toUTC().toString(Qt::ISODate);
}

OutputWriter::OutputWriter(OutputFormat format, QTextStream &out)
    : m_format(format)
    , m_out(out)
{
}

QString OutputWriter::jsonText(const QJsonValue &value)
{
    // QJsonDocument only serialises containers: wrap the value and strip the brackets.
    const QByteArray wrapped = QJsonDocument(QJsonArray{value}).toJson(QJsonDocument::Compact);
    return QString::fromUtf8(wrapped.mid(1, wrapped.size() - 2));
}

QString OutputWriter::cellText(const QJsonValue &value, Records::Kind kind, OutputFormat format)
{
    switch (value.type()) {
    case QJsonValue::Null:
    case QJsonValue::Undefined:
        return {};
    case QJsonValue::Bool:
        if (format == OutputFormat::Table)
            return value.toBool() ? QStringLiteral("yes") : QStringLiteral("no");
        return value.toBool() ? QStringLiteral("true") : QStringLiteral("false");
    case QJsonValue::Double: {
        const double d = value.toDouble();
        if (d == double(qint64(d)))
            return QString::number(qint64(d));
        return QString::number(d, 'f', 2);
    }
    case QJsonValue::String:
        if (kind == Records::Kind::Time && format == OutputFormat::Table) {
            const QDateTime t = QDateTime::fromString(value.toString(), Qt::ISODate);
            if (t.isValid())
                return t.toLocalTime().toString(QStringLiteral("yyyy-MM-dd HH:mm:ss"));
        }
        return value.toString();
    case QJsonValue::Array: {
        QStringList parts;
        for (const QJsonValue &v : value.toArray())
            parts << cellText(v, Records::Kind::Plain, format);
        return parts.join(QStringLiteral(", "));
    }
    case QJsonValue::Object: {
        // Tags: "key=value", or just "key" when the value is empty.
        QStringList parts;
        const QJsonObject o = value.toObject();
        for (auto it = o.begin(); it != o.end(); ++it) {
            const QString v = cellText(it.value(), Records::Kind::Plain, format);
            parts << (v.isEmpty() ? it.key() : it.key() + QLatin1Char('=') + v);
        }
        return parts.join(QStringLiteral(", "));
    }
    }
    return {};
}

QString OutputWriter::csvField(const QString &text)
{
    // RFC 4180: quote fields holding a separator, a quote or a line break; double the quotes.
    if (!text.contains(QLatin1Char(',')) && !text.contains(QLatin1Char('"')) && !text.contains(QLatin1Char('\n'))
        && !text.contains(QLatin1Char('\r')))
        return text;
    QString quoted = text;
    quoted.replace(QLatin1Char('"'), QStringLiteral("\"\""));
    return QLatin1Char('"') + quoted + QLatin1Char('"');
}

void OutputWriter::write(const Records &records)
{
    switch (m_format) {
    case OutputFormat::Table:
        writeTable(records);
        break;
    case OutputFormat::Json:
        writeJsonArray(records);
        break;
    case OutputFormat::Csv:
        writeCsv(records);
        break;
    }
    m_out.flush();
}

void OutputWriter::writeItem(const Records &records)
{
    if (records.rows.isEmpty()) {
        write(records);
        return;
    }
    if (m_format == OutputFormat::Csv) {
        writeCsv(records);
    } else if (m_format == OutputFormat::Json) {
        const QVector<QJsonValue> &row = records.rows.constFirst();
        m_out << "{\n";
        for (int c = 0; c < records.columns.size(); ++c) {
            m_out << "  " << jsonText(records.columns.at(c).key) << ": " << jsonText(row.at(c))
                  << (c + 1 < records.columns.size() ? ",\n" : "\n");
        }
        m_out << "}\n";
    } else {
        int width = 0;
        for (const Records::Column &c : records.columns)
            width = std::max(width, int(c.label.size()) + 1);
        const QVector<QJsonValue> &row = records.rows.constFirst();
        for (int c = 0; c < records.columns.size(); ++c) {
            const Records::Column &col = records.columns.at(c);
            QString text = cellText(row.at(c), col.kind, m_format).simplified();
            if (text.isEmpty())
                text = QStringLiteral("-");
            m_out << (col.label + QLatin1Char(':')).leftJustified(width + 1) << text << '\n';
        }
    }
    m_out.flush();
}

void OutputWriter::writeJson(const QJsonValue &value)
{
    const QJsonDocument doc = value.isArray() ? QJsonDocument(value.toArray()) : QJsonDocument(value.toObject());
    m_out << QString::fromUtf8(doc.toJson(QJsonDocument::Indented));
    m_out.flush();
}

void OutputWriter::writeTable(const Records &records)
{
    const int n = records.columns.size();
    QVector<QStringList> cells;
    cells.reserve(records.rows.size() + 1);
    QStringList header;
    for (const Records::Column &c : records.columns)
        header << c.label.toUpper();
    cells << header;
    for (const QVector<QJsonValue> &row : records.rows) {
        QStringList line;
        for (int c = 0; c < n; ++c) {
            // One line per row: line breaks in messages would break the alignment.
            QString text = cellText(row.at(c), records.columns.at(c).kind, m_format).simplified();
            line << (text.isEmpty() ? QStringLiteral("-") : text);
        }
        cells << line;
    }
    QVector<int> widths(n, 0);
    for (const QStringList &line : std::as_const(cells))
        for (int c = 0; c < n; ++c)
            widths[c] = std::max(widths[c], int(line.at(c).size()));
    for (const QStringList &line : std::as_const(cells)) {
        QString text;
        for (int c = 0; c < n; ++c) {
            if (c + 1 < n)
                text += line.at(c).leftJustified(widths[c] + 2);
            else
                text += line.at(c);
        }
        m_out << text << '\n';
    }
}

QString OutputWriter::jsonObjectText(const Records &records, int row) const
{
    QStringList members;
    const QVector<QJsonValue> &values = records.rows.at(row);
    for (int c = 0; c < records.columns.size(); ++c)
        members << jsonText(records.columns.at(c).key) + QStringLiteral(": ") + jsonText(values.at(c));
    return QLatin1Char('{') + members.join(QStringLiteral(", ")) + QLatin1Char('}');
}

void OutputWriter::writeJsonArray(const Records &records)
{
    // Written by hand rather than through QJsonObject so keys keep the column order.
    if (records.rows.isEmpty()) {
        m_out << "[]\n";
        return;
    }
    m_out << "[\n";
    for (int r = 0; r < records.rows.size(); ++r)
        m_out << "  " << jsonObjectText(records, r) << (r + 1 < records.rows.size() ? ",\n" : "\n");
    m_out << "]\n";
}

void OutputWriter::writeCsv(const Records &records)
{
    QStringList header;
    for (const Records::Column &c : records.columns)
        header << csvField(c.key);
    m_out << header.join(QLatin1Char(',')) << "\r\n";
    for (const QVector<QJsonValue> &row : records.rows) {
        QStringList line;
        for (int c = 0; c < records.columns.size(); ++c)
            line << csvField(cellText(row.at(c), records.columns.at(c).kind, m_format));
        m_out << line.join(QLatin1Char(',')) << "\r\n";
    }
}

} // namespace mist
