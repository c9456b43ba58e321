#!/bin/sh
# Regenerates the OpenSSL-made fixtures (an independent implementation of X.509, CRLs, PKCS#8
# and PKCS#12). Run from this directory; the committed files are what the tests use.
set -e
cat > ext.cnf <<'X'
[ca]
basicConstraints=critical,CA:TRUE
keyUsage=critical,keyCertSign,cRLSign
subjectKeyIdentifier=hash
[leaf]
basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature
subjectKeyIdentifier=hash
authorityKeyIdentifier=keyid
subjectAltName=DNS:gw.example.org,email:vpn@example.org,IP:192.0.2.7
crlDistributionPoints=URI:http://ca.example.org/rsa.crl
X
for a in rsa ec; do
  if [ $a = rsa ]; then G="-newkey rsa:2048"; else G="-newkey ec -pkeyopt ec_paramgen_curve:P-256"; fi
  openssl req -x509 $G -nodes -keyout $a-ca.key -out $a-ca.pem -days 3650 \
    -subj "/C=BY/O=Zubr Test/CN=Zubr $a CA" -extensions ca -config ext.cnf -set_serial 1 2>/dev/null \
    || openssl req -x509 $G -nodes -keyout $a-ca.key -out $a-ca.pem -days 3650 \
    -subj "/C=BY/O=Zubr Test/CN=Zubr $a CA" -addext basicConstraints=critical,CA:TRUE \
    -addext keyUsage=critical,keyCertSign,cRLSign -set_serial 1
  openssl req -new $G -nodes -keyout $a-leaf.key -out $a-leaf.csr -subj "/C=BY/O=Zubr Test/OU=VPN/CN=gw-01"
  openssl x509 -req -in $a-leaf.csr -CA $a-ca.pem -CAkey $a-ca.key -set_serial 0x1001 -days 3650 \
    -extfile ext.cnf -extensions leaf -out $a-leaf.pem
  openssl req -new $G -nodes -keyout $a-rev.key -out $a-rev.csr -subj "/C=BY/O=Zubr Test/CN=revoked"
  openssl x509 -req -in $a-rev.csr -CA $a-ca.pem -CAkey $a-ca.key -set_serial 0x1002 -days 3650 \
    -extfile ext.cnf -extensions leaf -out $a-rev.pem
done
# a CRL of the RSA CA listing serial 0x1002
rm -rf db && mkdir db && touch db/index.txt && echo 01 > db/crlnumber
cat > ca.cnf <<'X'
[ca]
default_ca=d
[d]
database=db/index.txt
crlnumber=db/crlnumber
default_md=sha256
default_crl_days=3650
X
openssl ca -config ca.cnf -keyfile rsa-ca.key -cert rsa-ca.pem -revoke rsa-rev.pem 2>/dev/null
openssl ca -config ca.cnf -keyfile rsa-ca.key -cert rsa-ca.pem -gencrl -out rsa.crl.pem 2>/dev/null
openssl crl -in rsa.crl.pem -outform DER -out rsa.crl.der
# PKCS#12 (PBES2/AES-256 + HMAC-SHA256, OpenSSL 3 default) and legacy (3DES/RC2 + SHA-1 MAC)
openssl pkcs12 -export -in rsa-leaf.pem -inkey rsa-leaf.key -certfile rsa-ca.pem -passout pass:secret -out rsa-leaf.p12
openssl pkcs12 -export -legacy -in ec-leaf.pem -inkey ec-leaf.key -passout pass:secret -out ec-leaf-legacy.p12 2>/dev/null \
  || openssl pkcs12 -export -keypbe PBE-SHA1-3DES -certpbe PBE-SHA1-3DES -macalg sha1 -in ec-leaf.pem -inkey ec-leaf.key -passout pass:secret -out ec-leaf-legacy.p12
# encrypted PKCS#8 key
openssl pkcs8 -topk8 -in ec-leaf.key -v2 aes-128-cbc -passout pass:secret -out ec-leaf.enc.key
# PKCS#7 bundle of both CAs
openssl crl2pkcs7 -nocrl -certfile rsa-ca.pem -certfile ec-ca.pem -out cas.p7b
cat rsa-ca.pem ec-ca.pem > bundle.pem
openssl x509 -in ec-leaf.pem -outform DER -out ec-leaf.der
rm -rf db ca.cnf ext.cnf *.csr
