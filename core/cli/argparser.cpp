#include "argparser.h"

#include <QCoreApplication>

#include <algorithm>
#include <utility>

namespace mist {

namespace {
QString tr(const char *text)
{
    return QCoreApplication::translate("ArgParser", text);
}
} // namespace

QString ArgParser::Option::key() const
{
    for (const QString &n : names)
        if (n.startsWith(QLatin1String("--")))
            return n.mid(2);
    return names.value(0).mid(1);
}

ArgParser::ArgParser(QString command, QString synopsis, QString description)
    : m_command(std::move(command))
    , m_synopsis(std::move(synopsis))
    , m_description(std::move(description))
{
}

void ArgParser::addOption(const QStringList &names, const QString &valueName, const QString &help, bool global)
{
    m_options.append(Option{names, valueName, help, global});
}

void ArgParser::addPositional(const QString &name, const QString &help)
{
    m_positionalHelp.append({name, help});
}

void ArgParser::addNote(const QString &text)
{
    m_notes << text;
}

const ArgParser::Option *ArgParser::find(const QString &name) const
{
    for (const Option &o : m_options)
        if (o.names.contains(name))
            return &o;
    return nullptr;
}

bool ArgParser::parse(const QStringList &args)
{
    m_values.clear();
    m_positionals.clear();
    m_error.clear();
    bool optionsEnded = false;
    for (int i = 0; i < args.size(); ++i) {
        const QString &arg = args.at(i);
        // "-" alone is a positional (conventionally stdin); so is everything after "--".
        if (optionsEnded || arg.size() < 2 || !arg.startsWith(QLatin1Char('-'))) {
            m_positionals << arg;
            continue;
        }
        if (arg == QLatin1String("--")) {
            optionsEnded = true;
            continue;
        }
        QString name = arg;
        QString inlineValue;
        bool hasInline = false;
        if (arg.startsWith(QLatin1String("--"))) {
            const qsizetype eq = arg.indexOf(QLatin1Char('='));
            if (eq > 0) {
                name = arg.left(eq);
                inlineValue = arg.mid(eq + 1);
                hasInline = true;
            }
        } else if (arg.size() > 2 && !find(arg)) {
            // "-ojson": a short option with its value attached.
            name = arg.left(2);
            inlineValue = arg.mid(2);
            hasInline = true;
        }
        const Option *option = find(name);
        if (!option) {
            m_error = tr("unknown option \"%1\"").arg(name);
            return false;
        }
        if (option->valueName.isEmpty()) {
            if (hasInline) {
                m_error = tr("option \"%1\" takes no value").arg(name);
                return false;
            }
            m_values[option->key()] << QString();
            continue;
        }
        if (hasInline) {
            m_values[option->key()] << inlineValue;
            continue;
        }
        if (i + 1 >= args.size()) {
            m_error = tr("option \"%1\" needs a value (%2)").arg(name, option->valueName);
            return false;
        }
        m_values[option->key()] << args.at(++i);
    }
    return true;
}

bool ArgParser::isSet(const QString &key) const
{
    return m_values.contains(key);
}

QString ArgParser::value(const QString &key) const
{
    const QStringList v = m_values.value(key);
    return v.isEmpty() ? QString() : v.constLast();
}

QStringList ArgParser::values(const QString &key) const
{
    return m_values.value(key);
}

QString ArgParser::helpText() const
{
    QStringList usage{QStringLiteral("mist")};
    for (const QString &part : {m_command, m_synopsis})
        if (!part.isEmpty())
            usage << part;
    QString text = tr("Usage: %1").arg(usage.join(QLatin1Char(' '))) + QLatin1Char('\n');
    QString description = m_description;
    while (description.endsWith(QLatin1Char('\n')))
        description.chop(1);
    if (!description.isEmpty())
        text += QLatin1Char('\n') + description + QLatin1Char('\n');

    auto optionLabel = [](const Option &o) {
        QString label = o.names.join(QStringLiteral(", "));
        if (!o.valueName.isEmpty())
            label += QLatin1Char(' ') + o.valueName;
        return label;
    };
    int width = 0;
    for (const auto &p : m_positionalHelp)
        width = std::max(width, int(p.first.size()));
    for (const Option &o : m_options)
        width = std::max(width, int(optionLabel(o).size()));
    width += 2;

    auto section = [&](const QString &title, const QVector<QPair<QString, QString>> &items) {
        if (items.isEmpty())
            return;
        text += QLatin1Char('\n') + title + QLatin1Char('\n');
        const QString indent = QLatin1Char('\n') + QString(width + 2, QLatin1Char(' '));
        for (const auto &item : items) {
            QString help = item.second;
            text += QStringLiteral("  ") + item.first.leftJustified(width) + help.replace(QLatin1Char('\n'), indent)
                    + QLatin1Char('\n');
        }
    };
    section(tr("Arguments:"), m_positionalHelp);
    QVector<QPair<QString, QString>> own, global;
    for (const Option &o : m_options)
        (o.global ? global : own).append({optionLabel(o), o.help});
    section(tr("Options:"), own);
    section(tr("Global options:"), global);
    for (const QString &note : m_notes)
        text += QLatin1Char('\n') + note + QLatin1Char('\n');
    return text;
}

} // namespace mist
