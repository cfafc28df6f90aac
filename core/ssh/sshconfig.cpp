#include "sshconfig.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QSysInfo>

#include <algorithm>

namespace mist {

namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("SshConfig", text);
}

// OpenSSH's limit (READCONF_MAX_DEPTH): deeper Includes are refused, which also stops loops.
constexpr int kMaxIncludeDepth = 16;
// Config files are small; a huge file is a mistake (or /dev/zero), not a config.
constexpr qint64 kMaxFileSize = 4 * 1024 * 1024;

bool hasWildcard(const QString &s)
{
    return s.contains(QLatin1Char('*')) || s.contains(QLatin1Char('?'));
}

// Splits one line into keyword and arguments the way ssh does: "key value", "key=value",
// "key = value"; double or single quotes group words; backslash escapes a quote,
// a backslash or a space; an unquoted '#' starts a comment. False on an unterminated quote.
bool splitLine(const QString &line, QString *keyword, QStringList *args)
{
    const qsizetype n = line.size();
    qsizetype i = 0;
    auto skipSpace = [&] {
        while (i < n && line.at(i).isSpace())
            ++i;
    };
    skipSpace();
    const qsizetype start = i;
    while (i < n && !line.at(i).isSpace() && line.at(i) != QLatin1Char('='))
        ++i;
    *keyword = line.mid(start, i - start);
    skipSpace();
    if (i < n && line.at(i) == QLatin1Char('='))
        ++i;
    while (true) {
        skipSpace();
        if (i >= n || line.at(i) == QLatin1Char('#'))
            return true;
        QString token;
        while (i < n && !line.at(i).isSpace()) {
            const QChar c = line.at(i);
            if (c == QLatin1Char('"') || c == QLatin1Char('\'')) {
                ++i;
                bool closed = false;
                while (i < n) {
                    if (line.at(i) == QLatin1Char('\\') && i + 1 < n
                        && (line.at(i + 1) == c || line.at(i + 1) == QLatin1Char('\\'))) {
                        token += line.at(i + 1);
                        i += 2;
                        continue;
                    }
                    if (line.at(i) == c) {
                        closed = true;
                        ++i;
                        break;
                    }
                    token += line.at(i++);
                }
                if (!closed)
                    return false;
            } else if (c == QLatin1Char('\\') && i + 1 < n
                       && (line.at(i + 1).isSpace() || line.at(i + 1) == QLatin1Char('"')
                           || line.at(i + 1) == QLatin1Char('\'') || line.at(i + 1) == QLatin1Char('\\'))) {
                token += line.at(i + 1);
                i += 2;
            } else {
                token += c;
                ++i;
            }
        }
        *args << token;
    }
}

bool isKeyword(const QString &word)
{
    if (word.isEmpty())
        return false;
    for (const QChar c : word)
        if (!(c.isLetterOrNumber() && c.unicode() < 128))
            return false;
    return word.at(0).isLetter();
}

} // namespace

bool sshPatternMatch(QStringView pattern, QStringView text)
{
    qsizetype t = 0, p = 0, star = -1, mark = 0;
    while (t < text.size()) {
        if (p < pattern.size() && (pattern[p] == QLatin1Char('?') || pattern[p].toLower() == text[t].toLower())) {
            ++t;
            ++p;
        } else if (p < pattern.size() && pattern[p] == QLatin1Char('*')) {
            star = p++;
            mark = t;
        } else if (star >= 0) {
            p = star + 1;
            t = ++mark;
        } else {
            return false;
        }
    }
    while (p < pattern.size() && pattern[p] == QLatin1Char('*'))
        ++p;
    return p == pattern.size();
}

bool SshConfig::Patterns::matches(const QString &host) const
{
    for (const QString &n : negative)
        if (sshPatternMatch(n, host))
            return false;
    for (const QString &p : positive)
        if (sshPatternMatch(p, host))
            return true;
    return false;
}

