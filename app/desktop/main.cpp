// mist-desktop: the GUI. Thin on purpose; everything lives in mistcore and mistui.

#include "mainwindow/mainwindow.h"
#include "providers/docker/dockerworker.h"
#include "providers/kubernetes/kubechannelsocket.h"
#include "services/appcore.h"
#include "shell/sshshellbackend.h"
#include "util/datalocation.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QIcon>
#include <QLibraryInfo>
#include <QLocale>
#include <QMessageBox>
#include <QTranslator>

int main(int argc, char *argv[])
{
    QApplication app(argc, argv);
    QApplication::setOrganizationName(QStringLiteral("Mist Desktop"));
    QApplication::setApplicationName(QStringLiteral("mist-desktop"));
    QApplication::setApplicationDisplayName(QStringLiteral("Mist Desktop"));
    QApplication::setApplicationVersion(QStringLiteral(MIST_VERSION));
    QApplication::setDesktopFileName(QStringLiteral("mist-desktop"));
    if (QIcon::hasThemeIcon(QStringLiteral("mist-desktop")))
        QApplication::setWindowIcon(QIcon::fromTheme(QStringLiteral("mist-desktop")));

    // Translations before anything shows text; none installed is fine (English).
    QTranslator qtTranslator;
    if (qtTranslator.load(QLocale(), QStringLiteral("qtbase"), QStringLiteral("_"),
                          QLibraryInfo::path(QLibraryInfo::TranslationsPath)))
        QApplication::installTranslator(&qtTranslator);
    QTranslator translator;
    if (translator.load(QLocale(), QStringLiteral("mist"), QStringLiteral("_"), QStringLiteral(":/i18n")))
        QApplication::installTranslator(&translator);

    QCommandLineParser parser;
    parser.setApplicationDescription(QApplication::translate(
        "main", "See and manage machines in every cloud, hypervisor and container host from one window."));
    parser.addHelpOption();
    parser.addVersionOption();
    const QCommandLineOption dataDir(
        QStringLiteral("data-dir"),
        QApplication::translate("main", "Keep the inventory and settings in <dir> (default: $MIST_DATA_DIR, "
                                        "else the platform's application data folder)."),
        QApplication::translate("main", "dir"));
    parser.addOption(dataDir);
    parser.process(app);

    // Before any window: without a usable folder there is nothing to show.
    const mist::Result<mist::DataLocation> location = mist::DataLocation::resolve(parser.value(dataDir));
    if (!location) {
        QMessageBox box(QMessageBox::Critical, QApplication::translate("main", "Mist Desktop cannot start"),
                        location.error().message, QMessageBox::Close);
        // The detail names the folder and the system's reason: shown, not hidden behind a button.
        QString info;
        if (!location.error().detail.isEmpty())
            info = QStringLiteral("<p>%1</p>").arg(location.error().detail.toHtmlEscaped());
        info += QApplication::translate("main", "<p>Choose another folder:<br><code>mist-desktop --data-dir &lt;folder&gt;</code>"
                                                "<br>or set the MIST_DATA_DIR environment variable.</p>");
        box.setInformativeText(info);
        box.exec();
        return 1;
    }

    int result = 0;
    {
        mist::AppCore core(location.value());
        mist::MainWindow window(&core);
        window.show();
        core.start();   // opens the inventory on the store thread; the window fills in on ready()
        result = QApplication::exec();
    }
    // Closed SSH shells and container streams finish on their own threads (never waiting for
    // the network while the window was open); give them a moment to say goodbye.
    mist::SshShellBackend::waitForWorkers(3000);
    mist::DockerWorkers::waitForAll(2000);
    mist::KubeWorkerThread::waitForWorkers(2000);
    return result;
}
