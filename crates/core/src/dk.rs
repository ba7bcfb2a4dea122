//! Danish number formatting for every user-facing surface: decimal comma, `.` as thousands
//! separator, and "%" after a space ("82,4 %").

/// An integer with thousands separators: 1234567 -> "1.234.567".
pub fn int(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    if n < 0 {
        out.push('-');
    }
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push('.');
        }
        out.push(c);
    }
    out
}

/// A decimal number with `decimals` places and a decimal comma: 12.5, 1 -> "12,5".
pub fn decimal(x: f64, decimals: usize) -> String {
    let s = format!("{:.*}", decimals, x.abs());
    let (whole, frac) = s.split_once('.').unwrap_or((&s, ""));
    let sign = if x < 0.0 && s.chars().any(|c| c.is_ascii_digit() && c != '0') {
        "-"
    } else {
        ""
    };
    let whole = int(whole.parse::<i64>().unwrap_or(0));
    if frac.is_empty() {
        format!("{sign}{whole}")
    } else {
        format!("{sign}{whole},{frac}")
    }
}

/// A count with its noun in the right number: (1, "række", "rækker") -> "1 række", 1200 -> "1.200 rækker".
pub fn count(n: u64, one: &str, many: &str) -> String {
    format!(
        "{} {}",
        int(i64::try_from(n).unwrap_or(i64::MAX)),
        if n == 1 { one } else { many }
    )
}

/// A number of days in the right number: "1 dag", "0 dage", "14 dage" (and "-1 dag").
pub fn days(n: i64) -> String {
    format!("{} {}", int(n), if n.abs() == 1 { "dag" } else { "dage" })
}

/// A figure that may be missing: "-" when it is.
pub fn maybe(x: Option<f64>, decimals: usize) -> String {
    x.map_or_else(|| "-".to_string(), |x| decimal(x, decimals))
}

/// A month in Danish: 2026-11 -> "november 2026".
pub fn month(m: crate::date::Month) -> String {
    const NAMES: [&str; 12] = [
        "januar",
        "februar",
        "marts",
        "april",
        "maj",
        "juni",
        "juli",
        "august",
        "september",
        "oktober",
        "november",
        "december",
    ];
    format!(
        "{} {}",
        NAMES[(m.number() as usize).clamp(1, 12) - 1],
        m.year()
    )
}

/// A month shortly, as charts and narrow tables write it: 2026-11 -> "nov. 2026" (maj, juni and
/// juli are written whole: "maj 2026").
pub fn month_short(m: crate::date::Month) -> String {
    const SHORT: [&str; 12] = [
        "jan.", "feb.", "mar.", "apr.", "maj", "juni", "juli", "aug.", "sep.", "okt.", "nov.",
        "dec.",
    ];
    format!(
        "{} {}",
        SHORT[(m.number() as usize).clamp(1, 12) - 1],
        m.year()
    )
}

/// The first letter upper-cased: "vesthimmerland" -> "Vesthimmerland", "én" -> "Én".
pub fn capitalised(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map_or_else(String::new, |f| f.to_uppercase().chain(c).collect())
}

/// A signed change with a decimal comma: 12.34 -> "+12,3", -0.04 -> "0,0".
pub fn signed(x: f64, decimals: usize) -> String {
    let s = decimal(x, decimals);
    if s.starts_with('-') || s.chars().all(|c| c == '0' || c == ',' || c == '.') {
        s
    } else {
        format!("+{s}")
    }
}

/// A share (0..=1) as a percentage with one decimal: 0.824 -> "82,4 %".
pub fn percent(share: f64) -> String {
    format!("{} %", decimal(share * 100.0, 1))
}

/// An RFC 3339 timestamp as Danish local time (Europe/Copenhagen): "23-11-2026 kl. 07:48". A text
/// that is not a timestamp is returned as it is.
pub fn local_time(rfc3339: &str) -> String {
    rfc3339
        .parse::<jiff::Timestamp>()
        .ok()
        .and_then(|t| t.in_tz("Europe/Copenhagen").ok())
        .map(|z| z.strftime("%d-%m-%Y kl. %H:%M").to_string())
        .unwrap_or_else(|| rfc3339.to_string())
}

/// Line numbers for a warning: the first 20, then "...".
pub fn line_list(lines: &[u64]) -> String {
    let shown: Vec<String> = lines.iter().take(20).map(|l| l.to_string()).collect();
    format!(
        "{}{}",
        shown.join(", "),
        if lines.len() > 20 { " ..." } else { "" }
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn danish_numbers() {
        assert_eq!(int(0), "0");
        assert_eq!(int(999), "999");
        assert_eq!(int(1000), "1.000");
        assert_eq!(int(-1234567), "-1.234.567");
        assert_eq!(decimal(12.345, 2), "12,35");
        assert_eq!(decimal(1234.5, 1), "1.234,5");
        assert_eq!(decimal(-0.04, 1), "0,0");
        assert_eq!(decimal(-2.5, 1), "-2,5");
        assert_eq!(percent(0.824), "82,4 %");
        assert_eq!(percent(1.0), "100,0 %");
        assert_eq!(signed(12.34, 1), "+12,3");
        assert_eq!(signed(-1234.5, 1), "-1.234,5");
        assert_eq!(signed(-0.04, 1), "0,0");
        assert_eq!(month(crate::date::Month::new(2026, 11)), "november 2026");
        assert_eq!(month(crate::date::Month::new(2027, 1)), "januar 2027");
    }

    #[test]
    fn local_times_and_line_lists() {
        // Winter time is UTC+1, summer time UTC+2.
        assert_eq!(local_time("2026-11-23T06:48:00Z"), "23-11-2026 kl. 07:48");
        assert_eq!(local_time("2026-07-01T06:48:00Z"), "01-07-2026 kl. 08:48");
        assert_eq!(local_time("ikke et tidspunkt"), "ikke et tidspunkt");
        assert_eq!(line_list(&[2, 5]), "2, 5");
        assert_eq!(
            line_list(&(1..=25).collect::<Vec<_>>()),
            "1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20 ..."
        );
    }
}
