//! The poem servers: bare, fastsession, and poem's own `ServerSession` with `MemoryStorage`.

use fastsession_poem::SessionRejection;
use poem::listener::{Acceptor as _, Listener as _, TcpListener};
use poem::session::{CookieConfig, MemoryStorage, ServerSession};
use poem::web::cookie::CookieKey;
use poem::{Endpoint, EndpointExt as _, Route, Server, get, handler};

use super::{BoxError, PEER_KEY, ServeOptions};
use crate::target::Library;
use crate::target::paths::{BARE, COUNTER, COUNTER_KEY, READ, UNTOUCHED};

pub(super) fn serve(library: Library, options: &ServeOptions) -> Result<(), BoxError> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        match library {
            Library::Bare => run(Route::new().at(BARE, get(untouched)), options).await,
            Library::FastsessionMemory => {
                let middleware = fastsession_poem::SessionMiddleware::new(
                    super::fastsession()?,
                    super::fastsession_memory(),
                )?;
                run(fastsession_routes().with(middleware), options).await
            }
            Library::FastsessionRedis => {
                let middleware = fastsession_poem::SessionMiddleware::new(
                    super::fastsession()?,
                    super::fastsession_redis(options)?,
                )?;
                run(fastsession_routes().with(middleware), options).await
            }
            Library::PoemSessionMemory => {
                let config = CookieConfig::signed(CookieKey::from(&PEER_KEY)).secure(false);
                let middleware = ServerSession::new(config, MemoryStorage::new());
                run(peer_routes().with(middleware), options).await
            }
            other => Err(format!("{} does not run on poem", other.name()).into()),
        }
    })
}

async fn run(app: impl Endpoint + 'static, options: &ServeOptions) -> Result<(), BoxError> {
    let acceptor = TcpListener::bind(super::address(options))
        .into_acceptor()
        .await?;
    for address in acceptor.local_addr() {
        if let Some(address) = address.as_socket_addr() {
            super::announce(*address);
        }
    }
    Server::new_with_acceptor(acceptor).run(app).await?;
    Ok(())
}

#[handler]
fn untouched() -> &'static str {
    "ok"
}

#[handler]
fn fastsession_counter(session: fastsession_poem::Session) -> Result<String, SessionRejection> {
    Ok(super::fastsession_count(&session)?)
}

#[handler]
fn fastsession_read(session: fastsession_poem::Session) -> Result<String, SessionRejection> {
    Ok(super::fastsession_read(&session)?)
}

fn fastsession_routes() -> Route {
    Route::new()
        .at(COUNTER, get(fastsession_counter))
        .at(READ, get(fastsession_read))
        .at(UNTOUCHED, get(untouched))
}

#[handler]
fn peer_counter(session: &poem::session::Session) -> String {
    let n: i64 = session.get(COUNTER_KEY).unwrap_or(0) + 1;
    session.set(COUNTER_KEY, n);
    n.to_string()
}

#[handler]
fn peer_read(session: &poem::session::Session) -> String {
    session.get::<i64>(COUNTER_KEY).unwrap_or(0).to_string()
}

fn peer_routes() -> Route {
    Route::new()
        .at(COUNTER, get(peer_counter))
        .at(READ, get(peer_read))
        .at(UNTOUCHED, get(untouched))
}
