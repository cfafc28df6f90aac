#include "secretstore.h"

#include "util/logging.h"

#include <QCoreApplication>
#include <QMetaObject>
#include <QThread>

#include <future>
#include <memory>

#include <qt6keychain/keychain.h>

namespace mist {

namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("SecretStore", text);
}

Error keychainError(QKeychain::Error code, const QString &detail)
{
    switch (code) {
    case QKeychain::NoBackendAvailable:
        return Error{tr("No OS keychain is available (on Linux: a Secret Service such as GNOME Keyring or "
                        "KWallet). Secrets are never stored in plain text, so this cannot be saved"), detail};
    case QKeychain::AccessDenied:
    case QKeychain::AccessDeniedByUser:
        return Error{tr("The OS keychain refused access"), detail};
    case QKeychain::EntryNotFound:
        return Error{tr("The secret is not in the OS keychain"), detail};
    default:
        return Error{tr("The OS keychain reported an error"), detail};
    }
}

// QtKeychain keeps a process-wide job queue that belongs to the thread it was first used on
// and expects jobs to be created and deleted on that thread. So every job runs on one
// long-lived keychain thread, and callers on any other thread wait for its answer.
class KeychainThread
{
public:
    static KeychainThread &instance()
    {
        static KeychainThread *t = [] {
            auto *kt = new KeychainThread;
            qAddPostRoutine([] { KeychainThread::instance().stop(); });
            return kt;
        }();
        return *t;
    }

    QObject *context() { return m_context; }

private:
    KeychainThread()
    {
        m_thread.setObjectName(QStringLiteral("mist-keychain"));
        m_context = new QObject;
        m_context->moveToThread(&m_thread);
        QObject::connect(&m_thread, &QThread::finished, m_context, &QObject::deleteLater);
        m_thread.start();
    }
    void stop()
    {
        m_thread.quit();
        m_thread.wait(5000);
    }

    QThread m_thread;
    QObject *m_context = nullptr;
};

struct JobOutcome
{
    QKeychain::Error code = QKeychain::OtherError;
    QString errorText;
    QString data;
};

// Runs one job on the keychain thread and waits for it. The Secret Service may still be
// starting when the app comes up, so a job that finds no backend is retried once.
template <typename Job, typename Setup>
JobOutcome runJob(const QString &service, Setup setup)
{
    if (QCoreApplication::instance() && QThread::currentThread() == QCoreApplication::instance()->thread()
        && QCoreApplication::instance()->inherits("QGuiApplication"))
        qCWarning(lcSecrets) << "keychain call on the GUI thread; it blocks until the keychain answers";

    for (int attempt = 0; attempt < 2; ++attempt) {
        auto promise = std::make_shared<std::promise<JobOutcome>>();
        std::future<JobOutcome> answer = promise->get_future();
        QMetaObject::invokeMethod(KeychainThread::instance().context(), [service, setup, promise] {
            auto *job = new Job(service);   // auto-deleted by QtKeychain after finished()
            job->setInsecureFallback(false);
            setup(*job);
            QObject::connect(job, &QKeychain::Job::finished, job, [job, promise] {
                JobOutcome out;
                out.code = job->error();
                out.errorText = job->errorString();
                if constexpr (std::is_same_v<Job, QKeychain::ReadPasswordJob>) {
                    if (out.code == QKeychain::NoError)
                        out.data = job->textData();
                }
                promise->set_value(out);
            });
            job->start();
        });
        // A keychain that never answers must not hang the caller forever.
        if (answer.wait_for(std::chrono::seconds(30)) != std::future_status::ready)
            return {QKeychain::OtherError, tr("The keychain did not answer within 30 seconds"), {}};
        JobOutcome out = answer.get();
        if (out.code == QKeychain::NoBackendAvailable && attempt == 0) {
            QThread::msleep(300);
            continue;
        }
        return out;
    }
    return {QKeychain::NoBackendAvailable, {}, {}};
}

QString keyFor(const QString &owner, const QString &field)
{
    return owner + QLatin1Char('/') + field;
}

} // namespace

SecretStore::SecretStore(QString service) : m_service(std::move(service)) {}

QString SecretStore::defaultService()
{
    const QString env = qEnvironmentVariable("MIST_KEYCHAIN_SERVICE");
    return env.isEmpty() ? QStringLiteral("mist-desktop") : env;
}

Status SecretStore::write(const QString &owner, const QString &field, const QString &secret)
{
    const QString key = keyFor(owner, field);
    const JobOutcome out = runJob<QKeychain::WritePasswordJob>(m_service, [key, secret](QKeychain::WritePasswordJob &job) {
        job.setKey(key);
        job.setTextData(secret);
    });
    if (out.code != QKeychain::NoError) {
        qCWarning(lcSecrets) << "keychain write failed for" << key << out.errorText;
        return keychainError(out.code, out.errorText);
    }
    return {};
}

Result<QString> SecretStore::read(const QString &owner, const QString &field)
{
    const QString key = keyFor(owner, field);
    const JobOutcome out = runJob<QKeychain::ReadPasswordJob>(m_service, [key](QKeychain::ReadPasswordJob &job) { job.setKey(key); });
    if (out.code != QKeychain::NoError)
        return keychainError(out.code, out.errorText);
    return out.data;
}

Status SecretStore::remove(const QString &owner, const QString &field)
{
    const QString key = keyFor(owner, field);
    const JobOutcome out = runJob<QKeychain::DeletePasswordJob>(m_service, [key](QKeychain::DeletePasswordJob &job) { job.setKey(key); });
    if (out.code != QKeychain::NoError && out.code != QKeychain::EntryNotFound)
        return keychainError(out.code, out.errorText);
    return {};
}

Status SecretStore::writeAll(const QString &owner, const QHash<QString, QString> &secrets)
{
    for (auto it = secrets.cbegin(); it != secrets.cend(); ++it)
        if (Status s = write(owner, it.key(), it.value()); !s)
            return s;
    return {};
}

Result<QHash<QString, QString>> SecretStore::readAll(const QString &owner, const QStringList &fields)
{
    QHash<QString, QString> out;
    for (const QString &f : fields) {
        auto v = read(owner, f);
        if (!v)
            return Error{v.error().message, QStringLiteral("%1 (%2)").arg(v.error().detail, f)};
        out.insert(f, v.value());
    }
    return out;
}

Status SecretStore::removeAll(const QString &owner, const QStringList &fields)
{
    Status result;
    for (const QString &f : fields)
        if (Status s = remove(owner, f); !s)
            result = s;   // try the others anyway, report the failure
    return result;
}

} // namespace mist
