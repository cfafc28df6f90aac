// The `mist` command line, end to end: the real binary in a QProcess with a temporary data
// folder per test, the real This computer provider and libvirt's test driver.

#include "clirunner.h"
#include "secrets/secretstore.h"
#include "testsupport.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <memory>
#include <optional>

using namespace mist;

namespace {

struct Run
{
    int code = -1;
    QString out;
    QString err;
};

// What a failed check should show: the command's whole answer.
QByteArray describe(const Run &r)
{
    return QStringLiteral("exit %1\n--- stdout\n%2--- stderr\n%3").arg(r.code).arg(r.out, r.err).toUtf8();
}

std::optional<QJsonArray> jsonArray(const QString &text)
{
    QJsonParseError error{};
    const QJsonDocument doc = QJsonDocument::fromJson(text.toUtf8(), &error);
    if (error.error != QJsonParseError::NoError || !doc.isArray())
        return std::nullopt;
    return doc.array();
}

std::optional<QJsonObject> jsonObject(const QString &text)
{
    QJsonParseError error{};
    const QJsonDocument doc = QJsonDocument::fromJson(text.toUtf8(), &error);
    if (error.error != QJsonParseError::NoError || !doc.isObject())
        return std::nullopt;
    return doc.object();
}

// RFC 4180 reader: quoted fields may hold commas, doubled quotes and line breaks.
std::optional<QVector<QStringList>> parseCsv(const QString &text)
{
    QVector<QStringList> rows;
    QStringList row;
    QString field;
    bool quoted = false;
    bool fieldStarted = false;
    for (int i = 0; i < text.size(); ++i) {
        const QChar c = text.at(i);
        if (quoted) {
            if (c == QLatin1Char('"')) {
                if (i + 1 < text.size() && text.at(i + 1) == QLatin1Char('"')) {
                    field += QLatin1Char('"');
                    ++i;
                } else {
                    quoted = false;
                }
            } else {
                field += c;
            }
            continue;
        }
        if (c == QLatin1Char('"')) {
            if (fieldStarted && !field.isEmpty())
                return std::nullopt;   // a quote in the middle of an unquoted field
            quoted = true;
            fieldStarted = true;
        } else if (c == QLatin1Char(',')) {
            row << field;
            field.clear();
            fieldStarted = false;
        } else if (c == QLatin1Char('\r')) {
            if (i + 1 >= text.size() || text.at(i + 1) != QLatin1Char('\n'))
                return std::nullopt;   // RFC 4180 lines end with CRLF
        } else if (c == QLatin1Char('\n')) {
            row << field;
            rows << row;
            row.clear();
            field.clear();
            fieldStarted = false;
        } else {
            field += c;
            fieldStarted = true;
        }
    }
    if (quoted)
        return std::nullopt;
    if (fieldStarted || !row.isEmpty()) {
        row << field;
        rows << row;
    }
    return rows;
}

QJsonObject findByName(const QJsonArray &array, const QString &name, const QString &key = QStringLiteral("name"))
{
    for (const QJsonValue &v : array)
        if (v.toObject().value(key).toString() == name)
            return v.toObject();
    return {};
}

QStringList names(const QJsonArray &array, const QString &key = QStringLiteral("name"))
{
    QStringList out;
    for (const QJsonValue &v : array)
        out << v.toObject().value(key).toString();
    return out;
}

struct Domain
{
    QString name;
    QString uuid;
    int runstate;   // virDomainState: 1 running, 3 paused, 5 shut off
};

// A libvirt test-driver host; every connection re-reads it, so each `mist` process starts
// from the states written here.
bool writeNode(const QString &path, const QVector<Domain> &domains)
{
    QString xml = QStringLiteral("<node>\n");
    for (const Domain &d : domains)
        xml += QStringLiteral("  <domain type='test' xmlns:test='http://libvirt.org/schemas/domain/test/1.0'>\n"
                              "    <name>%1</name><uuid>%2</uuid><memory>1048576</memory><vcpu>1</vcpu>\n"
                              "    <os><type>hvm</type></os><test:runstate>%3</test:runstate>\n"
                              "  </domain>\n")
                   .arg(d.name, d.uuid)
                   .arg(d.runstate);
    xml += QStringLiteral("</node>\n");
    QFile f(path);
    return f.open(QIODevice::WriteOnly | QIODevice::Truncate) && f.write(xml.toUtf8()) > 0;
}

const QVector<Domain> kDomains{
    {QStringLiteral("run-1"), QStringLiteral("aaaaaaaa-1111-4111-8111-111111111111"), 1},
    {QStringLiteral("off-1"), QStringLiteral("aaaaaaaa-2222-4222-8222-222222222222"), 5},
    {QStringLiteral("paused-1"), QStringLiteral("aaaaaaaa-3333-4333-8333-333333333333"), 3},
};

} // namespace

class TestCli : public QObject
{
    Q_OBJECT

    std::unique_ptr<QTemporaryDir> m_tmp;

    QString dataDir() const { return m_tmp->filePath(QStringLiteral("data")); }
    QString nodeFile() const { return m_tmp->filePath(QStringLiteral("node.xml")); }
    QString nodeUri() const { return QStringLiteral("test://") + nodeFile(); }

    // Runs `mist --data-dir <this test's folder> args...`; stdin is a pipe (never a tty).
    Run mist(const QStringList &args, const QByteArray &input = {}, const QProcessEnvironment &extra = {},
             bool withDataDir = true)
    {
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.remove(QStringLiteral("MIST_DATA_DIR"));
        env.insert(QStringLiteral("MIST_KEYCHAIN_SERVICE"), QStringLiteral("mist-cli-test"));
        env.insert(extra);
        const QStringList all = withDataDir ? QStringList{QStringLiteral("--data-dir"), dataDir()} + args : args;
        const test::CliRun run = test::runMistCommand(all, env, input, 120000);
        return Run{run.code, QString::fromUtf8(run.out), run.err};
    }

    // Adds a libvirt cloud on this test's node file and polls it.
    bool addNodeCloud(const QString &name = QStringLiteral("kvm"), const QString &uri = {})
    {
        if (uri.isEmpty() && !writeNode(nodeFile(), kDomains))
            return false;
        const Run add = mist({QStringLiteral("clouds"), QStringLiteral("add"), QStringLiteral("libvirt"), name,
                              QStringLiteral("--set"), QStringLiteral("uri=") + (uri.isEmpty() ? nodeUri() : uri)});
        if (add.code != 0) {
            qWarning() << describe(add);
            return false;
        }
        const Run poll = mist({QStringLiteral("poll"), name});
        if (poll.code != 0)
            qWarning() << describe(poll);
        return poll.code == 0;
    }

    std::optional<QJsonArray> machinesJson(const QStringList &filters = {})
    {
        const Run r = mist(QStringList{QStringLiteral("machines"), QStringLiteral("-o"), QStringLiteral("json")} + filters);
        if (r.code != 0) {
            qWarning() << describe(r);
            return std::nullopt;
        }
        return jsonArray(r.out);
    }

    std::optional<QJsonArray> auditJson(const QStringList &filters = {})
    {
        const Run r = mist(QStringList{QStringLiteral("audit"), QStringLiteral("-o"), QStringLiteral("json")} + filters);
        if (r.code != 0) {
            qWarning() << describe(r);
            return std::nullopt;
        }
        return jsonArray(r.out);
    }

