#!/usr/bin/env bash
# Builds the local images pipe's tests and offline runs use; no registry is needed.
#   tests/images/build.sh                 # every image, busybox first
#   tests/images/build.sh busybox redis   # only these
# An image that already exists is skipped, so a second run takes well under a second.
# The Debian rootfs (debootstrap --variant=minbase) is built once and cached as a tar.zst.
set -euo pipefail

SOCK=/var/run/docker.sock
case ${DOCKER_HOST:-} in unix://*) SOCK=${DOCKER_HOST#unix://} ;; esac
DOCKER=/usr/bin/docker   # Debian's client; /usr/local/bin/docker may be an unrelated version
CACHE=${PIPE_IMAGE_CACHE:-$HOME/.cache/pipe-test}
MIRROR=${PIPE_DEBIAN_MIRROR:-http://deb.debian.org/debian}
BASE_TAR=$CACHE/bookworm-minbase.tar.zst
PATH_ENV='ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'
RUNNER_PKGS=(bash git ca-certificates nodejs python3 curl xz-utils zstd unzip procps)
ALL=(busybox runner redis postgres)

LOG=$CACHE/build.log   # apt and debootstrap chatter goes here; its tail is shown on failure

log() { printf 'images: %s\n' "$*" >&2; }
quiet() {  # quiet WHAT COMMAND...: runs COMMAND with its output in $LOG
  local what=$1; shift
  mkdir -p "$CACHE"
  "$@" >>"$LOG" 2>&1 || { tail -20 "$LOG" >&2; die "$what failed (full log: $LOG)"; }
}
die() { log "error: $*"; exit 1; }

# Engine calls go through curl on the socket so the script depends on no client version.
api() { curl -sf --unix-socket "$SOCK" "http://localhost$1"; }
image_exists() { api "/images/$1/json" >/dev/null 2>&1; }
tag_image() {  # tag_image SOURCE REPO:TAG
  local repo=${2%:*} tag=${2##*:}
  curl -sf -X POST --unix-socket "$SOCK" "http://localhost/images/$1/tag?repo=$repo&tag=$tag" >/dev/null
}
import_dir() {  # import_dir DIR NAME CHANGE...
  local dir=$1 name=$2; shift 2
  local changes=()
  for c in "$@"; do changes+=(-c "$c"); done
  tar --numeric-owner -C "$dir" -c . | DOCKER_HOST="unix://$SOCK" "$DOCKER" import "${changes[@]}" - "$name" >/dev/null
}

WORK=""
cleanup() {
  [ -n "$WORK" ] || return 0
  for m in $(grep -o " $WORK[^ ]*" /proc/mounts | sort -r); do umount -l "$m" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT

# Sets WORK to a scratch directory, on a tmpfs when we may mount one: disk writes are the slow part.
new_root() {
  WORK=$(mktemp -d /tmp/pipe-images.XXXXXX)
  if [ "$(id -u)" -eq 0 ]; then mount -t tmpfs -o size=4g,mode=0755 tmpfs "$WORK"; fi
}
drop_root() { cleanup; WORK=""; }

build_busybox() {
  new_root; local dir=$WORK
  mkdir -p "$dir/bin" "$dir/tmp" "$dir/etc" "$dir/root" "$dir/proc" "$dir/sys" "$dir/dev"
  chmod 1777 "$dir/tmp"
  cp "$(command -v busybox)" "$dir/bin/busybox"
  # Symlinks made here rather than by `busybox --install` in a chroot: no root needed.
  for applet in $("$dir/bin/busybox" --list); do
    [ -e "$dir/bin/$applet" ] || ln -s busybox "$dir/bin/$applet"
  done
  printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' >"$dir/etc/passwd"
  printf 'root:x:0:\nnogroup:x:65534:\n' >"$dir/etc/group"
  import_dir "$dir" pipe-test/busybox:latest "$PATH_ENV" 'CMD ["sh"]'
  drop_root
}

# The installed minbase rootfs, built once per machine.
ensure_base() {
  [ "$(id -u)" -eq 0 ] || die "the Debian-based images need root (debootstrap and chroot); busybox does not"
  [ -s "$BASE_TAR" ] && return 0
  command -v debootstrap >/dev/null || die "debootstrap is not installed (apt-get install debootstrap)"
  mkdir -p "$CACHE"
  new_root; local dir=$WORK
  log "debootstrap bookworm (once; cached in $BASE_TAR)"
  quiet debootstrap debootstrap --variant=minbase bookworm "$dir" "$MIRROR"
  rm -rf "$dir"/var/cache/apt/archives/*.deb
  tar --numeric-owner -C "$dir" -c . | zstd -q -T0 -3 -o "$BASE_TAR.tmp"
  mv "$BASE_TAR.tmp" "$BASE_TAR"
  drop_root
}

# Unpacks the base rootfs, installs packages in a chroot, runs an optional hook, trims.
debian_root() {  # debian_root HOOK PKG... ; leaves the tree in $WORK
  local hook=$1; shift
  new_root; local dir=$WORK
  zstd -q -d -c "$BASE_TAR" | tar --numeric-owner -C "$dir" -x
  cp /etc/resolv.conf "$dir/etc/resolv.conf"
  printf '#!/bin/sh\nexit 101\n' >"$dir/usr/sbin/policy-rc.d"; chmod +x "$dir/usr/sbin/policy-rc.d"
  mount -t proc proc "$dir/proc"
  quiet "apt-get update" chroot "$dir" apt-get update -qq
  quiet "apt-get install $*" env DEBIAN_FRONTEND=noninteractive chroot "$dir" apt-get install -y -qq --no-install-recommends "$@"
  [ -z "$hook" ] || "$hook" "$dir"
  umount "$dir/proc"
  rm -rf "$dir"/var/lib/apt/lists/* "$dir"/var/cache/apt/*.bin "$dir"/var/cache/apt/archives/*.deb \
    "$dir"/usr/share/doc/* "$dir"/usr/share/man/* "$dir"/usr/share/locale/* "$dir/usr/sbin/policy-rc.d"
  : >"$dir/etc/resolv.conf"
}

build_runner() {
  ensure_base
  debian_root "" "${RUNNER_PKGS[@]}"; local dir=$WORK
  import_dir "$dir" pipe-test/runner:bookworm "$PATH_ENV" 'CMD ["bash"]'
  drop_root
}

build_redis() {
  ensure_base
  debian_root "" redis-server; local dir=$WORK
  import_dir "$dir" pipe-test/redis:latest "$PATH_ENV" 'EXPOSE 6379' \
    'CMD ["redis-server","--protected-mode","no","--bind","0.0.0.0"]'
  drop_root
}

postgres_hook() {
  local dir=$1
  rm -rf "$dir"/var/lib/postgresql/15/main "$dir"/etc/postgresql/15/main
  cp "$(dirname "$0")/postgres-entrypoint.sh" "$dir/usr/local/bin/docker-entrypoint.sh"
  chmod 0755 "$dir/usr/local/bin/docker-entrypoint.sh"
}

build_postgres() {
  ensure_base
  debian_root postgres_hook postgresql-15; local dir=$WORK
  import_dir "$dir" pipe-test/postgres:15 "$PATH_ENV:/usr/lib/postgresql/15/bin" 'EXPOSE 5432' \
    'ENV PGDATA=/var/lib/postgresql/data' \
    'ENTRYPOINT ["/usr/local/bin/docker-entrypoint.sh"]' 'CMD []'
  drop_root
}

# The names workflows ask for (default `runs-on` mappings, common service images); an existing
# image under such a name (a real one) is left alone.
aliases() {
  case $1 in
    runner) echo ubuntu:latest ubuntu:22.04 ubuntu:24.04 catthehacker/ubuntu:act-latest ;;
    redis) echo redis:latest ;;
    postgres) echo postgres:15 ;;
  esac
}

image_name() {
  case $1 in
    busybox) echo pipe-test/busybox:latest ;;
    runner) echo pipe-test/runner:bookworm ;;
    redis) echo pipe-test/redis:latest ;;
    postgres) echo pipe-test/postgres:15 ;;
    *) die "unknown image '$1' (known: ${ALL[*]})" ;;
  esac
}

main() {
  api /_ping >/dev/null || die "no Docker engine answers at $SOCK"
  [ -x "$DOCKER" ] || die "$DOCKER (Debian's docker.io client) is needed for 'docker import'"
  local wanted=("$@")
  [ ${#wanted[@]} -gt 0 ] || wanted=("${ALL[@]}")
  for img in "${wanted[@]}"; do
    local name; name=$(image_name "$img")
    if image_exists "$name"; then
      log "$name: present"
    else
      local start=$SECONDS
      "build_$img"
      log "$name: built in $((SECONDS - start)) s"
    fi
    for alias in $(aliases "$img"); do
      image_exists "$alias" || tag_image "$name" "$alias"
    done
  done
}

main "$@"
