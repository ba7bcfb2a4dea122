//! The subcommands. Each loads data, asks the core, and prints a Danish table or JSON.

use std::collections::HashMap;
use std::path::Path;

use kadence_core::date::{Day, Month};
use kadence_core::dk;
use kadence_core::dk::local_time;
use kadence_core::duties::{evaluate, CourseStatus, Duty, DutyKind, LocalResult, Status};
use kadence_core::measures::{compute, Definition, Group, MeasureKind, MeasureResult, Split};
use kadence_core::model::*;
use kadence_core::reconcile::{reconcile, Reason};
use kadence_core::rules::RuleBook;
use kadence_core::settings::Settings;
use kadence_core::worklist::{conversations_text, days_text, flags, urgency};
use kadence_synth::{generate, Params};
use serde::Serialize;

use crate::table::Table;
use crate::{
    parse_as_of, parse_month, ByArg, Cli, Command, DefinitionArg, Exit, Failure, Format,
    MeasureArg, Preset, RotateArg, SourceArgs,
};
use crate::{AuditAction, UserCommand};

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
                import(&[out], &db, false)?;
            }
            Ok(())
        }
        Command::Import { paths, db, check } => import(&paths, &db, check),
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
            let pop = load_source(&source)?;
            status(&pop, as_of, team, sagsbehandler, forloeb, limit, format)
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
            limit,
            format,
        } => {
            let as_of = parse_as_of(&as_of)?;
            let pop = load_source(&source)?;
            let to = parse_month(&til, as_of.month())?;
            let from = parse_month(&fra, to.plus(-11))?;
            if from > to {
                return Err(Failure::new(
                    Exit::Usage,
                    "--fra skal ligge før eller i samme måned som --til",
                ));
            }
            let filter = Filter::new(&pop, team, sagsbehandler, None)?;
            let args = MeasureArgs {
                kind: kind(maal),
                def: definition,
                from,
                to,
                as_of,
                by: opdelt,
                limit,
                format,
            };
            measure(&pop, &filter, &args, afstem)
        }
        Command::Demo {
            dir,
            seed,
            addr,
            uden_server,
        } => demo(&dir, seed, &addr, uden_server),
        Command::Serve {
            db,
            addr,
            secure_cookies,
        } => serve(&db, &addr, secure_cookies, None),
        Command::User(cmd) => user(cmd),
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
        Command::Retention {
            dry_run,
            afsluttede_maaneder,
            revisionslog_maaneder,
            as_of,
            limit,
            db,
        } => retention(
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
        } => audit(action, cpr, med_brugere, &db, format),
    }
}

fn kind(m: MeasureArg) -> MeasureKind {
    match m {
        MeasureArg::Foerste => MeasureKind::FirstFollowUpOnTime,
        MeasureArg::Tidlig => MeasureKind::EarlyEffort,
        MeasureArg::Fokus2 => MeasureKind::FocusTarget2,
    }
}

