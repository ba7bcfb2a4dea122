//! One table of an export, read row by row: its records cut from the file on the calling thread,
//! parsed in blocks on worker threads, and applied in the file's order on the calling thread.
//!
//! Why blocks: a country's export is 19.8 M rows, and parsing and checking them on one core was
//! 15 s of the national import (issue 15). The calling thread reads the file (decoding and hashing
//! it as it passes, [`crate::source`]) and lets the `csv` crate cut it into records, so quoted
//! fields with line breaks are cut exactly as one reader would; the fields of a few thousand
//! records go to a worker as one block of bytes. A worker trims, repairs and parses each row with
//! the table's `parse` (pure, with a block-local state `L`), and the calling thread then hands the
//! parsed rows to `apply` in the file's order, with every error in the place one reader going
//! through the file would have found it: the result and its errors are the same whatever the
//! number of threads or the size of the blocks (a property test reads with blocks of 1-7 rows).

use std::borrow::Cow;
use std::path::Path;
use std::sync::mpsc;

use kadence_core::date::Day;

use super::{ImportError, ImportErrors};
use crate::format::{FileSpec, Words};
use crate::mapping::Mapping;
use crate::source;
use crate::text::Encoding;
use crate::text::{decode, detect_separator, normalise_header, parse_date, repair_mojibake};

/// A file's content as the reader gets it: bytes in memory, or a CSV file on disk read in chunks.
pub(super) enum Input<'a> {
    Bytes(Cow<'a, [u8]>),
    File(&'a Path, source::Sniffed),
}

/// The file a row came from and where its columns are.
pub(super) struct Header {
    pub(super) file: String,
    /// Each of the format's columns of this table (our own names, never the file's text) and its
    /// position in the file, if it has it. Found by [`Header::position`], for every field of
    /// every row: a hash map here was a fifth of parsing a row (issue 15).
    columns: Vec<(&'static str, Option<usize>)>,
}

impl Header {
    fn position(&self, col: &'static str) -> Option<usize> {
        // The names are the format's constants (`format::h`), which the compiler keeps at one
        // address each in practice: compared by address first, and by text only when not found so
        // (which the language allows).
        let by_address = self
            .columns
            .iter()
            .find(|(c, _)| std::ptr::eq(c.as_ptr(), col.as_ptr()) && c.len() == col.len());
        by_address
            .or_else(|| self.columns.iter().find(|(c, _)| *c == col))
            .and_then(|(_, i)| *i)
    }
}

/// One row being parsed.
pub(super) struct Row<'a> {
    t: &'a Header,
    pub(super) line: u64,
    fields: &'a [String],
}

impl Row<'_> {
    pub(super) fn text(&self, col: &'static str) -> &str {
        self.t
            .position(col)
            .and_then(|i| self.fields.get(i))
            .map_or("", |s| s.as_str())
    }
    pub(super) fn err(
        &self,
        errs: &mut ImportErrors,
        col: &'static str,
        value: Option<String>,
        expected: impl Into<String>,
    ) {
        errs.push(ImportError {
            file: self.t.file.clone(),
            line: self.line,
            column: Some(col.into()),
            value,
            expected: expected.into(),
        });
    }
    /// The field's text, copied; `None` after reporting it empty.
    pub(super) fn required(&self, errs: &mut ImportErrors, col: &'static str) -> Option<String> {
        self.required_str(errs, col).map(str::to_string)
    }
    /// [`Row::required`] without a copy of the text.
    pub(super) fn required_str(&self, errs: &mut ImportErrors, col: &'static str) -> Option<&str> {
        let v = self.text(col);
        if v.is_empty() {
            // A required column missing from the header is one error, the header's, not one per
            // row (issue 15: one missing column gave 2,710 errors).
            if self.t.position(col).is_some() {
                self.err(errs, col, None, "feltet må ikke være tomt");
            }
            None
        } else {
            Some(v)
        }
    }
    pub(super) fn date(&self, errs: &mut ImportErrors, col: &'static str) -> Option<Day> {
        let v = self.required_str(errs, col)?;
        let d = parse_date(v);
        if d.is_none() {
            self.err(
                errs,
                col,
                Some(v.to_string()),
                "en dato som dd-mm-åååå, dd.mm.åååå eller åååå-mm-dd",
            );
        }
        d
    }
    /// `Ok(None)` for an empty field; `Err` after reporting an invalid one.
    pub(super) fn opt_date(
        &self,
        errs: &mut ImportErrors,
        col: &'static str,
    ) -> Result<Option<Day>, ()> {
        let v = self.text(col);
        if v.is_empty() {
            return Ok(None);
        }
        match parse_date(v) {
            Some(d) => Ok(Some(d)),
            None => {
                self.err(
                    errs,
                    col,
                    Some(v.into()),
                    "en dato som dd-mm-åååå, dd.mm.åååå eller åååå-mm-dd",
                );
                Err(())
            }
        }
    }
    pub(super) fn word<T: Words>(&self, errs: &mut ImportErrors, col: &'static str) -> Option<T> {
        let v = self.required_str(errs, col)?;
        let w = T::parse_word(v);
        if w.is_none() {
            self.err(
                errs,
                col,
                Some(v.to_string()),
                format!("en af: {}", T::expected()),
            );
        }
        w
    }
    pub(super) fn opt_word<T: Words>(
        &self,
        errs: &mut ImportErrors,
        col: &'static str,
    ) -> Result<Option<T>, ()> {
        if self.text(col).is_empty() {
            return Ok(None);
        }
        self.word(errs, col).map(Some).ok_or(())
    }
}

