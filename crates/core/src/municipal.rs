//! The municipality's settings as one whole: the duty settings and readings (`settings`), the
//! parameters of the rule sets 2026-07 and 2027 with their confirmation (`rules`), and the
//! municipality's own measure definitions (`measures`); their validation by key, and their history.
//! Stored by the store, written as a file by kadence-settings; every result names the version.

use serde::{Deserialize, Serialize};

use crate::settings::{Category1Reading, Settings};

/// Everything a municipality decides: the duty settings and readings, the parameters of the rule
/// sets 2026-07 and 2027 with their confirmation, and its own measure definitions beside STAR's.
/// Stored with a history (`SettingsHistory`); every result names the version that made it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MunicipalSettings {
    pub duties: Settings,
    pub rules: crate::rules::RuleParams,
    /// The municipality's own measure definitions (kommunens egne definitioner), shown beside STAR's
    /// official one; the first is the default comparison.
    pub definitions: Vec<crate::measures::Definition>,
    /// The committee's figures: the municipality's name on Jobindsats, the areas compared, the
    /// traffic-light rule and the duration bands.
    #[serde(default)]
    pub committee: crate::committee::CommitteeSettings,
    /// The municipality's own agenda texts and section profiles.
    #[serde(default)]
    pub agenda: crate::agenda::AgendaSettings,
    /// The link into the case system from every row and course page (none by default).
    #[serde(default)]
    pub case_system: CaseSystemLink,
}

impl Default for MunicipalSettings {
    fn default() -> Self {
        MunicipalSettings {
            duties: Settings::default(),
            rules: crate::rules::RuleParams::default(),
            definitions: vec![
                crate::measures::Definition::internal_legacy(),
                crate::measures::Definition::by_the_law(),
            ],
            committee: crate::committee::CommitteeSettings::default(),
            agenda: crate::agenda::AgendaSettings::default(),
            case_system: CaseSystemLink::default(),
        }
    }
}

/// One setting that does not hold, by its key in the settings file (`lokale_maal[2].maaneder`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Invalid {
    pub key: String,
    /// Danish: what is wrong and what is allowed.
    pub message: String,
}

/// The limits the settings must keep; one place, used by the file, the CLI and the settings page.
pub mod limits {
    pub const MONTHS: (u8, u8) = (1, 24);
    pub const CONVERSATIONS: (u8, u8) = (1, 12);
    pub const MIN_SPACING: (u16, u16) = (0, 60);
    pub const DUE_SOON: (u16, u16) = (0, 60);
    pub const REGISTRATION_DAYS: (u16, u16) = (0, 60);
    pub const CATEGORY1_DAYS: (u16, u16) = (0, 90);
    pub const LATE_FIRST_DAYS: (u16, u16) = (1, 60);
    pub const MIN_POPULATION: (u32, u32) = (1, 10_000);
    /// The first day a rule-set start may be set to, and the last.
    pub const START_RANGE: (&str, &str) = ("2026-01-01", "2030-12-31");
}

impl MunicipalSettings {
    /// The rule book these settings give.
    pub fn book(&self) -> crate::rules::RuleBook {
        crate::rules::RuleBook::danish_with(&self.rules)
    }

    /// The own definition named `name`, or the first.
    pub fn definition(&self, name: Option<&str>) -> Option<&crate::measures::Definition> {
        match name {
            Some(n) => self.definitions.iter().find(|d| d.name == n),
            None => self.definitions.first(),
        }
    }

