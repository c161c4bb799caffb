//! Session IDs and where they come from.

use std::fmt;
use std::hash::{Hash, Hasher};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::TryRng as _;
use sha2::{Digest as _, Sha256};

/// The length of a session ID in bytes (256 bits).
pub const ID_LEN: usize = 32;

/// A session ID: 256 random bits.
///
/// A `SessionId` is a bearer secret's core, so it never shows itself by accident: its `Debug`
/// output is a short one-way [label](SessionId::label), and it implements neither `Display` nor
/// `Serialize`. Use [`SessionId::encode`] where the raw ID is really needed (a store key, a
/// diagnostic page the application chooses to show).
///
/// # Examples
///
/// ```
/// use fastsession_core::id::SessionId;
///
/// let id = SessionId::from_bytes([7; 32]);
/// let text = id.encode();
/// assert_eq!(text.len(), 43);
/// assert_eq!(SessionId::decode(&text), Some(id));
/// assert!(!format!("{id:?}").contains(&text[..8]));
/// ```
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct SessionId([u8; ID_LEN]);

impl SessionId {
    /// An ID with these exact bytes. Meant for stores and tests; live IDs come from an
    /// [`IdGenerator`].
    pub const fn from_bytes(bytes: [u8; ID_LEN]) -> Self {
        Self(bytes)
    }

    /// The raw bytes.
    pub const fn as_bytes(&self) -> &[u8; ID_LEN] {
        &self.0
    }

    /// The ID as 43 characters of unpadded base64url. This reveals the raw ID: never log it.
    pub fn encode(&self) -> String {
        URL_SAFE_NO_PAD.encode(self.0)
    }

    /// Parses the output of [`SessionId::encode`]; anything else (wrong length, padding,
    /// non-canonical trailing bits) gives `None`.
    pub fn decode(text: &str) -> Option<Self> {
        decode_id(text.as_bytes())
    }

    /// What a store keeps instead of the ID: the first 128 bits of SHA-256 over a domain tag
    /// (`"fastsession/store\0"`) and the ID. A dump of a store's keys or rows reveals no
    /// cookie, and every store that shares sessions (Redis, PostgreSQL) keys them the same way.
    ///
    /// ```
    /// use fastsession_core::id::SessionId;
    ///
    /// let id = SessionId::from_bytes([7; 32]);
    /// assert_eq!(id.store_digest(), SessionId::from_bytes([7; 32]).store_digest());
    /// assert_ne!(id.store_digest(), SessionId::from_bytes([8; 32]).store_digest());
    /// assert_ne!(&id.store_digest()[..], &id.as_bytes()[..16]);
    /// ```
    pub fn store_digest(&self) -> [u8; 16] {
        let digest = Sha256::new()
            .chain_update(b"fastsession/store\0")
            .chain_update(self.0)
            .finalize();
        let mut kept = [0u8; 16];
        kept.copy_from_slice(&digest[..16]);
        kept
    }

    /// A short one-way label for logs and metrics: the first 8 hex digits of SHA-256 over a
    /// domain tag and the ID. It identifies a session across log lines without revealing it.
    pub fn label(&self) -> IdLabel {
        let digest = Sha256::new()
            .chain_update(b"fastsession/label\0")
            .chain_update(self.0)
            .finalize();
        let mut label = [0u8; 4];
        label.copy_from_slice(&digest[..4]);
        IdLabel(label)
    }
}

impl fmt::Debug for SessionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SessionId({})", self.label())
    }
}

impl Hash for SessionId {
    fn hash<H: Hasher>(&self, state: &mut H) {
        state.write(&self.0);
    }
}

/// Decodes exactly 43 canonical base64url characters into an ID.
pub(crate) fn decode_id(text: &[u8]) -> Option<SessionId> {
    if text.len() != ENCODED_ID_LEN {
        return None;
    }
    let mut bytes = [0u8; ID_LEN];
    match URL_SAFE_NO_PAD.decode_slice(text, &mut bytes) {
        Ok(ID_LEN) => Some(SessionId(bytes)),
        _ => None,
    }
}

