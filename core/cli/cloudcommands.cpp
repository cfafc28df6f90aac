#include "cloudcommands.h"

#include "keys/keyrepository.h"
#include "providers/providerregistry.h"
#include "util/logging.h"
#include "util/secretfile.h"

#include <QCoreApplication>
#include <QJsonArray>
#include <QRegularExpression>
#include <QUuid>

namespace mist {

namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("CloudCommands", text);
}

const QString kActor = QStringLiteral("cli");

QString typeName(FormField::Type type)
{
    switch (type) {
    case FormField::Type::Text: return QStringLiteral("text");
    case FormField::Type::Url: return QStringLiteral("url");
    case FormField::Type::Integer: return QStringLiteral("integer");
    case FormField::Type::Boolean: return QStringLiteral("boolean");
    case FormField::Type::Choice: return QStringLiteral("choice");
    case FormField::Type::File: return QStringLiteral("file");
    case FormField::Type::Password: return QStringLiteral("password");
    case FormField::Type::SshKey: return QStringLiteral("ssh-key");
    case FormField::Type::SecretFile: return QStringLiteral("secret-file");
    }
    return QStringLiteral("text");
}

QJsonValue defaultValue(const FormField &f)
{
    if (!f.defaultValue.isValid() || f.defaultValue.isNull())
        return QJsonValue(QJsonValue::Null);
    return QJsonValue::fromVariant(f.defaultValue);
}

const FormField *fieldOf(const ProviderInfo &info, const QString &id)
{
    for (const FormField &f : info.fields)
        if (f.id == id)
            return &f;
    return nullptr;
}

QString fieldIds(const ProviderInfo &info)
{
    QStringList ids;
    for (const FormField &f : info.fields)
        ids << f.id;
    return ids.isEmpty() ? tr("(none)") : ids.join(QStringLiteral(", "));
}

QString providerIds()
{
    QStringList ids;
    for (const ProviderInfo &p : ProviderRegistry::instance().providers())
        ids << p.id;
    return ids.join(QStringLiteral(", "));
}

// Purely numeric names would collide with selecting clouds by id.
bool isNumeric(const QString &text)
{
    static const QRegularExpression digits(QStringLiteral("^\\d+$"));
    return digits.match(text).hasMatch();
}

// Converts one --set value by the field's type; an error names the field.
Result<QJsonValue> convertValue(const FormField &f, const QString &value)
{
    switch (f.type) {
    case FormField::Type::Integer: {
        if (value.isEmpty())
            return QJsonValue(QJsonValue::Null);
        bool ok = false;
        const qlonglong n = value.toLongLong(&ok);
        if (!ok)
            return Error{tr("bad value for field \"%1\": \"%2\" is not a whole number").arg(f.id, value), {}};
        return QJsonValue(n);
    }
    case FormField::Type::Boolean: {
        const QString v = value.toLower();
        if (v == QLatin1String("true") || v == QLatin1String("yes") || v == QLatin1String("1") || v == QLatin1String("on"))
            return QJsonValue(true);
        if (v == QLatin1String("false") || v == QLatin1String("no") || v == QLatin1String("0") || v == QLatin1String("off"))
            return QJsonValue(false);
        return Error{tr("bad value for field \"%1\": \"%2\" is not true or false").arg(f.id, value), {}};
    }
    case FormField::Type::Choice:
        if (!value.isEmpty() && !f.choices.contains(value))
            return Error{tr("bad value for field \"%1\": \"%2\" is not one of %3")
                             .arg(f.id, value, f.choices.join(QStringLiteral(", "))),
                         {}};
        return QJsonValue(value);
    default:
        return QJsonValue(value);
    }
}

bool hasValue(const QJsonObject &config, const QString &field)
{
    const QJsonValue v = config.value(field);
    return !v.isUndefined() && !v.isNull() && !(v.isString() && v.toString().trimmed().isEmpty());
}

} // namespace

CloudCommands::CloudCommands(CliContext &ctx)
    : m_ctx(ctx)
{
}

QString CloudCommands::summary()
{
    return tr("  clouds [list]                       List the clouds\n"
              "  clouds add PROVIDER NAME [options]  Add a cloud (see 'mist clouds add --help')\n"
              "  clouds remove NAME                  Remove a cloud, its machines and its secrets\n"
              "  clouds rename OLD NEW               Rename a cloud\n"
              "  clouds enable|disable NAME...       Switch polling of a cloud on or off\n"
              "  clouds providers                    List the providers and the fields they take\n");
}

