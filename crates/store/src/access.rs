//! Users, sessions and the audit log: the persistence behind login, roles and "who looked up whom".
//!
//! - Passwords are stored as argon2id hashes (PHC strings); a wrong password counts towards a temporary
//!   lock-out. Every attempt is counted in one statement before its password is checked, so parallel
//!   guesses cannot slip past the limit; every path (unknown, locked, disabled, wrong, right) runs
//!   exactly one argon2 check and gives a wrong password the same answer, so neither the timing nor
//!   the answer tells whether a user exists or is locked ("låst" and "spærret" are said only after
//!   the right password). The checks run on tokio's blocking threads, at most one per core at once.
//! - A session is a random 256-bit token in a cookie; only its SHA-256 is stored, with a per-session CSRF
//!   token, the creation time (absolute timeout) and the last use (idle timeout).
//! - The audit log lives in [`crate::audit`]; its types are re-exported here.
//!
//! Times are passed in (`now`), so timeouts are testable; the shells read the clock.

use argon2::password_hash::{
    rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString,
};
use argon2::Argon2;
use jiff::{SignedDuration, Timestamp};
use sha2::{Digest, Sha256};
use sqlx::Row;

pub use crate::audit::{AuditEntry, AuditRecord, AuditVerdict};
use crate::{hex, Result, Store, StoreError};

/// A user's role (rolle).
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Role {
    /// Sagsbehandler: own caseload; another citizen only after stating a purpose.
    Caseworker,
    /// Teamleder: own team.
    TeamLead,
    /// Analytiker: figures and pseudonymised lists, no names or CPR.
    Analyst,
    /// Administrator: users, imports, settings, audit log.
    Admin,
}

impl Role {
    pub const ALL: [Role; 4] = [Role::Caseworker, Role::TeamLead, Role::Analyst, Role::Admin];

    pub fn code(self) -> &'static str {
        match self {
            Role::Caseworker => "sagsbehandler",
            Role::TeamLead => "teamleder",
            Role::Analyst => "analytiker",
            Role::Admin => "administrator",
        }
    }

    pub fn from_code(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.code() == s)
    }
}

/// A user account.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct User {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    /// For a caseworker: their key in the imported data (whose caseload is theirs).
    pub caseworker_key: Option<String>,
    /// For a team lead: their team's key.
    pub team_key: Option<String>,
    pub disabled: bool,
}

/// What is needed to create a user.
#[derive(Clone, Debug)]
pub struct NewUser {
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub caseworker_key: Option<String>,
    pub team_key: Option<String>,
}

/// The outcome of a login attempt.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Login {
    Ok(User),
    /// Unknown user or wrong password (not told apart to the user).
    Refused,
    /// As `Refused` to the user, and this attempt locked the account (for the security log).
    RefusedAndLocked {
        user_id: i64,
        until: Timestamp,
    },
    /// Too many failed attempts; locked until this time.
    Locked(Timestamp),
    Disabled,
}

impl Login {
    /// Whether the user is told "wrong username or password".
    pub fn is_refused(&self) -> bool {
        matches!(self, Login::Refused | Login::RefusedAndLocked { .. })
    }
}

/// A valid session.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Session {
    pub user: User,
    pub csrf_token: String,
}

/// Session and lock-out policy.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct Policy {
    pub idle: SignedDuration,
    pub absolute: SignedDuration,
    pub max_failed_logins: i64,
    pub lockout: SignedDuration,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            idle: SignedDuration::from_mins(30),
            absolute: SignedDuration::from_hours(10),
            max_failed_logins: 5,
            lockout: SignedDuration::from_mins(15),
        }
    }
}

fn random_hex(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    getrandom::fill(&mut buf).expect("the operating system's random source works");
    hex(&buf)
}

fn sha256_hex(s: &str) -> String {
    hex(&Sha256::digest(s.as_bytes()))
}

/// Hashes a password with argon2id and a random salt.
pub fn hash_password(password: &str) -> String {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .unwrap_or_default()
}

