//! [`SkipRule`]: the requests that get no session.

/// A rule that exempts a request from session handling (Python FastSession's `skip_session_header`).
///
/// A skipped request has no session: nothing is loaded, nothing is stored, no cookie is sent.
/// Header names match case-insensitively; values match byte for byte.
///
/// # Examples
///
/// ```
/// use fastsession_core::SkipRule;
///
/// let exact = SkipRule::header_equals("X-FastSession-Skip", "skip");
/// let any = SkipRule::header_present("X-Health-Check");
/// assert_eq!(SkipRule::parse("X-FastSession-Skip=skip"), exact);
/// assert_eq!(SkipRule::parse("X-Health-Check"), any);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SkipRule {
    name: String,
    value: Option<Vec<u8>>,
}

impl SkipRule {
    /// Skip when the header is present, whatever its value (Python FastSession's `*`).
    pub fn header_present(name: impl Into<String>) -> Self {
        Self {
            name: name.into().to_ascii_lowercase(),
            value: None,
        }
    }

    /// Skip when the header has exactly this value.
    pub fn header_equals(name: impl Into<String>, value: impl Into<Vec<u8>>) -> Self {
        Self {
            name: name.into().to_ascii_lowercase(),
            value: Some(value.into()),
        }
    }

    /// `NAME` (present) or `NAME=VALUE` (exact value), as the reference server's `--skip-header`
    /// flag takes them. An empty name is kept and rejected when the configuration is built.
    pub fn parse(rule: &str) -> Self {
        match rule.split_once('=') {
            Some((name, value)) => Self::header_equals(name, value),
            None => Self::header_present(rule),
        }
    }

    /// The header name, lowercased.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The exact value this rule wants, or `None` when any value matches.
    pub fn value(&self) -> Option<&[u8]> {
        self.value.as_deref()
    }

    /// Whether a request whose values for [`SkipRule::name`] are `values` is skipped.
    pub fn matches<'a>(&self, mut values: impl Iterator<Item = &'a [u8]>) -> bool {
        match &self.value {
            None => values.next().is_some(),
            Some(wanted) => values.any(|value| value == wanted.as_slice()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn skip_rules_match_exactly_or_on_presence() {
        let exact = SkipRule::header_equals("X-Skip", "skip");
        assert!(exact.matches([&b"skip"[..]].into_iter()));
        assert!(!exact.matches([&b"SKIP"[..], b" skip", b"other"].into_iter()));
        assert!(!exact.matches(std::iter::empty()));
        let present = SkipRule::header_present("X-Skip");
        assert!(present.matches([&b""[..]].into_iter()));
        assert!(!present.matches(std::iter::empty()));
        assert_eq!(exact.name(), "x-skip");
    }
}
