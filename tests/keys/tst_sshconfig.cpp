// The ~/.ssh/config reader on fixture files (tests/data/sshconfig), copied into a
// throwaway home so relative Includes resolve under <home>/.ssh as they do for ssh.

#include "ssh/sshconfig.h"
#include "testsupport.h"

#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

using namespace mist;

class TestSshConfig : public QObject
{
    Q_OBJECT

    QTemporaryDir m_home;
    SshConfig::Environment m_env;

    QString sshDir() const { return m_home.filePath(QStringLiteral(".ssh")); }
    QString home(const QString &rel) const { return QDir(m_home.path()).filePath(rel); }

    SshConfig load(const QString &name = QStringLiteral("config"))
    {
        Result<SshConfig> c = SshConfig::fromFile(QDir(sshDir()).filePath(name), m_env);
        if (!c) {
            qWarning() << c.error().toString();
            return SshConfig(m_env);
        }
        return c.value();
    }

    static bool hasWarning(const QStringList &warnings, const QString &location, const QString &text)
    {
        for (const QString &w : warnings)
            if (w.contains(location + QStringLiteral(": ")) && w.contains(text, Qt::CaseInsensitive))
                return true;
        return false;
    }

private slots:
    void initTestCase()
    {
        QVERIFY(m_home.isValid());
        const QString src = test::dataFile(QStringLiteral("sshconfig"));
        QDirIterator it(src, QDir::Files, QDirIterator::Subdirectories);
        while (it.hasNext()) {
            const QString file = it.next();
            const QString target = QDir(sshDir()).filePath(QDir(src).relativeFilePath(file));
            QVERIFY(QDir().mkpath(QFileInfo(target).path()));
            QVERIFY(QFile::copy(file, target));
        }
        m_env.homeDir = m_home.path();
        m_env.localUser = QStringLiteral("tester");
        m_env.localHostName = QStringLiteral("desk.example.lan");
        QCOMPARE(SshConfig::defaultPath(m_env), QDir(sshDir()).filePath(QStringLiteral("config")));
    }

    void hostWithTokensAndFirstValueWins()
    {
        const SshConfig c = load();
        const SshHostConfig web1 = c.resolve(QStringLiteral("web1"));
        QCOMPARE(web1.alias, QStringLiteral("web1"));
        QCOMPARE(web1.hostName, QStringLiteral("web1.example.com"));   // %h is the alias
        QCOMPARE(web1.user, QStringLiteral("deploy"));                 // not web-default or everyone
        QCOMPARE(web1.port, 2222);                                     // not 80 from "Host web*"
        QCOMPARE(web1.identityFiles,
                 QStringList({home(QStringLiteral(".ssh/id_web")), home(QStringLiteral("keys/deploy@web1.example.com key")),
                              home(QStringLiteral(".ssh/id_fallback")), home(QStringLiteral(".ssh/id_all"))}));
        QCOMPARE(web1.proxyJump, QString());
        QCOMPARE(c.resolve(QStringLiteral("web2")).hostName, QStringLiteral("web2.example.com"));
    }

    void keyEqualsValueFormsAndProxyJump()
    {
        const SshHostConfig db = load().resolve(QStringLiteral("db"));
        QCOMPARE(db.hostName, QStringLiteral("10.0.0.5"));
        QCOMPARE(db.user, QStringLiteral("postgres"));
        QCOMPARE(db.port, 22);
        QCOMPARE(db.proxyJump, QStringLiteral("bastion"));
        QCOMPARE(db.identityFiles, QStringList({home(QStringLiteral(".ssh/id_tester_db")), home(QStringLiteral(".ssh/id_all"))}));
    }

    void wildcardsAndNegation()
    {
        const SshConfig c = load();
        const SshHostConfig any = c.resolve(QStringLiteral("build.internal"));
        QCOMPARE(any.user, QStringLiteral("internal-user"));
        QCOMPARE(any.hostName, QStringLiteral("build.internal"));
        QCOMPARE(any.proxyJump, QStringLiteral("deploy@bastion.example.com:22022,admin@[2001:db8::1]:2200"));
        // Negated in the *.internal block: only its own block and "Host *" apply.
        const SshHostConfig secret = c.resolve(QStringLiteral("secret.internal"));
        QCOMPARE(secret.user, QStringLiteral("everyone"));
        QCOMPARE(secret.hostName, QStringLiteral("192.168.50.50"));
        QCOMPARE(secret.proxyJump, QString());
        // '?' matches one character; "Host web*" catches other web hosts.
        const SshHostConfig web9 = c.resolve(QStringLiteral("WEB9"));   // case-insensitive
        QCOMPARE(web9.user, QStringLiteral("web-default"));
        QCOMPARE(web9.port, 80);
        // Nothing but "Host *".
        const SshHostConfig other = c.resolve(QStringLiteral("elsewhere"));
        QCOMPARE(other.hostName, QStringLiteral("elsewhere"));
        QCOMPARE(other.user, QStringLiteral("everyone"));
        QCOMPARE(other.port, 22);
        QCOMPARE(other.identityFiles, QStringList{home(QStringLiteral(".ssh/id_all"))});
    }

