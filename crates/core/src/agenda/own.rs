//! The municipality's own agenda texts and section profiles, kept in its settings (`[[dagsorden_tekster]]`
//! and `[[dagsorden_profiler]]` in the settings file, so they are versioned, dated, explained in
//! the history and edited from the CLI or the settings page like every other setting). Checked
//! when the settings are saved: a text with a placeholder its kind does not have, or a number typed
//! in, is refused then, never a blank in a document.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use super::{Content, Kind, Profile};

/// One own text: for an item kind and a content, the text that replaces the shipped one.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OwnText {
    /// The kind's key (`tidlig-indsats`).
    pub kind: String,
    /// The content's key (`resume`).
    pub content: String,
    pub text: String,
}

/// One own section profile, in the profile file's format (`Overskrift = indholdsnøgle` a line).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OwnProfile {
    pub name: String,
    pub sections: String,
}

/// The municipality's own texts and profiles.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgendaSettings {
    pub profiles: Vec<OwnProfile>,
    pub texts: Vec<OwnText>,
}

impl AgendaSettings {
    /// The own texts of a kind, by content (only those that check).
    pub fn texts(&self, kind: Kind) -> HashMap<Content, String> {
        self.texts
            .iter()
            .filter(|t| Kind::from_key(&t.kind) == Some(kind))
            .filter(|t| kind.check(&t.text).is_ok())
            .filter_map(|t| Content::from_key(&t.content).map(|c| (c, t.text.clone())))
            .collect()
    }

    /// A profile by name: a shipped one, or an own one that reads.
    pub fn profile(&self, name: &str) -> Option<Profile> {
        super::shipped_profile(name).or_else(|| {
            self.profiles
                .iter()
                .find(|p| p.name.trim() == name.trim())
                .and_then(|p| Profile::parse(p.name.trim(), &p.sections).ok())
        })
    }

    /// Every profile's name: the shipped ones, then the own ones.
    pub fn profile_names(&self) -> Vec<String> {
        ["vesthimmerland", "hedensted"]
            .iter()
            .map(|s| s.to_string())
            .chain(self.profiles.iter().map(|p| p.name.trim().to_string()))
            .collect()
    }

    /// What does not hold, by the key in the settings file (`dagsorden_tekster[2].tekst`), in
    /// Danish.
    pub fn validate(&self) -> Vec<(String, String)> {
        let mut out = Vec::new();
        let mut names = Vec::new();
        for (i, p) in self.profiles.iter().enumerate() {
            let key = |f: &str| format!("dagsorden_profiler[{}].{f}", i + 1);
            let name = p.name.trim();
            if name.is_empty() {
                out.push((key("navn"), "Profilen skal have et navn".into()));
            } else if super::shipped_profile(name).is_some() {
                out.push((
                    key("navn"),
                    format!("«{name}» er en af Kadences egne profiler; vælg et andet navn"),
                ));
            } else if names.contains(&name) {
                out.push((key("navn"), format!("Profilen «{name}» står to gange")));
            }
            names.push(name);
            if let Err(errs) = Profile::parse(name, &p.sections) {
                for e in errs {
                    out.push((key("afsnit"), e.to_string()));
                }
            }
        }
        let mut seen = Vec::new();
        for (i, t) in self.texts.iter().enumerate() {
            let key = |f: &str| format!("dagsorden_tekster[{}].{f}", i + 1);
            let kind = Kind::from_key(&t.kind);
            let content = Content::from_key(&t.content);
            if kind.is_none() {
                out.push((
                    key("punkt"),
                    format!(
                        "Punkttypen «{}» findes ikke; brug en af {}",
                        t.kind,
                        Kind::ALL.map(Kind::key).join(", ")
                    ),
                ));
            }
            if content.is_none() {
                out.push((
                    key("indhold"),
                    format!(
                        "Indholdsnøglen «{}» findes ikke; brug en af {}",
                        t.content,
                        Content::ALL.map(Content::key).join(", ")
                    ),
                ));
            }
            if let (Some(k), Some(c)) = (kind, content) {
                if seen.contains(&(k, c)) {
                    out.push((
                        key("indhold"),
                        format!("Teksten til «{}» i «{}» står to gange", c.key(), k.key()),
                    ));
                }
                seen.push((k, c));
                if let Err(errs) = k.check(&t.text) {
                    for e in errs {
                        out.push((key("tekst"), e.to_string()));
                    }
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(kind: &str, content: &str, text: &str) -> OwnText {
        OwnText {
            kind: kind.into(),
            content: content.into(),
            text: text.into(),
        }
    }

    #[test]
    fn own_texts_and_profiles_are_checked_by_their_keys() {
        let s = AgendaSettings {
            profiles: vec![
                OwnProfile {
                    name: "vores".into(),
                    sections: "Sagen = tal\nIndstilling = indstilling\n".into(),
                },
                OwnProfile {
                    name: "hedensted".into(),
                    sections: "Penge = penge\n".into(),
                },
            ],
            texts: vec![
                text("tidlig-indsats", "resume", "Status for {{maaned}}."),
                text(
                    "fristoverholdelse",
                    "resume",
                    "Andelen er {{tidlig_andel_star}}.",
                ),
                text("tidlig-indsats", "resume", "Igen."),
                text("moede", "penge", "x"),
            ],
        };
        let v = s.validate();
        let keys: Vec<&str> = v.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(
            keys,
            [
                "dagsorden_profiler[2].navn",
                "dagsorden_profiler[2].afsnit",
                "dagsorden_tekster[2].tekst",
                "dagsorden_tekster[3].indhold",
                "dagsorden_tekster[4].punkt",
                "dagsorden_tekster[4].indhold",
            ],
            "{v:?}"
        );
        assert!(
            v[1].1.starts_with("linje 1: indholdsnøglen «penge»"),
            "{v:?}"
        );
        assert!(v[2].1.contains("tidlig_andel_star"), "{v:?}");
        assert_eq!(s.profile("vores").unwrap().sections.len(), 2);
        assert_eq!(
            s.profile("hedensted").unwrap().sections[0].heading,
            "Beslutningstema"
        );
        assert!(s.profile("ingen").is_none());
        assert_eq!(
            s.texts(Kind::EarlyEffort).len(),
            1,
            "the checked text of the kind (a duplicate is refused when saved)"
        );
        assert!(
            s.texts(Kind::Deadlines).is_empty(),
            "a text that does not check is not used"
        );
        assert_eq!(
            s.profile_names(),
            ["vesthimmerland", "hedensted", "vores", "hedensted"]
        );
    }
}
