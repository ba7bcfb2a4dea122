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

/// A share (0..=1) as a percentage with one decimal: 0.824 -> "82,4 %".
pub fn percent(share: f64) -> String {
    format!("{} %", decimal(share * 100.0, 1))
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
    }
}
