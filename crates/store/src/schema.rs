//! The schema, as ordered migrations applied at start.
//!
//! Portable SQL (it runs unchanged on SQLite and PostgreSQL): `TEXT` and `BIGINT` columns, ISO dates
//! as text (`åååå-mm-dd`, which sorts), no auto-increment (ids are assigned inside the importing
//! transaction). A migration is never edited once released; a change is a new entry. A migration
//! may also have statements for one database alone ([`SQLITE_ONLY`], [`POSTGRES_ONLY`]), run after
//! its portable ones: how SQLite lays out a table, which PostgreSQL has no word for, or where the
//! two number rows differently.

/// (version, name, statements).
pub const MIGRATIONS: &[(i64, &str, &[&str])] = &[
    (
        1,
        "initial schema",
        &[
            "CREATE TABLE import_batch (
            id BIGINT PRIMARY KEY,
            started_at TEXT NOT NULL,
            finished_at TEXT NOT NULL,
            source TEXT NOT NULL,
            rows_read BIGINT NOT NULL,
            courses_inserted BIGINT NOT NULL,
            courses_updated BIGINT NOT NULL,
            courses_unchanged BIGINT NOT NULL,
            rows_repaired BIGINT NOT NULL,
            rows_rejected BIGINT NOT NULL
        )",
            "CREATE TABLE import_file (
            batch_id BIGINT NOT NULL,
            name TEXT NOT NULL,
            size_bytes BIGINT NOT NULL,
            sha256 TEXT NOT NULL,
            rows_read BIGINT NOT NULL,
            encoding TEXT NOT NULL,
            PRIMARY KEY (batch_id, name)
        )",
            "CREATE TABLE team (
            key TEXT PRIMARY KEY,
            name TEXT NOT NULL,
            batch_id BIGINT NOT NULL
        )",
            "CREATE TABLE caseworker (
            key TEXT PRIMARY KEY,
            name TEXT NOT NULL,
            team_key TEXT NOT NULL,
            batch_id BIGINT NOT NULL
        )",
            "CREATE TABLE citizen (
            cpr TEXT PRIMARY KEY,
            name TEXT NOT NULL,
            batch_id BIGINT NOT NULL
        )",
            "CREATE TABLE course (
            key TEXT PRIMARY KEY,
            cpr TEXT NOT NULL,
            kind TEXT NOT NULL,
            first_absence TEXT NOT NULL,
            benefit_start TEXT NOT NULL,
            transition_date TEXT,
            from_course TEXT,
            target_group TEXT NOT NULL,
            category TEXT,
            category_date TEXT,
            early_by TEXT,
            early_date TEXT,
            p13f_marked TEXT,
            p13f_lapsed TEXT,
            end_date TEXT,
            end_reason TEXT,
            caseworker_key TEXT,
            content_hash TEXT NOT NULL,
            batch_id BIGINT NOT NULL
        )",
            "CREATE TABLE conversation (
            course_key TEXT NOT NULL,
            seq BIGINT NOT NULL,
            date TEXT NOT NULL,
            form TEXT NOT NULL,
            held BIGINT NOT NULL,
            caseworker_key TEXT,
            batch_id BIGINT NOT NULL,
            PRIMARY KEY (course_key, seq)
        )",
            "CREATE TABLE standby_period (
            course_key TEXT NOT NULL,
            seq BIGINT NOT NULL,
            start_date TEXT NOT NULL,
            end_date TEXT,
            batch_id BIGINT NOT NULL,
            PRIMARY KEY (course_key, seq)
        )",
            "CREATE TABLE medical_request (
            course_key TEXT NOT NULL,
            seq BIGINT NOT NULL,
            form TEXT NOT NULL,
            sent TEXT NOT NULL,
            deadline TEXT,
            received TEXT,
            batch_id BIGINT NOT NULL,
            PRIMARY KEY (course_key, seq)
        )",
            "CREATE TABLE rehab_meeting (
            course_key TEXT NOT NULL,
            seq BIGINT NOT NULL,
            date TEXT NOT NULL,
            basis TEXT NOT NULL,
            batch_id BIGINT NOT NULL,
            PRIMARY KEY (course_key, seq)
        )",
        ],
    ),
    (
        2,
        "users, sessions and the audit log",
        &[
            "CREATE TABLE app_user (
            id BIGINT PRIMARY KEY,
            username TEXT NOT NULL UNIQUE,
            display_name TEXT NOT NULL,
            role TEXT NOT NULL,
            caseworker_key TEXT,
            team_key TEXT,
            password_hash TEXT NOT NULL,
            disabled BIGINT NOT NULL,
            failed_logins BIGINT NOT NULL,
            locked_until TEXT,
            created_at TEXT NOT NULL
        )",
            // The session token itself is never stored: only its SHA-256.
            "CREATE TABLE app_session (
            token_hash TEXT PRIMARY KEY,
            user_id BIGINT NOT NULL,
            csrf_token TEXT NOT NULL,
            created_at TEXT NOT NULL,
            last_seen TEXT NOT NULL
        )",
            // Append-only; every entry carries the hash of the previous one (kadence audit verify).
            "CREATE TABLE audit_log (
            seq BIGINT PRIMARY KEY,
            at TEXT NOT NULL,
            username TEXT NOT NULL,
            cpr TEXT,
            course_key TEXT,
            action TEXT NOT NULL,
            purpose TEXT NOT NULL,
            prev_hash TEXT NOT NULL,
            hash TEXT NOT NULL
        )",
            "CREATE INDEX audit_log_cpr ON audit_log (cpr)",
        ],
    ),
    (
        3,
        "the audit log as one hash-chained event per look-up",
        &[
            // One row per look-up (a page of 50 citizens is one row): appending at the end of the
            // table instead of 50 rows and 50 random index writes per page. `subjects` holds one
            // `cpr course_key` line per citizen; `format` says how `hash` was computed (1: copied from
            // audit_log, one citizen per row, hashed as then; 2: an event). See kadence_store::audit.
            "CREATE TABLE audit_event (
            seq BIGINT PRIMARY KEY,
            at TEXT NOT NULL,
            username TEXT NOT NULL,
            action TEXT NOT NULL,
            purpose TEXT NOT NULL,
            subjects TEXT NOT NULL,
            format BIGINT NOT NULL,
            prev_hash TEXT NOT NULL,
            hash TEXT NOT NULL
        )",
            // The old entries keep their hashes and their place in the chain.
            "INSERT INTO audit_event (seq, at, username, action, purpose, subjects, format, prev_hash, hash)
            SELECT seq, at, username, action, purpose, COALESCE(cpr, '') || ' ' || COALESCE(course_key, ''), 1, prev_hash, hash
            FROM audit_log",
            "DROP TABLE audit_log",
        ],
    ),
    (
        4,
        "reassignments made in Kadence",
        &[
            // A team lead's move of a course to another caseworker. It holds while the case system
            // still names the caseworker it named when the move was made (`from_caseworker_key`);
            // once an import names anyone else, the case system's word wins again.
            "CREATE TABLE reassignment (
            seq BIGINT PRIMARY KEY,
            course_key TEXT NOT NULL,
            from_caseworker_key TEXT,
            to_caseworker_key TEXT NOT NULL,
            by_user TEXT NOT NULL,
            at TEXT NOT NULL
        )",
        ],
    ),
    (
        5,
        "retention: where the audit chain starts after old events are deleted",
        &[
            // When events past their retention period are deleted, the last deleted event's sequence
            // number and hash are kept here, and verification starts from them.
            "CREATE TABLE audit_anchor (
            seq BIGINT PRIMARY KEY,
            hash TEXT NOT NULL,
            at TEXT NOT NULL
        )",
        ],
    ),
    (
        6,
        "server secrets",
        &[
            // Random keys the server needs across restarts (the pseudonym key for analysts' lists).
            "CREATE TABLE app_secret (
            name TEXT PRIMARY KEY,
            value TEXT NOT NULL,
            created_at TEXT NOT NULL
        )",
        ],
    ),
    (
        7,
        "a counter of changes to the data",
        &[
            // Raised in the same transaction as every change to what a snapshot holds (an import, a
            // move, retention), so a running server notices changes made by another process.
            "CREATE TABLE data_generation (
            id BIGINT PRIMARY KEY,
            generation BIGINT NOT NULL
        )",
            "INSERT INTO data_generation (id, generation) VALUES (1, 0)",
        ],
    ),
    (
        8,
        "the employment reform's facts on a course (lov 1750/2025 § 13 f; the 2027 reduced rate)",
        &[
            "ALTER TABLE course ADD COLUMN fit26_recorded TEXT",
            "ALTER TABLE course ADD COLUMN asked_by TEXT",
            "ALTER TABLE course ADD COLUMN asked_date TEXT",
            "ALTER TABLE course ADD COLUMN decided_date TEXT",
            "ALTER TABLE course ADD COLUMN unemployed_date TEXT",
            "ALTER TABLE course ADD COLUMN reduced_rate_date TEXT",
        ],
    ),
    (
        9,
        "the municipality's settings, with their history",
        &[
            // One row per version; `body` is the settings file (kadence-settings' TOML) as saved.
            // Never updated or deleted: a change is a new version.
            "CREATE TABLE settings_version (
            version BIGINT PRIMARY KEY,
            effective_from TEXT NOT NULL,
            changed_at TEXT NOT NULL,
            changed_by TEXT NOT NULL,
            reason TEXT NOT NULL,
            body TEXT NOT NULL
        )",
        ],
    ),
    (
        10,
        "the committee's figures: Jobindsats fetches with their figures, and the targets with their history",
        &[
            // One row per fetch of one table (from the API or a downloaded file); never updated.
            "CREATE TABLE jobindsats_fetch (
            id BIGINT PRIMARY KEY,
            table_id TEXT NOT NULL,
            source TEXT NOT NULL,
            origin TEXT NOT NULL,
            fetched_on TEXT NOT NULL,
            fetched_at TEXT NOT NULL,
            fetched_by TEXT NOT NULL,
            update_latest TEXT,
            update_next TEXT
        )",
            // The total rows of a fetch: one per area and month; a missing cell is NULL.
            "CREATE TABLE jobindsats_figure (
            fetch_id BIGINT NOT NULL REFERENCES jobindsats_fetch(id),
            area TEXT NOT NULL,
            period TEXT NOT NULL,
            persons DOUBLE PRECISION,
            full_time DOUBLE PRECISION,
            share_labour_force DOUBLE PRECISION,
            share_population DOUBLE PRECISION,
            PRIMARY KEY (fetch_id, area, period)
        )",
            // Every target or budget entry as entered; the latest per group, kind and period counts
            // from the day it was entered. Never updated or deleted.
            "CREATE TABLE committee_target (
            id BIGINT PRIMARY KEY,
            group_code TEXT NOT NULL,
            kind TEXT NOT NULL,
            year BIGINT NOT NULL,
            month BIGINT,
            value DOUBLE PRECISION NOT NULL,
            entered_on TEXT NOT NULL,
            entered_at TEXT NOT NULL,
            entered_by TEXT NOT NULL,
            source TEXT NOT NULL
        )",
        ],
    ),
    (
        11,
        "signed retention anchors",
        &[
            // HMAC-SHA256 of the anchor under a key kept outside the database (issue 14.3): a row
            // forged to hide deleted events does not verify. Empty for anchors written before.
            "ALTER TABLE audit_anchor ADD COLUMN signature TEXT NOT NULL DEFAULT ''",
        ],
    ),
    (
        12,
        "single sign-on identities",
        &[
            // Who a single sign-on user is: the provider (issuer) and its stable subject id, never
            // a username a provider may reuse (issue 14.7). A local account is linked only by an
            // administrator (`kadence user link-sso`); otherwise the identity gets its own account.
            "CREATE TABLE sso_identity (
            issuer TEXT NOT NULL,
            subject TEXT NOT NULL,
            user_id BIGINT NOT NULL REFERENCES app_user(id),
            linked_by TEXT NOT NULL,
            linked_at TEXT NOT NULL,
            PRIMARY KEY (issuer, subject)
        )",
        ],
    ),
    (
        13,
        "registration dates",
        &[
            // The day the case system recorded a fact (issue 16): a conversation held on 10 March
            // and registered on 2 April did not exist for a list or a figure made on 20 March.
            // NULL where the export has none: the day the fact happened stands in.
            "ALTER TABLE conversation ADD COLUMN registered TEXT",
            "ALTER TABLE standby_period ADD COLUMN registered TEXT",
            "ALTER TABLE medical_request ADD COLUMN received_registered TEXT",
        ],
    ),
    (
        14,
        "the population kept as a snapshot",
        &[
            // The population's own version (issue 15): raised with the change counter by the
            // writes that change the population tables (an import that changed something,
            // retention that deleted something), not by settings, targets or moves, which are
            // read beside the population. It starts above 0 so that a database of an earlier
            // version, with data but no snapshot, has no snapshot of its version and is read
            // from its tables once.
            "ALTER TABLE data_generation ADD COLUMN population_version BIGINT NOT NULL DEFAULT 0",
            "UPDATE data_generation SET population_version = generation + 1",
            // The population as the snapshot file of `snapshot.rs`, cut into chunks (a blob of
            // hundreds of megabytes in one value is more than either database likes to move at
            // once). BYTEA is PostgreSQL's binary type; SQLite stores a blob in it unchanged.
            "CREATE TABLE population_snapshot (
            version BIGINT NOT NULL,
            seq BIGINT NOT NULL,
            bytes BYTEA NOT NULL,
            PRIMARY KEY (version, seq)
        )",
        ],
    ),
    (
        15,
        "the facts kept in their key's order on SQLite",
        // Nothing portable: see `SQLITE_ONLY`.
        &[],
    ),
    (
        16,
        "a course's facts and caseworker joined to it by number",
        // Each database's own: see `by_number!`.
        &[],
    ),
];

