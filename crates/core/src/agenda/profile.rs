//! Section profiles (sektionsprofiler): the ordered headings of an agenda item and which content
//! fills each. Two ship, in the seeds' order: Vesthimmerland's Punkt 60 and Hedensted's items 76,
//! 79 and 81. A municipality adds its own as a small text file, one section a line:
//! `Overskrift = indholdsnøgle` (blank lines and lines starting with `#` are skipped); an unknown
//! key is refused with its line.

use serde::Serialize;

/// What fills a section.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum Content {
    /// A short summary.
    Summary,
    /// The question put to the committee (Beslutningstema).
    Question,
    /// The background and the figures (Baggrund, Sagsfremstilling).
    Figures,
    /// What the figures mean (Forventet konsekvens).
    Consequence,
    /// Legal basis (Lovgrundlag).
    Law,
    /// Finances (Økonomi).
    Finances,
    /// Staff (Personalemæssige konsekvenser).
    Staff,
    /// Communication (Kommunikation, Organisering og kommunikation).
    Communication,
    /// History (Historik).
    History,
    /// Process (Procesplan).
    Process,
    /// Who decides (Sagen afgøres i).
    DecidedBy,
    /// The recommendation (indstilling).
    Recommendation,
    /// Left for the committee (Beslutning).
    Decision,
    /// The annexes (Bilag).
    Annexes,
}

impl Content {
    pub const ALL: [Content; 14] = [
        Content::Summary,
        Content::Question,
        Content::Figures,
        Content::Consequence,
        Content::Law,
        Content::Finances,
        Content::Staff,
        Content::Communication,
        Content::History,
        Content::Process,
        Content::DecidedBy,
        Content::Recommendation,
        Content::Decision,
        Content::Annexes,
    ];

    /// The key in a profile file.
    pub fn key(self) -> &'static str {
        match self {
            Content::Summary => "resume",
            Content::Question => "beslutningstema",
            Content::Figures => "tal",
            Content::Consequence => "konsekvens",
            Content::Law => "lovgrundlag",
            Content::Finances => "oekonomi",
            Content::Staff => "personale",
            Content::Communication => "kommunikation",
            Content::History => "historik",
            Content::Process => "procesplan",
            Content::DecidedBy => "afgoeres_i",
            Content::Recommendation => "indstilling",
            Content::Decision => "beslutning",
            Content::Annexes => "bilag",
        }
    }

    pub fn from_key(k: &str) -> Option<Content> {
        let k = k.trim().to_lowercase();
        Content::ALL.into_iter().find(|c| c.key() == k)
    }
}

/// One section of a profile.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Section {
    pub heading: String,
    pub content: Content,
}

/// A profile: a name and its sections in order.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Profile {
    pub name: String,
    pub sections: Vec<Section>,
}

fn shipped(name: &str, sections: &[(&str, Content)]) -> Profile {
    Profile {
        name: name.into(),
        sections: sections
            .iter()
            .map(|(h, c)| Section {
                heading: (*h).into(),
                content: *c,
            })
            .collect(),
    }
}

/// Vesthimmerland's layout (Punkt 60, Beskæftigelsesudvalget).
pub fn vesthimmerland() -> Profile {
    shipped(
        "vesthimmerland",
        &[
            ("Resume", Content::Summary),
            ("Baggrund", Content::Figures),
            ("Forventet konsekvens", Content::Consequence),
            ("Organisering og kommunikation", Content::Communication),
            ("Lovgrundlag", Content::Law),
            ("Økonomi", Content::Finances),
            ("Procesplan", Content::Process),
            ("Sagen afgøres i", Content::DecidedBy),
            ("Administrationen indstiller", Content::Recommendation),
            ("Beslutning", Content::Decision),
            ("Bilag", Content::Annexes),
        ],
    )
}

/// Hedensted's layout (items 76, 79 and 81, Arbejdsmarkedsudvalget).
pub fn hedensted() -> Profile {
    shipped(
        "hedensted",
        &[
            ("Beslutningstema", Content::Question),
            ("Økonomi", Content::Finances),
            (
                "Personalemæssige (herunder arbejdsmiljømæssige) konsekvenser",
                Content::Staff,
            ),
            ("Historik", Content::History),
            ("Sagsfremstilling", Content::Figures),
            ("Kommunikation", Content::Communication),
            ("Lovgrundlag", Content::Law),
            ("Forvaltningen indstiller", Content::Recommendation),
            ("Beslutning", Content::Decision),
            ("Bilag", Content::Annexes),
        ],
    )
}

