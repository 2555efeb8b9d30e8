#!/usr/bin/env bash
# Builds the Dockerfile for real and proves the image, without a Docker engine.
#
# 1. Base image. Public images cannot be pulled here, so both stages build on a local Debian (minbase of this
#    machine's release, made with debootstrap) plus a JDK copied from the host: Temurin 25 if present (the
#    runtime stage then also makes its AOT cache, as on the public eclipse-temurin:25-jre), else Debian's
#    openjdk-17-jdk-headless.
#    The bootstrapped root filesystem is kept in $BATCYCLE_CI_CACHE (default /var/cache/batcycle-ci), and the
#    assembled base image in buildah's storage, both keyed by the recipe; a warm run reuses them.
# 2. buildah builds the Dockerfile (daemonless, chroot isolation) with --build-arg BUILD_IMAGE and RUNTIME_IMAGE
#    pointing at that base. Layers are cached (--layers) and Maven's downloads live in a cache mount.
# 3. The image's root filesystem is mounted read-only (as readOnlyRootFilesystem does in k8s/) with a tmpfs on
#    /tmp, and its ENTRYPOINT, exactly as the image config says it, runs as the image's USER, with the image's
#    environment and working directory, in a private network namespace (so the default ports 8000 and 9901 can
#    never clash with the host) with a stand-in app on 127.0.0.1:8080. It must run as a non-root UID, answer
#    /healthz on the admin port, proxy a request to the app, and stop on SIGTERM; then `batcycle inject` must
#    work from the image too (its jar carries the kustomize component's files).
#
# Needs (Debian): buildah, debootstrap, curl, util-linux (unshare), iproute2; node (the stand-in app). Every step is time-bounded; the
# containers and mounts it makes are removed on exit. Images stay in buildah's storage as the next run's cache:
# the base, $IMAGE (also handy: buildah push it) and a bounded number of cached layers.
set -euo pipefail
cd "$(dirname "$0")/.."

CACHE=${BATCYCLE_CI_CACHE:-/var/cache/batcycle-ci}
HOST_JDK=${BATCYCLE_CI_JDK:-/usr/lib/jvm/temurin-25-jdk-amd64}
SUITE=${BATCYCLE_CI_SUITE:-$(. /etc/os-release && echo "${VERSION_CODENAME:-bookworm}")} # this machine's Debian release
IMAGE=localhost/batcycle:ci-check
BASE_RECIPE=1 # bump to force a new base after changing how it is made

for tool in buildah debootstrap curl unshare ip timeout node; do
  command -v "$tool" >/dev/null || { echo "container-check: '$tool' is missing (apt-get install buildah debootstrap curl iproute2)" >&2; exit 1; }
done
[ "$(id -u)" = 0 ] || { echo "container-check: must run as root (debootstrap, buildah, chroot)" >&2; exit 1; }

t0=$SECONDS
step() { printf 'container-check: [%3ds] %s\n' $((SECONDS - t0)) "$*"; }

work=$(mktemp -d)
containers=()
cleanup() {
  local c
  for c in "${containers[@]}"; do buildah rm "$c" >/dev/null 2>&1 || true; done
  rm -rf "$work"
}
trap cleanup EXIT

buildah_() { buildah --log-level=error "$@"; }

# --- 1. the base image -------------------------------------------------------------------------------------
if [ -x "$HOST_JDK/bin/javac" ] && [ "$(sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$HOST_JDK/release")" -ge 21 ]; then
  jdk_kind="host:$(grep -h '^JAVA_RUNTIME_VERSION=' "$HOST_JDK/release")"
  include=""
else
  jdk_kind="debian:openjdk-17-jdk-headless"
  include="--include=openjdk-17-jdk-headless"