    QStringList cloudNames()
    {
        const Run r = mist({QStringLiteral("clouds"), QStringLiteral("-o"), QStringLiteral("json")});
        const auto clouds = jsonArray(r.out);
        return clouds ? names(*clouds) : QStringList{QStringLiteral("<unreadable: %1>").arg(r.out + r.err)};
    }

private slots:
    void initTestCase()
    {
        QVERIFY2(QFileInfo(QStringLiteral(MIST_CLI_BINARY)).isExecutable(), MIST_CLI_BINARY);
        qputenv("MIST_KEYCHAIN_SERVICE", "mist-cli-test");   // for the SecretStore checks in this process
    }

    void init()
    {
        m_tmp = std::make_unique<QTemporaryDir>();
        QVERIFY(m_tmp->isValid());
    }

    void cleanup()
    {
        // Undo chmod so the temporary folder can be deleted.
        QFile::setPermissions(dataDir(), QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner);
        m_tmp.reset();
    }

    // ---- help, version, usage -------------------------------------------------------------

    void helpAndVersion()
    {
        Run r = mist({QStringLiteral("--help")});
        QVERIFY2(r.code == 0, describe(r));
        QVERIFY(r.out.contains(QLatin1String("Commands:")));
        for (const char *command : {"clouds add", "machines", "tag", "destroy", "poll", "audit"})
            QVERIFY2(r.out.contains(QLatin1String(command)), command);

        r = mist({QStringLiteral("--version")});
        QVERIFY2(r.code == 0, describe(r));
        QCOMPARE(r.out.trimmed(), QStringLiteral("mist " MIST_VERSION));

        // Every command has --help, and asking for it touches no data folder.
        for (const QStringList &cmd : {QStringList{QStringLiteral("clouds"), QStringLiteral("add")},
                                       QStringList{QStringLiteral("machines")}, QStringList{QStringLiteral("destroy")},
                                       QStringList{QStringLiteral("audit")}, QStringList{QStringLiteral("clouds")}}) {
            r = mist(cmd + QStringList{QStringLiteral("--help")});
            QVERIFY2(r.code == 0, describe(r));
            QVERIFY2(r.out.startsWith(QLatin1String("Usage: mist ") + cmd.constFirst()), describe(r));
        }
        r = mist({QStringLiteral("help"), QStringLiteral("tag")});
        QVERIFY2(r.code == 0 && r.out.contains(QLatin1String("--remove")), describe(r));
        QVERIFY(!QFileInfo::exists(dataDir()));
    }

