//! The axum servers: bare, fastsession, and tower-sessions.

use axum::Router;
use axum::http::StatusCode;
use axum::routing::get;
use fastsession_axum::SessionRejection;
use tower_sessions::cookie::Key as PeerKey;
use tower_sessions::{MemoryStore as PeerMemoryStore, SessionManagerLayer};
use tower_sessions_redis_store::RedisStore as PeerRedisStore;
use tower_sessions_redis_store::fred::prelude::{ClientLike as _, Config as FredConfig, Pool};
use tower_sessions_sqlx_store::PostgresStore as PeerPostgresStore;
use tower_sessions_sqlx_store::sqlx::postgres::PgPoolOptions;

use super::{BoxError, PEER_KEY, ServeOptions};
use crate::target::Library;
use crate::target::paths::{BARE, COUNTER, COUNTER_KEY, READ, UNTOUCHED};

pub(super) fn serve(library: Library, options: &ServeOptions) -> Result<(), BoxError> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let app = match library {
            Library::Bare => Router::new().route(BARE, get(untouched)),
            Library::FastsessionMemory => fastsession_routes().layer(fastsession_axum::layer(
                super::fastsession()?,
                super::fastsession_memory(),
            )?),
            Library::FastsessionRedis => fastsession_routes().layer(fastsession_axum::layer(
                super::fastsession()?,
                super::fastsession_redis(options)?,
            )?),
            Library::FastsessionPostgres => fastsession_routes().layer(fastsession_axum::layer(
                super::fastsession()?,
                super::fastsession_postgres(options).await?,
            )?),
            Library::TowerSessionsPostgres => {
                let pool = PgPoolOptions::new()
                    .max_connections(u32::try_from(super::POSTGRES_POOL)?)
                    .connect(&options.postgres_url)
                    .await?;
                let store = PeerPostgresStore::new(pool);
                store.migrate().await?;
                peer_routes().layer(
                    SessionManagerLayer::new(store)
                        .with_secure(false)
                        .with_signed(PeerKey::from(&PEER_KEY)),
                )
            }
            Library::TowerSessionsMemory => peer_routes().layer(
                SessionManagerLayer::new(PeerMemoryStore::default())
                    .with_secure(false)
                    .with_signed(PeerKey::from(&PEER_KEY)),
            ),
            Library::TowerSessionsRedis => {
                let pool = Pool::new(
                    FredConfig::from_url(&options.redis_url)?,
                    None,
                    None,
                    None,
                    1,
                )?;
                let _connection = pool.connect();
                pool.wait_for_connect().await?;
                peer_routes().layer(
                    SessionManagerLayer::new(PeerRedisStore::new(pool))
                        .with_secure(false)
                        .with_signed(PeerKey::from(&PEER_KEY)),
                )
            }
            other => return Err(format!("{} does not run on axum", other.name()).into()),
        };
        let listener = tokio::net::TcpListener::bind(super::address(options)).await?;
        super::announce(listener.local_addr()?);
        axum::serve(listener, app).await?;
        Ok(())
    })
}

async fn untouched() -> &'static str {
    "ok"
}

fn fastsession_routes() -> Router {
    async fn counter(session: fastsession_axum::Session) -> Result<String, SessionRejection> {
        Ok(super::fastsession_count(&session)?)
    }
    async fn read(session: fastsession_axum::Session) -> Result<String, SessionRejection> {
        Ok(super::fastsession_read(&session)?)
    }
    Router::new()
        .route(COUNTER, get(counter))
        .route(READ, get(read))
        .route(UNTOUCHED, get(untouched))
}

fn peer_routes() -> Router {
    async fn counter(session: tower_sessions::Session) -> Result<String, StatusCode> {
        let n: i64 = session
            .get(COUNTER_KEY)
            .await
            .map_err(|_| StatusCode::INTERNAL_SERVER_ERROR)?
            .unwrap_or(0)
            + 1;
        session
            .insert(COUNTER_KEY, n)
            .await
            .map_err(|_| StatusCode::INTERNAL_SERVER_ERROR)?;
        Ok(n.to_string())
    }
    async fn read(session: tower_sessions::Session) -> Result<String, StatusCode> {
        let n: Option<i64> = session
            .get(COUNTER_KEY)
            .await
            .map_err(|_| StatusCode::INTERNAL_SERVER_ERROR)?;
        Ok(n.unwrap_or(0).to_string())
    }
    Router::new()
        .route(COUNTER, get(counter))
        .route(READ, get(read))
        .route(UNTOUCHED, get(untouched))
}
