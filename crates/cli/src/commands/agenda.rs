//! `kadence dagsorden`: a draft agenda item of one kind written from the monthly report, in a
//! shipped section profile, one of the municipality's own (its settings) or a profile file, with
//! the municipality's own texts (its settings, and a text file over them); printed section by section (to paste field by field into the agenda system) or
//! as JSON, and with `--ud` written as the Word document, the HTML blocks and the Excel annex, the
//! same files the page "Dagsordenspunkt" hands out.

use super::*;

use kadence_core::agenda::{self, Context, Kind, Profile};

/// What the user asked for.
pub(super) struct Request<'a> {
    pub kind: Kind,
    pub profile: &'a str,
    pub texts: Option<&'a Path>,
    pub meeting: Option<Day>,
    pub out: Option<&'a Path>,
    pub month: Month,
    pub as_of: Day,
}

fn lines(errs: &[String]) -> String {
    errs.iter()
        .map(|e| format!("  {e}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// A profile by name: shipped, the municipality's own (in its settings), or a profile file.
fn profile(
    name: &str,
    settings: &kadence_core::agenda::AgendaSettings,
) -> Result<Profile, Failure> {
    if let Some(p) = settings.profile(name) {
        return Ok(p);
    }
    let path = Path::new(name);
    let text = std::fs::read_to_string(path).map_err(|e| {
        Failure::new(
            Exit::Usage,
            format!(
                "Profilen «{name}» er hverken en af {} eller en fil, der kan læses ({e}).",
                settings.profile_names().join(", ")
            ),
        )
    })?;
    let stem = path
        .file_stem()
        .map_or_else(|| name.to_string(), |s| s.to_string_lossy().into_owned());
    Profile::parse(&stem, &text).map_err(|errs| {
        let errs: Vec<String> = errs.iter().map(ToString::to_string).collect();
        Failure::new(
            Exit::InvalidData,
            format!("Profilfilen {name} kan ikke bruges:\n{}", lines(&errs)),
        )
    })
}

pub(super) fn agenda(src: &Source, req: &Request<'_>, format: Format) -> Result<(), Failure> {
    let version = src.settings.in_force_on(req.as_of);
    let profile = profile(req.profile, &version.settings.agenda)?;
    // The municipality's own texts in its settings, and over them those of a file given.
    let mut own = version.settings.agenda.texts(req.kind);
    let from_file = match req.texts {
        None => Default::default(),
        Some(path) => {
            let text = std::fs::read_to_string(path).map_err(|e| {
                Failure::new(
                    Exit::Usage,
                    format!("Tekstfilen {} kan ikke læses ({e}).", path.display()),
                )
            })?;
            agenda::parse_own_texts(req.kind, &text).map_err(|errs| {
                Failure::new(
                    Exit::InvalidData,
                    format!(
                        "Tekstfilen {} kan ikke bruges:\n{}",
                        path.display(),
                        lines(&errs)
                    ),
                )
            })?
        }
    };
    own.extend(from_file);
    let (month, as_of) = (req.month, req.as_of);
    let (report, _, settings_label) = super::committee::report(src, month, as_of);
    let stem = agenda::file_stem(req.kind, month);
    let ctx = Context::new(&version.settings.committee, req.kind, month, req.meeting);
    let book = version.settings.book();
    let beside = agenda::beside(
        &src.population,
        &book,
        &version.settings.duties,
        month,
        as_of,
    );
    let draft = agenda::draft(req.kind, beside.inputs(&report), &profile, &own, &ctx)
        .map_err(|errs| Failure::new(Exit::InvalidData, agenda::error_lines(&errs).join("\n")))?;
    if let Some(dir) = req.out {
        let internal = |what: &str, e: String| Failure::new(Exit::Internal, format!("{what}: {e}"));
        let docx = kadence_reports::docx::agenda(&draft)
            .map_err(|e| internal("Word-dokumentet kunne ikke dannes", e))?;
        let annex = kadence_reports::annex::committee(&report, &settings_label)
            .map_err(|e| internal("Bilaget kunne ikke dannes", e.to_string()))?;
        let html = kadence_reports::html::document(&draft);
        std::fs::create_dir_all(dir).map_err(|e| {
            Failure::new(
                Exit::Usage,
                format!("Mappen {} kan ikke oprettes ({e}).", dir.display()),
            )
        })?;
        for (name, bytes) in [
            (format!("{stem}.docx"), docx),
            (format!("{stem}.html"), html.into_bytes()),
            (format!("{stem}-bilag.xlsx"), annex),
        ] {
            let path = dir.join(&name);
            std::fs::write(&path, bytes).map_err(|e| {
                Failure::new(
                    Exit::Usage,
                    format!("{} kan ikke skrives ({e}).", path.display()),
                )
            })?;
            eprintln!("Skrevet: {}", path.display());
        }
    }
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
