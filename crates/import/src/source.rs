//! A CSV file read from disk in chunks, so its size never sits in memory (a national conversations
//! file is about 750 MiB).
//!
//! Two passes: [`sniff`] reads the file once to decide its encoding exactly as [`crate::text::decode`]
//! would on the whole bytes (a UTF-8 BOM wins; valid UTF-8 is UTF-8; anything else is Windows-1252)
//! and to take its size, SHA-256 and first line; [`open`] then gives a reader of the file as UTF-8
//! text that hashes the bytes again as they pass, so a file changed between the two passes is caught
//! ([`Text::changed`]) rather than parsed under the wrong encoding or recorded under the wrong hash.
//! The second pass checks with XXH3-128 (computed beside the SHA-256 in the first pass), not
//! SHA-256 again: it guards against a file changing under the reader, not against an attacker
//! (one who can write the file chooses its content before the first pass), and SHA-256 a second
//! time was a tenth of reading a country's export on the reading thread (issue 15).
//! Files this path does not handle (Excel workbooks, UTF-16 byte-order marks) are read whole instead.

use std::fs::File;
use std::io::{self, BufReader, Read};
use std::path::Path;

use sha2::{Digest, Sha256};
use xxhash_rust::xxh3::Xxh3;

use crate::text::Encoding;

const CHUNK: usize = 1 << 16;

/// What the first pass found.
pub(crate) struct Sniffed {
    pub size: u64,
    pub sha256: [u8; 32],
    /// XXH3-128 of the same bytes, for the second pass's check.
    pub check: u128,
    pub encoding: Encoding,
    /// Whether the text (after any BOM) is valid UTF-8, so it can pass through undecoded.
    pub valid_utf8: bool,
    /// The first line, decoded (for the separator).
    pub first_line: String,
}

/// `None` when the file should be read whole: an Excel workbook (a zip) or a UTF-16 byte-order mark.
pub(crate) fn sniff(path: &Path) -> io::Result<Option<Sniffed>> {
    let mut f = File::open(path)?;
    let mut hash = Sha256::new();
    let mut check = Xxh3::new();
    let mut size = 0u64;
    let mut head: Vec<u8> = Vec::new();
    // UTF-8 validity across chunk boundaries: an incomplete sequence at a chunk's end is carried.
    let mut carry: Vec<u8> = Vec::new();
    let mut valid = true;
    let mut buf = vec![0u8; CHUNK];
    loop {
        let n = f.read(&mut buf)?;
        if n == 0 {
            break;
        }
        let chunk = &buf[..n];
        hash.update(chunk);
        check.update(chunk);
        if size == 0
            && (chunk.starts_with(b"PK\x03\x04")
                || chunk.starts_with(&[0xFF, 0xFE])
                || chunk.starts_with(&[0xFE, 0xFF]))
        {
            return Ok(None);
        }
        size += n as u64;
        if head.len() < CHUNK {
            head.extend_from_slice(&chunk[..n.min(CHUNK - head.len())]);
        }
        if valid {
            carry.extend_from_slice(chunk);
            match std::str::from_utf8(&carry) {
                Ok(_) => carry.clear(),
                Err(e) if e.error_len().is_none() => {
                    let keep = carry.split_off(e.valid_up_to());
                    carry = keep;
                }
                Err(_) => valid = false,
            }
        }
    }
    let valid = valid && carry.is_empty();
    let bom = head.starts_with(&[0xEF, 0xBB, 0xBF]);
    let encoding = match (bom, valid) {
        (true, _) => Encoding::Utf8Bom,
        (false, true) => Encoding::Utf8,
        (false, false) => Encoding::Windows1252,
    };
    let text_encoding = match encoding {
        Encoding::Windows1252 => encoding_rs::WINDOWS_1252,
        _ => encoding_rs::UTF_8,
    };
    let (text, _) = text_encoding.decode_without_bom_handling(if bom { &head[3..] } else { &head });
    Ok(Some(Sniffed {
        size,
        sha256: hash.finalize().into(),
        check: check.digest128(),
        encoding,
        valid_utf8: valid,
        first_line: text.lines().next().unwrap_or("").to_string(),
    }))
}

/// The file as UTF-8 text, read in chunks, hashing the raw bytes as they pass.
pub(crate) struct Text {
    file: BufReader<File>,
    hash: Xxh3,
    expected: u128,
    decoder: Option<encoding_rs::Decoder>,
    skip_bom: bool,
    raw: Vec<u8>,
    out: Vec<u8>,
    pos: usize,
    done: bool,
}

