//! The text templates of an agenda item (skabeloner), which a municipality may edit.
//!
//! Syntax: plain Danish text with placeholders `{{navn}}` (letters, digits and `_`, spaces inside
//! the braces allowed). A placeholder is replaced by a value from the figures; a template is
//! checked when it is saved, and refused (every problem with its line and column):
//!
//! - a placeholder that the item kind does not have (`{{tidlig_andell}}`): never a blank in the
//!   document;
//! - an opening `{{` without its `}}`;
//! - a number typed into the text (`80 %`, `53 sager`): every number in a document comes from the
//!   data, so it carries its source. A number right after "§", "stk.", "nr." or "kapitel" is a
//!   reference to the law, not a figure, and is allowed ("§ 13 f", "lov nr. 1750").

use serde::Serialize;

/// A problem in a template (Danish), located.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TemplateError {
    pub line: usize,
    pub column: usize,
    pub message: String,
}

impl std::fmt::Display for TemplateError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "linje {}, tegn {}: {}",
            self.line, self.column, self.message
        )
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Piece {
    Text(String),
    Value(String),
}

/// A checked template.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Template {
    pieces: Vec<Piece>,
}

/// Where a piece of text starts: 1-based line and column (in characters).
fn locate(text: &str, byte: usize) -> (usize, usize) {
    let before = &text[..byte];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

/// A run of digits in literal text that is not a reference to the law.
fn typed_numbers(text: &str, offset: usize, whole: &str, out: &mut Vec<TemplateError>) {
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i].is_ascii_digit() {
            let start = i;
            while i < bytes.len()
                && (bytes[i].is_ascii_digit() || bytes[i] == b',' || bytes[i] == b'.')
            {
                i += 1;
            }
            let before = text[..start].trim_end().to_lowercase();
            let reference = ["§", "stk.", "nr.", "kapitel"]
                .iter()
                .any(|w| before.ends_with(w));
            if !reference {
                let (line, column) = locate(whole, offset + start);
                out.push(TemplateError {
                    line,
                    column,
                    message: format!(
                        "tallet «{}» er skrevet i teksten; tal skal komme fra data, så brug en pladsholder",
                        text[start..i].trim_end_matches(['.', ','])
                    ),
                });
            }
        } else {
            i += 1;
        }
    }
}

impl Template {
    /// Checks `text` against the placeholders the item kind has.
    pub fn parse(text: &str, allowed: &[&str]) -> Result<Template, Vec<TemplateError>> {
        let mut pieces = Vec::new();
        let mut errors = Vec::new();
        let mut rest = 0;
        while let Some(open) = text[rest..].find("{{").map(|i| rest + i) {
            typed_numbers(&text[rest..open], rest, text, &mut errors);
            if open > rest {
                pieces.push(Piece::Text(text[rest..open].to_string()));
            }
            let Some(close) = text[open + 2..].find("}}").map(|i| open + 2 + i) else {
                let (line, column) = locate(text, open);
                errors.push(TemplateError {
                    line,
                    column,
                    message: "«{{» åbner en pladsholder, men «}}» mangler".into(),
                });
                rest = text.len();
                break;
            };
            let name = text[open + 2..close].trim();
            let ok_name = !name.is_empty()
                && name
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
            if !ok_name || !allowed.contains(&name) {
                let (line, column) = locate(text, open);
                errors.push(TemplateError {
                    line,
                    column,
                    message: format!(
                        "pladsholderen «{{{{{name}}}}}» findes ikke her; mulige: {}",
                        allowed
                            .iter()
                            .map(|a| format!("{{{{{a}}}}}"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                });
            } else {
                pieces.push(Piece::Value(name.to_string()));
            }
            rest = close + 2;
        }
        if rest < text.len() {
            typed_numbers(&text[rest..], rest, text, &mut errors);
            pieces.push(Piece::Text(text[rest..].to_string()));
        }
        if errors.is_empty() {
            Ok(Template { pieces })
        } else {
            Err(errors)
        }
    }

    /// The placeholders used, in order.
    pub fn placeholders(&self) -> impl Iterator<Item = &str> {
        self.pieces.iter().filter_map(|p| match p {
            Piece::Value(v) => Some(v.as_str()),
            Piece::Text(_) => None,
        })
    }

    /// The text with every placeholder replaced. `value` knows every placeholder the template was
    /// checked against, so nothing is left blank.
    pub fn render(&self, value: impl Fn(&str) -> String) -> String {
        self.pieces
            .iter()
            .map(|p| match p {
                Piece::Text(t) => t.clone(),
                Piece::Value(v) => value(v),
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALLOWED: &[&str] = &["kommune", "tidlig_andel"];

    #[test]
    fn placeholders_are_replaced_and_law_references_may_hold_numbers() {
        let t = Template::parse(
            "{{kommune}} nåede {{ tidlig_andel }} efter § 13 f og lov nr. 1750.",
            ALLOWED,
        )
        .unwrap();
        assert_eq!(
            t.placeholders().collect::<Vec<_>>(),
            ["kommune", "tidlig_andel"]
        );
        let out = t.render(|k| match k {
            "kommune" => "Kommunen".into(),
            _ => "73,1 %".into(),
        });
        assert_eq!(out, "Kommunen nåede 73,1 % efter § 13 f og lov nr. 1750.");
    }

    #[test]
    fn every_problem_is_refused_with_its_place() {
        // (template, the errors expected: line, column, part of the message)
        type Expected<'a> = &'a [(usize, usize, &'a str)];
        let cases: &[(&str, Expected)] = &[
            (
                "Vi nåede {{tidlig_andell}}.",
                &[(1, 10, "pladsholderen «{{tidlig_andell}}» findes ikke her")],
            ),
            (
                "Målet er 80 %.",
                &[(1, 10, "tallet «80» er skrevet i teksten")],
            ),
            ("Linje et\nhele 53 sager", &[(2, 6, "tallet «53»")]),
            ("{{kommune}} og {{tidlig_andel", &[(1, 16, "«}}» mangler")]),
            (
                "{{Kommune}} i {{}}",
                &[
                    (1, 1, "«{{Kommune}}» findes ikke"),
                    (1, 15, "«{{}}» findes ikke"),
                ],
            ),
            (
                "1.234,5 fuldtidspersoner og {{kommune}} i 2026",
                &[(1, 1, "«1.234,5»"), (1, 43, "«2026»")],
            ),
        ];
        for (text, want) in cases {
            let e = Template::parse(text, ALLOWED).unwrap_err();
            assert_eq!(e.len(), want.len(), "{text}: {e:?}");
            for (err, (line, col, part)) in e.iter().zip(want.iter()) {
                assert_eq!((err.line, err.column), (*line, *col), "{text}: {err}");
                assert!(err.message.contains(part), "{text}: {err}");
            }
        }
        assert!(Template::parse("Ingen tal her.", ALLOWED).is_ok());
    }
}