fn definition(d: DefinitionArg) -> (Definition, Definition) {
    match d {
        DefinitionArg::Officiel => (Definition::official(), Definition::internal_legacy()),
        DefinitionArg::Intern => (Definition::internal_legacy(), Definition::official()),
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
    let open = async {
        if db.starts_with("sqlite:") || db.starts_with("postgres:") || db.starts_with("postgresql:")
        {
            kadence_store::Store::open(db).await
        } else {
            kadence_store::Store::open_sqlite(Path::new(db)).await
        }
    };
    block_on(open)?.map_err(store_failure)
}

/// Reads the database's current data (or export files, with `--data`).
fn load_source(source: &SourceArgs) -> Result<Population, Failure> {
    if let Some(data) = &source.data {
        return load(data);
    }
    let store = open_store(&source.db)?;
    let snapshot = block_on(store.load())?.map_err(store_failure)?;
    if snapshot.population.courses.is_empty() {
        return Err(Failure::new(
            Exit::NoData,
            format!("Der er ikke importeret data endnu i {}. Kør «kadence demo» eller «kadence import MAPPE».", source.db),
        ));
    }
    if let Some(b) = &snapshot.latest {
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
    Ok(snapshot.population)
}

fn import(paths: &[std::path::PathBuf], db: &str, check: bool) -> Result<(), Failure> {
    let refs: Vec<&Path> = paths.iter().map(|p| p.as_path()).collect();
    for p in &refs {
        if !p.exists() {
            return Err(Failure::new(
                Exit::Io,
                format!("{} findes ikke.", p.display()),
            ));
        }
    }
    let loaded = kadence_import::read_paths(&refs)?;
    for w in &loaded.warnings {
        eprintln!("advarsel: {w}");
    }
    let rows: usize = loaded.files.iter().map(|f| f.rows).sum();
    if check {
        println!(
            "Kontrol gennemført uden fejl: {} filer, {} rækker, {} forløb. Intet er skrevet.",
            loaded.files.len(),
            dk::int(rows as i64),
            dk::int(loaded.population.courses.len() as i64)
        );
        return Ok(());
    }
    // Every file of the import is recorded, the mapping file included.
    let meta: Vec<kadence_store::FileMeta> = loaded
        .sources
        .iter()
        .map(|f| {
            let report = loaded.files.iter().find(|r| r.name == f.name);
            kadence_store::FileMeta {
                name: f.name.clone(),
                size_bytes: f.size_bytes,
                sha256: f.sha256.clone(),
                rows: report.map_or(0, |r| r.rows as u64),
                encoding: match report {
                    Some(r) => r.encoding.label(),
                    None if kadence_import::mapping::is_mapping_file(&f.name) => "mapping",
                    None => "ignoreret",
                }
                .to_string(),
            }
        })
        .collect();
    let store = open_store(db)?;
    let mut bar: Option<indicatif::ProgressBar> = None;
    let progress = |done: u64, total: u64| {
        if bar.is_none() {
            eprintln!("Skriver {} forløb til databasen ...", dk::int(total as i64));
            let b = indicatif::ProgressBar::new(total);
            b.set_style(
                indicatif::ProgressStyle::with_template(
                    "{bar:40} {pos}/{len} forløb ({eta} tilbage)",
                )
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
            );
            bar = Some(b);
        }
        if let Some(b) = &bar {
            b.set_position(done);
        }
    };
    let summary = block_on(store.import(&loaded, &meta, "kadence import", progress))?
        .map_err(store_failure)?;
    println!(
        "Import nr. {} gennemført i {}: {} rækker læst; forløb: {} nye, {} opdateret, {} uændrede; {} rækker rettet, {} afvist.",
        summary.batch_id,
        db,
        dk::int(summary.rows_read as i64),
        dk::int(summary.courses_inserted as i64),
        dk::int(summary.courses_updated as i64),
        dk::int(summary.courses_unchanged as i64),
        dk::int(summary.rows_repaired as i64),
        dk::int(summary.rows_rejected as i64),
    );
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
        let team = match team {
            None => None,
            Some(k) => Some(
                pop.teams
                    .iter()
                    .position(|t| t.key == k)
                    .map(|i| TeamId(i as u32))
                    .ok_or_else(|| Failure::new(Exit::Usage, format!("Ukendt team-id «{k}»")))?,
            ),
        };
        let caseworker = match cw {
            None => None,
            Some(k) => Some(
                pop.caseworkers
                    .iter()
                    .position(|c| c.key == k)
                    .map(|i| CaseworkerId(i as u32))
                    .ok_or_else(|| {
                        Failure::new(Exit::Usage, format!("Ukendt sagsbehandler-id «{k}»"))
                    })?,
            ),
        };
        let course = match course {
            None => None,
            Some(k) => Some(
                pop.course_by_key(&k)
                    .ok_or_else(|| Failure::new(Exit::Usage, format!("Ukendt forløbs-id «{k}»")))?,
            ),
        };
        Ok(Filter {
            team,
            caseworker,
            course,
        })
    }

    fn keeps(&self, pop: &Population, id: CourseId) -> bool {
        let c = &pop.courses[id.index()];
        self.course.is_none_or(|x| x == id)
            && self.caseworker.is_none_or(|x| c.caseworker == Some(x))
            && self.team.is_none_or(|x| pop.team_of(c) == Some(x))
    }
}

#[derive(Serialize)]
struct DutyOut<'a> {
    #[serde(flatten)]
    duty: &'a Duty,
    title: String,
    status_label: &'static str,
    explanation: String,
}

impl<'a> DutyOut<'a> {
    fn new(duty: &'a Duty) -> DutyOut<'a> {
        DutyOut {
            duty,
            title: duty.title(),
            status_label: duty.status.label(),
            explanation: duty.explain(),
        }
    }
}

#[derive(Serialize)]
struct CourseOut<'a> {
    course: &'a str,
    cpr: String,
    kind: CourseKind,
    first_absence: Day,
    benefit_start: Day,
    caseworker: Option<&'a str>,
    team: Option<&'a str>,
    active: bool,
    days_since_first_absence: i32,
    conversations_held: u16,
    last_conversation: Option<Day>,
    in_standby: bool,
    flags: Vec<String>,
    next_deadline: Option<DutyOut<'a>>,
    duties: Vec<DutyOut<'a>>,
    local: &'a [LocalResult],
}

#[derive(Serialize)]
struct StatusOut<'a> {
    as_of: Day,
    total: usize,
    shown: usize,
    courses: Vec<CourseOut<'a>>,
}

