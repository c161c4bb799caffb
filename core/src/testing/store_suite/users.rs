//! The user index part of the store contract: bound records keep their user, listed sessions
//! are found (a listing made before its record is written included, through [`LISTING_GRACE`]),
//! only live sessions bound to the user are returned, and ending a user's session is a logout.

use std::future::Future;
use std::time::{Duration, SystemTime};

use serde_json::json;

use super::{id, record, start};
use crate::changes::Changes;
use crate::id::SessionId;
use crate::store::{Expiry, LISTING_GRACE, ListedSession, Record, SessionRef, SessionStore};

/// Runs every check of the user index, each against a fresh store from `make`.
pub async fn run_all<S, F, Fut>(make: F)
where
    S: SessionStore + Clone,
    F: Fn() -> Fut,
    Fut: Future<Output = S>,
{
    bound_records_keep_their_user(&make().await).await;
    listed_sessions_are_found_with_their_times(&make().await).await;
    users_see_only_their_own_sessions(&make().await).await;
    a_session_listed_before_its_record_is_found_once_written(&make().await).await;
    listing_again_extends_an_entry(&make().await).await;
    ending_a_session_follows_its_successors(&make().await).await;
    ending_spares_a_session_bound_elsewhere(&make().await).await;
    concurrent_listings_lose_nothing(&make().await).await;
}

fn bound(user: &str) -> Record {
    Record {
        user: Some(user.to_owned()),
        ..record(&[("n", json!(1))])
    }
}

async fn listed<S: SessionStore>(store: &S, user: &str, at: SystemTime) -> Vec<ListedSession> {
    let mut listed = store.user_sessions(user, at).await.unwrap();
    listed.sort_by_key(|listed| listed.session);
    listed
}

fn refs(ids: &[SessionId]) -> Vec<SessionRef> {
    let mut refs: Vec<_> = ids.iter().map(SessionRef::of).collect();
    refs.sort();
    refs
}

fn sessions(listed: &[ListedSession]) -> Vec<SessionRef> {
    listed.iter().map(|listed| listed.session).collect()
}

async fn list_and_create<S: SessionStore>(store: &S, user: &str, session: &SessionId) {
    let record = bound(user);
    let until = record.expiry.expires_at;
    store
        .list_user_session(user, session, until, start())
        .await
        .unwrap();
    assert!(store.create(session, &record, start()).await.unwrap());
}

async fn user_of<S: SessionStore>(store: &S, session: &SessionId) -> Option<String> {
    let record = store.load(session, start()).await.unwrap();
    record.expect("the bound record loads").user
}

/// A record keeps its user through loads and applies; a change binds, rebinds and unbinds it.
pub async fn bound_records_keep_their_user<S: SessionStore>(store: &S) {
    assert!(
        store
            .create(&id(201), &bound("ada"), start())
            .await
            .unwrap()
    );
    assert_eq!(
        user_of(store, &id(201)).await.as_deref(),
        Some("ada"),
        "a created record keeps its user"
    );
    let expiry = bound("ada").expiry;
    let mut changes = Changes::new();
    changes.bind_user("bob");
    assert!(
        store
            .apply(&id(201), &changes, &expiry, start())
            .await
            .unwrap()
    );
    assert_eq!(
        user_of(store, &id(201)).await.as_deref(),
        Some("bob"),
        "an apply rebinds"
    );
    let mut data_only = Changes::new();
    data_only.insert("m", json!(2));
    assert!(
        store
            .apply(&id(201), &data_only, &expiry, start())
            .await
            .unwrap()
    );
    assert_eq!(
        user_of(store, &id(201)).await.as_deref(),
        Some("bob"),
        "other changes keep the user"
    );
    let mut unbind = Changes::new();
    unbind.unbind_user();
    assert!(
        store
            .apply(&id(201), &unbind, &expiry, start())
            .await
            .unwrap()
    );
    assert_eq!(user_of(store, &id(201)).await, None, "an apply unbinds");
}

/// Every session listed under a user whose record is live and bound to them is found, with its
/// creation and last refresh.
pub async fn listed_sessions_are_found_with_their_times<S: SessionStore>(store: &S) {
    list_and_create(store, "ada", &id(211)).await;
    list_and_create(store, "ada", &id(212)).await;
    let later = start() + Duration::from_secs(30);
    let expiry = Expiry {
        refreshed_at: later,
        expires_at: later + Duration::from_secs(3600),
    };
    assert!(store.touch(&id(212), &expiry, later).await.unwrap());
    let found = listed(store, "ada", later).await;
    assert_eq!(sessions(&found), refs(&[id(211), id(212)]));
    for session in &found {
        assert_eq!(session.created_at, start(), "creation time");
        let refreshed = if session.session == SessionRef::of(&id(212)) {
            later
        } else {
            start()
        };
        assert_eq!(session.refreshed_at, refreshed, "last refresh");
    }
}

