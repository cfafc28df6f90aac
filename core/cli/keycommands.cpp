#include "keycommands.h"

#include "keys/keymaterial.h"
#include "keys/keyservice.h"
#include "util/logging.h"

#include <QCoreApplication>

namespace mist {

namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("KeyCommands", text);
}

const QString kActor = QStringLiteral("cli");

} // namespace

KeyCommands::KeyCommands(CliContext &ctx)
    : m_ctx(ctx)
{
}

KeyCommands::~KeyCommands() = default;

std::optional<int> KeyCommands::prepare(ArgParser &p, const QStringList &args, const QStringList &positionals)
{
    if (auto code = m_ctx.parse(p, args))
        return code;
    if (auto code = expectPositionals(p, positionals))
        return code;
    if (Status s = m_ctx.open(); !s)
        return m_ctx.fail(s.error());
    m_keys = std::make_unique<KeyService>(m_ctx.store(), m_ctx.secrets(), kActor);
    return std::nullopt;
}

int KeyCommands::finish(const Result<SshKey> &key, const QString &sentence)
{
    if (!key)
        return m_ctx.fail(key.error());
    if (m_ctx.format() == OutputFormat::Table)
        m_ctx.out() << sentence << '\n';
    else
        printKeys({key.value()}, true);
    return ExitCode::Ok;
}

QString KeyCommands::summary()
{
    return tr("  keys [list]                         List the SSH keys\n"
              "  keys generate NAME [--type rsa]     Make a new SSH key (ed25519 unless --type rsa)\n"
              "  keys import NAME FILE               Import a private key (OpenSSH or PEM)\n"
              "  keys show NAME                      Show a key's public key and fingerprint\n"
              "  keys rename OLD NEW                 Rename a key\n"
              "  keys delete NAME                    Delete a key and its private half\n"
              "  keys default NAME                   Use a key for machines that name none\n");
}

int KeyCommands::run(QStringList args)
{
    const QString sub = CliContext::takeCommandWord(args);
    if (sub.isEmpty()) {
        if (args.contains(QStringLiteral("-h")) || args.contains(QStringLiteral("--help")))
            return groupHelp(args);
        return list(args);
    }
    if (sub == QLatin1String("list") || sub == QLatin1String("ls"))
        return list(args);
    if (sub == QLatin1String("generate") || sub == QLatin1String("gen"))
        return generate(args);
    if (sub == QLatin1String("import"))
        return import(args);
    if (sub == QLatin1String("show"))
        return show(args);
    if (sub == QLatin1String("rename"))
        return rename(args);
    if (sub == QLatin1String("delete") || sub == QLatin1String("remove") || sub == QLatin1String("rm"))
        return remove(args);
    if (sub == QLatin1String("default"))
        return setDefault(args);
    if (sub == QLatin1String("help"))
        return groupHelp({QStringLiteral("--help")});
    return m_ctx.usageError(QStringLiteral("keys"), tr("unknown keys command \"%1\"").arg(sub));
}

int KeyCommands::groupHelp(const QStringList &args)
{
    ArgParser p = CliContext::parser(QStringLiteral("keys"), tr("[COMMAND] [options]"),
                                     tr("Manage the SSH keys Mist connects with. Private keys are kept in the OS\n"
                                        "keychain only.\n\nCommands:\n")
                                         + summary().replace(QStringLiteral("  keys "), QStringLiteral("  ")));
    if (auto code = m_ctx.parse(p, args))
        return *code;
    m_ctx.out() << p.helpText();
    return ExitCode::Ok;
}

std::optional<int> KeyCommands::expectPositionals(const ArgParser &p, const QStringList &names)
{
    const QStringList pos = p.positionals();
    if (pos.size() < names.size())
        return m_ctx.usageError(p, tr("missing %1").arg(names.mid(pos.size()).join(QLatin1Char(' '))));
    if (pos.size() > names.size())
        return m_ctx.usageError(p, tr("unexpected argument \"%1\"").arg(pos.at(names.size())));
    return std::nullopt;
}

