//! The scenarios, one `pub async fn name(target)` each, and the one list that names them.
//!
//! The list lives in [`with_scenarios!`](crate::with_scenarios): [`SCENARIOS`] and
//! [`conformance_suite!`](crate::conformance_suite) are both generated from it, so a scenario
//! added there runs on every framework and store.

use serde_json::Value;

use crate::client::{Client, Reply, attribute, cookie_value, describe};

/// `value` with the ASCII character at `at` changed (`A` to `B`, anything else to `A`).
pub(crate) fn flip(value: &str, at: usize) -> String {
    let mut bytes = value.as_bytes().to_vec();
    bytes[at] = if bytes[at] == b'A' { b'B' } else { b'A' };
    String::from_utf8(bytes).unwrap_or_default()
}

pub mod abuse;
pub mod api;
pub mod bad_cookies;
pub mod continuation;
pub mod creation;
pub mod expiry;
pub mod faults;
pub mod header;
pub mod hygiene;
pub mod logout;
pub mod races;
pub mod security;
pub mod skip;
pub mod users;

/// The session cookie name of the default configuration.
pub const SID: &str = "sid";

/// Calls `$callback!` with every scenario as `module::name`.
#[macro_export]
macro_rules! with_scenarios {
    ($($callback:ident)::+ ! { $($prefix:tt)* }) => {
        $($callback)::+! { $($prefix)*
            creation::lazy_visits_create_nothing,
            creation::eager_visit_creates_a_session,
            creation::ids_are_distinct_random_and_never_shown,
            creation::cookie_value_is_opaque_url_safe_and_signed,
            creation::cookie_attributes_follow_the_configuration,
            creation::same_site_values_and_default,
            creation::path_is_root_by_default,
            creation::configured_path_scopes_the_cookie,
            continuation::counter_continues_and_clients_are_isolated,
            continuation::concurrent_counters_lose_no_update,
            continuation::concurrent_read_yield_write_loses_no_update,
            continuation::concurrent_writers_of_different_keys_lose_nothing,
            bad_cookies::tampered_signature_starts_a_new_session,
            bad_cookies::malformed_cookies_never_fail,
            bad_cookies::cookie_from_another_secret_is_rejected,
            bad_cookies::non_canonical_encodings_are_rejected,
            bad_cookies::valid_signature_unknown_id_is_not_adopted,
            bad_cookies::duplicate_cookies_are_resolved_deterministically,
            bad_cookies::cookie_for_another_name_is_rejected,
            bad_cookies::names_are_matched_byte_exactly,
            bad_cookies::every_cookie_header_is_read,
            bad_cookies::malformed_cookie_headers_never_fail,
            expiry::max_age_expires_on_the_server,
            expiry::max_age_is_absolute_without_rolling,
            expiry::rolling_expiry_keeps_active_sessions,
            expiry::server_side_expiry_is_authoritative,
            expiry::active_sessions_are_not_culled,
            expiry::renewal_deletes_the_old_entry,
            expiry::idle_timeout_is_enforced,
            expiry::absolute_timeout_is_enforced,
            expiry::max_age_and_expires_agree,
            expiry::tightened_timeouts_reach_existing_sessions_after_a_restart,
            hygiene::app_cookies_survive,
            hygiene::errors_and_not_found_still_get_a_session_in_eager_mode,
            hygiene::failed_requests_do_not_save,
            hygiene::framework_errors_are_treated_by_their_status,
            hygiene::lazy_mode_creates_nothing_for_cookieless_traffic,
            hygiene::eager_mode_stays_within_the_store_bound,
            hygiene::session_responses_vary_and_are_not_cached,
            hygiene::at_most_one_session_cookie_per_response,
            hygiene::app_cache_control_gives_way_to_no_store_with_a_cookie,
            skip::exact_match_skips,
            skip::near_misses_do_not_skip,
            skip::presence_rule_skips_on_any_value,
            skip::skipped_requests_have_no_session,
            api::session_object_names_are_independent,
            api::clear_keeps_the_id,
            api::logout_destroys_and_removes_the_cookie,
            api::login_rotates_the_id_and_keeps_the_data,
            api::cause_is_metadata_not_data,
            api::keys_rotate_without_logging_anyone_out,
            api::stores_are_per_instance,
            api::only_changed_sessions_are_written,
            api::payload_cap_is_enforced,
            security::only_the_cookie_header_carries_the_session,
            security::forged_cookies_cause_no_store_io,
            security::no_resurrection_after_a_concurrent_logout,
            security::identity_change_rotates_the_id,
            security::logs_never_show_secrets,
            faults::failed_load_answers_503_and_recovers,
            faults::failed_save_answers_500_without_a_cookie,
            faults::failed_logout_still_removes_the_cookie,
            faults::routes_without_the_session_survive_an_outage,
            faults::stalled_store_hits_the_timeout,
            faults::failed_refresh_costs_only_the_refresh,
            logout::a_logout_applies_on_any_status,
            logout::a_logout_then_write_on_a_server_error_applies_only_the_logout,
            logout::a_failed_logout_then_write_leaves_no_successor,
            races::a_login_racing_a_logout_does_not_revive_the_session,
            races::two_concurrent_logins_leave_exactly_one_successor,
            races::a_logout_then_write_racing_a_logout_creates_nothing,
            races::waiting_for_a_held_session_is_bounded,
            users::a_login_lists_the_session_as_current,
            users::logging_out_other_devices_ends_only_them,
            users::logging_out_everywhere_ends_every_session_of_the_user,
            users::one_session_ends_by_its_label,
            users::a_request_in_flight_cannot_revive_an_ended_session,
            header::header_sessions_continue_and_never_set_a_cookie,
            header::a_tampered_header_value_starts_a_new_session,
            header::login_rotates_the_header_value_and_logout_clears_it,
            header::header_sessions_expire_on_the_server,
            header::a_custom_header_carries_the_bare_value,
            header::with_both_transports_each_client_is_answered_in_kind,
            abuse::a_one_mebibyte_cookie_header_is_bounded,
            abuse::a_thousand_same_name_cookies_are_bounded,
            abuse::junk_same_name_cookies_do_not_crowd_out_the_session,
            abuse::cookieless_floods_store_nothing,
        }
    };
}

