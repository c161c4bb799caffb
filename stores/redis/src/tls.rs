//! TLS for `rediss://`: the process's rustls crypto provider, and the certificate authority an
//! application names with [`RedisStoreBuilder::with_tls_ca_file`](crate::RedisStoreBuilder::with_tls_ca_file).

use std::path::Path;

use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject as _;

use crate::builder::RedisStoreError;

/// Installs rustls's `ring` provider as the process default unless the application chose one.
/// redis-rs builds its TLS configuration from the process default, and rustls cannot pick one
/// by itself when no provider or several providers are compiled in: without this, the first
/// `rediss://` connection would panic.
pub(crate) fn ensure_crypto_provider() {
    if rustls::crypto::CryptoProvider::get_default().is_none() {
        // Another thread may install one first: either way, one is installed.
        let _ = rustls::crypto::ring::default_provider().install_default();
    }
}

/// The PEM file at `path`, checked to hold at least one certificate and nothing unreadable: the
/// certificates redis-rs then trusts instead of the platform's roots.
pub(crate) fn read_ca_file(path: &Path) -> Result<Vec<u8>, RedisStoreError> {
    let refused = |reason: String| RedisStoreError::TlsCaFile {
        path: path.to_owned(),
        reason,
    };
    let pem = std::fs::read(path).map_err(|error| refused(format!("cannot read it: {error}")))?;
    let mut certificates = 0;
    for certificate in CertificateDer::pem_slice_iter(&pem) {
        certificate.map_err(|error| refused(format!("it is not valid PEM: {error}")))?;
        certificates += 1;
    }
    if certificates == 0 {
        return Err(refused("it holds no PEM certificate".to_owned()));
    }
    Ok(pem)
}
