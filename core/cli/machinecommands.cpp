#include "machinecommands.h"

#include "cli/machinerecords.h"
#include "cli/pollcommand.h"
#include "polling/polljob.h"
#include "search/machinesearchfields.h"
#include "search/searchquery.h"

#include <QCoreApplication>

#include <algorithm>
#include <optional>

namespace mist {

namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("MachineCommands", text);
}

const QString kActor = QStringLiteral("cli");

// One --tag filter: the key must be there, with this value when one is given.
struct TagFilter
{
    QString key;
    std::optional<QString> value;

    bool matches(const TagMap &tags) const
    {
        auto it = tags.constFind(key);
        return it != tags.constEnd() && (!value || *value == it.value());
    }
};

// Machines grouped by cloud name, in id order within a cloud.
void sortForListing(QVector<Machine> &machines, const QHash<qint64, Cloud> &clouds)
{
    std::stable_sort(machines.begin(), machines.end(), [&](const Machine &a, const Machine &b) {
        const int byCloud = QString::compare(clouds.value(a.cloudId).name, clouds.value(b.cloudId).name, Qt::CaseInsensitive);
        return byCloud != 0 ? byCloud < 0 : a.id < b.id;
    });
}

} // namespace

MachineCommands::MachineCommands(CliContext &ctx)
    : m_ctx(ctx)
{
}

QString MachineCommands::summary()
{
    return tr("  machines [--cloud NAME] [--search QUERY] [--tag KEY[=VALUE]]...\n"
              "                                      List machines\n"
              "  machine MACHINE                     Show every detail of one machine\n"
              "  tag MACHINE... KEY=VALUE... [-r KEY]...\n"
              "                                      Set or remove tags on machines\n");
}

int MachineCommands::list(const QStringList &args)
{
    ArgParser p = CliContext::parser(QStringLiteral("machines"), tr("[options]"),
                                     tr("List the machines of every cloud as last polled (run 'mist poll' to refresh;\n"
                                        "a cloud that was never polled is polled first).\n"
                                        "A state marked (missing) is no longer reported by its cloud; (stale) means the\n"
                                        "cloud's last poll failed, so the state may be out of date."));
    p.addOption({QStringLiteral("--cloud")}, QStringLiteral("NAME"), tr("Only the machines of this cloud (repeatable)."));
    p.addOption({QStringLiteral("--search")}, QStringLiteral("QUERY"),
                tr("Only machines matching this search, as in the app's search box\n"
                   "e.g. 'web state:running tag:env=prod' or 'kind:vm -state:stopped'."));
    p.addOption({QStringLiteral("--tag")}, QStringLiteral("KEY[=VALUE]"),
                tr("Only machines with this tag (and value); repeat for all of several."));
    p.addOption({QStringLiteral("--all-columns")}, {}, tr("Show every field, not just the main columns."));
    if (auto code = m_ctx.parse(p, args))
        return *code;
    if (!p.positionals().isEmpty())
        return m_ctx.usageError(p, tr("unexpected argument \"%1\"").arg(p.positionals().constFirst()));

    std::optional<SearchQuery> query;
    if (p.isSet(QStringLiteral("search"))) {
        Result<SearchQuery> parsed = SearchQuery::parse(p.value(QStringLiteral("search")));
        if (!parsed)
            return m_ctx.usageError(p, tr("bad search query: %1").arg(parsed.error().toString()));
        query = parsed.value();
    }
    QVector<TagFilter> tagFilters;
    for (const QString &t : p.values(QStringLiteral("tag"))) {
        const qsizetype eq = t.indexOf(QLatin1Char('='));
        TagFilter f{eq < 0 ? t.trimmed() : t.left(eq).trimmed(), std::nullopt};
        if (eq >= 0)
            f.value = t.mid(eq + 1);
        if (f.key.isEmpty())
            return m_ctx.usageError(p, tr("--tag needs a key: KEY or KEY=VALUE"));
        tagFilters << f;
    }

    if (Status s = m_ctx.open(); !s)
        return m_ctx.fail(s.error());
    auto clouds = m_ctx.cloudsById();
    if (!clouds)
        return m_ctx.fail(clouds.error());
    QVector<qint64> cloudIds;
    for (const QString &name : p.values(QStringLiteral("cloud"))) {
        Result<Cloud> c = m_ctx.store().cloudByName(name);
        if (!c)
            return m_ctx.fail(c.error());
        cloudIds << c->id;
    }
    if (!pollNeverPolled(cloudIds))
        clouds = m_ctx.cloudsById();
    if (!clouds)
        return m_ctx.fail(clouds.error());
    auto machines = m_ctx.store().machines();
    if (!machines)
        return m_ctx.fail(machines.error());

    QVector<Machine> shown;
    for (const Machine &m : std::as_const(machines.value())) {
        if (!cloudIds.isEmpty() && !cloudIds.contains(m.cloudId))
            continue;
        const TagMap tags = MachineRecords::allTags(m);
        if (!std::all_of(tagFilters.cbegin(), tagFilters.cend(), [&](const TagFilter &f) { return f.matches(tags); }))
            continue;
        if (query && !query->matches(machineSearchFields(m, clouds->value(m.cloudId))))
            continue;
        shown << m;
    }
    sortForListing(shown, clouds.value());
    m_ctx.writer().write(MachineRecords::list(shown, clouds.value(), m_ctx.format(), p.isSet(QStringLiteral("all-columns"))));
    return ExitCode::Ok;
}