/// The length of an encoded ID (and of an encoded HMAC-SHA256 tag).
pub(crate) const ENCODED_ID_LEN: usize = 43;

/// A one-way label of a [`SessionId`], printed as 8 hex digits.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct IdLabel([u8; 4]);

impl fmt::Display for IdLabel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for byte in self.0 {
            write!(f, "{byte:02x}")?;
        }
        Ok(())
    }
}

impl fmt::Debug for IdLabel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

/// Where new session IDs come from.
///
/// The default, [`OsRandom`], reads the operating system's CSPRNG. Tests inject a deterministic
/// generator (`SequentialIds` under the `test-util` feature). A generator that cannot produce
/// randomness must say so with an error: the engine then fails the request rather than fall
/// back to anything weaker.
///
/// # Examples
///
/// ```
/// use fastsession_core::{id::IdGenerator, id::OsRandom};
///
/// let first = OsRandom.generate().unwrap();
/// let second = OsRandom.generate().unwrap();
/// assert_ne!(first, second);
/// ```
pub trait IdGenerator: Send + Sync + fmt::Debug + 'static {
    /// A fresh ID.
    ///
    /// # Errors
    ///
    /// [`IdError`] when no randomness is available.
    fn generate(&self) -> Result<SessionId, IdError>;
}

/// IDs from the operating system's CSPRNG (`getrandom`).
#[derive(Clone, Copy, Debug, Default)]
#[allow(
    clippy::exhaustive_structs,
    reason = "a unit struct with nothing to add"
)]
pub struct OsRandom;

impl IdGenerator for OsRandom {
    #[allow(
        clippy::disallowed_types,
        reason = "the default IdGenerator: the one place the core draws session IDs from the OS"
    )]
    fn generate(&self) -> Result<SessionId, IdError> {
        let mut bytes = [0u8; ID_LEN];
        rand::rngs::SysRng
            .try_fill_bytes(&mut bytes)
            .map_err(|source| IdError::new(std::io::Error::other(source)))?;
        Ok(SessionId(bytes))
    }
}

/// The ID generator could not produce an ID.
#[derive(Debug, thiserror::Error)]
#[error("no session id could be generated: the random source failed")]
pub struct IdError {
    #[source]
    source: Box<dyn std::error::Error + Send + Sync>,
}

impl IdError {
    /// Wraps the cause of the failure.
    pub fn new(source: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> Self {
        Self {
            source: source.into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encoding_is_43_url_safe_characters() {
        let id = OsRandom.generate().unwrap();
        let text = id.encode();
        assert_eq!(text.len(), 43);
        assert!(
            text.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        );
    }

    #[test]
    fn non_canonical_encodings_are_rejected() {
        let id = SessionId::from_bytes([0xff; 32]);
        let text = id.encode();
        // The last character carries 4 bits and 2 zero bits: '8' is 111100; '9', '-' and '_'
        // spell the same 4 bits with non-zero trailing bits.
        assert!(text.ends_with('8'));
        for respelling in ['9', '-', '_'] {
            let bytes = format!("{}{respelling}", &text[..42]);
            assert_eq!(decode_id(bytes.as_bytes()), None, "{respelling}");
        }
        assert_eq!(decode_id(text.as_bytes()), Some(id));
        assert_eq!(SessionId::decode(&format!("{text}=")), None);
        assert_eq!(SessionId::decode(&text[..42]), None);
        assert_eq!(
            SessionId::decode(&format!("{}+", &text[..42])),
            None,
            "standard alphabet"
        );
    }

    #[test]
    fn debug_shows_a_label_not_the_id() {
        let id = SessionId::from_bytes([1; 32]);
        let debug = format!("{id:?}");
        assert!(debug.starts_with("SessionId("));
        assert!(!debug.contains(&id.encode()[..8]));
        assert_eq!(id.label().to_string().len(), 8);
    }
}