/// Raw rows of an Excel sheet, `(line, fields)`, before any interpretation (a sheet holds at most
/// 1,048,576 rows, so it is read whole; CSV files are streamed).
type RawRows = Vec<(u64, Vec<String>)>;

fn is_xlsx(name: &str, bytes: &[u8]) -> bool {
    name.to_lowercase().ends_with(".xlsx") || bytes.starts_with(b"PK\x03\x04")
}

/// The first worksheet of an Excel file as text: date cells become `åååå-mm-dd`, whole numbers lose
/// their `.0`, and text (including dates typed as text) is kept as typed.
pub(crate) fn xlsx_rows(name: &str, bytes: &[u8], errs: &mut ImportErrors) -> RawRows {
    use calamine::{Data, Reader};
    let fail = |errs: &mut ImportErrors, what: String| {
        errs.push(ImportError {
            file: name.into(),
            line: 0,
            column: None,
            value: None,
            expected: what,
        });
        Vec::new()
    };
    let mut book = match calamine::open_workbook_auto_from_rs(std::io::Cursor::new(bytes)) {
        Ok(b) => b,
        Err(e) => return fail(errs, format!("en Excel-fil (xlsx), der kan åbnes ({e})")),
    };
    let range = match book.worksheet_range_at(0) {
        Some(Ok(r)) => r,
        Some(Err(e)) => return fail(errs, format!("et læsbart første regneark ({e})")),
        None => return fail(errs, "mindst ét regneark".into()),
    };
    let first_row = range.start().map_or(0, |(r, _)| r);
    let first_col = range.start().map_or(0, |(_, c)| c) as usize;
    range
        .rows()
        .enumerate()
        .map(|(i, cells)| {
            let mut fields = vec![String::new(); first_col];
            fields.extend(cells.iter().map(|c| match c {
                Data::Empty => String::new(),
                Data::String(s) => s.trim().to_string(),
                Data::Int(i) => i.to_string(),
                Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
                Data::Float(f) => f.to_string(),
                Data::Bool(b) => {
                    if *b {
                        "1".into()
                    } else {
                        "0".into()
                    }
                }
                Data::DateTime(d) if d.is_datetime() => {
                    let (y, m, day, ..) = d.to_ymd_hms_milli();
                    format!("{y:04}-{m:02}-{day:02}")
                }
                Data::DateTime(d) => d.as_f64().to_string(),
                Data::DateTimeIso(s) => s.chars().take(10).collect(),
                Data::DurationIso(s) => s.clone(),
                Data::Error(e) => format!("#{e:?}"),
            }));
            (u64::from(first_row) + i as u64 + 1, fields)
        })
        .collect()
}