    void proxyJumpNone()
    {
        const SshHostConfig h = load().resolve(QStringLiteral("nojump"));
        QCOMPARE(h.proxyJump, QString());
        QCOMPARE(h.hostName, QStringLiteral("nojump.example.com"));
    }

    void matchBlocksAreSkippedWithAWarning()
    {
        const SshConfig c = load();
        const SshHostConfig h = c.resolve(QStringLiteral("matchafter"));
        QCOMPARE(h.hostName, QStringLiteral("matchafter.example.com"));
        QCOMPARE(h.user, QStringLiteral("everyone"));   // not "from-match"
        QCOMPARE(h.port, 22);                          // not 1
        QCOMPARE(c.resolve(QStringLiteral("x.example.com")).user, QStringLiteral("everyone"));
        QVERIFY2(hasWarning(c.warnings(), QDir(sshDir()).filePath(QStringLiteral("config:37")), QStringLiteral("Match")),
                 qPrintable(c.warnings().join(QLatin1Char('\n'))));
    }

    void includeWithGlobAndNesting()
    {
        const SshConfig c = load();
        QCOMPARE(c.resolve(QStringLiteral("app1")).hostName, QStringLiteral("app1.example.net"));
        QCOMPARE(c.resolve(QStringLiteral("app1")).port, 2201);
        QCOMPARE(c.resolve(QStringLiteral("app1")).user, QStringLiteral("everyone"));
        QCOMPARE(c.resolve(QStringLiteral("app3")).user, QStringLiteral("app3user"));
        QCOMPARE(c.resolve(QStringLiteral("not-included")).hostName, QStringLiteral("not-included"));
        QCOMPARE(c.resolve(QStringLiteral("nested2")).hostName, QStringLiteral("nested2.example.org"));
        QCOMPARE(c.files().size(), 5);   // config, two .conf files, level1, level2
    }

    void includeInsideAHostBlockAppliesToThatHostOnly()
    {
        const SshConfig c = SshConfig::fromText(QStringLiteral("Host special\n  Include config.d/20-more.conf\n"
                                                               "Host *\n  Port 2\n"),
                                                QStringLiteral("inline"), m_env);
        QCOMPARE(c.warnings(), QStringList());
        QCOMPARE(c.resolve(QStringLiteral("app3")).user, QString());   // the block needs "special" too
        QCOMPARE(c.resolve(QStringLiteral("app3")).port, 2);
        QVERIFY(c.importableHosts().size() == 1 && c.importableHosts().constFirst().alias == QLatin1String("special"));
        // Included from a Match block: never applies.
        const SshConfig m = SshConfig::fromText(QStringLiteral("Match all\n  Include config.d/20-more.conf\n"),
                                                QStringLiteral("inline"), m_env);
        QCOMPARE(m.resolve(QStringLiteral("app3")).user, QString());
        QVERIFY(m.importableHosts().isEmpty());
    }

    void quotedValues()
    {
        const SshHostConfig h = load().resolve(QStringLiteral("quoted"));
        QCOMPARE(h.hostName, QStringLiteral("quoted host.example.com"));
        QCOMPARE(h.user, QStringLiteral("single quoted"));
    }

    void importableHostsAreTheConcreteAliases()
    {
        const SshConfig c = load();
        QStringList aliases;
        for (const SshHostConfig &h : c.importableHosts())
            aliases << h.alias;
        QCOMPARE(aliases, QStringList({QStringLiteral("app1"), QStringLiteral("app2"), QStringLiteral("app3"),
                                       QStringLiteral("nested2"), QStringLiteral("nested1"), QStringLiteral("web1"),
                                       QStringLiteral("web2"), QStringLiteral("db"), QStringLiteral("bastion"),
                                       QStringLiteral("secret.internal"), QStringLiteral("nojump"),
                                       QStringLiteral("matchafter"), QStringLiteral("quoted")}));
        const SshHostConfig bastion = c.importableHosts().at(8);
        QCOMPARE(bastion.hostName, QStringLiteral("bastion.example.com"));
        QCOMPARE(bastion.port, 22022);
        QCOMPARE(bastion.user, QStringLiteral("jump"));
    }

