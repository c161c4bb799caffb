//! `rediss://` against a real `redis-server` that speaks TLS only, with a certificate authority
//! this test generates: the store suite passes over TLS when the builder trusts that CA; the
//! server's certificate is verified (the web's roots and an unrelated CA are refused); a CA file
//! that cannot be used, or one given for a URL without TLS, fails at `build` with its path named.

#![cfg(feature = "tls")]

mod common;

use std::path::{Path, PathBuf};
use std::time::Duration;

use fastsession_core::store::StoreErrorKind;
use fastsession_redis::{RedisStore, RedisStoreError};
use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, KeyPair};
use tokio::process::Child;

/// A certificate authority and a server certificate it signed for `127.0.0.1` and `localhost`,
/// written as PEM files into a directory of their own.
struct Certificates {
    dir: PathBuf,
}

impl Certificates {
    fn generate() -> Self {
        let dir = std::env::temp_dir().join(common::unique_prefix("tls").replace(':', "-"));
        std::fs::create_dir_all(&dir).expect("a temporary directory");
        let (ca, ca_key) = authority("fastsession test CA");
        let server_key = KeyPair::generate().expect("a key pair");
        let server = CertificateParams::new(vec!["127.0.0.1".to_owned(), "localhost".to_owned()])
            .expect("server parameters")
            .signed_by(&server_key, &ca, &ca_key)
            .expect("the server certificate");
        let (unrelated, _) = authority("an unrelated CA");
        for (name, pem) in [
            ("ca.pem", ca.pem()),
            ("server.pem", server.pem()),
            ("server.key", server_key.serialize_pem()),
            ("unrelated-ca.pem", unrelated.pem()),
            ("not-pem.pem", "not a certificate\n".to_owned()),
            ("empty.pem", String::new()),
        ] {
            std::fs::write(dir.join(name), pem).expect("a PEM file");
        }
        Self { dir }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }
}

impl Drop for Certificates {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// A self-signed certificate authority.
fn authority(name: &str) -> (rcgen::Certificate, KeyPair) {
    let key = KeyPair::generate().expect("a key pair");
    let mut params = CertificateParams::new(Vec::<String>::new()).expect("CA parameters");
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.distinguished_name.push(DnType::CommonName, name);
    let certificate = params.self_signed(&key).expect("the CA certificate");
    (certificate, key)
}

/// A `redis-server` that listens with TLS only, on a free loopback port; killed on drop.
struct TlsServer {
    _child: Child,
    port: u16,
}

impl TlsServer {
    async fn start(certificates: &Certificates) -> Self {
        let port = free_port();
        let file = |name: &str| certificates.path(name).into_os_string();
        let child = common::server::start(
            [
                "--port".into(),
                "0".into(),
                "--bind".into(),
                "127.0.0.1".into(),
                "--tls-port".into(),
                port.to_string().into(),
                "--tls-cert-file".into(),
                file("server.pem"),
                "--tls-key-file".into(),
                file("server.key"),
                "--tls-ca-cert-file".into(),
                file("ca.pem"),
                "--tls-auth-clients".into(),
                "no".into(),
            ],
            &format!("with TLS on {port}"),
        )
        .await;
        Self {
            _child: child,
            port,
        }
    }

    fn url(&self) -> String {
        format!("rediss://127.0.0.1:{}", self.port)
    }
}

/// A loopback port nothing listens on right now.
fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a free port");
    listener.local_addr().expect("its address").port()
}

fn store(url: &str, ca: &Path) -> RedisStore {
    RedisStore::builder(url)
        .with_prefix(common::unique_prefix("tls"))
        .with_tls_ca_file(ca)
        .build()
        .unwrap_or_else(|error| panic!("{error}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_store_suite_passes_over_tls_with_the_given_ca() {
    let certificates = Certificates::generate();
    let server = TlsServer::start(&certificates).await;
    let ca = certificates.path("ca.pem");
    common::run_store_suite(|| {
        let store = store(&server.url(), &ca);
        async move {
            store.ping().await.unwrap_or_else(|error| panic!("{error}"));
            store
        }
    })
    .await;
}

#[tokio::test]
async fn the_servers_certificate_is_verified() {
    let certificates = Certificates::generate();
    let server = TlsServer::start(&certificates).await;
    // The web's roots (no CA file) and an unrelated CA both refuse the server's certificate.
    let without_ca = RedisStore::builder(server.url())
        .with_timeout(Duration::from_secs(5))
        .build()
        .unwrap();
    let unrelated = RedisStore::builder(server.url())
        .with_timeout(Duration::from_secs(5))
        .with_tls_ca_file(certificates.path("unrelated-ca.pem"))
        .build()
        .unwrap();
    for (what, store) in [("no CA file", without_ca), ("an unrelated CA", unrelated)] {
        let error = store
            .ping()
            .await
            .expect_err("an unverified certificate is refused");
        assert_eq!(error.kind(), StoreErrorKind::Unavailable, "{what}: {error}");
    }
    // There is no switch to turn verification off: redis-rs's `#insecure` fragment is refused
    // too (by the URL check, or at the first connection).
    let insecure = RedisStore::builder(format!("{}/#insecure", server.url()))
        .with_timeout(Duration::from_secs(5))
        .build();
    if let Ok(store) = insecure {
        store
            .ping()
            .await
            .expect_err("#insecure does not turn verification off");
    }
}

#[tokio::test]
async fn an_unusable_ca_file_fails_at_build_naming_its_path() {
    let certificates = Certificates::generate();
    let url = "rediss://:s3cret@127.0.0.1:6390";
    for (name, reason) in [
        ("missing.pem", "cannot read it"),
        ("empty.pem", "holds no PEM certificate"),
        ("not-pem.pem", "holds no PEM certificate"),
    ] {
        let path = certificates.path(name);
        let error = RedisStore::builder(url)
            .with_tls_ca_file(&path)
            .build()
            .expect_err("an unusable CA file is refused");
        assert!(
            matches!(&error, RedisStoreError::TlsCaFile { path: named, .. } if *named == path),
            "{error:?}"
        );
        let message = error.to_string();
        assert!(
            message.contains(name) && message.contains(reason),
            "{message}"
        );
        assert!(!message.contains("s3cret"), "{message}");
    }
    let error = RedisStore::builder("redis://:s3cret@127.0.0.1:6379")
        .with_tls_ca_file(certificates.path("ca.pem"))
        .build()
        .expect_err("a CA file needs TLS");
    assert!(
        matches!(error, RedisStoreError::TlsCaWithoutTls { .. }),
        "{error:?}"
    );
    assert!(error.to_string().contains("rediss://"), "{error}");
    assert!(!error.to_string().contains("s3cret"), "{error}");
}
