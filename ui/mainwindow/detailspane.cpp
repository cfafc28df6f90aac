#include "detailspane.h"

#include "inventory/inventorymodel.h"
#include "mainwindow/actioncontroller.h"
#include "providers/providerregistry.h"

#include <QFormLayout>
#include <QGridLayout>
#include <QIcon>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QMap>
#include <QPushButton>
#include <QScrollArea>
#include <QScrollBar>
#include <QStyle>
#include <QTimer>
#include <QVBoxLayout>

namespace mist {

namespace {

const QString kDash = QStringLiteral("—");
const QString kCloudRefresh = QStringLiteral("cloud:refresh");
const QString kCloudEdit = QStringLiteral("cloud:edit");
const QString kCloudEnable = QStringLiteral("cloud:enable");
const QString kCloudDisable = QStringLiteral("cloud:disable");
const QString kCloudRemove = QStringLiteral("cloud:remove");
const QString kEditTags = QStringLiteral("machine:tags");
const QString kMachineRefresh = QStringLiteral("machine:refresh");
const QString kOpenShell = QStringLiteral("machine:shell");

QString orDash(const QString &text)
{
    return text.trimmed().isEmpty() ? kDash : text;
}

QString ago(const QDateTime &when)
{
    const qint64 s = when.secsTo(QDateTime::currentDateTimeUtc());
    if (s < 0)
        return {};
    if (s < 60)
        return DetailsPane::tr("just now");
    if (s < 3600)
        return DetailsPane::tr("%1 min ago").arg(s / 60);
    if (s < 86400)
        return DetailsPane::tr("%1 h ago").arg(s / 3600);
    return DetailsPane::tr("%1 d ago").arg(s / 86400);
}

QString timeText(const QDateTime &when)
{
    if (!when.isValid())
        return kDash;
    const QString absolute = QLocale().toString(when.toLocalTime(), QStringLiteral("yyyy-MM-dd HH:mm:ss"));
    const QString relative = ago(when);
    return relative.isEmpty() ? absolute : QStringLiteral("%1 (%2)").arg(absolute, relative);
}

QString kindText(MachineKind kind)
{
    switch (kind) {
    case MachineKind::Machine: return DetailsPane::tr("Machine");
    case MachineKind::Vm: return DetailsPane::tr("Virtual machine");
    case MachineKind::Hypervisor: return DetailsPane::tr("Hypervisor");
    case MachineKind::ContainerHost: return DetailsPane::tr("Container host");
    case MachineKind::Container: return DetailsPane::tr("Container");
    case MachineKind::Node: return DetailsPane::tr("Node");
    case MachineKind::Pod: return DetailsPane::tr("Pod");
    }
    return machineKindName(kind);
}

QString healthText(const Cloud &c)
{
    switch (c.health) {
    case CloudHealth::NeverPolled: return DetailsPane::tr("Not polled yet");
    case CloudHealth::Polling: return DetailsPane::tr("Polling…");
    case CloudHealth::Ok: return DetailsPane::tr("OK");
    case CloudHealth::Error: return DetailsPane::tr("Failing — showing the last known inventory");
    }
    return cloudHealthName(c.health);
}

QString tagsText(const TagMap &tags)
{
    QStringList parts;
    for (auto it = tags.constBegin(); it != tags.constEnd(); ++it)
        parts << (it.value().isEmpty() ? it.key() : it.key() + QLatin1Char('=') + it.value());
    return parts.isEmpty() ? kDash : parts.join(QStringLiteral(", "));
}

QString jsonText(const QJsonValue &v)
{
    switch (v.type()) {
    case QJsonValue::Bool: return v.toBool() ? DetailsPane::tr("yes") : DetailsPane::tr("no");
    case QJsonValue::Double: return QLocale::c().toString(v.toDouble(), 'g', 15);
    case QJsonValue::String: return orDash(v.toString());
    case QJsonValue::Array: return QString::fromUtf8(QJsonDocument(v.toArray()).toJson(QJsonDocument::Compact));
    case QJsonValue::Object: return QString::fromUtf8(QJsonDocument(v.toObject()).toJson(QJsonDocument::Compact));
    default: return kDash;
    }
}

QString costText(const Machine &m)
{
    if (m.costCurrency.isEmpty() && m.costPerMonth == 0.0)
        return DetailsPane::tr("unknown");
    return DetailsPane::tr("%1 %2 per month").arg(QLocale().toString(m.costPerMonth, 'f', 2), m.costCurrency);
}

QString memoryText(qint64 mb)
{
    if (mb <= 0)
        return kDash;
    return QLocale().formattedDataSize(mb * 1024 * 1024, 1, QLocale::DataSizeTraditionalFormat);
}

QString providerTitle(const QString &id)
{
    const auto p = ProviderRegistry::instance().provider(id);
    return p ? p->info().title : id;
}

} // namespace

DetailsPane::DetailsPane(InventoryModel *model, ActionController *actions, QWidget *parent)
    : QWidget(parent)
    , m_model(model)
    , m_actions(actions)
    , m_icon(new QLabel(this))
    , m_title(new QLabel(this))
    , m_subtitle(new QLabel(this))
    , m_note(new QLabel(this))
    , m_buttonBox(new QWidget(this))
    , m_buttonGrid(new QGridLayout(m_buttonBox))
    , m_scroll(new QScrollArea(this))
    , m_form(nullptr)
    , m_refreshTimer(new QTimer(this))
    , m_clockTimer(new QTimer(this))
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(8, 8, 8, 8);