    void usageErrors_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QString>("mentions");
        QTest::newRow("no command") << QStringList{} << QStringLiteral("missing command");
        QTest::newRow("unknown command") << QStringList{QStringLiteral("frobnicate")} << QStringLiteral("frobnicate");
        QTest::newRow("unknown option") << QStringList{QStringLiteral("machines"), QStringLiteral("--colour")}
                                        << QStringLiteral("--colour");
        QTest::newRow("unknown global option") << QStringList{QStringLiteral("--colour")} << QStringLiteral("--colour");
        QTest::newRow("option without value") << QStringList{QStringLiteral("machines"), QStringLiteral("--cloud")}
                                              << QStringLiteral("--cloud");
        QTest::newRow("bad output format") << QStringList{QStringLiteral("-o"), QStringLiteral("yaml"), QStringLiteral("clouds")}
                                           << QStringLiteral("yaml");
        QTest::newRow("missing machine") << QStringList{QStringLiteral("machine")} << QStringLiteral("missing");
        QTest::newRow("missing cloud name") << QStringList{QStringLiteral("clouds"), QStringLiteral("add"), QStringLiteral("libvirt")}
                                            << QStringLiteral("name");
        QTest::newRow("unknown clouds command") << QStringList{QStringLiteral("clouds"), QStringLiteral("explode")}
                                                << QStringLiteral("explode");
        QTest::newRow("tag without changes") << QStringList{QStringLiteral("tag"), QStringLiteral("web-1")}
                                             << QStringLiteral("nothing to do");
        QTest::newRow("bad audit limit") << QStringList{QStringLiteral("audit"), QStringLiteral("--limit"), QStringLiteral("many")}
                                         << QStringLiteral("many");
        QTest::newRow("bad audit since") << QStringList{QStringLiteral("audit"), QStringLiteral("--since"), QStringLiteral("yesterday")}
                                         << QStringLiteral("yesterday");
        QTest::newRow("rename without name") << QStringList{QStringLiteral("rename"), QStringLiteral("web-1")}
                                             << QStringLiteral("new name");
    }

    void usageErrors()
    {
        QFETCH(QStringList, args);
        QFETCH(QString, mentions);
        const Run r = mist(args);
        QVERIFY2(r.code == 2, describe(r));
        QVERIFY2(r.err.startsWith(QLatin1String("mist: ")), describe(r));
        QVERIFY2(r.err.contains(mentions), describe(r));
        QVERIFY2(r.err.contains(QLatin1String("--help")), describe(r));   // the hint
        QVERIFY2(r.out.isEmpty(), describe(r));
    }

    // ---- clouds ---------------------------------------------------------------------------

    void firstRunSeedsThisComputer()
    {
        const Run r = mist({QStringLiteral("clouds"), QStringLiteral("-o"), QStringLiteral("json")});
        QVERIFY2(r.code == 0, describe(r));
        const auto clouds = jsonArray(r.out);
        QVERIFY2(clouds, describe(r));
        QCOMPARE(clouds->size(), 1);
        QCOMPARE(clouds->at(0).toObject().value(QStringLiteral("provider")).toString(), QStringLiteral("local"));

        // The first listing polls the new cloud, so This computer's machine is there at once.
        const auto machines = machinesJson();
        QVERIFY(machines);
        QCOMPARE(machines->size(), 1);
        const QJsonObject local = machines->at(0).toObject();
        QCOMPARE(local.value(QStringLiteral("cloud")).toString(), clouds->at(0).toObject().value(QStringLiteral("name")).toString());
        QCOMPARE(local.value(QStringLiteral("state")).toString(), QStringLiteral("running"));

        // Removed by the user, it is not seeded again.
        QVERIFY(mist({QStringLiteral("clouds"), QStringLiteral("remove"), QStringLiteral("1")}).code == 0);
        QCOMPARE(cloudNames(), QStringList());
    }

    void cloudsAddListRenameRemove()
    {
        Run r = mist({QStringLiteral("clouds"), QStringLiteral("add"), QStringLiteral("libvirt"), QStringLiteral("kvm"),
                      QStringLiteral("--set"), QStringLiteral("uri=test:///default"), QStringLiteral("--interval"),
                      QStringLiteral("120"), QStringLiteral("--disabled")});
        QVERIFY2(r.code == 0, describe(r));
        QVERIFY2(r.out.contains(QLatin1String("kvm")), describe(r));

        r = mist({QStringLiteral("clouds"), QStringLiteral("list"), QStringLiteral("-o"), QStringLiteral("json")});
        QVERIFY2(r.code == 0, describe(r));
        auto clouds = jsonArray(r.out);
        QVERIFY2(clouds, describe(r));
        QJsonObject kvm = findByName(*clouds, QStringLiteral("kvm"));
        QCOMPARE(kvm.value(QStringLiteral("provider")).toString(), QStringLiteral("libvirt"));
        QCOMPARE(kvm.value(QStringLiteral("config")).toObject().value(QStringLiteral("uri")).toString(),
                 QStringLiteral("test:///default"));
        QCOMPARE(kvm.value(QStringLiteral("interval")).toInt(), 120);
        QCOMPARE(kvm.value(QStringLiteral("enabled")).toBool(true), false);
        QCOMPARE(kvm.value(QStringLiteral("status")).toString(), QStringLiteral("never"));

        // Table: a header and aligned columns.
        r = mist({QStringLiteral("clouds")});
        QVERIFY2(r.code == 0, describe(r));
        const QStringList lines = r.out.split(QLatin1Char('\n'), Qt::SkipEmptyParts);
        QVERIFY2(lines.size() == 3 && lines.at(0).startsWith(QLatin1String("ID ")), describe(r));
        const qsizetype providerColumn = lines.at(0).indexOf(QLatin1String("PROVIDER"));
        QVERIFY(providerColumn > 0);
        QVERIFY2(lines.at(1).mid(providerColumn).startsWith(QLatin1String("libvirt"))
                     || lines.at(2).mid(providerColumn).startsWith(QLatin1String("libvirt")),
                 describe(r));

        r = mist({QStringLiteral("clouds"), QStringLiteral("enable"), QStringLiteral("kvm")});
        QVERIFY2(r.code == 0, describe(r));
        r = mist({QStringLiteral("clouds"), QStringLiteral("rename"), QStringLiteral("KVM"), QStringLiteral("hv")});
        QVERIFY2(r.code == 0, describe(r));
        r = mist({QStringLiteral("clouds"), QStringLiteral("-o"), QStringLiteral("csv")});
        const auto csv = parseCsv(r.out);
        QVERIFY2(csv && csv->size() == 3, describe(r));
        const int nameColumn = int(csv->at(0).indexOf(QStringLiteral("name")));
        const int enabledColumn = int(csv->at(0).indexOf(QStringLiteral("enabled")));
        QVERIFY(nameColumn >= 0 && enabledColumn >= 0);
        bool found = false;
        for (const QStringList &row : *csv)
            if (row.value(nameColumn) == QLatin1String("hv"))
                found = row.value(enabledColumn) == QLatin1String("true");
        QVERIFY2(found, describe(r));

        // A second cloud cannot take the name.
        r = mist({QStringLiteral("clouds"), QStringLiteral("add"), QStringLiteral("libvirt"), QStringLiteral("hv")});
        QVERIFY2(r.code == 1 && r.err.contains(QLatin1String("already exists")), describe(r));

        r = mist({QStringLiteral("clouds"), QStringLiteral("remove"), QStringLiteral("hv")});
        QVERIFY2(r.code == 0, describe(r));
        QVERIFY(!cloudNames().contains(QStringLiteral("hv")));
        r = mist({QStringLiteral("clouds"), QStringLiteral("remove"), QStringLiteral("hv")});
        QVERIFY2(r.code == 1 && r.err.contains(QLatin1String("hv")), describe(r));

        const auto audit = auditJson({QStringLiteral("--search"), QStringLiteral("cloud.")});
        QVERIFY(audit);
        QStringList actions;
        for (const QJsonValue &v : *audit)
            if (v.toObject().value(QStringLiteral("actor")).toString() == QLatin1String("cli"))
                actions << v.toObject().value(QStringLiteral("action")).toString();
        QVERIFY2(actions.contains(QStringLiteral("cloud.added")) && actions.contains(QStringLiteral("cloud.updated"))
                     && actions.contains(QStringLiteral("cloud.removed")),
                 qPrintable(actions.join(QLatin1Char(' '))));
    }

    void providersList()
    {
        Run r = mist({QStringLiteral("clouds"), QStringLiteral("providers"), QStringLiteral("-o"), QStringLiteral("json")});
        QVERIFY2(r.code == 0, describe(r));
        const auto providers = jsonArray(r.out);
        QVERIFY2(providers, describe(r));
        const QJsonObject local = findByName(*providers, QStringLiteral("local"), QStringLiteral("id"));
        QCOMPARE(local.value(QStringLiteral("singleton")).toBool(), true);
#ifdef MIST_WITH_LIBVIRT
        const QJsonObject libvirt = findByName(*providers, QStringLiteral("libvirt"), QStringLiteral("id"));
        const QJsonArray fields = libvirt.value(QStringLiteral("fields")).toArray();
        const QJsonObject uri = findByName(fields, QStringLiteral("uri"), QStringLiteral("id"));
        QCOMPARE(uri.value(QStringLiteral("required")).toBool(), true);
        QCOMPARE(uri.value(QStringLiteral("secret")).toBool(), false);
        QCOMPARE(uri.value(QStringLiteral("type")).toString(), QStringLiteral("url"));
        QCOMPARE(uri.value(QStringLiteral("default")).toString(), QStringLiteral("qemu:///system"));
        QVERIFY(!uri.value(QStringLiteral("help")).toString().isEmpty());
        const QJsonObject password = findByName(fields, QStringLiteral("password"), QStringLiteral("id"));
        QCOMPARE(password.value(QStringLiteral("secret")).toBool(), true);

        r = mist({QStringLiteral("clouds"), QStringLiteral("providers")});
        QVERIFY2(r.code == 0, describe(r));
        const QStringList header = r.out.section(QLatin1Char('\n'), 0, 0).split(QLatin1Char(' '), Qt::SkipEmptyParts);
        QCOMPARE(header, (QStringList{QStringLiteral("PROVIDER"), QStringLiteral("TITLE"), QStringLiteral("FIELD"),
                                      QStringLiteral("TYPE"), QStringLiteral("REQUIRED"), QStringLiteral("SECRET"),
                                      QStringLiteral("DEFAULT"), QStringLiteral("HELP")}));
        QVERIFY2(r.out.contains(QRegularExpression(QStringLiteral("\\nlibvirt +KVM \\(libvirt\\) +uri +url +yes +no +qemu:///system"))),
                 describe(r));
#endif
        QVERIFY(!QFileInfo::exists(dataDir()));   // needs no inventory
    }

    void addCloudErrors_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QString>("mentions");
        QTest::newRow("unknown provider") << QStringList{QStringLiteral("openstack"), QStringLiteral("os1")}
                                          << QStringLiteral("unknown provider \"openstack\"");
#ifdef MIST_WITH_LIBVIRT
        QTest::newRow("missing required field")
            << QStringList{QStringLiteral("libvirt"), QStringLiteral("kvm"), QStringLiteral("--set"), QStringLiteral("uri=")}
            << QStringLiteral("missing required field \"uri\"");
        QTest::newRow("unknown field")
            << QStringList{QStringLiteral("libvirt"), QStringLiteral("kvm"), QStringLiteral("--set"), QStringLiteral("region=eu")}
            << QStringLiteral("unknown field \"region\"");
        QTest::newRow("set without value")
            << QStringList{QStringLiteral("libvirt"), QStringLiteral("kvm"), QStringLiteral("--set"), QStringLiteral("uri")}
            << QStringLiteral("FIELD=VALUE");
        QTest::newRow("bad interval")
            << QStringList{QStringLiteral("libvirt"), QStringLiteral("kvm"), QStringLiteral("--interval"), QStringLiteral("soon")}
            << QStringLiteral("--interval");
        QTest::newRow("secret flag on plain field")
            << QStringList{QStringLiteral("libvirt"), QStringLiteral("kvm"), QStringLiteral("--secret"), QStringLiteral("uri")}
            << QStringLiteral("\"uri\" is not a secret");
        QTest::newRow("numeric name") << QStringList{QStringLiteral("libvirt"), QStringLiteral("42")} << QStringLiteral("42");
