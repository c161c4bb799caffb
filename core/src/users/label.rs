//! How a user's sessions are named without revealing them: [`SessionRef`], what a store's user
//! index keeps, and [`SessionLabel`], what an account page shows.

use std::fmt;
use std::str::FromStr;

use sha2::{Digest as _, Sha256};

use crate::id::SessionId;

/// A session as a store's user index names it: the session's
/// [`store_digest`](SessionId::store_digest), which reveals no cookie. Stores return it from
/// [`SessionStore::user_sessions`](crate::store::SessionStore::user_sessions) and receive it in
/// [`SessionStore::end_user_session`](crate::store::SessionStore::end_user_session).
///
/// # Examples
///
/// ```
/// use fastsession_core::{id::SessionId, store::SessionRef};
///
/// let id = SessionId::from_bytes([7; 32]);
/// let session = SessionRef::of(&id);
/// assert_eq!(session.as_bytes(), &id.store_digest());
/// assert_eq!(SessionRef::from_bytes(id.store_digest()), session);
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SessionRef([u8; 16]);

impl SessionRef {
    /// The reference of the session `id`.
    pub fn of(id: &SessionId) -> Self {
        Self(id.store_digest())
    }

    /// A reference from the digest a store kept.
    pub const fn from_bytes(digest: [u8; 16]) -> Self {
        Self(digest)
    }

    /// The digest.
    pub const fn as_bytes(&self) -> &[u8; 16] {
        &self.0
    }

    /// The label an account page shows for this session.
    pub fn label(&self) -> SessionLabel {
        let digest = Sha256::new()
            .chain_update(b"fastsession/user-label\0")
            .chain_update(self.0)
            .finalize();
        let mut label = [0u8; 8];
        label.copy_from_slice(&digest[..8]);
        SessionLabel(label)
    }
}

/// The label only: the digest keys the store's records.
impl fmt::Debug for SessionRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SessionRef({})", self.label())
    }
}

/// The name of one of a user's sessions on an account page ("your devices"): 16 hexadecimal
/// digits, one-way from the session's ID. It reveals nothing that would let anyone use the
/// session, so it can be shown, logged and sent back to end that session.
///
/// # Examples
///
/// ```
/// use fastsession_core::SessionLabel;
///
/// let label: SessionLabel = "0123456789abcdef".parse().unwrap();
/// assert_eq!(label.to_string(), "0123456789abcdef");
/// assert!("0123".parse::<SessionLabel>().is_err());
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SessionLabel([u8; 8]);

impl fmt::Display for SessionLabel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&hex::encode(self.0))
    }
}

impl fmt::Debug for SessionLabel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SessionLabel({self})")
    }
}

/// Text that is not a session label: anything but 16 hexadecimal digits.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("a session label is 16 lowercase hexadecimal digits")]
#[non_exhaustive]
pub struct LabelError;

impl FromStr for SessionLabel {
    type Err = LabelError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let lowercase = text
            .bytes()
            .all(|byte| byte.is_ascii_digit() || (b'a'..=b'f').contains(&byte));
        let mut label = [0u8; 8];
        match hex::decode_to_slice(text, &mut label) {
            Ok(()) if lowercase => Ok(Self(label)),
            _ => Err(LabelError),
        }
    }
}

impl serde::Serialize for SessionLabel {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_label_is_sixteen_hex_digits_that_parse_back() {
        let label = SessionRef::of(&SessionId::from_bytes([3; 32])).label();
        let text = label.to_string();
        assert_eq!(text.len(), 16);
        assert_eq!(text.parse::<SessionLabel>(), Ok(label));
    }

    #[test]
    fn labels_differ_from_the_digest_and_between_sessions() {
        let first = SessionRef::of(&SessionId::from_bytes([3; 32]));
        let second = SessionRef::of(&SessionId::from_bytes([4; 32]));
        assert_ne!(first.label(), second.label());
        assert_ne!(
            first.label().to_string(),
            hex::encode(&first.as_bytes()[..8])
        );
    }

    #[test]
    fn only_canonical_labels_parse() {
        for text in [
            "",
            "0123456789abcde",
            "0123456789abcdef0",
            "0123456789ABCDEF",
            "0123456789abcdeg",
        ] {
            assert_eq!(text.parse::<SessionLabel>(), Err(LabelError), "{text:?}");
        }
    }
}
