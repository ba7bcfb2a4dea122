//! The frame every Excel export shares: one sheet, a bold wrapped header row with set column widths,
//! frozen, an autofilter over the rows, dates as real Excel dates shown `dd-mm-åååå`. A list's
//! sheet says what it is above the header ([`titled_sheet`]): its name as the sheet's name and in a
//! title row, and the as-of date and the user's filters in the row under it, so a file handed on
//! reads without the page it came from.

use kadence_core::date::Day;
use rust_xlsxwriter::{ExcelDateTime, Format, FormatAlign, Workbook, Worksheet, XlsxError};

/// A sheet named `name` (Excel allows 31 characters) with this header row, frozen.
pub fn sheet<'a>(
    wb: &'a mut Workbook,
    name: &str,
    headers: &[(&str, f64)],
) -> Result<&'a mut Worksheet, XlsxError> {
    sheet_at(wb, name, headers, 0)
}

/// The row of a titled sheet's header: the title is row 0, the as-of date and filters row 1.
pub const TITLED_HEADER_ROW: u32 = 2;
/// The first data row of a titled sheet.
pub const TITLED_FIRST_ROW: u32 = TITLED_HEADER_ROW + 1;

/// A list's sheet: named after the list (see [`sheet_name`]), with `title` in bold in the first
/// row, `context` (as-of date, filters, settings) in the second, then the header row, frozen under
/// it. Data rows start at [`TITLED_FIRST_ROW`]; close with [`filter_titled`].
pub fn titled_sheet<'a>(
    wb: &'a mut Workbook,
    name: &str,
    title: &str,
    context: &str,
    headers: &[(&str, f64)],
) -> Result<&'a mut Worksheet, XlsxError> {
    let ws = sheet_at(wb, name, headers, TITLED_HEADER_ROW)?;
    ws.write_string_with_format(0, 0, title, &Format::new().set_bold().set_font_size(14))?;
    ws.write_string(1, 0, context)?;
    Ok(ws)
}

/// The autofilter over a titled sheet's `rows` data rows of `cols` columns.
pub fn filter_titled(ws: &mut Worksheet, rows: usize, cols: usize) -> Result<(), XlsxError> {
    ws.autofilter(
        TITLED_HEADER_ROW,
        0,
        TITLED_HEADER_ROW + rows as u32,
        (cols.max(1) - 1) as u16,
    )?;
    Ok(())
}

/// A name Excel takes for a sheet: none of `[]:*?/\` (a colon becomes " -"), at most 31
/// characters, cut at a word where it must be cut.
pub fn sheet_name(name: &str) -> String {
    let clean: String = name
        .replace(':', " –")
        .chars()
        .map(|c| if "[]*?/\\".contains(c) { '-' } else { c })
        .collect();
    if clean.chars().count() <= 31 {
        return clean;
    }
    let cut: String = clean.chars().take(31).collect();
    match cut.rfind(' ') {
        Some(i) if i > 10 => cut[..i].trim_end_matches([' ', '-', '–']).to_string(),
        _ => cut,
    }
}

fn sheet_at<'a>(
    wb: &'a mut Workbook,
    name: &str,
    headers: &[(&str, f64)],
    header_row: u32,
) -> Result<&'a mut Worksheet, XlsxError> {
    let ws = wb.add_worksheet();
    ws.set_name(sheet_name(name))?;
    let head = Format::new()
        .set_bold()
        .set_background_color("#DDE3EA")
        .set_align(FormatAlign::Top)
        .set_text_wrap();
    for (col, (h, w)) in headers.iter().enumerate() {
        ws.write_string_with_format(header_row, col as u16, *h, &head)?;
        ws.set_column_width(col as u16, *w)?;
    }
    ws.set_freeze_panes(header_row + 1, 0)?;
    Ok(ws)
}

/// A second sheet "Om udtrækket" saying what made the figures: the as-of date, the settings version,
/// and whatever else the export names (the definition, the view). Every export has it, so a file
/// handed on can be reproduced.
pub fn about(wb: &mut Workbook, rows: &[(&str, String)]) -> Result<(), XlsxError> {
    let ws = sheet(wb, "Om udtrækket", &[("Oplysning", 24.0), ("Værdi", 80.0)])?;
    for (i, (k, v)) in rows.iter().enumerate() {
        ws.write_string(i as u32 + 1, 0, *k)?;
        ws.write_string(i as u32 + 1, 1, v)?;
    }
    Ok(())
}

/// Writes a day as an Excel date.
pub fn write_day(ws: &mut Worksheet, row: u32, col: u16, d: Day) -> Result<(), XlsxError> {
    let (y, m, dd) = d.to_ymd();
    let date = ExcelDateTime::from_ymd(y as u16, m as u8, dd as u8)?;
    ws.write_datetime_with_format(row, col, date, &Format::new().set_num_format("dd-mm-yyyy"))?;
    Ok(())
}

/// The autofilter over `rows` data rows of `cols` columns.
pub fn filter(ws: &mut Worksheet, rows: usize, cols: usize) -> Result<(), XlsxError> {
    ws.autofilter(0, 0, rows as u32, (cols.max(1) - 1) as u16)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::sheet_name;

    #[test]
    fn sheet_names_excel_takes() {
        for (name, want) in [
            ("Mine borgere", "Mine borgere"),
            ("Overblik 2: kan nås", "Overblik 2 – kan nås"),
            // 32 characters: cut at the last word that fits.
            (
                "1. samtale overskredet eller nær",
                "1. samtale overskredet eller",
            ),
            (
                "Overblik 2: 5 måneder uden 4 samtaler",
                "Overblik 2 – 5 måneder uden 4",
            ),
            ("a/b [c] d*e?f\\g", "a-b -c- d-e-f-g"),
        ] {
            let got = sheet_name(name);
            assert_eq!(got, want, "{name}");
            assert!(got.chars().count() <= 31);
        }
    }
}
