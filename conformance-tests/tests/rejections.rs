//! Every adapter's `SessionRejection` is a `std::error::Error` whose chain leads from the core
//! `Rejection` to the store's own error, so an application's error reporting sees the cause.

use std::error::Error;

use fastsession_core::adapter::ExtractError;
use fastsession_core::store::StoreError;

/// The error chain of a store timeout as the rejection `R` carries it.
fn chain<R: Error + From<ExtractError>>() -> Vec<String> {
    let rejection = R::from(ExtractError::Unavailable(StoreError::timeout()));
    let mut chain = Vec::new();
    let mut cause = rejection.source();
    while let Some(error) = cause {
        chain.push(error.to_string());
        cause = error.source();
    }
    chain
}

#[test]
fn every_adapters_rejection_is_an_error_that_leads_to_the_store_error() {
    let expected = [
        "the session store is unavailable",
        "the session store timed out",
    ];
    let chains = [
        ("axum", chain::<fastsession_axum::SessionRejection>()),
        ("actix", chain::<fastsession_actix::SessionRejection>()),
        ("rocket", chain::<fastsession_rocket::SessionRejection>()),
        ("poem", chain::<fastsession_poem::SessionRejection>()),
    ];
    for (adapter, chain) in chains {
        assert_eq!(chain, expected, "{adapter}");
    }
}
