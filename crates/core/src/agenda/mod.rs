//! The agenda item (dagsordenspunkt) written from the figures: a profile's sections in order, each
//! filled from a template whose placeholders take their values from the monthly report, so every
//! number in the item comes from the data and its source is listed with the item.
//!
//! Three kinds ([`Kind`]): the monthly management information (`management.rs`), the status of the
//! early effort (`early_effort.rs`, Vesthimmerland's Punkt 60) and deadline compliance
//! (`deadlines.rs`). Each gives its placeholders' values, the tables and the chart of its figures
//! section, and its sources; [`draft`] lays them out in the profile (`profile.rs`) with the
//! template syntax (`template.rs`). The shells turn a [`Draft`] into Word, HTML blocks or text.

use std::collections::HashMap;

use serde::Serialize;

use crate::committee::MonthlyReport;
use crate::date::Day;
use crate::dk;

pub mod deadlines;
pub mod early_effort;
pub mod management;
pub mod own;
pub mod profile;
pub mod template;

pub use deadlines::Deadlines;
pub use early_effort::Cases;
pub use own::{AgendaSettings, OwnProfile, OwnText};
pub use profile::{hedensted, shipped_profile, vesthimmerland, Content, Profile, ProfileError};
pub use template::{Template, TemplateError};

/// The kinds of agenda item Kadence writes (issue 12, point 2).
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum Kind {
    /// Månedlig ledelsesinformation.
    Management,
    /// Status på den tidlige indsats på sygedagpengeområdet.
    EarlyEffort,
    /// Orientering om fristoverholdelse.
    Deadlines,
}

impl Kind {
    pub const ALL: [Kind; 3] = [Kind::Management, Kind::EarlyEffort, Kind::Deadlines];

    /// The key on the command line and in the page's address.
    pub fn key(self) -> &'static str {
        match self {
            Kind::Management => "ledelsesinformation",
            Kind::EarlyEffort => "tidlig-indsats",
            Kind::Deadlines => "fristoverholdelse",
        }
    }

    pub fn from_key(s: &str) -> Option<Kind> {
        let s = s.trim().to_lowercase();
        Kind::ALL.into_iter().find(|k| k.key() == s)
    }

    /// The item's name in Danish.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Management => "Månedlig ledelsesinformation",
            Kind::EarlyEffort => "Status på den tidlige indsats på sygedagpengeområdet",
            Kind::Deadlines => "Orientering om fristoverholdelse",
        }
    }

    /// The kind's own placeholders (the common ones are in [`COMMON`]).
    fn own_placeholders(self) -> &'static [(&'static str, &'static str)] {
        match self {
            Kind::Management => management::PLACEHOLDERS,
            Kind::EarlyEffort => early_effort::PLACEHOLDERS,
            Kind::Deadlines => deadlines::PLACEHOLDERS,
        }
    }

    /// Every placeholder a template of this kind may use, with what it holds (docs/agenda.md).
    pub fn placeholders(self) -> Vec<(&'static str, &'static str)> {
        COMMON
            .iter()
            .chain(self.own_placeholders())
            .copied()
            .collect()
    }

    /// The shipped text of a section (Danish; no numbers: they come from the placeholders).
    pub fn default_template(self, content: Content) -> &'static str {
        let own = match self {
            Kind::Management => management::template(content),
            Kind::EarlyEffort => early_effort::template(content),
            Kind::Deadlines => deadlines::template(content),
        };
        own.unwrap_or_else(|| common_template(content))
    }

    /// Checks a municipality's own text for one section of this kind (when it is saved).
    pub fn check(self, text: &str) -> Result<Template, Vec<TemplateError>> {
        let names: Vec<&str> = self.placeholders().iter().map(|p| p.0).collect();
        Template::parse(text, &names)
    }
}

/// The placeholders every kind has.
pub const COMMON: &[(&str, &str)] = &[
    (
        "kommune",
        "kommunens navn (indstillingen udvalg.kommune), ellers «Kommunen»",
    ),
    ("maaned", "opgørelsens måned, fx «november 2026»"),
    ("opgoerelsesdato", "opgørelsesdatoen, dd-mm-åååå"),
    ("bilag", "bilagets navn"),
];