    /// Every setting that does not hold, in Danish, by key. Empty when the settings are usable.
    pub fn validate(&self) -> Vec<Invalid> {
        use crate::date::Day;
        let mut out = Vec::new();
        let mut bad = |key: String, message: String| out.push(Invalid { key, message });
        fn within<T: PartialOrd + std::fmt::Display + Copy>(
            v: T,
            (lo, hi): (T, T),
        ) -> Option<String> {
            (v < lo || v > hi).then(|| format!("skal være mellem {lo} og {hi}, er {v}"))
        }
        let d = &self.duties;
        if let Some(m) = within(d.min_spacing_days, limits::MIN_SPACING) {
            bad(
                "opfoelgning.mindste_afstand_dage".into(),
                format!("Mindste afstand mellem samtaler {m}"),
            );
        }
        if let Some(m) = within(d.registration_days, limits::REGISTRATION_DAYS) {
            bad(
                "opfoelgning.registrering_senest_dage".into(),
                format!("Registrering senest {m}"),
            );
        }
        if let Some(m) = within(d.due_soon_days, limits::DUE_SOON) {
            bad(
                "opfoelgning.forfalder_snart_dage".into(),
                format!("«Forfalder snart» {m}"),
            );
        }
        if let Category1Reading::AfterWeek8 { days } = d.category1 {
            if let Some(m) = within(days, limits::CATEGORY1_DAYS) {
                bad(
                    "opfoelgning.kategori1_dage".into(),
                    format!("Dage efter uge 8 {m}"),
                );
            }
        }
        let mut names = std::collections::HashSet::new();
        for (i, t) in d.local_targets.iter().enumerate() {
            let key = |f: &str| format!("lokale_maal[{}].{f}", i + 1);
            if t.name.trim().is_empty() {
                bad(key("navn"), "Et lokalt mål skal have et navn".into());
            } else if !names.insert(t.name.trim().to_lowercase()) {
                bad(key("navn"), format!("Navnet «{}» er brugt før", t.name));
            }
            if let Some(m) = within(t.months, limits::MONTHS) {
                bad(key("maaneder"), format!("Antal måneder {m}"));
            }
            if let Some(m) = within(t.conversations, limits::CONVERSATIONS) {
                bad(key("samtaler"), format!("Antal samtaler {m}"));
            }
            // The conversations must fit in the window with the minimum spacing.
            let window = i32::from(t.months) * 28;
            let needed = (i32::from(t.conversations) - 1) * i32::from(d.min_spacing_days);
            if t.months > 0 && t.conversations > 0 && needed > window {
                bad(
                    key("samtaler"),
                    format!(
                        "{} samtaler med mindst {} dages afstand kan ikke nås inden for {} måneder",
                        t.conversations, d.min_spacing_days, t.months
                    ),
                );
            }
        }
        let r = &self.rules;
        for (key, n) in [
            ("regler.mindste_antal_2026_07", r.minimum_2026_07),
            ("regler.mindste_antal_2027", r.minimum_2027),
        ] {
            if let Some(m) = within(n, limits::CONVERSATIONS) {
                bad(
                    key.into(),
                    format!("Mindste antal samtaler i første halvår {m}"),
                );
            } else if (i32::from(n) - 1) * i32::from(d.min_spacing_days) > 181 {
                bad(
                    key.into(),
                    format!(
                        "Mindst {n} samtaler i første halvår er mere, end mindste afstand på {} dage tillader (højst {})",
                        d.min_spacing_days,
                        181 / i32::from(d.min_spacing_days.max(1)) + 1
                    ),
                );
            }
        }
        if let Some(m) = within(r.late_first_days, limits::LATE_FIRST_DAYS) {
            bad(
                "regler.dage_til_foerste_samtale_efter_fritagelse".into(),
                format!("Antal dage {m}"),
            );
        }
        let (lo, hi) = (
            Day::parse_iso(limits::START_RANGE.0).unwrap_or(Day::ymd(2026, 1, 1)),
            Day::parse_iso(limits::START_RANGE.1).unwrap_or(Day::ymd(2030, 12, 31)),
        );
        for (key, day) in [
            ("regler.start_2026_07", r.start_2026_07),
            ("regler.start_2027", r.start_2027),
            ("regler.rehabiliteringsteam_ophoerer", r.rehab_team_end),
        ] {
            if day < lo || day > hi {
                bad(
                    key.into(),
                    format!(
                        "Datoen {} skal ligge mellem {} og {}",
                        day.dk(),
                        lo.dk(),
                        hi.dk()
                    ),
                );
            }
        }
        if r.start_2027 <= r.start_2026_07 {
            bad(
                "regler.start_2027".into(),
                format!(
                    "Regelsæt 2027 skal starte efter regelsæt 2026-07 ({})",
                    r.start_2026_07.dk()
                ),
            );
        }
        for (key, c) in [
            ("bekraeftelse.\"2026-07\"", &r.confirmed_2026_07),
            ("bekraeftelse.\"2027\"", &r.confirmed_2027),
        ] {
            if let Some(c) = c {
                if c.law.trim().len() < 5 {
                    bad(
                        format!("{key}.lov"),
                        "Bekræftelsen skal nævne loven, fx «lov nr. 1750 af 29. december 2025»"
                            .into(),
                    );
                }
            }
        }
        let mut names = std::collections::HashSet::new();
        for (i, def) in self.definitions.iter().enumerate() {
            let key = |f: &str| format!("definitioner[{}].{f}", i + 1);
            if def.name.trim().is_empty() {
                bad(key("navn"), "En definition skal have et navn".into());
            } else if !names.insert(def.name.trim().to_lowercase())
                || def.name == crate::measures::Definition::official().name
            {
                bad(key("navn"), format!("Navnet «{}» er brugt før", def.name));
            }
            if let Some(m) = within(def.min_population, limits::MIN_POPULATION) {
                bad(key("mindst_borgere"), format!("Mindste antal borgere {m}"));
            }
        }
        let c = &self.committee;
        if c.traffic_light.yellow_pct < c.traffic_light.green_pct {
            bad(
                "udvalg.trafiklys_gul_pct".into(),
                format!(
                    "Gul ({} %) skal være mindst grøn ({} %)",
                    c.traffic_light.yellow_pct, c.traffic_light.green_pct
                ),
            );
        }
        if let Err(m) = crate::committee::CommitteeSettings::parse_edges(&c.edges_text()) {
            bad(
                "udvalg.varighed_uger".into(),
                format!("Varighedsgrænser: {m}"),
            );
        }
        for (key, message) in self.agenda.validate() {
            bad(key, message);
        }
        out
    }
}

