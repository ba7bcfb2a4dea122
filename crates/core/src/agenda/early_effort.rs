//! The item "Status på den tidlige indsats på sygedagpengeområdet" (the recovery-plan status of
//! Vesthimmerland's Punkt 60): STAR's early-effort figure by month against 80 %, the own
//! definition's beside it and the bridge between them, STAR's six-months rule, and the forecast
//! for the current month; all from the monthly report.

use std::collections::HashMap;

use super::template::{Template, TemplateError};
use super::{Content, Draft, DraftSection, DraftTable, Profile};
use crate::committee::MonthlyReport;
use crate::dk;

/// The placeholders this kind has, each with what it holds (documented in docs/agenda.md).
pub const PLACEHOLDERS: &[(&str, &str)] = &[
    ("kommune", "kommunens navn (indstillingen udvalg.kommune), ellers «Kommunen»"),
    ("maaned", "opgørelsens måned, fx «november 2026»"),
    ("opgoerelsesdato", "opgørelsesdatoen, dd-mm-åååå"),
    ("maal", "STARs mål for den tidlige indsats, «80 %»"),
    ("tidlig_andel_star", "andelen med mindst fire samtaler ved seks måneder efter STARs definition, fx «70,3 % (64 af 91)»"),
    ("tidlig_andel_egen", "den samme andel efter kommunens egen definition"),
    ("egen_definition", "kommunens egen definition i ord"),
    ("bro", "forskellen mellem STARs og kommunens tal forklaret med årsagerne og deres procentpoint"),
    ("maaneder_under_maal", "hvor mange af de seneste tolv måneder STARs tal var under målet, fx «elleve af de seneste tolv måneder»"),
    ("seks_maaneders_regel", "STARs regel om seks måneder i træk under målet, og hvordan kommunen står"),
    ("prognose", "prognosen for opgørelsesdatoens måned"),
    ("bilag", "bilagets navn"),
];

/// The shipped text per content (Danish; no numbers: they come from the placeholders).
pub fn default_template(content: Content) -> &'static str {
    match content {
        Content::Summary => "Status på den tidlige indsats på sygedagpengeområdet i {{kommune}} for {{maaned}}: {{tidlig_andel_star}} af forløbene havde mindst fire samtaler ved seks måneders anciennitet efter STARs opgørelse. Målet er {{maal}}.",
        Content::Question => "Udvalget orienteres om status på den tidlige indsats på sygedagpengeområdet for {{maaned}}.",
        Content::Figures => "Efter STARs definition havde {{tidlig_andel_star}} af forløbene mindst fire samtaler ved seks måneders anciennitet i {{maaned}}. Efter kommunens egen definition ({{egen_definition}}) var andelen {{tidlig_andel_egen}}.\n{{bro}}\nSTARs tal var under målet i {{maaneder_under_maal}}. {{seks_maaneders_regel}}",
        Content::Consequence => "{{prognose}}",
        Content::Law => "Lov om sygedagpenge, kapitel 6 om opfølgning, med de regler, der gælder på opgørelsesdatoen {{opgoerelsesdato}}.",
        Content::Finances => "Sagen har ingen direkte økonomiske konsekvenser.",
        Content::Staff => "Ingen.",
        Content::Communication => "Status følges op hver måned, og udvalget orienteres løbende.",
        Content::History => "Udvalget er tidligere orienteret om den tidlige indsats på sygedagpengeområdet.",
        Content::Process => "Administrationen følger op hver måned og orienterer udvalget løbende.",
        Content::DecidedBy => "Beskæftigelsesudvalget.",
        Content::Recommendation => "Det indstilles, at orienteringen tages til efterretning.",
        Content::Decision => "",
        Content::Annexes => "{{bilag}}",
    }
}

fn names() -> Vec<&'static str> {
    PLACEHOLDERS.iter().map(|p| p.0).collect()
}

/// Checks a municipality's own text for one content (when it is saved).
pub fn check(text: &str) -> Result<Template, Vec<TemplateError>> {
    Template::parse(text, &names())
}

/// A Danish word for small counts ("elleve"), the number itself above twelve.
fn word(n: usize) -> String {
    const W: [&str; 13] = [
        "ingen", "én", "to", "tre", "fire", "fem", "seks", "syv", "otte", "ni", "ti", "elleve",
        "tolv",
    ];
    W.get(n)
        .map_or_else(|| dk::int(n as i64), |w| (*w).to_string())
}

