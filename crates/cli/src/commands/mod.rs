//! The subcommands, one module each. Each loads data, asks the core, and prints a Danish table or
//! JSON. This module holds the dispatch and what several commands share (the store, the data source,
//! the filter by team, caseworker or course).

use std::collections::HashMap;
use std::path::Path;

use kadence_core::date::{Day, Month};
use kadence_core::dk;
use kadence_core::dk::local_time;
use kadence_core::duties::{evaluate, CourseStatus, Duty, DutyKind, LocalResult, Status};
use kadence_core::figures::{Figures, MeasureQuery, Measured};
use kadence_core::measures::{
    compute, Definition, Group, MeasureKind, MeasureResult, Owners, Split,
};
use kadence_core::model::*;
use kadence_core::municipal::{SettingsHistory, SettingsVersion};
use kadence_core::reconcile::{reconcile, Reason};
use kadence_core::rules::RuleBook;
use kadence_core::worklist::{conversations_text, days_text, flags, urgency_by};
use kadence_synth::{generate, Params};
use serde::Serialize;

use crate::table::Table;
use crate::{
    parse_as_of, parse_month, ByArg, Cli, Command, DefinitionArg, Exit, Failure, Format,
    MeasureArg, Preset, RotateArg, SnapshotArg, SourceArgs,
};
use crate::{AuditAction, JobindsatsCommand, SettingsCommand, TargetsCommand, UserCommand};

mod agenda;
mod audit;
mod committee;
mod demo;
mod import;
mod jobindsats;
mod measure;
mod retention;
mod serve;
mod settings;
mod snapshot;
mod status;
mod targets;
mod user;

pub fn run(cli: Cli) -> Result<(), Failure> {
    match cli.command {
        Command::Generate {
            out,
            db,
            preset,
            seed,
            forloeb_pr_aar,
            as_of,
        } => {
            let as_of = parse_as_of(&as_of)?;
            let summary = generate_into(&out, preset, seed, forloeb_pr_aar, as_of)?;
            println!("{summary}");
            if let Some(db) = db {
                import::import(&[out], &db, false, None)?;
            }
            Ok(())
        }
        Command::Import {
            paths,
            db,
            check,
            jobindsats_tabel,
        } => import::import(&paths, &db, check, jobindsats_tabel.as_deref()),
        Command::Udvalg {
            source,
            maaned,
            as_of,
            pr_team,
            format,
        } => {
            let as_of = parse_as_of(&as_of)?;
            let month = parse_month(&maaned, as_of.month().prev())?;
            let src = load_source(&source)?;
            let r = committee::committee(&src, month, as_of, pr_team, format);
            leave(src);
            r
        }
        Command::Dagsorden {
            source,
            punkt,
            profil,
            tekster,
            moede,
            ud,
            maaned,
            as_of,
            format,
        } => {
            let as_of = parse_as_of(&as_of)?;
            let month = parse_month(&maaned, as_of.month().prev())?;
            let meeting = moede.map(|m| parse_as_of(&Some(m))).transpose()?;
            let src = load_source(&source)?;
            let r = agenda::agenda(
                &src,
                &agenda::Request {
                    kind: punkt.kind(),
                    profile: &profil,
                    texts: tekster.as_deref(),
                    meeting,
                    out: ud.as_deref(),
                    month,
                    as_of,
                },
                format,
            );
            leave(src);
            r
        }
        Command::Status {
            source,
            as_of,
            team,
            sagsbehandler,
            forloeb,
            limit,
            format,
        } => {
            let as_of = parse_as_of(&as_of)?;
            let src = load_source(&source)?;
            let r = status::status(&src, as_of, team, sagsbehandler, forloeb, limit, format);
            leave(src);
            r
        }
        Command::Measure {
            source,
            as_of,
            maal,
            definition,
            fra,
            til,
            opdelt,
            team,
            sagsbehandler,
            afstem,
            egen,
            limit,
            format,
        } => {
            let as_of = parse_as_of(&as_of)?;
            let to = parse_month(&til, as_of.month())?;
            let from = parse_month(&fra, to.plus(-11))?;
            if from > to {
                return Err(Failure::new(
                    Exit::Usage,
                    "--fra skal ligge før eller i samme måned som --til",
                ));
            }
            let args = measure::MeasureArgs {
                kind: kind(maal),
                def: definition,
                from,
                to,
                as_of,
                by: opdelt,
                limit,
                format,
                own: egen,
            };
            // Figures alone need no personal data: the figures' basis is read, a third of the
            // whole population's memory. A reconciliation names courses and citizens.
            if afstem {
                let src = load_source(&source)?;
                let pop = &src.population;
                let filter = Filter::by_owner(&pop.teams, &pop.caseworkers, team, sagsbehandler)?;
                let r = measure::measure(&src, &filter, &args);
                leave(src);
                r
            } else {
                let src = load_measured_source(&source, &args)?;
                let f = &src.population;
                let filter = Filter::by_owner(f.teams(), f.caseworkers(), team, sagsbehandler)?;
                let r = measure::measure(&src, &filter, &args);
                leave(src);
                r
            }
        }
        Command::Demo {
            dir,
            seed,
            addr,
            uden_server,
        } => demo::demo(&dir, seed, &addr, uden_server),
        Command::Serve {
            db,
            addr,
            secure_cookies,
            trusted_proxies,
            security_log,
        } => serve::serve(
            &db,
            &addr,
            serve::Web {
                secure_cookies,
                trusted_proxies,
                security_log,
            },
            None,
        ),
        Command::User(cmd) => user::user(cmd),
        Command::Indstillinger(cmd) => settings::settings(cmd),
        Command::Maal(cmd) => targets::targets(cmd),
        Command::Jobindsats(cmd) => jobindsats::jobindsats(cmd),
        Command::Rotate { what, db } => {
            let store = open_store(&db)?;
            match what {
                RotateArg::Pseudonymnoegle => {
                    block_on(store.rotate_secret("pseudonym", jiff::Timestamp::now()))?
                        .map_err(store_failure)?;
                    println!("Pseudonymnøglen er udskiftet: alle pseudonymer er nye. Genstart webappen, så den bruger den nye nøgle.");
                }
                RotateArg::Sessioner => {
                    let n = block_on(store.end_all_sessions())?.map_err(store_failure)?;
                    println!(
                        "{} sessioner er afsluttet; alle brugere skal logge ind igen.",
                        dk::int(n as i64)
                    );
                }
            }
            Ok(())
        }
        Command::Oejebliksbillede { action, db } => snapshot::snapshot(action, &db),
        Command::Retention {
            dry_run,
            afsluttede_maaneder,
            revisionslog_maaneder,
            as_of,
            limit,
            db,
        } => retention::retention(
            kadence_store::retention::RetentionPolicy {
                closed_months: afsluttede_maaneder,
                audit_months: revisionslog_maaneder,
            },
            &as_of,
            dry_run,
            limit,
            &db,
        ),
        Command::Audit {
            action,
            cpr,
            med_brugere,
            db,
            format,
        } => audit::audit(action, cpr, med_brugere, &db, format),
    }
}