/// One version of the settings: what was decided, from when, by whom and why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SettingsVersion {
    /// 0 is the built-in defaults; stored versions count from 1.
    pub version: u32,
    /// The first day the version is in force (never before the day it was made).
    pub effective_from: crate::date::Day,
    pub settings: MunicipalSettings,
    /// When it was made (RFC 3339), who made it, and why; empty for the defaults.
    pub changed_at: String,
    pub changed_by: String,
    pub reason: String,
}

impl SettingsVersion {
    pub fn defaults() -> SettingsVersion {
        SettingsVersion {
            version: 0,
            effective_from: crate::date::Day::ymd(1900, 1, 1),
            settings: MunicipalSettings::default(),
            changed_at: String::new(),
            changed_by: String::new(),
            reason: String::new(),
        }
    }

    /// "indstillinger v3" for figures; "standardindstillinger (v0)" for the defaults.
    pub fn label(&self) -> String {
        if self.version == 0 {
            "standardindstillinger (v0)".into()
        } else {
            format!(
                "indstillinger v{} (gælder fra {})",
                self.version,
                self.effective_from.dk()
            )
        }
    }
}

/// Every version of the settings. The version in force on a day is the newest decision in force by
/// then: the highest version whose first day is on or before the day; before any, the defaults. So a
/// past month is reproduced with the settings of then.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SettingsHistory {
    versions: Vec<std::sync::Arc<SettingsVersion>>,
}

impl Default for SettingsHistory {
    fn default() -> Self {
        SettingsHistory {
            versions: vec![std::sync::Arc::new(SettingsVersion::defaults())],
        }
    }
}

impl SettingsHistory {
    /// A history from stored versions in any order (the defaults are added as version 0).
    pub fn new(mut versions: Vec<SettingsVersion>) -> SettingsHistory {
        versions.retain(|v| v.version > 0);
        versions.sort_by_key(|v| v.version);
        let mut all = vec![std::sync::Arc::new(SettingsVersion::defaults())];
        all.extend(versions.into_iter().map(std::sync::Arc::new));
        SettingsHistory { versions: all }
    }

    /// The version in force on `day`.
    pub fn in_force_on(&self, day: crate::date::Day) -> &std::sync::Arc<SettingsVersion> {
        self.versions
            .iter()
            .rev()
            .find(|v| v.effective_from <= day)
            .unwrap_or(&self.versions[0])
    }

    /// The newest version (whatever day it takes effect).
    pub fn latest(&self) -> &std::sync::Arc<SettingsVersion> {
        &self.versions[self.versions.len() - 1]
    }

    /// Every version, oldest first (version 0, the defaults, first).
    pub fn versions(&self) -> &[std::sync::Arc<SettingsVersion>] {
        &self.versions
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::date::Day;

    #[test]
    fn the_version_in_force_is_the_newest_decision_in_force_by_then() {
        let v = |version, from: Day, minimum| SettingsVersion {
            version,
            effective_from: from,
            settings: MunicipalSettings {
                rules: crate::rules::RuleParams {
                    minimum_2026_07: minimum,
                    ..Default::default()
                },
                ..Default::default()
            },
            changed_at: String::new(),
            changed_by: "admin".into(),
            reason: "test".into(),
        };
        let h = SettingsHistory::new(vec![
            v(2, Day::ymd(2026, 12, 15), 2),
            v(1, Day::ymd(2026, 12, 2), 1),
            v(3, Day::ymd(2027, 1, 1), 3),
        ]);
        let at = |y, m, d| h.in_force_on(Day::ymd(y, m, d)).version;
        assert_eq!(at(2026, 6, 1), 0, "before any: the defaults");
        assert_eq!(at(2026, 12, 2), 1);
        assert_eq!(at(2026, 12, 14), 1);
        assert_eq!(at(2026, 12, 15), 2);
        assert_eq!(at(2027, 1, 1), 3);
        assert_eq!(h.latest().version, 3);
        assert_eq!(
            h.in_force_on(Day::ymd(2027, 6, 1))
                .settings
                .rules
                .minimum_2026_07,
            3
        );
    }

    #[test]
    fn bad_settings_are_named_by_key() {
        let mut s = MunicipalSettings::default();
        s.duties.local_targets[0].months = 0;
        s.rules.minimum_2026_07 = 20;
        s.rules.minimum_2027 = 12;
        s.duties.min_spacing_days = 30;
        s.rules.start_2027 = Day::ymd(2026, 6, 1);
        let keys: Vec<String> = s.validate().into_iter().map(|i| i.key).collect();
        for k in [
            "lokale_maal[1].maaneder",
            "regler.mindste_antal_2026_07",
            "regler.mindste_antal_2027",
            "regler.start_2027",
        ] {
            assert!(keys.iter().any(|x| x == k), "{k} in {keys:?}");
        }
        assert!(MunicipalSettings::default().validate().is_empty());
    }
}

/// The link from Kadence into the municipality's case system (fagsystem): a URL template with
/// `{forloeb}` where the course id goes, e.g. `https://fagsystem.kommune.dk/sag/{forloeb}`. Empty: no
/// link. The course id is the only value the exports carry that the case system also knows (no case
/// number is exported), so it is the only placeholder.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct CaseSystemLink {
    pub template: String,
}

