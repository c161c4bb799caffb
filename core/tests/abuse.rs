//! Abuse bounds: huge and repetitive `Cookie` headers, oversized payloads and floods of
//! cookieless requests cost bounded work and memory and end in the documented outcome.
//!
//! dhat's counting allocator proves that parsing allocates the same whatever the number of
//! pairs in the header.

mod common;

use common::{Browser, World, count, read_counter, send};
use fastsession_core::testing::Probe;
use fastsession_core::{Session, SessionError, limits::MAX_CANDIDATES};

#[global_allocator]
static ALLOCATOR: dhat::Alloc = dhat::Alloc;

/// A `Cookie` header of `pairs` unrelated pairs, then `last`.
fn header_with(pairs: usize, last: &str) -> String {
    let mut header = String::with_capacity(pairs * 11 + last.len());
    for n in 0..pairs {
        header.push_str(&format!("k{n:05}=v{n}; "));
    }
    header.push_str(last);
    header
}

/// Heap blocks allocated by `begin` plus the first load request (parse and verify), and
/// whether a verified session ID came out.
fn allocations_to_resolve(world: &World, header: &str) -> (u64, bool) {
    let sessions = world.manager.sessions();
    let before = dhat::HeapStats::get().total_blocks;
    let handle = sessions.begin(&[("cookie", header.as_bytes())]);
    let found = handle.next_load().is_some();
    let made = dhat::HeapStats::get().total_blocks - before;
    drop(handle);
    (made, found)
}

#[tokio::test]
async fn a_one_mebibyte_header_of_100000_pairs_is_parsed_without_extra_allocations() {
    let _profiler = dhat::Profiler::builder().testing().build();
    let world = World::new();
    let mut browser = Browser::new();
    browser.request(&world.manager, count).await;
    let ours = browser.cookie.clone().unwrap();

    let huge = header_with(100_000, &ours);
    assert!(huge.len() >= 1 << 20, "{} bytes", huge.len());
    let small = header_with(10, &ours);
    let (huge_allocations, huge_found) = allocations_to_resolve(&world, &huge);
    let (small_allocations, small_found) = allocations_to_resolve(&world, &small);
    assert!(small_allocations > 0, "the allocator counts");
    assert_eq!(
        huge_allocations, small_allocations,
        "independent of pair count"
    );

    // The session cookie, last of 100,001 pairs, is found.
    assert!(huge_found && small_found);
    let n = read_counter(&world.manager, Some(&huge)).await;
    assert_eq!(n, 1);
}

#[tokio::test]
async fn a_thousand_same_name_cookies_cost_at_most_four_verifications_and_no_store_call() {
    let world = World::new();
    let mut browser = Browser::new();
    browser.request(&world.manager, count).await;
    let ours = browser.cookie.clone().unwrap();
    let (manager, faulty) = world.faulty();

    // 1,000 forged values: only the first four are verified, none reaches the store.
    let forged: Vec<String> = (0..1000)
        .map(|n| format!("sid={}.{n:0>43}", "A".repeat(43)))
        .collect();
    let response = send(
        &manager,
        Some(&forged.join("; ")),
        Some(|session: &Session| {
            assert!(session.keys().is_empty());
            200
        }),
    )
    .await;
    assert_eq!(response.status, 200);
    assert_eq!(
        Probe::count(&faulty.probe().loads),
        0,
        "forged IDs cost no I/O"
    );

    // The documented outcome: only the first MAX_CANDIDATES same-name cookies count, so a valid
    // one after 999 bad ones is ignored, and one among the first four is used.
    let late = format!("{}; {ours}", forged[..999].join("; "));
    let seen = read_counter(&manager, Some(&late)).await;
    assert_eq!(seen, 0, "the fifth and later candidates are never read");
    let early = format!(
        "{}; {ours}; {}",
        forged[..MAX_CANDIDATES - 1].join("; "),
        forged[999]
    );
    assert_eq!(read_counter(&manager, Some(&early)).await, 1);
    assert_eq!(Probe::count(&faulty.probe().loads), 1);
}

#[tokio::test]
async fn a_payload_at_the_cap_is_kept_and_one_byte_more_is_refused() {
    let world = World::with(|config| config.with_max_payload_bytes(1000));
    let mut browser = Browser::new();
    // The error names the size a 1,000-character value would make: the rest is overhead.
    let mut too_big = None;
    browser
        .request(&world.manager, |session| {
            too_big = Some(session.insert("k", &"x".repeat(1000)));
            200
        })
        .await;
    let Some(Err(SessionError::TooLarge { size, max: 1000 })) = too_big else {
        panic!("{too_big:?}");
    };
    let fits = "x".repeat(1000 - (size - 1000));
    let response = browser
        .request(&world.manager, |session| {
            session.insert("k", &fits).unwrap();
            200
        })
        .await;
    assert_eq!(response.status, 200);
    let mut refused = None;
    let response = browser
        .request(&world.manager, |session| {
            refused = Some(session.insert("k", &format!("{fits}x")));
            200
        })
        .await;
    assert!(
        matches!(
            refused,
            Some(Err(SessionError::TooLarge {
                size: 1001,
                max: 1000
            }))
        ),
        "{refused:?}"
    );
    assert_eq!(response.status, 200, "the handler chose how to answer");
    assert!(
        response.set_cookie().is_none(),
        "nothing changed, no cookie"
    );
    let mut kept = String::new();
    browser
        .request(&world.manager, |session| {
            kept = session.get("k").unwrap().unwrap();
            200
        })
        .await;
    assert_eq!(kept, fits, "the store still holds the value that fit");
}

#[tokio::test]
async fn a_hundred_thousand_cookieless_requests_store_nothing() {
    let world = World::new();
    for n in 0..100_000 {
        let read = n % 2 == 0;
        let response = send(
            &world.manager,
            None,
            read.then_some(|session: &Session| {
                let _ = session.get::<u64>("anything");
                if session.keys().is_empty() { 200 } else { 500 }
            }),
        )
        .await;
        assert_eq!(response.status, 200);
        assert!(response.set_cookie().is_none());
    }
    assert!(world.store.is_empty(), "no session was stored");
    assert_eq!(world.store.bytes(), 0);
}