#endif
    }

    void addCloudErrors()
    {
        QFETCH(QStringList, args);
        QFETCH(QString, mentions);
        const Run r = mist(QStringList{QStringLiteral("clouds"), QStringLiteral("add")} + args);
        QVERIFY2(r.code == 2, describe(r));
        QVERIFY2(r.err.contains(mentions), describe(r));
        QCOMPARE(cloudNames().size(), 1);   // only This computer
    }

    void singletonProviderRefused()
    {
        const Run r = mist({QStringLiteral("clouds"), QStringLiteral("add"), QStringLiteral("local"), QStringLiteral("again")});
        QVERIFY2(r.code == 1 && r.err.contains(QLatin1String("only one")), describe(r));
        QVERIFY(!cloudNames().contains(QStringLiteral("again")));
    }

    void secretOnCommandLineRefused()
    {
#ifndef MIST_WITH_LIBVIRT
        QSKIP("built without the libvirt provider, the only one with a secret field");
#endif
        const QString secret = QStringLiteral("CmdLineSecret-%1").arg(QCoreApplication::applicationPid());
        const Run r = mist({QStringLiteral("clouds"), QStringLiteral("add"), QStringLiteral("libvirt"), QStringLiteral("kvm"),
                            QStringLiteral("--set"), QStringLiteral("uri=test:///default"), QStringLiteral("--set"),
                            QStringLiteral("password=") + secret});
        QVERIFY2(r.code == 2, describe(r));
        QVERIFY2(r.err.contains(QLatin1String("--secret password")), describe(r));
        QVERIFY2(!r.err.contains(secret) && !r.out.contains(secret), describe(r));
        QVERIFY(!cloudNames().contains(QStringLiteral("kvm")));
        QCOMPARE(test::filesContaining(dataDir(), secret.toUtf8()), QStringList());
    }

    void secretWithoutKeychainAddsNothing()
    {
#ifndef MIST_WITH_LIBVIRT
        QSKIP("built without the libvirt provider, the only one with a secret field");
#endif
        const QString secret = QStringLiteral("NoKeychainSecret-%1").arg(QCoreApplication::applicationPid());
        QProcessEnvironment noBus;
        noBus.insert(QStringLiteral("DBUS_SESSION_BUS_ADDRESS"), QStringLiteral("unix:path=/nonexistent/mist-cli-test-bus"));
        const Run r = mist({QStringLiteral("clouds"), QStringLiteral("add"), QStringLiteral("libvirt"), QStringLiteral("kvm"),
                            QStringLiteral("--set"), QStringLiteral("uri=test:///default"), QStringLiteral("--secret"),
                            QStringLiteral("password")},
                           secret.toUtf8() + "\n", noBus);
        QVERIFY2(r.code == 1, describe(r));
        QVERIFY2(r.err.contains(QLatin1String("keychain")) && r.err.contains(QLatin1String("not added")), describe(r));
        QVERIFY2(!r.err.contains(secret) && !r.out.contains(secret), describe(r));
        QVERIFY(!cloudNames().contains(QStringLiteral("kvm")));
        QCOMPARE(test::filesContaining(dataDir(), secret.toUtf8()), QStringList());
    }

    void secretFromStdinNeedsALine()
    {
#ifndef MIST_WITH_LIBVIRT
        QSKIP("built without the libvirt provider, the only one with a secret field");
#endif
        const Run r = mist({QStringLiteral("clouds"), QStringLiteral("add"), QStringLiteral("libvirt"), QStringLiteral("kvm"),
                            QStringLiteral("--set"), QStringLiteral("uri=test:///default"), QStringLiteral("--secret"),
                            QStringLiteral("password")});
        QVERIFY2(r.code == 1 && r.err.contains(QLatin1String("No value for the secret field \"password\"")), describe(r));
        QVERIFY(!cloudNames().contains(QStringLiteral("kvm")));
    }

    void secretGoesToKeychainOnly()
    {
#ifndef MIST_WITH_LIBVIRT
        QSKIP("built without the libvirt provider, the only one with a secret field");
#endif
        if (!test::secretServiceAvailable()) {
            if (qEnvironmentVariableIsSet("MIST_REQUIRE_KEYCHAIN"))
                QFAIL("No Secret Service on the session bus; the test command should have started gnome-keyring-daemon");
            QSKIP("no Secret Service on the session bus (run the tests through scripts/test.sh)");
        }
        const QString secret = QStringLiteral("KeychainSecret-%1").arg(QCoreApplication::applicationPid());
        Run r = mist({QStringLiteral("-o"), QStringLiteral("json"), QStringLiteral("clouds"), QStringLiteral("add"),
                      QStringLiteral("libvirt"), QStringLiteral("kvm"), QStringLiteral("--set"),
                      QStringLiteral("uri=test:///default"), QStringLiteral("--secret"), QStringLiteral("password")},
                     secret.toUtf8() + "\n");
        QVERIFY2(r.code == 0, describe(r));
        QVERIFY2(!r.out.contains(secret) && !r.err.contains(secret), describe(r));
        const auto added = jsonArray(r.out);
        QVERIFY2(added && added->size() == 1, describe(r));
        const QJsonObject cloud = added->at(0).toObject();
        QCOMPARE(cloud.value(QStringLiteral("secret_fields")).toArray(), QJsonArray{QStringLiteral("password")});
        QVERIFY(!cloud.value(QStringLiteral("config")).toObject().contains(QStringLiteral("password")));
        QCOMPARE(test::filesContaining(dataDir(), secret.toUtf8()), QStringList());

        const QString uuid = cloud.value(QStringLiteral("uuid")).toString();
        SecretStore keychain;
        Result<QString> stored = keychain.read(uuid, QStringLiteral("password"));
        QVERIFY2(stored.ok(), qPrintable(stored.error().toString()));
        QCOMPARE(stored.value(), secret);

        r = mist({QStringLiteral("clouds"), QStringLiteral("remove"), QStringLiteral("kvm")});
        QVERIFY2(r.code == 0, describe(r));
        QVERIFY(!keychain.read(uuid, QStringLiteral("password")).ok());
    }

    // ---- poll and machines ----------------------------------------------------------------

    void pollThenMachinesInEveryFormat()
    {
#ifndef MIST_WITH_LIBVIRT
        QSKIP("built without the libvirt provider");
#endif
        Run r = mist({QStringLiteral("clouds"), QStringLiteral("add"), QStringLiteral("libvirt"), QStringLiteral("kvm"),
                      QStringLiteral("--set"), QStringLiteral("uri=test:///default")});
        QVERIFY2(r.code == 0, describe(r));
        r = mist({QStringLiteral("poll"), QStringLiteral("-o"), QStringLiteral("json")});
        QVERIFY2(r.code == 0, describe(r));
        const auto polls = jsonArray(r.out);
        QVERIFY2(polls && polls->size() == 2, describe(r));   // kvm and This computer
        const QJsonObject kvmPoll = findByName(*polls, QStringLiteral("kvm"), QStringLiteral("cloud"));
        QCOMPARE(kvmPoll.value(QStringLiteral("result")).toString(), QStringLiteral("ok"));
        QCOMPARE(kvmPoll.value(QStringLiteral("added")).toInt(), 2);   // the hypervisor and "test"
        QVERIFY(kvmPoll.value(QStringLiteral("error")).isNull());

        // JSON: objects with stable keys.
        const auto machines = machinesJson();
        QVERIFY(machines);
        QCOMPARE(machines->size(), 3);
        const QStringList keys{QStringLiteral("id"), QStringLiteral("name"), QStringLiteral("state"),
                               QStringLiteral("missing"), QStringLiteral("stale"), QStringLiteral("kind"),
                               QStringLiteral("cloud"), QStringLiteral("ips"), QStringLiteral("size"), QStringLiteral("tags")};
        for (const QJsonValue &v : *machines) {
            QStringList k = v.toObject().keys();
            k.sort();
            QStringList expected = keys;
            expected.sort();
            QCOMPARE(k, expected);
        }
        const QJsonObject vm = findByName(*machines, QStringLiteral("test"));
        QCOMPARE(vm.value(QStringLiteral("kind")).toString(), QStringLiteral("vm"));
        QCOMPARE(vm.value(QStringLiteral("state")).toString(), QStringLiteral("running"));
        QCOMPARE(vm.value(QStringLiteral("cloud")).toString(), QStringLiteral("kvm"));
        QCOMPARE(vm.value(QStringLiteral("missing")).toBool(true), false);
        int hypervisors = 0;
        for (const QJsonValue &v : *machines)
            hypervisors += v.toObject().value(QStringLiteral("kind")).toString() == QLatin1String("hypervisor");
        QCOMPARE(hypervisors, 1);

        // CSV: RFC 4180, header first.
        r = mist({QStringLiteral("machines"), QStringLiteral("-o"), QStringLiteral("csv")});
        QVERIFY2(r.code == 0, describe(r));
        QVERIFY2(r.out.contains(QLatin1String("\r\n")), describe(r));
        const auto csv = parseCsv(r.out);
        QVERIFY2(csv, describe(r));
        QCOMPARE(csv->size(), 4);
        QCOMPARE(csv->at(0), keys);
        bool sawVm = false;
        for (const QStringList &row : *csv) {
            QCOMPARE(row.size(), keys.size());
            if (row.at(1) == QLatin1String("test")) {
                sawVm = true;
                QCOMPARE(row.at(2), QStringLiteral("running"));
                QCOMPARE(row.at(5), QStringLiteral("vm"));
                QCOMPARE(row.at(6), QStringLiteral("kvm"));
                QCOMPARE(row.at(0), QString::number(vm.value(QStringLiteral("id")).toInteger()));
            }
        }
        QVERIFY(sawVm);

        // Table: header plus one aligned line per machine.
        r = mist({QStringLiteral("machines"), QStringLiteral("--cloud"), QStringLiteral("kvm")});
        QVERIFY2(r.code == 0, describe(r));
        const QStringList lines = r.out.split(QLatin1Char('\n'), Qt::SkipEmptyParts);
        QCOMPARE(lines.size(), 3);
        QVERIFY2(lines.at(0).split(QLatin1Char(' '), Qt::SkipEmptyParts)
                     == (QStringList{QStringLiteral("ID"), QStringLiteral("NAME"), QStringLiteral("STATE"), QStringLiteral("KIND"),
                                     QStringLiteral("CLOUD"), QStringLiteral("IPS"), QStringLiteral("SIZE"), QStringLiteral("TAGS")}),
                 describe(r));
        const qsizetype stateColumn = lines.at(0).indexOf(QLatin1String("STATE"));
        for (int i = 1; i < lines.size(); ++i)
            QVERIFY2(lines.at(i).mid(stateColumn).startsWith(QLatin1String("running")), describe(r));

        // --all-columns adds the details.
        const auto all = machinesJson({QStringLiteral("--all-columns")});
        QVERIFY(all);
        const QJsonObject vmAll = findByName(*all, QStringLiteral("test"));
        QCOMPARE(vmAll.value(QStringLiteral("cores")).toInt(), 2);
        QVERIFY(!vmAll.value(QStringLiteral("external_id")).toString().isEmpty());
        QVERIFY(vmAll.value(QStringLiteral("parent_id")).toInteger() > 0);

        // One machine with everything.
        r = mist({QStringLiteral("machine"), QStringLiteral("test"), QStringLiteral("-o"), QStringLiteral("json")});
        QVERIFY2(r.code == 0, describe(r));
        const auto detail = jsonObject(r.out);
        QVERIFY2(detail, describe(r));
        QCOMPARE(detail->value(QStringLiteral("provider")).toString(), QStringLiteral("libvirt"));
        QVERIFY(detail->value(QStringLiteral("actions")).toArray().contains(QStringLiteral("stop")));
        QVERIFY(!detail->value(QStringLiteral("extra")).toObject().isEmpty());
        r = mist({QStringLiteral("machine"), vmAll.value(QStringLiteral("external_id")).toString()});
        QVERIFY2(r.code == 0 && r.out.contains(QRegularExpression(QStringLiteral("Name: +test\\n"))), describe(r));
    }

    void pollFailureAndStaleMachines()
    {
#ifndef MIST_WITH_LIBVIRT
        QSKIP("built without the libvirt provider");
#endif
        QVERIFY(addNodeCloud());
        QVERIFY(QFile::remove(nodeFile()));   // the host goes away
        Run r = mist({QStringLiteral("poll"), QStringLiteral("kvm")});
        QVERIFY2(r.code == 1, describe(r));
        QVERIFY2(r.out.contains(QRegularExpression(QStringLiteral("kvm +failed"))), describe(r));
        QVERIFY2(r.err.contains(QLatin1String("Could not poll \"kvm\"")), describe(r));

        // The machines stay, marked as possibly out of date.
        const auto machines = machinesJson({QStringLiteral("--cloud"), QStringLiteral("kvm")});
        QVERIFY(machines);
        QCOMPARE(machines->size(), 4);
        for (const QJsonValue &v : *machines)
            QCOMPARE(v.toObject().value(QStringLiteral("stale")).toBool(), true);
        r = mist({QStringLiteral("machines")});
        QVERIFY2(r.out.contains(QLatin1String("running (stale)")), describe(r));

        r = mist({QStringLiteral("clouds"), QStringLiteral("-o"), QStringLiteral("json")});
        const QJsonObject kvm = findByName(jsonArray(r.out).value_or(QJsonArray{}), QStringLiteral("kvm"));
        QCOMPARE(kvm.value(QStringLiteral("status")).toString(), QStringLiteral("error"));
        QVERIFY(!kvm.value(QStringLiteral("error")).toString().isEmpty());
    }

    void missingMachinesShown()
    {
#ifndef MIST_WITH_LIBVIRT
        QSKIP("built without the libvirt provider");
#endif
        QVERIFY(addNodeCloud());
        QVERIFY(writeNode(nodeFile(), {kDomains.at(0), kDomains.at(2)}));   // off-1 is gone
        Run r = mist({QStringLiteral("poll"), QStringLiteral("-o"), QStringLiteral("json")});
        QVERIFY2(r.code == 0, describe(r));
        const QJsonObject poll = findByName(jsonArray(r.out).value_or(QJsonArray{}), QStringLiteral("kvm"), QStringLiteral("cloud"));
        QCOMPARE(poll.value(QStringLiteral("missing")).toInt(), 1);
        QCOMPARE(poll.value(QStringLiteral("added")).toInt(), 0);

        const auto machines = machinesJson();
        QVERIFY(machines);
        QCOMPARE(findByName(*machines, QStringLiteral("off-1")).value(QStringLiteral("missing")).toBool(), true);
        QCOMPARE(findByName(*machines, QStringLiteral("run-1")).value(QStringLiteral("missing")).toBool(true), false);
        r = mist({QStringLiteral("machines")});
        QVERIFY2(r.out.contains(QRegularExpression(QStringLiteral("off-1 +stopped \\(missing\\)"))), describe(r));
    }

    void disabledCloudsAreNotPolled()
    {
#ifndef MIST_WITH_LIBVIRT
        QSKIP("built without the libvirt provider");
#endif
        QVERIFY(addNodeCloud());
        Run r = mist({QStringLiteral("clouds"), QStringLiteral("disable"), QStringLiteral("kvm")});
        QVERIFY2(r.code == 0, describe(r));
        r = mist({QStringLiteral("poll"), QStringLiteral("-o"), QStringLiteral("json")});
        QVERIFY2(r.code == 0, describe(r));
        QVERIFY2(!names(jsonArray(r.out).value_or(QJsonArray{}), QStringLiteral("cloud")).contains(QStringLiteral("kvm")),
                 describe(r));
        r = mist({QStringLiteral("poll"), QStringLiteral("kvm")});   // named: polled anyway
        QVERIFY2(r.code == 0 && r.out.contains(QRegularExpression(QStringLiteral("kvm +ok"))), describe(r));
    }

    void searchAndTagFilters()
    {
#ifndef MIST_WITH_LIBVIRT
        QSKIP("built without the libvirt provider");
#endif
        QVERIFY(addNodeCloud());
        Run r = mist({QStringLiteral("tag"), QStringLiteral("run-1"), QStringLiteral("paused-1"), QStringLiteral("env=prod")});
        QVERIFY2(r.code == 0, describe(r));
        r = mist({QStringLiteral("tag"), QStringLiteral("paused-1"), QStringLiteral("--set"), QStringLiteral("tier=batch")});
        QVERIFY2(r.code == 0, describe(r));

        auto shown = machinesJson({QStringLiteral("--tag"), QStringLiteral("env=prod")});
        QVERIFY(shown);
        QStringList found = names(*shown);
        found.sort();
        QCOMPARE(found, (QStringList{QStringLiteral("paused-1"), QStringLiteral("run-1")}));
        shown = machinesJson({QStringLiteral("--tag"), QStringLiteral("env=prod"), QStringLiteral("--tag"), QStringLiteral("tier")});
        QVERIFY(shown);
        QCOMPARE(names(*shown), QStringList{QStringLiteral("paused-1")});
        shown = machinesJson({QStringLiteral("--tag"), QStringLiteral("env=dev")});
        QVERIFY(shown);
        QCOMPARE(names(*shown), QStringList());

        shown = machinesJson({QStringLiteral("--search"), QStringLiteral("paused-1")});
        QVERIFY(shown);
        QCOMPARE(names(*shown), QStringList{QStringLiteral("paused-1")});
        shown = machinesJson({QStringLiteral("--search"), QStringLiteral("PAUSED")});   // case-insensitive
        QVERIFY(shown);
        QVERIFY2(names(*shown).contains(QStringLiteral("paused-1")) && !names(*shown).contains(QStringLiteral("run-1")),
                 qPrintable(names(*shown).join(QLatin1Char(' '))));
        shown = machinesJson({QStringLiteral("--search"), QStringLiteral("no-such-machine-anywhere")});
        QVERIFY(shown);
        QCOMPARE(shown->size(), 0);
        shown = machinesJson({QStringLiteral("--search"), QStringLiteral("run"), QStringLiteral("--tag"), QStringLiteral("env")});
        QVERIFY(shown);
        QCOMPARE(names(*shown), QStringList{QStringLiteral("run-1")});
    }

    void tagSetAndRemove()
    {
#ifndef MIST_WITH_LIBVIRT
        QSKIP("built without the libvirt provider");
#endif
        QVERIFY(addNodeCloud());
        Run r = mist({QStringLiteral("tag"), QStringLiteral("run-1"), QStringLiteral("env=prod"), QStringLiteral("owner=Ann, Bob"),
                      QStringLiteral("-o"), QStringLiteral("json")});
        QVERIFY2(r.code == 0, describe(r));
        auto tagged = jsonArray(r.out);
        QVERIFY2(tagged && tagged->size() == 1, describe(r));
        QCOMPARE(tagged->at(0).toObject().value(QStringLiteral("tags")).toObject(),
                 (QJsonObject{{QStringLiteral("env"), QStringLiteral("prod")}, {QStringLiteral("owner"), QStringLiteral("Ann, Bob")}}));

        // CSV quotes the value holding a comma.
        r = mist({QStringLiteral("machines"), QStringLiteral("-o"), QStringLiteral("csv"), QStringLiteral("--tag"), QStringLiteral("env")});
        const auto csv = parseCsv(r.out);
        QVERIFY2(csv && csv->size() == 2, describe(r));
        QCOMPARE(csv->at(1).constLast(), QStringLiteral("env=prod, owner=Ann, Bob"));

        r = mist({QStringLiteral("tag"), QStringLiteral("run-1"), QStringLiteral("-r"), QStringLiteral("owner"),
                  QStringLiteral("--set"), QStringLiteral("tier=web"), QStringLiteral("--remove"), QStringLiteral("env")});
        QVERIFY2(r.code == 0, describe(r));
        const auto machines = machinesJson();
        QVERIFY(machines);
        QCOMPARE(findByName(*machines, QStringLiteral("run-1")).value(QStringLiteral("tags")).toObject(),
                 (QJsonObject{{QStringLiteral("tier"), QStringLiteral("web")}}));
        QCOMPARE(findByName(*machines, QStringLiteral("off-1")).value(QStringLiteral("tags")).toObject(), QJsonObject());

        const auto audit = auditJson({QStringLiteral("--search"), QStringLiteral("machine.tagged")});
        QVERIFY(audit);
        QCOMPARE(audit->size(), 2);
        QCOMPARE(audit->at(0).toObject().value(QStringLiteral("actor")).toString(), QStringLiteral("cli"));
        QCOMPARE(audit->at(0).toObject().value(QStringLiteral("target")).toString(), QStringLiteral("run-1"));

        r = mist({QStringLiteral("tag"), QStringLiteral("no-such-vm"), QStringLiteral("a=b")});
        QVERIFY2(r.code == 1 && r.err.contains(QLatin1String("no-such-vm")), describe(r));
    }

    // ---- actions ------------------------------------------------------------------------

    void actions_data()
    {
        QTest::addColumn<QString>("uri");   // empty: this test's node file
        QTest::addColumn<QString>("action");
        QTest::addColumn<QString>("machine");
        QTest::addColumn<QString>("expectedState");
        QTest::addColumn<bool>("expectMissing");
        QTest::newRow("start") << QString() << "start" << "off-1" << "running" << false;
        QTest::newRow("stop") << QString() << "stop" << "run-1" << "stopped" << false;
        QTest::newRow("suspend") << QString() << "suspend" << "run-1" << "paused" << false;
        QTest::newRow("resume") << QString() << "resume" << "paused-1" << "running" << false;
        QTest::newRow("reboot") << QString() << "reboot" << "run-1" << "running" << false;
        QTest::newRow("power-off --yes") << QString() << "power-off" << "run-1" << "stopped" << false;
        QTest::newRow("destroy --yes") << QString() << "destroy" << "off-1" << "stopped" << true;
        QTest::newRow("default host: suspend") << "test:///default" << "suspend" << "test" << "paused" << false;
        QTest::newRow("default host: stop") << "test:///default" << "stop" << "test" << "stopped" << false;
    }

    void actions()
    {
#ifndef MIST_WITH_LIBVIRT
        QSKIP("built without the libvirt provider");
#endif
        QFETCH(QString, uri);
        QFETCH(QString, action);
        QFETCH(QString, machine);
        QFETCH(QString, expectedState);
        QFETCH(bool, expectMissing);
        QVERIFY(addNodeCloud(QStringLiteral("kvm"), uri));

        QStringList args{action, machine, QStringLiteral("-o"), QStringLiteral("json")};
        if (action == QLatin1String("destroy") || action == QLatin1String("power-off"))
            args << QStringLiteral("--yes");
        Run r = mist(args);
        QVERIFY2(r.code == 0, describe(r));
        const auto results = jsonArray(r.out);
        QVERIFY2(results && results->size() == 1, describe(r));
        const QJsonObject result = results->at(0).toObject();
        QCOMPARE(result.value(QStringLiteral("result")).toString(), QStringLiteral("ok"));
        QCOMPARE(result.value(QStringLiteral("state")).toString(), expectedState);
        QCOMPARE(result.value(QStringLiteral("missing")).toBool(), expectMissing);

        // The cloud was polled after the action: the inventory has the new state.
        r = mist({QStringLiteral("machine"), machine, QStringLiteral("-o"), QStringLiteral("json")});
        QVERIFY2(r.code == 0, describe(r));
        const auto detail = jsonObject(r.out);
        QVERIFY2(detail, describe(r));
        QCOMPARE(detail->value(QStringLiteral("state")).toString(), expectedState);
        QCOMPARE(detail->value(QStringLiteral("missing")).toBool(), expectMissing);

        const auto audit = auditJson({QStringLiteral("--search"), QStringLiteral("machine.") + action});
        QVERIFY(audit);
        QCOMPARE(audit->size(), 1);
        const QJsonObject entry = audit->at(0).toObject();
        QCOMPARE(entry.value(QStringLiteral("actor")).toString(), QStringLiteral("cli"));
        QCOMPARE(entry.value(QStringLiteral("target")).toString(), machine);
        QCOMPARE(entry.value(QStringLiteral("result")).toString(), QStringLiteral("ok"));
        QCOMPARE(entry.value(QStringLiteral("cloud")).toString(), QStringLiteral("kvm"));
    }

    void renameMachine()
    {
#ifndef MIST_WITH_LIBVIRT
        QSKIP("built without the libvirt provider");
#endif
        QVERIFY(addNodeCloud());
        Run r = mist({QStringLiteral("rename"), QStringLiteral("off-1"), QStringLiteral("db-1")});
        QVERIFY2(r.code == 0, describe(r));
        const auto machines = machinesJson();
        QVERIFY(machines);
        QVERIFY2(names(*machines).contains(QStringLiteral("db-1")) && !names(*machines).contains(QStringLiteral("off-1")),
                 qPrintable(names(*machines).join(QLatin1Char(' '))));
        const auto audit = auditJson({QStringLiteral("--search"), QStringLiteral("machine.rename")});
        QVERIFY(audit && audit->size() == 1);
        QCOMPARE(audit->at(0).toObject().value(QStringLiteral("details")).toObject().value(QStringLiteral("new_name")).toString(),
                 QStringLiteral("db-1"));

        // Only while stopped: a running machine cannot be renamed.
        r = mist({QStringLiteral("rename"), QStringLiteral("run-1"), QStringLiteral("web-9")});
        QVERIFY2(r.code == 1 && r.err.contains(QLatin1String("running")), describe(r));
    }

    void actionNotAllowedInState()
    {
#ifndef MIST_WITH_LIBVIRT
        QSKIP("built without the libvirt provider");
#endif
        QVERIFY(addNodeCloud());
        const Run r = mist({QStringLiteral("start"), QStringLiteral("run-1")});
        QVERIFY2(r.code == 1, describe(r));
        QVERIFY2(r.err.startsWith(QLatin1String("mist: ")) && r.err.contains(QLatin1String("while it is running")), describe(r));
        QVERIFY2(r.err.contains(QLatin1String("stop")), describe(r));   // what is possible instead
        const auto audit = auditJson({QStringLiteral("--search"), QStringLiteral("machine.start")});
        QVERIFY(audit);
        QCOMPARE(audit->size(), 0);

        // With several machines, nothing runs when one of them cannot.
        const Run batch = mist({QStringLiteral("stop"), QStringLiteral("run-1"), QStringLiteral("off-1")});
        QVERIFY2(batch.code == 1 && batch.err.contains(QLatin1String("off-1")), describe(batch));
        const auto machines = machinesJson();
        QVERIFY(machines);
        QCOMPARE(findByName(*machines, QStringLiteral("run-1")).value(QStringLiteral("state")).toString(), QStringLiteral("running"));
    }

    void destructiveActionsNeedYesWithoutTty_data()
    {
        QTest::addColumn<QString>("action");
        QTest::newRow("destroy") << "destroy";
        QTest::newRow("power-off") << "power-off";
    }

    void destructiveActionsNeedYesWithoutTty()
    {
#ifndef MIST_WITH_LIBVIRT
        QSKIP("built without the libvirt provider");
#endif
        QFETCH(QString, action);
        QVERIFY(addNodeCloud());
        // Even a "y" on the piped stdin is no confirmation.
        const Run r = mist({action, QStringLiteral("run-1")}, "y\n");
        QVERIFY2(r.code == 2, describe(r));
        QVERIFY2(r.err.contains(QLatin1String("--yes")), describe(r));
        const auto machines = machinesJson();
        QVERIFY(machines);
        const QJsonObject run1 = findByName(*machines, QStringLiteral("run-1"));
        QCOMPARE(run1.value(QStringLiteral("state")).toString(), QStringLiteral("running"));
        QCOMPARE(run1.value(QStringLiteral("missing")).toBool(true), false);
        const auto audit = auditJson({QStringLiteral("--search"), QStringLiteral("machine.") + action});
        QVERIFY(audit);
        QCOMPARE(audit->size(), 0);
    }

    void unknownAndAmbiguousMachines()
    {
#ifndef MIST_WITH_LIBVIRT
        QSKIP("built without the libvirt provider");
#endif
        QVERIFY(addNodeCloud(QStringLiteral("kvm"), QStringLiteral("test:///default")));
        Run r = mist({QStringLiteral("stop"), QStringLiteral("no-such-vm")});
        QVERIFY2(r.code == 1, describe(r));
        QVERIFY2(r.err.startsWith(QLatin1String("mist: ")) && r.err.contains(QLatin1String("\"no-such-vm\"")), describe(r));
        r = mist({QStringLiteral("machine"), QStringLiteral("no-such-vm")});
        QVERIFY2(r.code == 1 && r.err.contains(QLatin1String("no-such-vm")), describe(r));

        // Two hosts with a domain called "test": the name alone is not enough.
        QVERIFY(addNodeCloud(QStringLiteral("kvm2"), QStringLiteral("test:///default")));
        const auto machines = machinesJson({QStringLiteral("--search"), QStringLiteral("test")});
        QVERIFY(machines);
        QStringList ids;
        for (const QJsonValue &v : *machines)
            if (v.toObject().value(QStringLiteral("name")).toString() == QLatin1String("test"))
                ids << QString::number(v.toObject().value(QStringLiteral("id")).toInteger());
        QCOMPARE(ids.size(), 2);
        r = mist({QStringLiteral("suspend"), QStringLiteral("test")});
        QVERIFY2(r.code == 1, describe(r));
        for (const QString &id : std::as_const(ids))
            QVERIFY2(r.err.contains(id), describe(r));
        // By id it works.
        r = mist({QStringLiteral("suspend"), ids.constFirst()});
        QVERIFY2(r.code == 0, describe(r));
    }

    // ---- audit ----------------------------------------------------------------------------

    void auditListsActions()
    {
#ifndef MIST_WITH_LIBVIRT
        QSKIP("built without the libvirt provider");
#endif
        QVERIFY(addNodeCloud());
        QVERIFY(mist({QStringLiteral("suspend"), QStringLiteral("run-1")}).code == 0);
        QVERIFY(mist({QStringLiteral("tag"), QStringLiteral("off-1"), QStringLiteral("a=b")}).code == 0);
        QVERIFY(mist({QStringLiteral("start"), QStringLiteral("run-1")}).code == 1);   // paused: refused, not audited

        auto all = auditJson();
        QVERIFY(all);
        QStringList actions = names(*all, QStringLiteral("action"));
        QVERIFY2(actions.contains(QStringLiteral("machine.suspend")) && actions.contains(QStringLiteral("machine.tagged"))
                     && actions.contains(QStringLiteral("machine.state_changed")) && actions.contains(QStringLiteral("cloud.added")),
                 qPrintable(actions.join(QLatin1Char(' '))));
        QCOMPARE(actions.constFirst(), QStringLiteral("machine.tagged"));   // newest first
        for (int i = 1; i < all->size(); ++i)
            QVERIFY(all->at(i - 1).toObject().value(QStringLiteral("id")).toInteger()
                    > all->at(i).toObject().value(QStringLiteral("id")).toInteger());

        auto limited = auditJson({QStringLiteral("--limit"), QStringLiteral("2")});
        QVERIFY(limited);
        QCOMPARE(limited->size(), 2);
        auto byMachine = auditJson({QStringLiteral("--machine"), QStringLiteral("run-1")});
        QVERIFY(byMachine);
        QVERIFY(!byMachine->isEmpty());
        for (const QJsonValue &v : *byMachine)
            QCOMPARE(v.toObject().value(QStringLiteral("target")).toString(), QStringLiteral("run-1"));
        auto byCloud = auditJson({QStringLiteral("--cloud"), QStringLiteral("kvm")});
        QVERIFY(byCloud);
        for (const QJsonValue &v : *byCloud)
            QCOMPARE(v.toObject().value(QStringLiteral("cloud")).toString(), QStringLiteral("kvm"));
        QVERIFY(byCloud->size() < all->size());   // This computer's entries are not there
        auto recent = auditJson({QStringLiteral("--since"), QStringLiteral("1h")});
        QVERIFY(recent);
        QCOMPARE(recent->size(), all->size());
        auto future = auditJson({QStringLiteral("--since"), QStringLiteral("2999-01-01")});
        QVERIFY(future);
        QCOMPARE(future->size(), 0);
        auto iso = auditJson({QStringLiteral("--since"), QStringLiteral("2000-01-01T00:00:00Z")});
        QVERIFY(iso);
        QCOMPARE(iso->size(), all->size());

        Run r = mist({QStringLiteral("audit")});
        QVERIFY2(r.code == 0 && r.out.startsWith(QLatin1String("ID ")), describe(r));
        QVERIFY2(r.out.contains(QRegularExpression(QStringLiteral("cli +machine.suspend +kvm +run-1 +ok"))), describe(r));
        r = mist({QStringLiteral("audit"), QStringLiteral("--machine"), QStringLiteral("nothing-like-it")});
        QVERIFY2(r.code == 1, describe(r));
    }

    // ---- damaged or unusable data folder ---------------------------------------------------

    void damagedDatabaseIsLeftAlone()
    {
        QVERIFY(QDir().mkpath(dataDir()));
        const QString db = dataDir() + QStringLiteral("/inventory.db");
        QByteArray garbage("This is not an SQLite database, but it is somebody's file.\n");
        garbage += QByteArray(4096, '\x5a');
        {
            QFile f(db);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write(garbage);
        }
        const Run r = mist({QStringLiteral("machines")});
        QVERIFY2(r.code == 1, describe(r));
        QVERIFY2(r.err.startsWith(QLatin1String("mist: ")) && r.err.contains(QLatin1String("damaged"))
                     && r.err.contains(db),
                 describe(r));
        QVERIFY2(r.out.isEmpty(), describe(r));
        QFile f(db);
        QVERIFY(f.open(QIODevice::ReadOnly));
        QCOMPARE(f.readAll(), garbage);
    }

    void uncreatableDataFolder()
    {
        // A folder below a regular file can never be created, not even by root.
        const QString file = m_tmp->filePath(QStringLiteral("plain-file"));
        {
            QFile f(file);
            QVERIFY(f.open(QIODevice::WriteOnly));
        }
        const QString dir = file + QStringLiteral("/data");
        const Run r = mist({QStringLiteral("--data-dir"), dir, QStringLiteral("machines")}, {}, {}, false);
        QVERIFY2(r.code == 1, describe(r));
        QVERIFY2(r.err.startsWith(QLatin1String("mist: ")) && r.err.contains(dir), describe(r));
        QVERIFY(!QFileInfo(dir).exists());

        // The same through MIST_DATA_DIR.
        QProcessEnvironment env;
        env.insert(QStringLiteral("MIST_DATA_DIR"), dir);
        QProcess p;
        QProcessEnvironment all = QProcessEnvironment::systemEnvironment();
        all.insert(env);
        p.setProcessEnvironment(all);
        p.start(QStringLiteral(MIST_CLI_BINARY), {QStringLiteral("clouds")});
        QVERIFY(p.waitForFinished(60000));
        QCOMPARE(p.exitCode(), 1);
        QVERIFY(QString::fromUtf8(p.readAllStandardError()).contains(dir));
    }

    void readOnlyDataFolder()
    {
        QVERIFY(QDir().mkpath(dataDir()));
        QVERIFY(QFile::setPermissions(dataDir(), QFile::ReadOwner | QFile::ExeOwner));
        {
            QFile probe(dataDir() + QStringLiteral("/probe"));
            if (probe.open(QIODevice::WriteOnly)) {
                probe.remove();
                QSKIP("running as root: folder permissions do not stop writes (uncreatableDataFolder covers this)");
            }
        }
        const Run r = mist({QStringLiteral("machines")});
        QVERIFY2(r.code == 1, describe(r));
        QVERIFY2(r.err.contains(QLatin1String("not writable")) && r.err.contains(dataDir()), describe(r));
    }
};

QTEST_GUILESS_MAIN(TestCli)
#include "tst_cli.moc"