    void malformedLinesAreWarnings()
    {
        const SshConfig c = load(QStringLiteral("malformed"));
        const QString f = QDir(sshDir()).filePath(QStringLiteral("malformed"));
        const QStringList w = c.warnings();
        const QString all = w.join(QLatin1Char('\n'));
        QVERIFY2(hasWarning(w, f + QStringLiteral(":3"), QStringLiteral("bad port")), qPrintable(all));
        QVERIFY2(hasWarning(w, f + QStringLiteral(":4"), QStringLiteral("bad port")), qPrintable(all));
        QVERIFY2(hasWarning(w, f + QStringLiteral(":5"), QStringLiteral("needs a value")), qPrintable(all));
        QVERIFY2(hasWarning(w, f + QStringLiteral(":6"), QStringLiteral("unterminated quote")), qPrintable(all));
        QVERIFY2(hasWarning(w, f + QStringLiteral(":7"), QStringLiteral("not a configuration keyword")), qPrintable(all));
        QVERIFY2(hasWarning(w, f + QStringLiteral(":8"), QStringLiteral("takes one value")), qPrintable(all));
        QVERIFY2(hasWarning(w, f + QStringLiteral(":10"), QStringLiteral("at least one pattern")), qPrintable(all));
        QVERIFY2(hasWarning(w, f + QStringLiteral(":11"), QStringLiteral("lone")), qPrintable(all));
        const SshHostConfig good = c.resolve(QStringLiteral("good"));
        QCOMPARE(good.hostName, QStringLiteral("good.example.com"));
        QCOMPARE(good.port, 2022);   // the bad ports did not count as obtained
        QCOMPARE(c.resolve(QStringLiteral("ok2")).hostName, QStringLiteral("ok2.example.com"));
    }

    void includeLoopStops()
    {
        const SshConfig c = load(QStringLiteral("loop"));
        QCOMPARE(c.resolve(QStringLiteral("looped")).hostName, QStringLiteral("loop.example.com"));
        QCOMPARE(c.importableHosts().size(), 1);
        QVERIFY2(hasWarning(c.warnings(), QStringLiteral("loop:3"), QStringLiteral("levels deep")),
                 qPrintable(c.warnings().join(QLatin1Char('\n'))));
    }

    void unreadableFileIsAnError()
    {
        Result<SshConfig> c = SshConfig::fromFile(QDir(sshDir()).filePath(QStringLiteral("nope")), m_env);
        QVERIFY(!c.ok());
        QVERIFY(c.error().message.contains(QLatin1String("does not exist")));
        c = SshConfig::fromFile(sshDir(), m_env);
        QVERIFY(!c.ok());
        QVERIFY(c.error().message.contains(QLatin1String("folder")));
        const QString locked = QDir(sshDir()).filePath(QStringLiteral("locked"));
        QVERIFY(QFile::copy(QDir(sshDir()).filePath(QStringLiteral("config")), locked));
        QFile::setPermissions(locked, QFileDevice::Permissions());
        if (QFile(locked).open(QIODevice::ReadOnly))
            QSKIP("running as root: permissions do not stop reading");
        c = SshConfig::fromFile(locked, m_env);
        QVERIFY(!c.ok());
        QVERIFY(c.error().message.contains(QLatin1String("could not be read")));
    }

    void textForms()
    {
        const SshConfig c = SshConfig::fromText(QStringLiteral("HOST=a\r\n  HostName=a.example\r\n\tPORT\t=\t2200\r\n"
                                                               "Host b c\n User \"x y\"\n IdentityFile \"/k/%r %%\"\n"
                                                               "Host ?x\n User question\n"),
                                                QStringLiteral("inline"), m_env);
        QCOMPARE(c.warnings(), QStringList());
        QCOMPARE(c.resolve(QStringLiteral("a")).hostName, QStringLiteral("a.example"));
        QCOMPARE(c.resolve(QStringLiteral("a")).port, 2200);
        QCOMPARE(c.resolve(QStringLiteral("c")).user, QStringLiteral("x y"));
        QCOMPARE(c.resolve(QStringLiteral("c")).identityFiles, QStringList{QStringLiteral("/k/x y %")});
        QCOMPARE(c.resolve(QStringLiteral("ax")).user, QStringLiteral("question"));
        QCOMPARE(c.resolve(QStringLiteral("aax")).user, QString());
        // %r falls back to the local user when the config names none.
        const SshConfig d = SshConfig::fromText(QStringLiteral("Host *\n IdentityFile ~/%r-%l-%p\n"), QStringLiteral("inline"), m_env);
        QCOMPARE(d.resolve(QStringLiteral("z")).identityFiles, QStringList{home(QStringLiteral("tester-desk.example.lan-22"))});
    }

    void garbageDoesNotCrash()
    {
        QByteArray junk;
        for (int i = 0; i < 20000; ++i)
            junk.append(char((i * 7919 + 13) % 256));
        const SshConfig c = SshConfig::fromText(QString::fromLatin1(junk), QStringLiteral("junk"), m_env);
        QVERIFY(!c.warnings().isEmpty());
        QCOMPARE(c.resolve(QStringLiteral("h")).hostName, QStringLiteral("h"));
    }
};

QTEST_GUILESS_MAIN(TestSshConfig)
#include "tst_sshconfig.moc"
