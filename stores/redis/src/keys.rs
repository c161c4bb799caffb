//! Redis keys and hash fields.

use fastsession_core::id::SessionId;

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

/// `prefix{32 hex digits}`: the hex digits are the ID's
/// [`store_digest`](SessionId::store_digest), 128 bits of SHA-256 over a domain tag and the ID.
pub(crate) fn session_key(prefix: &str, id: &SessionId) -> String {
    let mut key = String::with_capacity(prefix.len() + 34);
    key.push_str(prefix);
    key.push('{');
    for byte in id.store_digest() {
        key.push(char::from(HEX[usize::from(byte >> 4)]));
        key.push(char::from(HEX[usize::from(byte & 0xf)]));
    }
    key.push('}');
    key
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
    fn scan_patterns_escape_glob_characters() {
        assert_eq!(scan_pattern("app:"), "app:*");
        assert_eq!(scan_pattern("app*"), "app\\**");
        assert_eq!(scan_pattern("a?b[c]d\\e"), "a\\?b\\[c\\]d\\\\e*");
        assert_eq!(scan_pattern("é^-!:"), "é^-!:*");
    }
}
