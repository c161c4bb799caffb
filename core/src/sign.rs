//! The cookie value: `base64url(id) "." base64url(HMAC-SHA256(key, context || id))`.
//!
//! The MAC input binds a format tag and the cookie name, so a value minted for one cookie name
//! (or by another format version) never verifies under another. Each key's HMAC state is
//! computed once, after absorbing that context; signing or verifying clones the state, adds the
//! 32 ID bytes and finalizes.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, KeyInit as _, Mac as _};
use sha2::Sha256;

use crate::id::{ENCODED_ID_LEN, ID_LEN, SessionId, decode_id};
use crate::key::KeyRing;

/// The length of a cookie value: 43 + 1 + 43.
pub(crate) const VALUE_LEN: usize = ENCODED_ID_LEN * 2 + 1;

const CONTEXT_TAG: &[u8] = b"fastsession/v1\0";

type HmacSha256 = Hmac<Sha256>;

/// What verification made of one cookie value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Verdict {
    /// Signed by the key at this index of the ring.
    Valid { id: SessionId, key_index: usize },
    /// Well-formed, but no key's MAC matches.
    BadMac,
    /// Not a value this library could have issued.
    Malformed,
}

/// Whether `value` has the shape of a value we issue: exactly [`VALUE_LEN`] bytes, base64url
/// characters around a dot at the issued position. Cheap and allocation-free; says nothing of
/// the MAC. Only such values take one of the request's few candidate slots, so junk cookies
/// planted under our name (from a sibling subdomain, say) cannot push the real one out.
pub(crate) fn is_well_formed(value: &[u8]) -> bool {
    value.len() == VALUE_LEN
        && value[ENCODED_ID_LEN] == b'.'
        && all_base64url(&value[..ENCODED_ID_LEN])
        && all_base64url(&value[ENCODED_ID_LEN + 1..])
}

/// Whether every byte is a base64url character (`A-Z a-z 0-9 - _`). No early exit and no
/// branch per byte, so the compiler turns the loop into vector compares: this runs for every
/// cookie with our name.
fn all_base64url(bytes: &[u8]) -> bool {
    bytes.iter().fold(true, |all, &byte| {
        let digit = byte.wrapping_sub(b'0') < 10;
        // `| 0x20` lowercases ASCII letters and maps no other byte into `a..=z`.
        let letter = (byte | 0x20).wrapping_sub(b'a') < 26;
        all & (digit | letter | (byte == b'-') | (byte == b'_'))
    })
}

/// The key ring, prepared for one cookie name.
#[derive(Clone)]
pub(crate) struct Signer {
    states: Vec<HmacSha256>,
}

impl std::fmt::Debug for Signer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Signer({} keys)", self.states.len())
    }
}

impl Signer {
    pub(crate) fn new(keys: &KeyRing, cookie_name: &str) -> Self {
        let states = keys
            .keys()
            .iter()
            .map(|key| {
                // Any key length is valid for HMAC, so this cannot fail; keep the error path
                // anyway rather than unwrap.
                let mut state = HmacSha256::new_from_slice(key.as_bytes())
                    .unwrap_or_else(|_| HmacSha256::new(&Default::default()));
                state.update(CONTEXT_TAG);
                state.update(cookie_name.as_bytes());
                state.update(b"\0");
                state
            })
            .collect();
        Self { states }
    }

    /// The cookie value for `id`, signed by the first key.
    #[cfg(test)]
    pub(crate) fn sign(&self, id: &SessionId) -> String {
        let mut buffer = [0u8; VALUE_LEN];
        self.sign_into(id, &mut buffer);
        // The buffer holds base64url characters and a dot only.
        String::from_utf8_lossy(&buffer).into_owned()
    }

    pub(crate) fn sign_into(&self, id: &SessionId, out: &mut [u8; VALUE_LEN]) {
        let mut mac = self.states[0].clone();
        mac.update(id.as_bytes());
        let tag = mac.finalize().into_bytes();
        // Both encodings write exactly 43 bytes into 43-byte slices, so they cannot fail.
        let _ = URL_SAFE_NO_PAD.encode_slice(id.as_bytes(), &mut out[..ENCODED_ID_LEN]);
        out[ENCODED_ID_LEN] = b'.';
        let _ = URL_SAFE_NO_PAD.encode_slice(tag, &mut out[ENCODED_ID_LEN + 1..]);
    }

    /// Verifies one candidate value in constant time per key.
    pub(crate) fn verify(&self, value: &[u8]) -> Verdict {
        if value.len() != VALUE_LEN || value[ENCODED_ID_LEN] != b'.' {
            return Verdict::Malformed;
        }
        let Some(id) = decode_id(&value[..ENCODED_ID_LEN]) else {
            return Verdict::Malformed;
        };
        let mut tag = [0u8; ID_LEN];
        match URL_SAFE_NO_PAD.decode_slice(&value[ENCODED_ID_LEN + 1..], &mut tag) {
            Ok(ID_LEN) => {}
            _ => return Verdict::Malformed,
        }
        for (key_index, state) in self.states.iter().enumerate() {
            let mut mac = state.clone();
            mac.update(id.as_bytes());
            if mac.verify_slice(&tag).is_ok() {
                return Verdict::Valid { id, key_index };
            }
        }
        Verdict::BadMac
    }
}

