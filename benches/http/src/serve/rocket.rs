//! The rocket servers: bare and fastsession (rocket has no server-side session peer).

use fastsession_rocket::{Session, SessionFairing, SessionRejection};
use rocket::config::LogLevel;
use rocket::fairing::AdHoc;
use rocket::{Build, Rocket, get, routes};

use super::{BoxError, ServeOptions};
use crate::target::Library;

pub(super) fn serve(library: Library, options: &ServeOptions) -> Result<(), BoxError> {
    let config = rocket::Config {
        address: [127, 0, 0, 1].into(),
        port: options.port,
        log_level: LogLevel::Off,
        cli_colors: false,
        ..rocket::Config::release_default()
    };
    let announce = AdHoc::on_liftoff("announce", |rocket| {
        let address = (rocket.config().address, rocket.config().port).into();
        Box::pin(async move { super::announce(address) })
    });
    // The Redis store needs a Tokio runtime when it is built: build inside Rocket's.
    rocket::execute(async move {
        let base = rocket::custom(config).attach(announce);
        let rocket: Rocket<Build> = match library {
            Library::Bare => base.mount("/", routes![bare]),
            Library::FastsessionMemory => base
                .mount("/", routes![counter, read, untouched])
                .attach(SessionFairing::new(
                    super::fastsession()?,
                    super::fastsession_memory(),
                )?),
            Library::FastsessionRedis => {
                base.mount("/", routes![counter, read, untouched])
                    .attach(SessionFairing::new(
                        super::fastsession()?,
                        super::fastsession_redis(options)?,
                    )?)
            }
            other => return Err(format!("{} does not run on rocket", other.name()).into()),
        };
        rocket.launch().await?;
        Ok(())
    })
}

#[get("/bare")]
fn bare() -> &'static str {
    "ok"
}

#[get("/untouched")]
fn untouched() -> &'static str {
    "ok"
}

#[get("/counter")]
fn counter(session: Session) -> Result<String, SessionRejection> {
    Ok(super::fastsession_count(&session)?)
}

#[get("/read")]
fn read(session: Session) -> Result<String, SessionRejection> {
    Ok(super::fastsession_read(&session)?)
}
