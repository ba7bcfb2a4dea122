//! Login rate limits (issue 14.5): per client address and per account, with bounded memory.
//!
//! Before, one hand-written map keyed on the TCP peer: behind the recommended reverse proxy every
//! user had the proxy's address, so 20 bad attempts a minute from anyone stopped every user's
//! login, and the map grew by one entry per address ever seen. Now:
//!
//! - the client's address is the TCP peer, or, when the peer is a configured trusted proxy, the
//!   nearest untrusted address in `X-Forwarded-For` ([`client_addr`]); a client cannot choose its
//!   address by sending the header itself, because the header is read only from a trusted peer;
//! - governor's keyed GCRA limiters count attempts per address and per account name (so many
//!   addresses guessing one account are slowed too, beside the account's lock-out);
//! - each limiter holds at most `max_keys` keys: when full it first forgets the keys that are back
//!   at their full allowance (`retain_recent`); if it is still full, a flood of distinct keys is
//!   under way and attempts are refused until it passes (fail closed; the security log says so).

use std::net::{IpAddr, SocketAddr};

use axum::http::HeaderMap;
use governor::middleware::NoOpMiddleware;
use governor::nanos::Nanos;
use governor::state::keyed::DashMapStateStore;
use governor::{Quota, RateLimiter};

use crate::Clock;

/// The app's injected clock as governor's clock, so tests control the limits' time too.
#[derive(Clone)]
pub(crate) struct AppClock(pub(crate) Clock);

impl governor::clock::Clock for AppClock {
    type Instant = Nanos;
    fn now(&self) -> Nanos {
        Nanos::from(u64::try_from((self.0)().as_nanosecond()).unwrap_or(0))
    }
}

type Keyed<K> = RateLimiter<K, DashMapStateStore<K>, AppClock, NoOpMiddleware<Nanos>>;

/// Why an attempt was refused before its password was looked at.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Refusal {
    /// Too many attempts from this client address in the last minute.
    Address,
    /// Too many attempts for this account name in the last minute.
    Account,
    /// More distinct addresses or names than the limiter keeps are trying at once.
    Flood,
}

pub(crate) struct LoginLimits {
    address: Keyed<IpAddr>,
    account: Keyed<String>,
    max_keys: usize,
}

fn per_minute(n: usize) -> Quota {
    let n = u32::try_from(n.max(1)).unwrap_or(u32::MAX);
    Quota::per_minute(std::num::NonZeroU32::new(n).unwrap_or(std::num::NonZeroU32::MIN))
}

impl LoginLimits {
    pub(crate) fn new(
        per_address: usize,
        per_account: usize,
        max_keys: usize,
        clock: AppClock,
    ) -> LoginLimits {
        LoginLimits {
            address: RateLimiter::dashmap_with_clock(per_minute(per_address), clock.clone()),
            account: RateLimiter::dashmap_with_clock(per_minute(per_account), clock),
            max_keys: max_keys.max(1),
        }
    }

    /// Counts one attempt from `ip` for `username`; `Err` when it must wait.
    pub(crate) fn check(&self, ip: IpAddr, username: &str) -> Result<(), Refusal> {
        if !room(&self.address, self.max_keys) || !room(&self.account, self.max_keys) {
            return Err(Refusal::Flood);
        }
        self.address.check_key(&ip).map_err(|_| Refusal::Address)?;
        // Names are compared as the login compares them: trimmed, case kept (usernames are
        // case-sensitive), at most 64 characters, so a key cannot be made arbitrarily large.
        let name: String = username.trim().chars().take(64).collect();
        self.account.check_key(&name).map_err(|_| Refusal::Account)
    }

    /// The keys held now (for the bounded-memory test).
    #[cfg(test)]
    fn keys(&self) -> (usize, usize) {
        (self.address.len(), self.account.len())
    }
}

/// Whether `limiter` may take a new key: below the bound, or below it again after forgetting the
/// keys back at their full allowance.
fn room<K: std::hash::Hash + Eq + Clone>(limiter: &Keyed<K>, max_keys: usize) -> bool {
    if limiter.len() < max_keys {
        return true;
    }
    limiter.retain_recent();
    limiter.shrink_to_fit();
    limiter.len() < max_keys
}

/// The client's address: the TCP peer, unless the peer is a trusted proxy; then the nearest
/// address in `X-Forwarded-For` (read from the right, the proxies' own entries skipped) that is not
/// a trusted proxy. A header that does not parse there is ignored (the peer is used).
pub(crate) fn client_addr(
    peer: Option<SocketAddr>,
    headers: &HeaderMap,
    trusted: &[IpAddr],
) -> IpAddr {
    let Some(peer) = peer.map(|p| p.ip()) else {
        return IpAddr::from([0, 0, 0, 0]);
    };
    if !trusted.contains(&peer) {
        return peer;
    }
    let hops: Vec<&str> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .collect();
    for hop in hops.iter().rev() {
        let Some(ip) = parse_hop(hop) else {
            return peer;
        };
        if !trusted.contains(&ip) {
            return ip;
        }
    }
    peer
}