/// The texts the kinds share, where a kind has none of its own.
fn common_template(content: Content) -> &'static str {
    match content {
        Content::Law => "Lov om aktiv beskæftigelsesindsats og lov om sygedagpenge med de regler, der gælder på opgørelsesdatoen {{opgoerelsesdato}}.",
        Content::Finances => "Sagen har ingen direkte økonomiske konsekvenser.",
        Content::Staff => "Ingen.",
        Content::Communication => "Tallene følges op hver måned, og udvalget orienteres løbende.",
        Content::History => "Udvalget orienteres hver måned.",
        Content::Process => "Administrationen følger op hver måned og orienterer udvalget løbende.",
        Content::DecidedBy => "Beskæftigelsesudvalget.",
        Content::Recommendation => "Det indstilles, at orienteringen tages til efterretning.",
        Content::Decision => "",
        Content::Annexes => "{{bilag}}",
        Content::Summary | Content::Question | Content::Figures | Content::Consequence => "",
    }
}

/// What an item is written from: the monthly report and the counts taken beside it on the as-of
/// date. Names and CPR numbers never enter: only figures and team names.
#[derive(Clone, Copy, Debug)]
pub struct Inputs<'a> {
    pub report: &'a MonthlyReport,
    pub cases: &'a Cases,
    pub deadlines: &'a Deadlines,
}

/// What the item is for: the municipality, the meeting, the annex's name.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Context {
    pub municipality: String,
    /// The committee's meeting date, in the document's header; `None` writes "ikke fastsat".
    pub meeting: Option<Day>,
    pub annex: String,
}

impl Context {
    /// The context of an item of `kind` for `month`: the municipality's name from its committee
    /// settings, the meeting, and the annex the Bilag section names. The page and the CLI both
    /// build it here, so their documents are the same.
    pub fn new(
        committee: &crate::committee::CommitteeSettings,
        kind: Kind,
        month: crate::date::Month,
        meeting: Option<Day>,
    ) -> Context {
        Context {
            municipality: committee.municipality.clone(),
            meeting,
            annex: annex_note(kind, month),
        }
    }

    /// The municipality's name, or «Kommunen» where the setting is empty.
    pub fn municipality_or_default(&self) -> String {
        let m = self.municipality.trim();
        if m.is_empty() {
            "Kommunen".into()
        } else {
            m.into()
        }
    }
}

/// A table in a section.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DraftTable {
    pub caption: String,
    pub header: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

/// What a chart draws.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub enum ChartData {
    /// Monthly shares (0..=1) with the target line: the page "Fokusmål"'s line chart.
    Shares {
        points: Vec<(String, Option<f64>)>,
        target: Option<f64>,
    },
    /// A benefit group's three years: the page "Udvalg"'s chart.
    Series(Box<crate::committee::report::GroupSeries>),
}

/// A chart in a section, with the alternative text in words that the document carries with the
/// image. The same figures are in a table of the section.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct DraftChart {
    pub title: String,
    pub data: ChartData,
    pub alt: String,
}

/// One section of a draft, in the profile's order.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct DraftSection {
    pub heading: String,
    pub content: Content,
    /// The section's text, one paragraph per element (empty for "Beslutning").
    pub paragraphs: Vec<String>,
    pub charts: Vec<DraftChart>,
    pub tables: Vec<DraftTable>,
}

/// A draft agenda item.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Draft {
    pub kind: Kind,
    pub title: String,
    pub profile: String,
    pub municipality: String,
    pub meeting: Option<Day>,
    pub as_of: Day,
    pub sections: Vec<DraftSection>,
    /// Where every figure comes from, one line each.
    pub sources: Vec<String>,
}

impl Draft {
    /// The header line of the document: the municipality and the meeting date.
    pub fn header_line(&self) -> String {
        format!(
            "{} · Beskæftigelsesudvalget · Møde {}",
            self.municipality,
            self.meeting
                .map_or_else(|| "ikke fastsat".to_string(), |d| d.dk().to_string())
        )
    }

