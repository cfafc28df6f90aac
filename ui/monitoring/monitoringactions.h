#pragma once

#include <QObject>
#include <QPointer>
#include <QVector>

#include <functional>

class QAction;
class QDialog;
class QMenu;
class QWidget;

namespace mist {

class AppCore;
class FleetOverviewWindow;
class MachineDashboard;
class OverlayChartWindow;
struct Cloud;
struct Machine;

// The monitoring windows, each opened once and raised when opened again:
//  * "Monitoring…" (Ctrl+Alt+M): the selected machine's dashboard, from which monitoring can
//    be switched on;
//  * "Compare…" (Ctrl+Alt+C): one metric across the selected machines (two or more);
//  * "Fleet overview" (Ctrl+Alt+F): every monitored machine's latest numbers; a double-click
//    opens that machine's dashboard.
class MonitoringActions : public QObject
{
    Q_OBJECT
public:
    using Selection = std::function<std::pair<const Cloud *, const Machine *>()>;
    using SelectedIds = std::function<QVector<qint64>()>;
    using MachineLookup = std::function<const Machine *(qint64)>;
    using Inventory = std::function<std::pair<QVector<Cloud>, QVector<Machine>>()>;

    MonitoringActions(AppCore *core, QWidget *window, Selection selection, QObject *parent = nullptr);

    // The whole selection (Compare…) and machine names by id (Compare…, fleet overview).
    void setMachineLookup(SelectedIds selected, MachineLookup lookup);
    // What the Prometheus source dialog offers as scopes (all clouds and machines shown).
    void setInventory(Inventory inventory) { m_inventory = std::move(inventory); }

    QAction *chartAction() const { return m_chart; }
    QAction *compareAction() const { return m_compare; }
    QAction *fleetAction() const { return m_fleet; }
    QAction *prometheusAction() const { return m_prometheus; }
    void addToMenu(QMenu *menu);
    void updateEnabled();

    MachineDashboard *openChartForSelection();
    MachineDashboard *openDashboard(qint64 machineId, const QString &name);
    OverlayChartWindow *openCompareForSelection();
    FleetOverviewWindow *openFleetOverview();
    // "Add Prometheus source…": a Prometheus/VictoriaMetrics server that feeds the selected
    // machine (or its cloud); saved sources switch the collectors at once.
    QDialog *openPrometheusSource();

private:
    QString nameOf(qint64 machineId) const;
    template <typename W>
    W *raiseExisting(const QString &objectName) const;
    void showWindow(QWidget *w);

    AppCore *m_core;
    QPointer<QWidget> m_window;
    Selection m_selection;
    SelectedIds m_selectedIds;
    MachineLookup m_lookup;
    Inventory m_inventory;
    QAction *m_chart;
    QAction *m_compare;
    QAction *m_fleet;
    QAction *m_prometheus;
};

} // namespace mist