/// Finds the format's columns in a file's first line (under their own names or the mapping's).
fn map_header(
    name: &str,
    line: u64,
    fields: &[String],
    spec: &FileSpec,
    mapping: &Mapping,
    errs: &mut ImportErrors,
    report: &mut super::FileReport,
) -> Header {
    let mut columns = Vec::with_capacity(spec.columns.len());
    let normalised: Vec<String> = fields.iter().map(|f| normalise_header(f)).collect();
    let mut known = vec![false; normalised.len()];
    for col in spec.columns {
        let names = mapping.header_names(spec, col.header);
        let found = normalised.iter().position(|n| names.contains(n));
        columns.push((col.header, found));
        match found {
            Some(i) => known[i] = true,
            None if col.required => errs.push(ImportError {
                file: name.into(),
                line,
                column: Some(col.header.into()),
                value: None,
                expected: format!("kolonnen «{}» skal findes i overskriften", col.header),
            }),
            None => report.absent_columns.push(col.header.to_string()),
        }
    }
    for (i, n) in normalised.iter().enumerate() {
        if !n.is_empty()
            && !known[i]
            && !spec
                .columns
                .iter()
                .any(|c| mapping.header_names(spec, c.header).contains(n))
        {
            report.unknown_columns.push(fields[i].clone());
        }
    }
    Header {
        file: name.to_string(),
        columns,
    }
}

/// How a table is cut into blocks: at most `rows` records or about `bytes` bytes of fields each.
#[derive(Copy, Clone, Debug)]
pub(super) struct Blocking {
    pub(super) rows: usize,
    pub(super) bytes: usize,
}

impl Default for Blocking {
    fn default() -> Self {
        // Large enough that handing a block over costs nothing beside parsing it, small enough that
        // a few blocks in flight hold a few MiB.
        Blocking {
            rows: 8192,
            bytes: 1 << 20,
        }
    }
}

/// Records of a table as the calling thread cuts them: the fields' bytes one after another.
#[derive(Default)]
struct Block {
    bytes: Vec<u8>,
    /// Each field's end in `bytes`.
    ends: Vec<usize>,
    /// Each record: its line in the file and the end of its fields in `ends`.
    records: Vec<(u64, usize)>,
}

impl Block {
    fn push<'f>(&mut self, line: u64, fields: impl Iterator<Item = &'f [u8]>) {
        for f in fields {
            self.bytes.extend_from_slice(f);
            self.ends.push(self.bytes.len());
        }
        self.records.push((line, self.ends.len()));
    }
    fn full(&self, b: Blocking) -> bool {
        self.records.len() >= b.rows || self.bytes.len() >= b.bytes
    }
}

/// A block's rows as a worker parsed them.
struct Parsed<T, L> {
    items: Vec<T>,
    errs: ImportErrors,
    /// For each error kept in `errs`, how many items were made before it.
    at: Vec<usize>,
    local: L,
    rows: usize,
    repaired: Vec<u64>,
}

/// Text fields of one record, trimmed, in strings reused from record to record. `false` if a field
/// is not UTF-8 (after the error is pushed).
fn fields_of(
    file: &str,
    line: u64,
    raw: impl Iterator<Item = impl AsRef<[u8]>>,
    fields: &mut Vec<String>,
    errs: &mut ImportErrors,
) -> bool {
    let mut n = 0;
    for f in raw {
        let Ok(text) = std::str::from_utf8(f.as_ref()) else {
            errs.push(ImportError {
                file: file.into(),
                line,
                column: None,
                value: None,
                expected: "en gyldig CSV-linje".into(),
            });
            return false;
        };
        match fields.get_mut(n) {
            Some(s) => {
                s.clear();
                s.push_str(text.trim());
            }
            None => fields.push(text.trim().to_string()),
        }
        n += 1;
    }
    fields.truncate(n);
    true
}