    auto *header = new QHBoxLayout;
    m_icon->setFixedSize(32, 32);
    header->addWidget(m_icon, 0, Qt::AlignTop);
    auto *titles = new QVBoxLayout;
    m_title->setObjectName(QStringLiteral("detailsTitle"));
    QFont big = m_title->font();
    big.setBold(true);
    big.setPointSizeF(big.pointSizeF() * 1.25);
    m_title->setFont(big);
    m_title->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_title->setWordWrap(true);
    titles->addWidget(m_title);
    m_subtitle->setObjectName(QStringLiteral("detailsSubtitle"));
    m_subtitle->setWordWrap(true);
    titles->addWidget(m_subtitle);
    header->addLayout(titles, 1);
    layout->addLayout(header);

    m_buttonBox->setObjectName(QStringLiteral("detailsButtons"));
    m_buttonGrid->setContentsMargins(0, 4, 0, 4);
    layout->addWidget(m_buttonBox);
    m_note->setObjectName(QStringLiteral("detailsNote"));
    m_note->setWordWrap(true);
    m_note->hide();
    layout->addWidget(m_note);

    m_scroll->setObjectName(QStringLiteral("detailsScroll"));
    m_scroll->setWidgetResizable(true);
    m_scroll->setFrameShape(QFrame::NoFrame);
    layout->addWidget(m_scroll, 1);

    m_refreshTimer->setSingleShot(true);
    connect(m_refreshTimer, &QTimer::timeout, this, &DetailsPane::refresh);
    // Whatever changes in the model may be what is shown; refresh() finds out cheaply.
    connect(m_model, &QAbstractItemModel::dataChanged, this, &DetailsPane::scheduleRefresh);
    connect(m_model, &QAbstractItemModel::rowsRemoved, this, &DetailsPane::scheduleRefresh);
    connect(m_model, &QAbstractItemModel::rowsMoved, this, &DetailsPane::scheduleRefresh);
    connect(m_model, &QAbstractItemModel::modelReset, this, &DetailsPane::scheduleRefresh);
    connect(m_actions, &ActionController::busyChanged, this, [this](qint64 id) {
        if (m_machineIds.contains(id))
            scheduleRefresh();
    });
    m_clockTimer->start(30000);
    connect(m_clockTimer, &QTimer::timeout, this, &DetailsPane::scheduleRefresh);
    refresh();
}

void DetailsPane::setSelection(const QVector<qint64> &machineIds, qint64 cloudId)
{
    m_machineIds = machineIds;
    m_cloudId = cloudId;
    refresh();
}

void DetailsPane::scheduleRefresh()
{
    if (!m_refreshTimer->isActive())
        m_refreshTimer->start(0);
}

