//! `kadence status`: every active course's duties as of a date, or one course explained.

use super::*;

#[derive(Serialize)]
struct DutyOut<'a> {
    #[serde(flatten)]
    duty: &'a Duty,
    title: String,
    status_label: &'static str,
    explanation: String,
    /// Why the duty is provisional (the unconfirmed facts it rests on); with `provisional: true`.
    #[serde(skip_serializing_if = "Option::is_none")]
    provisional_reason: Option<String>,
}

impl<'a> DutyOut<'a> {
    fn new(duty: &'a Duty, book: &RuleBook) -> DutyOut<'a> {
        DutyOut {
            duty,
            title: duty.title(),
            status_label: duty.status.label(),
            explanation: duty.explain(),
            provisional_reason: duty.provisional_reason(book),
        }
    }
}

/// What drives the row by the municipality's setting: the law's deadline, a local target's, or a
/// doctor's, labelled so they never mix.
#[derive(Serialize)]
struct NextOut {
    kind: &'static str,
    date: Option<Day>,
    days_left: i32,
    label: String,
    provisional: bool,
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
    /// The next deadline by the setting `opfoelgning.naeste_frist` (the law's only by default).
    next: Option<NextOut>,
    duties: Vec<DutyOut<'a>>,
    local: &'a [LocalResult],
    /// Contradictions in the course's data (Danish).
    warnings: &'a [String],
}

#[derive(Serialize)]
struct StatusOut<'a> {
    as_of: Day,
    /// The settings version the duties were judged with (0: the built-in defaults).
    settings_version: u32,
    settings: String,
    total: usize,
    shown: usize,
    courses: Vec<CourseOut<'a>>,
}

pub(super) fn status(
    src: &Source,
    as_of: Day,
    team: Option<String>,
    cw: Option<String>,
    course: Option<String>,
    limit: usize,
    format: Format,
) -> Result<(), Failure> {
    let single = course.is_some();
    let pop = &src.population;
    let filter = Filter::new(pop, team, cw, course)?;
    let version = src.settings_on(as_of);
    let book = version.settings.book();
    let settings = &version.settings.duties;
    let mut rows: Vec<(CourseId, CourseStatus)> = pop
        .course_ids()
        .filter(|id| filter.keeps(pop, *id))
        .map(|id| (id, evaluate(pop.facts(id), &book, settings, as_of)))
        .filter(|(_, st)| single || st.active)
        .collect();
    let drivers = settings.next_deadline;
    rows.sort_by_key(|(id, st)| (urgency_by(st, drivers), pop.courses[id.index()].key.clone()));
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
                next_deadline: st.next_deadline().map(|d| DutyOut::new(d, &book)),
                next: st.next_deadline_by(drivers).map(|n| NextOut {
                    kind: match n {
                        kadence_core::duties::NextDeadline::Legal(_) => "legal",
                        kadence_core::duties::NextDeadline::Local(_) => "local",
                        kadence_core::duties::NextDeadline::Medical(_) => "medical",
                    },
                    date: n.date(),
                    days_left: n.days_left(),
                    label: n.label(),
                    provisional: n.provisional(),
                }),
                duties: st.duties.iter().map(|d| DutyOut::new(d, &book)).collect(),
                local: &st.local,
                warnings: &st.warnings,
            }
        })
        .collect();
    if format == Format::Json {
        let out = StatusOut {
            as_of,
            settings_version: version.version,
            settings: version.label(),
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
            "1. fraværsdag {} · ydelsesstart (KSD) {} · dag {} i forløbet · {} holdt{}",
            c.first_absence.dk(),
            c.benefit_start.dk(),
            c.days_since_first_absence + 1,
            dk::count(u64::from(c.conversations_held), "samtale", "samtaler"),
            c.last_conversation
                .map(|d| format!(", seneste {}", d.dk()))
                .unwrap_or_default()
        );
        println!("Bemærk: lovens frister regnes fra første fraværsdag, ikke fra ydelsesstart.\n");
        let mut t = Table::new(["Pligt", "Status", "Frist", "Dage", "§"]);
        for d in &c.duties {
            t.row([
                d.title.clone(),
                if d.duty.provisional {
                    format!("{} (foreløbig)", d.status_label)
                } else {
                    d.status_label.to_string()
                },
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
        for w in c.warnings {
            println!("! Datakvalitet: {w}");
        }
        // Which facts of the law the course's duties rest on that are not confirmed.
        let mut open: Vec<String> = c
            .duties
            .iter()
            .filter_map(|d| d.provisional_reason.clone())
            .collect();
        open.dedup();
        for o in open {
            println!("? {o}");
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
        let next = st.next_deadline_by(drivers);
        t.row([
            c.course.to_string(),
            c.cpr.clone(),
            (c.days_since_first_absence + 1).to_string(),
            conversations_text(st),
            c.last_conversation
                .map(|d| d.dk().to_string())
                .unwrap_or_else(|| "-".into()),
            next.and_then(|d| d.date())
                .map(|d| d.dk().to_string())
                .unwrap_or_else(|| "-".into()),
            next.map(|d| days_text(d.days_left())).unwrap_or_default(),
            next.map(|d| {
                format!(
                    "{}{}",
                    d.label(),
                    if d.provisional() { ", foreløbig" } else { "" }
                )
            })
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