fn kind(m: MeasureArg) -> MeasureKind {
    match m {
        MeasureArg::Foerste => MeasureKind::FirstFollowUpOnTime,
        MeasureArg::Tidlig => MeasureKind::EarlyEffort,
        MeasureArg::Fokus2 => MeasureKind::FocusTarget2,
    }
}

/// Runs a future to completion on a small runtime (the CLI is otherwise synchronous).
fn block_on<F: std::future::Future>(f: F) -> Result<F::Output, Failure> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Failure::new(Exit::Internal, format!("Kan ikke starte: {e}")))?;
    Ok(rt.block_on(f))
}

fn store_failure(e: kadence_store::StoreError) -> Failure {
    Failure::new(Exit::Io, e.to_string())
}

/// Opens the database named by `--db`: a `sqlite://` or `postgres://` URL, or a path to a SQLite file.
fn open_store(db: &str) -> Result<kadence_store::Store, Failure> {
    // A database of an earlier version is brought up to this one's schema first: said on standard
    // error, as it can take a while (docs/cli.md).
    let say = |m: &str| eprintln!("{m}");
    let open = async {
        if db.starts_with("sqlite:") || db.starts_with("postgres:") || db.starts_with("postgresql:")
        {
            kadence_store::Store::open_announcing(db, &say).await
        } else {
            kadence_store::Store::open_sqlite_announcing(Path::new(db), &say).await
        }
    };
    let store = block_on(open)?.map_err(store_failure)?;
    // The audit chain's ends outside the database (docs/security.md): beside an SQLite file by
    // default, wherever KADENCE_AUDIT_HEAD and KADENCE_ANCHOR_KEY_FILE say (PostgreSQL: only there).
    let default = store
        .sqlite_file()
        .map(kadence_store::witness::AuditWitness::beside)
        .unwrap_or_default();
    let witness = default.with_overrides(|k| std::env::var(k).ok());
    Ok(store.with_audit_witness(witness))
}

