//! The security event log (sikkerhedslog, issue 14): what an operator watches for attacks, apart
//! from the audit log (which says whose data was seen, and is itself personal data).
//!
//! One JSON object per line, to standard error or to a file (`KADENCE_SECURITY_LOG`): failed and
//! successful logins, lock-outs, refused routes, purpose statements, settings changes and exports.
//! It never holds a CPR number or a name: users are their account number (`user_id`), an unknown
//! username is only "unknown" (a mistyped CPR number or a person's name may be typed there), and
//! courses are not named. Client addresses are kept: they are what the log is for.
//!
//! Hand-written rather than through `tracing`: one fixed schema written by one writer, and tests
//! read the lines back from an in-memory sink without a process-wide subscriber.

use std::io::Write;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};

use serde_json::{json, Map, Value};

/// Where the events go. Cloning shares the sink.
#[derive(Clone)]
pub struct SecurityLog {
    sink: Arc<Mutex<Box<dyn Write + Send>>>,
    memory: Option<Arc<Mutex<Vec<u8>>>>,
}

impl std::fmt::Debug for SecurityLog {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecurityLog")
    }
}

impl Default for SecurityLog {
    fn default() -> Self {
        SecurityLog::stderr()
    }
}

/// A sink that appends to a shared buffer (for tests).
struct Shared(Arc<Mutex<Vec<u8>>>);

impl Write for Shared {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        self.0
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .extend_from_slice(b);
        Ok(b.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl SecurityLog {
    pub fn stderr() -> SecurityLog {
        SecurityLog {
            sink: Arc::new(Mutex::new(Box::new(std::io::stderr()))),
            memory: None,
        }
    }

    /// Appends to `path`, created 0600.
    pub fn file(path: &std::path::Path) -> std::io::Result<SecurityLog> {
        let mut o = std::fs::OpenOptions::new();
        o.create(true).append(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut o, 0o600);
        Ok(SecurityLog {
            sink: Arc::new(Mutex::new(Box::new(o.open(path)?))),
            memory: None,
        })
    }

    /// A log kept in memory, read back with [`SecurityLog::events`].
    pub fn memory() -> SecurityLog {
        let buf = Arc::new(Mutex::new(Vec::new()));
        SecurityLog {
            sink: Arc::new(Mutex::new(Box::new(Shared(Arc::clone(&buf))))),
            memory: Some(buf),
        }
    }

    /// The events written so far to an in-memory log (empty for the others).
    pub fn events(&self) -> Vec<Value> {
        let Some(m) = &self.memory else {
            return Vec::new();
        };
        let bytes = m.lock().unwrap_or_else(|p| p.into_inner()).clone();
        String::from_utf8_lossy(&bytes)
            .lines()
            .filter_map(|l| serde_json::from_str(l).ok())
            .collect()
    }

    /// Writes one event: its time, its name and its fields. A failing sink loses the line, not
    /// the request (the audit log, not this one, is what a page waits for).
    pub(crate) fn event(&self, at: jiff::Timestamp, name: &str, fields: Value) {
        let mut obj = Map::new();
        obj.insert("at".into(), json!(at.to_string()));
        obj.insert("event".into(), json!(name));
        if let Value::Object(f) = fields {
            obj.extend(f);
        }
        let mut line = Value::Object(obj).to_string();
        line.push('\n');
        let mut sink = self.sink.lock().unwrap_or_else(|p| p.into_inner());
        let _ = sink.write_all(line.as_bytes()).and_then(|_| sink.flush());
    }
}

/// The events, with the fields each carries.
pub(crate) enum Event<'a> {
    LoginOk {
        user_id: i64,
        ip: IpAddr,
        method: &'a str,
    },
    /// `user_id` only when the account exists and the answer is about it (locked, disabled).
    LoginFailed {
        user_id: Option<i64>,
        ip: IpAddr,
        reason: &'a str,
    },
    Lockout {
        user_id: i64,
        ip: IpAddr,
        until: jiff::Timestamp,
    },
    RouteRefused {
        user_id: Option<i64>,
        ip: Option<IpAddr>,
        route: &'a str,
        status: u16,
        reason: &'a str,
    },
    PurposeStated {
        user_id: i64,
        purpose: &'a str,
    },
    SettingsChanged {
        user_id: i64,
        what: &'a str,
    },
    Export {
        user_id: i64,
        what: &'a str,
    },
}

impl SecurityLog {
    pub(crate) fn log(&self, at: jiff::Timestamp, e: Event<'_>) {
        let ip = |i: IpAddr| i.to_string();
        let (name, fields) = match e {
            Event::LoginOk {
                user_id,
                ip: i,
                method,
            } => (
                "login_ok",
                json!({"user_id": user_id, "ip": ip(i), "method": method}),
            ),
            Event::LoginFailed {
                user_id,
                ip: i,
                reason,
            } => (
                "login_failed",
                json!({"user_id": user_id.map_or(json!("unknown"), |u| json!(u)), "ip": ip(i), "reason": reason}),
            ),
            Event::Lockout {
                user_id,
                ip: i,
                until,
            } => (
                "lockout",
                json!({"user_id": user_id, "ip": ip(i), "until": until.to_string()}),
            ),
            Event::RouteRefused {
                user_id,
                ip: i,
                route,
                status,
                reason,
            } => (
                "route_refused",
                json!({"user_id": user_id, "ip": i.map(ip), "route": route, "status": status, "reason": reason}),
            ),
            Event::PurposeStated { user_id, purpose } => (
                "purpose_stated",
                json!({"user_id": user_id, "purpose": purpose}),
            ),
            Event::SettingsChanged { user_id, what } => (
                "settings_changed",
                json!({"user_id": user_id, "what": what}),
            ),
            Event::Export { user_id, what } => {
                ("export", json!({"user_id": user_id, "what": what}))
            }
        };
        self.event(at, name, fields);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_are_json_lines_without_the_username() {
        let log = SecurityLog::memory();
        let at: jiff::Timestamp = "2026-12-04T10:00:00Z".parse().unwrap();
        log.log(
            at,
            Event::LoginFailed {
                user_id: None,
                ip: "10.0.0.1".parse().unwrap(),
                reason: "wrong_password_or_unknown_user",
            },
        );
        log.log(
            at,
            Event::Lockout {
                user_id: 3,
                ip: "10.0.0.1".parse().unwrap(),
                until: at,
            },
        );
        let e = log.events();
        assert_eq!(e.len(), 2);
        assert_eq!(e[0]["event"], "login_failed");
        assert_eq!(e[0]["user_id"], "unknown");
        assert_eq!(e[0]["at"], "2026-12-04T10:00:00Z");
        assert_eq!(e[1]["user_id"], 3);
    }
}
