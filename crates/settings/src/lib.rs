//! # kadence-settings
//!
//! The municipality's settings as a file (`indstillinger.toml`): Danish keys in TOML, written with a
//! comment beside every setting saying what each alternative changes, read back with every error
//! located (line and key) in Danish and nothing changed unless all of it holds. The same tables
//! ([`registry`]) serve `kadence indstillinger` and the settings page, so a setting cannot exist in
//! one and not the others.
//!
//! Hand-written on top of `toml_edit` rather than serde-derived: the keys are Danish while the core's
//! types are English, and an error must name the key and its line, which a derived deserializer does
//! not give for the checks that span several keys (`MunicipalSettings::validate`).

pub mod registry;

use std::fmt;

use kadence_core::municipal::MunicipalSettings;
use kadence_core::rules::Confirmation;
use registry::{Kind, Spec};
use toml_edit::{Document, Item, Table, Value};

/// One located problem in a settings file or a `saet` command.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SettingsError {
    /// The setting's key (`regler.mindste_antal_2027`, `lokale_maal[2].maaneder`).
    pub key: Option<String>,
    /// 1-based line in the file, where known.
    pub line: Option<usize>,
    pub message: String,
}

impl fmt::Display for SettingsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.line, &self.key) {
            (Some(l), Some(k)) => write!(f, "linje {l}, «{k}»: {}", self.message),
            (Some(l), None) => write!(f, "linje {l}: {}", self.message),
            (None, Some(k)) => write!(f, "«{k}»: {}", self.message),
            (None, None) => write!(f, "{}", self.message),
        }
    }
}

/// Every problem found; nothing was changed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SettingsErrors(pub Vec<SettingsError>);

impl fmt::Display for SettingsErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = kadence_core::dk::int(i64::try_from(self.0.len()).unwrap_or(i64::MAX));
        // "fejl" is the same in singular and plural.
        writeln!(
            f,
            "Indstillingerne er afvist; intet er ændret. {n} fejl fundet:"
        )?;
        for e in &self.0 {
            writeln!(f, "  {e}")?;
        }
        Ok(())
    }
}

impl std::error::Error for SettingsErrors {}

fn quote(s: &str) -> String {
    Value::from(s).to_string().trim().to_string()
}

/// The settings as the file a municipality keeps: every setting, with its label and alternatives as
/// comments. Reading it back gives the same settings.
pub fn to_toml(s: &MunicipalSettings) -> String {
    let mut out = String::new();
    out.push_str("# Kadence: kommunens indstillinger.\n");
    out.push_str("# Læs ind med `kadence indstillinger indlaes FIL --begrundelse \"...\"`.\n");
    out.push_str(
        "# Datoer skrives åååå-mm-dd. En nøgle, der udelades, beholder sin nuværende værdi.\n",
    );
    for (section, heading) in registry::SECTIONS {
        out.push_str(&format!("\n# {heading}\n[{section}]\n"));
        for spec in registry::specs()
            .iter()
            .filter(|x| x.key.split('.').next() == Some(section))
        {
            out.push_str(&format!("\n# {}\n", spec.label));
            out.push_str(&format!("# {}\n", spec.help));
            if let Kind::Choice(choices) = spec.kind {
                for c in choices {
                    out.push_str(&format!("#   {}: {}\n", c.word, c.label));
                }
            }
            let name = spec.key.split_once('.').map_or(spec.key, |x| x.1);
            out.push_str(&format!(
                "{name} = {}\n",
                value_text(&spec.kind, &(spec.get)(s))
            ));
        }
    }
    out.push_str("\n# Bekræftelse af et foreløbigt regelsæt: den lov, det er tjekket mod (fjernes ved at slette afsnittet).\n");
    for set in registry::CONFIRMABLE {
        if let Some(Some(c)) = registry::confirmation(&s.rules, set) {
            out.push_str(&format!(
                "[bekraeftelse.\"{set}\"]\nlov = {}\ndato = {}\n",
                quote(&c.law),
                c.date
            ));
        }
    }
    out.push_str("\n# Lokale mål: kommunens egne krav, altid vist som lokale og aldrig blandet med lovkravene.\n");
    for t in &s.duties.local_targets {
        out.push_str("[[lokale_maal]]\n");
        for f in registry::local_target_fields() {
            out.push_str(&format!(
                "{} = {}\n",
                f.field,
                value_text(&f.kind, &(f.get)(t))
            ));
        }
    }
    out.push_str("\n# Kommunens egne måledefinitioner, vist ved siden af STAR's officielle.\n");
    for d in &s.definitions {
        out.push_str("[[definitioner]]\n");
        for f in registry::definition_fields() {
            out.push_str(&format!(
                "{} = {}\n",
                f.field,
                value_text(&f.kind, &(f.get)(d))
            ));
        }
    }
    out.push_str("\n# Dagsordenspunkter: kommunens egne sektionsprofiler (afsnit: «Overskrift = indholdsnøgle», én pr. linje)\n# og egne tekster (punkt, indhold, tekst med pladsholdere {{navn}}; tal skrives aldrig i teksten). docs/agenda.md.\n");
    for p in &s.agenda.profiles {
        out.push_str("[[dagsorden_profiler]]\n");
        for f in registry::agenda_profile_fields() {
            out.push_str(&format!("{} = {}\n", f.field, long_text(&(f.get)(p))));
        }
    }
    for t in &s.agenda.texts {
        out.push_str("[[dagsorden_tekster]]\n");
        for f in registry::agenda_text_fields() {
            out.push_str(&format!("{} = {}\n", f.field, long_text(&(f.get)(t))));
        }
    }
    out
}