macro_rules! scenario_names {
    ($($module:ident :: $name:ident),* $(,)?) => {
        /// Every scenario's name, in catalogue order.
        pub const SCENARIOS: &[&str] = &[$(stringify!($name)),*];
    };
}

with_scenarios!(scenario_names! {});

/// One `#[tokio::test]` per scenario for `$target` (a [`Target`](crate::Target): a framework and
/// a store).
#[macro_export]
macro_rules! conformance_suite {
    ($target:expr) => {
        $crate::with_scenarios!($crate::__conformance_tests! { $target; });
    };
}

/// Implementation detail of [`conformance_suite!`].
#[doc(hidden)]
#[macro_export]
macro_rules! __conformance_tests {
    ($target:expr; $($module:ident :: $name:ident),* $(,)?) => {
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() {
                $crate::scenarios::$module::$name($target).await;
            }
        )*
    };
}

/// `GET path` and the counter it answers.
pub async fn count(client: &Client, path: &str) -> (u64, Reply) {
    let reply = client.get(path).await;
    assert_eq!(reply.status, 200, "{path}: {}", reply.body);
    (reply.json()["test_counter"].as_u64().unwrap_or(0), reply)
}

/// What `/whoami` says: the ID (if any), the cause and the keys.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WhoAmI {
    /// The session ID, base64url.
    pub id: Option<String>,
    /// Python FastSession's cause word.
    pub cause: String,
    /// The user keys, sorted.
    pub keys: Vec<String>,
}

impl WhoAmI {
    /// Parses a `/whoami` reply.
    pub fn from_reply(reply: &Reply) -> Self {
        let json = reply.json();
        Self {
            id: json["id"].as_str().map(str::to_owned),
            cause: json["cause"].as_str().unwrap_or_default().to_owned(),
            keys: json["keys"]
                .as_array()
                .map(|keys| {
                    keys.iter()
                        .filter_map(Value::as_str)
                        .map(str::to_owned)
                        .collect()
                })
                .unwrap_or_default(),
        }
    }
}

/// `GET /whoami` through the jar.
pub async fn whoami(client: &Client) -> WhoAmI {
    let reply = client.get("/whoami").await;
    assert_eq!(reply.status, 200, "/whoami: {}", reply.body);
    WhoAmI::from_reply(&reply)
}

/// `GET /whoami` with exactly this `Cookie` header.
pub async fn whoami_with(client: &Client, cookie: &str) -> WhoAmI {
    let reply = client.get_with_cookie("/whoami", cookie).await;
    assert_eq!(reply.status, 200, "/whoami: {}", reply.body);
    WhoAmI::from_reply(&reply)
}

/// Logs in as `user` through the jar and returns the session cookie pair.
pub async fn log_in(client: &Client, user: &str) -> String {
    let reply = client.post(&format!("/login/{user}"), None).await;
    assert_eq!(reply.status, 200, "login: {}", reply.body);
    client
        .session_pair(SID)
        .expect("a session cookie after login")
}

/// Asserts that `reply` answers `status` and carries the removal cookie (`sid=`, `Max-Age=0`),
/// and returns that cookie.
pub fn assert_removal(reply: &Reply, status: u16) -> String {
    assert_eq!(reply.status, status, "{}", describe(reply));
    let removal = reply
        .set_cookie(SID)
        .unwrap_or_else(|| panic!("no removal cookie: {}", describe(reply)));
    assert!(
        cookie_value(&removal).is_empty() && attribute(&removal, "Max-Age").as_deref() == Some("0"),
        "not a removal: {removal}"
    );
    removal
}

#[cfg(test)]
mod tests {
    use super::SCENARIOS;

    #[test]
    fn names_are_unique() {
        let mut names = SCENARIOS.to_vec();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), SCENARIOS.len());
    }

    #[test]
    fn the_readme_lists_every_scenario_once() {
        let readme = include_str!("../../README.md");
        for name in SCENARIOS {
            assert_eq!(
                readme.matches(&format!("- `{name}`:")).count(),
                1,
                "{name} in README.md"
            );
        }
        // And nothing else is listed as a scenario.
        for line in readme
            .lines()
            .filter(|line| line.starts_with("- `") && line.contains("`: "))
        {
            let name = line
                .trim_start_matches("- `")
                .split('`')
                .next()
                .unwrap_or_default();
            assert!(
                SCENARIOS.contains(&name),
                "README.md lists {name:?}, which is not a scenario"
            );
        }
    }
}
