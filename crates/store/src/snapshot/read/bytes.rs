//! The byte reader of a part: fixed-width and variable-length numbers, days relative to a base,
//! texts, codes and counts, each checked against what is left.

use kadence_core::date::Day;
use kadence_core::model::Text;

use super::super::{Res, SnapshotError, FIRST_DAY, LAST_DAY};
use crate::codes::Code;

pub(super) struct R<'a>(pub(super) &'a [u8]);

impl<'a> R<'a> {
    #[inline(always)]
    pub(super) fn take(&mut self, n: usize) -> Res<&'a [u8]> {
        if self.0.len() < n {
            return Err(SnapshotError::Corrupt("for kort"));
        }
        let (a, b) = self.0.split_at(n);
        self.0 = b;
        Ok(a)
    }
    #[inline(always)]
    pub(super) fn u8(&mut self) -> Res<u8> {
        Ok(self.take(1)?[0])
    }
    pub(super) fn u32(&mut self) -> Res<u32> {
        Ok(u32::from_le_bytes(
            self.take(4)?.try_into().unwrap_or([0; 4]),
        ))
    }
    pub(super) fn str(&mut self) -> Res<String> {
        let n = self.u32()? as usize;
        std::str::from_utf8(self.take(n)?)
            .map(str::to_owned)
            .map_err(|_| SnapshotError::Corrupt("tekst er ikke UTF-8"))
    }
    #[inline]
    pub(super) fn var(&mut self) -> Res<u64> {
        // Most numbers are one byte.
        if let Some((&b, rest)) = self.0.split_first() {
            if b < 0x80 {
                self.0 = rest;
                return Ok(u64::from(b));
            }
        }
        let mut v = 0u64;
        for shift in (0..64).step_by(7) {
            let b = self.u8()?;
            v |= u64::from(b & 0x7f) << shift;
            if b < 0x80 {
                return Ok(v);
            }
        }
        Err(SnapshotError::Corrupt("for langt tal"))
    }
    #[inline(always)]
    pub(super) fn var32(&mut self) -> Res<u32> {
        // One and two bytes (days between facts, counts, most ids) without the general loop.
        match *self.0 {
            [b, ..] if b < 0x80 => {
                self.0 = &self.0[1..];
                Ok(u32::from(b))
            }
            [b, c, ..] if c < 0x80 => {
                self.0 = &self.0[2..];
                Ok(u32::from(b & 0x7f) | (u32::from(c) << 7))
            }
            _ => self.var32_long(),
        }
    }
    #[inline(never)]
    pub(super) fn var32_long(&mut self) -> Res<u32> {
        u32::try_from(self.var()?).map_err(|_| SnapshotError::Corrupt("for stort tal"))
    }
    #[inline(always)]
    pub(super) fn zz(&mut self) -> Res<i32> {
        let v = self.var32()?;
        Ok((v >> 1) as i32 ^ -((v & 1) as i32))
    }
    /// A day written as the days from `base`; only days the calendar tables cover (1800-2199).
    #[inline(always)]
    pub(super) fn rel(&mut self, base: Day) -> Res<Day> {
        let n = i64::from(base.number()) + i64::from(self.zz()?);
        if !(i64::from(FIRST_DAY.number())..=i64::from(LAST_DAY.number())).contains(&n) {
            return Err(SnapshotError::Corrupt("dato uden for kalenderen"));
        }
        Ok(Day::from_number(n as i32))
    }
    /// An optional day: 0 for none, else the zigzag days from `base` plus one.
    #[inline(always)]
    pub(super) fn opt_rel(&mut self, base: Day) -> Res<Option<Day>> {
        match self.var32()? {
            0 => Ok(None),
            v => {
                let v = v - 1;
                let n = i64::from(base.number()) + i64::from((v >> 1) as i32 ^ -((v & 1) as i32));
                if !(i64::from(FIRST_DAY.number())..=i64::from(LAST_DAY.number())).contains(&n) {
                    return Err(SnapshotError::Corrupt("dato uden for kalenderen"));
                }
                Ok(Some(Day::from_number(n as i32)))
            }
        }
    }
    /// Text as the population holds it: in place up to 24 bytes (no allocation).
    pub(super) fn vstr(&mut self) -> Res<Text> {
        let n = self.var32()? as usize;
        std::str::from_utf8(self.take(n)?)
            .map(Text::from)
            .map_err(|_| SnapshotError::Corrupt("tekst er ikke UTF-8"))
    }
    #[inline]
    pub(super) fn idx<T: Code>(i: u8) -> Res<T> {
        T::CODES
            .get(i as usize)
            .map(|(v, _)| *v)
            .ok_or(SnapshotError::Corrupt("ukendt kode"))
    }
    /// A varint count of items that each take at least `min` bytes, checked against what is
    /// left.
    #[inline]
    pub(super) fn vcount(&mut self, min: usize) -> Res<usize> {
        let n = self.var32()? as usize;
        if n.saturating_mul(min) > self.0.len() {
            return Err(SnapshotError::Corrupt(
                "antal passer ikke med delens længde",
            ));
        }
        Ok(n)
    }
    /// A count of items that each take at least `min` bytes, checked against what is left, so a
    /// corrupt count cannot make the reader reserve gigabytes.
    pub(super) fn count(&mut self, min: usize) -> Res<usize> {
        let n = self.u32()? as usize;
        if n.saturating_mul(min) > self.0.len() {
            return Err(SnapshotError::Corrupt(
                "antal passer ikke med delens længde",
            ));
        }
        Ok(n)
    }
}
