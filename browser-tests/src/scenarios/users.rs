//! A user's sessions, as two browsers see them.

use super::{COOKIE, Rig};
use crate::{Browser, BrowserTestError};

/// "Log out other devices" across two browser profiles: both log in as the same user; the
/// first submits the page's "Log out other devices" form and stays logged in; the second's next
/// page is anonymous, though the browser still sends its old cookie.
pub async fn logging_out_other_devices_ends_the_other_browser(
    binary: &str,
) -> Result<(), BrowserTestError> {
    let rig = Rig::start(binary, &[]).await?;
    let home = rig.url("/");
    let laptop = Browser::open(&rig.driver).await?;
    let phone = Browser::open(&rig.driver).await?;
    for browser in [&laptop, &phone] {
        browser.visit(&home).await?;
        browser.submit("/login", &[("user", "ada")]).await?;
        assert_eq!(browser.text_of("who").await?, "Logged in as ada.");
    }
    laptop.submit("/logout-others", &[]).await?;
    assert_eq!(
        laptop.text_of("who").await?,
        "Logged in as ada.",
        "this device stays logged in"
    );
    assert!(
        phone.cookie(COOKIE).await?.is_some(),
        "the other browser still holds its cookie"
    );
    phone.visit(&home).await?;
    assert_eq!(
        phone.text_of("who").await?,
        "Nobody is logged in.",
        "the other device's session has ended"
    );
    laptop.visit(&home).await?;
    assert_eq!(laptop.text_of("who").await?, "Logged in as ada.");
    laptop.close().await?;
    phone.close().await?;
    Ok(())
}
