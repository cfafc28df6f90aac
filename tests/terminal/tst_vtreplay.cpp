// The vtreplay tool, run as a process on recorded streams in tests/data/vt.
// Expected outputs (*.expected) were checked by hand against what the streams draw.

#include "testsupport.h"

#include <QFile>
#include <QProcess>
#include <QTemporaryFile>
#include <QTest>

namespace {

struct Run
{
    int exitCode = -1;
    QByteArray out;
    QByteArray err;
};

Run replay(const QStringList &args, const QByteArray &stdinData = {})
{
    QProcess p;
    p.start(QStringLiteral(MIST_VTREPLAY_BINARY), args);
    Run r;
    if (!p.waitForStarted(10000))
        return r;
    if (!stdinData.isEmpty())
        p.write(stdinData);
    p.closeWriteChannel();
    if (!p.waitForFinished(60000)) {
        p.kill();
        p.waitForFinished();
        return r;
    }
    r.exitCode = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
    r.out = p.readAllStandardOutput();
    r.err = p.readAllStandardError();
    return r;
}

QByteArray readData(const QString &name)
{
    QFile f(mist::test::dataFile(QStringLiteral("vt/") + name));
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

} // namespace

class TestVtReplay : public QObject
{
    Q_OBJECT

private slots:
    void insideVim()
    {
        const Run r = replay({QStringLiteral("--cols"), QStringLiteral("40"), QStringLiteral("--rows"), QStringLiteral("10"),
                              QStringLiteral("--attrs"), mist::test::dataFile(QStringLiteral("vt/vim_open.vt"))});
        QCOMPARE(r.exitCode, 0);
        QCOMPARE(QString::fromUtf8(r.out), QString::fromUtf8(readData(QStringLiteral("vim_open.expected"))));
        // The essentials, spelled out: the alternate screen with vim's tildes and status line.
        const QList<QByteArray> lines = r.out.split('\n');
        QCOMPARE(lines.at(0), QByteArray("hello t from vim"));
        QCOMPARE(lines.at(1), QByteArray("~"));
        QVERIFY(lines.at(9).startsWith("-- INSERT --"));
        QVERIFY(r.out.contains("altscreen on"));
        QVERIFY(r.out.contains("bracketed-paste on"));
        QVERIFY(r.out.contains("cursor 0,7 visible bar"));
        QVERIFY(r.out.contains("row 9 cols 0-11: bold"));
    }

    void vimExitRestoresShell()
    {
        // Through standard input: the session opens vim, then quits it.
        const QByteArray stream = readData(QStringLiteral("vim_open.vt")) + readData(QStringLiteral("vim_exit.vt"));
        QVERIFY(stream.size() > 100);
        const Run r = replay({QStringLiteral("--cols"), QStringLiteral("40"), QStringLiteral("--rows"), QStringLiteral("10"),
                              QStringLiteral("--attrs"), QStringLiteral("-")},
                             stream);
        QCOMPARE(r.exitCode, 0);
        QCOMPARE(QString::fromUtf8(r.out), QString::fromUtf8(readData(QStringLiteral("vim_session.expected"))));
        QVERIFY(r.out.startsWith("$ vim notes.txt\n$ echo done\ndone\n$\n"));
        QVERIFY(r.out.contains("altscreen off"));
        QVERIFY(r.out.contains("title \"shell\""));
    }

    void coloursAndWideCharacters()
    {
        const Run r = replay({QStringLiteral("--cols"), QStringLiteral("40"), QStringLiteral("--rows"), QStringLiteral("4"),
                              QStringLiteral("--attrs"), mist::test::dataFile(QStringLiteral("vt/colors.vt"))});
        QCOMPARE(r.exitCode, 0);
        QCOMPARE(QString::fromUtf8(r.out), QString::fromUtf8(readData(QStringLiteral("colors.expected"))));
        QVERIFY(r.out.contains("row 0 cols 10-20: fg=208 bold underline"));
        QVERIFY(r.out.contains("row 1 cols 0-8: fg=#ff8000 bg=#102030"));
        QVERIFY(r.out.contains(QStringLiteral("中文 wide é\u0301 end").toUtf8()));
    }

    void scrollbackAndPlainText()
    {
        QByteArray stream;
        for (int i = 0; i < 12; ++i)
            stream += "line " + QByteArray::number(i) + "\r\n";
        Run r = replay({QStringLiteral("--rows"), QStringLiteral("5"), QStringLiteral("--scrollback"), QStringLiteral("-")}, stream);
        QCOMPARE(r.exitCode, 0);
        QByteArray expected = "----- scrollback (8 lines) -----\n";
        for (int i = 0; i < 8; ++i)
            expected += "line " + QByteArray::number(i) + "\n";
        expected += "----- screen -----\nline 8\nline 9\nline 10\nline 11\n\n";
        QCOMPARE(r.out, expected);

        // Without options: just the screen, default 80x24.
        r = replay({QStringLiteral("-")}, "hi");
        QCOMPARE(r.exitCode, 0);
        QCOMPARE(r.out, "hi\n" + QByteArray(23, '\n'));
    }

    void badInput()
    {
        Run r = replay({QStringLiteral("/nonexistent/stream.vt")});
        QCOMPARE(r.exitCode, 1);
        QVERIFY(r.err.contains("cannot read"));
        r = replay({QStringLiteral("--cols"), QStringLiteral("0"), QStringLiteral("-")}, "x");
        QCOMPARE(r.exitCode, 2);
        r = replay({});
        QCOMPARE(r.exitCode, 2);
        // Binary garbage is replayed without trouble.
        QTemporaryFile junk;
        QVERIFY(junk.open());
        QByteArray bytes(256 * 1024, '\0');
        for (qsizetype i = 0; i < bytes.size(); ++i)
            bytes[i] = char((i * 7919 + (i >> 3) * 31) & 0xff);
        junk.write(bytes);
        junk.close();
        r = replay({QStringLiteral("--attrs"), junk.fileName()});
        QCOMPARE(r.exitCode, 0);
        QVERIFY(r.out.contains("----- attributes -----"));
    }
};

QTEST_GUILESS_MAIN(TestVtReplay)
#include "tst_vtreplay.moc"
