# make_tls_certs DIR: a CA, a server certificate for localhost/127.0.0.1 and a client
# certificate in DIR, named as DOCKER_CERT_PATH wants them (ca.pem, cert.pem, key.pem) plus
# server-cert.pem and server-key.pem for the daemon. Needs openssl.
make_tls_certs() {
  mkdir -p "$1"
  (
    cd "$1" || exit 1
    openssl req -x509 -newkey rsa:2048 -nodes -keyout ca-key.pem -out ca.pem -days 2 -subj /CN=ca
    openssl req -newkey rsa:2048 -nodes -keyout server-key.pem -out server.csr -subj /CN=localhost
    printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n' >ext.cnf
    openssl x509 -req -in server.csr -CA ca.pem -CAkey ca-key.pem -CAcreateserial \
      -out server-cert.pem -days 2 -extfile ext.cnf
    openssl req -newkey rsa:2048 -nodes -keyout key.pem -out client.csr -subj /CN=client
    printf 'extendedKeyUsage=clientAuth\n' >cext.cnf
    openssl x509 -req -in client.csr -CA ca.pem -CAkey ca-key.pem -CAcreateserial \
      -out cert.pem -days 2 -extfile cext.cnf
  ) >/dev/null 2>&1
}