pub(crate) fn open(path: &Path, sniffed: &Sniffed) -> io::Result<Text> {
    Ok(Text {
        file: BufReader::with_capacity(CHUNK, File::open(path)?),
        hash: Xxh3::new(),
        expected: sniffed.check,
        // Valid UTF-8 passes through as it is; anything else goes through a decoder (a BOM with
        // invalid UTF-8 after it: UTF-8 with replacement characters, as `decode` does).
        decoder: match (sniffed.encoding, sniffed.valid_utf8) {
            (Encoding::Windows1252, _) => {
                Some(encoding_rs::WINDOWS_1252.new_decoder_without_bom_handling())
            }
            (_, true) => None,
            (_, false) => Some(encoding_rs::UTF_8.new_decoder_without_bom_handling()),
        },
        skip_bom: sniffed.encoding == Encoding::Utf8Bom,
        raw: vec![0; CHUNK],
        out: Vec::new(),
        pos: 0,
        done: false,
    })
}

impl Text {
    /// Whether the bytes read in this pass differ from the first pass's (the file changed).
    pub(crate) fn changed(self) -> bool {
        let Text { hash, expected, .. } = self;
        hash.digest128() != expected
    }

    fn refill(&mut self) -> io::Result<()> {
        let n = self.file.read(&mut self.raw)?;
        let mut input = &self.raw[..n];
        self.hash.update(input);
        if self.skip_bom && n > 0 {
            // The first read of a BufReader over a file returns at least 3 bytes unless the file is
            // shorter; a BOM split over two reads is not worth a state machine.
            input = input.strip_prefix(&[0xEF, 0xBB, 0xBF]).unwrap_or(input);
            self.skip_bom = false;
        }
        let last = n == 0;
        self.pos = 0;
        match &mut self.decoder {
            Some(d) => {
                let cap = d.max_utf8_buffer_length(input.len()).unwrap_or(CHUNK * 3);
                self.out.resize(cap, 0);
                let (_, read, written, _) = d.decode_to_utf8(input, &mut self.out, last);
                debug_assert_eq!(read, input.len());
                self.out.truncate(written);
            }
            None => {
                self.out.clear();
                self.out.extend_from_slice(input);
            }
        }
        self.done = last;
        Ok(())
    }
}

impl Read for Text {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        while self.pos >= self.out.len() {
            if self.done {
                return Ok(0);
            }
            self.refill()?;
        }
        let n = buf.len().min(self.out.len() - self.pos);
        buf[..n].copy_from_slice(&self.out[self.pos..self.pos + n]);
        self.pos += n;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp(name: &str, bytes: &[u8]) -> std::path::PathBuf {
        let p = kadence_synth::scratch("import-unit").join(name);
        std::fs::write(&p, bytes).unwrap();
        p
    }

    fn read_all(path: &Path, s: &Sniffed) -> (String, bool) {
        let mut t = open(path, s).unwrap();
        let mut out = String::new();
        t.read_to_string(&mut out).unwrap();
        (out, t.changed())
    }

    /// A two-byte letter split by the chunk boundary is still valid UTF-8, read back unchanged.
    #[test]
    fn a_letter_across_the_chunk_boundary() {
        let mut text = "a".repeat(CHUNK - 1);
        text.push_str("ø;æ\nÅ;x\n");
        let p = temp("boundary.csv", text.as_bytes());
        let s = sniff(&p).unwrap().expect("a CSV file");
        assert_eq!((s.encoding, s.valid_utf8), (Encoding::Utf8, true));
        assert_eq!(read_all(&p, &s), (text, false));
        std::fs::remove_file(p).unwrap();
    }

    /// Windows-1252 is decoded, the BOM is dropped, and a file changed after the first pass is caught.
    #[test]
    fn encodings_and_a_changed_file() {
        let p = temp("cp1252.csv", b"Navn;By\nS\xF8ren;\xC6r\xF8\n");
        let s = sniff(&p).unwrap().unwrap();
        assert_eq!(s.encoding, Encoding::Windows1252);
        assert_eq!(s.first_line, "Navn;By");
        assert_eq!(
            read_all(&p, &s),
            ("Navn;By\nSøren;Ærø\n".to_string(), false)
        );
        std::fs::write(&p, b"Navn;By\nS\xF8ren;\xC6r\xF8\nEn mere;X\n").unwrap();
        assert!(read_all(&p, &s).1, "changed between the passes");
        std::fs::remove_file(p).unwrap();

        let p = temp("bom.csv", "\u{feff}Navn\nSøren\n".as_bytes());
        let s = sniff(&p).unwrap().unwrap();
        assert_eq!(
            (s.encoding, s.first_line.as_str()),
            (Encoding::Utf8Bom, "Navn")
        );
        assert_eq!(read_all(&p, &s).0, "Navn\nSøren\n");
        std::fs::remove_file(p).unwrap();

        let p = temp("book.xlsx", b"PK\x03\x04rest");
        assert!(sniff(&p).unwrap().is_none(), "workbooks are read whole");
        std::fs::remove_file(p).unwrap();
    }
}