/// Migration 16 for one database (issue 15: "integer keys instead of text keys where rows are
/// joined"). Each course and each caseworker gets a number (`id`), assigned by the import (a new
/// one the next above the highest; one stored before keeps its own) and never reused while it is
/// stored. A course's facts name it by that number (`course_id`) where they named its key: 15 M
/// fact rows for the country each carried the course's text key, in the row and in the primary
/// key; a course and a conversation name their caseworker by number (`caseworker_id`; 18 M rows).
/// The keys stay the case system's, unique; moves, the audit log, users and retention keep naming
/// courses and caseworkers by them. Each table is made anew and copied (neither database re-keys
/// a primary key in place), the facts in their course's number's order so that they are appended.
/// (A caseworker's team, 2,500 rows, and a course's citizen, by the CPR number that is the
/// citizen's identity everywhere, keep their keys.)
///
/// `$id`: the number's column type (SQLite's `INTEGER PRIMARY KEY` is the table's own row number,
/// so the course table stays one B-tree by number beside its key's index); `$layout`: after a
/// facts table (SQLite's `WITHOUT ROWID`, as migration 15); `$number`: a stored row's first
/// number, the row as `r` (SQLite's row number, which keeps the rows in the order they were
/// written).
macro_rules! by_number {
    ($id:literal, $layout:literal, $number:literal) => {
        &[
            concat!(
                "CREATE TABLE caseworker_by_id (
            id ",
                $id,
                " PRIMARY KEY,
            key TEXT NOT NULL UNIQUE,
            name TEXT NOT NULL,
            team_key TEXT NOT NULL,
            batch_id BIGINT NOT NULL
        )"
            ),
            concat!(
                "INSERT INTO caseworker_by_id (id, key, name, team_key, batch_id)
            SELECT ",
                $number,
                ", r.key, r.name, r.team_key, r.batch_id FROM caseworker r"
            ),
            concat!(
                "CREATE TABLE course_by_id (
            id ",
                $id,
                " PRIMARY KEY,
            key TEXT NOT NULL UNIQUE,
            cpr TEXT NOT NULL,
            kind TEXT NOT NULL,
            first_absence TEXT NOT NULL,
            benefit_start TEXT NOT NULL,
            transition_date TEXT,
            from_course TEXT,
            target_group TEXT NOT NULL,
            category TEXT,
            category_date TEXT,
            early_by TEXT,
            early_date TEXT,
            p13f_marked TEXT,
            p13f_lapsed TEXT,
            end_date TEXT,
            end_reason TEXT,
            caseworker_id BIGINT,
            content_hash TEXT NOT NULL,
            batch_id BIGINT NOT NULL,
            fit26_recorded TEXT,
            asked_by TEXT,
            asked_date TEXT,
            decided_date TEXT,
            unemployed_date TEXT,
            reduced_rate_date TEXT
        )"
            ),
            concat!(
                "INSERT INTO course_by_id (id, key, cpr, kind, first_absence, benefit_start,
            transition_date, from_course, target_group, category, category_date, early_by,
            early_date, p13f_marked, p13f_lapsed, end_date, end_reason, caseworker_id,
            content_hash, batch_id, fit26_recorded, asked_by, asked_date, decided_date,
            unemployed_date, reduced_rate_date)
            SELECT ",
                $number,
                ", r.key, r.cpr, r.kind, r.first_absence, r.benefit_start,
            r.transition_date, r.from_course, r.target_group, r.category, r.category_date,
            r.early_by, r.early_date, r.p13f_marked, r.p13f_lapsed, r.end_date, r.end_reason,
            w.id, r.content_hash, r.batch_id, r.fit26_recorded, r.asked_by, r.asked_date,
            r.decided_date, r.unemployed_date, r.reduced_rate_date
            FROM course r LEFT JOIN caseworker_by_id w ON w.key = r.caseworker_key"
            ),
            concat!(
                "CREATE TABLE conversation_by_id (
            course_id BIGINT NOT NULL,
            seq BIGINT NOT NULL,
            date TEXT NOT NULL,
            form TEXT NOT NULL,
            held BIGINT NOT NULL,
            caseworker_id BIGINT,
            batch_id BIGINT NOT NULL,
            registered TEXT,
            PRIMARY KEY (course_id, seq)
        )",
                $layout
            ),
            "INSERT INTO conversation_by_id
            SELECT c.id, f.seq, f.date, f.form, f.held, w.id, f.batch_id, f.registered
            FROM course_by_id c JOIN conversation f ON f.course_key = c.key
            LEFT JOIN caseworker_by_id w ON w.key = f.caseworker_key
            ORDER BY c.id, f.seq",
            concat!(
                "CREATE TABLE standby_period_by_id (
            course_id BIGINT NOT NULL,
            seq BIGINT NOT NULL,
            start_date TEXT NOT NULL,
            end_date TEXT,
            batch_id BIGINT NOT NULL,
            registered TEXT,
            PRIMARY KEY (course_id, seq)
        )",
                $layout
            ),
            "INSERT INTO standby_period_by_id
            SELECT c.id, f.seq, f.start_date, f.end_date, f.batch_id, f.registered
            FROM course_by_id c JOIN standby_period f ON f.course_key = c.key
            ORDER BY c.id, f.seq",
            concat!(
                "CREATE TABLE medical_request_by_id (
            course_id BIGINT NOT NULL,
            seq BIGINT NOT NULL,
            form TEXT NOT NULL,
            sent TEXT NOT NULL,
            deadline TEXT,
            received TEXT,
            batch_id BIGINT NOT NULL,
            received_registered TEXT,
            PRIMARY KEY (course_id, seq)
        )",
                $layout
            ),
            "INSERT INTO medical_request_by_id
            SELECT c.id, f.seq, f.form, f.sent, f.deadline, f.received, f.batch_id,
                f.received_registered
            FROM course_by_id c JOIN medical_request f ON f.course_key = c.key
            ORDER BY c.id, f.seq",
            concat!(
                "CREATE TABLE rehab_meeting_by_id (
            course_id BIGINT NOT NULL,
            seq BIGINT NOT NULL,
            date TEXT NOT NULL,
            basis TEXT NOT NULL,
            batch_id BIGINT NOT NULL,
            PRIMARY KEY (course_id, seq)
        )",
                $layout
            ),
            "INSERT INTO rehab_meeting_by_id
            SELECT c.id, f.seq, f.date, f.basis, f.batch_id
            FROM course_by_id c JOIN rehab_meeting f ON f.course_key = c.key
            ORDER BY c.id, f.seq",
            "DROP TABLE conversation",
            "DROP TABLE standby_period",
            "DROP TABLE medical_request",
            "DROP TABLE rehab_meeting",
            "DROP TABLE course",
            "DROP TABLE caseworker",
            "ALTER TABLE caseworker_by_id RENAME TO caseworker",
            "ALTER TABLE course_by_id RENAME TO course",
            "ALTER TABLE conversation_by_id RENAME TO conversation",
            "ALTER TABLE standby_period_by_id RENAME TO standby_period",
            "ALTER TABLE medical_request_by_id RENAME TO medical_request",
            "ALTER TABLE rehab_meeting_by_id RENAME TO rehab_meeting",
        ]
    };
}

