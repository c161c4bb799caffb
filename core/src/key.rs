//! Signing keys and the key ring that rotates them.

use std::fmt;

use rand::TryRng as _;

/// The shortest key accepted, in bytes.
pub const MIN_KEY_LEN: usize = 32;

/// The most keys a ring may hold. Verification tries each key, so the bound caps the HMAC work a
/// forged cookie can cause.
pub const MAX_KEYS: usize = 4;

/// A secret HMAC-SHA256 key of at least 32 bytes.
///
/// `Debug` never prints the key material.
///
/// # Examples
///
/// ```
/// use fastsession_core::Key;
///
/// let key = Key::try_from(&[42u8; 32][..]).unwrap();
/// assert_eq!(format!("{key:?}"), "Key(32 bytes)");
///
/// let err = Key::try_from(&b"too short"[..]).unwrap_err();
/// assert!(err.to_string().contains("9 bytes"));
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct Key(Box<[u8]>);

impl Key {
    /// A new random key of 64 bytes from the operating system's CSPRNG.
    ///
    /// Keys generated at start-up do not survive a restart: every session cookie becomes invalid.
    /// Production services load a stable key instead (for example 64 random bytes, hex-encoded,
    /// from a secret store: `openssl rand -hex 64`).
    ///
    /// # Errors
    ///
    /// [`KeyError::Random`] when the random source fails.
    #[allow(
        clippy::disallowed_types,
        reason = "generating a key is the one other use of the OS random source"
    )]
    pub fn generate() -> Result<Self, KeyError> {
        let mut bytes = vec![0u8; 64];
        rand::rngs::SysRng
            .try_fill_bytes(&mut bytes)
            .map_err(|_| KeyError::Random)?;
        Ok(Self(bytes.into_boxed_slice()))
    }

    /// The key material.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }
}

impl TryFrom<&[u8]> for Key {
    type Error = KeyError;

    fn try_from(bytes: &[u8]) -> Result<Self, Self::Error> {
        if bytes.is_empty() {
            return Err(KeyError::Empty);
        }
        if bytes.len() < MIN_KEY_LEN {
            return Err(KeyError::TooShort { len: bytes.len() });
        }
        Ok(Self(bytes.into()))
    }
}

impl TryFrom<Vec<u8>> for Key {
    type Error = KeyError;

    fn try_from(bytes: Vec<u8>) -> Result<Self, Self::Error> {
        Self::try_from(bytes.as_slice())
    }
}

impl fmt::Debug for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Key({} bytes)", self.0.len())
    }
}

/// The keys a service signs and verifies with: the first key signs, every key verifies.
///
/// To rotate, put the new key first and keep the old one after it for as long as old cookies
/// may still arrive. A cookie verified by an older key is re-issued under the first key the next
/// time its session is used.
///
/// # Examples
///
/// ```
/// use fastsession_core::{Key, KeyRing};
///
/// let new = Key::try_from(&[1u8; 32][..]).unwrap();
/// let old = Key::try_from(&[2u8; 32][..]).unwrap();
/// let ring = KeyRing::new([new, old]).unwrap();
/// assert_eq!(ring.len(), 2);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyRing {
    keys: Vec<Key>,
}

impl KeyRing {
    /// A ring of one to [`MAX_KEYS`] keys; the first one signs.
    ///
    /// # Errors
    ///
    /// [`KeyError::NoKeys`] for an empty list, [`KeyError::TooManyKeys`] past [`MAX_KEYS`].
    pub fn new(keys: impl IntoIterator<Item = Key>) -> Result<Self, KeyError> {
        let keys: Vec<Key> = keys.into_iter().collect();
        if keys.is_empty() {
            return Err(KeyError::NoKeys);
        }
        if keys.len() > MAX_KEYS {
            return Err(KeyError::TooManyKeys { count: keys.len() });
        }
        Ok(Self { keys })
    }

    /// The key that signs new cookies.
    pub fn signing_key(&self) -> &Key {
        &self.keys[0]
    }

    /// Every key, signing key first.
    pub fn keys(&self) -> &[Key] {
        &self.keys
    }

    /// How many keys the ring holds (at least one).
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    /// Always false: a ring holds at least one key.
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }
}

impl From<Key> for KeyRing {
    fn from(key: Key) -> Self {
        Self { keys: vec![key] }
    }
}

/// A key or key ring could not be built.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum KeyError {
    /// The key was empty.
    #[error(
        "the secret key is empty: use at least {MIN_KEY_LEN} random bytes (for example 64 bytes from `openssl rand -hex 64`)"
    )]
    Empty,
    /// The key was shorter than [`MIN_KEY_LEN`].
    #[error(
        "the secret key is {len} bytes long: use at least {MIN_KEY_LEN} random bytes (for example 64 bytes from `openssl rand -hex 64`)"
    )]
    TooShort {
        /// The length given.
        len: usize,
    },
    /// The key ring was empty.
    #[error("the key ring is empty: give at least one key")]
    NoKeys,
    /// The key ring held more than [`MAX_KEYS`] keys.
    #[error("the key ring holds {count} keys: at most {MAX_KEYS} are allowed")]
    TooManyKeys {
        /// The number of keys given.
        count: usize,
    },
    /// The operating system's random source failed.
    #[error("no key could be generated: the random source failed")]
    Random,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_and_empty_keys_are_rejected_with_their_length() {
        assert!(matches!(Key::try_from(&[][..]), Err(KeyError::Empty)));
        let err = Key::try_from(&[0u8; 31][..]).unwrap_err();
        assert!(matches!(err, KeyError::TooShort { len: 31 }));
        assert!(err.to_string().contains("31 bytes"));
        assert!(err.to_string().contains("at least 32"));
    }

    #[test]
    fn ring_size_is_bounded() {
        let key = Key::try_from(&[0u8; 32][..]).unwrap();
        assert!(matches!(KeyRing::new([]), Err(KeyError::NoKeys)));
        let five = std::iter::repeat_n(key.clone(), 5);
        assert!(matches!(
            KeyRing::new(five),
            Err(KeyError::TooManyKeys { count: 5 })
        ));
        assert_eq!(KeyRing::new([key.clone(), key]).unwrap().len(), 2);
    }

    #[test]
    fn generated_keys_are_random() {
        assert_ne!(Key::generate().unwrap(), Key::generate().unwrap());
    }
}