void DetailsPane::refresh()
{
    m_refreshTimer->stop();
    QVector<const Machine *> machines;
    for (qint64 id : std::as_const(m_machineIds))
        if (const Machine *m = m_model->machine(id))
            machines << m;

    Content content;
    if (machines.size() == 1) {
        content = machineContent(*machines.first());
    } else if (machines.size() > 1) {
        content = machinesContent(machines);
    } else if (const Cloud *c = m_cloudId ? m_model->cloud(m_cloudId) : nullptr; c && m_machineIds.isEmpty()) {
        content = cloudContent(*c);
    } else if (!m_machineIds.isEmpty()) {
        content.title = tr("No longer in the inventory");
        content.subtitle = tr("The selected machine was removed by the last poll or with its cloud.");
    } else {
        content.title = tr("Nothing selected");
        content.subtitle = tr("Select a machine or a cloud in the tree to see its details and actions.");
    }
    if (content == m_shown && m_form)
        return;
    show(content);
}

void DetailsPane::addServerRows(const Machine &m, QVector<Row> &rows) const
{
    // What an SSH probe found (Other server) and how Mist connects, in words rather than JSON.
    const QJsonObject probe = m.extra.value(QLatin1String("probe")).toObject();
    const QString probeError = m.extra.value(QLatin1String("probe_error")).toString();
    const QJsonObject ssh = m.extra.value(QLatin1String("ssh")).toObject();
    if (probe.isEmpty() && probeError.isEmpty() && ssh.isEmpty())
        return;
    rows << Row{tr("Server"), {}, false, true};
    if (!ssh.isEmpty()) {
        QString target = QStringLiteral("%1@%2").arg(ssh.value(QLatin1String("user")).toString(QStringLiteral("root")),
                                                     ssh.value(QLatin1String("host")).toString());
        if (const int port = ssh.value(QLatin1String("port")).toInt(22); port != 22)
            target += QStringLiteral(":%1").arg(port);
        if (const QString jump = ssh.value(QLatin1String("proxy_jump")).toString(); !jump.isEmpty())
            target += tr(" via %1").arg(jump);
        rows << Row{tr("SSH"), target, false, false};
    }
    if (!probeError.isEmpty())
        rows << Row{tr("Last probe"), probeError, true, false};
    if (const QString v = probe.value(QLatin1String("hostname")).toString(); !v.isEmpty())
        rows << Row{tr("Host name"), v, false, false};
    if (const QString v = probe.value(QLatin1String("kernel")).toString(); !v.isEmpty())
        rows << Row{tr("Kernel"), QStringList{v, probe.value(QLatin1String("arch")).toString()}.join(QLatin1Char(' ')).trimmed(), false, false};
    if (const QDateTime boot = QDateTime::fromString(probe.value(QLatin1String("booted_at")).toString(), Qt::ISODate); boot.isValid()) {
        const qint64 secs = boot.secsTo(QDateTime::currentDateTimeUtc());
        const QString up = secs >= 86400 ? tr("%n day(s)", nullptr, int(secs / 86400)) : tr("%1 h %2 min").arg(secs / 3600).arg(secs % 3600 / 60);
        rows << Row{tr("Uptime"), tr("%1 (since %2)").arg(up, QLocale().toString(boot.toLocalTime(), QLocale::ShortFormat)), false, false};
    }
    const QJsonArray disks = probe.value(QLatin1String("disks")).toArray();
    for (const QJsonValue &d : disks) {
        const QJsonObject o = d.toObject();
        const int used = o.value(QLatin1String("used_percent")).toInt();
        rows << Row{tr("Disk %1").arg(o.value(QLatin1String("mount")).toString()),
                    tr("%1 % used of %2 GB").arg(used).arg(o.value(QLatin1String("size_gb")).toDouble()), used >= 90, false};
    }
}

