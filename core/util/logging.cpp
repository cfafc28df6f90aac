#include "logging.h"

Q_LOGGING_CATEGORY(lcStore, "mist.core.store")
Q_LOGGING_CATEGORY(lcPolling, "mist.core.polling")
Q_LOGGING_CATEGORY(lcSecrets, "mist.core.secrets")
Q_LOGGING_CATEGORY(lcProviderLibvirt, "mist.provider.libvirt")
Q_LOGGING_CATEGORY(lcProviderLocal, "mist.provider.local")
Q_LOGGING_CATEGORY(lcActions, "mist.core.actions")
Q_LOGGING_CATEGORY(lcCli, "mist.cli")
Q_LOGGING_CATEGORY(lcSsh, "mist.core.ssh")
Q_LOGGING_CATEGORY(lcTerminal, "mist.core.terminal")
Q_LOGGING_CATEGORY(lcKeys, "mist.core.keys")
