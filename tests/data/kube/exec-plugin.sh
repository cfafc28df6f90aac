#!/bin/sh
# A client.authentication.k8s.io exec credential plugin for the tests: prints a token from
# MIST_PLUGIN_TOKEN, counts its runs in MIST_PLUGIN_COUNT (when set) and fails when kubectl's
# KUBERNETES_EXEC_INFO or the "--cluster c" arguments are missing.
[ "$1" = "--cluster" ] && [ "$2" = "c" ] || { echo "bad arguments: $*" >&2; exit 3; }
case "$KUBERNETES_EXEC_INFO" in
  *ExecCredential*) ;;
  *) echo "KUBERNETES_EXEC_INFO not set" >&2; exit 4 ;;
esac
[ -n "$MIST_PLUGIN_COUNT" ] && echo run >> "$MIST_PLUGIN_COUNT"
if [ "$MIST_PLUGIN_FAIL" = "1" ]; then echo "login required" >&2; exit 1; fi
if [ "$MIST_PLUGIN_JUNK" = "1" ]; then echo "this is not json"; exit 0; fi
cat <<JSON
{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"$MIST_PLUGIN_TOKEN","expirationTimestamp":"${MIST_PLUGIN_EXPIRES:-2099-01-01T00:00:00Z}"}}
JSON