SshConfig::Environment SshConfig::Environment::current()
{
    Environment env;
    env.homeDir = QDir::homePath();
    env.localUser = qEnvironmentVariable("USER");
    if (env.localUser.isEmpty())
        env.localUser = qEnvironmentVariable("LOGNAME");
    if (env.localUser.isEmpty())
        env.localUser = qEnvironmentVariable("USERNAME");   // Windows
    env.localHostName = QSysInfo::machineHostName();
    return env;
}

SshConfig::SshConfig(Environment env)
    : m_env(std::move(env))
{
}

QString SshConfig::defaultPath(const Environment &env)
{
    return QDir(env.homeDir).filePath(QStringLiteral(".ssh/config"));
}

Result<SshConfig> SshConfig::fromFile(const QString &path, const Environment &env)
{
    QFile f(path);
    if (!QFileInfo::exists(path))
        return Error{tr("The SSH config file does not exist"), path};
    if (QFileInfo(path).isDir())
        return Error{tr("The SSH config path is a folder, not a file"), path};
    if (!f.open(QIODevice::ReadOnly))
        return Error{tr("The SSH config file could not be read"), f.errorString() + QStringLiteral(": ") + path};
    if (f.size() > kMaxFileSize)
        return Error{tr("The SSH config file is far too big to be one"), path};
    SshConfig config(env);
    config.m_files << QFileInfo(path).absoluteFilePath();
    config.parseText(QString::fromUtf8(f.read(kMaxFileSize)), path, Context{}, 0);
    return config;
}

SshConfig SshConfig::fromText(const QString &text, const QString &fileName, const Environment &env)
{
    SshConfig config(env);
    config.parseText(text, fileName, Context{}, 0);
    return config;
}

void SshConfig::warn(const QString &location, const QString &message)
{
    m_warnings << location + QStringLiteral(": ") + message;
}

void SshConfig::parseFile(const QString &path, const Context &outer, int depth, const QString &includedFrom)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly)) {
        warn(includedFrom, tr("could not read the included file %1 (%2)").arg(path, f.errorString()));
        return;
    }
    if (f.size() > kMaxFileSize) {
        warn(includedFrom, tr("the included file %1 is far too big to be a config file; ignored").arg(path));
        return;
    }
    m_files << QFileInfo(path).absoluteFilePath();
    parseText(QString::fromUtf8(f.read(kMaxFileSize)), path, outer, depth);
}