/// Repairs double-decoded text in place; whether any was.
fn repair(fields: &mut [String]) -> bool {
    let mut repaired = false;
    for f in fields.iter_mut() {
        if let Some(r) = repair_mojibake(f) {
            *f = r;
            repaired = true;
        }
    }
    repaired
}

fn parse_block<T, L: Default>(
    header: &Header,
    block: &Block,
    parse: &(impl Fn(&Row<'_>, &mut ImportErrors, &mut L) -> Option<T> + ?Sized),
) -> Parsed<T, L> {
    let mut out = Parsed {
        items: Vec::with_capacity(block.records.len()),
        errs: ImportErrors::default(),
        at: Vec::new(),
        local: L::default(),
        rows: 0,
        repaired: Vec::new(),
    };
    let mut fields: Vec<String> = Vec::new();
    let mut first = 0;
    for &(line, last) in &block.records {
        let raw = (first..last).map(|i| {
            let start = if i == 0 { 0 } else { block.ends[i - 1] };
            &block.bytes[start..block.ends[i]]
        });
        first = last;
        let before = out.errs.errors.len();
        let ok = fields_of(&header.file, line, raw, &mut fields, &mut out.errs);
        if ok && !fields.iter().all(|f| f.is_empty()) {
            if repair(&mut fields) {
                out.repaired.push(line);
            }
            out.rows += 1;
            let row = Row {
                t: header,
                line,
                fields: &fields,
            };
            let item = parse(&row, &mut out.errs, &mut out.local);
            out.at.extend(std::iter::repeat_n(
                out.items.len(),
                out.errs.errors.len() - before,
            ));
            out.items.extend(item);
        } else {
            out.at.extend(std::iter::repeat_n(
                out.items.len(),
                out.errs.errors.len() - before,
            ));
        }
    }
    out
}

/// Where the records come from: a CSV reader, or an Excel sheet's rows.
enum Records<'r> {
    Csv(csv::Reader<Box<dyn std::io::Read + 'r>>, csv::ByteRecord),
    Rows(std::vec::IntoIter<(u64, Vec<String>)>),
}

impl Records<'_> {
    /// The next record into `block` (or, while there is no header, handed to `header`); `false` at
    /// the end, or after an error that ends the file (pushed to `errs`).
    fn next(
        &mut self,
        file: &str,
        errs: &mut ImportErrors,
        mut each: impl FnMut(u64, &mut dyn Iterator<Item = &[u8]>),
    ) -> bool {
        match self {
            Records::Rows(rows) => match rows.next() {
                Some((line, fields)) => {
                    each(line, &mut fields.iter().map(|f| f.as_bytes()));
                    true
                }
                None => false,
            },
            Records::Csv(rdr, rec) => loop {
                match rdr.read_byte_record(rec) {
                    Ok(false) => return false,
                    Ok(true) => {
                        let line = rec.position().map_or(0, |p| p.line());
                        each(line, &mut rec.iter());
                        return true;
                    }
                    Err(e) => {
                        errs.push(ImportError {
                            file: file.into(),
                            line: e.position().map_or(0, |p| p.line()),
                            column: None,
                            value: None,
                            expected: "en gyldig CSV-linje".into(),
                        });
                        // A parse error is per record, so the reader goes on with the next one;
                        // an I/O error (a file read from disk) ends the file.
                        if !matches!(
                            e.kind(),
                            csv::ErrorKind::UnequalLengths { .. } | csv::ErrorKind::Utf8 { .. }
                        ) {
                            return false;
                        }
                    }
                }
            },
        }
    }
}

fn csv_records<'r>(text: Box<dyn std::io::Read + 'r>, sep: u8) -> Records<'r> {
    let rdr = csv::ReaderBuilder::new()
        .delimiter(sep)
        .has_headers(false)
        .flexible(true)
        .from_reader(text);
    Records::Csv(rdr, csv::ByteRecord::new())
}

/// What a table's reading gives besides its report: each block's local state, in the file's order.
pub(super) struct Read<L> {
    pub(super) report: super::FileReport,
    pub(super) locals: Vec<L>,
}

