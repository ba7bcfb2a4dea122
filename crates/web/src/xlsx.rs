//! The HTTP response that downloads an Excel export. The sheets' shared frame (title, header row, dates,
//! filter, "Om udtrækket") is kadence-reports' `xlsx`, re-exported here for the pages.

use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use rust_xlsxwriter::XlsxError;

pub(crate) use kadence_reports::xlsx::{
    about, filter_titled, titled_sheet, write_day, TITLED_FIRST_ROW,
};

use crate::frame::render_error;

/// The download of a built workbook, or a Danish error page.
pub(crate) fn download(built: Result<Vec<u8>, XlsxError>, filename: &str) -> Response {
    match built {
        Ok(bytes) => (
            [
                (
                    header::CONTENT_TYPE,
                    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_string(),
                ),
                (
                    header::CONTENT_DISPOSITION,
                    format!("attachment; filename=\"{filename}\""),
                ),
            ],
            bytes,
        )
            .into_response(),
        Err(_) => render_error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "Eksporten fejlede",
            "Excel-filen kunne ikke dannes.",
        ),
    }
}
