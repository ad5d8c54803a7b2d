#!/usr/bin/env bash
# Builds the local environment's binaries from the Go module proxy, once per version.
#
#   etcd, kube-apiserver, kube-controller-manager, kube-scheduler, kubectl, kwok, kustomize
#
# Binaries land in $KUSTODIAN_CACHE/bin/<name>-<version>/ (default ~/.cache/kustodian), outside
# the repository, so only a cold machine pays for the build. A binary that is already there is
# never rebuilt. Prints the cache directory on success.
set -euo pipefail

K8S_VERSION=${K8S_VERSION:-v1.36.3}
ETCD_VERSION=${ETCD_VERSION:-v3.6.16}
KWOK_VERSION=${KWOK_VERSION:-v0.8.0}
KUSTOMIZE_VERSION=${KUSTOMIZE_VERSION:-v5.8.2}
CACHE=${KUSTODIAN_CACHE:-$HOME/.cache/kustodian}
BIN="$CACHE/bin"

export GOFLAGS=-mod=mod CGO_ENABLED=0 GOTOOLCHAIN=local
export GOPATH=${GOPATH:-$HOME/go}

log() { printf '[build-binaries] %s\n' "$*" >&2; }

# have NAME VERSION: true when the cached binary exists.
have() { [ -x "$BIN/$1-$2/$1" ]; }

# install_into NAME VERSION: moves a freshly built binary into place atomically.
install_into() {
  local name=$1 version=$2 built=$3
  mkdir -p "$BIN/$name-$version"
  mv -f "$built" "$BIN/$name-$version/$name.tmp"
  mv -f "$BIN/$name-$version/$name.tmp" "$BIN/$name-$version/$name"
}

build_kubernetes() {
  local missing=()
  for c in kube-apiserver kube-controller-manager kube-scheduler kubectl; do
    have "$c" "$K8S_VERSION" || missing+=("$c")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  log "building ${missing[*]} $K8S_VERSION (a cold build takes many minutes)"
  local minor=${K8S_VERSION#v1.}; minor=${minor%%.*}
  local staging=v0.${K8S_VERSION#v1.}
  local work; work=$(mktemp -d); trap 'rm -rf "$work"' RETURN
  (
    cd "$work"
    go mod init example.invalid/k8sbins >/dev/null 2>&1
    # k8s.io/kubernetes requires its staging modules at v0.0.0; route each to its release,
    # reading the list from the go.mod of the exact version built.
    local kmod
    kmod=$(go mod download -json "k8s.io/kubernetes@$K8S_VERSION" | sed -n 's/.*"GoMod": *"\([^"]*\)".*/\1/p')
    go mod edit -require="k8s.io/kubernetes@$K8S_VERSION"
    for m in $(sed -n 's#^[[:space:]]*\(k8s\.io/[^[:space:]]*\)[[:space:]]*=>[[:space:]]*\./staging/.*#\1#p' "$kmod"); do
      go mod edit -replace="$m=$m@$staging"
    done
    local pkgs=()
    for c in "${missing[@]}"; do pkgs+=("k8s.io/kubernetes/cmd/$c@$K8S_VERSION"); done
    go get "${pkgs[@]}" >&2
    local ldf="-s -w -X k8s.io/component-base/version.gitVersion=$K8S_VERSION
      -X k8s.io/component-base/version.gitMajor=1 -X k8s.io/component-base/version.gitMinor=$minor
      -X k8s.io/component-base/version.gitTreeState=clean
      -X k8s.io/component-base/version.buildDate=1970-01-01T00:00:00Z"
    mkdir -p out
    for c in "${missing[@]}"; do
      go build -trimpath -tags=selinux,notest,grpcnotrace -ldflags "$ldf" -o "out/$c" "k8s.io/kubernetes/cmd/$c"
      install_into "$c" "$K8S_VERSION" "out/$c"
      log "built $c $K8S_VERSION"
    done
  )
}

build_etcd() {
  have etcd "$ETCD_VERSION" && return 0
  log "building etcd $ETCD_VERSION"
  local work; work=$(mktemp -d); trap 'rm -rf "$work"' RETURN
  (
    cd "$work"
    go mod init example.invalid/etcdbin >/dev/null 2>&1
    go get "go.etcd.io/etcd/server/v3@$ETCD_VERSION" >&2
    go build -trimpath -o etcd go.etcd.io/etcd/server/v3
    install_into etcd "$ETCD_VERSION" etcd
  )
}

# go_install NAME VERSION PACKAGE: for modules without replace directives.
go_install() {
  local name=$1 version=$2 pkg=$3
  have "$name" "$version" && return 0
  log "building $name $version"
  local gobin; gobin=$(mktemp -d)
  GOBIN="$gobin" go install -trimpath -ldflags "-s -w" "$pkg@$version"
  install_into "$name" "$version" "$gobin/$name"
  rm -rf "$gobin"
}

# kwok's default stages ship inside its module; keep a copy beside the binary.
copy_kwok_stages() {
  local dest="$BIN/kwok-$KWOK_VERSION/stages"
  [ -d "$dest" ] && return 0
  local dir
  dir=$(cd "$(mktemp -d)" && go mod download -json "sigs.k8s.io/kwok@$KWOK_VERSION" | sed -n 's/.*"Dir": *"\([^"]*\)".*/\1/p')
  mkdir -p "$dest.tmp"
  cp "$dir"/kustomize/stage/node/fast/node-initialize.yaml "$dest.tmp/"
  cp "$dir"/kustomize/stage/node/heartbeat/node-heartbeat.yaml "$dest.tmp/" 2>/dev/null || \
    cp "$dir"/kustomize/stage/node/heartbeat/*.yaml "$dest.tmp/"
  cp "$dir"/kustomize/stage/pod/fast/*.yaml "$dest.tmp/"
  chmod -R u+w "$dest.tmp"
  mv "$dest.tmp" "$dest"
}

# kwok's ClusterLogs CRD (fake nodes serve container logs from files) ships in its module too.
copy_kwok_crds() {
  local dest="$BIN/kwok-$KWOK_VERSION/crds"
  [ -d "$dest" ] && return 0
  local dir
  dir=$(cd "$(mktemp -d)" && go mod download -json "sigs.k8s.io/kwok@$KWOK_VERSION" | sed -n 's/.*"Dir": *"\([^"]*\)".*/\1/p')
  mkdir -p "$dest.tmp"
  cp "$dir"/kustomize/crd/bases/kwok.x-k8s.io_clusterlogs.yaml "$dest.tmp/"
  chmod -R u+w "$dest.tmp"
  mv "$dest.tmp" "$dest"
}

what=${1:-all}
case "$what" in
  kustomize) go_install kustomize "$KUSTOMIZE_VERSION" sigs.k8s.io/kustomize/kustomize/v5 ;;
  all)
    go_install kustomize "$KUSTOMIZE_VERSION" sigs.k8s.io/kustomize/kustomize/v5
    build_etcd
    go_install kwok "$KWOK_VERSION" sigs.k8s.io/kwok/cmd/kwok
    copy_kwok_stages
    copy_kwok_crds
    build_kubernetes
    ;;
  *) echo "usage: $0 [all|kustomize]" >&2; exit 2 ;;
esac
echo "$BIN"