void SshConfig::parseText(const QString &text, const QString &fileName, const Context &outer, int depth)
{
    // The block a line belongs to: the file starts in the includer's context; a Host line
    // adds its patterns to it; a Match line makes everything up to the next Host ignored.
    Context current = outer;
    bool inMatch = false;
    const QStringList lines = text.split(QLatin1Char('\n'));
    for (int i = 0; i < lines.size(); ++i) {
        QString line = lines.at(i);
        if (line.endsWith(QLatin1Char('\r')))
            line.chop(1);
        const QString location = QStringLiteral("%1:%2").arg(fileName).arg(i + 1);
        const QString trimmed = line.trimmed();
        if (trimmed.isEmpty() || trimmed.startsWith(QLatin1Char('#')))
            continue;
        QString keyword;
        QStringList args;
        if (!splitLine(line, &keyword, &args)) {
            warn(location, tr("unterminated quote; line ignored"));
            continue;
        }
        if (!isKeyword(keyword)) {
            warn(location, tr("\"%1\" is not a configuration keyword; line ignored").arg(keyword.left(40)));
            continue;
        }
        const QString key = keyword.toLower();

        if (key == QLatin1String("host")) {
            inMatch = false;
            Patterns p;
            for (const QString &a : std::as_const(args)) {
                if (a.startsWith(QLatin1Char('!'))) {
                    if (a.size() > 1)
                        p.negative << a.mid(1);
                    else
                        warn(location, tr("a lone \"!\" in a Host line is ignored"));
                } else if (!a.isEmpty()) {
                    p.positive << a;
                }
            }
            if (args.isEmpty())
                warn(location, tr("Host needs at least one pattern; the block matches nothing"));
            m_patterns << p;
            current = outer;
            current.patterns << int(m_patterns.size() - 1);
            // An alias counts only where its block can apply (an Include inside "Host x"
            // only ever applies to x).
            if (!outer.never)
                for (const QString &alias : std::as_const(p.positive))
                    if (!hasWildcard(alias) && p.matches(alias)
                        && std::all_of(outer.patterns.cbegin(), outer.patterns.cend(),
                                       [&](int i) { return m_patterns.at(i).matches(alias); }))
                        m_aliases << alias;
            continue;
        }
        if (key == QLatin1String("match")) {
            inMatch = true;
            warn(location, tr("Match blocks are not supported; the settings up to the next Host line are ignored"));
            continue;
        }
        Context here = current;
        here.never = here.never || inMatch;
        if (key == QLatin1String("include")) {
            if (args.isEmpty())
                warn(location, tr("Include needs a file name"));
            else
                include(args, here, depth, location);
            continue;
        }
        if (here.never)
            continue;

        static const QStringList oneValue{QStringLiteral("hostname"), QStringLiteral("user"), QStringLiteral("port"),
                                          QStringLiteral("identityfile"), QStringLiteral("proxyjump")};
        if (!oneValue.contains(key))
            continue;   // every other option is ssh's business, not an import's
        if (args.isEmpty() || args.constFirst().isEmpty()) {
            warn(location, tr("%1 needs a value; line ignored").arg(keyword));
            continue;
        }
        if (args.size() > 1)
            warn(location, tr("%1 takes one value; \"%2\" and what follows are ignored").arg(keyword, args.at(1)));
        if (key == QLatin1String("port")) {
            bool ok = false;
            const int port = args.constFirst().toInt(&ok);
            if (!ok || port < 1 || port > 65535) {
                warn(location, tr("bad port \"%1\"; line ignored").arg(args.constFirst()));
                continue;
            }
        }
        m_directives << Directive{key, {args.constFirst()}, location, here.patterns};
    }
}

void SshConfig::include(const QStringList &args, const Context &context, int depth, const QString &location)
{
    if (depth + 1 > kMaxIncludeDepth) {
        warn(location, tr("Include nested more than %1 levels deep (a loop?); ignored").arg(kMaxIncludeDepth));
        return;
    }
    for (const QString &arg : args) {
        QString path = arg;
        if (path.startsWith(QLatin1String("~/")) || path == QLatin1String("~"))
            path = m_env.homeDir + path.mid(1);
        else if (!QDir::isAbsolutePath(path))
            path = QDir(m_env.homeDir).filePath(QStringLiteral(".ssh/") + path);   // as ssh does for user configs
        const QStringList matches = hasWildcard(path) ? glob(path) : QStringList{path};
        for (const QString &file : matches) {
            if (!hasWildcard(path) && !QFileInfo::exists(file))
                continue;   // ssh ignores an Include that names nothing
            if (QFileInfo(file).isDir()) {
                warn(location, tr("Include names a folder (%1); ignored").arg(file));
                continue;
            }
            parseFile(file, context, depth + 1, location);
        }
    }
}

// Expands '*' and '?' in any path component; results sorted per folder like glob(3).
QStringList SshConfig::glob(const QString &pattern) const
{
    const QString clean = QDir::cleanPath(pattern);
    QStringList parts = clean.split(QLatin1Char('/'));
    QStringList found{clean.startsWith(QLatin1Char('/')) ? QStringLiteral("/") : QString()};
    for (int i = 0; i < parts.size(); ++i) {
        const QString &part = parts.at(i);
        if (part.isEmpty())
            continue;
        const bool last = i == parts.size() - 1;
        QStringList next;
        for (const QString &base : std::as_const(found)) {
            const QString dir = base.isEmpty() ? QStringLiteral(".") : base;
            auto join = [&](const QString &name) { return base.endsWith(QLatin1Char('/')) || base.isEmpty() ? base + name : base + QLatin1Char('/') + name; };
            if (!hasWildcard(part)) {
                next << join(part);
                continue;
            }
            QDir d(dir);
            QStringList names = d.entryList({part}, (last ? QDir::Files | QDir::Dirs : QDir::Dirs) | QDir::NoDotAndDotDot,
                                            QDir::Name);
            for (const QString &name : std::as_const(names))
                if (!name.startsWith(QLatin1Char('.')) || part.startsWith(QLatin1Char('.')))
                    next << join(name);
        }
        found = next;
    }
    QStringList out;
    for (const QString &f : std::as_const(found))
        if (QFileInfo::exists(f))
            out << f;
    return out;
}