/// A text that may hold line breaks, as a TOML multi-line literal string where it can be (read as
/// written), else a quoted string.
fn long_text(v: &str) -> String {
    if v.contains('\n') && !v.contains("'''") && !v.contains('\r') {
        format!("'''\n{v}'''")
    } else {
        quote(v)
    }
}

fn value_text(kind: &Kind, v: &str) -> String {
    match kind {
        Kind::Int { .. } | Kind::Date => v.to_string(),
        Kind::Choice(_) | Kind::Text => quote(v),
    }
}

/// A TOML value as the text a setting parses: strings without quotes, numbers and dates as written.
fn as_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.value().clone()),
        Value::Integer(i) => Some(i.value().to_string()),
        Value::Datetime(d) => {
            let d = d.value();
            match (d.date, d.time) {
                (Some(date), None) => Some(date.to_string()),
                _ => None,
            }
        }
        Value::Float(f) => Some(f.value().to_string()),
        Value::Boolean(b) => Some(b.value().to_string()),
        _ => None,
    }
}

/// Line numbers of byte offsets.
struct Lines(Vec<usize>);

impl Lines {
    fn new(text: &str) -> Lines {
        Lines(
            std::iter::once(0)
                .chain(text.match_indices('\n').map(|(i, _)| i + 1))
                .collect(),
        )
    }
    fn of(&self, offset: usize) -> usize {
        self.0.partition_point(|start| *start <= offset)
    }
}

