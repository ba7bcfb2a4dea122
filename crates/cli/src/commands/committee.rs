//! `kadence udvalg`: the committee's monthly management information as far as Kadence holds it today:
//! the benefit groups and their state in the month, and Kadence's own figures (persons, full-time
//! persons) for sickness benefit and job clarification, against the same month a year before.
//! Jobindsats' figures for the other groups come with the Jobindsats import (issue 11, later).

use super::*;

use kadence_core::committee::{own_figures, OwnFigure, BENEFIT_GROUPS, METHOD};

#[derive(Serialize)]
struct GroupOut {
    code: &'static str,
    label: &'static str,
    state: kadence_core::committee::GroupState,
    state_label: &'static str,
    tables: &'static [&'static str],
    note: &'static str,
    /// The state in the month rests on a plan, not on enacted law (foreløbig).
    provisional: bool,
    /// Kadence's own figure for the month (total), if the group has own data.
    own: Option<OwnFigure>,
    /// The same month a year before, as of the same day a year before.
    own_last_year: Option<OwnFigure>,
    /// Per team, with --pr-team.
    teams: Vec<(String, OwnFigure)>,
}

#[derive(Serialize)]
struct CommitteeOut {
    month: Month,
    as_of: Day,
    settings_version: u32,
    settings: String,
    method: &'static str,
    groups: Vec<GroupOut>,
}

pub(super) fn committee(
    src: &Source,
    month: Month,
    as_of: Day,
    by_team: bool,
    format: Format,
) -> Result<(), Failure> {
    let pop = &src.population;
    let version = src.settings_on(as_of);
    let now = own_figures(pop, month, as_of, by_team);
    // A year before, as it was known a year before (a past month is never rewritten by later facts).
    let then = own_figures(pop, month.plus(-12), as_of.add_months(-12), false);
    let team_name = |t: Option<kadence_core::model::TeamId>| {
        t.map_or("Ikke fordelt".to_string(), |t| {
            pop.teams[t.index()].name.clone()
        })
    };
    let groups: Vec<GroupOut> = BENEFIT_GROUPS
        .iter()
        .map(|g| {
            let state = g.state_in(month);
            GroupOut {
                code: g.code,
                label: g.label,
                state,
                state_label: state.label(),
                tables: g.tables,
                note: g.note,
                provisional: g.provisional_in(month),
                own: now
                    .iter()
                    .find(|f| f.group == g.code && f.team.is_none())
                    .cloned(),
                own_last_year: then
                    .iter()
                    .find(|f| f.group == g.code && f.team.is_none())
                    .cloned(),
                teams: now
                    .iter()
                    .filter(|f| f.group == g.code)
                    .filter_map(|f| f.team.map(|t| (team_name(t), f.clone())))
                    .collect(),
            }
        })
        .collect();
    let out = CommitteeOut {
        month,
        as_of,
        settings_version: version.version,
        settings: version.label(),
        method: METHOD,
        groups,
    };
    if format == Format::Json {
        println!(
            "{}",
            serde_json::to_string_pretty(&out)
                .map_err(|e| Failure::new(Exit::Internal, e.to_string()))?
        );
        return Ok(());
    }
    println!(
        "Ledelsesinformation for {}, pr. {} ({})",
        dk::month(month),
        as_of.dk(),
        version.label()
    );
    let mut t = Table::new([
        "Ydelsesgruppe",
        "Status i måneden",
        "Personer",
        "Fuldtidspersoner",
        "Samme måned sidste år",
        "Ændring",
        "Kilde",
    ])
    .right(&[2, 3, 4, 5]);
    for g in &out.groups {
        let label = if g.provisional {
            format!("{} (foreløbig)", g.label)
        } else {
            g.label.to_string()
        };
        match (&g.own, &g.own_last_year) {
            (Some(f), last) => {
                t.row([
                    label,
                    g.state_label.to_string(),
                    dk::int(i64::from(f.persons)),
                    format!(
                        "{}{}",
                        dk::decimal(f.full_time_persons, 1),
                        if f.partial {
                            " (måneden er ikke slut)"
                        } else {
                            ""
                        }
                    ),
                    last.as_ref()
                        .map(|l| dk::decimal(l.full_time_persons, 1))
                        .unwrap_or_else(|| "-".into()),
                    last.as_ref()
                        .map(|l| dk::signed(f.full_time_persons - l.full_time_persons, 1))
                        .unwrap_or_default(),
                    "Kadence, egne data".to_string(),
                ]);
                for (name, tf) in &g.teams {
                    t.row([
                        format!("  {name}"),
                        String::new(),
                        dk::int(i64::from(tf.persons)),
                        dk::decimal(tf.full_time_persons, 1),
                        String::new(),
                        String::new(),
                        String::new(),
                    ]);
                }
            }
            (None, _) => t.row([
                label,
                g.state_label.to_string(),
                "-".into(),
                "-".into(),
                "-".into(),
                String::new(),
                format!("Jobindsats {} (ikke hentet)", g.tables.join(", ")),
            ]),
        }
    }
    print!("{}", t.render());
    println!("\nMetode: {METHOD}");
    for g in out.groups.iter().filter(|g| !g.note.is_empty()) {
        println!("{}: {}.", g.label, g.note);
    }
    Ok(())
}
