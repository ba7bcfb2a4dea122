//! `kadence status`: every active course's duties as of a date, or one course explained.

use super::*;

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

pub(super) fn status(
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
