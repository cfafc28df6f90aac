#pragma once

// Shared by the GUI tests that drive the whole main window (offscreen): the real AppCore and
// MainWindow on a data folder, tree lookups, actions by object name, terminal screens.

#include "inventory/inventorymodel.h"
#include "mainwindow/mainwindow.h"
#include "services/appcore.h"
#include "services/storeservice.h"
#include "sessions/sessionpane.h"
#include "sessions/sessiontabs.h"
#include "sessions/terminalactions.h"
#include "sessions/terminalsession.h"
#include "terminal/terminalscreen.h"
#include "terminal/terminalview.h"
#include "util/datalocation.h"

#include <QAction>
#include <QDeadlineTimer>
#include <QSortFilterProxyModel>
#include <QTest>
#include <QTreeView>

#include <memory>

namespace uitest {

using namespace mist;

inline constexpr int kTimeoutMs = 20000;

struct App
{
    explicit App(const QString &dir)
    {
        auto location = DataLocation::resolve(dir);
        if (!location)
            qFatal("data dir: %s", qPrintable(location.error().toString()));
        core = std::make_unique<AppCore>(location.value());
        window = std::make_unique<MainWindow>(core.get());
        window->resize(1000, 800);
        window->show();
        core->start();
    }
    ~App()
    {
        if (window)
            window->close();
        window.reset();
        core.reset();
    }
    SessionTabs *tabs() const { return window->terminals()->tabs(); }

    std::unique_ptr<AppCore> core;
    std::unique_ptr<MainWindow> window;
};

inline QString screenText(TerminalScreen *screen)
{
    QStringList lines;
    for (int i = 0; i < screen->totalLines(); ++i)
        lines << screen->lineText(i);
    return lines.join(QLatin1Char('\n'));
}

// Output lines that are `text`. Keystrokes typed before the shell's first prompt are echoed
// by the tty first, so the output can then follow the prompt on its line ("# local-21").
// The commands are written so that their own echo never ends with the expected output.
inline int linesEqual(TerminalScreen *screen, const QString &text)
{
    int n = 0;
    for (int i = 0; i < screen->totalLines(); ++i) {
        const QString line = screen->lineText(i).trimmed();
        n += line == text || line.endsWith(QLatin1Char(' ') + text);
    }
    return n;
}

inline bool screenHasText(TerminalScreen *screen)
{
    for (int i = 0; i < screen->totalLines(); ++i)
        if (!screen->lineText(i).trimmed().isEmpty())
            return true;
    return false;
}

// The tree row (proxy index) of the machine called `name`, at any depth.
inline QModelIndex findMachine(MainWindow *w, const QString &name, const QModelIndex &parent = {})
{
    const QAbstractItemModel *proxy = w->tree()->model();
    for (int r = 0; r < proxy->rowCount(parent); ++r) {
        const QModelIndex i = proxy->index(r, 0, parent);
        const QModelIndex source = qobject_cast<const QSortFilterProxyModel *>(proxy)->mapToSource(i);
        if (const Machine *m = w->model()->machineAt(source); m && m->name == name)
            return i;
        if (const QModelIndex below = findMachine(w, name, i); below.isValid())
            return below;
    }
    return {};
}

inline QAction *action(MainWindow *w, const char *name)
{
    auto *a = w->findChild<QAction *>(QString::fromLatin1(name));
    if (!a)
        qFatal("no action %s", name);
    return a;
}

inline QVector<AuditEntry> auditOf(App &app)
{
    // Queued behind every audit line appended so far (the store thread is FIFO).
    QVector<AuditEntry> out;
    bool done = false;
    app.core->store()->queryAudit(AuditQuery{}, app.window.get(), [&](Result<QVector<AuditEntry>> r) {
        if (r)
            out = r.value();
        done = true;
    });
    QDeadlineTimer deadline(kTimeoutMs);
    while (!done && !deadline.hasExpired())
        QTest::qWait(10);
    return out;
}

// Types a command line once the shell has drawn something (its prompt).
inline void typeInto(SessionPane *pane, const QString &text)
{
    QTRY_VERIFY_WITH_TIMEOUT(screenHasText(pane->session()->screen()), kTimeoutMs);
    pane->view()->setFocus();
    QTest::keyClicks(pane->view(), text);
    QTest::keyClick(pane->view(), Qt::Key_Return);
}

} // namespace uitest