    /// One section as plain text: its paragraphs, then each table as lines (for agenda systems
    /// where each field is pasted).
    pub fn section_text(s: &DraftSection) -> String {
        let mut out = String::new();
        for p in &s.paragraphs {
            out.push_str(&format!("{p}\n"));
        }
        for t in &s.tables {
            out.push_str(&format!("\n{}\n{}\n", t.caption, t.header.join(" | ")));
            for r in &t.rows {
                out.push_str(&format!("{}\n", r.join(" | ")));
            }
        }
        out
    }

    /// The whole item as plain text, one block per section.
    pub fn text(&self) -> String {
        let mut out = format!("{}\n", self.title);
        for s in &self.sections {
            out.push_str(&format!("\n{}\n{}", s.heading, Draft::section_text(s)));
        }
        out.push_str("\nKilder\n");
        for s in &self.sources {
            out.push_str(&format!("{s}\n"));
        }
        out
    }
}

/// What a kind gives the layout.
pub(crate) struct Parts {
    pub values: HashMap<&'static str, String>,
    pub charts: Vec<DraftChart>,
    pub tables: Vec<DraftTable>,
    pub sources: Vec<String>,
}

fn common_values(r: &MonthlyReport, ctx: &Context) -> HashMap<&'static str, String> {
    HashMap::from([
        ("kommune", ctx.municipality_or_default()),
        ("maaned", dk::month(r.month)),
        ("opgoerelsesdato", r.as_of.dk().to_string()),
        ("bilag", ctx.annex.clone()),
    ])
}

