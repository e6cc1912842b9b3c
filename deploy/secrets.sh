#!/usr/bin/env bash
# Creates every secret coffee-edge's stack names on a K3s store, idempotently, without ever printing a value.
#
#   deploy/secrets.sh [--from DIR] [--stack FILE] [--function-secrets a,b] [--store ID] [--postgres]
#                     [--credentials-out DIR] [--replace] [--dry-run]
#
# Function secrets (every name under a function's `secrets:` in stack.yml, plus `database-url` when given) go
# through `faas-cli secret create`, so OpenFaaS labels and mounts them as it does its own. The others go through
# kubectl into the `openfaas` namespace, where the broker and the connectors run:
#   edge-broker-users        key users.json   the broker's users (mqtt-connector, dashboard, optional sensor)
#   edge-broker-mqtt-connector  key password     the mqtt-connector user's password, for the MQTT connector
#   edge-broker-bridge       key password     the central broker's password for the bridge (only from --from)
#   edge-postgres            key password     PostgreSQL's password (with --postgres), and with it the function
#                                             secret database-url, the URL functions open their store with
# basic-auth (the gateway's admin credentials) is created by the OpenFaaS chart, not here.
#
# Values travel only through files (mode 0600, in a private temporary folder removed on exit) and stdin, never
# through argv, so they do not show in `ps` or in a shell's trace. Output names secrets and what was done.
set -euo pipefail
umask 077

SCRIPT_DIR=$(cd "$(dirname "$0")" && pwd)
REPO_ROOT=$(cd "$SCRIPT_DIR/.." && pwd)

STACK_FILE="$REPO_ROOT/stack.yml"
FROM_DIR=""
FUNCTION_SECRETS=""
STORE_ID=""
CREDENTIALS_OUT="${HOME:-/root}/.coffee-edge/credentials"
REPLACE=false
DRY_RUN=false
POSTGRES=false
NAMESPACE="${OPENFAAS_NAMESPACE:-openfaas}"
FUNCTION_NAMESPACE="${OPENFAAS_FUNCTION_NAMESPACE:-openfaas-fn}"

usage() {
  cat <<'EOF'
usage: deploy/secrets.sh [options]

Creates the secrets stack.yml and deploy/k8s name; keeps those that exist.

  --from DIR               take values from DIR: one file per secret, named after it (jwt-secret,
                           payment-api-key, database-url, edge-broker-users + edge-broker-mqtt-connector,
                           edge-broker-bridge, edge-postgres); secrets without a file are generated
                           (database-url, without --postgres, and edge-broker-bridge are never generated:
                           skipped without a file)
  --stack FILE             the stack whose function secrets to create (default: stack.yml at the repository root)
  --function-secrets LIST  comma-separated function secrets instead of reading the stack
  --store ID               also create the sensor user sensor-ID (role sensor) in the broker's users file
  --postgres               the store runs k8s/components/postgres: create its password (edge-postgres, from
                           --from or generated) and, from it, the function secret database-url
                           (postgres://coffee:…@edge-postgres.openfaas:5432/coffee); the two are made together
  --credentials-out DIR    where the generated dashboard and sensor passwords are written, 0600
                           (default: ~/.coffee-edge/credentials)
  --replace                overwrite secrets that exist (with --from values or new generated ones)
  --dry-run                print the commands it would run (names only), contact nothing, write nothing
  -h, --help               this text

Environment: OPENFAAS_URL (faas-cli's gateway), OPENFAAS_NAMESPACE (default openfaas),
OPENFAAS_FUNCTION_NAMESPACE (default openfaas-fn), KUBECONFIG.
EOF
}

die() {
  echo "secrets.sh: $*" >&2
  exit 1
}

while [ $# -gt 0 ]; do
  case "$1" in
    --from) FROM_DIR=${2:?--from needs a folder}; shift 2 ;;
    --from=*) FROM_DIR=${1#--from=}; shift ;;
    --stack) STACK_FILE=${2:?--stack needs a file}; shift 2 ;;
    --stack=*) STACK_FILE=${1#--stack=}; shift ;;
    --function-secrets) FUNCTION_SECRETS=${2:?--function-secrets needs a list}; shift 2 ;;
    --function-secrets=*) FUNCTION_SECRETS=${1#--function-secrets=}; shift ;;
    --store) STORE_ID=${2:?--store needs an id}; shift 2 ;;
    --store=*) STORE_ID=${1#--store=}; shift ;;
    --credentials-out) CREDENTIALS_OUT=${2:?--credentials-out needs a folder}; shift 2 ;;
    --credentials-out=*) CREDENTIALS_OUT=${1#--credentials-out=}; shift ;;
    --replace) REPLACE=true; shift ;;
    --postgres) POSTGRES=true; shift ;;
    --dry-run) DRY_RUN=true; shift ;;
    -h | --help) usage; exit 0 ;;
    *) usage >&2; die "unknown option: $1" ;;
  esac
