# Sourced by run.sh and test.sh: installs what a fresh Debian machine lacks when it can (as root, or with
# passwordless sudo), otherwise stops with one line saying what to install.

die() { echo "error: $*" >&2; exit 1; }

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"
  elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then sudo "$@"
  else return 1
  fi
}

apt_updated=""
apt_install() {
  command -v apt-get >/dev/null 2>&1 || return 1
  if [ -z "$apt_updated" ]; then as_root apt-get update -qq || return 1; apt_updated=1; fi
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

ensure_dotnet() {
  command -v dotnet >/dev/null 2>&1 || die "the .NET 10 SDK is missing: install it (https://dotnet.microsoft.com/download) and run again"
}

ensure_node() {
  command -v npm >/dev/null 2>&1 && return 0
  echo "Node.js/npm missing: installing them with apt-get..." >&2
  apt_install nodejs npm || die "Node.js and npm are missing: install them (apt-get install nodejs npm) and run again"
}

ensure_zookeeper() {
  if [ -n "${ZOOKEEPER_HOME:-}" ] || [ -f /usr/share/java/zookeeper.jar ]; then
    command -v java >/dev/null 2>&1 || [ -n "${JAVA_HOME:-}" ] || apt_install default-jre-headless \
      || die "Java is missing: install it (apt-get install default-jre-headless) and run again"
    return 0
  fi
  echo "ZooKeeper missing: installing Debian's zookeeper package (with its Java)..." >&2
  apt_install zookeeper || die "ZooKeeper is missing: install it (apt-get install zookeeper), set ZOOKEEPER_HOME to an unpacked release, or use 'docker compose up'"
}

ensure_chromium() {
  [ -x /usr/bin/chromium ] && return 0
  echo "Chromium missing (browser tests need it): installing Debian's chromium..." >&2
  apt_install chromium || die "Chromium is missing for the browser tests: install it (apt-get install chromium) and run again"
}

# Tests write data with a second ZooKeeper client (kazoo, Debian's python3-kazoo) so our reader and writer cannot
# agree on a mistake; they run it with Debian's /usr/bin/python3.
ensure_kazoo() {
  /usr/bin/python3 -c 'import kazoo' >/dev/null 2>&1 && return 0
  echo "kazoo missing (tests write data with it): installing Debian's python3-kazoo..." >&2
  apt_install python3-kazoo || die "kazoo is missing for the tests: install it (apt-get install python3-kazoo) and run again"
}

# The command-injection tests reproduce the attack with a real ssh (its ProxyCommand option) before proving it is refused.
ensure_ssh() {
  command -v ssh >/dev/null 2>&1 && return 0
  echo "ssh missing (the command-injection tests use it): installing Debian's openssh-client..." >&2
  apt_install openssh-client || die "ssh is missing for the tests: install it (apt-get install openssh-client) and run again"
}

# Kerberos tests start their own KDC (krb5kdc, kdb5_util, kadmin.local) and authenticate through MIT's GSSAPI
# library; kinit gets kazoo its ticket. The dashboard itself needs only libgssapi-krb5-2 for GSSAPI clusters.
ensure_kerberos() {
  [ -x /usr/sbin/krb5kdc ] && [ -x /usr/sbin/kadmin.local ] && [ -x /usr/bin/kinit ] && [ -e /usr/lib/x86_64-linux-gnu/libgssapi_krb5.so.2 -o -n "$(ldconfig -p 2>/dev/null | grep libgssapi_krb5.so.2)" ] && return 0
  echo "Kerberos KDC tools missing (the GSSAPI tests run a local KDC): installing Debian's krb5-kdc, krb5-admin-server, krb5-user..." >&2
  apt_install krb5-kdc krb5-admin-server krb5-user libgssapi-krb5-2 \
    || die "the Kerberos tests need a local KDC: install it (apt-get install krb5-kdc krb5-admin-server krb5-user libgssapi-krb5-2) and run again"
}

# Optional: lets a test run compose's own validation of docker-compose.yml; the tests still check the file without it.
try_docker_compose() {
  command -v docker-compose >/dev/null 2>&1 && return 0
  apt_install docker-compose >/dev/null 2>&1 || echo "note: docker-compose not installed; the compose file is checked by parsing only" >&2
}

# The history store's tests also run against PostgreSQL: the test code starts Debian's server itself (initdb into a
# temporary folder, on a free loopback port), so only the programs are needed, not a running cluster.
ensure_postgresql() {
  ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 && return 0
  echo "PostgreSQL missing (the store's tests run on it too): installing Debian's postgresql..." >&2
  apt_install postgresql || die "PostgreSQL is missing for the tests: install it (apt-get install postgresql) and run again"
}
