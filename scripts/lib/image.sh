# shellcheck shell=bash
# shellcheck disable=SC2120  # callers may add packages
# Shared by scripts/container-test and scripts/bench-image (sourced, not run): a private
# podman store in a temp folder and the image built from the real Dockerfile, with its build
# stage replaced by scripts/build-static run on this host (no base image can be pulled here).
#
# After `image_build`: $podman is the podman command line, $image the image, $work the temp
# folder (removed on exit), $stage/out the static build.

image_fail() { echo "$(basename "$0"): $*" >&2; exit 1; }

image_as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"
  elif command -v sudo >/dev/null; then sudo "$@"
  else image_fail "need root (or sudo) to install: $*"
  fi
}

# Installs what building and running the image needs, when missing: podman with runc (crun
# fails in this sandbox), musl-tools (the C compiler for aws-lc), cmake, openssl (the TLS
# test's certificates), and Rust's musl target. Extra Debian packages as "command:package".
image_install_tools() {
  local missing=() tool
  for tool in podman:podman runc:runc musl-gcc:musl-tools cmake:cmake openssl:openssl "$@"; do
    command -v "${tool%%:*}" >/dev/null || missing+=("${tool##*:}")
  done
  if [ "${#missing[@]}" -gt 0 ]; then
    command -v apt-get >/dev/null || image_fail "missing ${missing[*]} and no apt-get to install them"
    echo "installing ${missing[*]}"
    image_as_root apt-get update -qq
    image_as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
  local target
  target="$(uname -m)-unknown-linux-musl"
  if ! rustup target list --installed | grep -qx "$target"; then
    rustup target add "$target"
  fi
}

image_setup() {
  [ "$(id -u)" = 0 ] || image_fail "podman runs rootful here (vfs storage, runc); run as root (sudo -E)"
  work="$(mktemp -d "${TMPDIR:-/tmp}/msstore-image.XXXXXX")"
  trap 'rm -rf "$work" 2>/dev/null || true' EXIT
  # This sandbox (and some CI hosts) allow no cgroup limits or ulimits.
  cat > "$work/containers.conf" <<'CONF'
[containers]
default_ulimits = []
[engine]
cgroup_manager = "cgroupfs"
CONF
  export CONTAINERS_CONF="$work/containers.conf"
  podman="podman --runtime runc --storage-driver vfs --root $work/storage --runroot $work/run"
  image="localhost/msstore-submit:test"
  stage="$work/stage"
}

image_build() {
  image_setup
  echo "-- static build (the Dockerfile's build stage, on the host)"
  scripts/build-static "$stage/out"
  echo "-- image from the Dockerfile"
  $podman build --quiet --build-context build="$stage" -f Dockerfile -t "$image" . >/dev/null
}