/// Reads a settings file on top of `base`: the keys given replace their values (a list given
/// replaces the whole list); everything is checked, and on any error nothing is returned but every
/// error, located.
pub fn from_toml(
    text: &str,
    base: &MunicipalSettings,
) -> Result<MunicipalSettings, SettingsErrors> {
    let lines = Lines::new(text);
    let doc = Document::parse(text.to_string()).map_err(|e| {
        SettingsErrors(vec![SettingsError {
            key: None,
            line: e.span().map(|s| lines.of(s.start)),
            message: format!(
                "filen kan ikke læses som TOML ({})",
                e.message().trim().replace('\n', " ")
            ),
        }])
    })?;
    let mut s = base.clone();
    let mut errs = Vec::new();
    let mut where_is: Vec<(String, usize)> = Vec::new();
    let line_of = |item: &Item| item.span().map(|r| lines.of(r.start));
    let err = |errs: &mut Vec<SettingsError>, key: &str, line: Option<usize>, m: String| {
        errs.push(SettingsError {
            key: Some(key.to_string()),
            line,
            message: m,
        })
    };
    for (name, item) in doc.as_table().iter() {
        let line = line_of(item);
        match (name, item) {
            ("opfoelgning" | "regler" | "udvalg" | "fagsystem", Item::Table(t)) => {
                for (k, v) in t.iter() {
                    let key = format!("{name}.{k}");
                    let line = line_of(v);
                    if let Some(l) = line {
                        where_is.push((key.clone(), l));
                    }
                    let Some(spec) = registry::specs().iter().find(|x| x.key == key) else {
                        err(&mut errs, &key, line, unknown(name));
                        continue;
                    };
                    match v.as_value().and_then(as_text) {
                        Some(text) => {
                            if let Err(m) = (spec.set)(&mut s, &text) {
                                err(&mut errs, &key, line, m);
                            }
                        }
                        None => err(&mut errs, &key, line, expected(spec)),
                    }
                }
            }
            ("bekraeftelse", Item::Table(t)) => {
                for (set, v) in t.iter() {
                    let key = format!("bekraeftelse.\"{set}\"");
                    let line = line_of(v);
                    let Some(slot) = registry::confirmation_mut(&mut s.rules, set) else {
                        err(
                            &mut errs,
                            &key,
                            line,
                            format!(
                                "ukendt regelsæt «{set}»; kun et foreløbigt regelsæt kan bekræftes: {}",
                                registry::CONFIRMABLE.join(", ")
                            ),
                        );
                        continue;
                    };
                    match confirmation(v.as_table(), &key, line, &lines) {
                        Ok(c) => *slot = Some(c),
                        Err(mut e) => errs.append(&mut e),
                    }
                }
            }
            ("lokale_maal", Item::ArrayOfTables(list)) => {
                s.duties.local_targets.clear();
                for (i, t) in list.iter().enumerate() {
                    let mut target = registry::new_local_target();
                    fill(
                        &mut target,
                        t,
                        &format!("lokale_maal[{}]", i + 1),
                        registry::local_target_fields(),
                        &lines,
                        &mut errs,
                        &mut where_is,
                    );
                    s.duties.local_targets.push(target);
                }
            }
            ("definitioner", Item::ArrayOfTables(list)) => {
                s.definitions.clear();
                for (i, t) in list.iter().enumerate() {
                    let mut def = registry::new_definition();
                    fill(
                        &mut def,
                        t,
                        &format!("definitioner[{}]", i + 1),
                        registry::definition_fields(),
                        &lines,
                        &mut errs,
                        &mut where_is,
                    );
                    s.definitions.push(def);
                }
            }
            ("dagsorden_profiler", Item::ArrayOfTables(list)) => {
                s.agenda.profiles.clear();
                for (i, t) in list.iter().enumerate() {
                    let mut p = registry::new_agenda_profile();
                    fill(
                        &mut p,
                        t,
                        &format!("dagsorden_profiler[{}]", i + 1),
                        registry::agenda_profile_fields(),
                        &lines,
                        &mut errs,
                        &mut where_is,
                    );
                    s.agenda.profiles.push(p);
                }
            }
            ("dagsorden_tekster", Item::ArrayOfTables(list)) => {
                s.agenda.texts.clear();
                for (i, t) in list.iter().enumerate() {
                    let mut x = registry::new_agenda_text();
                    fill(
                        &mut x,
                        t,
                        &format!("dagsorden_tekster[{}]", i + 1),
                        registry::agenda_text_fields(),
                        &lines,
                        &mut errs,
                        &mut where_is,
                    );
                    s.agenda.texts.push(x);
                }
            }
            _ => err(
                &mut errs,
                name,
                line,
                "ukendt afsnit; kendte er [opfoelgning], [regler], [udvalg], [bekraeftelse.\"…\"], [[lokale_maal]], [[definitioner]], [[dagsorden_profiler]] og [[dagsorden_tekster]]".into(),
            ),
        }
    }
    if errs.is_empty() {
        for invalid in s.validate() {
            let line = where_is
                .iter()
                .find(|(k, _)| *k == invalid.key)
                .map(|(_, l)| *l);
            errs.push(SettingsError {
                key: Some(invalid.key),
                line,
                message: invalid.message,
            });
        }
    }
    if errs.is_empty() {
        Ok(s)
    } else {
        Err(SettingsErrors(errs))
    }
}

