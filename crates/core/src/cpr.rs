//! CPR numbers (personnummer): validated, and never printed in full by accident.
//!
//! [`Cpr`] implements `Debug` and `Display` with the masked form `ddmmåå-xxxx`, so a CPR number that
//! ends up in a log line, a panic message or an error shows only the birth date. The full number is
//! available only through [`Cpr::reveal`], whose callers are the places that must show or store it
//! (the storage layer and the logged "Vis CPR" action).
//!
//! Validation: ten digits (an optional `-` after the sixth), and a date part that exists, with the
//! century taken from the seventh digit as the CPR office defines it. The modulus-11 check is *not*
//! required: numbers issued since 2007 need not satisfy it.
//!
//! Synthetic numbers ([`Cpr::synthetic`]) have a birth date before 2007 *and* fail the modulus-11 check.
//! Every number issued before 1 October 2007 passes modulus 11, so such a number cannot belong to a
//! real person; [`Cpr::is_synthetic`] recognises them.

use std::fmt;

use crate::date::Day;

/// A validated CPR number.
///
/// Held as its ten digits read as one number (below 10^10), so a citizen holds 8 bytes for it
/// (the digits one a byte were 10, and a `Citizen` 40 bytes where it is now 32: 22 MB of the
/// whole country's 2.8 M citizens, issue 15). The order is the text's (the digits have one width).
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Cpr(u64);

/// Why a text is not a CPR number. Messages are Danish: they reach users.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CprError {
    #[error("CPR-nummeret skal have 10 cifre (evt. med bindestreg efter de første 6)")]
    Format,
    #[error("CPR-nummerets første 6 cifre er ikke en gyldig dato")]
    Date,
}

const WEIGHTS: [u32; 10] = [4, 3, 2, 7, 6, 5, 4, 3, 2, 1];

impl Cpr {
    /// Parses `ddmmååxxxx` or `ddmmåå-xxxx` (surrounding whitespace ignored).
    pub fn parse(text: &str) -> Result<Cpr, CprError> {
        let t = text.trim().as_bytes();
        let mut digits = [0u8; 10];
        let body: [u8; 10] = match t.len() {
            10 => t.try_into().map_err(|_| CprError::Format)?,
            11 if t[6] == b'-' => {
                let mut b = [0u8; 10];
                b[..6].copy_from_slice(&t[..6]);
                b[6..].copy_from_slice(&t[7..]);
                b
            }
            _ => return Err(CprError::Format),
        };
        for (i, c) in body.iter().enumerate() {
            if !c.is_ascii_digit() {
                return Err(CprError::Format);
            }
            digits[i] = c - b'0';
        }
        let cpr = Cpr::from_digits(digits);
        cpr.birth_date().ok_or(CprError::Date)?;
        Ok(cpr)
    }

    /// The birth date encoded in the number, with the century from the seventh digit.
    pub fn birth_date(&self) -> Option<Day> {
        let d = &self.digits();
        let day = u32::from(d[0]) * 10 + u32::from(d[1]);
        let month = u32::from(d[2]) * 10 + u32::from(d[3]);
        let yy = i32::from(d[4]) * 10 + i32::from(d[5]);
        let century = match d[6] {
            0..=3 => 1900,
            4 | 9 => {
                if yy <= 36 {
                    2000
                } else {
                    1900
                }
            }
            _ => {
                if yy <= 57 {
                    2000
                } else {
                    1800
                }
            }
        };
        Day::from_ymd(century + yy, month, day)
    }

    /// Whether the number satisfies the modulus-11 check.
    pub fn passes_modulus_11(&self) -> bool {
        let sum: u32 = self
            .digits()
            .iter()
            .zip(WEIGHTS)
            .map(|(&d, w)| u32::from(d) * w)
            .sum();
        sum % 11 == 0
    }

    /// A fictitious number for `birth` (which must be before 2007) and a serial `0..=9999`: the serial
    /// is adjusted until the modulus-11 check fails, so the number can never be a real one.
    pub fn synthetic(birth: Day, serial: u16) -> Cpr {
        let (y, m, d) = birth.to_ymd();
        let yy = (y % 100) as u8;
        let mut digits = [
            (d / 10) as u8,
            (d % 10) as u8,
            (m / 10) as u8,
            (m % 10) as u8,
            yy / 10,
            yy % 10,
            0,
            0,
            0,
            0,
        ];
        // Seventh digit selects the century: 0-3 for 1900-1999 works for every year in 1900..=1999;
        // 4 for 2000-2036.
        let century_digit: u16 = if y >= 2000 { 4 } else { (serial / 1000) % 4 };
        let mut rest = serial % 1000;
        loop {
            digits[6] = century_digit as u8;
            digits[7] = (rest / 100) as u8;
            digits[8] = ((rest / 10) % 10) as u8;
            digits[9] = (rest % 10) as u8;
            let c = Cpr::from_digits(digits);
            if !c.passes_modulus_11() {
                return c;
            }
            rest = (rest + 1) % 1000;
        }
    }

    /// Whether this is a number Kadence's generator could have made: born before 2007 and failing
    /// modulus 11, hence never issued to a real person.
    pub fn is_synthetic(&self) -> bool {
        self.birth_date().is_some_and(|b| b.year() < 2007) && !self.passes_modulus_11()
    }