fn status(
    pop: &Population,
    as_of: Day,
    team: Option<String>,
    cw: Option<String>,
    course: Option<String>,
    limit: usize,
    format: Format,
) -> Result<(), Failure> {
    let single = course.is_some();
    let filter = Filter::new(pop, team, cw, course)?;
    let book = RuleBook::danish();
    let settings = Settings::default();
    let mut rows: Vec<(CourseId, CourseStatus)> = pop
        .course_ids()
        .filter(|id| filter.keeps(pop, *id))
        .map(|id| (id, evaluate(pop.facts(id), &book, &settings, as_of)))
        .filter(|(_, st)| single || st.active)
        .collect();
    rows.sort_by_key(|(id, st)| (urgency(st), pop.courses[id.index()].key.clone()));
    let total = rows.len();
    rows.truncate(if single { 1 } else { limit });
    let outs: Vec<CourseOut<'_>> = rows
        .iter()
        .map(|(id, st)| {
            let c = &pop.courses[id.index()];
            CourseOut {
                course: &c.key,
                cpr: pop.citizens[c.citizen.index()].cpr.masked(),
                kind: c.kind,
                first_absence: c.first_absence,
                benefit_start: c.benefit_start,
                caseworker: c
                    .caseworker
                    .map(|x| pop.caseworkers[x.index()].key.as_str()),
                team: pop.team_of(c).map(|t| pop.teams[t.index()].key.as_str()),
                active: st.active,
                days_since_first_absence: st.days_since_first_absence,
                conversations_held: st.conversations_held,
                last_conversation: st.last_conversation,
                in_standby: st.in_standby,
                flags: flags(pop, *id, st),
                next_deadline: st.next_deadline().map(DutyOut::new),
                duties: st.duties.iter().map(DutyOut::new).collect(),
                local: &st.local,
            }
        })
        .collect();
    if format == Format::Json {
        let out = StatusOut {
            as_of,
            total,
            shown: outs.len(),
            courses: outs,
        };
        println!(
            "{}",
            serde_json::to_string_pretty(&out)
                .map_err(|e| Failure::new(Exit::Internal, e.to_string()))?
        );
        return Ok(());
    }
    if single {
        let Some(c) = outs.first() else { return Ok(()) };
        println!(
            "Forløb {} ({}), CPR {}, pr. {}",
            c.course,
            kind_word(c.kind),
            c.cpr,
            as_of.dk()
        );
        println!(
            "1. fraværsdag {} · ydelsesstart (KSD) {} · dag {} i forløbet · {} samtaler holdt{}",
            c.first_absence.dk(),
            c.benefit_start.dk(),
            c.days_since_first_absence + 1,
            c.conversations_held,
            c.last_conversation
                .map(|d| format!(", seneste {}", d.dk()))
                .unwrap_or_default()
        );
        println!("Bemærk: lovens frister regnes fra første fraværsdag, ikke fra ydelsesstart.\n");
        let mut t = Table::new(["Pligt", "Status", "Frist", "Dage", "§"]);
        for d in &c.duties {
            t.row([
                d.title.clone(),
                d.status_label.to_string(),
                d.duty.due.map(|x| x.dk().to_string()).unwrap_or_default(),
                d.duty
                    .days_left
                    .filter(|_| d.duty.status.is_actionable())
                    .map(days_text)
                    .unwrap_or_default(),
                format!("{} ({})", d.duty.paragraph, d.duty.rule_set),
            ]);
        }
        print!("{}", t.render());
        println!();
        for d in &c.duties {
            println!("- {}", d.explanation);
        }
        for l in c.local {
            println!(
                "- Lokalt mål (ikke lovkrav) «{}»: {} af {} inden {} - {}",
                l.name,
                l.counted,
                l.required,
                l.window.1.dk(),
                l.status.label()
            );
        }
        for f in &c.flags {
            println!("! {f}");
        }
        return Ok(());
    }
    println!(
        "Aktive forløb pr. {}: viser {} af {}, mest presserende først.",
        as_of.dk(),
        dk::int(outs.len() as i64),
        dk::int(total as i64)
    );
    let mut t = Table::new([
        "Forløb",
        "CPR-nr.",
        "Dag",
        "Samtaler",
        "Seneste samtale",
        "Næste frist",
        "",
        "Pligt",
        "Hændelser",
    ])
    .right(&[2]);
    for (c, (_, st)) in outs.iter().zip(&rows) {
        let next = st.next_deadline();
        t.row([
            c.course.to_string(),
            c.cpr.clone(),
            (c.days_since_first_absence + 1).to_string(),
            conversations_text(st),
            c.last_conversation
                .map(|d| d.dk().to_string())
                .unwrap_or_else(|| "-".into()),
            next.and_then(|d| d.next_by.or(d.due))
                .map(|d| d.dk().to_string())
                .unwrap_or_else(|| "-".into()),
            next.and_then(|d| d.days_left)
                .map(days_text)
                .unwrap_or_default(),
            next.map(|d| format!("{} ({})", d.title(), d.paragraph))
                .unwrap_or_default(),
            c.flags.join("; "),
        ]);
    }
    print!("{}", t.render());
    Ok(())
}

fn kind_word(k: CourseKind) -> &'static str {
    match k {
        CourseKind::SicknessBenefit => "sygedagpenge",
        CourseKind::JobClarification => "jobafklaring",
    }
}

struct MeasureArgs {
    kind: MeasureKind,
    def: DefinitionArg,
    from: Month,
    to: Month,
    as_of: Day,
    by: ByArg,
    limit: usize,
    format: Format,
}

#[derive(Serialize)]
struct CellOut {
    month: Option<Month>,
    group: Option<String>,
    numerator: u32,
    denominator: u32,
    share: Option<f64>,
    meets_target: Option<bool>,
}

#[derive(Serialize)]
struct MeasureOut<'a> {
    as_of: Day,
    measure: MeasureKind,
    title: &'static str,
    definition: &'a Definition,
    definition_text: String,
    target: Option<kadence_core::measures::Target>,
    from: Month,
    to: Month,
    months: Vec<CellOut>,
    groups: Vec<CellOut>,
    pooled: CellOut,
    six_month_alerts: Vec<Month>,
    #[serde(skip_serializing_if = "Option::is_none")]
    reconciliation: Option<ReconOut>,
}

#[derive(Serialize)]
struct ReconOut {
    against: Definition,
    against_pooled: CellOut,
    differing_courses: usize,
    effects: HashMap<&'static str, usize>,
    reasons: HashMap<&'static str, usize>,
    differences: Vec<DiffOut>,
}