/// Reads one file (CSV or Excel): decodes it, maps its header to the format's columns, and hands
/// each data row to `parse` (on worker threads, in blocks) and what it made to `apply` (here, in
/// the file's order), keeping no row.
#[allow(clippy::too_many_arguments)]
pub(super) fn read_table<T: Send, L: Default + Send>(
    name: &str,
    input: &Input<'_>,
    spec: &FileSpec,
    mapping: &Mapping,
    blocking: Blocking,
    errs: &mut ImportErrors,
    parse: &(impl Fn(&Row<'_>, &mut ImportErrors, &mut L) -> Option<T> + Sync),
    mut apply: impl FnMut(&str, T, &mut ImportErrors),
) -> Read<L> {
    let mut report = super::FileReport {
        name: name.to_string(),
        bytes: match input {
            Input::Bytes(b) => b.len(),
            Input::File(_, s) => s.size as usize,
        },
        encoding: Encoding::Xlsx,
        separator: None,
        rows: 0,
        repaired_lines: Vec::new(),
        unknown_columns: Vec::new(),
        absent_columns: Vec::new(),
        table: spec.name.to_string(),
    };
    let mut locals = Vec::new();
    let file_error = |errs: &mut ImportErrors, what: String| {
        errs.push(ImportError {
            file: name.into(),
            line: 0,
            column: None,
            value: None,
            expected: what,
        })
    };
    // Errors that end the file (I/O) come after the rows read before them.
    let mut end_errs = ImportErrors::default();
    let mut read = |records: &mut Records<'_>, errs: &mut ImportErrors, end: &mut ImportErrors| {
        read_records(
            name,
            records,
            spec,
            mapping,
            blocking,
            errs,
            end,
            &mut report,
            &mut locals,
            parse,
            &mut apply,
        )
    };
    // The file's text encoding and separator (none for a workbook), for the report.
    let mut format = None;
    match input {
        Input::Bytes(bytes) if is_xlsx(name, bytes) => {
            let rows = xlsx_rows(name, bytes, errs);
            read(&mut Records::Rows(rows.into_iter()), errs, &mut end_errs);
        }
        Input::Bytes(bytes) => {
            let (text, encoding) = decode(bytes);
            let sep = detect_separator(text.lines().next().unwrap_or(""));
            read(
                &mut csv_records(Box::new(text.as_bytes()), sep),
                errs,
                &mut end_errs,
            );
            format = Some((encoding, sep));
        }
        Input::File(path, sniffed) => {
            let sep = detect_separator(&sniffed.first_line);
            match source::open(path, sniffed) {
                Ok(mut text) => {
                    read(
                        &mut csv_records(Box::new(&mut text), sep),
                        errs,
                        &mut end_errs,
                    );
                    if text.changed() {
                        file_error(
                            &mut end_errs,
                            "en fil, der ikke ændres under indlæsningen; prøv igen".into(),
                        );
                    }
                }
                Err(e) => file_error(errs, format!("en fil, der kan læses ({e})")),
            }
            format = Some((sniffed.encoding, sep));
        }
    }
    if let Some((encoding, sep)) = format {
        report.encoding = encoding;
        report.separator = Some(char::from(sep));
    }
    errs.total += end_errs.total - end_errs.errors.len();
    for e in end_errs.errors {
        errs.push(e);
    }
    Read { report, locals }
}

/// The header, then the data rows in blocks: parsed here when the table is one block, else on
/// worker threads while this thread reads on.
#[allow(clippy::too_many_arguments)]
fn read_records<T: Send, L: Default + Send>(
    name: &str,
    records: &mut Records<'_>,
    spec: &FileSpec,
    mapping: &Mapping,
    blocking: Blocking,
    errs: &mut ImportErrors,
    end_errs: &mut ImportErrors,
    report: &mut super::FileReport,
    locals: &mut Vec<L>,
    parse: &(impl Fn(&Row<'_>, &mut ImportErrors, &mut L) -> Option<T> + Sync),
    apply: &mut impl FnMut(&str, T, &mut ImportErrors),
) {
    // The header: the first record with any text.
    let mut header: Option<Header> = None;
    let mut fields: Vec<String> = Vec::new();
    while header.is_none() {
        let mut found = None;
        let more = records.next(name, end_errs, |line, raw| {
            if fields_of(name, line, raw, &mut fields, errs) && fields.iter().any(|f| !f.is_empty())
            {
                repair(&mut fields);
                found = Some(line);
            }
        });
        if let Some(line) = found {
            header = Some(map_header(name, line, &fields, spec, mapping, errs, report));
        } else if !more {
            break;
        }
    }
    let Some(header) = header else {
        errs.push(ImportError {
            file: name.into(),
            line: 0,
            column: None,
            value: None,
            expected: "filen er tom; den skal mindst have en overskrift".into(),
        });
        return;
    };
    let mut more = true;
    let mut next_block = |end_errs: &mut ImportErrors| -> Option<Block> {
        let mut block = Block::default();
        while more && !block.full(blocking) {
            more = records.next(name, end_errs, |line, raw| block.push(line, raw));
        }
        (!block.records.is_empty()).then_some(block)
    };
    let mut merge = |p: Parsed<T, L>, errs: &mut ImportErrors| {
        let Parsed {
            items,
            errs: mut block_errs,
            at,
            local,
            rows,
            repaired,
        } = p;
        report.rows += rows;
        report.repaired_lines.extend(repaired);
        let unkept = block_errs.total - block_errs.errors.len();
        let mut kept = std::mem::take(&mut block_errs.errors)
            .into_iter()
            .zip(at)
            .peekable();
        for (i, item) in items.into_iter().enumerate() {
            while let Some((e, _)) = kept.next_if(|(_, at)| *at <= i) {
                errs.push(e);
            }
            apply(name, item, errs);
        }
        for (e, _) in kept {
            errs.push(e);
        }
        errs.total += unkept;
        locals.push(local);
    };
    let Some(first) = next_block(end_errs) else {
        return;
    };
    let Some(second) = next_block(end_errs) else {
        // One block: parsed here.
        merge(parse_block(&header, &first, parse), errs);
        return;
    };
    let workers = std::thread::available_parallelism().map_or(2, |n| n.get().clamp(1, 8));
    // A few blocks in flight per worker at most; the parsed ones wait here until their turn.
    let (send, blocks) = mpsc::sync_channel::<(usize, Block)>(2 * workers);
    let blocks = std::sync::Mutex::new(blocks);
    let (done, parsed) = mpsc::channel::<(usize, Parsed<T, L>)>();
    std::thread::scope(|s| {
        for _ in 0..workers {
            let (blocks, done, header) = (&blocks, done.clone(), &header);
            s.spawn(move || loop {
                // The lock is held only while waiting for the next block, not while parsing it.
                let next = blocks.lock().unwrap_or_else(|p| p.into_inner()).recv();
                let Ok((i, block)) = next else { break };
                if done.send((i, parse_block(header, &block, parse))).is_err() {
                    break;
                }
            });
        }
        drop(done);
        let mut waiting: std::collections::BTreeMap<usize, Parsed<T, L>> = Default::default();
        let mut turn = 0;
        let mut take_turns = |waiting: &mut std::collections::BTreeMap<usize, Parsed<T, L>>,
                              errs: &mut ImportErrors| {
            while let Some(p) = waiting.remove(&turn) {
                merge(p, errs);
                turn += 1;
            }
        };
        let mut pending = std::collections::VecDeque::from([first, second]);
        let mut sent = 0;
        while let Some(block) = pending.pop_front().or_else(|| next_block(end_errs)) {
            if send.send((sent, block)).is_err() {
                break;
            }
            sent += 1;
            waiting.extend(parsed.try_iter());
            take_turns(&mut waiting, errs);
        }
        drop(send);
        for p in parsed.iter() {
            waiting.insert(p.0, p.1);
            take_turns(&mut waiting, errs);
        }
        // Every block parsed and applied (a worker that panicked panics the scope on leaving).
        debug_assert!(waiting.is_empty());
    });
}
