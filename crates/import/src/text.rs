//! Text-level parsing of Danish exports: encodings, double-decoded UTF-8, separators, dates.
//!
//! Every function here is total: it returns a value or a reason, never panics, whatever the bytes.

use std::borrow::Cow;

use kadence_core::date::Day;

/// Which encoding a file was read as.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Encoding {
    Utf8Bom,
    Utf8,
    Windows1252,
    /// An Excel workbook (no text encoding).
    Xlsx,
}

impl Encoding {
    pub fn label(self) -> &'static str {
        match self {
            Encoding::Utf8Bom => "UTF-8 med BOM",
            Encoding::Utf8 => "UTF-8",
            Encoding::Windows1252 => "Windows-1252",
            Encoding::Xlsx => "Excel (xlsx)",
        }
    }
}

/// Decodes bytes: a UTF-8 BOM wins; valid UTF-8 is UTF-8; anything else is Windows-1252 (the other
/// encoding Danish case systems export), which decodes every byte.
pub fn decode(bytes: &[u8]) -> (Cow<'_, str>, Encoding) {
    // UTF-8 is borrowed, not copied: a national export is gigabytes.
    if let Some(rest) = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]) {
        return (String::from_utf8_lossy(rest), Encoding::Utf8Bom);
    }
    match std::str::from_utf8(bytes) {
        Ok(s) => (Cow::Borrowed(s), Encoding::Utf8),
        Err(_) => {
            let (s, _, _) = encoding_rs::WINDOWS_1252.decode(bytes);
            (s, Encoding::Windows1252)
        }
    }
}

/// Repairs UTF-8 that was decoded as Windows-1252 once too often ("Ã¸" for "ø", "Ã¦" for "æ",
/// "Ã…" for "Å"). Returns `None` when the text does not look double-decoded or does not repair to
/// valid UTF-8, so correct text is never touched.
pub fn repair_mojibake(s: &str) -> Option<String> {
    // Most cells are plain ASCII: said at once (this runs for every cell of an export).
    if s.is_ascii() || !s.contains(['Ã', 'Â']) {
        return None;
    }
    let (bytes, _, unmappable) = encoding_rs::WINDOWS_1252.encode(s);
    if unmappable {
        return None;
    }
    let repaired = std::str::from_utf8(&bytes).ok()?;
    (repaired != s).then(|| repaired.to_owned())
}

/// Picks the separator from the header line: `;` (the Danish default), `\t` or `,`.
pub fn detect_separator(header: &str) -> u8 {
    let count = |c: char| header.chars().filter(|x| *x == c).count();
    let candidates = [(b';', count(';')), (b'\t', count('\t')), (b',', count(','))];
    candidates
        .iter()
        .max_by_key(|(_, n)| *n)
        .filter(|(_, n)| *n > 0)
        .map_or(b';', |(c, _)| *c)
}

/// Parses a Danish date: `dd-mm-åååå`, `dd.mm.åååå`, `dd/mm/åååå` (one- or two-digit day and month),
/// or `åååå-mm-dd`.
pub fn parse_date(s: &str) -> Option<Day> {
    let s = s.trim();
    // Three parts, without a vector (this runs for every date of an export).
    let mut split = s.split(['-', '.', '/']);
    let parts = [split.next()?, split.next()?, split.next()?];
    if split.next().is_some()
        || parts
            .iter()
            .any(|p| p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit()))
    {
        return None;
    }
    let num = |p: &str| p.parse::<u32>().ok();
    if parts[0].len() == 4 && parts[1].len() <= 2 && parts[2].len() <= 2 && s.contains('-') {
        return Day::from_ymd(num(parts[0])? as i32, num(parts[1])?, num(parts[2])?);
    }
    if parts[0].len() <= 2 && parts[1].len() <= 2 && parts[2].len() == 4 {
        return Day::from_ymd(num(parts[2])? as i32, num(parts[1])?, num(parts[0])?);
    }
    None
}

/// Normalises a column header for matching: lower case, no surrounding space, inner runs of space
/// collapsed.
pub fn normalise_header(h: &str) -> String {
    let mut h = h.trim();
    // A byte-order mark, also one decoded as Windows-1252 before the file was saved as UTF-8
    // again ("ï»¿"; issue 15: the first column was not found and every row failed after it).
    loop {
        let rest = h
            .strip_prefix('\u{feff}')
            .or_else(|| h.strip_prefix("ï»¿"))
            .unwrap_or(h);
        if rest.len() == h.len() {
            break;
        }
        h = rest;
    }
    h.trim_matches('\u{feff}')
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodings() {
        assert_eq!(decode("Søren".as_bytes()), ("Søren".into(), Encoding::Utf8));
        assert_eq!(
            decode(b"\xEF\xBB\xBFS\xC3\xB8ren"),
            ("Søren".into(), Encoding::Utf8Bom)
        );
        assert_eq!(
            decode(b"S\xF8ren \xC6bler \xC5se"),
            ("Søren Æbler Åse".into(), Encoding::Windows1252)
        );
    }

    #[test]
    fn mojibake() {
        assert_eq!(repair_mojibake("SÃ¸ren"), Some("Søren".into()));
        assert_eq!(
            repair_mojibake("Ã†bler og Ã…se"),
            Some("Æbler og Åse".into())
        );
        assert_eq!(repair_mojibake("Søren"), None);
        assert_eq!(repair_mojibake("Ã"), None, "a lone Ã is not repaired");
    }

    #[test]
    fn separators() {
        assert_eq!(detect_separator("a;b;c"), b';');
        assert_eq!(detect_separator("a,b,c"), b',');
        assert_eq!(detect_separator("a\tb"), b'\t');
        assert_eq!(detect_separator("abc"), b';');
    }

    #[test]
    fn dates() {
        let d = Day::ymd(2023, 2, 1);
        for s in [
            "01-02-2023",
            "1-2-2023",
            "01.02.2023",
            "1.2.2023",
            "01/02/2023",
            "2023-02-01",
            " 01-02-2023 ",
        ] {
            assert_eq!(parse_date(s), Some(d), "{s}");
        }
        for s in [
            "",
            "2023",
            "31-02-2023",
            "2023.02.01",
            "01-02-23",
            "aa-bb-cccc",
            "01-02-2023-01",
            "-1-02-2023",
        ] {
            assert_eq!(parse_date(s), None, "{s}");
        }
    }
}
