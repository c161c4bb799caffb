//! A flood of new sessions cannot push out active users: with the memory store at its bound,
//! sessions nobody came back to are evicted before sessions in use.

mod common;

use std::time::Duration;

use common::{Browser, config, count, send};
use fastsession_core::testing::{ManualClock, SequentialIds};
use fastsession_core::{
    Cause, Config, MemoryStore, Session, adapter::SessionManager, adapter::Sessions,
};

const MAX_ENTRIES: usize = 1000;
const USERS: usize = 100;
const FLOOD: usize = 10 * MAX_ENTRIES;

struct Site {
    clock: ManualClock,
    store: MemoryStore,
    manager: SessionManager<MemoryStore>,
}

impl Site {
    fn new(adjust: impl FnOnce(Config) -> Config) -> Self {
        let clock = ManualClock::new();
        let ids = SequentialIds::new();
        let store = MemoryStore::new().with_max_entries(MAX_ENTRIES);
        let sessions = Sessions::new(adjust(config(&clock, &ids))).unwrap();
        let manager = SessionManager::new(sessions, store.clone());
        Self {
            clock,
            store,
            manager,
        }
    }

    fn advance(&self, seconds: u64) {
        self.clock.advance(Duration::from_secs(seconds));
    }

    /// `USERS` users who log in, and come back a minute later.
    async fn active_users(&self) -> Vec<Browser> {
        let mut users = vec![Browser::new(); USERS];
        for (n, user) in users.iter_mut().enumerate() {
            user.request(&self.manager, |session| log_in(session, n))
                .await;
        }
        self.advance(60);
        for user in &mut users {
            let response = user.request(&self.manager, count).await;
            assert_eq!(response.status, 200);
        }
        users
    }

    /// `FLOOD` cookieless requests, each running `handler` if any, over a minute and a half.
    async fn flood(&self, handler: Option<fn(&Session) -> u16>) {
        for n in 0..FLOOD {
            if n % 100 == 0 {
                self.advance(1);
            }
            let response = send(&self.manager, None, handler).await;
            assert!(
                response.set_cookie().is_some(),
                "each request made a session"
            );
            assert!(self.store.len() <= MAX_ENTRIES, "{}", self.store.len());
        }
    }

    /// Every user still has their session.
    async fn assert_logged_in(&self, users: &mut [Browser]) {
        let mut lost = Vec::new();
        for (n, user) in users.iter_mut().enumerate() {
            let mut seen = None;
            user.request(&self.manager, |session| {
                seen = Some((session.cause(), session.get::<usize>("user").unwrap()));
                200
            })
            .await;
            if seen != Some((Cause::Success, Some(n))) {
                lost.push((n, seen));
            }
        }
        assert!(
            lost.is_empty(),
            "{} of {USERS} users lost their session: {lost:?}",
            lost.len()
        );
        assert!(self.store.len() <= MAX_ENTRIES);
    }
}

fn log_in(session: &Session, user: usize) -> u16 {
    session.insert("user", &user).unwrap();
    200
}

fn add_to_cart(session: &Session) -> u16 {
    session.insert("cart", &[1, 2, 3]).unwrap();
    200
}

#[tokio::test]
async fn active_users_survive_a_flood_of_eager_sessions_ten_times_the_bound() {
    let site = Site::new(|config| config.with_eager(true));
    let mut users = site.active_users().await;
    site.flood(None).await;
    site.assert_logged_in(&mut users).await;
}

#[tokio::test]
async fn active_users_survive_a_flood_of_writing_requests_ten_times_the_bound() {
    let site = Site::new(|config| config);
    let mut users = site.active_users().await;
    site.flood(Some(add_to_cart)).await;
    site.assert_logged_in(&mut users).await;
}

#[tokio::test]
async fn a_user_who_just_logged_in_with_a_new_id_survives_a_flood() {
    let site = Site::new(|config| config.with_eager(true));
    let mut users = vec![Browser::new(); USERS];
    for user in &mut users {
        user.visit(&site.manager).await;
    }
    site.advance(60);
    // The login request uses the anonymous session and moves it to a new ID; the flood comes
    // before the user's next request.
    for (n, user) in users.iter_mut().enumerate() {
        let response = user
            .request(&site.manager, |session| {
                session.cycle_id().unwrap();
                log_in(session, n)
            })
            .await;
        assert!(response.set_cookie().is_some());
    }
    site.flood(None).await;
    site.assert_logged_in(&mut users).await;
}