/// The draft of one kind: the profile's sections, each from the municipality's text for its
/// content or the shipped one. `own` texts were checked when saved; a text that no longer checks
/// (a placeholder removed since) is an error here too, never a blank.
pub fn draft(
    kind: Kind,
    input: Inputs<'_>,
    profile: &Profile,
    own: &HashMap<Content, String>,
    ctx: &Context,
) -> Result<Draft, Vec<(Content, TemplateError)>> {
    let r = input.report;
    let mut parts = match kind {
        Kind::Management => management::parts(input),
        Kind::EarlyEffort => early_effort::parts(input),
        Kind::Deadlines => deadlines::parts(input),
    };
    parts.values.extend(common_values(r, ctx));
    let mut sections = Vec::new();
    let mut errors = Vec::new();
    for s in &profile.sections {
        let text = own
            .get(&s.content)
            .map_or(kind.default_template(s.content), String::as_str);
        match kind.check(text) {
            Ok(t) => {
                let rendered = t.render(|k| parts.values.get(k).cloned().unwrap_or_default());
                let figures = s.content == Content::Figures;
                sections.push(DraftSection {
                    heading: s.heading.clone(),
                    content: s.content,
                    paragraphs: rendered
                        .lines()
                        .map(str::trim)
                        .filter(|l| !l.is_empty())
                        .map(str::to_string)
                        .collect(),
                    charts: if figures {
                        parts.charts.clone()
                    } else {
                        vec![]
                    },
                    tables: if figures {
                        parts.tables.clone()
                    } else {
                        vec![]
                    },
                });
            }
            Err(e) => errors.extend(e.into_iter().map(|e| (s.content, e))),
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let mut sources = parts.sources;
    sources.extend(r.sources.iter().cloned());
    Ok(Draft {
        kind,
        title: format!("{}, {}", kind.name(), dk::month(r.month)),
        profile: profile.name.clone(),
        municipality: ctx.municipality_or_default(),
        meeting: ctx.meeting,
        as_of: r.as_of,
        sections,
        sources,
    })
}

/// The counts an item takes beside the monthly report, from the population on the as-of date:
/// the cases of the duty lists (every active course's status) and the month's deadline figures
/// per team under STAR's definition.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Beside {
    pub cases: Cases,
    pub deadlines: Deadlines,
}

impl Beside {
    pub fn inputs<'a>(&'a self, report: &'a MonthlyReport) -> Inputs<'a> {
        Inputs {
            report,
            cases: &self.cases,
            deadlines: &self.deadlines,
        }
    }
}

/// Computes [`Beside`] for the report's month as of its date, evaluating every course (the CLI;
/// the web app passes the statuses its duty lists already hold to [`beside_from`]).
pub fn beside(
    pop: &crate::model::Population,
    book: &crate::rules::RuleBook,
    duties: &crate::settings::Settings,
    month: crate::date::Month,
    as_of: Day,
) -> Beside {
    let statuses: Vec<_> = pop
        .course_ids()
        .map(|id| {
            (
                id,
                crate::duties::evaluate(pop.facts(id), book, duties, as_of),
            )
        })
        .filter(|(_, st)| st.active)
        .collect();
    beside_from(
        pop,
        book,
        statuses.iter().map(|(id, st)| (*id, st)),
        month,
        as_of,
    )
}

/// [`Beside`] from the active courses' statuses as of `as_of`, the same the duty lists show.
pub fn beside_from<'a>(
    pop: &crate::model::Population,
    book: &crate::rules::RuleBook,
    statuses: impl IntoIterator<Item = (crate::model::CourseId, &'a crate::duties::CourseStatus)>,
    month: crate::date::Month,
    as_of: Day,
) -> Beside {
    Beside {
        cases: early_effort::cases(pop, statuses),
        deadlines: deadlines::deadlines(
            pop,
            book,
            &crate::measures::Definition::official(),
            month,
            as_of,
        ),
    }
}

/// A municipality's own texts for one kind, from a text file: a line `[indholdsnøgle]` starts the
/// text of that content, the lines under it are the text; lines starting with `#` before the first
/// key are comments. Every text is checked as when saved; the errors carry the file's line.
pub fn parse_own_texts(kind: Kind, file: &str) -> Result<HashMap<Content, String>, Vec<String>> {
    let mut out: HashMap<Content, (usize, String)> = HashMap::new();
    let mut errors = Vec::new();
    let mut current: Option<Content> = None;
    for (i, line) in file.lines().enumerate() {
        let n = i + 1;
        let t = line.trim();
        if let Some(key) = t.strip_prefix('[').and_then(|k| k.strip_suffix(']')) {
            match Content::from_key(key) {
                Some(c) if out.contains_key(&c) => {
                    errors.push((
                        n,
                        format!("linje {n}: indholdsnøglen «{key}» står to gange"),
                    ));
                    current = None;
                }
                Some(c) => {
                    out.insert(c, (n + 1, String::new()));
                    current = Some(c);
                }
                None => {
                    errors.push((
                        n,
                        format!(
                            "linje {n}: indholdsnøglen «{key}» findes ikke; brug en af {}",
                            Content::ALL.map(Content::key).join(", ")
                        ),
                    ));
                    current = None;
                }
            }
            continue;
        }
        match current {
            Some(c) => {
                let e = out.get_mut(&c).expect("inserted with its key");
                e.1.push_str(line);
                e.1.push('\n');
            }
            None if t.is_empty() || t.starts_with('#') => {}
            None => errors.push((
                n,
                format!("linje {n}: teksten står ikke under en indholdsnøgle som [tal]"),
            )),
        }
    }
    let mut texts = HashMap::new();
    for (c, (first, text)) in out {
        match kind.check(&text) {
            Ok(_) => {
                texts.insert(c, text.trim_end().to_string());
            }
            Err(es) => errors.extend(es.into_iter().map(|e| {
                let line = first + e.line - 1;
                (
                    line,
                    format!(
                        "linje {}, tegn {} ([{}]): {}",
                        line,
                        e.column,
                        c.key(),
                        e.message
                    ),
                )
            })),
        }
    }
    if errors.is_empty() {
        Ok(texts)
    } else {
        errors.sort();
        Err(errors.into_iter().map(|e| e.1).collect())
    }
}

/// The name the item's files get, without the extension: `dagsordenspunkt-<kind>-<month>`; the
/// annex is `<stem>-bilag.xlsx`. The page and the CLI name them alike.
pub fn file_stem(kind: Kind, month: crate::date::Month) -> String {
    format!("dagsordenspunkt-{}-{month}", kind.key())
}

/// The Bilag section's text naming the Excel annex handed out with the item.
pub fn annex_note(kind: Kind, month: crate::date::Month) -> String {
    format!(
        "Bilag: {}-bilag.xlsx, Kadence, ledelsesinformation til udvalget for {} (samme tal som siden Udvalg).",
        file_stem(kind, month),
        dk::month(month)
    )
}

/// A draft's template errors in Danish, one per line, each with its content key.
pub fn error_lines(errs: &[(Content, TemplateError)]) -> Vec<String> {
    errs.iter()
        .map(|(c, e)| format!("{}: {e}", c.key()))
        .collect()
}

/// A Danish word for small counts ("elleve"), the number itself above twelve.
pub(crate) fn word(n: usize) -> String {
    const W: [&str; 13] = [
        "ingen", "én", "to", "tre", "fire", "fem", "seks", "syv", "otte", "ni", "ti", "elleve",
        "tolv",
    ];
    W.get(n)
        .map_or_else(|| dk::int(n as i64), |w| (*w).to_string())
}

/// The words of a chart's points for its alternative text: the first and the last, the lowest and
/// the highest.
pub(crate) fn chart_alt(
    what: &str,
    points: &[(String, Option<f64>)],
    show: impl Fn(f64) -> String,
    target: Option<String>,
) -> String {
    let known: Vec<(&String, f64)> = points
        .iter()
        .filter_map(|(l, v)| v.map(|v| (l, v)))
        .collect();
    let mut out = format!("Linjediagram: {what}");
    if let (Some(first), Some(last)) = (known.first(), known.last()) {
        let lo = known.iter().map(|p| p.1).fold(f64::INFINITY, f64::min);
        let hi = known.iter().map(|p| p.1).fold(f64::NEG_INFINITY, f64::max);
        out.push_str(&format!(
            ", fra {} ({}) til {} ({}); lavest {}, højest {}",
            first.0,
            show(first.1),
            last.0,
            show(last.1),
            show(lo),
            show(hi)
        ));
    } else {
        out.push_str(", uden tal");
    }
    if let Some(t) = target {
        out.push_str(&format!("; målet er {t}"));
    }
    out.push_str(". Tallene står i tabellen under grafen.");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_shipped_text_checks_in_every_kind() {
        for k in Kind::ALL {
            for c in Content::ALL {
                let t = k
                    .check(k.default_template(c))
                    .unwrap_or_else(|e| panic!("{k:?} {c:?}: {e:?}"));
                let names: Vec<_> = k.placeholders().iter().map(|p| p.0).collect();
                for p in t.placeholders() {
                    assert!(names.contains(&p));
                }
            }
            assert_eq!(Kind::from_key(k.key()), Some(k));
        }
    }

    #[test]
    fn a_placeholder_of_another_kind_is_refused() {
        assert!(Kind::Deadlines.check("{{tidlig_andel_star}}").is_err());
        assert!(Kind::EarlyEffort.check("{{tidlig_andel_star}}").is_ok());
    }

    #[test]
    fn own_texts_are_checked_with_their_line() {
        let ok = parse_own_texts(
            Kind::EarlyEffort,
            "# Vores tekster\n[resume]\nStatus for {{maaned}}.\n\n[indstilling]\nDet indstilles, at udvalget tager orienteringen til efterretning.\n",
        )
        .unwrap();
        assert_eq!(ok[&Content::Summary], "Status for {{maaned}}.");
        assert_eq!(ok.len(), 2);
        let bad = parse_own_texts(
            Kind::EarlyEffort,
            "[resume]\nStatus for {{maaned}}.\nAndelen er {{andel}}.\n[penge]\nx\n[tal]\nMålet er 80 %.\n",
        )
        .unwrap_err();
        assert_eq!(bad.len(), 4, "{bad:?}");
        assert!(
            bad[0].starts_with("linje 3, tegn 12 ([resume]): "),
            "{bad:?}"
        );
        assert!(bad[0].contains("andel"), "{bad:?}");
        assert!(
            bad[1].starts_with("linje 4: indholdsnøglen «penge» findes ikke"),
            "{bad:?}"
        );
        assert!(
            bad[2].starts_with("linje 5: teksten står ikke under"),
            "{bad:?}"
        );
        assert!(bad[3].starts_with("linje 7, tegn 10 ([tal]): "), "{bad:?}");
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
    /// Every placeholder of every kind is documented in docs/agenda.md.
    #[test]
    fn every_placeholder_is_documented() {
        let doc = include_str!("../../../../docs/agenda.md");
        for k in super::Kind::ALL {
            for (name, _) in k.placeholders() {
                assert!(doc.contains(&format!("`{{{{{name}}}}}`")), "{name}");
            }
        }
    }
}