DetailsPane::Content DetailsPane::machineContent(const Machine &m) const
{
    Content c;
    const Cloud *cloud = m_model->cloud(m.cloudId);
    // The tree's (translated) state label, so both say the same.
    QString state = m_model->indexForMachine(m.id).siblingAtColumn(InventoryModel::StateColumn).data().toString();
    if (state.isEmpty())
        state = m.state;
    c.title = m.name;
    c.subtitle = QStringLiteral("%1 · %2").arg(kindText(m.kind), state);
    if (m.missingSince.isValid())
        c.subtitle += QStringLiteral(" · ") + tr("missing");
    else if (cloud && cloud->isStale())
        c.subtitle += QStringLiteral(" · ") + tr("last known state (the cloud cannot be reached)");

    auto add = [&c](const QString &label, const QString &value, bool error = false) {
        c.rows << Row{label, value, error, false};
    };
    add(tr("Kind"), kindText(m.kind));
    add(tr("State"), state);
    add(tr("Cloud"), cloud ? QStringLiteral("%1 (%2)").arg(cloud->name, providerTitle(cloud->provider)) : kDash);
    add(tr("External ID"), orDash(m.externalId));
    const Machine *parent = m.parentId ? m_model->machine(m.parentId) : nullptr;
    add(tr("Parent"), parent ? parent->name : kDash);
    add(tr("Public IPs"), orDash(m.publicIps.join(QStringLiteral(", "))));
    add(tr("Private IPs"), orDash(m.privateIps.join(QStringLiteral(", "))));
    add(tr("Size"), orDash(m.size));
    add(tr("Image"), orDash(m.image));
    add(tr("Location"), orDash(m.location));
    add(tr("OS"), orDash(m.os));
    add(tr("Cores"), m.cores > 0 ? QString::number(m.cores) : kDash);
    add(tr("Memory"), memoryText(m.memoryMb));
    add(tr("Created"), timeText(m.created));
    add(tr("Last seen"), timeText(m.lastSeen));
    add(tr("Missing since"), timeText(m.missingSince), m.missingSince.isValid());
    add(tr("Cost"), costText(m));
    add(tr("Tags"), tagsText(m.userTags));
    add(tr("Provider tags"), tagsText(m.providerTags));
    addServerRows(m, c.rows);
    static const QStringList shownAbove = {QStringLiteral("probe"), QStringLiteral("probe_error"), QStringLiteral("ssh")};
    bool heading = false;
    for (auto it = m.extra.constBegin(); it != m.extra.constEnd(); ++it) {
        if (shownAbove.contains(it.key()))
            continue;
        if (!heading)
            c.rows << Row{tr("Provider details"), {}, false, true};
        heading = true;
        add(it.key(), jsonText(it.value()));
    }

    if (m_actions->isBusy(m.id)) {
        c.note = tr("An action is under way on this machine; its buttons come back with the new state.");
    } else {
        c.buttons = m_actions->allowedActions({m.id});
    }
    if (m_canOpenShell && m_canOpenShell(m))
        c.buttons.prepend(kOpenShell);
    c.buttons << kEditTags << kMachineRefresh;
    return c;
}

DetailsPane::Content DetailsPane::machinesContent(const QVector<const Machine *> &machines) const
{
    Content c;
    c.title = tr("%n machines selected", nullptr, static_cast<int>(machines.size()));
    QMap<QString, int> states;
    QMap<QString, int> clouds;
    QStringList names;
    QVector<qint64> ids;
    double cost = 0;
    QString currency;
    bool mixedCurrency = false;
    for (const Machine *m : machines) {
        ++states[m->state];
        const Cloud *cloud = m_model->cloud(m->cloudId);
        ++clouds[cloud ? cloud->name : QString::number(m->cloudId)];
        names << m->name;
        ids << m->id;
        cost += m->costPerMonth;
        if (!m->costCurrency.isEmpty()) {
            mixedCurrency = mixedCurrency || (!currency.isEmpty() && currency != m->costCurrency);
            currency = m->costCurrency;
        }
    }
    auto summary = [](const QMap<QString, int> &counts) {
        QStringList parts;
        for (auto it = counts.constBegin(); it != counts.constEnd(); ++it)
            parts << QStringLiteral("%1 %2").arg(it.value()).arg(it.key());
        return parts.join(QStringLiteral(", "));
    };
    c.subtitle = summary(states);
    c.rows << Row{tr("States"), summary(states), false, false};
    c.rows << Row{tr("Clouds"), summary(clouds), false, false};
    c.rows << Row{tr("Cost"),
                  mixedCurrency ? tr("several currencies")
                                : tr("%1 %2 per month").arg(QLocale().toString(cost, 'f', 2), currency),
                  false, false};
    names.sort(Qt::CaseInsensitive);
    c.rows << Row{tr("Machines"), names.join(QStringLiteral(", ")), false, false};
    c.buttons = m_actions->allowedActions(ids);
    c.buttons << kEditTags;
    c.note = tr("Actions run on each selected machine that allows them.");
    return c;
}