QString SshConfig::expandTokens(const QString &text, const SshHostConfig &host) const
{
    QString out;
    for (qsizetype i = 0; i < text.size(); ++i) {
        const QChar c = text.at(i);
        if (c != QLatin1Char('%') || i + 1 >= text.size()) {
            out += c;
            continue;
        }
        const QChar t = text.at(++i);
        switch (t.unicode()) {
        case '%': out += QLatin1Char('%'); break;
        case 'd': out += m_env.homeDir; break;
        case 'u': out += m_env.localUser; break;
        case 'h': out += host.hostName; break;
        case 'r': out += host.user.isEmpty() ? m_env.localUser : host.user; break;
        case 'p': out += QString::number(host.port); break;
        case 'l': out += m_env.localHostName; break;
        case 'L': out += m_env.localHostName.section(QLatin1Char('.'), 0, 0); break;
        case 'n': out += host.alias; break;
        default: out += c; out += t; break;   // unknown: kept as written
        }
    }
    return out;
}

SshHostConfig SshConfig::resolve(const QString &alias) const
{
    SshHostConfig host;
    host.alias = alias;
    QString hostName, port, user, jump;
    QStringList identities;
    for (const Directive &d : m_directives) {
        bool applies = true;
        for (int p : d.patterns)
            if (!m_patterns.at(p).matches(alias)) {
                applies = false;
                break;
            }
        if (!applies)
            continue;
        const QString &value = d.args.constFirst();
        // The first value obtained wins; IdentityFile adds up.
        if (d.keyword == QLatin1String("hostname") && hostName.isNull())
            hostName = value;
        else if (d.keyword == QLatin1String("user") && user.isNull())
            user = value;
        else if (d.keyword == QLatin1String("port") && port.isNull())
            port = value;
        else if (d.keyword == QLatin1String("proxyjump") && jump.isNull())
            jump = value;
        else if (d.keyword == QLatin1String("identityfile") && !identities.contains(value))
            identities << value;
    }
    // HostName knows only %h (the alias) and %%.
    host.hostName = hostName.isNull() ? alias : QString(hostName).replace(QStringLiteral("%%"), QStringLiteral("\x01"))
                                                    .replace(QStringLiteral("%h"), alias)
                                                    .replace(QStringLiteral("\x01"), QStringLiteral("%"));
    host.user = user;
    host.port = port.isNull() ? 22 : port.toInt();
    host.proxyJump = jump.compare(QLatin1String("none"), Qt::CaseInsensitive) == 0 ? QString() : jump;
    for (const QString &raw : std::as_const(identities)) {
        if (raw.compare(QLatin1String("none"), Qt::CaseInsensitive) == 0)
            continue;
        QString path = raw;
        if (path == QLatin1String("~") || path.startsWith(QLatin1String("~/")))
            path = m_env.homeDir + path.mid(1);
        path = expandTokens(path, host);
        if (QDir::isRelativePath(path))
            path = QDir(m_env.homeDir).filePath(path);   // ssh runs from the home folder, usually
        if (!host.identityFiles.contains(path))
            host.identityFiles << path;
    }
    return host;
}

QVector<SshHostConfig> SshConfig::importableHosts() const
{
    QVector<SshHostConfig> out;
    QStringList seen;
    for (const QString &alias : m_aliases) {
        if (seen.contains(alias, Qt::CaseInsensitive))
            continue;
        seen << alias;
        out << resolve(alias);
    }
    return out;
}

} // namespace mist
