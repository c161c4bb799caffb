//! Redis keys and hash fields.

use fastsession_core::id::SessionId;
use fastsession_core::store::{SessionRef, user_digest};

/// The hash field of a session key.
pub(crate) const DATA_PREFIX: &str = "d:";
/// Creation time, Unix milliseconds.
pub(crate) const CREATED: &str = "m:c";
/// Last refresh, Unix milliseconds.
pub(crate) const REFRESHED: &str = "m:r";
/// End of the session, Unix milliseconds.
pub(crate) const EXPIRES: &str = "m:e";
/// The successor's key, once the session is retired.
pub(crate) const SUCCESSOR: &str = "m:s";
/// The user the session belongs to.
pub(crate) const USER: &str = "m:u";

/// `prefix{32 hex digits}`: the hex digits are the ID's
/// [`store_digest`](SessionId::store_digest), 128 bits of SHA-256 over a domain tag and the ID.
pub(crate) fn session_key(prefix: &str, id: &SessionId) -> String {
    digest_key(prefix, "", &id.store_digest())
}

/// The key of the session whose digest a user index lists.
pub(crate) fn listed_session_key(prefix: &str, session: &SessionRef) -> String {
    digest_key(prefix, "", session.as_bytes())
}

/// `prefixu{32 hex digits}`: a user's index, named by [`user_digest`]; the `u` before the
/// brace tells it from a session's key.
pub(crate) fn user_index_key(prefix: &str, user: &str) -> String {
    digest_key(prefix, "u", &user_digest(user))
}

/// Whether `key`, under `prefix`, is a session's (not a user index's).
pub(crate) fn is_session_key(prefix: &str, key: &str) -> bool {
    key.strip_prefix(prefix)
        .is_some_and(|rest| rest.starts_with('{'))
}

/// `prefix`, `kind`, then the digest's 32 hex digits in braces (a Redis Cluster hash tag).
fn digest_key(prefix: &str, kind: &str, digest: &[u8; 16]) -> String {
    let mut key = String::with_capacity(prefix.len() + kind.len() + 34);
    key.push_str(prefix);
    key.push_str(kind);
    key.push('{');
    key.push_str(&hex_digits(digest));
    key.push('}');
    key
}

/// The digest's 32 lowercase hex digits.
pub(crate) fn hex_digits(digest: &[u8; 16]) -> String {
    let mut text = String::with_capacity(32);
    for byte in digest {
        text.push(char::from(HEX[usize::from(byte >> 4)]));
        text.push(char::from(HEX[usize::from(byte & 0xf)]));
    }
    text
}

const HEX: &[u8; 16] = b"0123456789abcdef";

/// The `SCAN MATCH` pattern of every key under `prefix`: the prefix with Redis's glob characters
/// (`*`, `?`, `[`, `]`, `\`) escaped by a backslash, then `*`. Unescaped, a prefix `app*` would
/// also match the keys of an application under `app-other:`.
pub(crate) fn scan_pattern(prefix: &str) -> String {
    let mut pattern = String::with_capacity(prefix.len() + 8);
    for character in prefix.chars() {
        if matches!(character, '*' | '?' | '[' | ']' | '\\') {
            pattern.push('\\');
        }
        pattern.push(character);
    }
    pattern.push('*');
    pattern
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_hide_the_id_and_carry_a_hash_tag() {
        let id = SessionId::from_bytes([7; 32]);
        let key = session_key("app:", &id);
        assert!(key.starts_with("app:{") && key.ends_with('}'));
        assert_eq!(key.len(), "app:".len() + 34);
        assert!(!key.contains(&id.encode()[..8]));
        assert_ne!(key, session_key("app:", &SessionId::from_bytes([8; 32])));
    }

    #[test]
    fn user_indexes_have_keys_of_their_own() {
        let index = user_index_key("app:", "ada");
        assert!(index.starts_with("app:u{") && index.ends_with('}'));
        assert!(!index.contains("ada"));
        assert!(!is_session_key("app:", &index));
        let session = session_key("app:", &SessionId::from_bytes([7; 32]));
        assert!(is_session_key("app:", &session));
        let listed = SessionRef::of(&SessionId::from_bytes([7; 32]));
        assert_eq!(listed_session_key("app:", &listed), session);
    }

    #[test]
    fn scan_patterns_escape_glob_characters() {
        assert_eq!(scan_pattern("app:"), "app:*");
        assert_eq!(scan_pattern("app*"), "app\\**");
        assert_eq!(scan_pattern("a?b[c]d\\e"), "a\\?b\\[c\\]d\\\\e*");
        assert_eq!(scan_pattern("é^-!:"), "é^-!:*");
    }
}
