//! Kadence's documents, a shell around the core: the charts as SVG and PNG (`charts`), the frame of
//! every Excel export (`xlsx`), the committee's Excel annex (`annex`) and the agenda item as a Word
//! document (`docx`) and as HTML blocks to paste (`html`). No I/O beyond the bytes returned: the web app serves them and the CLI writes
//! them to files, so both hand over the same documents.

pub mod annex;
pub mod charts;
pub mod docx;
pub mod html;
pub mod xlsx;