impl CaseSystemLink {
    /// The placeholder for the course id.
    pub const PLACEHOLDER: &'static str = "{forloeb}";

    /// Checks a template: empty, or an `https://` or `http://` address holding `{forloeb}` and no
    /// other `{...}`, without spaces or quotes. (Only web addresses: a `javascript:` link in a
    /// setting would run in every user's page.)
    pub fn parse(text: &str) -> Result<CaseSystemLink, String> {
        let t = text.trim();
        if t.is_empty() {
            return Ok(CaseSystemLink::default());
        }
        let lower = t.to_ascii_lowercase();
        if !(lower.starts_with("https://") || lower.starts_with("http://")) {
            return Err("Linket skal begynde med https:// (eller http://)".into());
        }
        if t.chars()
            .any(|c| c.is_whitespace() || c == '"' || c == '\'' || c == '<' || c == '>')
        {
            return Err("Linket må ikke indeholde mellemrum, anførselstegn eller < >".into());
        }
        if !t.contains(Self::PLACEHOLDER) {
            return Err(format!(
                "Linket skal indeholde {} der, hvor forløbs-id'et skal stå",
                Self::PLACEHOLDER
            ));
        }
        let rest = t.replace(Self::PLACEHOLDER, "");
        if rest.contains('{') || rest.contains('}') {
            return Err(format!(
                "Linket kender kun pladsholderen {}",
                Self::PLACEHOLDER
            ));
        }
        Ok(CaseSystemLink {
            template: t.to_string(),
        })
    }

    /// The link for one course, the id percent-encoded (the case system's ids may hold any
    /// character); `None` without a template. Hand-written: the core has no URL crate, and this is
    /// RFC 3986's unreserved set and nothing more.
    pub fn for_course(&self, key: &str) -> Option<String> {
        if self.template.is_empty() {
            return None;
        }
        let encoded: String = key
            .bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                    char::from(b).to_string()
                }
                _ => format!("%{b:02X}"),
            })
            .collect();
        Some(self.template.replace(Self::PLACEHOLDER, &encoded))
    }
}

#[cfg(test)]
mod case_system_link {
    use super::CaseSystemLink;

    #[test]
    fn templates_are_checked_and_course_ids_encoded() {
        let ok = |t: &str| CaseSystemLink::parse(t).unwrap();
        assert_eq!(ok("").for_course("K1"), None);
        assert_eq!(
            ok(" https://fag.kommune.dk/sag/{forloeb}?fane=opf ").for_course("K01-SDP-1"),
            Some("https://fag.kommune.dk/sag/K01-SDP-1?fane=opf".into())
        );
        assert_eq!(
            ok("http://intra/sag?id={forloeb}").for_course("a/b c&d"),
            Some("http://intra/sag?id=a%2Fb%20c%26d".into())
        );
        for (bad, says) in [
            ("javascript:alert(1)//{forloeb}", "https://"),
            ("https://fag.dk/sag", "{forloeb}"),
            ("https://fag.dk/{sag}/{forloeb}", "kun pladsholderen"),
            ("https://fag.dk/\"onmouseover=x/{forloeb}", "anførselstegn"),
            ("https://fag.dk/ {forloeb}", "mellemrum"),
        ] {
            let e = CaseSystemLink::parse(bad).unwrap_err();
            assert!(e.contains(says), "{bad}: {e}");
        }
    }
}