/// One `X-Forwarded-For` entry: an address, with or without a port (`1.2.3.4:5678`, `[::1]:80`).
fn parse_hop(hop: &str) -> Option<IpAddr> {
    hop.parse::<IpAddr>()
        .ok()
        .or_else(|| hop.parse::<SocketAddr>().ok().map(|s| s.ip()))
}

/// Clock reads of the limiter, for tests that check it uses the app's time.
#[cfg(test)]
fn now_of(c: &AppClock) -> Nanos {
    governor::clock::Clock::now(c)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicI64, Ordering};
    use std::sync::Arc;

    fn clock() -> (Arc<AtomicI64>, AppClock) {
        let t = Arc::new(AtomicI64::new(1_800_000_000));
        let c = Arc::clone(&t);
        (
            t,
            AppClock(Arc::new(move || {
                jiff::Timestamp::from_second(c.load(Ordering::SeqCst)).unwrap()
            })),
        )
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn per_address_and_per_account_each_hold_and_time_restores_them() {
        let (t, c) = clock();
        assert_eq!(now_of(&c).as_u64(), 1_800_000_000 * 1_000_000_000);
        let l = LoginLimits::new(3, 5, 1000, c);
        for _ in 0..3 {
            assert_eq!(l.check(ip("10.0.0.1"), "mette"), Ok(()));
        }
        assert_eq!(l.check(ip("10.0.0.1"), "lars"), Err(Refusal::Address));
        // Other addresses for the same account: two more, then the account's own limit.
        assert_eq!(l.check(ip("10.0.0.2"), "mette"), Ok(()));
        assert_eq!(l.check(ip("10.0.0.3"), "mette"), Ok(()));
        assert_eq!(l.check(ip("10.0.0.4"), "mette"), Err(Refusal::Account));
        assert_eq!(
            l.check(ip("10.0.0.4"), "lars"),
            Ok(()),
            "another account is not held"
        );
        t.fetch_add(60, Ordering::SeqCst);
        assert_eq!(l.check(ip("10.0.0.1"), "mette"), Ok(()), "a minute later");
    }

    #[test]
    fn the_per_address_map_is_bounded() {
        let (t, c) = clock();
        let l = LoginLimits::new(20, 20, 100, c);
        // 1,000 addresses over ten minutes, one attempt each: the keys of those back at their full
        // allowance are forgotten, so the map never holds more than its bound.
        for i in 0..1000u32 {
            t.fetch_add(1, Ordering::SeqCst);
            let a = IpAddr::from(std::net::Ipv4Addr::from(0x0a00_0000 + i));
            assert_eq!(l.check(a, &format!("u{i}")), Ok(()), "attempt {i}");
            let (n, m) = l.keys();
            assert!(n <= 100 && m <= 100, "{n} {m}");
        }
        // A flood of 200 new addresses within one second fills it: refused, not grown.
        let refused = (0..200u32)
            .filter(|i| {
                let a = IpAddr::from(std::net::Ipv4Addr::from(0x0b00_0000 + i));
                l.check(a, "x") == Err(Refusal::Flood)
            })
            .count();
        assert!(refused > 0);
        assert!(l.keys().0 <= 100);
    }

    #[test]
    fn the_client_is_the_peer_unless_a_trusted_proxy_forwards_it() {
        let peer = |s: &str| Some(SocketAddr::new(ip(s), 5000));
        let h = |v: &[&str]| {
            let mut m = HeaderMap::new();
            for x in v {
                m.append("x-forwarded-for", x.parse().unwrap());
            }
            m
        };
        let proxy = [ip("127.0.0.1"), ip("10.1.1.1")];
        // Not behind a trusted proxy: the header is the client's own say, and ignored.
        assert_eq!(
            client_addr(peer("192.0.2.9"), &h(&["203.0.113.5"]), &proxy),
            ip("192.0.2.9")
        );
        assert_eq!(
            client_addr(peer("127.0.0.1"), &h(&["203.0.113.5"]), &[]),
            ip("127.0.0.1")
        );
        // Behind one: the nearest untrusted entry, the proxies' own skipped.
        assert_eq!(
            client_addr(peer("127.0.0.1"), &h(&["203.0.113.5"]), &proxy),
            ip("203.0.113.5")
        );
        assert_eq!(
            client_addr(
                peer("127.0.0.1"),
                &h(&["198.51.100.1, 203.0.113.5, 10.1.1.1"]),
                &proxy
            ),
            ip("203.0.113.5"),
            "a client's own forged first entry is not taken"
        );
        assert_eq!(
            client_addr(
                peer("127.0.0.1"),
                &h(&["198.51.100.1", "203.0.113.5:4431"]),
                &proxy
            ),
            ip("203.0.113.5")
        );
        assert_eq!(
            client_addr(peer("127.0.0.1"), &h(&["[2001:db8::1]:80"]), &proxy),
            ip("2001:db8::1")
        );
        // Nothing forwarded, or nonsense: the peer.
        assert_eq!(
            client_addr(peer("127.0.0.1"), &h(&[]), &proxy),
            ip("127.0.0.1")
        );
        assert_eq!(
            client_addr(peer("127.0.0.1"), &h(&["unknown"]), &proxy),
            ip("127.0.0.1")
        );
        assert_eq!(client_addr(None, &h(&[]), &proxy), ip("0.0.0.0"));
    }
}