fi
key=$(printf '%s\n' "$BASE_RECIPE" "$SUITE" minbase "$include" | sha256sum | cut -c1-12)
image_key=$(printf '%s\n' "$key" "$jdk_kind" | sha256sum | cut -c1-12)
BASE=localhost/batcycle-ci-base:$image_key
rootfs_tar=$CACHE/$SUITE-minbase-$key.tar

if buildah_ inspect --type image "$BASE" >/dev/null 2>&1; then
  step "base image $BASE is cached"
else
  mkdir -p "$CACHE"
  if [ ! -s "$rootfs_tar" ]; then
    # The Debian mirror this machine's apt already uses (none is named here).
    mirror=$(apt-cache policy | awk -v s="$SUITE/main" '$3 == s { print $2; exit }')
    [ -n "$mirror" ] || { echo "container-check: no $SUITE/main mirror in apt's sources (run apt-get update)" >&2; exit 1; }
    step "debootstrap $SUITE minbase from $mirror ${include:+($include)}"
    rootfs=$work/rootfs
    # shellcheck disable=SC2086 # $include is empty or one option
    timeout 420 debootstrap --variant=minbase $include "$SUITE" "$rootfs" "$mirror" >"$work/debootstrap.log" 2>&1 \
      || { tail -30 "$work/debootstrap.log" >&2; exit 1; }
    rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/log/*
    tar --numeric-owner -C "$rootfs" -cf "$rootfs_tar.tmp" . && mv "$rootfs_tar.tmp" "$rootfs_tar"
    rm -rf "$rootfs"
    # Older recipes' root filesystems are dead weight.
    find "$CACHE" -maxdepth 1 -name "$SUITE-minbase-*.tar" ! -name "${rootfs_tar##*/}" -delete
  fi
  step "assembling base image $BASE ($jdk_kind)"
  ctr=$(buildah_ from scratch); containers+=("$ctr")
  mnt=$(buildah_ mount "$ctr")
  tar --numeric-owner -C "$mnt" -xf "$rootfs_tar"
  if [ -z "$include" ]; then
    mkdir -p "$mnt/opt/java"
    cp -a "$HOST_JDK" "$mnt/opt/java/openjdk"
    rm -rf "$mnt/opt/java/openjdk/lib/src.zip" "$mnt/opt/java/openjdk/man"
    # Debian-style JDK layouts link cacerts into /etc; the image gets the file itself.
    if [ -L "$mnt/opt/java/openjdk/lib/security/cacerts" ]; then
      cp --remove-destination "$(readlink -f "$HOST_JDK/lib/security/cacerts")" "$mnt/opt/java/openjdk/lib/security/cacerts"
    fi
    java_home=/opt/java/openjdk
  else
    # /usr/bin/javac -> /etc/alternatives/javac -> the JDK: resolved inside the image, not on this machine.
    java_home=$(dirname "$(dirname "$(chroot "$mnt" readlink -f /usr/bin/javac)")")
  fi
  buildah_ umount "$ctr" >/dev/null
  buildah_ config --env JAVA_HOME="$java_home" --env LANG=C.UTF-8 \
    --env PATH="$java_home/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" \
    --cmd /bin/bash "$ctr"
  buildah_ commit --quiet --rm "$ctr" "$BASE" >/dev/null
  containers=()
  # Remove bases of older recipes or other JDKs.
  buildah_ images --format '{{.Name}}:{{.Tag}}' | grep '^localhost/batcycle-ci-base:' | grep -vx "$BASE" \
    | xargs -r buildah --log-level=error rmi >/dev/null 2>&1 || true
fi

# --- 2. build the Dockerfile -----------------------------------------------------------------------------------
step "buildah build (BUILD_IMAGE = RUNTIME_IMAGE = $BASE)"
# A build whose Maven step was not cached, followed by the AOT training (which waits for the start-up warm-up), ran
# past 8 minutes once on 2 busy cores; 15 minutes still bound a hung build.
if ! timeout 900 buildah --log-level=error build --isolation chroot --layers --pull=never \
    --build-arg BUILD_IMAGE="$BASE" --build-arg RUNTIME_IMAGE="$BASE" \
    -f Dockerfile -t "$IMAGE" . >"$work/build.log" 2>&1; then
  tail -40 "$work/build.log" >&2
  echo "container-check: FAILED: buildah build" >&2
  exit 1