/// The hash an unknown user's password is checked against: one argon2 run on every path.
static DUMMY_HASH: std::sync::LazyLock<String> =
    std::sync::LazyLock::new(|| hash_password("kadence: ingen bruger med det navn"));

/// At most one argon2 check per core at once: a burst of logins waits here instead of holding
/// every blocking thread (or, as before, the async workers that answer every other request).
static ARGON_PERMITS: std::sync::LazyLock<tokio::sync::Semaphore> =
    std::sync::LazyLock::new(|| {
        tokio::sync::Semaphore::new(
            std::thread::available_parallelism().map_or(2, std::num::NonZeroUsize::get),
        )
    });

/// Checks a password on a blocking thread.
async fn verify_off_the_workers(hash: String, password: String) -> bool {
    let Ok(_permit) = ARGON_PERMITS.acquire().await else {
        return false;
    };
    tokio::task::spawn_blocking(move || verify_password(&hash, &password))
        .await
        .unwrap_or(false)
}

fn verify_password(hash: &str, password: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|h| {
        Argon2::default()
            .verify_password(password.as_bytes(), &h)
            .is_ok()
    })
}

fn user_from(r: &sqlx::any::AnyRow) -> Result<User> {
    let role: String = r.try_get(3)?;
    Ok(User {
        id: r.try_get(0)?,
        username: r.try_get(1)?,
        display_name: r.try_get(2)?,
        role: Role::from_code(&role).ok_or(StoreError::Corrupt {
            table: "app_user",
            column: "role",
            value: role,
        })?,
        caseworker_key: r.try_get(4)?,
        team_key: r.try_get(5)?,
        disabled: r.try_get::<i64, _>(6)? != 0,
    })
}

const USER_COLS: &str = "id, username, display_name, role, caseworker_key, team_key, disabled";

impl Store {
    /// Creates a user with an argon2id-hashed password.
    pub async fn add_user(&self, u: &NewUser, password: &str, now: Timestamp) -> Result<User> {
        let hash = hash_password(password);
        let mut tx = self.pool.begin().await?;
        let id: i64 = sqlx::query("SELECT COALESCE(MAX(id), 0) + 1 FROM app_user")
            .fetch_one(&mut *tx)
            .await?
            .try_get(0)?;
        sqlx::query(
            "INSERT INTO app_user (id, username, display_name, role, caseworker_key, team_key, password_hash, disabled, failed_logins, locked_until, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, 0, 0, NULL, $8)",
        )
        .bind(id)
        .bind(u.username.clone())
        .bind(u.display_name.clone())
        .bind(u.role.code())
        .bind(u.caseworker_key.clone())
        .bind(u.team_key.clone())
        .bind(hash)
        .bind(now.to_string())
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(User {
            id,
            username: u.username.clone(),
            display_name: u.display_name.clone(),
            role: u.role,
            caseworker_key: u.caseworker_key.clone(),
            team_key: u.team_key.clone(),
            disabled: false,
        })
    }

    pub async fn users(&self) -> Result<Vec<User>> {
        sqlx::query(&format!(
            "SELECT {USER_COLS} FROM app_user ORDER BY username"
        ))
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(user_from)
        .collect()
    }

    pub async fn user_by_name(&self, username: &str) -> Result<Option<User>> {
        sqlx::query(&format!(
            "SELECT {USER_COLS} FROM app_user WHERE username = $1"
        ))
        .bind(username.to_string())
        .fetch_optional(&self.pool)
        .await?
        .as_ref()
        .map(user_from)
        .transpose()
    }

    /// How many argon2 password checks this store has run: one per login attempt whatever the
    /// account's state, which is what keeps the answer's timing from telling who exists.
    pub fn password_checks(&self) -> u64 {
        self.password_checks
            .load(std::sync::atomic::Ordering::Relaxed)
    }

    pub async fn user_by_id(&self, id: i64) -> Result<Option<User>> {
        sqlx::query(&format!("SELECT {USER_COLS} FROM app_user WHERE id = $1"))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?
            .as_ref()
            .map(user_from)
            .transpose()
    }

