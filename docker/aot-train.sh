#!/usr/bin/env bash
# AOT training run, used by the Dockerfile's runtime stage (JDK 25+; see JEP 514/515).
#
# Starts batcycle exactly as the entrypoint will (same JVM options file, same jar path: an AOT cache is only used
# when the class path and the options that shape it match), with its embedded demo app as the upstream, waits for
# its start-up warm-up to end (/readyz), sends a few hundred requests through it (plain, body echo, 404s, upstream failures, a 64 KiB body), then stops it with
# SIGTERM; the JVM writes the cache on exit. Without JDK 25 it does nothing and the image simply has no cache.
#
# Usage: aot-train.sh JAR OPTIONS_FILE CACHE
# Needs only bash (its /dev/tcp): JRE images carry no curl, and every JVM-side tool would be slower.
set -euo pipefail
jar=$1 options=$2 cache=$3

if ! java -XX:+PrintFlagsFinal -version 2>/dev/null | grep -q ' AOTCacheOutput '; then
  echo "aot-train: this JVM has no -XX:AOTCacheOutput (JDK 25+); building the image without an AOT cache"
  exit 0
fi

# Free loopback ports: a docker build runs each RUN in its own network namespace, but buildah's chroot isolation
# shares the host's, where fixed ports may be taken. Take ports below the ephemeral range (so no outgoing
# connection can grab one meanwhile) that no socket uses now (/proc/net/tcp*), and retry a start that fails.
read -r ephemeral_low _ </proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || ephemeral_low=32768
used=" "
while read -r local_address; do
  used+="$((16#${local_address##*:})) "
done < <(awk 'FNR > 1 { print $2 }' /proc/net/tcp /proc/net/tcp6 2>/dev/null || true)
free_port() {
  local p
  for _ in $(seq 500); do
    p=$((10000 + RANDOM % (ephemeral_low - 10000)))
    case "$used" in *" $p "*) continue ;; esac
    used+="$p "
    echo "$p"
    return 0
  done
  echo "aot-train: no free port found" >&2
  return 1
}

request() { # METHOD PORT PATH [BODY]: one HTTP/1.1 request on its own connection, response discarded
  local body=${4-}
  exec 3<>"/dev/tcp/127.0.0.1/$2" || return 1
  printf '%s %s HTTP/1.1\r\nHost: training\r\nConnection: close\r\nContent-Length: %d\r\n\r\n%s' \
    "$1" "$3" "${#body}" "$body" >&3 || true
  cat <&3 >/dev/null || true
  exec 3<&-
}

status() { # PORT PATH: the status code of one GET on its own connection
  local code
  exec 3<>"/dev/tcp/127.0.0.1/$1" || return 1
  printf 'GET %s HTTP/1.1\r\nHost: training\r\nConnection: close\r\n\r\n' "$2" >&3 || true
  read -r _ code _ <&3 || true
  exec 3<&-
  echo "$code"
}

log=$(mktemp)
pid=
for attempt in 1 2 3; do
  proxy=$(free_port) admin=$(free_port) app=$(free_port)
  java "@$options" "-XX:AOTCacheOutput=$cache" -Xlog:aot=error -jar "$jar" --demo \
    --listen "127.0.0.1:$proxy" --admin "127.0.0.1:$admin" --upstream "http://127.0.0.1:$app" >"$log" 2>&1 &
  pid=$!
  for _ in $(seq 300); do # up to 30 s
    if request GET "$admin" /healthz 2>/dev/null; then break 2; fi
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  echo "aot-train: batcycle did not start (attempt $attempt):"; cat "$log"
  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  pid=
done
[ -n "$pid" ] || exit 1

# The start-up warm-up (startup.warmup) runs before /readyz turns ready: its profiles are what the cache is most
# for, so the training waits for it (bounded) before its own requests.
for _ in $(seq 600); do # up to 60 s
  [ "$(status "$admin" /readyz 2>/dev/null)" = 200 ] && break
  sleep 0.1
done

failed=0
for _ in $(seq 100); do
  for r in "GET $proxy /hello" "POST $proxy /echo" "GET $proxy /status/404" "GET $proxy /flaky?rate=0.5" \
           "GET $proxy /bytes?n=65536" "GET $admin /healthz" "GET $admin /metrics"; do
    # shellcheck disable=SC2086 # METHOD PORT PATH
    request $r 'training body' 2>/dev/null || failed=$((failed + 1))
  done
done
[ "$failed" = 0 ] || echo "aot-train: $failed of 700 training requests could not connect"

kill -TERM "$pid"
wait "$pid" || true # 143: stopped by the signal, as intended
if [ ! -s "$cache" ]; then
  echo "aot-train: no AOT cache was written:"; cat "$log"; exit 1
fi
rm -f "$log"
echo "aot-train: wrote $(du -h "$cache" | cut -f1) AOT cache $cache"