fi
grep -h 'aot-train:' "$work/build.log" | sed 's/^/container-check:   /' || true
# --layers keeps each step's result as an untagged image: that is the cache of the next run, but every source
# change adds a few; past a bound, drop them all (the next build is then cold).
if [ "$(buildah_ images --filter dangling=true --format '{{.ID}}' | wc -l)" -gt 40 ]; then
  step "pruning the layer cache"
  buildah_ rmi --prune >/dev/null 2>&1 || true
fi

# --- 3. run the image's entrypoint --------------------------------------------------------------------------
inspect() { buildah_ inspect --type image --format "$1" "$IMAGE"; }
mapfile -t entrypoint < <(inspect '{{range .OCIv1.Config.Entrypoint}}{{println .}}{{end}}' | sed '/^$/d')
mapfile -t envs < <(inspect '{{range .OCIv1.Config.Env}}{{println .}}{{end}}' | sed '/^$/d')
user=$(inspect '{{.OCIv1.Config.User}}')
workdir=$(inspect '{{.OCIv1.Config.WorkingDir}}')
ports=$(inspect '{{range $p, $_ := .OCIv1.Config.ExposedPorts}}{{$p}} {{end}}')
step "image: USER=$user WORKDIR=$workdir EXPOSE=$ports ENTRYPOINT=${entrypoint[*]}"

uid=${user%%:*} gid=${user#*:}
[ "$gid" != "$user" ] || gid=$uid
case "$uid" in ''|*[!0-9]*) echo "container-check: FAILED: USER '$user' is not numeric (runAsNonRoot needs a numeric UID)" >&2; exit 1 ;; esac
[ "$uid" != 0 ] || { echo "container-check: FAILED: the image runs as root" >&2; exit 1; }
for p in 8000/tcp 9901/tcp; do
  case " $ports" in *" $p "*) ;; *) echo "container-check: FAILED: $p is not EXPOSEd" >&2; exit 1 ;; esac
done

ctr=$(buildah_ from --pull=never "$IMAGE"); containers+=("$ctr")
mnt=$(buildah_ mount "$ctr")
printf '%q ' "${entrypoint[@]}" >"$work/entrypoint"
printf '%s\0' "${envs[@]}" >"$work/env"

# Everything below runs in new mount, network and PID namespaces: the mounts, the loopback-only network and the
# batcycle process all disappear with it.
cat >"$work/run-in-ns.sh" <<'EOS'
set -euo pipefail
mnt=$1 uid=$2 gid=$3 workdir=$4 work=$5
root=$work/root; mkdir -p "$root"
mount --bind "$mnt" "$root"
mount -o remount,bind,ro "$root"          # as readOnlyRootFilesystem: true
mount -t proc proc "$root/proc"
mount --rbind /dev "$root/dev"
mount -t tmpfs -o size=64m,mode=1777 tmpfs "$root/tmp"  # as the emptyDir on /tmp in k8s/
ip link set lo up
# A stand-in for the app on the default upstream (127.0.0.1:8080), from the host, sharing only the network.
node -e 'require("http").createServer((q, s) => s.end("app")).listen(8080, "127.0.0.1")' & app=$!
mapfile -d '' envs <"$work/env"
eval "entrypoint=($(cat "$work/entrypoint"))"
# chroot --userspec drops to the image's user (with no supplementary groups); env -i gives exactly the image's
# environment; env --chdir sets the image's working directory; then the entrypoint's own argv, unchanged.
chroot --userspec="$uid:$gid" --groups="$gid" "$root" /usr/bin/env -i --chdir="${workdir:-/}" "${envs[@]}" \
  "${entrypoint[@]}" >"$work/batcycle.log" 2>&1 &