    /// Disables or enables a user; disabling ends their sessions. False if there is no such user.
    pub async fn set_disabled(&self, username: &str, disabled: bool) -> Result<bool> {
        let n = sqlx::query("UPDATE app_user SET disabled = $1 WHERE username = $2")
            .bind(i64::from(disabled))
            .bind(username.to_string())
            .execute(&self.pool)
            .await?
            .rows_affected();
        if disabled {
            sqlx::query("DELETE FROM app_session WHERE user_id IN (SELECT id FROM app_user WHERE username = $1)")
                .bind(username.to_string())
                .execute(&self.pool)
                .await?;
        }
        Ok(n > 0)
    }

    /// Sets a new password, lifts a lock-out and ends the user's sessions. False if there is no such user.
    pub async fn set_password(&self, username: &str, password: &str) -> Result<bool> {
        let n = sqlx::query("UPDATE app_user SET password_hash = $1, failed_logins = 0, locked_until = NULL WHERE username = $2")
            .bind(hash_password(password))
            .bind(username.to_string())
            .execute(&self.pool)
            .await?
            .rows_affected();
        sqlx::query("DELETE FROM app_session WHERE user_id IN (SELECT id FROM app_user WHERE username = $1)")
            .bind(username.to_string())
            .execute(&self.pool)
            .await?;
        Ok(n > 0)
    }

    /// Checks a password, counting failures towards a lock-out.
    ///
    /// The attempt is counted first, in one statement (`failed_logins + 1 ... RETURNING`): the
    /// attempts beyond the limit are refused without their password being trusted, however many
    /// arrive at once, and the one that reaches the limit locks the account. A right password
    /// resets the count. A wrong password is answered `Refused` whether the user exists, is locked
    /// or is disabled; `Locked` and `Disabled` are answered only to the right password.
    pub async fn login(
        &self,
        username: &str,
        password: &str,
        now: Timestamp,
        policy: &Policy,
    ) -> Result<Login> {
        let row = sqlx::query(&format!(
            "UPDATE app_user SET failed_logins = failed_logins + 1 WHERE username = $1 \
             RETURNING {USER_COLS}, password_hash, failed_logins, locked_until"
        ))
        .bind(username.to_string())
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else {
            self.password_checks
                .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let _ = verify_off_the_workers(DUMMY_HASH.clone(), password.to_string()).await;
            return Ok(Login::Refused);
        };
        let user = user_from(&row)?;
        let hash: String = row.try_get(7)?;
        let attempt: i64 = row.try_get(8)?;
        let locked = row
            .try_get::<Option<String>, _>(9)?
            .and_then(|s| s.parse::<Timestamp>().ok())
            .filter(|u| *u > now);
        // More attempts arrived at once than the limit allows, and none has locked the account
        // yet: this one is checked against the dummy hash (the same time, no trust) and locks it.
        let beyond_limit = attempt > policy.max_failed_logins && locked.is_none();
        let checked_hash = if beyond_limit {
            DUMMY_HASH.clone()
        } else {
            hash
        };
        let right =
            verify_off_the_workers(checked_hash, password.to_string()).await && !beyond_limit;
        self.password_checks
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        if beyond_limit {
            self.lock(user.id, now + policy.lockout).await?;
            return Ok(Login::RefusedAndLocked {
                user_id: user.id,
                until: now + policy.lockout,
            });
        }
        if let Some(until) = locked {
            // Attempts during a lock-out do not count towards the next: the count starts afresh
            // when the lock ends.
            sqlx::query("UPDATE app_user SET failed_logins = 0 WHERE id = $1")
                .bind(user.id)
                .execute(&self.pool)
                .await?;
            return Ok(if right {
                Login::Locked(until)
            } else {
                Login::Refused
            });
        }
        if !right {
            if attempt >= policy.max_failed_logins {
                self.lock(user.id, now + policy.lockout).await?;
                return Ok(Login::RefusedAndLocked {
                    user_id: user.id,
                    until: now + policy.lockout,
                });
            }
            return Ok(Login::Refused);
        }
        if user.disabled {
            return Ok(Login::Disabled);
        }
        sqlx::query("UPDATE app_user SET failed_logins = 0, locked_until = NULL WHERE id = $1")
            .bind(user.id)
            .execute(&self.pool)
            .await?;
        Ok(Login::Ok(user))
    }