/// A shipped profile by name.
pub fn shipped_profile(name: &str) -> Option<Profile> {
    match name.trim().to_lowercase().as_str() {
        "vesthimmerland" => Some(vesthimmerland()),
        "hedensted" => Some(hedensted()),
        _ => None,
    }
}

/// A line of a profile file that does not hold (Danish).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ProfileError {
    pub line: usize,
    pub message: String,
}

impl std::fmt::Display for ProfileError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "linje {}: {}", self.line, self.message)
    }
}

impl Profile {
    /// Reads an own profile: `Overskrift = indholdsnøgle` per line. Every bad line is reported.
    pub fn parse(name: &str, text: &str) -> Result<Profile, Vec<ProfileError>> {
        let keys = || {
            Content::ALL
                .iter()
                .map(|c| c.key())
                .collect::<Vec<_>>()
                .join(", ")
        };
        let mut sections = Vec::new();
        let mut errors = Vec::new();
        for (i, raw) in text.lines().enumerate() {
            let line = raw.trim().trim_start_matches('\u{feff}');
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let err = |m: String| ProfileError {
                line: i + 1,
                message: m,
            };
            let Some((heading, key)) = line.rsplit_once('=') else {
                errors.push(err(format!(
                    "«{line}» er ikke «Overskrift = indholdsnøgle»"
                )));
                continue;
            };
            let heading = heading.trim();
            if heading.is_empty() {
                errors.push(err("overskriften er tom".into()));
                continue;
            }
            match Content::from_key(key) {
                Some(content) => sections.push(Section {
                    heading: heading.into(),
                    content,
                }),
                None => errors.push(err(format!(
                    "indholdsnøglen «{}» findes ikke; brug en af {}",
                    key.trim(),
                    keys()
                ))),
            }
        }
        if errors.is_empty()
            && !sections
                .iter()
                .any(|s| s.content == Content::Recommendation)
        {
            errors.push(ProfileError {
                line: 0,
                message: "profilen har ingen sektion med indstillingen (nøglen «indstilling»)"
                    .into(),
            });
        }
        if errors.is_empty() {
            Ok(Profile {
                name: name.into(),
                sections,
            })
        } else {
            Err(errors)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_profiles_have_the_seeds_order() {
        let v: Vec<String> = vesthimmerland()
            .sections
            .into_iter()
            .map(|s| s.heading)
            .collect();
        assert_eq!(
            v,
            [
                "Resume",
                "Baggrund",
                "Forventet konsekvens",
                "Organisering og kommunikation",
                "Lovgrundlag",
                "Økonomi",
                "Procesplan",
                "Sagen afgøres i",
                "Administrationen indstiller",
                "Beslutning",
                "Bilag"
            ]
        );
        let h: Vec<String> = hedensted()
            .sections
            .into_iter()
            .map(|s| s.heading)
            .collect();
        assert_eq!(
            h,
            [
                "Beslutningstema",
                "Økonomi",
                "Personalemæssige (herunder arbejdsmiljømæssige) konsekvenser",
                "Historik",
                "Sagsfremstilling",
                "Kommunikation",
                "Lovgrundlag",
                "Forvaltningen indstiller",
                "Beslutning",
                "Bilag"
            ]
        );
        assert_eq!(shipped_profile(" Hedensted "), Some(hedensted()));
        assert_eq!(shipped_profile("aarhus"), None);
    }

    #[test]
    fn an_own_profile_is_read_and_an_unknown_key_refused_with_its_line() {
        let p = Profile::parse(
            "egen",
            "\u{feff}# Vores skabelon\nSammenfatning = resume\n\nSagen = tal\nIndstilling = indstilling\n",
        )
        .unwrap();
        assert_eq!(p.sections.len(), 3);
        assert_eq!(p.sections[1].content, Content::Figures);
        let e = Profile::parse(
            "egen",
            "Resume = resume\nTal og = figurer\nIngen lighedstegn\n = tal\n",
        )
        .unwrap_err();
        let lines: Vec<usize> = e.iter().map(|e| e.line).collect();
        assert_eq!(lines, [2, 3, 4]);
        assert!(e[0]
            .to_string()
            .starts_with("linje 2: indholdsnøglen «figurer» findes ikke; brug en af resume, "));
        let e = Profile::parse("egen", "Resume = resume\n").unwrap_err();
        assert!(e[0].message.contains("ingen sektion med indstillingen"));
    }
}
