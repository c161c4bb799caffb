//! PostgreSQL URLs: the schemes the store accepts, and how their secrets are hidden in messages.

/// The schemes a [`PostgresStore`](crate::PostgresStore) accepts.
pub(crate) const SCHEMES: [&str; 2] = ["postgres://", "postgresql://"];

/// What replaces a hidden part.
const MASK: &str = "***";

/// Whether `url` starts with one of [`SCHEMES`], in any case.
pub(crate) fn has_scheme(url: &str) -> bool {
    SCHEMES.iter().any(|scheme| {
        url.get(..scheme.len())
            .is_some_and(|start| start.eq_ignore_ascii_case(scheme))
    })
}

/// `url` with its secrets replaced by `***`: everything between `://` and the last `@` (the user
/// name and password; a password may hold an unencoded `@`, and a host never does), and from
/// the value of a `password=` query parameter to the end (an unencoded `&` may be part of it).
/// Hiding too much only makes a message less useful; hiding too little would leak a password.
pub(crate) fn redact(url: &str) -> String {
    let head = url.find("://").map_or(0, |at| at + 3);
    let lowered = url.to_ascii_lowercase();
    let secret_from = ["?password=", "&password="]
        .iter()
        .filter_map(|name| lowered[head..].find(name).map(|at| head + at + name.len()))
        .min();
    let searched_to = secret_from.unwrap_or(url.len());
    let userinfo_end = url[head..searched_to].rfind('@').map(|at| head + at);
    let mut redacted = String::with_capacity(url.len());
    match userinfo_end {
        Some(at) => {
            redacted.push_str(&url[..head]);
            redacted.push_str(MASK);
            redacted.push_str(&url[at..searched_to]);
        }
        None => redacted.push_str(&url[..searched_to]),
    }
    if secret_from.is_some() {
        redacted.push_str(MASK);
    }
    redacted
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_never_show() {
        for (url, shown) in [
            (
                "postgres://app:s3cret@db:5432/app",
                "postgres://***@db:5432/app",
            ),
            ("postgres://app:p@ss@db/app", "postgres://***@db/app"),
            ("postgres://app@db/app", "postgres://***@db/app"),
            (
                "postgres://db/app?password=s3cret&x=1",
                "postgres://db/app?password=***",
            ),
            (
                "postgresql://u:a@b@h/d?sslmode=disable&PASSWORD=x@y&z",
                "postgresql://***@h/d?sslmode=disable&PASSWORD=***",
            ),
            ("postgres://db/app", "postgres://db/app"),
            ("not a url", "not a url"),
        ] {
            assert_eq!(redact(url), shown, "{url}");
        }
    }

    #[test]
    fn schemes_are_read_in_any_case() {
        assert!(has_scheme("postgres://h/d"));
        assert!(has_scheme("PostgreSQL://h/d"));
        assert!(!has_scheme("redis://h"));
        assert!(!has_scheme("host=h dbname=d"));
        assert!(!has_scheme("pg"));
    }
}
