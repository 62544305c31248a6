#!/usr/bin/env bash
# Runs, on this machine, the steps of docs/deployment.md that can run here,
# in a temporary directory and on free loopback ports (nothing is installed,
# no system service is touched):
#
#   1. the systemd units pass `systemd-analyze verify`;
#   2. single machine: repere on SQLite behind nginx with TLS (a self-signed
#      certificate) and --trusted-proxies; the DICOM port answers C-ECHO;
#      a backup is taken while it runs and its SHA-256 checks;
#   3. group: a PostgreSQL primary and a streaming standby (initdb,
#      pg_basebackup -R), two repere instances on the primary behind nginx,
#      each with its own DICOM port; both serve pages through the proxy, and
#      what one writes is read on the standby.
#
# Needs: go, nginx, openssl, curl, systemd-analyze, PostgreSQL's initdb,
# pg_ctl, pg_basebackup, psql (Debian: nginx openssl curl systemd
# postgresql). Run as root (PostgreSQL then runs as the postgres user) or as
# an ordinary user.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
work=$(mktemp -d /tmp/repere-rehearse.XXXXXX)
chmod 755 "$work"
pids=()
pgdirs=()
cleanup() {
	for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
	for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
	for d in "${pgdirs[@]}"; do asdb pg_ctl -D "$d" -m fast stop >/dev/null 2>&1 || true; done
	rm -rf "$work"
}
trap cleanup EXIT
step() { printf '\n== %s\n' "$*"; }
ok() { printf '   ok: %s\n' "$*"; }
freeport() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
asdb() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
pgbin=$(dirname "$(command -v pg_ctl)")
waitfor() { # url
	for _ in $(seq 100); do curl -ksf -o /dev/null "$1" && return 0; sleep 0.1; done
	echo "no answer from $1" >&2; return 1
}

step "build"
go build -o "$work/repere" ./cmd/repere
ok "$work/repere"

step "1. systemd units: systemd-analyze verify"
mkdir -p "$work/units"
for u in repere.service repere-backup.service repere-backup.timer; do
	sed "s#/usr/local/bin/repere#$work/repere#g" "deploy/$u" >"$work/units/$u"
done
(cd "$work/units" && systemd-analyze verify ./repere.service ./repere-backup.service ./repere-backup.timer)
ok "repere.service, repere-backup.service, repere-backup.timer"

step "TLS certificate (self-signed, for the rehearsal)"
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=localhost" \
	-keyout "$work/tls.key" -out "$work/tls.crt" 2>/dev/null
ok "$work/tls.crt"

# nginx_conf PORT UPSTREAM... writes an nginx configuration from the
# deployment's site file: same proxy settings, the rehearsal's ports.
nginx_conf() {
	local port=$1; shift
	mkdir -p "$work/nginx"
	{
		echo "pid $work/nginx/nginx.pid; error_log $work/nginx/error.log; daemon off;"
		echo "events {}"
		echo "http { access_log $work/nginx/access.log;"
		echo "client_body_temp_path $work/nginx; proxy_temp_path $work/nginx; fastcgi_temp_path $work/nginx; uwsgi_temp_path $work/nginx; scgi_temp_path $work/nginx;"
		echo "upstream repere {"
		for u in "$@"; do echo "  server $u max_fails=2 fail_timeout=5s;"; done
		echo "  keepalive 16; }"
		echo "server { listen 127.0.0.1:$port ssl http2; server_name localhost;"
		echo "  ssl_certificate $work/tls.crt; ssl_certificate_key $work/tls.key; ssl_protocols TLSv1.2 TLSv1.3;"
		echo "  client_max_body_size 25m;"
		sed -n '/location \/ {/,/^    }/p' deploy/nginx-repere.conf
		echo "  location = /metrics { return 404; }"
		echo "} }"
	} >"$work/nginx/nginx.conf"
	nginx -t -c "$work/nginx/nginx.conf" -e "$work/nginx/error.log" 2>&1 | tail -1
}

step "2. single machine: SQLite, nginx with TLS, --trusted-proxies"
http=$(freeport); dicom=$(freeport); tls=$(freeport)
"$work/repere" serve --db "$work/repere.db" --demo --addr "127.0.0.1:$http" --dicom-addr "127.0.0.1:$dicom" \
	--trusted-proxies 127.0.0.1 --secure-cookies --hsts --base-url "https://localhost:$tls" \
	>"$work/single.out" 2>"$work/single.log" &
