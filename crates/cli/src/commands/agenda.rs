//! `kadence dagsorden`: a draft agenda item written from the monthly report, in a shipped section
//! profile or the municipality's own profile file, printed section by section (to paste field by
//! field into the agenda system) or as JSON.

use super::*;

use kadence_core::agenda::{early_effort, shipped_profile, Profile};

pub(super) fn agenda(
    src: &Source,
    profile: &str,
    month: Month,
    as_of: Day,
    format: Format,
) -> Result<(), Failure> {
    let profile = match shipped_profile(profile) {
        Some(p) => p,
        None => {
            let path = Path::new(profile);
            let text = std::fs::read_to_string(path).map_err(|e| {
                Failure::new(
                    Exit::Usage,
                    format!("Profilen «{profile}» er hverken vesthimmerland, hedensted eller en fil, der kan læses ({e})."),
                )
            })?;
            let name = path
                .file_stem()
                .map_or_else(|| profile.to_string(), |s| s.to_string_lossy().into_owned());
            Profile::parse(&name, &text).map_err(|errs| {
                Failure::new(
                    Exit::InvalidData,
                    format!(
                        "Profilfilen {profile} kan ikke bruges:\n{}",
                        errs.iter()
                            .map(|e| format!("  {e}"))
                            .collect::<Vec<_>>()
                            .join("\n")
                    ),
                )
            })?
        }
    };
    let (report, _, _) = super::committee::report(src, month, as_of);
    let municipality = src
        .settings
        .in_force_on(as_of)
        .settings
        .committee
        .municipality
        .clone();
    let annex = format!(
        "Bilag: Kadence, ledelsesinformation til udvalget for {} (Excel-fil fra siden Udvalg eller «kadence udvalg»).",
        dk::month(month)
    );
    let version = src.settings.in_force_on(as_of);
    let book = version.settings.book();
    let pop = &src.population;
    let statuses: Vec<(CourseId, CourseStatus)> = pop
        .course_ids()
        .map(|id| {
            (
                id,
                evaluate(pop.facts(id), &book, &version.settings.duties, as_of),
            )
        })
        .filter(|(_, st)| st.active)
        .collect();
    let cases = early_effort::cases(pop, statuses.iter().map(|(id, st)| (*id, st)));
    let draft = early_effort::draft(
        &report,
        &cases,
        &profile,
        &Default::default(),
        &municipality,
        &annex,
    )
    .map_err(|errs| {
        Failure::new(
            Exit::InvalidData,
            errs.iter()
                .map(|(c, e)| format!("{}: {e}", c.key()))
                .collect::<Vec<_>>()
                .join("\n"),
        )
    })?;
    if format == Format::Json {
        println!(
            "{}",
            serde_json::to_string_pretty(&draft)
                .map_err(|e| Failure::new(Exit::Internal, e.to_string()))?
        );
    } else {
        print!("{}", draft.text());
    }
    Ok(())
}
