//! The frame every Excel export shares: one sheet, a bold wrapped header row with set column widths,
//! frozen, an autofilter over the rows, dates as real Excel dates shown `dd-mm-åååå`.

use kadence_core::date::Day;
use rust_xlsxwriter::{ExcelDateTime, Format, FormatAlign, Workbook, Worksheet, XlsxError};

/// A sheet named `name` (Excel allows 31 characters) with this header row, frozen.
pub fn sheet<'a>(
    wb: &'a mut Workbook,
    name: &str,
    headers: &[(&str, f64)],
) -> Result<&'a mut Worksheet, XlsxError> {
    let ws = wb.add_worksheet();
    ws.set_name(name.chars().take(31).collect::<String>())?;
    let head = Format::new()
        .set_bold()
        .set_background_color("#DDE3EA")
        .set_align(FormatAlign::Top)
        .set_text_wrap();
    for (col, (h, w)) in headers.iter().enumerate() {
        ws.write_string_with_format(0, col as u16, *h, &head)?;
        ws.set_column_width(col as u16, *w)?;
    }
    ws.set_freeze_panes(1, 0)?;
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