int CloudCommands::run(QStringList args)
{
    const QString sub = CliContext::takeCommandWord(args);
    if (sub.isEmpty()) {
        if (args.contains(QStringLiteral("-h")) || args.contains(QStringLiteral("--help")))
            return groupHelp(args);
        return list(args);
    }
    if (sub == QLatin1String("list") || sub == QLatin1String("ls"))
        return list(args);
    if (sub == QLatin1String("add"))
        return add(args);
    if (sub == QLatin1String("remove") || sub == QLatin1String("rm"))
        return remove(args);
    if (sub == QLatin1String("rename"))
        return rename(args);
    if (sub == QLatin1String("enable"))
        return setEnabled(args, true);
    if (sub == QLatin1String("disable"))
        return setEnabled(args, false);
    if (sub == QLatin1String("providers"))
        return providers(args);
    if (sub == QLatin1String("help"))
        return groupHelp({QStringLiteral("--help")});
    return m_ctx.usageError(QStringLiteral("clouds"), tr("unknown clouds command \"%1\"").arg(sub));
}

int CloudCommands::groupHelp(const QStringList &args)
{
    ArgParser p = CliContext::parser(QStringLiteral("clouds"), tr("[COMMAND] [options]"),
                                     tr("Manage the clouds (providers' accounts and hosts) whose machines Mist lists.\n\n"
                                        "Commands:\n")
                                         + summary().replace(QStringLiteral("  clouds "), QStringLiteral("  ")));
    if (auto code = m_ctx.parse(p, args))
        return *code;
    m_ctx.out() << p.helpText();
    return ExitCode::Ok;
}

void CloudCommands::printClouds(const QVector<Cloud> &clouds)
{
    QHash<qint64, int> counts;
    if (auto machines = m_ctx.store().machines(); machines.ok())
        for (const Machine &m : machines.value())
            ++counts[m.cloudId];

    // The table stays narrow; json and csv carry everything but secrets.
    const bool full = m_ctx.format() != OutputFormat::Table;
    Records r;
    r.addColumn(QStringLiteral("id"), tr("Id"));
    r.addColumn(QStringLiteral("name"), tr("Name"));
    r.addColumn(QStringLiteral("provider"), tr("Provider"));
    r.addColumn(QStringLiteral("enabled"), tr("Enabled"));
    r.addColumn(QStringLiteral("interval"), tr("Interval"));
    r.addColumn(QStringLiteral("status"), tr("Status"));
    r.addColumn(QStringLiteral("machines"), tr("Machines"));
    r.addColumn(QStringLiteral("last_poll"), tr("Last poll"), Records::Kind::Time);
    if (full) {
        r.addColumn(QStringLiteral("last_success"), tr("Last success"), Records::Kind::Time);
        r.addColumn(QStringLiteral("created"), tr("Created"), Records::Kind::Time);
        r.addColumn(QStringLiteral("uuid"), tr("UUID"));
        r.addColumn(QStringLiteral("config"), tr("Config"));
        r.addColumn(QStringLiteral("secret_fields"), tr("Secret fields"));
    }
    r.addColumn(QStringLiteral("error"), tr("Error"));
    for (const Cloud &c : clouds) {
        QVector<QJsonValue> row{c.id, c.name, c.provider, c.enabled, c.pollIntervalSec,
                                cloudHealthName(c.health), counts.value(c.id), timeValue(c.lastPollAt)};
        if (full)
            row << timeValue(c.lastSuccessAt) << timeValue(c.createdAt) << c.uuid << c.config
                << QJsonArray::fromStringList(c.secretFields);
        row << (c.lastError.isEmpty() ? QJsonValue(QJsonValue::Null) : QJsonValue(c.lastError));
        r.addRow(row);
    }
    m_ctx.writer().write(r);
}

