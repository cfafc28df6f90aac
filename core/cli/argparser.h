#pragma once

#include <QHash>
#include <QString>
#include <QStringList>
#include <QVector>

namespace mist {

// The command line of one `mist` command: options (flags, or taking a value; any option
// may be repeated), positional arguments, and the help text generated from them.
// QCommandLineParser is built for one flat command and exits on errors by itself; the
// CLI needs sub-commands, its own exit codes and options anywhere on the line.
class ArgParser
{
public:
    // command: "clouds add"; synopsis: "PROVIDER NAME [options]"; description: one paragraph.
    ArgParser(QString command, QString synopsis, QString description);

    // names: {"-o", "--output"}; valueName empty = a flag. The first long name is the key.
    void addOption(const QStringList &names, const QString &valueName, const QString &help,
                   bool global = false);
    void addPositional(const QString &name, const QString &help);
    void addNote(const QString &text);   // extra paragraph at the end of the help

    // Parses everything after the command words. Stops treating "-x" as options after "--".
    bool parse(const QStringList &args);
    QString errorText() const { return m_error; }

    bool isSet(const QString &key) const;
    QString value(const QString &key) const;   // last one given
    QStringList values(const QString &key) const;
    QStringList positionals() const { return m_positionals; }

    QString command() const { return m_command; }
    QString helpText() const;

private:
    struct Option
    {
        QStringList names;
        QString valueName;
        QString help;
        bool global = false;
        QString key() const;
    };

    const Option *find(const QString &name) const;

    QString m_command;
    QString m_synopsis;
    QString m_description;
    QVector<Option> m_options;
    QVector<QPair<QString, QString>> m_positionalHelp;
    QStringList m_notes;

    QHash<QString, QStringList> m_values;   // key -> values (flags hold one empty string each)
    QStringList m_positionals;
    QString m_error;
};

} // namespace mist
