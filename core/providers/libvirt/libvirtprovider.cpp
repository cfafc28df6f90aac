#include "libvirtprovider.h"

#include "libvirtmapping.h"
#include "providers/ipclassify.h"
#include "util/logging.h"

#include <QHostAddress>
#include <QJsonObject>
#include <QMutexLocker>
#include <QUrl>

#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

#include <cstdlib>
#include <cstring>
#include <mutex>

namespace mist {

namespace {

const QString HostId = QStringLiteral("host");

// libvirt prints every error to stderr unless a handler is installed; Mist reads the
// (thread-local) last error instead and shows it where it belongs.
void silentErrorHandler(void *, virErrorPtr) {}

void initLibvirt()
{
    static std::once_flag once;
    std::call_once(once, [] {
        virInitialize();   // required before libvirt is used from several threads
        virSetErrorFunc(nullptr, silentErrorHandler);
    });
}

// The calling thread's last libvirt error, cleared once read.
struct LastError
{
    int code = VIR_ERR_OK;
    QString message;
};

LastError takeLastError()
{
    LastError out;
    if (const virError *e = virGetLastError()) {
        out.code = e->code;
        out.message = e->message ? QString::fromUtf8(e->message) : QString();
    }
    virResetLastError();
    return out;
}

Error errorFromLibvirt(const QString &message)
{
    return Error{message, takeLastError().message};
}

// Takes ownership of a malloc'ed libvirt string.
QString takeString(char *text)
{
    if (!text)
        return {};
    QString out = QString::fromUtf8(text);
    std::free(text);
    return out;
}

struct DomainFree
{
    void operator()(virDomainPtr domain) const { virDomainFree(domain); }
};
using DomainHandle = std::unique_ptr<virDomain, DomainFree>;

// All domains of a virConnectListAllDomains() call, freed together.
class DomainList
{
public:
    DomainList() = default;
    DomainList(const DomainList &) = delete;
    DomainList &operator=(const DomainList &) = delete;
    ~DomainList()
    {
        for (int i = 0; i < m_count; ++i)
            virDomainFree(m_domains[i]);
        std::free(m_domains);
    }