#[derive(Serialize)]
struct DiffOut {
    course: String,
    cpr: String,
    effect: kadence_core::reconcile::Effect,
    reasons: Vec<Reason>,
    explanation: String,
}

fn effect_key(e: kadence_core::reconcile::Effect) -> &'static str {
    use kadence_core::reconcile::Effect;
    match e {
        Effect::Numerator => "numerator",
        Effect::Population => "population",
        Effect::MonthOnly => "month_only",
    }
}

fn group_name(pop: &Population, g: Group) -> Option<String> {
    match g {
        Group::Total => None,
        Group::Team(t) => {
            Some(t.map_or("Ikke fordelt".into(), |t| pop.teams[t.index()].name.clone()))
        }
        Group::Caseworker(c) => Some(c.map_or("Ikke fordelt".into(), |c| {
            pop.caseworkers[c.index()].name.clone()
        })),
    }
}

fn cell_out(pop: &Population, kind: MeasureKind, c: &kadence_core::measures::Cell) -> CellOut {
    CellOut {
        month: c.month,
        group: group_name(pop, c.group),
        numerator: c.numerator,
        denominator: c.denominator,
        share: c.share(),
        meets_target: kind.target().zip(c.share()).map(|(t, s)| t.met_by(s)),
    }
}

fn filtered(r: MeasureResult, pop: &Population, filter: &Filter) -> MeasureResult {
    MeasureResult {
        members: r
            .members
            .into_iter()
            .filter(|m| filter.keeps(pop, m.course))
            .collect(),
        ..r
    }
}

fn share_text(c: &CellOut) -> String {
    c.share.map(dk::percent).unwrap_or_else(|| "-".into())
}