/// One user's listing never shows another's sessions.
pub async fn users_see_only_their_own_sessions<S: SessionStore>(store: &S) {
    list_and_create(store, "ada", &id(221)).await;
    list_and_create(store, "bob", &id(222)).await;
    assert_eq!(
        sessions(&listed(store, "ada", start()).await),
        refs(&[id(221)])
    );
    assert_eq!(
        sessions(&listed(store, "bob", start()).await),
        refs(&[id(222)])
    );
    assert!(listed(store, "eve", start()).await.is_empty());
}

/// A session listed before its record says it belongs to the user (the engine lists first, then
/// writes) is found once the record is written, as long as [`LISTING_GRACE`] after the listing;
/// until then it is not returned. (A store may keep its index in the record itself, as the
/// PostgreSQL store does: then there is nothing to wait for.)
pub async fn a_session_listed_before_its_record_is_found_once_written<S: SessionStore>(store: &S) {
    let until = start() + Duration::from_secs(24 * 3600);
    store
        .list_user_session("ada", &id(231), until, start())
        .await
        .unwrap();
    assert!(
        listed(store, "ada", start()).await.is_empty(),
        "no record yet"
    );
    let within = start() + LISTING_GRACE - Duration::from_secs(1);
    let mut record = bound("ada");
    record.expiry.expires_at = until;
    assert!(store.create(&id(231), &record, within).await.unwrap());
    assert_eq!(
        sessions(&listed(store, "ada", within).await),
        refs(&[id(231)]),
        "an entry read before its record was written must still be there"
    );
}

/// Listing a session again extends its entry: the later of two times wins.
pub async fn listing_again_extends_an_entry<S: SessionStore>(store: &S) {
    let mut record = bound("ada");
    record.expiry.expires_at = start() + Duration::from_secs(3000);
    let short = start() + Duration::from_secs(10);
    store
        .list_user_session("ada", &id(241), short, start())
        .await
        .unwrap();
    assert!(store.create(&id(241), &record, start()).await.unwrap());
    let later = start() + Duration::from_secs(5);
    let long = record.expiry.expires_at;
    store
        .list_user_session("ada", &id(241), long, later)
        .await
        .unwrap();
    store
        .list_user_session("ada", &id(241), short, later)
        .await
        .unwrap();
    let much_later = start() + Duration::from_secs(2000);
    assert_eq!(
        sessions(&listed(store, "ada", much_later).await),
        refs(&[id(241)]),
        "an entry listed until a later time must still be found"
    );
    let ended = start() + Duration::from_secs(3001);
    assert!(
        listed(store, "ada", ended).await.is_empty(),
        "an expired session is not one of the user's"
    );
}

/// Ending a session deletes it and whatever a rotation made of it, and takes it off the list.
pub async fn ending_a_session_follows_its_successors<S: SessionStore>(store: &S) {
    list_and_create(store, "ada", &id(251)).await;
    list_and_create(store, "ada", &id(252)).await;
    assert!(store.retire(&id(251), &id(252), start()).await.unwrap());
    let ended = store
        .end_user_session("ada", &SessionRef::of(&id(251)), start())
        .await;
    assert!(ended.unwrap(), "ending a listed session deletes it");
    assert!(
        store.load(&id(252), start()).await.unwrap().is_none(),
        "its successor goes too"
    );
    assert!(listed(store, "ada", start()).await.is_empty());
    let again = store
        .end_user_session("ada", &SessionRef::of(&id(251)), start())
        .await;
    assert!(!again.unwrap(), "ending it again finds nothing");
}

/// A listed session that is live and bound to another user is not ended.
pub async fn ending_spares_a_session_bound_elsewhere<S: SessionStore>(store: &S) {
    let until = start() + Duration::from_secs(3600);
    store
        .list_user_session("ada", &id(261), until, start())
        .await
        .unwrap();
    assert!(
        store
            .create(&id(261), &bound("bob"), start())
            .await
            .unwrap()
    );
    let ended = store
        .end_user_session("ada", &SessionRef::of(&id(261)), start())
        .await;
    assert!(!ended.unwrap());
    assert!(store.load(&id(261), start()).await.unwrap().is_some());
}

/// Fifty sessions listed under one user at once are all found.
pub async fn concurrent_listings_lose_nothing<S: SessionStore + Clone>(store: &S) {
    let ids: Vec<SessionId> = (0..50).map(|n| id(300 + n)).collect();
    let mut tasks = tokio::task::JoinSet::new();
    for session in ids.clone() {
        let store = store.clone();
        tasks.spawn(async move { list_and_create(&store, "ada", &session).await });
    }
    while let Some(listed) = tasks.join_next().await {
        listed.unwrap();
    }
    assert_eq!(
        sessions(&listed(store, "ada", start()).await),
        refs(&ids),
        "sessions listed concurrently must all be kept"
    );
}
