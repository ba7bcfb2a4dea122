//! The agenda item (dagsordenspunkt) written from the figures: a profile's sections in order, each
//! filled from a template whose placeholders take their values from the monthly report, so every
//! number in the item comes from the data and its source is listed with the item.
//!
//! This part holds the profiles (`profile.rs`), the template syntax (`template.rs`) and the item
//! kind "Status på den tidlige indsats på sygedagpengeområdet" (`early_effort.rs`). The other two
//! kinds, the .docx and the page follow (issue 12).

use serde::Serialize;

pub mod early_effort;
pub mod profile;
pub mod template;

pub use profile::{hedensted, shipped_profile, vesthimmerland, Content, Profile, ProfileError};
pub use template::{Template, TemplateError};

/// A table in a section.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DraftTable {
    pub caption: String,
    pub header: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

/// One section of a draft, in the profile's order.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DraftSection {
    pub heading: String,
    pub content: Content,
    /// The section's text, one paragraph per element (empty for "Beslutning").
    pub paragraphs: Vec<String>,
    pub table: Option<DraftTable>,
}

/// A draft agenda item.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Draft {
    pub title: String,
    pub profile: String,
    pub sections: Vec<DraftSection>,
    /// Where every figure comes from, one line each.
    pub sources: Vec<String>,
}

impl Draft {
    /// The whole item as plain text, one block per section (for agenda systems where each field is
    /// pasted).
    pub fn text(&self) -> String {
        let mut out = format!("{}\n", self.title);
        for s in &self.sections {
            out.push_str(&format!("\n{}\n", s.heading));
            for p in &s.paragraphs {
                out.push_str(&format!("{p}\n"));
            }
            if let Some(t) = &s.table {
                out.push_str(&format!("{}\n{}\n", t.caption, t.header.join(" | ")));
                for r in &t.rows {
                    out.push_str(&format!("{}\n", r.join(" | ")));
                }
            }
        }
        out.push_str("\nKilder\n");
        for s in &self.sources {
            out.push_str(&format!("{s}\n"));
        }
        out
    }
}