fn values(r: &MonthlyReport, municipality: &str, annex: &str) -> HashMap<&'static str, String> {
    let f = &r.follow_up;
    let last = f.months.last();
    let share = |s: Option<&crate::committee::follow_up::Share>| s.map_or("-".into(), |s| s.text());
    let below = f
        .months
        .iter()
        .filter(|m| m.early_met == Some(false))
        .count();
    let run = f
        .months
        .iter()
        .rev()
        .take_while(|m| m.early_met == Some(false))
        .count();
    let b = &f.bridge_month;
    let bro = match (b.official.value(), b.own.value()) {
        (Some(a), Some(o)) if !b.steps.is_empty() => format!(
            "Forskellen på {} procentpoint skyldes: {}.",
            dk::signed((o - a) * 100.0, 1),
            b.steps
                .iter()
                .map(|s| format!(
                    "{} ({}, {})",
                    s.reason.to_lowercase(),
                    s.points_text(),
                    dk::count(u64::from(s.courses), "forløb", "forløb")
                ))
                .collect::<Vec<_>>()
                .join("; ")
        ),
        _ => "De to definitioner giver det samme tal.".into(),
    };
    let rule = if run >= 6 {
        format!("STAR reagerer, når tallet har været under målet seks måneder i træk; det har det nu været i {} måneder i træk.", word(run))
    } else {
        format!(
            "STAR reagerer, når tallet har været under målet seks måneder i træk; det er ikke tilfældet (senest {} måned{} i træk).",
            word(run),
            if run == 1 { "" } else { "er" }
        )
    };
    HashMap::from([
        (
            "kommune",
            if municipality.trim().is_empty() {
                "Kommunen".to_string()
            } else {
                municipality.trim().to_string()
            },
        ),
        ("maaned", dk::month(r.month)),
        ("opgoerelsesdato", r.as_of.dk().to_string()),
        ("maal", format!("{} %", dk::decimal(f.target * 100.0, 0))),
        ("tidlig_andel_star", share(last.map(|m| &m.early_official))),
        ("tidlig_andel_egen", share(last.map(|m| &m.early_own))),
        ("egen_definition", f.own_description.clone()),
        ("bro", bro),
        (
            "maaneder_under_maal",
            format!(
                "{} af de seneste {} måneder",
                word(below),
                word(f.months.len())
            ),
        ),
        ("seks_maaneders_regel", rule),
        ("prognose", r.forecast.summary()),
        ("bilag", annex.to_string()),
    ])
}

/// The draft: the profile's sections, each from the municipality's text for its content or the
/// shipped one. `own` texts were checked when saved; a text that no longer checks (a placeholder
/// removed since) is an error here too, never a blank.
pub fn draft(
    r: &MonthlyReport,
    profile: &Profile,
    own: &HashMap<Content, String>,
    municipality: &str,
    annex: &str,
) -> Result<Draft, Vec<(Content, TemplateError)>> {
    let v = values(r, municipality, annex);
    let mut sections = Vec::new();
    let mut errors = Vec::new();
    for s in &profile.sections {
        let text = own
            .get(&s.content)
            .map_or(default_template(s.content), String::as_str);
        match check(text) {
            Ok(t) => {
                let rendered = t.render(|k| v.get(k).cloned().unwrap_or_default());
                let table = (s.content == Content::Figures).then(|| months_table(r));
                sections.push(DraftSection {
                    heading: s.heading.clone(),
                    content: s.content,
                    paragraphs: rendered
                        .lines()
                        .map(str::trim)
                        .filter(|l| !l.is_empty())
                        .map(str::to_string)
                        .collect(),
                    table,
                });
            }
            Err(e) => errors.extend(e.into_iter().map(|e| (s.content, e))),
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let f = &r.follow_up;
    let mut sources = vec![
        format!(
            "Tidlig indsats: Kadence, egne data pr. {}, STARs definition ({}) og kommunens egen ({}).",
            r.as_of.dk(),
            f.official_name,
            f.own_description
        ),
        format!("Broen: {}", f.bridge_method),
        format!("Prognosen: {}", r.forecast.method),
    ];
    sources.extend(r.sources.iter().cloned());
    Ok(Draft {
        title: format!(
            "Status på den tidlige indsats på sygedagpengeområdet, {}",
            dk::month(r.month)
        ),
        profile: profile.name.clone(),
        sections,
        sources,
    })
}

fn months_table(r: &MonthlyReport) -> DraftTable {
    let f = &r.follow_up;
    DraftTable {
        caption: "Tidlig indsats pr. måned: mindst fire samtaler ved seks måneders anciennitet"
            .into(),
        header: vec![
            "Måned".into(),
            "STARs definition".into(),
            "Kommunens definition".into(),
            format!("Mål {} % nået", dk::decimal(f.target * 100.0, 0)),
        ],
        rows: f
            .months
            .iter()
            .map(|m| {
                vec![
                    dk::month(m.month),
                    m.early_official.text(),
                    m.early_own.text(),
                    m.met_text().to_string(),
                ]
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_shipped_text_checks_and_uses_only_known_placeholders() {
        for c in Content::ALL {
            let t = check(default_template(c)).unwrap_or_else(|e| panic!("{c:?}: {e:?}"));
            for p in t.placeholders() {
                assert!(names().contains(&p));
            }
        }
    }

    #[test]
    fn small_counts_are_words() {
        assert_eq!(word(0), "ingen");
        assert_eq!(word(11), "elleve");
        assert_eq!(word(13), "13");
    }
}

#[cfg(test)]
mod docs {
    /// Every placeholder is documented in docs/agenda.md.
    #[test]
    fn every_placeholder_is_documented() {
        let doc = include_str!("../../../../docs/agenda.md");
        for (name, _) in super::PLACEHOLDERS {
            assert!(doc.contains(&format!("`{{{{{name}}}}}`")), "{name}");
        }
    }
}
