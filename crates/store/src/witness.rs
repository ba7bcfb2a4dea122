//! The audit chain's ends, witnessed outside the database (issue 14.3).
//!
//! The hash chain in `audit_event` finds any change or removal *inside* the chain, but not at its
//! ends: deleting the newest events (or all of them) leaves a shorter chain that still verifies,
//! and deleting the oldest events behind a forged `audit_anchor` row does too. Two witnesses kept
//! outside the database close that:
//!
//! - **The head file** (`kadence.sqlite.audit-head` beside an SQLite file, or the path in
//!   `KADENCE_AUDIT_HEAD`): after every commit of events, the newest sequence number and hash are
//!   written to it (a new file renamed over the old, 0600). Verification then requires the chain
//!   to reach that number with that hash; a shorter chain is [`AuditVerdict::Truncated`]. Where the
//!   file lives on the same disk as the database, someone who can edit both can still cut both;
//!   docs/security.md says how to keep a copy off the machine.
//! - **The anchor key** (`kadence.sqlite.anchor-key`, or `KADENCE_ANCHOR_KEY_FILE`): 32 random bytes,
//!   created 0600 when retention first needs them. Retention signs each anchor with HMAC-SHA256 under
//!   it; an anchor that does not verify under the key is [`AuditVerdict::AnchorForged`]. Someone
//!   with the database alone cannot make a valid one.
//!
//! [`AuditVerdict::Truncated`]: crate::audit::AuditVerdict::Truncated
//! [`AuditVerdict::AnchorForged`]: crate::audit::AuditVerdict::AnchorForged

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::{hex, Result, StoreError};

/// Where the witnesses are kept; either may be absent (then that end is not witnessed, and the
/// verification says so).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AuditWitness {
    pub head_file: Option<PathBuf>,
    pub anchor_key_file: Option<PathBuf>,
}

impl AuditWitness {
    /// The default beside an SQLite file: `FILE.audit-head` and `FILE.anchor-key`.
    pub fn beside(db_file: &Path) -> AuditWitness {
        let with = |suffix: &str| {
            let mut p = db_file.as_os_str().to_owned();
            p.push(suffix);
            PathBuf::from(p)
        };
        AuditWitness {
            head_file: Some(with(".audit-head")),
            anchor_key_file: Some(with(".anchor-key")),
        }
    }

    /// `KADENCE_AUDIT_HEAD` and `KADENCE_ANCHOR_KEY_FILE` override the defaults (an empty value
    /// turns that witness off). `var` reads the environment, passed in so tests need not set it.
    pub fn with_overrides(mut self, var: impl Fn(&str) -> Option<String>) -> AuditWitness {
        let path = |v: String| (!v.trim().is_empty()).then(|| PathBuf::from(v.trim()));
        if let Some(v) = var("KADENCE_AUDIT_HEAD") {
            self.head_file = path(v);
        }
        if let Some(v) = var("KADENCE_ANCHOR_KEY_FILE") {
            self.anchor_key_file = path(v);
        }
        self
    }
}

/// The newest event as the head file has it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Head {
    pub seq: i64,
    pub hash: String,
}

const HEAD_MAGIC: &str = "kadence revisionslog hoved v1";

/// The witnesses in use by one store, and the newest head this process wrote.
#[derive(Debug, Default)]
pub(crate) struct Witness {
    pub(crate) config: AuditWitness,
    written: Mutex<i64>,
}

fn io_error(what: &str, path: &Path, e: std::io::Error) -> StoreError {
    StoreError::Audit(format!("{what} {}: {e}", path.display()))
}

/// Creates `path` readable by its owner only, writes `text`, and flushes it to disk.
fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    let mut o = std::fs::OpenOptions::new();
    o.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut o, 0o600);
    let mut f = o.open(path)?;
    f.write_all(text.as_bytes())?;
    f.sync_all()
}

pub(crate) fn read_head(path: &Path) -> Result<Option<Head>> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => {
            return Err(io_error(
                "Revisionsloggens hoved kunne ikke læses fra",
                path,
                e,
            ))
        }
    };
    let mut lines = text.lines();
    let bad = || {
        StoreError::Audit(format!(
            "{} er ikke en hovedfil fra Kadence",
            path.display()
        ))
    };
    if lines.next() != Some(HEAD_MAGIC) {
        return Err(bad());
    }
    let field = |line: Option<&str>, name: &str| {
        line.and_then(|l| l.strip_prefix(name))
            .map(str::trim)
            .map(str::to_string)
    };
    let seq = field(lines.next(), "seq ")
        .and_then(|s| s.parse::<i64>().ok())
        .ok_or_else(bad)?;
    let hash = field(lines.next(), "hash ").ok_or_else(bad)?;
    Ok(Some(Head { seq, hash }))
}

impl Witness {
    pub(crate) fn new(config: AuditWitness) -> Witness {
        Witness {
            config,
            written: Mutex::new(0),
        }
    }