/// Statements for PostgreSQL alone, by migration version (run after that version's portable ones).
pub const POSTGRES_ONLY: &[(i64, &[&str])] = &[(
    16,
    // A stored row's first number by its key's order (a heap table has no order of its own).
    by_number!("BIGINT", "", "ROW_NUMBER() OVER (ORDER BY r.key)"),
)];

/// Statements for SQLite alone, by migration version (run after that version's portable ones).
pub const SQLITE_ONLY: &[(i64, &[&str])] = &[
    (
        15,
        // A course's facts as SQLite `WITHOUT ROWID` tables, stored in their primary key's order
        // (course, number) in one B-tree, where a rowid table kept each row twice: in the table by
        // rowid and in the key's index. The national import writes 15 M such rows: 34-35 -> 31 s on
        // the project's machine, the file 2.72 -> 2.31 GB (docs/performance.md); a course's facts
        // are also found and deleted in one look-up. Each table is made anew, copied and renamed
        // (SQLite cannot change a table's layout in place), with the columns of migration 13 last,
        // where `ADD COLUMN` put them. PostgreSQL keeps its heap tables and their key indexes.
        &[
            "CREATE TABLE conversation_by_key (
            course_key TEXT NOT NULL,
            seq BIGINT NOT NULL,
            date TEXT NOT NULL,
            form TEXT NOT NULL,
            held BIGINT NOT NULL,
            caseworker_key TEXT,
            batch_id BIGINT NOT NULL,
            registered TEXT,
            PRIMARY KEY (course_key, seq)
        ) WITHOUT ROWID",
            "INSERT INTO conversation_by_key
            SELECT course_key, seq, date, form, held, caseworker_key, batch_id, registered
            FROM conversation",
            "DROP TABLE conversation",
            "ALTER TABLE conversation_by_key RENAME TO conversation",
            "CREATE TABLE standby_period_by_key (
            course_key TEXT NOT NULL,
            seq BIGINT NOT NULL,
            start_date TEXT NOT NULL,
            end_date TEXT,
            batch_id BIGINT NOT NULL,
            registered TEXT,
            PRIMARY KEY (course_key, seq)
        ) WITHOUT ROWID",
            "INSERT INTO standby_period_by_key
            SELECT course_key, seq, start_date, end_date, batch_id, registered
            FROM standby_period",
            "DROP TABLE standby_period",
            "ALTER TABLE standby_period_by_key RENAME TO standby_period",
            "CREATE TABLE medical_request_by_key (
            course_key TEXT NOT NULL,
            seq BIGINT NOT NULL,
            form TEXT NOT NULL,
            sent TEXT NOT NULL,
            deadline TEXT,
            received TEXT,
            batch_id BIGINT NOT NULL,
            received_registered TEXT,
            PRIMARY KEY (course_key, seq)
        ) WITHOUT ROWID",
            "INSERT INTO medical_request_by_key
            SELECT course_key, seq, form, sent, deadline, received, batch_id, received_registered
            FROM medical_request",
            "DROP TABLE medical_request",
            "ALTER TABLE medical_request_by_key RENAME TO medical_request",
            "CREATE TABLE rehab_meeting_by_key (
            course_key TEXT NOT NULL,
            seq BIGINT NOT NULL,
            date TEXT NOT NULL,
            basis TEXT NOT NULL,
            batch_id BIGINT NOT NULL,
            PRIMARY KEY (course_key, seq)
        ) WITHOUT ROWID",
            "INSERT INTO rehab_meeting_by_key
            SELECT course_key, seq, date, basis, batch_id
            FROM rehab_meeting",
            "DROP TABLE rehab_meeting",
            "ALTER TABLE rehab_meeting_by_key RENAME TO rehab_meeting",
        ],
    ),
    (16, by_number!("INTEGER", " WITHOUT ROWID", "r.rowid")),
];
