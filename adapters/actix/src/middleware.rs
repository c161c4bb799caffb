//! The middleware.

use std::fmt;
use std::future::{Future, Ready, ready};
use std::pin::Pin;
use std::rc::Rc;

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{Service, ServiceRequest, ServiceResponse, Transform, forward_ready};
use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderMap, HeaderName, HeaderValue};
use actix_web::{Error, HttpMessage, HttpResponse};
use fastsession_core::adapter::{
    Committed, Finished as _, RequestHeaders, ResponseHeaders, SaveError, SessionManager,
    SessionRegistry, Sessions,
};
use fastsession_core::store::SessionStore;
use fastsession_core::{Config, ConfigError};

use crate::inner_error::InnerError;

/// The session middleware: `App::new().wrap(SessionMiddleware::new(config, store)?)`.
///
/// Cheap to clone: build it once, outside `HttpServer::new`, and clone it into each worker so
/// all workers share one store.
///
/// # Examples
///
/// ```
/// use fastsession_actix::{Config, Key, MemoryStore, SessionMiddleware};
///
/// let config = Config::new(Key::generate().unwrap());
/// let middleware = SessionMiddleware::new(config, MemoryStore::new()).unwrap();
/// let app = actix_web::App::new().wrap(middleware.clone());
/// ```
pub struct SessionMiddleware<S> {
    manager: SessionManager<S>,
}

impl<S> Clone for SessionMiddleware<S> {
    fn clone(&self) -> Self {
        Self {
            manager: self.manager.clone(),
        }
    }
}

impl<S: fmt::Debug> fmt::Debug for SessionMiddleware<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SessionMiddleware")
            .field("manager", &self.manager)
            .finish()
    }
}

impl<S: SessionStore> SessionMiddleware<S> {
    /// The middleware with this configuration over `store`.
    ///
    /// # Errors
    ///
    /// A [`ConfigError`] for an impossible or dangerous setting: the message names the value
    /// and says what is allowed.
    pub fn new(config: Config, store: S) -> Result<Self, ConfigError> {
        Ok(Self {
            manager: SessionManager::new(Sessions::new(config)?, store),
        })
    }

    /// The middleware over an existing manager.
    pub fn from_manager(manager: SessionManager<S>) -> Self {
        Self { manager }
    }
}

impl<Inner, S, B> Transform<Inner, ServiceRequest> for SessionMiddleware<S>
where
    Inner: Service<ServiceRequest, Response = ServiceResponse<B>, Error = Error> + 'static,
    S: SessionStore,
    B: MessageBody + 'static,
{
    type Response = ServiceResponse<EitherBody<B>>;
    type Error = Error;
    type Transform = SessionMiddlewareService<Inner, S>;
    type InitError = ();
    type Future = Ready<Result<Self::Transform, Self::InitError>>;

    fn new_transform(&self, service: Inner) -> Self::Future {
        ready(Ok(SessionMiddlewareService {
            service: Rc::new(service),
            manager: self.manager.clone(),
        }))
    }
}

/// The service [`SessionMiddleware`] wraps around the app.
#[doc(hidden)]
pub struct SessionMiddlewareService<Inner, S> {
    service: Rc<Inner>,
    manager: SessionManager<S>,
}

impl<Inner, S> fmt::Debug for SessionMiddlewareService<Inner, S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SessionMiddlewareService")
            .finish_non_exhaustive()
    }
}

/// actix's header map, as the core reads headers.
struct Headers<'a>(&'a HeaderMap);

impl RequestHeaders for Headers<'_> {
    fn values<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a [u8]> + 'a {
        self.0.get_all(name).map(HeaderValue::as_bytes)
    }
}

/// actix's response header map, as the core writes headers.
struct ResponseFields<'a>(&'a mut HeaderMap);

impl ResponseHeaders for ResponseFields<'_> {
    fn remove(&mut self, name: &'static str) {
        self.0.remove(header_name(name));
    }

    fn append(&mut self, name: &str, value: &str) {
        // Every name is one the session layer sets or the configured session header (a
        // validated token), and every value visible ASCII: these always convert.
        if let (Some(name), Ok(value)) = (built_name(name), HeaderValue::from_str(value)) {
            self.0.append(name, value);
        }
    }

    fn append_static(&mut self, name: &'static str, value: &'static str) {
        self.0
            .append(header_name(name), HeaderValue::from_static(value));
    }
}

/// actix's constant for the names the session layer sets (no parsing per response).
fn header_name(name: &'static str) -> HeaderName {
    built_name(name).unwrap_or_else(|| HeaderName::from_static(name))
}

/// actix's constant for the names the session layer sets, else the name parsed (the
/// configured session header's).
fn built_name(name: &str) -> Option<HeaderName> {
    Some(match name {
        "set-cookie" => header::SET_COOKIE,
        "cache-control" => header::CACHE_CONTROL,
        "vary" => header::VARY,
        "authorization" => header::AUTHORIZATION,
        other => return HeaderName::from_bytes(other.as_bytes()).ok(),
    })
}

/// The response the client gets once the session is finished: `response`, or the core's
/// replacement when saving failed, with the session's headers.
pub(crate) fn finished<B>(
    finished: &Result<Committed, SaveError>,
    response: HttpResponse<B>,
) -> HttpResponse<EitherBody<B>> {
    let mut response = match finished.replacement() {
        Some((status, body)) => {
            let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            HttpResponse::build(status)
                .content_type("text/plain")
                .body(body)
                .map_into_right_body()
        }
        None => response.map_into_left_body(),
    };
    finished.append_to(&mut ResponseFields(response.headers_mut()));
    response
}

impl<Inner, S, B> Service<ServiceRequest> for SessionMiddlewareService<Inner, S>
where
    Inner: Service<ServiceRequest, Response = ServiceResponse<B>, Error = Error> + 'static,
    S: SessionStore,
    B: MessageBody + 'static,
{
    type Response = ServiceResponse<EitherBody<B>>;
    type Error = Error;
    type Future = Pin<Box<dyn Future<Output = Result<Self::Response, Self::Error>>>>;

    forward_ready!(service);

    fn call(&self, request: ServiceRequest) -> Self::Future {
        let session = self.manager.start(&Headers(request.headers()));
        request
            .extensions_mut()
            .get_or_insert_with(SessionRegistry::default)
            .insert(session.clone());
        let service = Rc::clone(&self.service);
        Box::pin(async move {
            let response = match service.call(request).await {
                Ok(response) => response,
                Err(error) => {
                    // An error from inside (an inner middleware's: a handler's own `Err` is
                    // already a response here) is judged by the status of the response it
                    // becomes, as a response is (an error may set only `error_response`). It
                    // stays an error, with the session's headers riding on it: turning it into
                    // a response needs the request, which is gone, and a clone kept from before
                    // the call would make actix-web's router panic (it needs the only handle).
                    let status = error.error_response().status();
                    let finish = session.finish(status.as_u16()).await;
                    return Err(InnerError::new(error, finish).into());
                }
            };
            let finish = session.finish(response.status().as_u16()).await;
            let (request, response) = response.into_parts();
            Ok(ServiceResponse::new(request, finished(&finish, response)))
        })
    }
}
