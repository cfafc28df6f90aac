#pragma once

#include "providers/docker/dockerendpoint.h"
#include "providers/provider.h"
#include "util/result.h"

#include <QByteArray>
#include <QSslConfiguration>

#include <memory>

namespace mist {

class SshSession;

// One bidirectional byte stream to an engine (a unix or TCP/TLS socket, an SSH channel),
// used in blocking style by one thread (waitForReadyRead underneath; no event loop needed).
class DockerStream
{
public:
    virtual ~DockerStream() = default;

    virtual Status write(const QByteArray &data, int timeoutMs) = 0;
    // Waits up to timeoutMs for data and appends what is there (nothing on a timeout).
    // When the peer has finished, closed() turns true; an error is a broken connection.
    virtual Status read(QByteArray &out, int timeoutMs) = 0;
    virtual bool closed() const = 0;
};

// Opens streams to one engine. Keeps what a second stream can reuse (the SSH session, the
// TLS configuration). Not thread-safe: one thread uses a connector and its streams.
class DockerConnector
{
public:
    // Reads the endpoint and the TLS material from the cloud's form; no network.
    static Result<std::unique_ptr<DockerConnector>> create(const Credentials &credentials);
    ~DockerConnector();

    Result<std::unique_ptr<DockerStream>> open();

    const DockerEndpoint &endpoint() const { return m_endpoint; }
    void setConnectTimeout(int msecs) { m_connectTimeoutMs = msecs; }

private:
    DockerConnector() = default;
    Result<std::unique_ptr<DockerStream>> openUnix();
    Result<std::unique_ptr<DockerStream>> openTcp();
    Result<std::unique_ptr<DockerStream>> openSsh();

    Credentials m_credentials;
    DockerEndpoint m_endpoint;
    bool m_tls = false;
    QSslConfiguration m_sslConfig;
    std::shared_ptr<SshSession> m_ssh;
    int m_connectTimeoutMs = 10000;
};

} // namespace mist