/// HMAC-SHA256 of `message` under `key`, through the same primitive the signer uses. Exposed to
/// the tests so the RFC 4231 vectors exercise this code path.
#[cfg(test)]
pub(crate) fn hmac_sha256(key: &[u8], message: &[u8]) -> [u8; 32] {
    let mut mac = HmacSha256::new_from_slice(key).unwrap();
    mac.update(message);
    mac.finalize().into_bytes().into()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::key::Key;

    fn ring(seed: u8) -> KeyRing {
        KeyRing::from(Key::try_from(&[seed; 32][..]).unwrap())
    }

    #[test]
    fn sign_then_verify_round_trips() {
        let signer = Signer::new(&ring(1), "sid");
        let id = SessionId::from_bytes([9; 32]);
        let value = signer.sign(&id);
        assert_eq!(value.len(), VALUE_LEN);
        assert_eq!(
            signer.verify(value.as_bytes()),
            Verdict::Valid { id, key_index: 0 }
        );
    }

    #[test]
    fn the_cookie_name_is_bound_into_the_mac() {
        let id = SessionId::from_bytes([9; 32]);
        let value = Signer::new(&ring(1), "other").sign(&id);
        assert_eq!(
            Signer::new(&ring(1), "sid").verify(value.as_bytes()),
            Verdict::BadMac
        );
    }

    #[test]
    fn older_keys_verify_with_their_index() {
        let id = SessionId::from_bytes([3; 32]);
        let old = Signer::new(&ring(2), "sid").sign(&id);
        let both = KeyRing::new([ring(1).keys()[0].clone(), ring(2).keys()[0].clone()]).unwrap();
        assert_eq!(
            Signer::new(&both, "sid").verify(old.as_bytes()),
            Verdict::Valid { id, key_index: 1 }
        );
    }

    #[test]
    fn well_formed_means_base64url_around_a_dot() {
        let alphabet: Vec<u8> = (b'A'..=b'Z')
            .chain(b'a'..=b'z')
            .chain(b'0'..=b'9')
            .chain([b'-', b'_'])
            .collect();
        for byte in 0..=u8::MAX {
            assert_eq!(
                all_base64url(&[byte]),
                alphabet.contains(&byte),
                "byte {byte}"
            );
        }
        let value = Signer::new(&ring(1), "sid").sign(&SessionId::from_bytes([7; 32]));
        assert!(is_well_formed(value.as_bytes()));
        for position in [0, ENCODED_ID_LEN, VALUE_LEN - 1] {
            let mut bad = value.clone().into_bytes();
            bad[position] = b'+';
            assert!(!is_well_formed(&bad), "a '+' at {position}");
        }
        assert!(!is_well_formed(&value.as_bytes()[1..]));
    }

    #[test]
    fn malformed_values_are_told_apart_from_bad_macs() {
        let signer = Signer::new(&ring(1), "sid");
        for value in [&b""[..], b".", b"abc", b"a.b", b"\"x\"", &[0xff; VALUE_LEN]] {
            assert_eq!(signer.verify(value), Verdict::Malformed);
        }
        let mut value = signer.sign(&SessionId::from_bytes([5; 32])).into_bytes();
        value[60] = if value[60] == b'A' { b'B' } else { b'A' };
        assert_eq!(signer.verify(&value), Verdict::BadMac);
    }

    /// RFC 4231 test cases 1, 2, 3, 4, 6 and 7 (case 5 is a truncated tag; a full-length
    /// comparison must reject the truncated value).
    #[test]
    fn rfc_4231_vectors() {
        let hex = |s: &str| -> Vec<u8> {
            (0..s.len())
                .step_by(2)
                .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
                .collect()
        };
        let cases: [(Vec<u8>, Vec<u8>, &str); 6] = [
            (vec![0x0b; 20], b"Hi There".to_vec(),
             "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"),
            (b"Jefe".to_vec(), b"what do ya want for nothing?".to_vec(),
             "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"),
            (vec![0xaa; 20], vec![0xdd; 50],
             "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe"),
            (hex("0102030405060708090a0b0c0d0e0f10111213141516171819"), vec![0xcd; 50],
             "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b"),
            (vec![0xaa; 131], b"Test Using Larger Than Block-Size Key - Hash Key First".to_vec(),
             "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"),
            (vec![0xaa; 131],
             b"This is a test using a larger than block-size key and a larger than block-size data. The key needs to be hashed before being used by the HMAC algorithm.".to_vec(),
             "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2"),
        ];
        for (key, message, expected) in cases {
            assert_eq!(hmac_sha256(&key, &message).to_vec(), hex(expected));
        }
        // Case 5: a 128-bit truncated tag is not a valid full tag.
        let full = hmac_sha256(&[0x0c; 20], b"Test With Truncation");
        assert_eq!(full[..16].to_vec(), hex("a3b6167473100ee06e0c796c2955552b"));
        let mut mac = HmacSha256::new_from_slice(&[0x0c; 20]).unwrap();
        mac.update(b"Test With Truncation");
        assert!(mac.verify_slice(&full[..16]).is_err());
    }
}