bool MachineCommands::pollNeverPolled(const QVector<qint64> &onlyClouds)
{
    auto clouds = m_ctx.store().clouds();
    if (!clouds)
        return true;
    bool none = true;
    PollCommand poller(m_ctx);
    for (const Cloud &c : std::as_const(clouds.value())) {
        if (!c.enabled || c.health != CloudHealth::NeverPolled || (!onlyClouds.isEmpty() && !onlyClouds.contains(c.id)))
            continue;
        none = false;
        m_ctx.err() << tr("Polling \"%1\" for the first time...").arg(c.name) << '\n';
        m_ctx.err().flush();
        if (const PollCommand::Outcome o = poller.pollOnce(c); !o.ok)
            m_ctx.warn(Error{tr("Could not poll \"%1\"").arg(c.name), o.error.toString()});
    }
    return none;
}

int MachineCommands::show(const QStringList &args)
{
    ArgParser p = CliContext::parser(QStringLiteral("machine"), tr("MACHINE"),
                                     tr("Show every detail of one machine, with the actions possible right now."));
    p.addPositional(QStringLiteral("MACHINE"), tr("Machine id, external id or name"));
    if (auto code = m_ctx.parse(p, args))
        return *code;
    if (p.positionals().size() != 1)
        return m_ctx.usageError(p, p.positionals().isEmpty() ? tr("missing the machine")
                                                             : tr("unexpected argument \"%1\"").arg(p.positionals().at(1)));
    if (Status s = m_ctx.open(); !s)
        return m_ctx.fail(s.error());
    Result<Machine> m = m_ctx.store().findMachine(p.positionals().constFirst());
    if (!m)
        return m_ctx.fail(m.error());
    Result<Cloud> cloud = m_ctx.store().cloud(m->cloudId);
    if (!cloud)
        return m_ctx.fail(cloud.error());
    QString parentName;
    if (m->parentId)
        if (Result<Machine> parent = m_ctx.store().machine(m->parentId); parent.ok())
            parentName = parent->name;
    const QStringList actions = m->missingSince.isValid() ? QStringList()
                                                          : ProviderCall::allowedActions(cloud.value(), m.value());
    m_ctx.writer().writeItem(MachineRecords::details(m.value(), cloud.value(), parentName, actions, m_ctx.format()));
    return ExitCode::Ok;
}

int MachineCommands::tag(const QStringList &args)
{
    ArgParser p = CliContext::parser(QStringLiteral("tag"), tr("MACHINE... [KEY=VALUE]... [--set KEY=VALUE]... [-r KEY]..."),
                                     tr("Set or remove your own tags on one or more machines. Arguments holding \"=\"\n"
                                        "are tags to set; the others name machines (id, external id or name).\n"
                                        "Tags reported by the provider are read-only."));
    p.addPositional(QStringLiteral("MACHINE"), tr("Machine id, external id or name"));
    p.addPositional(QStringLiteral("KEY=VALUE"), tr("Tag to set (an empty value is allowed: KEY=)"));
    p.addOption({QStringLiteral("--set")}, QStringLiteral("KEY=VALUE"), tr("Tag to set (repeatable)."));
    p.addOption({QStringLiteral("-r"), QStringLiteral("--remove")}, QStringLiteral("KEY"), tr("Tag to remove (repeatable)."));
    p.addNote(tr("Example: mist tag web-1 web-2 env=prod -r owner"));
    if (auto code = m_ctx.parse(p, args))
        return *code;

    QStringList machineArgs;
    QStringList assignments = p.values(QStringLiteral("set"));
    for (const QString &a : p.positionals())
        (a.contains(QLatin1Char('=')) ? assignments : machineArgs) << a;
    TagMap set;
    for (const QString &a : std::as_const(assignments)) {
        const qsizetype eq = a.indexOf(QLatin1Char('='));
        const QString key = eq < 0 ? a.trimmed() : a.left(eq).trimmed();
        if (eq < 0 || key.isEmpty())
            return m_ctx.usageError(p, tr("a tag to set needs KEY=VALUE, got \"%1\"").arg(a));
        set.insert(key, a.mid(eq + 1));
    }
    QStringList remove;
    for (const QString &k : p.values(QStringLiteral("remove"))) {
        if (k.trimmed().isEmpty())
            return m_ctx.usageError(p, tr("--remove needs a tag key"));
        remove << k.trimmed();
    }
    if (machineArgs.isEmpty())
        return m_ctx.usageError(p, tr("missing the machine to tag"));
    if (set.isEmpty() && remove.isEmpty())
        return m_ctx.usageError(p, tr("nothing to do: give KEY=VALUE tags to set or -r KEY to remove"));

    if (Status s = m_ctx.open(); !s)
        return m_ctx.fail(s.error());
    QVector<qint64> ids;
    for (const QString &name : std::as_const(machineArgs)) {
        Result<Machine> m = m_ctx.store().findMachine(name);
        if (!m)
            return m_ctx.fail(m.error());
        if (!ids.contains(m->id))
            ids << m->id;
    }
    Result<InventoryDelta> delta = m_ctx.store().tagMachines(ids, set, remove, kActor);
    if (!delta)
        return m_ctx.fail(delta.error());
    auto clouds = m_ctx.cloudsById();
    if (!clouds)
        return m_ctx.fail(clouds.error());
    m_ctx.writer().write(MachineRecords::list(delta->machinesChanged, clouds.value(), m_ctx.format(), false));
    return ExitCode::Ok;
}

} // namespace mist