int CloudCommands::list(const QStringList &args)
{
    ArgParser p = CliContext::parser(QStringLiteral("clouds list"), {},
                                     tr("List the clouds with their polling status and machine count."));
    if (auto code = m_ctx.parse(p, args))
        return *code;
    if (!p.positionals().isEmpty())
        return m_ctx.usageError(p, tr("unexpected argument \"%1\"").arg(p.positionals().constFirst()));
    if (Status s = m_ctx.open(); !s)
        return m_ctx.fail(s.error());
    auto clouds = m_ctx.store().clouds();
    if (!clouds)
        return m_ctx.fail(clouds.error());
    printClouds(clouds.value());
    return ExitCode::Ok;
}

Result<QHash<QString, QString>> CloudCommands::readSecrets(const QString &cloudName, const QStringList &fields,
                                                           const ProviderInfo &info)
{
    QHash<QString, QString> secrets;
    for (const QString &id : fields) {
        const FormField *f = fieldOf(info, id);
        const std::optional<QString> value =
            m_ctx.terminal().readSecret(tr("%1 for %2 (%3): ").arg(f ? f->label : id, cloudName, id));
        if (!value || value->isEmpty())
            return Error{tr("No value for the secret field \"%1\" on standard input").arg(id),
                         tr("give one line per --secret field")};
        secrets.insert(id, *value);
    }
    return secrets;
}