fn unknown(section: &str) -> String {
    let known: Vec<&str> = registry::specs()
        .iter()
        .filter(|x| x.key.split('.').next() == Some(section))
        .map(|x| x.key.split_once('.').map_or(x.key, |y| y.1))
        .collect();
    format!(
        "ukendt indstilling; kendte i [{section}]: {}",
        known.join(", ")
    )
}

fn expected(spec: &Spec) -> String {
    match spec.kind {
        Kind::Int { min, max } => format!("forventet et helt tal mellem {min} og {max}"),
        Kind::Date => "forventet en dato som åååå-mm-dd".into(),
        Kind::Choice(c) => format!(
            "forventet en af: {}",
            c.iter().map(|c| c.word).collect::<Vec<_>>().join(", ")
        ),
        Kind::Text => "forventet en tekst i anførselstegn".into(),
    }
}

fn confirmation(
    t: Option<&Table>,
    key: &str,
    line: Option<usize>,
    lines: &Lines,
) -> Result<Confirmation, Vec<SettingsError>> {
    let mut errs = Vec::new();
    let Some(t) = t else {
        return Err(vec![SettingsError {
            key: Some(key.into()),
            line,
            message: "forventet et afsnit med «lov» og «dato»".into(),
        }]);
    };
    let get = |f: &str| t.get(f).and_then(|v| v.as_value()).and_then(as_text);
    let law = get("lov");
    let date = get("dato").map(|d| registry::date(&d));
    for (k, _) in t.iter().filter(|(k, _)| !matches!(*k, "lov" | "dato")) {
        errs.push(SettingsError {
            key: Some(format!("{key}.{k}")),
            line: t.get(k).and_then(|i| i.span()).map(|r| lines.of(r.start)),
            message: "ukendt felt; kendte er lov og dato".into(),
        });
    }
    match (law, date) {
        (Some(law), Some(Ok(date))) if errs.is_empty() => Ok(Confirmation { law, date }),
        (law, date) => {
            if law.is_none() {
                errs.push(SettingsError {
                    key: Some(format!("{key}.lov")),
                    line,
                    message:
                        "mangler lovens nummer og dato, fx «lov nr. 1750 af 29. december 2025»"
                            .into(),
                });
            }
            match date {
                None => errs.push(SettingsError {
                    key: Some(format!("{key}.dato")),
                    line,
                    message: "mangler lovens dato".into(),
                }),
                Some(Err(m)) => errs.push(SettingsError {
                    key: Some(format!("{key}.dato")),
                    line: t
                        .get("dato")
                        .and_then(|i| i.span())
                        .map(|r| lines.of(r.start)),
                    message: m,
                }),
                Some(Ok(_)) => {}
            }
            Err(errs)
        }
    }
}