    /// After a commit: the new head, if it is newer than the one on file (another process on the
    /// same database may have written a newer one; a head never moves back).
    pub(crate) fn record(&self, head: &Head) -> Result<()> {
        let Some(path) = &self.config.head_file else {
            return Ok(());
        };
        let mut written = self.written.lock().unwrap_or_else(|p| p.into_inner());
        if head.seq <= *written {
            return Ok(());
        }
        if let Some(on_file) = read_head(path).ok().flatten() {
            if on_file.seq >= head.seq {
                *written = on_file.seq;
                return Ok(());
            }
        }
        let mut tmp = path.as_os_str().to_owned();
        tmp.push(format!(".{}.tmp", std::process::id()));
        let tmp = PathBuf::from(tmp);
        let text = format!("{HEAD_MAGIC}\nseq {}\nhash {}\n", head.seq, head.hash);
        write_private(&tmp, &text)
            .and_then(|_| std::fs::rename(&tmp, path))
            .map_err(|e| io_error("Revisionsloggens hoved kunne ikke skrives til", path, e))?;
        *written = head.seq;
        Ok(())
    }

    pub(crate) fn head(&self) -> Result<Option<Head>> {
        match &self.config.head_file {
            Some(p) => read_head(p),
            None => Ok(None),
        }
    }

    /// The anchor key: read from its file, or (with `create`) made and written there first.
    pub(crate) fn anchor_key(&self, create: bool) -> Result<Option<Vec<u8>>> {
        let Some(path) = &self.config.anchor_key_file else {
            return Ok(None);
        };
        match std::fs::read_to_string(path) {
            Ok(text) => {
                let key = unhex(text.trim())
                    .filter(|k| k.len() >= 32)
                    .ok_or_else(|| {
                        StoreError::Audit(format!(
                            "{} er ikke en ankernøgle fra Kadence",
                            path.display()
                        ))
                    })?;
                Ok(Some(key))
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && create => {
                let mut key = vec![0u8; 32];
                getrandom::fill(&mut key).map_err(|e| StoreError::Audit(e.to_string()))?;
                write_private(path, &format!("{}\n", hex(&key)))
                    .map_err(|e| io_error("Ankernøglen kunne ikke skrives til", path, e))?;
                Ok(Some(key))
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(io_error("Ankernøglen kunne ikke læses fra", path, e)),
        }
    }
}

fn unhex(s: &str) -> Option<Vec<u8>> {
    if s.len() % 2 != 0 {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok())
        .collect()
}

/// The signature of a retention anchor: HMAC-SHA256 over its sequence number, hash and time.
pub(crate) fn sign_anchor(key: &[u8], seq: i64, hash: &str, at: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes any key length");
    mac.update(format!("kadence-anker\n{seq}\n{hash}\n{at}").as_bytes());
    hex(&mac.finalize().into_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dir(tag: &str) -> PathBuf {
        let d = kadence_synth::scratch("store-unit").join(format!("witness-{tag}"));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        d
    }

    #[test]
    fn the_head_only_moves_forward_and_reads_back() {
        let d = dir("head");
        let w = Witness::new(AuditWitness::beside(&d.join("k.sqlite")));
        assert_eq!(w.head().unwrap(), None);
        let h = |seq, hash: &str| Head {
            seq,
            hash: hash.into(),
        };
        w.record(&h(3, "c")).unwrap();
        w.record(&h(2, "b")).unwrap();
        assert_eq!(w.head().unwrap(), Some(h(3, "c")));
        // Another process wrote a newer head: this one's older head does not replace it.
        let other = Witness::new(w.config.clone());
        other.record(&h(5, "e")).unwrap();
        w.record(&h(4, "d")).unwrap();
        assert_eq!(w.head().unwrap(), Some(h(5, "e")));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let path = w.config.head_file.clone().unwrap();
            let mode = std::fs::metadata(path).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600);
        }
        std::fs::write(w.config.head_file.as_ref().unwrap(), "noget andet").unwrap();
        assert!(
            w.head().is_err(),
            "a file that is not a head is an error, not no head"
        );
        let _ = std::fs::remove_dir_all(d);
    }

    #[test]
    fn the_anchor_key_is_made_once_and_signs() {
        let d = dir("key");
        let w = Witness::new(AuditWitness::beside(&d.join("k.sqlite")));
        assert_eq!(w.anchor_key(false).unwrap(), None);
        let k = w.anchor_key(true).unwrap().unwrap();
        assert_eq!(w.anchor_key(true).unwrap().unwrap(), k);
        let s = sign_anchor(&k, 7, "abc", "2026-12-04T00:00:00Z");
        assert_eq!(s.len(), 64);
        assert_ne!(s, sign_anchor(&k, 8, "abc", "2026-12-04T00:00:00Z"));
        assert_ne!(s, sign_anchor(&[1; 32], 7, "abc", "2026-12-04T00:00:00Z"));
        let _ = std::fs::remove_dir_all(d);
    }

    #[test]
    fn overrides_replace_or_turn_off() {
        let base = AuditWitness::beside(Path::new("/data/kadence.sqlite"));
        assert_eq!(
            base.head_file.as_deref(),
            Some(Path::new("/data/kadence.sqlite.audit-head"))
        );
        let w = base.clone().with_overrides(|k| match k {
            "KADENCE_AUDIT_HEAD" => Some("/var/log/kadence/head".into()),
            "KADENCE_ANCHOR_KEY_FILE" => Some(String::new()),
            _ => None,
        });
        assert_eq!(
            w.head_file.as_deref(),
            Some(Path::new("/var/log/kadence/head"))
        );
        assert_eq!(w.anchor_key_file, None);
        assert_eq!(base.clone().with_overrides(|_| None), base);
    }
}
