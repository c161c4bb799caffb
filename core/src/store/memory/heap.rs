//! What session data costs on the heap: the estimate behind the memory store's byte
//! accounting.
//!
//! The estimate counts the bytes of the heap blocks a [`SessionData`] owns, as an allocator is
//! asked for them (the allocator's own rounding and headers are not counted):
//!
//! - the entries: one reference-counted slice of [`Entry`] pairs (`(Box<str>, Value)`), the two
//!   counts included, and each key's bytes;
//! - each value: a string's capacity; an array's capacity times `size_of::<Value>()`, plus its
//!   items; an object's map nodes, plus its keys' capacity and its values.
//!
//! The estimate assumes serde_json's default `Map`, std's `BTreeMap<String, Value>`. (With
//! serde_json's `preserve_order` feature, which nothing in this workspace turns on, maps are
//! `IndexMap`s, a table and a vector of entries; they are still counted as B-trees, so the
//! estimate is then rougher.) A B-tree node holds up to 11 entries (`B = 6`,
//! `CAPACITY = 2 * B - 1`): a leaf is a parent pointer, its index in the parent and its length
//! (two `u16`), then 11 keys and 11 values; an internal node adds 12 child pointers. So even a
//! one-key object costs a whole leaf, about 630 bytes on 64-bit targets, where its JSON may be
//! 10 bytes: the reason the store no longer counts JSON length.
//!
//! Numbers are counted as inline (serde_json's `arbitrary_precision` feature, which puts them in
//! a `String`, is not accounted). The walk recurses, as serde_json's own serializer and `Drop`
//! do.

use std::mem::{align_of, size_of};

use serde_json::Value;

use crate::data::{Entry, SessionData};

/// Entries in a full B-tree node of std's `BTreeMap` (`2 * B - 1`, with `B = 6`).
const BTREE_CAPACITY: usize = 11;

/// Child pointers in an internal B-tree node (`2 * B`).
const BTREE_EDGES: usize = 12;

/// Entries per node counted once a map needs more than one node: nodes are split in two when
/// full, so each holds between 5 and 11 entries, about 8 on average.
const BTREE_FILL: usize = 8;

/// The heap bytes `data` owns; 0 for no data, which allocates nothing.
pub(super) fn data_bytes(data: &SessionData) -> usize {
    if data.is_empty() {
        return 0;
    }
    // `Arc<[Entry]>`: the strong and weak counts, then the entries.
    let slice = 2 * size_of::<usize>() + data.len() * size_of::<Entry>();
    slice
        + data
            .iter()
            .map(|(key, value)| key.len() + value_bytes(value))
            .sum::<usize>()
}

/// The heap bytes `value` owns.
pub(super) fn value_bytes(value: &Value) -> usize {
    match value {
        Value::Null | Value::Bool(_) | Value::Number(_) => 0,
        Value::String(text) => text.capacity(),
        Value::Array(items) => {
            items.capacity() * size_of::<Value>() + items.iter().map(value_bytes).sum::<usize>()
        }
        Value::Object(map) => {
            btree_bytes(map.len())
                + map
                    .iter()
                    .map(|(key, value)| key.capacity() + value_bytes(value))
                    .sum::<usize>()
        }
    }
}

fn btree_leaf_bytes() -> usize {
    let header = size_of::<usize>() + 2 * size_of::<u16>();
    let entries = BTREE_CAPACITY * (size_of::<String>() + size_of::<Value>());
    (header + entries).next_multiple_of(align_of::<Value>().max(align_of::<usize>()))
}

fn btree_internal_bytes() -> usize {
    btree_leaf_bytes() + BTREE_EDGES * size_of::<usize>()
}

/// The node bytes of a `BTreeMap<String, Value>` of `len` entries: none when empty, one leaf up
/// to 11 entries, then a leaf per 8 entries and an internal node per 9 nodes below it (8
/// entries and 9 child pointers).
fn btree_bytes(len: usize) -> usize {
    match len {
        0 => 0,
        1..=BTREE_CAPACITY => btree_leaf_bytes(),
        _ => {
            let leaves = len.div_ceil(BTREE_FILL);
            let mut internal = 0;
            let mut level = leaves;
            while level > 1 {
                level = level.div_ceil(BTREE_FILL + 1);
                internal += level;
            }
            leaves * btree_leaf_bytes() + internal * btree_internal_bytes()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn scalars_own_nothing_and_strings_own_their_capacity() {
        assert_eq!(value_bytes(&json!(null)), 0);
        assert_eq!(value_bytes(&json!(12.5)), 0);
        assert_eq!(value_bytes(&Value::String(String::with_capacity(40))), 40);
    }

    #[test]
    fn arrays_own_their_capacity_of_values_and_their_items() {
        let mut items = Vec::with_capacity(4);
        items.push(json!("abc"));
        assert_eq!(
            value_bytes(&Value::Array(items)),
            4 * size_of::<Value>() + 3
        );
    }

    #[test]
    fn a_one_key_object_costs_a_whole_leaf() {
        let leaf = btree_leaf_bytes();
        if cfg!(target_pointer_width = "64") {
            // 8 + 2 + 2 + 11 * 24 + 11 * 32, aligned to 8.
            assert_eq!(leaf, 632);
        }
        assert_eq!(value_bytes(&json!({"a": 1})), leaf + 1);
        assert_eq!(btree_bytes(11), leaf);
        assert!(btree_bytes(12) > 2 * leaf);
    }

    #[test]
    fn big_maps_count_leaves_and_internal_nodes() {
        let leaf = btree_leaf_bytes();
        let internal = btree_internal_bytes();
        assert_eq!(btree_bytes(64), 8 * leaf + internal);
        assert_eq!(btree_bytes(72), 9 * leaf + internal);
        assert_eq!(btree_bytes(73), 10 * leaf + 3 * internal);
    }

    #[test]
    fn data_counts_its_slice_and_keys() {
        assert_eq!(data_bytes(&SessionData::new()), 0);
        let data: SessionData = [("user".to_owned(), json!(1))].into_iter().collect();
        assert_eq!(
            data_bytes(&data),
            2 * size_of::<usize>() + size_of::<Entry>() + 4
        );
    }
}