fn measure(
    pop: &Population,
    filter: &Filter,
    a: &MeasureArgs,
    afstem: bool,
) -> Result<(), Failure> {
    let book = RuleBook::danish();
    let (def, other) = definition(a.def);
    let result = filtered(
        compute(pop, &book, a.kind, &def, a.from, a.to, a.as_of),
        pop,
        filter,
    );
    let months_cells = result.cells(pop, Split::Total);
    let split = match a.by {
        ByArg::Maaned => Split::Total,
        ByArg::Team => Split::Team,
        ByArg::Sagsbehandler => Split::Caseworker,
    };
    let groups: Vec<CellOut> = if split == Split::Total {
        Vec::new()
    } else {
        result
            .pooled(pop, split)
            .iter()
            .map(|c| cell_out(pop, a.kind, c))
            .collect()
    };
    let pooled = cell_out(pop, a.kind, &result.pooled(pop, Split::Total)[0]);
    let alerts = result.six_month_alerts(&months_cells);
    let reconciliation = if afstem {
        let rec = reconcile(pop, &book, a.kind, &def, &other, a.from, a.to, a.as_of);
        // Figure-changing differences first (numerator, then population), month-only moves last.
        let mut diffs: Vec<_> = rec
            .differences
            .iter()
            .filter(|d| filter.keeps(pop, d.course))
            .collect();
        diffs.sort_by_key(|d| d.effect());
        let mut effects: HashMap<&'static str, usize> = HashMap::new();
        for d in &diffs {
            *effects.entry(effect_key(d.effect())).or_default() += 1;
        }
        let mut reasons: HashMap<&'static str, usize> = HashMap::new();
        for d in &diffs {
            for r in &d.reasons {
                *reasons
                    .entry(match r {
                        Reason::ClockStart { .. } => "clock_start",
                        Reason::Standby { .. } => "standby",
                        Reason::HalfYearReading { .. } => "half_year_reading",
                        Reason::Exemption13f { .. } => "exemption_13f",
                    })
                    .or_default() += 1;
            }
        }
        let b = filtered(rec.b.clone(), pop, filter);
        Some(ReconOut {
            against: other.clone(),
            against_pooled: cell_out(pop, a.kind, &b.pooled(pop, Split::Total)[0]),
            differing_courses: diffs.len(),
            effects,
            reasons,
            differences: diffs
                .iter()
                .map(|d| {
                    let c = &pop.courses[d.course.index()];
                    DiffOut {
                        course: c.key.clone(),
                        cpr: pop.citizens[c.citizen.index()].cpr.masked(),
                        effect: d.effect(),
                        reasons: d.reasons.clone(),
                        explanation: d.explain(&rec.a.definition, &rec.b.definition),
                    }
                })
                .collect(),
        })
    } else {
        None
    };
    let out = MeasureOut {
        as_of: a.as_of,
        measure: a.kind,
        title: a.kind.title(),
        definition: &def,
        definition_text: def.describe(),
        target: a.kind.target(),
        from: a.from,
        to: a.to,
        months: months_cells
            .iter()
            .map(|c| cell_out(pop, a.kind, c))
            .collect(),
        groups,
        pooled,
        six_month_alerts: alerts,
        reconciliation,
    };
    if a.format == Format::Json {
        println!(
            "{}",
            serde_json::to_string_pretty(&out)
                .map_err(|e| Failure::new(Exit::Internal, e.to_string()))?
        );
        return Ok(());
    }
    println!("{} pr. {}", out.title, a.as_of.dk());
    println!("Definition: {}", out.definition_text);
    if let Some(t) = out.target {
        println!(
            "Mål: {} {}",
            if t.at_least { "mindst" } else { "højst" },
            dk::percent(t.share)
        );
    }
    let target_text = |c: &CellOut| match c.meets_target {
        Some(true) => "nået".to_string(),
        Some(false) => "IKKE nået".to_string(),
        None => String::new(),
    };
    let mut t = Table::new(["Måned", "Tæller", "Nævner", "Andel", "Mål"]).right(&[1, 2, 3]);
    for c in &out.months {
        t.row([
            c.month.map(|m| m.to_string()).unwrap_or_default(),
            dk::int(i64::from(c.numerator)),
            dk::int(i64::from(c.denominator)),
            share_text(c),
            target_text(c),
        ]);
    }
    t.row([
        "I alt".to_string(),
        dk::int(i64::from(out.pooled.numerator)),
        dk::int(i64::from(out.pooled.denominator)),
        share_text(&out.pooled),
        target_text(&out.pooled),
    ]);
    print!("{}", t.render());
    if !out.groups.is_empty() {
        println!();
        let mut t = Table::new([
            if split == Split::Team {
                "Team"
            } else {
                "Sagsbehandler"
            },
            "Tæller",
            "Nævner",
            "Andel",
            "Mål",
        ])
        .right(&[1, 2, 3]);
        for c in &out.groups {
            t.row([
                c.group.clone().unwrap_or_default(),
                dk::int(i64::from(c.numerator)),
                dk::int(i64::from(c.denominator)),
                share_text(c),
                target_text(c),
            ]);
        }
        print!("{}", t.render());
    }
    if !out.six_month_alerts.is_empty() {
        println!(
            "\nSTAR reagerer: seks måneder i træk under målet (med mindst {} borgere) i {}",
            def.min_population,
            out.six_month_alerts
                .iter()
                .map(|m| m.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    if let Some(r) = &out.reconciliation {
        println!(
            "\nAfstemning mod «{}»: {} ({} af {})",
            r.against.name,
            share_text(&r.against_pooled),
            dk::int(i64::from(r.against_pooled.numerator)),
            dk::int(i64::from(r.against_pooled.denominator))
        );
        let n = |k: &str| dk::int(*r.effects.get(k).unwrap_or(&0) as i64);
        println!(
            "{} forløb tælles forskelligt: {} i tælleren under kun den ene, {} måles under kun den ene, {} kun i en anden måned.",
            dk::int(r.differing_courses as i64),
            n("numerator"),
            n("population"),
            n("month_only")
        );
        println!("Årsager:");
        let mut reasons: Vec<_> = r.reasons.iter().collect();
        reasons.sort();
        for (k, n) in reasons {
            let label = match *k {
                "clock_start" => "forskellig startdato for uret",
                "standby" => "standby behandlet forskelligt",
                _ => "forskellig læsning af halvåret",
            };
            println!("  {label}: {}", dk::int(*n as i64));
        }
        for d in r.differences.iter().take(a.limit) {
            println!("- {} ({}): {}", d.course, d.cpr, d.explanation);
        }
        if r.differences.len() > a.limit {
            println!(
                "  ... og {} forløb mere (brug --limit eller --format json)",
                r.differences.len() - a.limit
            );
        }
    }
    Ok(())
}

/// Starts the web app on the database's data; blocks until the process ends.
fn serve(
    db: &str,
    addr: &str,
    secure_cookies: bool,
    banner: Option<String>,
) -> Result<(), Failure> {
    let oidc = oidc_from_env()?;
    let store = open_store(db)?;
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| Failure::new(Exit::Internal, format!("Kan ikke starte: {e}")))?;
    rt.block_on(async {
        let snapshot = store.load().await.map_err(store_failure)?;
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .map_err(|e| Failure::new(Exit::Io, format!("Kan ikke lytte på {addr}: {e}")))?;
        let local = listener
            .local_addr()
            .map_err(|e| Failure::new(Exit::Io, e.to_string()))?;
        let state = kadence_web::AppState::new(
            store,
            std::sync::Arc::new(kadence_store::SnapshotCell::new(snapshot)),
            std::sync::Arc::new(jiff::Timestamp::now),
            kadence_web::Config {
                secure_cookies,
                oidc,
                ..kadence_web::Config::default()
            },
        );
        if let Some(b) = banner {
            println!("{b}");
        }
        println!("Kadence kører på http://{local}/ (stop med Ctrl+C)");
        kadence_web::serve(listener, std::sync::Arc::new(state))
            .await
            .map_err(|e| Failure::new(Exit::Io, format!("Webserveren stoppede: {e}")))
    })
}

/// Single sign-on from `KADENCE_OIDC_*` (docs/security.md); `None` when `KADENCE_OIDC_ISSUER` is unset.
fn oidc_from_env() -> Result<Option<kadence_web::OidcConfig>, Failure> {
    let var = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
    let Some(issuer) = var("KADENCE_OIDC_ISSUER") else {
        return Ok(None);
    };
    if !cfg!(feature = "oidc") {
        return Err(Failure::new(
            Exit::Usage,
            "KADENCE_OIDC_ISSUER er sat, men Kadence er bygget uden kommunens login (byg med --features oidc).",
        ));
    }
    let need = |name: &str| {
        var(name).ok_or_else(|| {
            Failure::new(
                Exit::Usage,
                format!("KADENCE_OIDC_ISSUER er sat, men {name} mangler."),
            )
        })
    };
    let role_map = match var("KADENCE_OIDC_ROLES") {
        None => kadence_web::OidcConfig::default_role_map(),
        Some(spec) => {
            let mut map = std::collections::HashMap::new();
            for pair in spec.split(',').filter(|p| !p.trim().is_empty()) {
                let (claim, role) = pair.split_once('=').ok_or_else(|| {
                    Failure::new(
                        Exit::Usage,
                        format!("KADENCE_OIDC_ROLES: «{pair}» skal have formen værdi=rolle"),
                    )
                })?;
                let role = kadence_store::access::Role::from_code(role.trim()).ok_or_else(|| {
                    Failure::new(
                        Exit::Usage,
                        format!("KADENCE_OIDC_ROLES: ukendt rolle «{}» (sagsbehandler, teamleder, analytiker, administrator)", role.trim()),
                    )
                })?;
                map.insert(claim.trim().to_string(), role);
            }
            map
        }
    };
    Ok(Some(kadence_web::OidcConfig {
        issuer,
        client_id: need("KADENCE_OIDC_CLIENT_ID")?,
        client_secret: need("KADENCE_OIDC_CLIENT_SECRET")?,
        redirect_url: need("KADENCE_OIDC_REDIRECT_URL")?,
        role_claim: var("KADENCE_OIDC_ROLE_CLAIM").unwrap_or_else(|| "roles".into()),
        role_map,
        caseworker_claim: var("KADENCE_OIDC_CASEWORKER_CLAIM")
            .unwrap_or_else(|| "kadence_sagsbehandler_id".into()),
        team_claim: var("KADENCE_OIDC_TEAM_CLAIM").unwrap_or_else(|| "kadence_team_id".into()),
    }))
}

/// A password from KADENCE_PASSWORD or the first line of standard input.
fn read_password() -> Result<String, Failure> {
    let pw = match std::env::var("KADENCE_PASSWORD") {
        Ok(p) => p,
        Err(_) => {
            eprintln!("Adgangskode (mindst 12 tegn):");
            let mut line = String::new();
            std::io::stdin()
                .read_line(&mut line)
                .map_err(|e| Failure::new(Exit::Io, e.to_string()))?;
            line.trim_end_matches(['\r', '\n']).to_string()
        }
    };
    if pw.chars().count() < 12 {
        return Err(Failure::new(
            Exit::Usage,
            "Adgangskoden skal have mindst 12 tegn.",
        ));
    }
    Ok(pw)
}

fn user(cmd: UserCommand) -> Result<(), Failure> {
    use kadence_store::access::{NewUser, Role};
    let not_found = |u: &str| Failure::new(Exit::Usage, format!("Der er ingen bruger «{u}»."));
    match cmd {
        UserCommand::Add {
            brugernavn,
            navn,
            rolle,
            sagsbehandler_id,
            team_id,
            db,
        } => {
            let role = Role::from_code(&rolle).ok_or_else(|| {
                Failure::new(Exit::Usage, format!("Ukendt rolle «{rolle}»; brug sagsbehandler, teamleder, analytiker eller administrator."))
            })?;
            if role == Role::Caseworker && sagsbehandler_id.is_none() {
                return Err(Failure::new(Exit::Usage, "En sagsbehandler skal knyttes til et sagsbehandler-id i data (--sagsbehandler-id)."));
            }
            if role == Role::TeamLead && team_id.is_none() {
                return Err(Failure::new(
                    Exit::Usage,
                    "En teamleder skal knyttes til et team-id i data (--team-id).",
                ));
            }
            let pw = read_password()?;
            let store = open_store(&db)?;
            if block_on(store.user_by_name(&brugernavn))?
                .map_err(store_failure)?
                .is_some()
            {
                return Err(Failure::new(
                    Exit::Usage,
                    format!("Brugeren «{brugernavn}» findes allerede."),
                ));
            }
            let new = NewUser {
                username: brugernavn.clone(),
                display_name: navn,
                role,
                caseworker_key: sagsbehandler_id,
                team_key: team_id,
            };
            block_on(store.add_user(&new, &pw, jiff::Timestamp::now()))?.map_err(store_failure)?;
            println!("Bruger «{brugernavn}» oprettet som {}.", role.code());
        }
        UserCommand::Disable { brugernavn, db } => {
            let store = open_store(&db)?;
            if !block_on(store.set_disabled(&brugernavn, true))?.map_err(store_failure)? {
                return Err(not_found(&brugernavn));
            }
            println!("Bruger «{brugernavn}» er spærret, og brugerens sessioner er afsluttet.");
        }
        UserCommand::Enable { brugernavn, db } => {
            let store = open_store(&db)?;
            if !block_on(store.set_disabled(&brugernavn, false))?.map_err(store_failure)? {
                return Err(not_found(&brugernavn));
            }
            println!("Bruger «{brugernavn}» er genåbnet.");
        }
        UserCommand::ResetPassword { brugernavn, db } => {
            let pw = read_password()?;
            let store = open_store(&db)?;
            if !block_on(store.set_password(&brugernavn, &pw))?.map_err(store_failure)? {
                return Err(not_found(&brugernavn));
            }
            println!(
                "Ny adgangskode sat for «{brugernavn}»; låsning ophævet og sessioner afsluttet."
            );
        }
        UserCommand::List { db } => {
            let store = open_store(&db)?;
            let mut t = Table::new(["Brugernavn", "Navn", "Rolle", "Knyttet til", "Status"]);
            for u in block_on(store.users())?.map_err(store_failure)? {
                t.row([
                    u.username,
                    u.display_name,
                    u.role.code().to_string(),
                    u.caseworker_key.or(u.team_key).unwrap_or_default(),
                    if u.disabled {
                        "spærret".to_string()
                    } else {
                        "aktiv".to_string()
                    },
                ]);
            }
            print!("{}", t.render());
        }
    }
    Ok(())
}

/// Retention: what goes (always printed), and with `dry_run` false, delete it.
fn retention(
    policy: kadence_store::retention::RetentionPolicy,
    as_of: &Option<String>,
    dry_run: bool,
    limit: usize,
    db: &str,
) -> Result<(), Failure> {
    let today = parse_as_of(as_of)?;
    // The audit log's period is counted back from noon of that day (Danish time), or from now.
    let now = match as_of {
        None => jiff::Timestamp::now(),
        Some(_) => today
            .to_jiff()
            .at(12, 0, 0, 0)
            .in_tz("Europe/Copenhagen")
            .map_err(|e| Failure::new(Exit::Internal, e.to_string()))?
            .timestamp(),
    };
    let store = open_store(db)?;
    let plan = block_on(store.retention_plan(policy, today, now))?.map_err(store_failure)?;
    println!("Opbevaring pr. {}:", today.dk());
    println!(
        "  Forløb afsluttet før {} ({} måneder): {} forløb og {} borgere uden andre forløb.",
        plan.courses_ended_before.dk(),
        policy.closed_months,
        dk::int(plan.courses.len() as i64),
        dk::int(plan.citizens)
    );
    println!(
        "  Revisionsloggen før {} ({} måneder): {} hændelser.",
        local_time(&plan.audit_before.to_string()),
        policy.audit_months,
        dk::int(plan.audit_events)
    );
    if !plan.courses.is_empty() {
        println!(
            "  Forløb, der {}slettes (de {} ældste):",
            if dry_run { "ville blive " } else { "" },
            limit.min(plan.courses.len())
        );
        for (key, end) in plan.courses.iter().take(limit) {
            println!("    {key}  afsluttet {}", end.dk());
        }
    }
    if dry_run {
        println!("Prøvekørsel: intet er slettet.");
        return Ok(());
    }
    let user = std::env::var("USER").unwrap_or_else(|_| "ukendt".into());
    block_on(store.apply_retention(&plan, &format!("kadence retention ({user})"), now))?
        .map_err(store_failure)?;
    println!(
        "Slettet: {} forløb, {} borgere, {} hændelser i revisionsloggen. Sletningen er skrevet i revisionsloggen.",
        dk::int(plan.courses.len() as i64),
        dk::int(plan.citizens),
        dk::int(plan.audit_events)
    );
    Ok(())
}

fn audit(
    action: Option<AuditAction>,
    cpr: Option<String>,
    with_users: bool,
    db: &str,
    format: Format,
) -> Result<(), Failure> {
    use kadence_store::access::AuditVerdict;
    if let Some(AuditAction::Verify { db }) = action {
        let store = open_store(&db)?;
        return match block_on(store.audit_verify())?.map_err(store_failure)? {
            AuditVerdict::Intact { entries } => {
                println!("Revisionsloggen er intakt: {} poster, hash-kæden stemmer.", dk::int(entries));
                Ok(())
            }
            AuditVerdict::Broken { seq } => Err(Failure::new(
                Exit::AuditBroken,
                format!("Revisionsloggen er brudt ved post nr. {seq}: posten eller en post før den er ændret eller slettet."),
            )),
        };
    }
    let Some(cpr) = cpr else {
        return Err(Failure::new(
            Exit::Usage,
            "Angiv --cpr for et udtræk, eller «kadence audit verify».",
        ));
    };
    let cpr = kadence_core::cpr::Cpr::parse(&cpr)
        .map_err(|e| Failure::new(Exit::Usage, e.to_string()))?;
    let store = open_store(db)?;
    let entries = block_on(store.audit_entries(Some(&cpr)))?.map_err(store_failure)?;
    if format == Format::Json {
        let rows: Vec<serde_json::Value> = entries
            .iter()
            .map(|r| {
                let mut v = serde_json::json!({
                    "time": r.at,
                    "action": r.entry.action,
                    "purpose": r.entry.purpose,
                    "course": r.entry.course_key,
                });
                if with_users {
                    v["user"] = serde_json::Value::from(r.entry.username.clone());
                }
                v
            })
            .collect();
        println!(
            "{}",
            serde_json::to_string_pretty(
                &serde_json::json!({ "cpr": cpr.masked(), "entries": rows })
            )
            .unwrap_or_default()
        );
        return Ok(());
    }
    println!(
        "Opslag i oplysninger om borgeren {} ({} i alt):",
        cpr.masked(),
        entries.len()
    );
    let mut header = vec!["Tidspunkt", "Handling", "Formål", "Forløb"];
    if with_users {
        header.push("Bruger");
    }
    let mut t = Table::new(header);
    for r in &entries {
        let mut row = vec![
            local_time(&r.at),
            r.entry.action.clone(),
            r.entry.purpose.clone(),
            r.entry.course_key.clone().unwrap_or_default(),
        ];
        if with_users {
            row.push(r.entry.username.clone());
        }
        t.row(row);
    }
    print!("{}", t.render());
    Ok(())
}

/// A random demo password: readable, 16 characters.
fn demo_password() -> String {
    let mut buf = [0u8; 16];
    let _ = getrandom::fill(&mut buf);
    let alphabet = b"abcdefghjkmnpqrstuvwxyz23456789";
    buf.iter()
        .map(|b| char::from(alphabet[usize::from(*b) % alphabet.len()]))
        .collect()
}

fn demo(dir: &Path, seed: u64, addr: &str, without_server: bool) -> Result<(), Failure> {
    let as_of = crate::today();
    println!(
        "{}",
        generate_into(dir, Preset::Kommune, seed, None, as_of)?
    );
    let db = dir.join("kadence.sqlite").display().to_string();
    // A fresh demo database each time: the demo is always today's synthetic municipality.
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{db}{suffix}"));
    }
    import(&[dir.to_path_buf()], &db, false)?;
    let pop = load_source(&SourceArgs {
        db: db.clone(),
        data: None,
    })?;
    let book = RuleBook::danish();
    let settings = Settings::default();
    let statuses: Vec<CourseStatus> = pop
        .all_facts()
        .map(|f| evaluate(f, &book, &settings, as_of))
        .collect();
    let active = statuses.iter().filter(|s| s.active).count();
    let count = |k: fn(&DutyKind) -> bool, st: Status| {
        statuses
            .iter()
            .filter(|s| s.active && s.duties.iter().any(|d| k(&d.kind) && d.status == st))
            .count()
    };
    println!("\nOverblik pr. {} (Syntetisk Kommune):", as_of.dk());
    println!("  Aktive forløb: {}", dk::int(active as i64));
    println!(
        "  1. samtale overskredet: {}",
        count(|k| *k == DutyKind::FirstFollowUp, Status::Overdue)
    );
    println!(
        "  Bagud med 4 samtaler i første halvår: {}",
        count(|k| *k == DutyKind::HalfYearFollowUps, Status::Overdue)
    );
    println!(
        "  Lægeattester over frist: {}",
        count(
            |k| matches!(k, DutyKind::MedicalStatement(_)),
            Status::Overdue
        )
    );
    println!(
        "  Sager hos rehabiliteringsteamet uden LÆ 265: {}",
        statuses
            .iter()
            .flat_map(|s| &s.duties)
            .filter(
                |d| matches!(d.kind, DutyKind::Lae265BeforeRehab(_)) && d.status == Status::Missed
            )
            .count()
    );
    let to = as_of.month().prev();
    let from = to.plus(-5);
    for def in [Definition::official(), Definition::internal_legacy()] {
        let r = compute(&pop, &book, MeasureKind::EarlyEffort, &def, from, to, as_of);
        let c = r.pooled(&pop, Split::Total)[0];
        println!(
            "  Tidlig indsats {from} til {to}, {}: {} ({} af {})",
            def.name,
            c.share().map(dk::percent).unwrap_or_else(|| "-".into()),
            dk::int(i64::from(c.numerator)),
            dk::int(i64::from(c.denominator))
        );
    }
    println!("\nPrøv i terminalen (databasen er {db}):");
    println!("  cargo run --release -- status");
    println!("  cargo run --release -- measure --maal tidlig --afstem");
    println!("  cargo run --release -- measure --maal foerste --opdelt team");

    // One demo user per role, linked to the busiest caseworker and their team.
    let mut load = vec![0usize; pop.caseworkers.len()];
    for c in pop.courses.iter().filter(|c| c.active_on(as_of)) {
        if let Some(cw) = c.caseworker {
            load[cw.index()] += 1;
        }
    }
    let busiest = (0..load.len()).max_by_key(|i| (load[*i], std::cmp::Reverse(*i)));
    let store = open_store(&db)?;
    let mut logins = Vec::new();
    if let Some(i) = busiest {
        use kadence_store::access::{NewUser, Role};
        let cw = &pop.caseworkers[i];
        let team = &pop.teams[cw.team.index()];
        for (username, name, role, cwk, teamk) in [
            (
                "sagsbehandler",
                cw.name.clone(),
                Role::Caseworker,
                Some(cw.key.clone()),
                None,
            ),
            (
                "teamleder",
                format!("Leder af {}", team.name),
                Role::TeamLead,
                None,
                Some(team.key.clone()),
            ),
            (
                "analytiker",
                "Analytiker (demo)".to_string(),
                Role::Analyst,
                None,
                None,
            ),
            (
                "administrator",
                "Administrator (demo)".to_string(),
                Role::Admin,
                None,
                None,
            ),
        ] {
            let pw = demo_password();
            let new = NewUser {
                username: username.into(),
                display_name: name,
                role,
                caseworker_key: cwk,
                team_key: teamk,
            };
            block_on(store.add_user(&new, &pw, jiff::Timestamp::now()))?.map_err(store_failure)?;
            logins.push(format!("  {username:<14} {pw}   ({})", role.code()));
        }
    }
    let banner = format!(
        "\nDemo-brugere (brugernavn, adgangskode):\n{}",
        logins.join("\n")
    );
    if without_server {
        println!("{banner}");
        return Ok(());
    }
    serve(&db, addr, false, Some(banner))
}