    async fn lock(&self, user: i64, until: Timestamp) -> Result<()> {
        sqlx::query("UPDATE app_user SET failed_logins = 0, locked_until = $1 WHERE id = $2")
            .bind(until.to_string())
            .bind(user)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    pub async fn create_session(&self, user_id: i64, now: Timestamp) -> Result<(String, String)> {
        let token = random_hex(32);
        let csrf = random_hex(32);
        sqlx::query("INSERT INTO app_session (token_hash, user_id, csrf_token, created_at, last_seen) VALUES ($1, $2, $3, $4, $4)")
            .bind(sha256_hex(&token))
            .bind(user_id)
            .bind(csrf.clone())
            .bind(now.to_string())
            .execute(&self.pool)
            .await?;
        Ok((token, csrf))
    }

    /// The session for a cookie token, if valid now; touches its last use. Expired sessions are removed.
    pub async fn session(
        &self,
        token: &str,
        now: Timestamp,
        policy: &Policy,
    ) -> Result<Option<Session>> {
        let key = sha256_hex(token);
        let row = sqlx::query(
            "SELECT u.id, u.username, u.display_name, u.role, u.caseworker_key, u.team_key, u.disabled, s.csrf_token, s.created_at, s.last_seen
             FROM app_session s JOIN app_user u ON u.id = s.user_id WHERE s.token_hash = $1"
        )
        .bind(key.clone())
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else { return Ok(None) };
        let user = user_from(&row)?;
        let csrf: String = row.try_get(7)?;
        let created: Option<Timestamp> = row.try_get::<String, _>(8)?.parse().ok();
        let last: Option<Timestamp> = row.try_get::<String, _>(9)?.parse().ok();
        let valid = !user.disabled
            && created.is_some_and(|c| now < c + policy.absolute)
            && last.is_some_and(|l| now < l + policy.idle);
        if !valid {
            self.delete_session(token).await?;
            return Ok(None);
        }
        // The idle timeout is counted in minutes, so the last use is written at most once a minute:
        // a write on every request made concurrent readers queue for SQLite's write lock.
        if last.is_some_and(|l| now.duration_since(l) >= SignedDuration::from_mins(1)) {
            sqlx::query("UPDATE app_session SET last_seen = $1 WHERE token_hash = $2")
                .bind(now.to_string())
                .bind(key)
                .execute(&self.pool)
                .await?;
        }
        Ok(Some(Session {
            user,
            csrf_token: csrf,
        }))
    }

    /// A named server secret (64 hex digits), created at random on first use and kept across restarts.
    pub async fn secret(&self, name: &str, now: Timestamp) -> Result<String> {
        let get = || async {
            sqlx::query("SELECT value FROM app_secret WHERE name = $1")
                .bind(name)
                .fetch_optional(&self.pool)
                .await
        };
        if let Some(r) = get().await? {
            return Ok(r.try_get(0)?);
        }
        // Two processes starting at once: the second insert does nothing, both read the first.
        sqlx::query(
            "INSERT INTO app_secret (name, value, created_at) VALUES ($1, $2, $3) ON CONFLICT (name) DO NOTHING",
        )
        .bind(name)
        .bind(random_hex(32))
        .bind(now.to_string())
        .execute(&self.pool)
        .await?;
        let r = get().await?.ok_or(StoreError::Unknown {
            what: "hemmelighed",
            key: name.to_string(),
        })?;
        Ok(r.try_get(0)?)
    }

    /// A user who logged in through the municipality's identity provider: created on first login (with
    /// a random password nobody knows, so only single sign-on works for them), and on every later login
    /// given the name, role and keys the identity provider sends now. A disabled user stays disabled.
    /// The user a single sign-on identity (issuer + subject) logs in as: the account linked to it,
    /// its role and keys brought up to date from the provider's claims; or, the first time, a new
    /// account of its own. Never an existing account by its username: a provider's
    /// `preferred_username` may equal a local account's name without being that person (issue
    /// 14.7); linking is [`Store::link_sso`], an administrator's act.
    pub async fn sso_user(
        &self,
        issuer: &str,
        subject: &str,
        u: &NewUser,
        now: Timestamp,
    ) -> Result<User> {
        let linked: Option<i64> =
            sqlx::query("SELECT user_id FROM sso_identity WHERE issuer = $1 AND subject = $2")
                .bind(issuer)
                .bind(subject)
                .fetch_optional(&self.pool)
                .await?
                .map(|r| r.try_get(0))
                .transpose()?;
        let id = match linked {
            Some(id) => {
                sqlx::query("UPDATE app_user SET display_name = $1, role = $2, caseworker_key = $3, team_key = $4 WHERE id = $5")
                    .bind(&u.display_name)
                    .bind(u.role.code())
                    .bind(&u.caseworker_key)
                    .bind(&u.team_key)
                    .bind(id)
                    .execute(&self.pool)
                    .await?;
                id
            }
            None => {
                // Its own account: the provider's name if no account has it, else the name with
                // a short tag of the identity, so it cannot take over an existing account.
                let tag = &sha256_hex(&format!("{issuer}\n{subject}"))[..8];
                let name = if self.user_by_name(&u.username).await?.is_none() {
                    u.username.clone()
                } else {
                    format!("{} (sso-{tag})", u.username)
                };
                let created = self
                    .add_user(
                        &NewUser {
                            username: name,
                            ..u.clone()
                        },
                        &random_hex(32),
                        now,
                    )
                    .await?;
                sqlx::query("INSERT INTO sso_identity (issuer, subject, user_id, linked_by, linked_at) VALUES ($1, $2, $3, $4, $5)")
                    .bind(issuer)
                    .bind(subject)
                    .bind(created.id)
                    .bind("første login")
                    .bind(now.to_string())
                    .execute(&self.pool)
                    .await?;
                created.id
            }
        };
        self.user_by_id(id)
            .await?
            .ok_or_else(|| StoreError::Unknown {
                what: "bruger",
                key: id.to_string(),
            })
    }

    /// Links a single sign-on identity to an existing account (an administrator's act): from then
    /// on that identity logs in as that account. Replaces an earlier link of the identity.
    pub async fn link_sso(
        &self,
        username: &str,
        issuer: &str,
        subject: &str,
        by: &str,
        now: Timestamp,
    ) -> Result<bool> {
        let Some(user) = self.user_by_name(username).await? else {
            return Ok(false);
        };
        let mut tx = self.pool.begin().await?;
        sqlx::query("DELETE FROM sso_identity WHERE issuer = $1 AND subject = $2")
            .bind(issuer)
            .bind(subject)
            .execute(&mut *tx)
            .await?;
        sqlx::query("INSERT INTO sso_identity (issuer, subject, user_id, linked_by, linked_at) VALUES ($1, $2, $3, $4, $5)")
            .bind(issuer)
            .bind(subject)
            .bind(user.id)
            .bind(by)
            .bind(now.to_string())
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Ends every session (everyone must log in again); returns how many there were.
    pub async fn end_all_sessions(&self) -> Result<u64> {
        Ok(sqlx::query("DELETE FROM app_session")
            .execute(&self.pool)
            .await?
            .rows_affected())
    }

    /// Replaces a named secret with a new random one (e.g. the pseudonym key: every pseudonym changes).
    pub async fn rotate_secret(&self, name: &str, now: Timestamp) -> Result<()> {
        let mut tx = self.pool.begin().await?;
        sqlx::query("DELETE FROM app_secret WHERE name = $1")
            .bind(name)
            .execute(&mut *tx)
            .await?;
        sqlx::query("INSERT INTO app_secret (name, value, created_at) VALUES ($1, $2, $3)")
            .bind(name)
            .bind(random_hex(32))
            .bind(now.to_string())
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn delete_session(&self, token: &str) -> Result<()> {
        sqlx::query("DELETE FROM app_session WHERE token_hash = $1")
            .bind(sha256_hex(token))
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}