void KeyCommands::printKeys(const QVector<SshKey> &keys, bool single)
{
    const bool full = single || m_ctx.format() != OutputFormat::Table;
    Records r;
    r.addColumn(QStringLiteral("id"), tr("Id"));
    r.addColumn(QStringLiteral("name"), tr("Name"));
    r.addColumn(QStringLiteral("type"), tr("Type"));
    r.addColumn(QStringLiteral("bits"), tr("Bits"));
    r.addColumn(QStringLiteral("fingerprint"), tr("Fingerprint"));
    r.addColumn(QStringLiteral("default"), tr("Default"));
    r.addColumn(QStringLiteral("passphrase"), tr("Passphrase"));
    r.addColumn(QStringLiteral("created"), tr("Created"), Records::Kind::Time);
    if (full) {
        r.addColumn(QStringLiteral("uuid"), tr("UUID"));
        r.addColumn(QStringLiteral("public_key"), tr("Public key"));
    }
    for (const SshKey &k : keys) {
        QVector<QJsonValue> row{k.id, k.name, k.type, k.bits, k.fingerprint, k.isDefault, k.hasPassphrase, timeValue(k.created)};
        if (full)
            row << k.uuid << k.publicKey;
        r.addRow(row);
    }
    if (single)
        m_ctx.writer().writeItem(r);
    else
        m_ctx.writer().write(r);
}

std::optional<QString> KeyCommands::readPassphrase(const QString &prompt, bool confirmOnTerminal)
{
    std::optional<QString> first = m_ctx.terminal().readSecret(prompt);
    if (!first)
        return std::nullopt;
    if (confirmOnTerminal && m_ctx.terminal().stdinIsInteractive()) {
        std::optional<QString> again = m_ctx.terminal().readSecret(tr("Same passphrase again: "));
        if (!again || *again != *first)
            return std::nullopt;
    }
    return first;
}

int KeyCommands::list(const QStringList &args)
{
    ArgParser p = CliContext::parser(QStringLiteral("keys list"), {}, tr("List the SSH keys with type and fingerprint."));
    if (auto code = prepare(p, args, {}))
        return *code;
    auto all = m_keys->list();
    if (!all)
        return m_ctx.fail(all.error());
    printKeys(all.value());
    return ExitCode::Ok;
}

int KeyCommands::generate(const QStringList &args)
{
    ArgParser p = CliContext::parser(QStringLiteral("keys generate"), tr("NAME [options]"),
                                     tr("Make a new SSH key pair. The private key goes to the OS keychain; the public\n"
                                        "key is printed, ready for a server's authorized_keys."));
    p.addPositional(QStringLiteral("NAME"), tr("Name of the new key"));
    p.addOption({QStringLiteral("--type")}, QStringLiteral("TYPE"), tr("ed25519 (default) or rsa (4096 bits)."));
    p.addOption({QStringLiteral("--passphrase-stdin")}, {},
                tr("Protect the key with a passphrase read from standard input (one line)."));
    if (auto code = prepare(p, args, {QStringLiteral("NAME")}))
        return *code;
    KeyType type = KeyType::Ed25519;
    if (p.isSet(QStringLiteral("type")) && !keyTypeFromName(p.value(QStringLiteral("type")), &type))
        return m_ctx.usageError(p, tr("unknown key type \"%1\"; use ed25519 or rsa").arg(p.value(QStringLiteral("type"))));
    const QString name = p.positionals().constFirst().trimmed();
    if (Status s = m_keys->repository().checkNewName(name); !s)
        return m_ctx.fail(s.error());
    QString passphrase;
    if (p.isSet(QStringLiteral("passphrase-stdin"))) {
        std::optional<QString> pass = readPassphrase(tr("Passphrase for the new key \"%1\": ").arg(name), true);
        if (!pass || pass->isEmpty())
            return m_ctx.fail(tr("No passphrase on standard input (or the two did not match), so no key was made"));
        passphrase = *pass;
    }
    Result<SshKey> key = m_keys->generate(name, type, passphrase);
    return finish(key, key ? tr("Generated %1 key \"%2\" (%3).").arg(key->type, key->name, key->fingerprint) + QLatin1Char('\n')
                                 + key->publicKey
                           : QString());
}

