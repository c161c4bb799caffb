//! The table's name and schema: checked once, then written into every statement.

use std::fmt;

/// The longest identifier PostgreSQL keeps whole (`NAMEDATALEN - 1` bytes).
const MAX_IDENTIFIER_LEN: usize = 63;

/// An identifier the store writes into SQL: a letter or `_`, then letters, digits and `_`, at
/// most 63 bytes, ASCII. Such a name needs no quoting and cannot be mistaken for SQL; it is
/// still written quoted, so a name like `user` or `order` is a name, never a keyword.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Identifier(String);

impl Identifier {
    /// `name`, if it is a plain identifier; otherwise what is wrong with it.
    pub(crate) fn parse(name: &str) -> Result<Self, &'static str> {
        let mut characters = name.chars();
        match characters.next() {
            None => return Err("it is empty"),
            Some(first) if !(first.is_ascii_alphabetic() || first == '_') => {
                return Err("it must start with an ASCII letter or `_`");
            }
            Some(_) => {}
        }
        if !characters.all(|character| character.is_ascii_alphanumeric() || character == '_') {
            return Err("it may hold only ASCII letters, digits and `_`");
        }
        if name.len() > MAX_IDENTIFIER_LEN {
            return Err("it is longer than PostgreSQL's 63 bytes");
        }
        Ok(Self(name.to_owned()))
    }

    /// The name as written.
    pub(crate) fn as_str(&self) -> &str {
        &self.0
    }
}

/// Quoted, as SQL writes an identifier.
impl fmt::Display for Identifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "\"{}\"", self.0)
    }
}

/// Where the sessions live: a table, in a schema or on the connection's `search_path`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct TableName {
    pub(crate) schema: Option<Identifier>,
    pub(crate) table: Identifier,
}

impl TableName {
    /// The name of the index on the rows' ends.
    pub(crate) fn expiry_index(&self) -> Identifier {
        self.index_named("_expires_at_idx")
    }

    /// The name of the table's index of sessions by user: the table's name (cut to fit) and
    /// `_user_id_idx`.
    pub(crate) fn user_index(&self) -> Identifier {
        self.index_named("_user_id_idx")
    }

    fn index_named(&self, suffix: &str) -> Identifier {
        let mut name = self.table.as_str().to_owned();
        // Cut at a character boundary: identifiers are ASCII.
        name.truncate(MAX_IDENTIFIER_LEN - suffix.len());
        name.push_str(suffix);
        Identifier(name)
    }
}

/// `"schema"."table"`, or `"table"`.
impl fmt::Display for TableName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(schema) = &self.schema {
            write!(f, "{schema}.")?;
        }
        write!(f, "{}", self.table)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_identifiers_are_accepted_and_quoted() {
        let table = Identifier::parse("fastsession_sessions").unwrap();
        assert_eq!(table.to_string(), "\"fastsession_sessions\"");
        let name = TableName {
            schema: Some(Identifier::parse("Auth_2").unwrap()),
            table,
        };
        assert_eq!(name.to_string(), "\"Auth_2\".\"fastsession_sessions\"");
        assert_eq!(
            name.expiry_index().as_str(),
            "fastsession_sessions_expires_at_idx"
        );
    }

    #[test]
    fn anything_else_is_refused_with_a_reason() {
        assert_eq!(Identifier::parse(""), Err("it is empty"));
        assert!(Identifier::parse("1abc").unwrap_err().contains("start"));
        for bad in ["a-b", "a b", "a\"b", "a;drop", "aä", "a.b"] {
            assert!(
                Identifier::parse(bad).unwrap_err().contains("only"),
                "{bad}"
            );
        }
        assert!(
            Identifier::parse(&"a".repeat(64))
                .unwrap_err()
                .contains("63")
        );
        assert!(Identifier::parse(&"a".repeat(63)).is_ok());
    }

    #[test]
    fn long_table_names_keep_their_index_name_within_the_limit() {
        let name = TableName {
            schema: None,
            table: Identifier::parse(&"t".repeat(63)).unwrap(),
        };
        assert_eq!(name.expiry_index().as_str().len(), 63);
    }
}
