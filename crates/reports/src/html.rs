//! The agenda item as HTML blocks, one per section, for agenda systems where each field is pasted:
//! each block has its heading, its text and its tables as real HTML tables, the charts as SVG with
//! their alternative text, and a "Kopiér" button that puts the block on the clipboard (as HTML and
//! as plain text). Without JavaScript the buttons stay hidden and the text is there to select.
//! The page "Dagsordenspunkt" shows the same blocks ([`blocks`]); `kadence dagsorden --ud` writes
//! them as a file of their own ([`document`]).

use askama::Template;
use kadence_core::agenda::{ChartData, Draft, DraftChart};

use crate::charts;

/// The script behind the "Kopiér" buttons (served by the web app as /static/kopier.js, inlined in
/// the file the CLI writes).
pub const COPY_SCRIPT: &str = include_str!("../static/kopier.js");
/// The blocks' own styles (in the web app's stylesheet too, inlined in the file).
pub const BLOCK_STYLE: &str = include_str!("../static/blokke.css");

/// A chart's SVG, drawn as on its page.
pub fn svg(c: &DraftChart) -> String {
    match &c.data {
        ChartData::Shares { points, target } => charts::line_chart(&c.title, points, *target),
        ChartData::Series(s) => charts::year_chart(&format!("graf-{}", s.code), s),
    }
}

#[derive(Template)]
#[template(path = "agenda_blocks.html")]
struct Blocks<'a> {
    d: &'a Draft,
    /// The heading level of the sections (the title is one above).
    level: u8,
    charts: Vec<Vec<String>>,
}

#[derive(Template)]
#[template(path = "agenda_document.html")]
struct Document<'a> {
    d: &'a Draft,
    blocks: String,
    style: &'a str,
    script: &'a str,
}

/// The blocks as an HTML fragment, with the sections' headings at `level` (2-5).
pub fn blocks(d: &Draft, level: u8) -> String {
    let charts = d
        .sections
        .iter()
        .map(|s| s.charts.iter().map(svg).collect())
        .collect();
    Blocks {
        d,
        level: level.clamp(2, 5),
        charts,
    }
    .render()
    .unwrap_or_else(|e| format!("<p>Blokkene kunne ikke dannes: {e}</p>"))
}

/// The blocks as a whole HTML file (the title as h1, the sections as h2), styles and the copy
/// script inline, so it works opened from disk.
pub fn document(d: &Draft) -> String {
    Document {
        d,
        blocks: blocks(d, 2),
        style: BLOCK_STYLE,
        script: COPY_SCRIPT,
    }
    .render()
    .unwrap_or_else(|e| format!("<p>Dokumentet kunne ikke dannes: {e}</p>"))
}