DetailsPane::Content DetailsPane::cloudContent(const Cloud &cloud) const
{
    Content c;
    c.title = cloud.name;
    c.subtitle = QStringLiteral("%1 · %2").arg(providerTitle(cloud.provider), healthText(cloud));
    auto add = [&c](const QString &label, const QString &value, bool error = false) {
        c.rows << Row{label, value, error, false};
    };
    add(tr("Provider"), providerTitle(cloud.provider));
    add(tr("Status"), healthText(cloud), cloud.health == CloudHealth::Error);
    add(tr("Last poll"), timeText(cloud.lastPollAt));
    add(tr("Last success"), timeText(cloud.lastSuccessAt));
    add(tr("Last error"), orDash(cloud.lastError), !cloud.lastError.isEmpty());
    add(tr("Poll interval"), tr("every %1 s").arg(cloud.pollIntervalSec));
    add(tr("Enabled"), cloud.enabled ? tr("yes") : tr("no — not polled"));
    add(tr("Added"), timeText(cloud.createdAt));

    const auto provider = ProviderRegistry::instance().provider(cloud.provider);
    if ((provider && !provider->info().fields.isEmpty()) || !cloud.config.isEmpty())
        c.rows << Row{tr("Connection"), {}, false, true};
    QStringList shown;
    if (provider) {
        for (const FormField &f : provider->info().fields) {
            shown << f.id;
            if (f.secret)   // never the value, only whether there is one
                add(f.label, cloud.secretFields.contains(f.id) ? tr("stored in the system keychain") : tr("not set"));
            else
                add(f.label, jsonText(cloud.config.value(f.id)));
        }
    }
    for (auto it = cloud.config.constBegin(); it != cloud.config.constEnd(); ++it)
        if (!shown.contains(it.key()) && !cloud.secretFields.contains(it.key()))
            add(it.key(), jsonText(it.value()));

    c.buttons << kCloudRefresh << kCloudEdit << (cloud.enabled ? kCloudDisable : kCloudEnable) << kCloudRemove;
    return c;
}

void DetailsPane::show(const Content &content)
{
    m_shown = content;
    m_rows = content.rows;

    QModelIndex index;
    if (m_machineIds.size() == 1)
        index = m_model->indexForMachine(m_machineIds.first());
    else if (m_machineIds.isEmpty() && m_cloudId)
        index = m_model->indexForCloud(m_cloudId);
    const QIcon icon = index.isValid() ? index.data(Qt::DecorationRole).value<QIcon>() : QIcon();
    m_icon->setPixmap(icon.isNull() ? QPixmap() : icon.pixmap(32, 32));
    m_title->setText(content.title);
    m_subtitle->setText(content.subtitle);
    m_note->setText(content.note);
    m_note->setVisible(!content.note.isEmpty());
    rebuildButtons(content.buttons);

    // A fresh form widget: cheaper and simpler than diffing rows, and only done on change.
    const int scroll = m_scroll->verticalScrollBar() ? m_scroll->verticalScrollBar()->value() : 0;
    auto *page = new QWidget;
    m_form = new QFormLayout(page);
    m_form->setRowWrapPolicy(QFormLayout::WrapLongRows);
    m_form->setLabelAlignment(Qt::AlignRight | Qt::AlignTop);
    m_form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    for (const Row &row : content.rows) {
        if (row.section) {
            auto *heading = new QLabel(QStringLiteral("<b>%1</b>").arg(row.label.toHtmlEscaped()), page);
            heading->setContentsMargins(0, 8, 0, 0);
            m_form->addRow(heading);
            continue;
        }
        QWidget *value = nullptr;
        if (row.value.size() > 28 && !row.value.contains(QLatin1Char(' '))) {
            // A long unbreakable token (UUID, ARN, URI): a label would be clipped; a frameless
            // read-only line edit scrolls and copies whole.
            auto *edit = new QLineEdit(row.value, page);
            edit->setReadOnly(true);
            edit->setFrame(false);
            edit->setCursorPosition(0);
            edit->setToolTip(row.value);
            QPalette p = edit->palette();
            p.setColor(QPalette::Base, Qt::transparent);
            edit->setPalette(p);
            edit->setTextMargins(-2, 0, 0, 0);   // line up with the labels' text
            value = edit;
        } else {
            auto *label = new QLabel(row.value, page);
            label->setTextFormat(Qt::PlainText);
            label->setWordWrap(true);
            label->setTextInteractionFlags(Qt::TextSelectableByMouse | Qt::TextSelectableByKeyboard);
            value = label;
        }
        value->setObjectName(QStringLiteral("detail_") + row.label);
        if (row.error)
            value->setStyleSheet(QStringLiteral("color: #c0392b;"));
        auto *label = new QLabel(row.label + QLatin1Char(':'), page);
        label->setEnabled(false);   // dimmed: the values are what matters
        m_form->addRow(label, value);
    }
    m_scroll->setWidget(page);   // deletes the previous page
    if (m_scroll->verticalScrollBar())
        m_scroll->verticalScrollBar()->setValue(scroll);
}

