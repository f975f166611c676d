/**
 * A self-signed certificate and its key, made for the client test of a certificate Node does not accept
 * (`openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 36500 -subj /CN=pgbeam-test.invalid`).
 * Nothing trusts it; it protects nothing.
 */
export const UNTRUSTED_CERT = `-----BEGIN CERTIFICATE-----
MIIBkjCCATmgAwIBAgIUAX5ZRjEbiZmTh6HmoVHwho5YblwwCgYIKoZIzj0EAwIw
HjEcMBoGA1UEAwwTcGdiZWFtLXRlc3QuaW52YWxpZDAgFw0yNjEyMDMxOTU1MDZa
GA8yMTI2MTEwOTE5NTUwNlowHjEcMBoGA1UEAwwTcGdiZWFtLXRlc3QuaW52YWxp
ZDBZMBMGByqGSM49AgEGCCqGSM49AwEHA0IABL7kbinplF9vHlIi79dFnP4ejg+B
gyGyWhK9VIYePx/a19sGKA8gyBA4h1uRfclhZivkQeDLIgbqur26Qnn00lGjUzBR
MB0GA1UdDgQWBBQpoX94IW/1R/mrMMe/EpY2FQFqazAfBgNVHSMEGDAWgBQpoX94
IW/1R/mrMMe/EpY2FQFqazAPBgNVHRMBAf8EBTADAQH/MAoGCCqGSM49BAMCA0cA
MEQCIDRsmra8RfIksBWGqf1/g0XbqaU/GGdxSF2j1toiVqzuAiAYY0CePWxmy5Il
bWp0e6jXxp4zDNh7QoVAohNmOgpRlQ==
-----END CERTIFICATE-----`;

export const UNTRUSTED_KEY = `-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgObgiITlcC6ccK3yg
JmwELGW47Y40+D83eH5Rj7uus7ShRANCAAS+5G4p6ZRfbx5SIu/XRZz+Ho4PgYMh
sloSvVSGHj8f2tfbBigPIMgQOIdbkX3JYWYr5EHgyyIG6rq9ukJ59NJR
-----END PRIVATE KEY-----`;