int CloudCommands::add(const QStringList &args)
{
    ArgParser p = CliContext::parser(
        QStringLiteral("clouds add"), tr("PROVIDER NAME [options]"),
        tr("Add a cloud. Fields come from the provider's form (see 'mist clouds providers');\n"
           "fields left out take their default. Secret fields (passwords, tokens) are never taken\n"
           "from the command line, where other users can see them: name them with --secret and\n"
           "type the values on standard input, one line each, in the same order. They are stored\n"
           "in the OS keychain only."));
    p.addPositional(QStringLiteral("PROVIDER"), tr("Provider id, e.g. libvirt"));
    p.addPositional(QStringLiteral("NAME"), tr("Name of the new cloud"));
    p.addOption({QStringLiteral("--set")}, QStringLiteral("FIELD=VALUE"), tr("Value of a non-secret field (repeatable)."));
    p.addOption({QStringLiteral("--secret")}, QStringLiteral("FIELD"),
                tr("Read this secret field from standard input (repeatable)."));
    p.addOption({QStringLiteral("--interval")}, QStringLiteral("SECONDS"), tr("Polling interval (default 60)."));
    p.addOption({QStringLiteral("--disabled")}, {}, tr("Add the cloud with polling switched off."));
    p.addNote(tr("Example: mist clouds add libvirt kvm1 --set uri=qemu+ssh://root@host/system"));
    if (auto code = m_ctx.parse(p, args))
        return *code;
    const QStringList pos = p.positionals();
    if (pos.size() < 2)
        return m_ctx.usageError(p, pos.isEmpty() ? tr("missing the provider and the name of the cloud")
                                                 : tr("missing the name of the cloud"));
    if (pos.size() > 2)
        return m_ctx.usageError(p, tr("unexpected argument \"%1\"").arg(pos.at(2)));

    auto provider = ProviderRegistry::instance().provider(pos.at(0));
    if (!provider)
        return m_ctx.usageError(p, tr("unknown provider \"%1\"; known providers: %2").arg(pos.at(0), providerIds()));
    const ProviderInfo info = provider->info();
    const QString name = pos.at(1).trimmed();
    if (name.isEmpty())
        return m_ctx.usageError(p, tr("the cloud name is empty"));
    if (isNumeric(name))
        return m_ctx.usageError(p, tr("the cloud name \"%1\" is a number; numbers select clouds by id").arg(name));

    Cloud cloud;
    cloud.name = name;
    cloud.provider = info.id;
    cloud.enabled = !p.isSet(QStringLiteral("disabled"));
    if (p.isSet(QStringLiteral("interval"))) {
        bool ok = false;
        const int interval = p.value(QStringLiteral("interval")).toInt(&ok);
        if (!ok || interval < 5)
            return m_ctx.usageError(p, tr("bad --interval \"%1\": give whole seconds, at least 5")
                                           .arg(p.value(QStringLiteral("interval"))));
        cloud.pollIntervalSec = interval;
    }

    QHash<QString, QString> fileSecrets;
    for (const QString &assignment : p.values(QStringLiteral("set"))) {
        const qsizetype eq = assignment.indexOf(QLatin1Char('='));
        if (eq <= 0)
            return m_ctx.usageError(p, tr("--set needs FIELD=VALUE"));   // the text is not repeated: it may be a secret
        const QString id = assignment.left(eq).trimmed();
        const FormField *f = fieldOf(info, id);
        if (!f)
            return m_ctx.usageError(p, tr("unknown field \"%1\" for provider %2; its fields are: %3")
                                           .arg(id, info.id, fieldIds(info)));
        if (f->type == FormField::Type::SecretFile) {   // a path: its contents go to the keychain
            Result<QString> contents = readSecretFile(assignment.mid(eq + 1));
            if (!contents)
                return m_ctx.usageError(p, contents.error().toString());
            fileSecrets.insert(id, contents.value());
            continue;
        }
        if (f->secret)   // the value is deliberately not repeated anywhere
            return m_ctx.usageError(p, tr("\"%1\" is a secret field and is not accepted on the command line, where "
                                          "other users can see it; use --secret %1 and type the value on standard input")
                                           .arg(id));
        Result<QJsonValue> v = convertValue(*f, assignment.mid(eq + 1));
        if (!v)
            return m_ctx.usageError(p, v.error().message);
        cloud.config.insert(id, v.value());
    }
    QStringList secretFields;
    for (const QString &id : p.values(QStringLiteral("secret"))) {
        const FormField *f = fieldOf(info, id);
        if (!f)
            return m_ctx.usageError(p, tr("unknown field \"%1\" for provider %2; its fields are: %3")
                                           .arg(id, info.id, fieldIds(info)));
        if (!f->secret)
            return m_ctx.usageError(p, tr("\"%1\" is not a secret field; use --set %1=VALUE").arg(id));
        if (!secretFields.contains(id))
            secretFields << id;
    }
    for (const FormField &f : info.fields) {
        if (f.secret || cloud.config.contains(f.id))
            continue;
        if (const QJsonValue d = defaultValue(f); !d.isNull())
            cloud.config.insert(f.id, d);
    }
    for (const FormField &f : info.fields) {
        const bool given = f.secret ? secretFields.contains(f.id) || fileSecrets.contains(f.id)
                                    : hasValue(cloud.config, f.id);
        if (f.required && !given)
            return m_ctx.usageError(p, f.secret ? tr("missing required field \"%1\" (%2); use --secret %1").arg(f.id, f.label)
                                                : tr("missing required field \"%1\" (%2); use --set %1=VALUE").arg(f.id, f.label));
    }

    if (Status s = m_ctx.open(); !s)
        return m_ctx.fail(s.error());
    InventoryStore &store = m_ctx.store();
    if (store.cloudByName(name).ok())
        return m_ctx.fail(tr("A cloud called \"%1\" already exists").arg(name));
    // SSH key fields take a key's name on the command line; the cloud stores its uuid.
    for (const FormField &f : info.fields) {
        if (f.type != FormField::Type::SshKey || cloud.config.value(f.id).toString().isEmpty())
            continue;
        Result<SshKey> key = KeyRepository(store, kActor).find(cloud.config.value(f.id).toString());
        if (!key)
            return m_ctx.fail(key.error());
        cloud.config.insert(f.id, key.value().uuid);
    }
    if (info.singleton) {
        auto clouds = store.clouds();
        if (!clouds)
            return m_ctx.fail(clouds.error());
        for (const Cloud &c : clouds.value())
            if (c.provider == info.id)
                return m_ctx.fail(tr("There can be only one %1 cloud, and \"%2\" is one").arg(info.title, c.name));
    }

    Result<QHash<QString, QString>> secrets = readSecrets(name, secretFields, info);
    if (!secrets)
        return m_ctx.fail(secrets.error());
    secrets.value().insert(fileSecrets);
    if (Status valid = provider->validate(Credentials{cloud.config, secrets.value(), {}}); !valid)
        return m_ctx.usageError(p, valid.error().toString());

    Result<Cloud> added = m_ctx.addCloud(cloud, secrets.value(), kActor);
    if (!added)
        return m_ctx.fail(added.error());
    qCInfo(lcCli) << "added cloud" << added->name << added->provider;
    if (m_ctx.format() == OutputFormat::Table) {
        m_ctx.out() << tr("Added cloud \"%1\" (id %2, %3). Run 'mist poll %4' to list its machines.")
                           .arg(added->name)
                           .arg(added->id)
                           .arg(info.title, added->name.contains(QLatin1Char(' ')) ? QStringLiteral("'%1'").arg(added->name)
                                                                                     : added->name)
                    << '\n';
    } else {
        printClouds({added.value()});
    }
    return ExitCode::Ok;
}