void DetailsPane::rebuildButtons(const QStringList &buttons)
{
    while (QLayoutItem *item = m_buttonGrid->takeAt(0)) {
        delete item->widget();
        delete item;
    }
    constexpr int kColumns = 3;
    int i = 0;
    for (const QString &id : buttons) {
        auto *button = new QPushButton(m_buttonBox);
        QString text;
        QString tip;
        if (id == kCloudRefresh) {
            text = tr("Refresh now");
            tip = tr("Poll this cloud now (F5)");
            button->setIcon(style()->standardIcon(QStyle::SP_BrowserReload));
        } else if (id == kMachineRefresh) {
            text = tr("Refresh");
            tip = tr("Poll this machine's cloud now (F5)");
            button->setIcon(style()->standardIcon(QStyle::SP_BrowserReload));
        } else if (id == kCloudEdit) {
            text = tr("Edit…");
            tip = tr("Change the name, interval or connection of this cloud");
        } else if (id == kCloudEnable) {
            text = tr("Enable");
            tip = tr("Poll this cloud again");
        } else if (id == kCloudDisable) {
            text = tr("Disable");
            tip = tr("Stop polling this cloud; its machines stay in the inventory");
        } else if (id == kCloudRemove) {
            text = tr("Remove…");
            tip = tr("Remove this cloud and its machines from Mist Desktop");
        } else if (id == kOpenShell) {
            text = tr("Open shell");
            tip = tr("A terminal on this machine in a new tab (Ctrl+Alt+S, or double-click it in the tree)");
        } else if (id == kEditTags) {
            text = tr("Edit tags…");
            tip = tr("Edit the user tags (Ctrl+T)");
        } else {
            text = Action::title(id);
            if (Action::isDestructive(id)) {
                button->setIcon(style()->standardIcon(QStyle::SP_MessageBoxWarning));
                tip = tr("Asks for confirmation first");
            }
        }
        button->setText(text);
        button->setToolTip(tip);
        button->setObjectName(id.startsWith(QLatin1String("cloud:")) || id.startsWith(QLatin1String("machine:"))
                                  ? QStringLiteral("details_") + QString(id).replace(QLatin1Char(':'), QLatin1Char('_'))
                                  : QStringLiteral("action_") + id);
        button->setAutoDefault(false);
        connect(button, &QPushButton::clicked, this, [this, id] { buttonClicked(id); });
        m_buttonGrid->addWidget(button, i / kColumns, i % kColumns);
        ++i;
    }
    m_buttonBox->setVisible(i > 0);
}

void DetailsPane::buttonClicked(const QString &id)
{
    const Machine *first = m_machineIds.isEmpty() ? nullptr : m_model->machine(m_machineIds.first());
    if (id == kCloudRefresh)
        m_actions->refreshCloud(m_cloudId);
    else if (id == kCloudEdit)
        m_actions->editCloud(m_cloudId);
    else if (id == kCloudEnable || id == kCloudDisable)
        m_actions->setCloudEnabled(m_cloudId, id == kCloudEnable);
    else if (id == kCloudRemove)
        m_actions->removeCloud(m_cloudId);
    else if (id == kEditTags)
        m_actions->editTags(m_machineIds);
    else if (id == kMachineRefresh)
        m_actions->refreshCloud(first ? first->cloudId : 0);
    else if (id == kOpenShell)
        emit openShellRequested();
    else
        m_actions->runAction(id, m_machineIds);
}

} // namespace mist