/// What `status` and `measure` read: the data, and the settings with their history.
struct Source<P = Population> {
    /// The whole population, or the figures' basis (`kadence measure` without a reconciliation).
    population: P,
    settings: SettingsHistory,
    /// The committee's stored Jobindsats figures and targets (none with `--data`).
    jobindsats: kadence_core::committee::external::Jobindsats,
    targets: kadence_core::committee::targets::Targets,
}

impl<P> Source<P> {
    /// The settings in force on `as_of`, announced on standard error (every figure names them).
    fn settings_on(&self, as_of: Day) -> &std::sync::Arc<SettingsVersion> {
        let v = self.settings.in_force_on(as_of);
        eprintln!("Indstillinger pr. {}: {}.", as_of.dk(), v.label());
        v
    }
}

/// The end of a command that loaded a population: the process ends next, and the operating system
/// takes its memory back at once, where dropping it would give back millions of allocations one
/// by one (a measurable part of a cold `kadence measure` on the whole country: docs/performance.md).
fn leave<P>(src: Source<P>) {
    std::mem::forget(src);
}

/// Reads the database's current data and settings (or export files with the default settings, with
/// `--data`).
fn load_source(source: &SourceArgs) -> Result<Source, Failure> {
    if let Some(data) = &source.data {
        return Ok(Source {
            population: load(data)?,
            settings: SettingsHistory::default(),
            jobindsats: Default::default(),
            targets: Default::default(),
        });
    }
    let store = open_store(&source.db)?;
    let snapshot = block_on(store.load())?.map_err(store_failure)?;
    announce(
        &snapshot.source,
        snapshot.population.courses.len(),
        &snapshot.latest,
        source,
    )?;
    Ok(Source {
        population: snapshot.population,
        settings: snapshot.settings,
        jobindsats: snapshot.jobindsats,
        targets: snapshot.targets,
    })
}

/// The same for one measure's figures alone: the measure of the figures' basis, without personal
/// data, each part of the snapshot measured as it is read (`Store::measure_figures`).
fn load_measured_source(
    source: &SourceArgs,
    args: &measure::MeasureArgs,
) -> Result<Source<Measured>, Failure> {
    let query = |settings: &SettingsHistory| -> Result<MeasureQuery, Failure> {
        let (book, def, _) = measure::definitions(settings.in_force_on(args.as_of), args)?;
        Ok(MeasureQuery {
            book,
            kind: args.kind,
            def,
            from: args.from,
            to: args.to,
            as_of: args.as_of,
        })
    };
    if source.data.is_some() {
        let whole = load_source(source)?;
        let q = query(&whole.settings)?;
        return Ok(Source {
            population: Measured::of(&Figures::from(whole.population), &q),
            settings: whole.settings,
            jobindsats: whole.jobindsats,
            targets: whole.targets,
        });
    }
    let store = open_store(&source.db)?;
    // The settings first: the measure is asked of the reader by the definition in force.
    let (settings, snapshot) = block_on(async {
        let settings = store.settings_history().await.map_err(store_failure)?;
        let q = query(&settings)?;
        let snapshot = store.measure_figures(q).await.map_err(store_failure)?;
        Ok::<_, Failure>((settings, snapshot))
    })??;
    announce(
        &snapshot.source,
        snapshot.figures.courses(),
        &snapshot.latest,
        source,
    )?;
    Ok(Source {
        population: snapshot.figures,
        settings,
        jobindsats: Default::default(),
        targets: Default::default(),
    })
}