    /// The full number `ddmmåå-xxxx`. Call only where the full number must be shown or stored, and
    /// only behind the audit log in the shells.
    pub fn reveal(&self) -> String {
        let s: String = self.digits().iter().map(|d| char::from(b'0' + d)).collect();
        format!("{}-{}", &s[..6], &s[6..])
    }

    /// The ten digits as one number (below 10^10: 34 bits), in the order of the text: for
    /// compact encodings and sorting, never for display.
    pub fn as_number(&self) -> u64 {
        self.0
    }

    /// The number [`Cpr::as_number`] gave, checked as [`Cpr::parse`] checks a text.
    pub fn from_number(n: u64) -> Result<Cpr, CprError> {
        if n > 9_999_999_999 {
            return Err(CprError::Format);
        }
        let cpr = Cpr(n);
        cpr.birth_date().ok_or(CprError::Date)?;
        Ok(cpr)
    }

    fn from_digits(digits: [u8; 10]) -> Cpr {
        Cpr(digits.iter().fold(0, |n, d| n * 10 + u64::from(*d)))
    }

    fn digits(&self) -> [u8; 10] {
        let mut d = [0; 10];
        let mut n = self.0;
        for x in d.iter_mut().rev() {
            *x = (n % 10) as u8;
            n /= 10;
        }
        d
    }

    /// [`Cpr::reveal`] as bytes, without allocating: for the store, which writes millions of them.
    pub fn reveal_ascii(&self) -> [u8; 11] {
        let mut out = [b'-'; 11];
        for (i, d) in self.digits().iter().enumerate() {
            out[if i < 6 { i } else { i + 1 }] = b'0' + d;
        }
        out
    }

    /// The masked form `ddmmåå-xxxx`, safe for lists and logs.
    pub fn masked(&self) -> String {
        let s: String = self.digits()[..6]
            .iter()
            .map(|d| char::from(b'0' + d))
            .collect();
        format!("{s}-xxxx")
    }
}

impl fmt::Display for Cpr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.masked())
    }
}

impl fmt::Debug for Cpr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Cpr({})", self.masked())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_masks() {
        let c = Cpr::synthetic(Day::ymd(1975, 3, 14), 1234);
        let full = c.reveal();
        assert_eq!(&full[..7], "140375-");
        assert_eq!(Cpr::parse(&full), Ok(c));
        assert_eq!(Cpr::parse(&full.replace('-', "")), Ok(c));
        assert_eq!(format!("{c}"), "140375-xxxx");
        assert_eq!(format!("{c:?}"), "Cpr(140375-xxxx)");
        // Found by the cpr fuzz target: the serial's digits can occur in the birth date, so the check
        // is on the exact masked form.
        let tricky = Cpr::parse("1212221222").unwrap();
        assert_eq!(
            (format!("{tricky}"), tricky.masked()),
            ("121222-xxxx".into(), "121222-xxxx".into())
        );
    }

    #[test]
    fn rejects_bad_input() {
        for bad in [
            "",
            "123",
            "12345678901",
            "abcdefghij",
            "140375_1234",
            "1403751-234",
        ] {
            assert_eq!(Cpr::parse(bad), Err(CprError::Format), "{bad:?}");
        }
        for bad in ["3102751234", "0013751234", "2902011234"] {
            assert_eq!(Cpr::parse(bad), Err(CprError::Date), "{bad:?}");
        }
        // 29 Feb 2000 exists (seventh digit 4 -> 2000).
        assert!(Cpr::parse("2902004000").is_ok());
        // As a number (a snapshot's): too many digits, or no date.
        assert_eq!(Cpr::from_number(10_000_000_000), Err(CprError::Format));
        assert_eq!(Cpr::from_number(3_102_751_234), Err(CprError::Date));
        assert_eq!(
            Cpr::from_number(101_501_000).map(|c| c.reveal()),
            Ok("010150-1000".into())
        );
    }

    #[test]
    fn century_from_seventh_digit() {
        let born = |s: &str| Cpr::parse(s).unwrap().birth_date().unwrap().year();
        assert_eq!(born("0101501000"), 1950);
        assert_eq!(born("0101104000"), 2010);
        assert_eq!(born("0101504000"), 1950);
        assert_eq!(born("0101105000"), 2010);
        assert_eq!(born("0101605000"), 1860);
        assert_eq!(born("0101369000"), 2036);
        assert_eq!(born("0101379000"), 1937);
    }

    #[test]
    fn synthetic_numbers_are_recognisable() {
        let mut d = Day::ymd(1940, 1, 1);
        for serial in 0..3000u16 {
            let c = Cpr::synthetic(d, serial);
            assert!(c.is_synthetic(), "{}", c.reveal());
            assert_eq!(c.reveal_ascii(), c.reveal().as_bytes());
            assert_eq!(c.birth_date(), Some(d));
            // As one number: the same number back, in the text's order.
            assert_eq!(Cpr::from_number(c.as_number()), Ok(c));
            assert_eq!(
                c.as_number().to_string(),
                c.reveal().replace('-', "").trim_start_matches('0')
            );
            d = d.add_days(7);
        }
    }
}
