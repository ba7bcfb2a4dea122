//! How a request reaches Jobindsats: a trait the client is generic over, so the client's logic
//! (retries, errors, reading the shapes) is tested against recorded responses without a network,
//! and `Http`, the real one (reqwest, rustls).

use std::future::Future;
use std::time::Duration;

use crate::Token;

/// What the server answered.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reply {
    pub status: u16,
    /// `Retry-After` in seconds, when the server gave one.
    pub retry_after: Option<Duration>,
    pub body: Vec<u8>,
}

/// Sends a GET with the token as `Authorization: Bearer …`, and waits between attempts.
pub trait Transport {
    /// `Err` is a failure to reach the server at all (DNS, connection, timeout), in words that
    /// name neither the token nor the query.
    fn get(&self, url: &url::Url, token: &Token) -> impl Future<Output = Result<Reply, String>>;
    /// Waits before the next attempt (the tests' transports only record the wait).
    fn pause(&self, wait: Duration) -> impl Future<Output = ()>;
}

/// HTTPS with reqwest and rustls (the web roots bundled, so a server without the system's
/// certificate store works too).
pub struct Http {
    client: reqwest::Client,
}

impl Http {
    pub fn new() -> Result<Http, String> {
        let client = reqwest::Client::builder()
            .user_agent(concat!("Kadence/", env!("CARGO_PKG_VERSION")))
            .connect_timeout(Duration::from_secs(20))
            .timeout(Duration::from_secs(180))
            .build()
            .map_err(|e| e.without_url().to_string())?;
        Ok(Http { client })
    }
}

impl Transport for Http {
    async fn get(&self, url: &url::Url, token: &Token) -> Result<Reply, String> {
        let mut auth =
            reqwest::header::HeaderValue::from_str(&format!("Bearer {}", token.secret())).map_err(
                |_| "nøglen indeholder tegn, der ikke kan sendes i en HTTP-header".to_string(),
            )?;
        auth.set_sensitive(true);
        let response = self
            .client
            .get(url.clone())
            .header(reqwest::header::AUTHORIZATION, auth)
            .header(reqwest::header::ACCEPT, "application/json, text/csv")
            .send()
            .await
            .map_err(describe)?;
        let status = response.status().as_u16();
        let retry_after = response
            .headers()
            .get(reqwest::header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok())
            .map(Duration::from_secs);
        let body = response.bytes().await.map_err(describe)?.to_vec();
        Ok(Reply {
            status,
            retry_after,
            body,
        })
    }

    async fn pause(&self, wait: Duration) {
        tokio::time::sleep(wait).await;
    }
}

/// reqwest's error without the address (the address holds no token, but the query is noise in
/// a user's message), in Danish where the kind is known.
fn describe(e: reqwest::Error) -> String {
    let kind = if e.is_timeout() {
        "svaret kom ikke i tide"
    } else if e.is_connect() {
        "forbindelsen kunne ikke oprettes"
    } else {
        "forbindelsen blev afbrudt"
    };
    format!("{kind} ({})", e.without_url())
}