/// Says on standard error where the population came from when not from its snapshot, and which
/// import the data are from; refuses a database with no data.
fn announce(
    from: &kadence_store::PopulationSource,
    courses: usize,
    latest: &Option<kadence_store::BatchInfo>,
    source: &SourceArgs,
) -> Result<(), Failure> {
    if let kadence_store::PopulationSource::Tables { why, kept } = from {
        eprintln!(
            "Populationen er læst fra tabellerne ({why}){}.",
            if *kept {
                "; et nyt øjebliksbillede er gemt til næste gang"
            } else {
                ""
            }
        );
    }
    if courses == 0 {
        return Err(Failure::new(
            Exit::NoData,
            format!("Der er ikke importeret data endnu i {}. Kør «kadence demo» eller «kadence import MAPPE».", source.db),
        ));
    }
    if let Some(b) = latest {
        eprintln!(
            "Data fra import nr. {} {} ({}).",
            b.id,
            local_time(&b.finished_at),
            b.files
                .iter()
                .map(|f| f.name.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    Ok(())
}

fn load(path: &Path) -> Result<Population, Failure> {
    if !path.exists() {
        return Err(Failure::new(
            Exit::Io,
            format!(
                "Mappen eller filen {} findes ikke. Dan data med «kadence generate --out {}».",
                path.display(),
                path.display()
            ),
        ));
    }
    let loaded = kadence_import::read_paths(&[path])?;
    for w in &loaded.warnings {
        eprintln!("advarsel: {w}");
    }
    Ok(loaded.population)
}

fn generate_into(
    out: &Path,
    preset: Preset,
    seed: u64,
    per_year: Option<u32>,
    as_of: Day,
) -> Result<String, Failure> {
    let mut p = match preset {
        Preset::Kommune => Params::municipality(seed, as_of),
        Preset::Vesthimmerland => Params::vesthimmerland_2021(seed),
        Preset::Land => Params::national(seed, as_of),
    };
    if let Some(n) = per_year {
        p = p.with_courses_per_year(n);
    }
    let pop = generate(&p);
    let paths = kadence_import::write_dir(&pop, out).map_err(|e| {
        Failure::new(
            Exit::Io,
            format!("Kan ikke skrive til {}: {e}", out.display()),
        )
    })?;
    Ok(format!(
        "Syntetisk kommune dannet (frø {seed}, eksportdato {}): {} forløb, {} samtaler, {} sagsbehandlere i {} teams.\nSkrevet: {}",
        p.as_of.dk(),
        dk::int(pop.courses.len() as i64),
        dk::int(pop.conversation_count() as i64),
        pop.caseworkers.len(),
        pop.teams.len(),
        paths.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join(", ")
    ))
}

/// Team / caseworker / course filter resolved from the case system's keys.
struct Filter {
    team: Option<TeamId>,
    caseworker: Option<CaseworkerId>,
    course: Option<CourseId>,
}

impl Filter {
    fn new(
        pop: &Population,
        team: Option<String>,
        cw: Option<String>,
        course: Option<String>,
    ) -> Result<Filter, Failure> {
        let mut filter = Filter::by_owner(&pop.teams, &pop.caseworkers, team, cw)?;
        filter.course = match course {
            None => None,
            Some(k) => Some(
                pop.course_by_key(&k)
                    .ok_or_else(|| Failure::new(Exit::Usage, format!("Ukendt forløbs-id «{k}»")))?,
            ),
        };
        Ok(filter)
    }

    /// A filter by team and caseworker only (what the figures' basis can answer).
    fn by_owner(
        teams: &[Team],
        caseworkers: &[Caseworker],
        team: Option<String>,
        cw: Option<String>,
    ) -> Result<Filter, Failure> {
        let team = match team {
            None => None,
            Some(k) => Some(
                teams
                    .iter()
                    .position(|t| t.key == k)
                    .map(|i| TeamId::new(i as u32))
                    .ok_or_else(|| Failure::new(Exit::Usage, format!("Ukendt team-id «{k}»")))?,
            ),
        };
        let caseworker = match cw {
            None => None,
            Some(k) => Some(
                caseworkers
                    .iter()
                    .position(|c| c.key == k)
                    .map(|i| CaseworkerId::new(i as u32))
                    .ok_or_else(|| {
                        Failure::new(Exit::Usage, format!("Ukendt sagsbehandler-id «{k}»"))
                    })?,
            ),
        };
        Ok(Filter {
            team,
            caseworker,
            course: None,
        })
    }

    /// Whether it keeps every course.
    fn is_empty(&self) -> bool {
        self.team.is_none() && self.caseworker.is_none() && self.course.is_none()
    }

    fn keeps<O: Owners + ?Sized>(&self, owners: &O, id: CourseId) -> bool {
        let worker = owners.caseworker_of(id);
        self.course.is_none_or(|x| x == id)
            && self.caseworker.is_none_or(|x| worker == Some(x))
            && self
                .team
                .is_none_or(|x| worker.map(|w| owners.team(w)) == Some(x))
    }
}