done

if [ -n "$FROM_DIR" ] && [ ! -d "$FROM_DIR" ]; then die "--from: $FROM_DIR is not a folder"; fi
if [ "$POSTGRES" = true ] && [ -n "$FROM_DIR" ] && [ -f "$FROM_DIR/database-url" ]; then
  die "--postgres makes database-url from edge-postgres's password: remove database-url from --from, or drop --postgres"
fi
# The password goes into a URL as it is, so it must need no percent-encoding.
if [ "$POSTGRES" = true ] && [ -n "$FROM_DIR" ] && [ -f "$FROM_DIR/edge-postgres" ] &&
  ! grep -Eqx '[A-Za-z0-9._~-]{16,}' "$FROM_DIR/edge-postgres"; then
  die "--from: edge-postgres must be one line of at least 16 letters, digits, '.', '_', '~' or '-' (it goes into database-url unencoded)"
fi
if [ -n "$STORE_ID" ] && ! printf '%s' "$STORE_ID" | grep -Eq '^[A-Za-z0-9_-]+$'; then
  die "--store: use letters, digits, - and _ only (e.g. store042)"
fi

# The names listed under `secrets:` of every function, read with awk (block list or inline [a, b]) so the script
# needs nothing beyond a POSIX userland. Comments and blank lines are skipped.
stack_function_secrets() {
  awk '
    function emit(name) { gsub(/^[ \t"\x27]+|[ \t"\x27]+$/, "", name); if (name != "") print name }
    /^[ \t]*(#.*)?$/ { next }
    {
      match($0, /^ */); indent = RLENGTH
      if (inlist && indent > listindent && $0 ~ /^ *- /) { line = $0; sub(/^ *- /, "", line); sub(/#.*/, "", line); emit(line); next }
      inlist = 0
      if ($0 ~ /^ +secrets:/) {
        rest = $0; sub(/^ +secrets:/, "", rest); sub(/#.*/, "", rest)
        if (rest ~ /\[/) { gsub(/[\[\]]/, "", rest); n = split(rest, parts, ","); for (i = 1; i <= n; i++) emit(parts[i]) }
        else { inlist = 1; listindent = indent }
      }
    }
  ' "$1" | sort -u
}

if [ -n "$FUNCTION_SECRETS" ]; then
  FN_SECRETS=$(printf '%s\n' "$FUNCTION_SECRETS" | tr ',' '\n' | sed 's/^ *//; s/ *$//' | grep -v '^$' | sort -u || true)
else
  [ -f "$STACK_FILE" ] || die "no stack file at $STACK_FILE (give --stack FILE or --function-secrets LIST)"
  FN_SECRETS=$(stack_function_secrets "$STACK_FILE")
fi

if [ "$DRY_RUN" = false ]; then
  missing=""
  command -v kubectl >/dev/null 2>&1 || missing="$missing kubectl"
  command -v faas-cli >/dev/null 2>&1 || missing="$missing faas-cli"
  if [ -n "$missing" ]; then
    die "not found on PATH:$missing. Install them first (deploy/README.md, steps 1 and 3), or see what would run with --dry-run."
  fi
fi

WORK=""
cleanup() { if [ -n "$WORK" ]; then rm -rf "$WORK"; fi; }
trap cleanup EXIT
if [ "$DRY_RUN" = false ]; then WORK=$(mktemp -d "${TMPDIR:-/tmp}/coffee-edge-secrets.XXXXXX"); fi

report() { printf '%-24s %-12s %s\n' "$1" "$2" "$3"; }

# A generated value: 32 random bytes, base64, no newline (files are read as they are; a trailing newline would
# become part of a password for readers that do not trim).
generate_into() {
  if command -v openssl >/dev/null 2>&1; then
    openssl rand -base64 32 | tr -d '\n' >"$1"
  else
    head -c 32 /dev/urandom | base64 | tr -d '\n' >"$1"
  fi
}

from_file() { if [ -n "$FROM_DIR" ] && [ -f "$FROM_DIR/$1" ]; then printf '%s' "$FROM_DIR/$1"; fi; }

# ---- function secrets, through faas-cli (namespace openfaas-fn) ----------------------------------------------

EXISTING_FN_SECRETS=""
if [ "$DRY_RUN" = false ]; then
  if ! EXISTING_FN_SECRETS=$(faas-cli secret list --namespace "$FUNCTION_NAMESPACE" 2>"$WORK/faas-cli.err"); then
    cat "$WORK/faas-cli.err" >&2
    die "faas-cli secret list failed: is OPENFAAS_URL set and faas-cli logged in (deploy/README.md, step 4)?"
  fi
  # The first line of the table is its header (NAME).
  EXISTING_FN_SECRETS=$(printf '%s\n' "$EXISTING_FN_SECRETS" | sed '1d; s/^[ \t]*//; s/[ \t].*$//')
fi

function_secret_exists() { printf '%s\n' "$EXISTING_FN_SECRETS" | grep -qx -- "$1"; }

dry_run_function_secret() { # NAME SOURCE
  echo "would run: faas-cli secret create $1 --from-file=$2 --namespace $FUNCTION_NAMESPACE$([ "$REPLACE" = true ] && echo ' --replace') (if missing)"
}

put_function_secret() { # NAME FILE EXISTS(true|false): creates it, or replaces it when it exists
  local flag=""
  if [ "$3" = true ]; then flag="--replace"; fi
  faas-cli secret create "$1" --from-file="$2" --namespace "$FUNCTION_NAMESPACE" $flag >/dev/null ||
    die "faas-cli secret create $1 failed"
  if [ "$3" = true ]; then report "$1" "faas-cli" "replaced"; else report "$1" "faas-cli" "created"; fi
}

create_function_secret() { # NAME SOURCE(file|generate|skip-without-file)
  local name=$1 policy=$2 file exists=false
  file=$(from_file "$name")
  if [ -z "$file" ] && [ "$policy" = skip-without-file ]; then
    report "$name" "faas-cli" "skipped (no $name file in --from)"
    return
  fi
  if [ "$DRY_RUN" = true ]; then
    dry_run_function_secret "$name" "${file:-<generated file>}"
    return
  fi
  if function_secret_exists "$name"; then exists=true; fi
  if [ "$exists" = true ] && [ "$REPLACE" = false ]; then
    report "$name" "faas-cli" "exists, kept"
    return
  fi
  if [ -z "$file" ]; then
    file="$WORK/$name"
    generate_into "$file"
  fi
  put_function_secret "$name" "$file" "$exists"
}

for name in $FN_SECRETS; do
  case "$name" in
    database-url) ;; # below: it depends on --postgres
    *) create_function_secret "$name" generate ;;
  esac
done

# ---- the broker's and connectors' secrets, through kubectl (namespace openfaas) ------------------------------

kube_secret_exists() { kubectl get secret "$1" --namespace "$NAMESPACE" -o name >/dev/null 2>&1; }

# kubectl create … --dry-run=client -o yaml | kubectl apply -f -: creates or updates, reading the value from a
# file; the YAML (which holds the value, base64) goes only through the pipe.
apply_kube_secret() { # NAME KEY FILE
  kubectl create secret generic "$1" --namespace "$NAMESPACE" --from-file="$2=$3" --dry-run=client -o yaml |
    kubectl apply -f - >/dev/null || die "kubectl could not create secret $1 in namespace $NAMESPACE"
}

dry_run_kube() { # NAME KEY SOURCE
  echo "would run: kubectl create secret generic $1 --namespace $NAMESPACE --from-file=$2=$3 --dry-run=client -o yaml | kubectl apply -f - (if missing)"
}

broker_secrets() {
  local users_file password_file users_exists=false password_exists=false data credentials
  users_file=$(from_file edge-broker-users)
  password_file=$(from_file edge-broker-mqtt-connector)
  if { [ -n "$users_file" ] && [ -z "$password_file" ]; } || { [ -z "$users_file" ] && [ -n "$password_file" ]; }; then
    die "--from needs both edge-broker-users and edge-broker-mqtt-connector or neither: the password must be the one in the users file"
  fi
  if [ "$DRY_RUN" = true ]; then
    if [ -z "$users_file" ]; then
      echo "would run: node broker/bin/edge-broker.js user add mqtt-connector --role connector (DATA_DIR=<temporary folder>)"
      echo "would run: node broker/bin/edge-broker.js user add dashboard --role dashboard (DATA_DIR=<temporary folder>)"
      if [ -n "$STORE_ID" ]; then
        echo "would run: node broker/bin/edge-broker.js user add sensor-$STORE_ID --role sensor --store $STORE_ID (DATA_DIR=<temporary folder>)"
      fi
    fi
    dry_run_kube edge-broker-users users.json "${users_file:-<temporary folder>/users.json}"
    dry_run_kube edge-broker-mqtt-connector password "${password_file:-<generated file>}"
    return
  fi
  if kube_secret_exists edge-broker-users; then users_exists=true; fi
  if kube_secret_exists edge-broker-mqtt-connector; then password_exists=true; fi
  if [ "$users_exists" != "$password_exists" ] && [ "$REPLACE" = false ]; then
    die "only one of edge-broker-users and edge-broker-mqtt-connector exists in namespace $NAMESPACE; they must be made together. Run again with --replace (new users and passwords), or delete the other one."
  fi
  if [ "$users_exists" = true ] && [ "$REPLACE" = false ]; then
    report edge-broker-users kubectl "exists, kept"
    report edge-broker-mqtt-connector kubectl "exists, kept"
    return
  fi
  if [ -z "$users_file" ]; then
    command -v node >/dev/null 2>&1 || die "node is needed to create the broker's users (or give them with --from)"
    data="$WORK/broker-data"
    mkdir -p "$data" "$CREDENTIALS_OUT"
    chmod 700 "$CREDENTIALS_OUT"
    credentials=$(cd "$CREDENTIALS_OUT" && pwd)
    # `user add` prints the generated password alone on its last line: it goes straight into a 0600 file.
    add_user() { # NAME ROLE [STORE] > password file
      DATA_DIR="$data" node "$REPO_ROOT/broker/bin/edge-broker.js" user add "$@" | tail -n 1 | tr -d '\n'
    }
    add_user mqtt-connector --role connector >"$WORK/edge-broker-mqtt-connector" ||
      die "edge-broker user add mqtt-connector failed (is the broker built? npm run build)"
    add_user dashboard --role dashboard >"$credentials/dashboard" || die "edge-broker user add dashboard failed"
    report dashboard "broker user" "created; password in $credentials/dashboard"
    if [ -n "$STORE_ID" ]; then
      add_user "sensor-$STORE_ID" --role sensor --store "$STORE_ID" >"$credentials/sensor-$STORE_ID" ||
        die "edge-broker user add sensor-$STORE_ID failed"
      report "sensor-$STORE_ID" "broker user" "created; password in $credentials/sensor-$STORE_ID"
    fi
    users_file="$data/users.json"
    password_file="$WORK/edge-broker-mqtt-connector"
  fi
  apply_kube_secret edge-broker-users users.json "$users_file"
  apply_kube_secret edge-broker-mqtt-connector password "$password_file"
  if [ "$users_exists" = true ]; then
    report edge-broker-users kubectl "replaced"
    report edge-broker-mqtt-connector kubectl "replaced"
  else
    report edge-broker-users kubectl "created"
    report edge-broker-mqtt-connector kubectl "created"
  fi
}

bridge_secret() {
  local file
  file=$(from_file edge-broker-bridge)
  if [ -z "$file" ]; then
    report edge-broker-bridge kubectl "skipped (no edge-broker-bridge file in --from; only a store with a bridge needs it)"
    return
  fi
  if [ "$DRY_RUN" = true ]; then
    dry_run_kube edge-broker-bridge password "$file"
    return
  fi
  if kube_secret_exists edge-broker-bridge; then
    if [ "$REPLACE" = false ]; then
      report edge-broker-bridge kubectl "exists, kept"
      return
    fi
    apply_kube_secret edge-broker-bridge password "$file"
    report edge-broker-bridge kubectl "replaced"
    return
  fi
  apply_kube_secret edge-broker-bridge password "$file"
  report edge-broker-bridge kubectl "created"
}

# PostgreSQL's password and the function secret database-url that holds it. They are made (or replaced)
# together: a URL with another password than the database's would leave every stateful function failing.
# The postgres image reads POSTGRES_PASSWORD_FILE only when it creates its data folder, so replacing them on a
# store whose database exists also needs ALTER ROLE (deploy/README.md, step 4).
postgres_secrets() {
  local password_file url_file pg_exists=false url_exists=false
  password_file=$(from_file edge-postgres)
  if [ "$DRY_RUN" = true ]; then
    dry_run_kube edge-postgres password "${password_file:-<generated file>}"
    dry_run_function_secret database-url "<postgres://coffee:…@edge-postgres.$NAMESPACE:5432/coffee file>"
    return
  fi
  if kube_secret_exists edge-postgres; then pg_exists=true; fi
  if function_secret_exists database-url; then url_exists=true; fi
  if [ "$pg_exists" != "$url_exists" ] && [ "$REPLACE" = false ]; then
    die "only one of edge-postgres (kubectl, namespace $NAMESPACE) and database-url (faas-cli) exists; they must be made together. Run again with --replace, or delete the other one."
  fi
  if [ "$pg_exists" = true ] && [ "$REPLACE" = false ]; then
    report edge-postgres kubectl "exists, kept"
    report database-url faas-cli "exists, kept"
    return
  fi
  if [ -z "$password_file" ]; then
    password_file="$WORK/edge-postgres"
    # Hex: safe inside a URL without encoding.
    if command -v openssl >/dev/null 2>&1; then openssl rand -hex 24 | tr -d '\n' >"$password_file"; else
      head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$password_file"; fi
  fi
  url_file="$WORK/database-url"
  # printf is a shell builtin: the password reaches the file without appearing in any process's argv.
  printf 'postgres://coffee:%s@edge-postgres.%s:5432/coffee' "$(tr -d '\r\n' <"$password_file")" "$NAMESPACE" >"$url_file"
  apply_kube_secret edge-postgres password "$password_file"
  if [ "$pg_exists" = true ]; then
    report edge-postgres kubectl "replaced (the database keeps its old password until ALTER ROLE: deploy/README.md)"
  else
    report edge-postgres kubectl "created"
  fi
  put_function_secret database-url "$url_file" "$url_exists"
}

if [ "$POSTGRES" = true ]; then postgres_secrets; else create_function_secret database-url skip-without-file; fi
broker_secrets
bridge_secret

if [ "$DRY_RUN" = false ]; then
  if kube_secret_exists basic-auth; then
    report basic-auth kubectl "exists (made by the OpenFaaS chart)"
  else
    report basic-auth kubectl "missing: install the OpenFaaS chart with generateBasicAuth=true first (deploy/README.md, step 3)"
  fi
fi