fn fill<T>(
    item: &mut T,
    t: &Table,
    prefix: &str,
    fields: &[registry::Field<T>],
    lines: &Lines,
    errs: &mut Vec<SettingsError>,
    where_is: &mut Vec<(String, usize)>,
) {
    for (k, v) in t.iter() {
        let key = format!("{prefix}.{k}");
        let line = v.span().map(|r| lines.of(r.start));
        if let Some(l) = line {
            where_is.push((key.clone(), l));
        }
        let Some(f) = fields.iter().find(|f| f.field == k) else {
            errs.push(SettingsError {
                key: Some(key),
                line,
                message: format!(
                    "ukendt felt; kendte er {}",
                    fields
                        .iter()
                        .map(|f| f.field)
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            });
            continue;
        };
        match v.as_value().and_then(as_text) {
            Some(text) => {
                if let Err(m) = (f.set)(item, &text) {
                    errs.push(SettingsError {
                        key: Some(key),
                        line,
                        message: m,
                    });
                }
            }
            None => errs.push(SettingsError {
                key: Some(key),
                line,
                message: "forventet en enkelt værdi".into(),
            }),
        }
    }
}

/// Sets one key (as `kadence indstillinger saet` takes it) on top of `base` and checks the whole.
///
/// Keys: `opfoelgning.halvaar`, `regler.start_2027`, `lokale_maal[2].maaneder` (an index one past
/// the end appends a new entry; the value `slet` on the index, `lokale_maal[2]`, removes it),
/// `definitioner[1].fritagne`, `bekraeftelse.2027` with the value `lov nr. … af …; åååå-mm-dd` (or
/// `slet`).
pub fn set(
    base: &MunicipalSettings,
    key: &str,
    value: &str,
) -> Result<MunicipalSettings, SettingsErrors> {
    let mut s = base.clone();
    let fail = |m: String| {
        SettingsErrors(vec![SettingsError {
            key: Some(key.to_string()),
            line: None,
            message: m,
        }])
    };
    if let Some(spec) = registry::specs().iter().find(|x| x.key == key) {
        (spec.set)(&mut s, value).map_err(fail)?;
    } else if let Some(set_name) = key.strip_prefix("bekraeftelse.") {
        let set_name = set_name.trim_matches('"');
        let slot = registry::confirmation_mut(&mut s.rules, set_name).ok_or_else(|| {
            fail(format!(
                "ukendt regelsæt «{set_name}»; kun et foreløbigt regelsæt kan bekræftes: {}",
                registry::CONFIRMABLE.join(", ")
            ))
        })?;
        if value.trim() == "slet" {
            *slot = None;
        } else {
            let (law, date) = value.rsplit_once(';').ok_or_else(|| {
                fail("forventet «lov nr. … af …; åååå-mm-dd» (lovens betegnelse, semikolon, lovens dato)".into())
            })?;
            *slot = Some(Confirmation {
                law: law.trim().to_string(),
                date: registry::date(date).map_err(fail)?,
            });
        }
    } else if let Some((list, index, field)) = list_key(key) {
        match list {
            "lokale_maal" => edit_list(
                &mut s.duties.local_targets,
                index,
                field,
                value,
                registry::local_target_fields(),
                registry::new_local_target,
            )
            .map_err(fail)?,
            "definitioner" => edit_list(
                &mut s.definitions,
                index,
                field,
                value,
                registry::definition_fields(),
                registry::new_definition,
            )
            .map_err(fail)?,
            "dagsorden_profiler" => edit_list(
                &mut s.agenda.profiles,
                index,
                field,
                value,
                registry::agenda_profile_fields(),
                registry::new_agenda_profile,
            )
            .map_err(fail)?,
            "dagsorden_tekster" => edit_list(
                &mut s.agenda.texts,
                index,
                field,
                value,
                registry::agenda_text_fields(),
                registry::new_agenda_text,
            )
            .map_err(fail)?,
            _ => return Err(fail(unknown_key())),
        }
    } else {
        return Err(fail(unknown_key()));
    }
    let invalid = s.validate();
    if invalid.is_empty() {
        Ok(s)
    } else {
        Err(SettingsErrors(
            invalid
                .into_iter()
                .map(|i| SettingsError {
                    key: Some(i.key),
                    line: None,
                    message: i.message,
                })
                .collect(),
        ))
    }
}

fn unknown_key() -> String {
    format!(
        "ukendt indstilling; kendte er {}, lokale_maal[N].FELT, definitioner[N].FELT, dagsorden_profiler[N].FELT, dagsorden_tekster[N].FELT og bekraeftelse.REGELSÆT",
        registry::specs()
            .iter()
            .map(|s| s.key)
            .collect::<Vec<_>>()
            .join(", ")
    )
}

/// `lokale_maal[2].maaneder` -> ("lokale_maal", 2, Some("maaneder")); `lokale_maal[2]` -> (.., None).
fn list_key(key: &str) -> Option<(&str, usize, Option<&str>)> {
    let (list, rest) = key.split_once('[')?;
    let (index, rest) = rest.split_once(']')?;
    let index: usize = index.trim().parse().ok()?;
    let field = match rest.strip_prefix('.') {
        Some(f) => Some(f),
        None if rest.is_empty() => None,
        None => return None,
    };
    Some((list, index, field))
}

fn edit_list<T>(
    list: &mut Vec<T>,
    index: usize,
    field: Option<&str>,
    value: &str,
    fields: &[registry::Field<T>],
    new: fn() -> T,
) -> Result<(), String> {
    if index == 0 || index > list.len() + 1 {
        return Err(format!(
            "nummer {index} findes ikke; der er {} (brug {} for at tilføje)",
            list.len(),
            list.len() + 1
        ));
    }
    match field {
        None if value.trim() == "slet" && index <= list.len() => {
            list.remove(index - 1);
            Ok(())
        }
        None => {
            Err("forventet værdien «slet» for at fjerne punktet, eller et felt som [N].navn".into())
        }
        Some(f) => {
            let spec = fields.iter().find(|x| x.field == f).ok_or_else(|| {
                format!(
                    "ukendt felt «{f}»; kendte er {}",
                    fields
                        .iter()
                        .map(|f| f.field)
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            })?;
            if index == list.len() + 1 {
                list.push(new());
            }
            (spec.set)(&mut list[index - 1], value)
        }
    }
}

/// The settings as `key = value` lines, for `kadence indstillinger vis` and comparisons: every scalar
/// setting, the confirmations, and the lists by index.
pub fn flat(s: &MunicipalSettings) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = registry::specs()
        .iter()
        .map(|x| (x.key.to_string(), (x.get)(s)))
        .collect();
    for set in registry::CONFIRMABLE {
        let v = match registry::confirmation(&s.rules, set) {
            Some(Some(c)) => format!("{}; {}", c.law, c.date),
            _ => "ikke bekræftet".into(),
        };
        out.push((format!("bekraeftelse.{set}"), v));
    }
    for (i, t) in s.duties.local_targets.iter().enumerate() {
        for f in registry::local_target_fields() {
            out.push((format!("lokale_maal[{}].{}", i + 1, f.field), (f.get)(t)));
        }
    }
    for (i, d) in s.definitions.iter().enumerate() {
        for f in registry::definition_fields() {
            out.push((format!("definitioner[{}].{}", i + 1, f.field), (f.get)(d)));
        }
    }
    for (i, p) in s.agenda.profiles.iter().enumerate() {
        for f in registry::agenda_profile_fields() {
            out.push((
                format!("dagsorden_profiler[{}].{}", i + 1, f.field),
                (f.get)(p),
            ));
        }
    }
    for (i, t) in s.agenda.texts.iter().enumerate() {
        for f in registry::agenda_text_fields() {
            out.push((
                format!("dagsorden_tekster[{}].{}", i + 1, f.field),
                (f.get)(t),
            ));
        }
    }
    out
}

/// What changed from `a` to `b`, as `key: old -> new` lines (for the history and the audit log).
pub fn changes(a: &MunicipalSettings, b: &MunicipalSettings) -> Vec<String> {
    let (fa, fb) = (flat(a), flat(b));
    let mut out = Vec::new();
    for (k, v) in &fb {
        match fa.iter().find(|(x, _)| x == k) {
            Some((_, old)) if old == v => {}
            Some((_, old)) => out.push(format!("{k}: {old} → {v}")),
            None => out.push(format!("{k}: (ny) {v}")),
        }
    }
    for (k, v) in &fa {
        if !fb.iter().any(|(x, _)| x == k) {
            out.push(format!("{k}: {v} → (fjernet)"));
        }
    }
    out
}

#[cfg(test)]
mod tests;
