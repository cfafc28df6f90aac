#include "terminalactions.h"

#include "inventory/cloud.h"
#include "inventory/machine.h"
#include "keys/keymanagerdialog.h"
#include "services/appcore.h"
#include "sessions/sessioncontroller.h"
#include "sessions/sessiontabs.h"
#include "sessions/sshconfigimportdialog.h"
#include "sessions/sshsettingsdialog.h"
#include "terminal/terminalcolorscheme.h"
#include "terminal/terminalscreen.h"

#include <QAction>
#include <QActionGroup>
#include <QInputDialog>
#include <QSettings>
#include <QMenu>
#include <QWidget>

namespace mist {

namespace {
const QString kSchemeKey = QStringLiteral("terminal/colorScheme");
const QString kScrollbackKey = QStringLiteral("terminal/scrollbackLines");
constexpr int kMaxScrollback = 1'000'000;
} // namespace

TerminalActions::TerminalActions(AppCore *core, QWidget *window, Selection selection, QObject *parent)
    : QObject(parent), m_core(core), m_window(window), m_selection(std::move(selection)),
      m_controller(new SessionController(core, window, this))
{
    auto make = [this](const char *name, const QString &text, const QKeySequence &key = {}) {
        auto *a = new QAction(text, m_window);
        a->setObjectName(QString::fromLatin1(name));
        if (!key.isEmpty()) {
            a->setShortcut(key);
            a->setToolTip(QStringLiteral("%1 (%2)").arg(QString(text).remove(QLatin1Char('&')).remove(QChar(0x2026)),
                                                        key.toString(QKeySequence::NativeText)));
        }
        m_window->addAction(a);   // shortcuts work from detached terminal windows' parent too
        return a;
    };
    m_openShell = make("actionOpenShell", tr("Open &shell"), QKeySequence(tr("Ctrl+Alt+S")));
    m_localShell = make("actionLocalShell", tr("&Local terminal"), QKeySequence(tr("Ctrl+Alt+T")));
    m_splitRight = make("actionSplitRight", tr("Split &right"), QKeySequence(tr("Ctrl+Alt+Right")));
    m_splitDown = make("actionSplitDown", tr("Split &down"), QKeySequence(tr("Ctrl+Alt+Down")));
    m_detach = make("actionDetachTerminal", tr("&Detach tab"), QKeySequence(tr("Ctrl+Alt+D")));
    m_close = make("actionCloseTerminal", tr("&Close terminal tab"), QKeySequence(tr("Ctrl+Alt+W")));
    m_broadcast = make("actionBroadcast", tr("&Broadcast input"), QKeySequence(tr("Ctrl+Alt+B")));
    m_broadcast->setCheckable(true);
    m_broadcast->setToolTip(tr("Type once into every terminal whose Broadcast box is ticked"));
    m_sshSettings = make("actionSshSettings", tr("SSH se&ttings…"));
    m_keys = make("actionSshKeys", tr("SSH &keys…"), QKeySequence(tr("Ctrl+Alt+K")));
    m_importConfig = make("actionImportSshConfig", tr("&Import hosts from ~/.ssh/config…"));
    m_scrollback = make("actionScrollbackLines", tr("Scrollback &lines…"));
    m_schemeMenu = new QMenu(tr("Colour sc&heme"), m_window);
    m_schemeMenu->setObjectName(QStringLiteral("colorSchemeMenu"));
    auto *schemes = new QActionGroup(m_schemeMenu);
    const QString current = m_core->settings().value(kSchemeKey, QStringLiteral("dark")).toString();
    for (const TerminalColorScheme &scheme : TerminalColorScheme::builtIn()) {
        QAction *a = m_schemeMenu->addAction(scheme.name);
        a->setObjectName(QStringLiteral("scheme_") + scheme.id);
        a->setCheckable(true);
        a->setChecked(scheme.id == current);
        schemes->addAction(a);
        connect(a, &QAction::triggered, this, [this, id = scheme.id] {
            m_core->settings().setValue(kSchemeKey, id);
            applySettings();
        });
    }
    connect(m_scrollback, &QAction::triggered, this, &TerminalActions::chooseScrollback);

    connect(m_openShell, &QAction::triggered, this, &TerminalActions::openShellForSelection);
    connect(m_localShell, &QAction::triggered, this, [this] { m_controller->openLocalShell(); });
    connect(m_splitRight, &QAction::triggered, this, [this] { tabs()->split(Qt::Horizontal); });
    connect(m_splitDown, &QAction::triggered, this, [this] { tabs()->split(Qt::Vertical); });
    connect(m_detach, &QAction::triggered, this, [this] { tabs()->detachCurrent(); });
    connect(m_close, &QAction::triggered, this, [this] { tabs()->closeCurrent(); });
    connect(m_broadcast, &QAction::toggled, this, [this](bool on) { tabs()->setBroadcasting(on); });
    connect(m_sshSettings, &QAction::triggered, this, &TerminalActions::openSshSettings);
    connect(m_keys, &QAction::triggered, this, &TerminalActions::openKeyManager);
    connect(m_importConfig, &QAction::triggered, this, &TerminalActions::importSshConfig);
    connect(tabs(), &SessionTabs::countChanged, this, &TerminalActions::updateEnabled);
    connect(tabs(), &QTabWidget::currentChanged, this, &TerminalActions::updateEnabled);
    applySettings();
    updateEnabled();
}

SessionTabs *TerminalActions::tabs() const
{
    return m_controller->tabs();
}

void TerminalActions::addToMenu(QMenu *menu) const
{
    menu->addAction(m_openShell);
    menu->addAction(m_localShell);
    menu->addSeparator();
    menu->addAction(m_splitRight);
    menu->addAction(m_splitDown);
    menu->addAction(m_detach);
    menu->addAction(m_close);
    menu->addSeparator();
    menu->addAction(m_broadcast);
    menu->addSeparator();
    menu->addMenu(m_schemeMenu);
    menu->addAction(m_scrollback);
    menu->addSeparator();
    menu->addAction(m_sshSettings);
    menu->addAction(m_keys);
    menu->addAction(m_importConfig);
}

bool TerminalActions::openShellForSelection()
{
    const auto [cloud, machine] = m_selection();
    if (!cloud || !machine || !SessionController::canOpenShell(*cloud, *machine))
        return false;
    m_controller->openShell(*cloud, *machine);
    return true;
}

void TerminalActions::updateEnabled()
{
    const auto [cloud, machine] = m_selection();
    m_openShell->setEnabled(cloud && machine && SessionController::canOpenShell(*cloud, *machine));
    m_sshSettings->setEnabled(cloud && machine && cloud->provider != QLatin1String("local"));
    const bool hasTab = tabs()->count() > 0;
    m_splitRight->setEnabled(hasTab);
    m_splitDown->setEnabled(hasTab);
    m_detach->setEnabled(hasTab);
    m_close->setEnabled(hasTab);
}

void TerminalActions::applySettings()
{
    QSettings &s = m_core->settings();
    tabs()->setColorScheme(TerminalColorScheme::byId(s.value(kSchemeKey, QStringLiteral("dark")).toString()));
    tabs()->setScrollbackLines(qBound(0, s.value(kScrollbackKey, TerminalScreen::DefaultScrollbackLines).toInt(), kMaxScrollback));
}

void TerminalActions::chooseScrollback()
{
    auto *dialog = new QInputDialog(m_window);
    dialog->setObjectName(QStringLiteral("scrollbackDialog"));
    dialog->setWindowTitle(tr("Scrollback"));
    dialog->setLabelText(tr("Lines each terminal keeps above the screen:"));
    dialog->setInputMode(QInputDialog::IntInput);
    dialog->setIntRange(0, kMaxScrollback);
    dialog->setIntStep(1000);
    dialog->setIntValue(m_core->settings().value(kScrollbackKey, TerminalScreen::DefaultScrollbackLines).toInt());
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &QInputDialog::intValueSelected, this, [this](int lines) {
        m_core->settings().setValue(kScrollbackKey, lines);
        applySettings();
    });
    dialog->open();
}

void TerminalActions::openSshSettings()
{
    const auto [cloud, machine] = m_selection();
    if (!machine)
        return;
    auto *dialog = new SshSettingsDialog(m_core, *machine, m_window);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &SshSettingsDialog::saved, this, [this, name = machine->name] {
        emit statusMessage(tr("SSH settings of %1 saved").arg(name));
    });
    dialog->open();
}

void TerminalActions::openKeyManager()
{
    auto *dialog = new KeyManagerDialog(m_core, m_window);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->open();
}

void TerminalActions::importSshConfig()
{
    auto *dialog = new SshConfigImportDialog(m_core, m_window);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &SshConfigImportDialog::imported, this, [this](const QString &cloudName, int hosts) {
        emit statusMessage(tr("Imported %n host(s) into \"%1\"", nullptr, hosts).arg(cloudName));
    });
    dialog->open();
}

} // namespace mist
