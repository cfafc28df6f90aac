#include "clicontext.h"

#include "inventory/auditentry.h"
#include "services/appcore.h"
#include "util/logging.h"

#include <QCoreApplication>
#include <QUuid>

#include <algorithm>

namespace mist {

namespace {
QString tr(const char *text)
{
    return QCoreApplication::translate("CliContext", text);
}

// The same setting the desktop app reads, so both age missing machines alike.
} // namespace

CliContext::CliContext(QTextStream &out, QTextStream &err)
    : m_out(out)
    , m_err(err)
    , m_terminal(err)
{
}

CliContext::~CliContext() = default;

QString CliContext::versionText()
{
    return QStringLiteral("mist " MIST_VERSION);
}

ArgParser CliContext::parser(const QString &command, const QString &synopsis, const QString &description)
{
    ArgParser p(command, synopsis, description);
    addGlobalOptions(p);
    return p;
}

void CliContext::addGlobalOptions(ArgParser &p)
{
    p.addOption({QStringLiteral("-o"), QStringLiteral("--output")}, QStringLiteral("FORMAT"),
                tr("Output format: table (default), json or csv."), true);
    p.addOption({QStringLiteral("--data-dir")}, QStringLiteral("DIR"),
                tr("Folder of the inventory and settings\n(default: $MIST_DATA_DIR, else the app's data folder)."), true);
    p.addOption({QStringLiteral("-h"), QStringLiteral("--help")}, {}, tr("Show this help."), true);
    p.addOption({QStringLiteral("--version")}, {}, tr("Show the version."), true);
}

QString CliContext::takeCommandWord(QStringList &args)
{
    for (int i = 0; i < args.size(); ++i) {
        const QString &a = args.at(i);
        if (a == QLatin1String("--"))
            return {};
        if (a == QLatin1String("-o") || a == QLatin1String("--output") || a == QLatin1String("--data-dir")) {
            ++i;   // its value
            continue;
        }
        if (a.size() > 1 && a.startsWith(QLatin1Char('-')))
            continue;
        return args.takeAt(i);
    }
    return {};
}

std::optional<int> CliContext::parse(ArgParser &parser, const QStringList &args)
{
    if (!parser.parse(args))
        return usageError(parser, parser.errorText());
    return applyGlobalOptions(parser);
}

std::optional<int> CliContext::applyGlobalOptions(const ArgParser &parser)
{
    if (parser.isSet(QStringLiteral("output"))) {
        const QString name = parser.value(QStringLiteral("output"));
        const std::optional<OutputFormat> f = outputFormatFromName(name);
        if (!f)
            return usageError(parser, tr("unknown output format \"%1\"; use table, json or csv").arg(name));
        m_format = *f;
    }
    if (parser.isSet(QStringLiteral("data-dir"))) {
        m_dataDir = parser.value(QStringLiteral("data-dir"));
        if (m_dataDir.isEmpty())
            return usageError(parser, tr("--data-dir needs a folder"));
    }
    if (parser.isSet(QStringLiteral("help"))) {
        m_out << parser.helpText();
        m_out.flush();
        return ExitCode::Ok;
    }
    if (parser.isSet(QStringLiteral("version"))) {
        m_out << versionText() << '\n';
        m_out.flush();
        return ExitCode::Ok;
    }
    return std::nullopt;
}

Status CliContext::open()
{
    if (m_opened)
        return {};
    Result<DataLocation> location = DataLocation::resolve(m_dataDir);
    if (!location)
        return location.error();
    auto store = std::make_unique<InventoryStore>();
    auto settings = std::make_unique<QSettings>(location->settingsPath(), QSettings::IniFormat);
    store->setMissingGracePeriod(std::chrono::seconds(settings->value(SettingsKey::MissingGraceSeconds, 3600).toLongLong()));
    if (Status s = store->open(location->inventoryPath()); !s)
        return s;
    // A first `mist machines` shows This computer, as the desktop app's first start does.
    if (Status s = FirstRun::seed(*store, *settings); !s)
        return Error{tr("Could not prepare the new inventory"), s.error().toString()};
    settings->sync();
    qCDebug(lcCli) << "using inventory" << location->inventoryPath();
    m_store = std::move(store);
    m_settings = std::move(settings);
    m_opened = true;
    return {};
}

Result<QHash<qint64, Cloud>> CliContext::cloudsById()
{
    Result<QVector<Cloud>> clouds = m_store->clouds();
    if (!clouds)
        return clouds.error();
    QHash<qint64, Cloud> byId;
    for (const Cloud &c : clouds.value())
        byId.insert(c.id, c);
    return byId;
}

int CliContext::fail(const Error &error)
{
    warn(error);
    return ExitCode::Failure;
}

int CliContext::fail(const QString &message, const QString &detail)
{
    return fail(Error{message, detail});
}

void CliContext::warn(const Error &error)
{
    QString text = error.toString();
    // Sentences from the core end with a full stop; "mist: X.: detail" reads badly.
    text.replace(QStringLiteral(".: "), QStringLiteral(": "));
    m_err << "mist: " << text << '\n';
    m_err.flush();
}

int CliContext::usageError(const ArgParser &parser, const QString &message)
{
    return usageError(parser.command(), message);
}

int CliContext::usageError(const QString &command, const QString &message)
{
    m_err << "mist: " << message << '\n';
    const QString help = command.isEmpty() ? QStringLiteral("mist --help") : QStringLiteral("mist %1 --help").arg(command);
    m_err << tr("Run '%1' for usage.").arg(help) << '\n';
    m_err.flush();
    return ExitCode::Usage;
}

Result<QVector<Cloud>> CliContext::cloudsNamed(const QStringList &names)
{
    QVector<Cloud> clouds;
    for (const QString &name : names) {
        Result<Cloud> c = store().cloudByName(name);
        if (!c)
            return c.error();
        if (std::none_of(clouds.cbegin(), clouds.cend(), [&](const Cloud &t) { return t.id == c->id; }))
            clouds << c.value();
    }
    return clouds;
}

Result<Cloud> CliContext::addCloud(Cloud cloud, const QHash<QString, QString> &secrets, const QString &actor)
{
    if (cloud.uuid.isEmpty())
        cloud.uuid = QUuid::createUuid().toString(QUuid::WithoutBraces);
    cloud.secretFields = secrets.keys();
    cloud.secretFields.sort();
    const auto cleanup = [&] {
        if (Status s = m_secrets.removeAll(cloud.uuid, cloud.secretFields); !s)
            qCWarning(lcCli) << "could not clean up secrets:" << s.error().toString();
    };
    if (!secrets.isEmpty()) {
        if (Status s = m_secrets.writeAll(cloud.uuid, secrets); !s) {
            cleanup();   // nothing half-written
            return Error{QCoreApplication::translate("CliContext", "Could not store the secrets of \"%1\" in the OS "
                                                                   "keychain, so the cloud was not added").arg(cloud.name),
                         s.error().toString()};
        }
    }
    Result<Cloud> added = store().addCloud(cloud, actor);
    if (!added && !secrets.isEmpty())
        cleanup();
    return added;
}

void CliContext::auditMachine(const Machine &machine, const QString &action, bool success, const QString &message,
                              const QJsonObject &details)
{
    AuditEntry e;
    e.timestamp = QDateTime::currentDateTimeUtc();
    e.actor = QStringLiteral("cli");
    e.action = action;
    e.cloudId = machine.cloudId;
    e.machineId = machine.id;
    e.target = machine.name;
    e.success = success;
    e.message = message;
    e.details = details;
    if (Status s = store().appendAudit(e); !s)
        warn(Error{QCoreApplication::translate("CliContext", "Could not write the audit log"), s.error().toString()});
}

} // namespace mist