pid=$!
started=$SECONDS started_ns=$(date +%s%N)
until curl -fsS -m 2 -o "$work/healthz" http://127.0.0.1:9901/healthz 2>/dev/null; do
  if ! kill -0 "$pid" 2>/dev/null; then echo "batcycle exited early:"; cat "$work/batcycle.log"; exit 1; fi
  if [ $((SECONDS - started)) -ge 45 ]; then echo "no /healthz answer within 45 s:"; cat "$work/batcycle.log"; exit 1; fi
  sleep 0.1
done
echo "healthz: '$(cat "$work/healthz")' $(( ($(date +%s%N) - started_ns) / 1000000 )) ms after exec"
# chroot and env exec, so the background job's PID is the JVM's.
jpid=$pid
runs_as=$(awk '/^Uid:/ { print $2 }' "/proc/$jpid/status")
echo "process: $(tr '\0' ' ' <"/proc/$jpid/cmdline")"
echo "uid: $runs_as"
[ "$runs_as" = "$uid" ] || { echo "FAILED: batcycle runs as uid $runs_as, not $uid"; exit 1; }
answer=$(curl -s -m 5 -w ' %{http_code}' http://127.0.0.1:8000/hello)
echo "proxy :8000 -> app :8080 answered '$answer'"
[ "$answer" = "app 200" ] || { echo "FAILED: expected 'app 200' through the proxy port"; cat "$work/batcycle.log"; exit 1; }
# The start line names the transport: io_uring or epoll need their native library unpacked into /tmp.
grep -m1 ' proxying ' "$work/batcycle.log" || true
if grep -qi 'AOTCache' /proc/$jpid/cmdline && grep -qiE 'warning.*(aot|cds)|unable to use' "$work/batcycle.log"; then
  echo "FAILED: the AOT cache was not usable:"; cat "$work/batcycle.log"; exit 1
fi
# SIGTERM starts batcycle's drain (drain.delay, then in-flight requests up to drain.timeout: 25 s by default).
kill -TERM "$jpid"
stopping=$SECONDS
while kill -0 "$jpid" 2>/dev/null; do
  [ $((SECONDS - stopping)) -lt 40 ] || { echo "FAILED: still running 40 s after SIGTERM"; exit 1; }
  sleep 0.1
done
echo "stopped $((SECONDS - stopping)) s after SIGTERM"
kill "$app"
# batcycle inject with the image's jar: the kustomize component's files, which it adds to pods, must be inside.
chroot --userspec="$uid:$gid" --groups="$gid" "$root" /usr/bin/env -i --chdir="${workdir:-/}" "${envs[@]}" \
  "${entrypoint[@]}" inject - <"$work/seed.yaml" >"$work/inject.yaml" 2>"$work/inject.err" \
  || { echo "FAILED: batcycle inject in the image:"; cat "$work/inject.err"; exit 1; }
grep -q 'restartPolicy: Always' "$work/inject.yaml" || { echo "FAILED: inject's output has no native sidecar"; exit 1; }
echo "inject: $(grep -c '^kind:' "$work/inject.yaml") objects out, $(grep -c . "$work/inject.err") notes"
EOS
cp src/test/resources/batcycle/inject/seed.yaml "$work/seed.yaml"
step "running the entrypoint as $uid:$gid, read-only root, private network"
if ! timeout 120 unshare --mount --net --pid --fork --mount-proc bash "$work/run-in-ns.sh" "$mnt" "$uid" "$gid" "$workdir" "$work" \
    >"$work/run.log" 2>&1; then
  sed 's/^/container-check:   /' "$work/run.log" >&2
  echo "container-check: FAILED: the image did not run" >&2
  exit 1
fi
sed 's/^/container-check:   /' "$work/run.log"
step "OK: image built and batcycle answered /healthz as uid $uid"
