#!/bin/sh
# make_certs.sh DIR — the certificates the TLS tests and examples use, made
# fresh with the openssl tool (EC P-256 keys: fast handshakes):
#   ca.pem / ca.key              a small CA
#   server.pem / server.key      localhost, 127.0.0.1 (signed by the CA)
#   other.pem / other.key        other.test (a second name, for SNI)
#   wrong.pem / wrong.key        wrong.example only (a wrong-hostname cert)
#   expired.pem / expired.key    localhost, valid in 2020 only
#   client.pem / client.key      a client certificate (mutual TLS)
#   rogue-ca.pem, rogue.pem / rogue.key   localhost under an unknown CA
set -eu
dir=$1
mkdir -p "$dir"
cd "$dir"
key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null; }

key ca.key
openssl req -x509 -new -key ca.key -out ca.pem -days 30 -subj "/CN=asyncore test CA" \
  -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign"
key rogue-ca.key
openssl req -x509 -new -key rogue-ca.key -out rogue-ca.pem -days 30 -subj "/CN=rogue CA" \
  -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign"

# leaf NAME CN SAN CA [STARTDATE ENDDATE]
leaf() {
  key "$1.key"
  openssl req -new -key "$1.key" -out "$1.csr" -subj "/CN=$2"
  printf 'basicConstraints=CA:FALSE\nsubjectAltName=%s\n' "$3" > "$1.ext"
  if [ $# -ge 6 ]; then
    cat > ca.cnf <<CNF
[ca]
default_ca = c
[c]
database = index.txt
new_certs_dir = .
serial = serial
default_md = sha256
policy = p
[p]
commonName = supplied
CNF
    : > index.txt
    echo 1000 > serial
    openssl ca -batch -config ca.cnf -cert "$4.pem" -keyfile "$4.key" -in "$1.csr" \
      -out "$1.pem" -startdate "$5" -enddate "$6" -extfile "$1.ext" -notext 2>/dev/null
  else
    openssl x509 -req -in "$1.csr" -CA "$4.pem" -CAkey "$4.key" -CAcreateserial \
      -out "$1.pem" -days 30 -extfile "$1.ext" 2>/dev/null
  fi
}
leaf server localhost "DNS:localhost,IP:127.0.0.1" ca
leaf other other.test "DNS:other.test" ca
leaf wrong wrong.example "DNS:wrong.example" ca
leaf expired localhost "DNS:localhost,IP:127.0.0.1" ca 20200101000000Z 20200102000000Z
leaf client "asyncore client" "DNS:client.test" ca
leaf rogue localhost "DNS:localhost,IP:127.0.0.1" rogue-ca