    bool list(virConnectPtr connection)
    {
        m_count = virConnectListAllDomains(connection, &m_domains, 0);
        return m_count >= 0;
    }
    int count() const { return m_count; }
    virDomainPtr at(int i) const { return m_domains[i]; }

private:
    virDomainPtr *m_domains = nullptr;
    int m_count = 0;
};

// ---- connecting ---------------------------------------------------------------------

struct AuthData
{
    QByteArray username;
    QByteArray password;
};

// Answers libvirt's credential questions from the cloud's form; refuses what it cannot
// answer so libvirt reports an authentication failure instead of prompting somewhere.
int authCallback(virConnectCredentialPtr credentials, unsigned int count, void *opaque)
{
    const auto *data = static_cast<const AuthData *>(opaque);
    for (unsigned int i = 0; i < count; ++i) {
        virConnectCredential &credential = credentials[i];
        QByteArray value;
        if (credential.type == VIR_CRED_AUTHNAME)
            value = !data->username.isEmpty() ? data->username : QByteArray(credential.defresult);
        else if (credential.type == VIR_CRED_PASSPHRASE)
            value = data->password;
        if (value.isEmpty())
            return -1;
        credential.result = strdup(value.constData());   // libvirt frees it
        if (!credential.result)
            return -1;
        credential.resultlen = static_cast<unsigned int>(value.size());
    }
    return 0;
}

Error connectError(const QString &uri, const AuthData &data, const LastError &error)
{
    switch (error.code) {
    case VIR_ERR_AUTH_FAILED:
    case VIR_ERR_AUTH_CANCELLED:
        if (data.username.isEmpty() && data.password.isEmpty())
            return Error{LibvirtProvider::tr("The hypervisor at %1 asks for a username and password.").arg(uri),
                         error.message};
        return Error{LibvirtProvider::tr("The hypervisor at %1 did not accept the username or password.").arg(uri),
                     error.message};
    case VIR_ERR_AUTH_UNAVAILABLE:   // typically polkit refusing a user outside the libvirt group
        return Error{LibvirtProvider::tr("You are not allowed to manage the hypervisor at %1.").arg(uri),
                     error.message};
    default:
        return Error{LibvirtProvider::tr("Could not connect to the hypervisor at %1.").arg(uri), error.message};
    }
}

Result<virConnectPtr> openConnection(const QString &uri, const Credentials &credentials)
{
    AuthData data{credentials.value(QStringLiteral("username")).toUtf8(),
                  credentials.value(QStringLiteral("password")).toUtf8()};
    int credentialTypes[] = {VIR_CRED_AUTHNAME, VIR_CRED_PASSPHRASE};
    virConnectAuth auth{credentialTypes, 2, authCallback, &data};

    qCDebug(lcProviderLibvirt) << "opening" << uri << "as" << (data.username.isEmpty() ? "default user" : data.username)
                               << (data.password.isEmpty() ? "without password" : "with password");
    virConnectPtr connection = virConnectOpenAuth(uri.toUtf8().constData(), &auth, 0);
    if (connection)
        return connection;

    const LastError error = takeLastError();
    qCWarning(lcProviderLibvirt) << "could not open" << uri << ":" << error.message;
    return connectError(uri, data, error);
}

// ---- polling ------------------------------------------------------------------------

Machine hostMachine(virConnectPtr connection, const QString &uri)
{
    Machine host;
    host.kind = MachineKind::Hypervisor;
    host.externalId = HostId;
    host.state = MachineState::Running;
    host.name = takeString(virConnectGetHostname(connection));
    if (host.name.isEmpty()) {
        qCDebug(lcProviderLibvirt) << "no hostname for" << uri << takeLastError().message;
        const QString urlHost = QUrl(uri).host();
        host.name = urlHost.isEmpty() ? QStringLiteral("localhost") : urlHost;
    }

    QJsonObject extra;
    extra.insert(QStringLiteral("uri"), uri);
    virNodeInfo node = {};
    if (virNodeGetInfo(connection, &node) == 0) {
        host.cores = static_cast<int>(node.cpus);
        host.memoryMb = static_cast<qint64>(node.memory / 1024);   // KiB -> MiB
        extra.insert(QStringLiteral("cpu_model"), QString::fromUtf8(node.model));
        extra.insert(QStringLiteral("cpu_mhz"), static_cast<int>(node.mhz));
    } else {
        qCWarning(lcProviderLibvirt) << "no node info for" << uri << takeLastError().message;
    }
    if (const char *type = virConnectGetType(connection))   // static string, not freed
        extra.insert(QStringLiteral("hypervisor"), QString::fromUtf8(type));
    unsigned long version = 0;
    if (virConnectGetLibVersion(connection, &version) == 0)
        extra.insert(QStringLiteral("libvirt_version"), libvirt::versionText(version));
    if (virConnectGetVersion(connection, &version) == 0 && version > 0)
        extra.insert(QStringLiteral("hypervisor_version"), libvirt::versionText(version));
    virResetLastError();
    host.extra = extra;
    return host;
}

// DHCP leases of a running domain's interfaces; silently nothing when unknown.
void addLeaseAddresses(virDomainPtr domain, Machine &machine)
{
    virDomainInterfacePtr *interfaces = nullptr;
    const int count = virDomainInterfaceAddresses(domain, &interfaces,
                                                  VIR_DOMAIN_INTERFACE_ADDRESSES_SRC_LEASE, 0);
    if (count < 0) {
        qCDebug(lcProviderLibvirt) << "no addresses for" << machine.name << takeLastError().message;
        return;
    }
    for (int i = 0; i < count; ++i) {
        for (unsigned int j = 0; j < interfaces[i]->naddrs; ++j) {
            const QHostAddress address(QString::fromUtf8(interfaces[i]->addrs[j].addr));
            if (address.isNull())
                continue;
            QStringList &list = isPrivateAddress(address) ? machine.privateIps : machine.publicIps;
            const QString text = addressText(address);
            if (!list.contains(text))
                list << text;
        }
        virDomainInterfaceFree(interfaces[i]);
    }
    std::free(interfaces);
}

// Fails when the essentials cannot be read; `gone` then says the domain was undefined
// between listing and reading (so leaving it out keeps the listing complete).
Result<Machine> domainMachine(virDomainPtr domain, bool *gone)
{
    char uuid[VIR_UUID_STRING_BUFLEN] = {};
    virDomainInfo info = {};
    const char *name = virDomainGetName(domain);   // owned by the domain object
    if (virDomainGetUUIDString(domain, uuid) < 0 || !name || virDomainGetInfo(domain, &info) < 0) {
        const LastError error = takeLastError();
        *gone = error.code == VIR_ERR_NO_DOMAIN;
        const QString label = name ? QString::fromUtf8(name) : QString::fromLatin1(uuid);
        return Error{LibvirtProvider::tr("Could not read the details of %1.").arg(label), error.message};
    }

    Machine machine;
    machine.kind = MachineKind::Vm;
    machine.externalId = QString::fromLatin1(uuid);
    machine.parentExternalId = HostId;
    machine.name = QString::fromUtf8(name);
    machine.state = libvirt::machineState(info.state);
    machine.cores = info.nrVirtCpu;
    machine.memoryMb = static_cast<qint64>(info.maxMem / 1024);   // KiB -> MiB

    // Optional details: a failure only leaves the key out.
    QJsonObject extra;
    int autostart = 0;
    if (virDomainGetAutostart(domain, &autostart) == 0)
        extra.insert(QStringLiteral("autostart"), autostart != 0);
    const int persistent = virDomainIsPersistent(domain);
    if (persistent >= 0)
        extra.insert(QStringLiteral("persistent"), persistent == 1);
    const unsigned int id = virDomainGetID(domain);
    extra.insert(QStringLiteral("domain_id"), id == static_cast<unsigned int>(-1) ? -1 : static_cast<int>(id));
    const QString osType = takeString(virDomainGetOSType(domain));
    if (!osType.isEmpty())
        extra.insert(QStringLiteral("os_type"), osType);
    virResetLastError();
    machine.extra = extra;

    if (machine.state == MachineState::Running)
        addLeaseAddresses(domain, machine);
    return machine;
}

PollResult pollConnection(virConnectPtr connection, const QString &uri)
{
    DomainList domains;
    if (!domains.list(connection))
        return PollResult::failure(
            errorFromLibvirt(LibvirtProvider::tr("Could not list the machines on %1.").arg(uri)));

    PollResult result;
    result.success = true;
    result.complete = true;
    result.machines.reserve(domains.count() + 1);
    result.machines << hostMachine(connection, uri);

    QStringList failures;
    for (int i = 0; i < domains.count(); ++i) {
        bool gone = false;
        Result<Machine> machine = domainMachine(domains.at(i), &gone);
        if (machine)
            result.machines << std::move(machine).value();
        else if (!gone)
            failures << machine.error().toString();
    }
    if (!failures.isEmpty()) {
        qCWarning(lcProviderLibvirt) << failures.size() << "domains unreadable on" << uri << failures;
        result.complete = false;
        result.error = Error{LibvirtProvider::tr("Could not read the details of %n machine(s) on %1.", nullptr,
                                                 static_cast<int>(failures.size()))
                                 .arg(uri),
                             failures.join(QLatin1Char('\n'))};
    }
    qCDebug(lcProviderLibvirt) << "polled" << uri << ":" << result.machines.size() - 1 << "domains";
    return result;
}

// ---- actions ------------------------------------------------------------------------

QString failureMessage(const QString &action, const QString &name, const QString &newName)
{
    if (action == Action::Start) return LibvirtProvider::tr("Could not start %1.").arg(name);
    if (action == Action::Stop) return LibvirtProvider::tr("Could not shut down %1.").arg(name);
    if (action == Action::PowerOff) return LibvirtProvider::tr("Could not force %1 off.").arg(name);
    if (action == Action::Reboot) return LibvirtProvider::tr("Could not reboot %1.").arg(name);
    if (action == Action::Suspend) return LibvirtProvider::tr("Could not suspend %1.").arg(name);
    if (action == Action::Resume) return LibvirtProvider::tr("Could not resume %1.").arg(name);
    if (action == Action::Rename) return LibvirtProvider::tr("Could not rename %1 to %2.").arg(name, newName);
    if (action == Action::Destroy) return LibvirtProvider::tr("Could not destroy %1.").arg(name);
    return LibvirtProvider::tr("Could not run “%1” on %2.").arg(action, name);
}

Result<DomainHandle> lookupDomain(virConnectPtr connection, const QString &uuid, const QString &uri)
{
    virDomainPtr domain = virDomainLookupByUUIDString(connection, uuid.toLatin1().constData());
    if (domain)
        return DomainHandle(domain);
    const LastError error = takeLastError();
    if (error.code == VIR_ERR_NO_DOMAIN || error.code == VIR_ERR_INVALID_ARG)
        return Error{LibvirtProvider::tr("The machine no longer exists on %1.").arg(uri), error.message};
    return Error{LibvirtProvider::tr("Could not look up the machine on %1.").arg(uri), error.message};
}

// Stops the domain if needed and removes its definition with managed-save images,
// snapshot metadata and NVRAM, so nothing of it is left behind.
int destroyDomain(virDomainPtr domain)
{
    const int persistent = virDomainIsPersistent(domain);
    if (virDomainIsActive(domain) == 1 && virDomainDestroy(domain) < 0)
        return -1;
    if (persistent == 0)
        return 0;   // a transient domain is gone once it stops
    const unsigned int flags = VIR_DOMAIN_UNDEFINE_MANAGED_SAVE | VIR_DOMAIN_UNDEFINE_SNAPSHOTS_METADATA
        | VIR_DOMAIN_UNDEFINE_NVRAM;
    if (virDomainUndefineFlags(domain, flags) == 0)
        return 0;
    const virError *error = virGetLastError();
    if (!error || (error->code != VIR_ERR_NO_SUPPORT && error->code != VIR_ERR_INVALID_ARG))
        return -1;
    qCDebug(lcProviderLibvirt) << "undefine flags unsupported, plain undefine:" << error->message;
    virResetLastError();
    return virDomainUndefine(domain);
}

int performAction(virDomainPtr domain, const QString &action, const QString &newName)
{
    if (action == Action::Start) return virDomainCreate(domain);
    if (action == Action::Stop) return virDomainShutdown(domain);
    if (action == Action::PowerOff) return virDomainDestroy(domain);
    if (action == Action::Reboot) return virDomainReboot(domain, 0);
    if (action == Action::Suspend) return virDomainSuspend(domain);
    if (action == Action::Resume) return virDomainResume(domain);
    if (action == Action::Rename) return virDomainRename(domain, newName.toUtf8().constData(), 0);
    if (action == Action::Destroy) return destroyDomain(domain);
    return -1;
}

QString displayName(const Machine &machine)
{
    return machine.name.isEmpty() ? machine.externalId : machine.name;
}

} // namespace

// ---- LibvirtProvider ---------------------------------------------------------------------

void LibvirtProvider::ConnectionCloser::operator()(_virConnect *connection) const
{
    virConnectClose(connection);
}

LibvirtProvider::LibvirtProvider()
{
    initLibvirt();
}

LibvirtProvider::~LibvirtProvider()
{
    QMutexLocker lock(&m_mutex);
    for (const auto &[key, connection] : m_connections)
        virConnectClose(connection);
    m_connections.clear();
}

ProviderInfo LibvirtProvider::info() const
{
    ProviderInfo info;
    info.id = QStringLiteral("libvirt");
    info.title = tr("KVM (libvirt)");
    info.category = QStringLiteral("Hypervisors");
    info.capabilities = {QStringLiteral("poll"), QStringLiteral("actions"), QStringLiteral("rename")};

    FormField uri;
    uri.id = QStringLiteral("uri");
    uri.label = tr("URI");
    uri.type = FormField::Type::Url;
    uri.required = true;
    uri.defaultValue = QStringLiteral("qemu:///system");
    uri.help = tr("qemu:///system for this computer, qemu+ssh://user@host/system for another one, "
                  "test:///default or the path of a libvirt test-driver XML file for a test host.");

    FormField username;
    username.id = QStringLiteral("username");
    username.label = tr("Username");
    username.help = tr("Only if the hypervisor asks for one (SASL or ssh password login).");

    FormField password;
    password.id = QStringLiteral("password");
    password.label = tr("Password");
    password.type = FormField::Type::Password;
    password.secret = true;
    password.help = tr("Only if the hypervisor asks for one. Stored in the system keychain.");

    info.fields = {uri, username, password};
    return info;
}

Status LibvirtProvider::validate(const Credentials &credentials) const
{
    if (Status base = Provider::validate(credentials); !base)
        return base;
    const Result<QString> uri = libvirt::resolveUri(credentials.value(QStringLiteral("uri")));
    if (!uri)
        return uri.error();
    return {};
}

Result<_virConnect *> LibvirtProvider::openStandalone(const QString &uri, const Credentials &credentials)
{
    initLibvirt();
    return openConnection(uri, credentials);
}

LibvirtProvider::Key LibvirtProvider::keyFor(const QString &uri, const Credentials &credentials)
{
    return {uri, credentials.value(QStringLiteral("username"))};
}

Result<LibvirtProvider::ConnectionHandle> LibvirtProvider::connection(const QString &uri,
                                                                      const Credentials &credentials,
                                                                      bool *reused)
{
    const Key key = keyFor(uri, credentials);
    if (reused)
        *reused = false;
    virConnectPtr dead = nullptr;
    {
        QMutexLocker lock(&m_mutex);
        if (auto it = m_connections.find(key); it != m_connections.end()) {
            if (virConnectIsAlive(it->second) == 1) {
                virConnectRef(it->second);
                if (reused)
                    *reused = true;
                return ConnectionHandle(it->second);
            }
            dead = it->second;
            m_connections.erase(it);
        }
    }
    if (dead) {
        qCDebug(lcProviderLibvirt) << "connection to" << uri << "is dead, reopening";
        virConnectClose(dead);
        virResetLastError();
    }

    // Opened without the lock held: ssh or TLS handshakes can take seconds.
    Result<virConnectPtr> opened = openConnection(uri, credentials);
    if (!opened)
        return opened.error();

    QMutexLocker lock(&m_mutex);
    auto [it, inserted] = m_connections.emplace(key, *opened);
    if (!inserted)   // a concurrent call won the race: share its connection (and its state)
        virConnectClose(*opened);
    virConnectRef(it->second);
    return ConnectionHandle(it->second);
}

void LibvirtProvider::forget(const Key &key, _virConnect *connection)
{
    QMutexLocker lock(&m_mutex);
    if (auto it = m_connections.find(key); it != m_connections.end() && it->second == connection) {
        m_connections.erase(it);
        lock.unlock();
        virConnectClose(connection);
    }
}

PollResult LibvirtProvider::poll(const Credentials &credentials)
{
    const Result<QString> uri = libvirt::resolveUri(credentials.value(QStringLiteral("uri")));
    if (!uri)
        return PollResult::failure(uri.error());

    bool reused = false;
    Result<ConnectionHandle> connection = this->connection(*uri, credentials, &reused);
    if (!connection)
        return PollResult::failure(connection.error());

    PollResult result = pollConnection(connection->get(), *uri);
    if (!result.success && reused && virConnectIsAlive(connection->get()) != 1) {
        // The daemon went away since the last call (a remote client only notices on use):
        // try once more on a fresh connection before reporting the cloud as failing.
        qCDebug(lcProviderLibvirt) << "cached connection to" << *uri << "died, retrying";
        forget(keyFor(*uri, credentials), connection->get());
        connection = this->connection(*uri, credentials);
        if (!connection)
            return PollResult::failure(connection.error());
        result = pollConnection(connection->get(), *uri);
    }
    return result;
}

QStringList LibvirtProvider::allowedActions(const Machine &machine) const
{
    if (machine.kind != MachineKind::Vm)
        return {};
    return libvirt::vmActions(machine.state);
}

Status LibvirtProvider::runAction(const Credentials &credentials, const Machine &machine,
                                  const ActionRequest &request)
{
    const QString name = displayName(machine);
    if (machine.kind != MachineKind::Vm)
        return Error{tr("The hypervisor %1 has no actions; run them on its machines.").arg(name), request.action};
    if (!allowedActions(machine).contains(request.action))
        return Error{tr("“%1” is not possible while %2 is %3.")
                         .arg(Action::title(request.action).remove(QChar(0x2026)), name, machine.state),
                     request.action};

    QString newName;
    if (request.action == Action::Rename) {
        const Result<QString> target = libvirt::renameTarget(request.arguments);
        if (!target)
            return target.error();
        newName = *target;
    }

    const Result<QString> uri = libvirt::resolveUri(credentials.value(QStringLiteral("uri")));
    if (!uri)
        return uri.error();
    bool reused = false;
    Result<ConnectionHandle> connection = this->connection(*uri, credentials, &reused);
    if (!connection)
        return connection.error();

    Result<DomainHandle> domain = lookupDomain(connection->get(), machine.externalId, *uri);
    if (!domain && reused && virConnectIsAlive(connection->get()) != 1) {
        // Same stale-connection retry as poll(); the lookup has no side effects.
        forget(keyFor(*uri, credentials), connection->get());
        connection = this->connection(*uri, credentials);
        if (!connection)
            return connection.error();
        domain = lookupDomain(connection->get(), machine.externalId, *uri);
    }
    if (!domain)
        return domain.error();

    if (request.action == Action::Rename && virDomainIsActive(domain->get()) == 1)
        return Error{tr("%1 must be stopped before it can be renamed.").arg(name), {}};

    qCDebug(lcProviderLibvirt) << "running" << request.action << "on" << name << machine.externalId << "at" << *uri;
    if (performAction(domain->get(), request.action, newName) < 0) {
        const Error error = errorFromLibvirt(failureMessage(request.action, name, newName));
        qCWarning(lcProviderLibvirt) << request.action << "failed on" << name << ":" << error.detail;
        return error;
    }
    return {};
}

} // namespace mist