int CloudCommands::remove(const QStringList &args)
{
    ArgParser p = CliContext::parser(QStringLiteral("clouds remove"), tr("NAME..."),
                                     tr("Remove clouds from the inventory with their machines, and delete their\n"
                                        "secrets from the OS keychain. The machines themselves are not touched."));
    p.addPositional(QStringLiteral("NAME"), tr("Cloud name or id"));
    if (auto code = m_ctx.parse(p, args))
        return *code;
    if (p.positionals().isEmpty())
        return m_ctx.usageError(p, tr("missing the name of the cloud to remove"));
    if (Status s = m_ctx.open(); !s)
        return m_ctx.fail(s.error());

    Result<QVector<Cloud>> named = m_ctx.cloudsNamed(p.positionals());
    if (!named)
        return m_ctx.fail(named.error());
    const QVector<Cloud> targets = named.value();
    int code = ExitCode::Ok;
    QVector<Cloud> removed;
    for (const Cloud &c : std::as_const(targets)) {
        if (Status s = m_ctx.store().removeCloud(c.id, kActor); !s) {
            code = m_ctx.fail(s.error());
            continue;
        }
        removed << c;
        if (!c.secretFields.isEmpty()) {
            if (Status s = m_ctx.secrets().removeAll(c.uuid, c.secretFields); !s)
                code = m_ctx.fail(tr("Removed \"%1\", but its secrets could not be deleted from the OS keychain").arg(c.name),
                                  s.error().toString());
        }
        if (m_ctx.format() == OutputFormat::Table)
            m_ctx.out() << tr("Removed cloud \"%1\".").arg(c.name) << '\n';
    }
    if (m_ctx.format() != OutputFormat::Table)
        printClouds(removed);
    return code;
}

int CloudCommands::rename(const QStringList &args)
{
    ArgParser p = CliContext::parser(QStringLiteral("clouds rename"), tr("OLD NEW"), tr("Rename a cloud."));
    p.addPositional(QStringLiteral("OLD"), tr("Current name or id"));
    p.addPositional(QStringLiteral("NEW"), tr("New name"));
    if (auto code = m_ctx.parse(p, args))
        return *code;
    const QStringList pos = p.positionals();
    if (pos.size() != 2)
        return m_ctx.usageError(p, pos.size() < 2 ? tr("give the current and the new name")
                                                  : tr("unexpected argument \"%1\"").arg(pos.at(2)));
    const QString newName = pos.at(1).trimmed();
    if (newName.isEmpty())
        return m_ctx.usageError(p, tr("the new name is empty"));
    if (isNumeric(newName))
        return m_ctx.usageError(p, tr("the cloud name \"%1\" is a number; numbers select clouds by id").arg(newName));
    if (Status s = m_ctx.open(); !s)
        return m_ctx.fail(s.error());
    Result<Cloud> c = m_ctx.store().cloudByName(pos.at(0));
    if (!c)
        return m_ctx.fail(c.error());
    Cloud changed = c.value();
    changed.name = newName;
    Result<Cloud> updated = m_ctx.store().updateCloud(changed, kActor);
    if (!updated)
        return m_ctx.fail(updated.error());
    if (m_ctx.format() == OutputFormat::Table)
        m_ctx.out() << tr("Renamed cloud \"%1\" to \"%2\".").arg(c->name, updated->name) << '\n';
    else
        printClouds({updated.value()});
    return ExitCode::Ok;
}

