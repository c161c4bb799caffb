//! [`Engine`]: what the validated configuration prepares once and every request reads.

use std::time::SystemTime;

use crate::config::Config;
use crate::cookie::CookieFormat;
use crate::expiry::Policy;
use crate::headers::{Carried, Vary};
use crate::id::SessionId;
use crate::sign::Signer;
use crate::transport::{HeaderFormat, Transport, Via};

/// The validated configuration, the prepared keys, the cookie and header formats, the expiry
/// policy and the `Vary` value of responses that depend on the session.
pub(crate) struct Engine {
    pub(crate) config: Config,
    pub(crate) signer: Signer,
    pub(crate) cookies: CookieFormat,
    pub(crate) header: HeaderFormat,
    pub(crate) policy: Policy,
    pub(crate) vary: Vary,
}

impl Engine {
    pub(crate) fn new(config: Config) -> Self {
        let signer = Signer::new(&config.keys, &config.cookie_name);
        let cookies = CookieFormat::new(&config);
        let header = HeaderFormat::new(&config);
        let policy = Policy::new(&config);
        let vary = match config.transport {
            Transport::Cookie => Vary::Cookie,
            Transport::Header => Vary::Fields(header.name().into()),
            Transport::CookieOrHeader => Vary::Fields(format!("Cookie, {}", header.name()).into()),
        };
        Self {
            config,
            signer,
            cookies,
            header,
            policy,
            vary,
        }
    }

    /// The removal of the session, in the ways the request carried it, with the `Vary` to send.
    pub(crate) fn removal(&self, via: Via) -> (Carried, Vary) {
        let (cookie, header) = self.config.transport.answers(via);
        let carried = Carried {
            set_cookie: cookie.then(|| self.cookies.removal()),
            token: header.then(|| self.header.removal()),
        };
        (carried, self.vary.clone())
    }

    /// The session `id`, in the ways the request carried its session; the cookie until
    /// `expires`.
    pub(crate) fn issue(
        &self,
        via: Via,
        id: &SessionId,
        expires: Option<SystemTime>,
        now: SystemTime,
    ) -> Carried {
        let (cookie, header) = self.config.transport.answers(via);
        Carried {
            set_cookie: cookie.then(|| self.cookies.issue(&self.signer, id, expires, now)),
            token: header.then(|| self.header.issue(&self.signer, id)),
        }
    }
}