int KeyCommands::import(const QStringList &args)
{
    ArgParser p = CliContext::parser(QStringLiteral("keys import"), tr("NAME FILE [options]"),
                                     tr("Import a private key file (OpenSSH, or PEM/PKCS#8 as older tools write). The\n"
                                        "key is copied to the OS keychain; the file is left as it is."));
    p.addPositional(QStringLiteral("NAME"), tr("Name for the key in Mist"));
    p.addPositional(QStringLiteral("FILE"), tr("The private key file, e.g. ~/.ssh/id_ed25519"));
    p.addOption({QStringLiteral("--passphrase-stdin")}, {}, tr("Read the key's passphrase from standard input (one line)."));
    if (auto code = prepare(p, args, {QStringLiteral("NAME"), QStringLiteral("FILE")}))
        return *code;
    const QString name = p.positionals().at(0).trimmed();
    const QString file = p.positionals().at(1);
    Result<QByteArray> text = KeyMaterial::readKeyFile(file);
    if (!text)
        return m_ctx.fail(text.error());
    if (Status s = m_keys->repository().checkNewName(name); !s)
        return m_ctx.fail(s.error());
    QString passphrase;
    const bool encrypted = KeyMaterial::needsPassphrase(text.value());
    if (p.isSet(QStringLiteral("passphrase-stdin")) || (encrypted && m_ctx.terminal().stdinIsInteractive())) {
        std::optional<QString> pass = readPassphrase(tr("Passphrase of %1: ").arg(file), false);
        if (!pass)
            return m_ctx.fail(tr("No passphrase on standard input, so the key was not imported"));
        passphrase = *pass;
    } else if (encrypted) {
        return m_ctx.fail(tr("This key is protected by a passphrase; give it with --passphrase-stdin"));
    }
    Result<SshKey> key = m_keys->importKey(name, text.value(), passphrase);
    return finish(key, key ? tr("Imported %1 key \"%2\" (%3).").arg(key->type, key->name, key->fingerprint) : QString());
}

int KeyCommands::show(const QStringList &args)
{
    ArgParser p = CliContext::parser(QStringLiteral("keys show"), tr("NAME"), tr("Show a key: public key, fingerprint, type."));
    p.addPositional(QStringLiteral("NAME"), tr("Key name or id"));
    if (auto code = prepare(p, args, {QStringLiteral("NAME")}))
        return *code;
    Result<SshKey> key = m_keys->find(p.positionals().constFirst());
    if (!key)
        return m_ctx.fail(key.error());
    printKeys({key.value()}, true);
    return ExitCode::Ok;
}

int KeyCommands::rename(const QStringList &args)
{
    ArgParser p = CliContext::parser(QStringLiteral("keys rename"), tr("OLD NEW"), tr("Rename a key."));
    p.addPositional(QStringLiteral("OLD"), tr("Current name or id"));
    p.addPositional(QStringLiteral("NEW"), tr("New name"));
    if (auto code = prepare(p, args, {QStringLiteral("OLD"), QStringLiteral("NEW")}))
        return *code;
    Result<SshKey> key = m_keys->rename(p.positionals().at(0), p.positionals().at(1));
    return finish(key, key ? tr("Renamed key \"%1\" to \"%2\".").arg(p.positionals().at(0), key->name) : QString());
}

int KeyCommands::remove(const QStringList &args)
{
    ArgParser p = CliContext::parser(QStringLiteral("keys delete"), tr("NAME [--yes]"),
                                     tr("Delete a key: its private half leaves the OS keychain and cannot be recovered.\n"
                                        "Asks for confirmation."));
    p.addPositional(QStringLiteral("NAME"), tr("Key name or id"));
    p.addOption({QStringLiteral("-y"), QStringLiteral("--yes")}, {}, tr("Do not ask for confirmation."));
    if (auto code = prepare(p, args, {QStringLiteral("NAME")}))
        return *code;
    Result<SshKey> key = m_keys->find(p.positionals().constFirst());
    if (!key)
        return m_ctx.fail(key.error());
    if (!p.isSet(QStringLiteral("yes"))) {
        if (!m_ctx.terminal().stdinIsInteractive())
            return m_ctx.usageError(p, tr("deleting a key needs confirmation and standard input is not a terminal; "
                                          "pass --yes to confirm"));
        if (!m_ctx.terminal().confirm(tr("Delete the key \"%1\" (%2)? Its private key cannot be recovered.")
                                          .arg(key->name, key->fingerprint)))
            return m_ctx.fail(tr("Nothing deleted"));
    }
    return finish(m_keys->remove(key->uuid), tr("Deleted key \"%1\".").arg(key->name));
}

int KeyCommands::setDefault(const QStringList &args)
{
    ArgParser p = CliContext::parser(QStringLiteral("keys default"), tr("NAME"),
                                     tr("Make a key the default: machines with no key of their own use it."));
    p.addPositional(QStringLiteral("NAME"), tr("Key name or id"));
    if (auto code = prepare(p, args, {QStringLiteral("NAME")}))
        return *code;
    Result<SshKey> key = m_keys->setDefault(p.positionals().constFirst());
    return finish(key, key ? tr("\"%1\" is now the default key.").arg(key->name) : QString());
}

} // namespace mist