int CloudCommands::setEnabled(const QStringList &args, bool enabled)
{
    ArgParser p = CliContext::parser(enabled ? QStringLiteral("clouds enable") : QStringLiteral("clouds disable"),
                                     tr("NAME..."),
                                     enabled ? tr("Switch polling of clouds on.") : tr("Switch polling of clouds off; "
                                                                                       "their machines stay listed."));
    p.addPositional(QStringLiteral("NAME"), tr("Cloud name or id"));
    if (auto code = m_ctx.parse(p, args))
        return *code;
    if (p.positionals().isEmpty())
        return m_ctx.usageError(p, tr("missing the name of the cloud"));
    if (Status s = m_ctx.open(); !s)
        return m_ctx.fail(s.error());
    Result<QVector<Cloud>> named = m_ctx.cloudsNamed(p.positionals());
    if (!named)
        return m_ctx.fail(named.error());
    const QVector<Cloud> targets = named.value();
    int code = ExitCode::Ok;
    QVector<Cloud> changed;
    for (Cloud c : std::as_const(targets)) {
        c.enabled = enabled;
        Result<Cloud> updated = m_ctx.store().updateCloud(c, kActor);
        if (!updated) {
            code = m_ctx.fail(updated.error());
            continue;
        }
        changed << updated.value();
        if (m_ctx.format() == OutputFormat::Table)
            m_ctx.out() << (enabled ? tr("Enabled cloud \"%1\".") : tr("Disabled cloud \"%1\".")).arg(c.name) << '\n';
    }
    if (m_ctx.format() != OutputFormat::Table)
        printClouds(changed);
    return code;
}

int CloudCommands::providers(const QStringList &args)
{
    ArgParser p = CliContext::parser(QStringLiteral("clouds providers"), {},
                                     tr("List the providers built into this mist and the fields of their forms,\n"
                                        "for 'mist clouds add PROVIDER NAME --set FIELD=VALUE'."));
    if (auto code = m_ctx.parse(p, args))
        return *code;
    if (!p.positionals().isEmpty())
        return m_ctx.usageError(p, tr("unexpected argument \"%1\"").arg(p.positionals().constFirst()));

    const QVector<ProviderInfo> infos = ProviderRegistry::instance().providers();
    if (m_ctx.format() == OutputFormat::Json) {
        // Nested: one object per provider holding its fields.
        QJsonArray out;
        for (const ProviderInfo &info : infos) {
            QJsonArray fields;
            for (const FormField &f : info.fields)
                fields.append(QJsonObject{{QStringLiteral("id"), f.id},
                                          {QStringLiteral("label"), f.label},
                                          {QStringLiteral("type"), typeName(f.type)},
                                          {QStringLiteral("required"), f.required},
                                          {QStringLiteral("secret"), f.secret},
                                          {QStringLiteral("default"), defaultValue(f)},
                                          {QStringLiteral("help"), f.help},
                                          {QStringLiteral("choices"), QJsonArray::fromStringList(f.choices)}});
            out.append(QJsonObject{{QStringLiteral("id"), info.id},
                                   {QStringLiteral("title"), info.title},
                                   {QStringLiteral("category"), info.category},
                                   {QStringLiteral("singleton"), info.singleton},
                                   {QStringLiteral("capabilities"), QJsonArray::fromStringList(info.capabilities)},
                                   {QStringLiteral("fields"), fields}});
        }
        m_ctx.writer().writeJson(out);
        return ExitCode::Ok;
    }

    Records r;
    r.addColumn(QStringLiteral("provider"), tr("Provider"));
    r.addColumn(QStringLiteral("title"), tr("Title"));
    r.addColumn(QStringLiteral("field"), tr("Field"));
    r.addColumn(QStringLiteral("type"), tr("Type"));
    r.addColumn(QStringLiteral("required"), tr("Required"));
    r.addColumn(QStringLiteral("secret"), tr("Secret"));
    r.addColumn(QStringLiteral("default"), tr("Default"));
    r.addColumn(QStringLiteral("help"), tr("Help"));
    for (const ProviderInfo &info : infos) {
        if (info.fields.isEmpty()) {
            r.addRow({info.id, info.title, QJsonValue(QJsonValue::Null), QJsonValue(QJsonValue::Null),
                      QJsonValue(QJsonValue::Null), QJsonValue(QJsonValue::Null), QJsonValue(QJsonValue::Null),
                      tr("No fields: there is nothing to configure.")});
            continue;
        }
        for (const FormField &f : info.fields) {
            QString help = f.help;
            if (!f.choices.isEmpty())
                help += QLatin1Char(' ') + tr("(one of: %1)").arg(f.choices.join(QStringLiteral(", ")));
            r.addRow({info.id, info.title, f.id, typeName(f.type), f.required, f.secret, defaultValue(f), help});
        }
    }
    m_ctx.writer().write(r);
    return ExitCode::Ok;
}

} // namespace mist
