//! The actix-web servers: bare, fastsession, and actix-session.

use actix_session::config::CookieContentSecurity;
use actix_session::storage::{RedisSessionStore, SessionStore};
use actix_web::cookie::Key as PeerKey;
use actix_web::dev::{ServiceFactory, ServiceRequest};
use actix_web::error::ErrorInternalServerError;
use actix_web::{App, Error, HttpServer, web};
use fastsession_actix::SessionRejection;

use super::actix_memory_store::MinimalMemoryStore;
use super::{BoxError, PEER_KEY, ServeOptions};
use crate::target::Library;
use crate::target::paths::{BARE, COUNTER, COUNTER_KEY, READ, UNTOUCHED};

pub(super) fn serve(library: Library, options: &ServeOptions) -> Result<(), BoxError> {
    let options = options.clone();
    actix_rt::System::new().block_on(async move {
        let address = super::address(&options);
        // Each library gives the app a different type: one arm per library, one way to serve.
        macro_rules! serve {
            ($app:expr) => {{
                let server = HttpServer::new($app).bind(address)?;
                for address in server.addrs() {
                    super::announce(address);
                }
                server.run().await?;
            }};
        }
        match library {
            Library::Bare => serve!(|| App::new().route(BARE, web::get().to(untouched))),
            Library::FastsessionMemory => {
                let middleware = fastsession_actix::SessionMiddleware::new(
                    super::fastsession()?,
                    super::fastsession_memory(),
                )?;
                serve!(move || fastsession_routes(App::new().wrap(middleware.clone())));
            }
            Library::FastsessionRedis => {
                let middleware = fastsession_actix::SessionMiddleware::new(
                    super::fastsession()?,
                    super::fastsession_redis(&options)?,
                )?;
                serve!(move || fastsession_routes(App::new().wrap(middleware.clone())));
            }
            Library::ActixSessionMemory => {
                let store = MinimalMemoryStore::default();
                serve!(move || peer_routes(App::new().wrap(peer_middleware(store.clone()))));
            }
            Library::ActixSessionRedis => {
                let store = RedisSessionStore::new(options.redis_url.clone()).await?;
                serve!(move || peer_routes(App::new().wrap(peer_middleware(store.clone()))));
            }
            other => return Err(format!("{} does not run on actix-web", other.name()).into()),
        }
        Ok(())
    })
}

async fn untouched() -> &'static str {
    "ok"
}

fn peer_middleware<S: SessionStore + 'static>(store: S) -> actix_session::SessionMiddleware<S> {
    actix_session::SessionMiddleware::builder(store, PeerKey::from(&PEER_KEY))
        .cookie_content_security(CookieContentSecurity::Signed)
        .cookie_secure(false)
        .build()
}

fn fastsession_routes<T>(app: App<T>) -> App<T>
where
    T: ServiceFactory<ServiceRequest, Config = (), Error = Error, InitError = ()>,
{
    async fn counter(session: fastsession_actix::Session) -> Result<String, SessionRejection> {
        Ok(super::fastsession_count(&session)?)
    }
    async fn read(session: fastsession_actix::Session) -> Result<String, SessionRejection> {
        Ok(super::fastsession_read(&session)?)
    }
    app.route(COUNTER, web::get().to(counter))
        .route(READ, web::get().to(read))
        .route(UNTOUCHED, web::get().to(untouched))
}

fn peer_routes<T>(app: App<T>) -> App<T>
where
    T: ServiceFactory<ServiceRequest, Config = (), Error = Error, InitError = ()>,
{
    async fn counter(session: actix_session::Session) -> Result<String, Error> {
        let n: i64 = session
            .get(COUNTER_KEY)
            .map_err(ErrorInternalServerError)?
            .unwrap_or(0)
            + 1;
        session
            .insert(COUNTER_KEY, n)
            .map_err(ErrorInternalServerError)?;
        Ok(n.to_string())
    }
    async fn read(session: actix_session::Session) -> Result<String, Error> {
        let n: Option<i64> = session.get(COUNTER_KEY).map_err(ErrorInternalServerError)?;
        Ok(n.unwrap_or(0).to_string())
    }
    app.route(COUNTER, web::get().to(counter))
        .route(READ, web::get().to(read))
        .route(UNTOUCHED, web::get().to(untouched))
}
