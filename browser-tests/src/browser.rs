//! One headless Chromium with a fresh profile, driven through WebDriver.

use std::time::Duration;

use fantoccini::cookies::Cookie;
use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::{Value, json};

use crate::{BrowserTestError, Chromedriver};

/// A host name that this browser resolves to 127.0.0.1 (`--host-resolver-rules`), so a test
/// can reach the loopback server through an origin the browser does not treat as secure.
/// Browsers count `127.0.0.1` and `localhost` as potentially trustworthy, and keep `Secure`
/// cookies for them even over plain HTTP.
pub const INSECURE_HOST: &str = "fastsession.test";

/// How long a form submission may take to show its answer: a deadline for a hung page, not a
/// measurement.
const NAVIGATION_DEADLINE: Duration = Duration::from_secs(30);

/// The environment variable naming the Chromium binary (default: whatever `chromedriver` finds).
pub const CHROMIUM_VARIABLE: &str = "FASTSESSION_CHROMIUM";

/// The flags every browser starts with: headless, and nothing that talks to the network on
/// its own.
const FLAGS: [&str; 7] = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
];

/// A headless Chromium with a profile of its own: its own cookie jar.
#[derive(Debug)]
pub struct Browser {
    client: Client,
}

impl Browser {
    /// Starts a browser with a fresh `--user-data-dir`, through the `chromedriver` at `driver`.
    pub async fn open(driver: &Chromedriver) -> Result<Self, BrowserTestError> {
        let profile = driver.new_profile()?;
        let mut args: Vec<String> = FLAGS.iter().map(|flag| (*flag).to_owned()).collect();
        args.push(format!("--user-data-dir={}", profile.display()));
        args.push(format!(
            "--host-resolver-rules=MAP {INSECURE_HOST} 127.0.0.1"
        ));
        let mut options = json!({ "args": args });
        if let Ok(binary) = std::env::var(CHROMIUM_VARIABLE) {
            options["binary"] = Value::String(binary);
        }
        let capabilities = json!({ "browserName": "chrome", "goog:chromeOptions": options });
        let Value::Object(capabilities) = capabilities else {
            unreachable!("json!({{..}}) is an object")
        };
        let client = ClientBuilder::new(HttpConnector::new())
            .capabilities(capabilities)
            .connect(&format!("http://127.0.0.1:{}", driver.port()))
            .await?;
        Ok(Self { client })
    }

    /// Navigates to `url`, as typing it into the address bar would.
    pub async fn visit(&self, url: &str) -> Result<(), BrowserTestError> {
        Ok(self.client.goto(url).await?)
    }

    /// Navigates to `url` and parses the JSON the page shows.
    pub async fn json(&self, url: &str) -> Result<Value, BrowserTestError> {
        self.visit(url).await?;
        let text = self.script("return document.body.innerText").await?;
        let text = text.as_str().unwrap_or_default().trim().to_owned();
        serde_json::from_str(&text).map_err(|_| BrowserTestError::NotJson {
            url: url.to_owned(),
            text,
        })
    }

    /// The visible text of the element with this `id` on the current page.
    pub async fn text_of(&self, id: &str) -> Result<String, BrowserTestError> {
        Ok(self.client.find(Locator::Id(id)).await?.text().await?)
    }

    /// Runs `script` in the current page, as the page's own scripts would, and returns its
    /// result.
    pub async fn script(&self, script: &str) -> Result<Value, BrowserTestError> {
        Ok(self.client.execute(script, Vec::new()).await?)
    }

    /// What the page's scripts see of the cookies: `document.cookie`.
    pub async fn document_cookie(&self) -> Result<String, BrowserTestError> {
        let value = self.script("return document.cookie").await?;
        Ok(value.as_str().unwrap_or_default().to_owned())
    }

    /// The cookie called `name` for the current page, read through the browser's cookie API
    /// (WebDriver's, which sees `HttpOnly` cookies and their attributes), or `None`.
    pub async fn cookie(&self, name: &str) -> Result<Option<Cookie<'static>>, BrowserTestError> {
        let cookies = self.client.get_all_cookies().await?;
        Ok(cookies.into_iter().find(|cookie| cookie.name() == name))
    }

    /// Fills the current page's form whose `action` is `action` with `fields`, and submits it
    /// by clicking its button, then waits for the page that answers.
    pub async fn submit(
        &self,
        action: &str,
        fields: &[(&str, &str)],
    ) -> Result<(), BrowserTestError> {
        let form = self
            .client
            .find(Locator::Css(&format!("form[action='{action}']")))
            .await?;
        for (name, value) in fields {
            form.find(Locator::Css(&format!("[name='{name}']")))
                .await?
                .send_keys(value)
                .await?;
        }
        // Mark the current document, click, and wait until a new document replaces it.
        self.script("window.fastsessionOldPage = true; return null")
            .await?;
        form.find(Locator::Css("button")).await?.click().await?;
        let deadline = tokio::time::Instant::now() + NAVIGATION_DEADLINE;
        while self
            .script("return window.fastsessionOldPage === true")
            .await?
            == Value::Bool(true)
        {
            if tokio::time::Instant::now() > deadline {
                return Err(BrowserTestError::NotReady {
                    program: "chromium".to_owned(),
                    reason: format!(
                        "submitting {action} led to no new page within {NAVIGATION_DEADLINE:?}"
                    ),
                });
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        Ok(())
    }

    /// Ends the WebDriver session, which closes the browser.
    pub async fn close(self) -> Result<(), BrowserTestError> {
        Ok(self.client.close().await?)
    }
}
