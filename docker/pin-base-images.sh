#!/usr/bin/env bash
# Moves the Dockerfile's base images (ARG BUILD_IMAGE and ARG RUNTIME_IMAGE, written IMAGE:TAG@sha256:DIGEST) to the
# digest each tag points at now, and prints what changed. A digest pins the exact bytes a build starts from; the tag
# in front of it stays for people (and for Renovate or Dependabot, which keep such pins current). Run it, rebuild,
# run the tests (`.ci/container-check.sh` builds and starts the image), and commit the Dockerfile.
#
#   docker/pin-base-images.sh          # update the Dockerfile
#   docker/pin-base-images.sh --check  # exit 1 if a pin is behind its tag; change nothing
#
# The digest is the multi-platform index's (the same for amd64 and arm64), from the first tool found: crane,
# skopeo, `docker buildx imagetools`, or else curl against Docker Hub's registry API (docker.io images only).
# Needs the registry to be reachable; this project's CI machine cannot reach it, so CI builds on a local base.
set -euo pipefail
cd "$(dirname "$0")/.."
DOCKERFILE=${DOCKERFILE:-Dockerfile}
check=false
[ "${1:-}" = "--check" ] && check=true

ACCEPT='application/vnd.oci.image.index.v1+json, application/vnd.docker.distribution.manifest.list.v2+json, application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json'

resolve() { # IMAGE:TAG -> sha256:...
  local ref=$1
  if command -v crane >/dev/null; then crane digest "$ref"; return; fi
  if command -v skopeo >/dev/null; then
    # The digest is the SHA-256 of the manifest exactly as the registry serves it.
    echo "sha256:$(skopeo inspect --raw "docker://$ref" | sha256sum | cut -d' ' -f1)"; return
  fi
  if command -v docker >/dev/null && docker buildx version >/dev/null 2>&1; then
    docker buildx imagetools inspect "$ref" --format '{{.Manifest.Digest}}'; return
  fi
  local name=${ref%:*} tag=${ref##*:}
  case $name in
    */*.*/* | *.*/* | localhost*/*) echo "pin-base-images: $ref is not on Docker Hub; install crane or skopeo" >&2; return 1 ;;
  esac
  [[ $name == */* ]] || name=library/$name
  local token
  token=$(curl -fsSL "https://auth.docker.io/token?service=registry.docker.io&scope=repository:$name:pull" \
    | sed -n 's/.*"token": *"\([^"]*\)".*/\1/p')
  curl -fsSI -H "Authorization: Bearer $token" -H "Accept: $ACCEPT" \
    "https://registry-1.docker.io/v2/$name/manifests/$tag" \
    | tr -d '\r' | awk -F': ' 'tolower($1) == "docker-content-digest" { print $2 }'
}

behind=0
for arg in BUILD_IMAGE RUNTIME_IMAGE; do
  line=$(grep -E "^ARG $arg=" "$DOCKERFILE") || { echo "pin-base-images: no ARG $arg in $DOCKERFILE" >&2; exit 1; }
  value=${line#*=}
  ref=${value%@*}
  current=${value#"$ref"}
  current=${current#@}
  digest=$(resolve "$ref") || { echo "pin-base-images: could not resolve $ref (is its registry reachable?)" >&2; exit 1; }
  [[ $digest =~ ^sha256:[0-9a-f]{64}$ ]] || { echo "pin-base-images: no digest for $ref (got '$digest')" >&2; exit 1; }
  if [ "$digest" = "$current" ]; then
    echo "$arg: $ref is pinned to its current digest"
    continue
  fi
  behind=1
  echo "$arg: $ref ${current:-(no digest)} -> $digest"
  $check || sed -i "s|^ARG $arg=.*|ARG $arg=$ref@$digest|" "$DOCKERFILE"
done
$check && exit $behind
exit 0