pids+=($!)
waitfor "http://127.0.0.1:$http/healthz"
nginx_conf "$tls" "127.0.0.1:$http"
nginx -c "$work/nginx/nginx.conf" -e "$work/nginx/error.log" &
pids+=($!); nginx_pid=$!
waitfor "https://127.0.0.1:$tls/healthz"
curl -ksf --cacert "$work/tls.crt" "https://127.0.0.1:$tls/login" | grep -q 'name="csrf_token"'
ok "the sign-in page through nginx over TLS"
hsts=$(curl -ksI "https://127.0.0.1:$tls/login" | tr -d '\r' | grep -i '^strict-transport-security' || true)
[ -n "$hsts" ] && ok "HSTS sent: $hsts"
[ "$(curl -ks -o /dev/null -w '%{http_code}' "https://127.0.0.1:$tls/metrics")" = 404 ] && ok "/metrics not published by the proxy"
"$work/repere" dicom-echo --addr "127.0.0.1:$dicom"
"$work/repere" backup --db "$work/repere.db" --to "$work/backup.db"
(cd "$work" && sha256sum -c backup.db.sha256)
ok "backup taken while serving, checksum verified"
kill "$nginx_pid"; wait "$nginx_pid" 2>/dev/null || true

step "3. group: PostgreSQL primary + streaming standby, two instances behind nginx"
pg="$work/pg"; primary="$pg/primary"; standby="$pg/standby"
pport=$(freeport); sport=$(freeport)
mkdir -p "$primary" "$standby"; chmod 700 "$primary" "$standby"
if [ "$(id -u)" = 0 ]; then chown -R postgres: "$pg"; fi
asdb "$pgbin/initdb" -D "$primary" -U repere --auth=trust >/dev/null
cat >>"$primary/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $pport
unix_socket_directories = '$pg'
wal_level = replica
max_wal_senders = 4
hot_standby = on
CONF
echo "host replication repere 127.0.0.1/32 trust" >>"$primary/pg_hba.conf"
pgdirs+=("$primary")
asdb "$pgbin/pg_ctl" -D "$primary" -l "$pg/primary.log" -w start >/dev/null
asdb psql -h 127.0.0.1 -p "$pport" -U repere -d postgres -qc "CREATE DATABASE repere"
ok "primary on port $pport"
asdb pg_basebackup -h 127.0.0.1 -p "$pport" -U repere -D "$standby" -R -X stream -c fast
sed -i "s/^port = .*/port = $sport/" "$standby/postgresql.conf"
pgdirs+=("$standby")
asdb "$pgbin/pg_ctl" -D "$standby" -l "$pg/standby.log" -w start >/dev/null
[ "$(asdb psql -h 127.0.0.1 -p "$sport" -U repere -d postgres -Atc 'SELECT pg_is_in_recovery()')" = t ]
ok "standby on port $sport, in recovery, streaming from the primary"

dsn="postgres://repere@127.0.0.1:$pport/repere?sslmode=disable"
a=$(freeport); b=$(freeport); da=$(freeport); db=$(freeport); tls=$(freeport)
"$work/repere" serve --db "$dsn" --demo --addr "127.0.0.1:$a" --dicom-addr "127.0.0.1:$da" --trusted-proxies 127.0.0.1 \
	--secure-cookies --db-max-conns 10 >"$work/a.out" 2>"$work/a.log" &
pids+=($!)
waitfor "http://127.0.0.1:$a/healthz"
"$work/repere" serve --db "$dsn" --addr "127.0.0.1:$b" --dicom-addr "127.0.0.1:$db" --trusted-proxies 127.0.0.1 \
	--secure-cookies --db-max-conns 10 >"$work/b.out" 2>"$work/b.log" &
pids+=($!)
waitfor "http://127.0.0.1:$b/healthz"
nginx_conf "$tls" "127.0.0.1:$a" "127.0.0.1:$b"
nginx -c "$work/nginx/nginx.conf" -e "$work/nginx/error.log" &
pids+=($!)
waitfor "https://127.0.0.1:$tls/healthz"
for _ in 1 2 3 4 5 6; do curl -ksf -o /dev/null "https://127.0.0.1:$tls/login"; done
grep -q 'route="GET /login"\|route="GET /login' "$work/a.log" && grep -q 'GET /login' "$work/b.log"
ok "both instances served pages through the proxy"
"$work/repere" dicom-echo --addr "127.0.0.1:$da"
"$work/repere" dicom-echo --addr "127.0.0.1:$db"
ok "each site's DICOM port answers"
sleep 1
users_primary=$(asdb psql -h 127.0.0.1 -p "$pport" -U repere -d repere -Atc 'SELECT count(*) FROM users')
users_standby=$(asdb psql -h 127.0.0.1 -p "$sport" -U repere -d repere -Atc 'SELECT count(*) FROM users')
[ "$users_primary" = "$users_standby" ] && [ "$users_primary" -gt 0 ]
ok "the standby has the $users_standby accounts the demo wrote on the primary"
asdb psql -h 127.0.0.1 -p "$pport" -U repere -d postgres -Atc \
	"SELECT 'replication: ' || application_name || ' ' || state || ', ' || sync_state FROM pg_stat_replication"

printf '\nAll rehearsal steps passed.\n'
