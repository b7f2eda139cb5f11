#!/bin/sh
# Makes sure HAProxy's external (TLS) listener has a certificate: a PEM holding the certificate
# followed by its private key, at CERT_FILE. A file already there (an operator's own certificate
# or one made on an earlier start) is left as it is; otherwise a self-signed one is created.
#
# A self-signed certificate is for trying the pool out: phones only talk to an external listener
# whose certificate chains to a CA they trust, so production puts its own PEM at CERT_FILE.
#
#   CERT_FILE         where the PEM goes (default /var/lib/ucupdates/certs/ucupdates.pem)
#   CERT_COMMON_NAME  host name or IP address the certificate is for (default localhost)
#   CERT_DNS_NAMES    more host names it is for, comma-separated (default none); e.g. the
#                     UCUpdates-R2 names phones look up before anyone signs in (docs/phones.md)
#   CERT_DAYS         validity in days (default 825, the most some clients accept)
#   CERT_OWNER        uid:gid to hand the PEM to (HAProxy's user), when run as root
set -eu

cert_file="${CERT_FILE:-/var/lib/ucupdates/certs/ucupdates.pem}"
common_name="${CERT_COMMON_NAME:-localhost}"
dns_names="${CERT_DNS_NAMES:-}"
days="${CERT_DAYS:-825}"
owner="${CERT_OWNER:-}"

if [ -s "$cert_file" ]; then
  echo "ucupdates-ensure-cert: $cert_file is present, leaving it as it is"
  exit 0
fi

case "$common_name" in
  *[!0-9.]*) san="DNS:${common_name}" ;;
  *) san="IP:${common_name}" ;;
esac
# Split on commas only, and never expand a name as a file pattern.
old_ifs=$IFS
IFS=,
set -f
for name in $dns_names; do
  case "$name" in
    '') ;;
    *[!A-Za-z0-9.-]*) echo "ucupdates-ensure-cert: CERT_DNS_NAMES holds \"$name\", which is not a host name" >&2; exit 2 ;;
    *) san="${san},DNS:${name}" ;;
  esac
done
set +f
IFS=$old_ifs
if [ "$common_name" != "localhost" ]; then
  san="${san},DNS:localhost"
fi
san="${san},IP:127.0.0.1"

dir=$(dirname "$cert_file")
mkdir -p "$dir"
umask 077
# Work inside the target directory so the final rename stays on one file system and is atomic:
# HAProxy never sees a half-written PEM.
work=$(mktemp -d "$dir/.ensure-cert.XXXXXX")
trap 'rm -rf "$work"' EXIT
trap 'exit 1' INT TERM

# RSA rather than ECDSA: older desk phones do not all speak ECDSA.
openssl req -x509 -newkey rsa:2048 -sha256 -nodes -days "$days" \
  -subj "/CN=${common_name}" \
  -addext "subjectAltName=${san}" \
  -addext "extendedKeyUsage=serverAuth" \
  -keyout "$work/key.pem" -out "$work/cert.pem" 2>/dev/null

cat "$work/cert.pem" "$work/key.pem" > "$work/bundle.pem"
chmod 0440 "$work/bundle.pem"
if [ -n "$owner" ]; then
  chown "$owner" "$work/bundle.pem"
fi
mv "$work/bundle.pem" "$cert_file"

echo "ucupdates-ensure-cert: created a self-signed certificate for ${common_name} (${san}) in $cert_file"
openssl x509 -in "$cert_file" -noout -fingerprint -sha256
