//! [`Engine`]: what the validated configuration prepares once and every request reads.

use crate::config::Config;
use crate::cookie::CookieFormat;
use crate::expiry::Policy;
use crate::sign::Signer;

/// The validated configuration, the prepared keys, the cookie format and the expiry policy.
pub(crate) struct Engine {
    pub(crate) config: Config,
    pub(crate) signer: Signer,
    pub(crate) cookies: CookieFormat,
    pub(crate) policy: Policy,
}
