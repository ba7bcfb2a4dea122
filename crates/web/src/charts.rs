//! The charts the pages draw. They are drawn in kadence-reports, so the agenda item's Word document
//! and the pages cannot draw the same figure differently; re-exported here for the pages.

pub(crate) use kadence_reports::charts::{line_chart_provisional, timeline_svg, year_chart};
