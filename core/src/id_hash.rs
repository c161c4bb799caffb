//! A hasher for maps keyed by session ID (the lock table, the memory store).

use std::hash::{BuildHasherDefault, Hasher};

/// A hasher for maps keyed by [`SessionId`]: IDs are uniformly random and only ever chosen by
/// the server, so their first eight bytes are already a good hash and need no further mixing.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct IdHasher(u64);

impl Hasher for IdHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8).take(1) {
            let mut word = [0u8; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            self.0 ^= u64::from_le_bytes(word);
        }
    }
}

/// Builds [`IdHasher`]s.
pub(crate) type IdHashBuilder = BuildHasherDefault<IdHasher>;
