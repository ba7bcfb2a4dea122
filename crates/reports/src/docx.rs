//! The agenda item as a Word document (.docx), built with docx-rs from the core's [`Draft`]: the
//! title in Word's built-in style "Title", each section's heading in "heading 1" (so Word's
//! navigation pane and the agenda systems that import Word see the sections), the paragraphs, the
//! charts as PNG images with their alternative text, the tables as real Word tables with a caption,
//! the sources under "Kilder", the municipality and the meeting date in the page header and the
//! page number in the footer.
//!
//! Identical input gives identical bytes, so a document can be regenerated for the minutes:
//! docx-rs writes fixed package timestamps when asked (`created_at`/`updated_at`, and the zip
//! entries' 1980 default), but numbers images from a process-wide counter and gives every image
//! the same drawing id without a description. So the images get fixed ids here, and the drawing
//! properties (`wp:docPr`) are rewritten with a unique id and the alternative text (`descr`) in
//! the built document part before it is packed: docx-rs has no setter for either (0.4.22). The
//! styles part is written here too ([`STYLES`]): docx-rs writes a style's children out of the
//! schema's order and marks no paragraph style as the default, which strict readers refuse.

use docx_rs::{
    AlignmentType, Docx, Footer, Header, PageNum, Paragraph, Pic, Run, Table, TableCell, TableRow,
    WidthType,
};
use kadence_core::agenda::{Draft, DraftChart, DraftTable};

use crate::charts;
use crate::html::svg;

/// The styles part: the document defaults (Calibri 11 pt, 6 pt after a paragraph) and the built-in
/// styles the document uses, by their built-in names ("Normal" as the default, "Title",
/// "heading 1" with outline level 1, "caption"), the children in the order of ECMA-376 §17.7.4.17.
const STYLES: &str = concat!(
    r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"#,
    r#"<w:styles xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">"#,
    r#"<w:docDefaults><w:rPrDefault><w:rPr><w:rFonts w:ascii="Calibri" w:hAnsi="Calibri" w:eastAsia="Calibri" w:cs="Calibri"/><w:sz w:val="22"/><w:szCs w:val="22"/><w:lang w:val="da-DK"/></w:rPr></w:rPrDefault>"#,
    r#"<w:pPrDefault><w:pPr><w:spacing w:after="120" w:line="259" w:lineRule="auto"/></w:pPr></w:pPrDefault></w:docDefaults>"#,
    r#"<w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/><w:qFormat/></w:style>"#,
    r#"<w:style w:type="paragraph" w:styleId="Title"><w:name w:val="Title"/><w:basedOn w:val="Normal"/><w:next w:val="Normal"/><w:uiPriority w:val="10"/><w:qFormat/><w:pPr><w:spacing w:after="120"/></w:pPr><w:rPr><w:b/><w:bCs/><w:sz w:val="36"/><w:szCs w:val="36"/></w:rPr></w:style>"#,
    r#"<w:style w:type="paragraph" w:styleId="Heading1"><w:name w:val="heading 1"/><w:basedOn w:val="Normal"/><w:next w:val="Normal"/><w:uiPriority w:val="9"/><w:qFormat/><w:pPr><w:keepNext/><w:spacing w:before="360" w:after="120"/><w:outlineLvl w:val="0"/></w:pPr><w:rPr><w:b/><w:bCs/><w:sz w:val="28"/><w:szCs w:val="28"/></w:rPr></w:style>"#,
    r#"<w:style w:type="paragraph" w:styleId="Caption"><w:name w:val="caption"/><w:basedOn w:val="Normal"/><w:next w:val="Normal"/><w:uiPriority w:val="35"/><w:unhideWhenUsed/><w:qFormat/><w:pPr><w:keepNext/><w:spacing w:before="120" w:after="60"/></w:pPr><w:rPr><w:i/><w:iCs/><w:sz w:val="18"/><w:szCs w:val="18"/></w:rPr></w:style>"#,
    r#"</w:styles>"#
);

/// The package's fixed timestamp: the document's date is the item's as-of date, in the text.
const FIXED_TIME: &str = "2000-01-01T00:00:00Z";
/// The drawing properties docx-rs writes for every image.
const DOC_PR: &str = r#"<wp:docPr id="1" name="Figure" />"#;
/// A4 text width in twentieths of a point (21 cm minus 2 x 2 cm margins), for tables and images.
const TEXT_WIDTH_TWIPS: usize = 9638;
const EMU_PER_TWIP: u32 = 635;

fn text(p: &str) -> Paragraph {
    Paragraph::new().add_run(Run::new().add_text(p))
}

fn table(t: &DraftTable) -> Table {
    let cols = t.header.len().max(1);
    let width = TEXT_WIDTH_TWIPS / cols;
    let cell = |s: &str, head: bool| {
        let run = Run::new().add_text(s);
        TableCell::new()
            .width(width, WidthType::Dxa)
            .add_paragraph(Paragraph::new().add_run(if head { run.bold() } else { run }))
    };
    let mut rows =
        vec![TableRow::new(t.header.iter().map(|h| cell(h, true)).collect()).cant_split()];
    rows.extend(
        t.rows
            .iter()
            .map(|r| TableRow::new(r.iter().map(|c| cell(c, false)).collect()).cant_split()),
    );
    Table::new(rows)
        .set_grid(vec![width; cols])
        .width(TEXT_WIDTH_TWIPS, WidthType::Dxa)
}

/// A chart as an inline image the width of the text, or its error.
fn image(c: &DraftChart, n: usize) -> Result<Pic, String> {
    let svg = svg(c);
    let png = charts::png(&svg, 2.0)?;
    let (w, h) = png_size(&png).ok_or("grafen kunne ikke læses som PNG")?;
    let width_emu = TEXT_WIDTH_TWIPS as u32 * EMU_PER_TWIP;
    let height_emu = (u64::from(width_emu) * u64::from(h) / u64::from(w.max(1))) as u32;
    Ok(Pic::new_with_dimensions(png, w, h)
        .id(format!("rIdImage{n}"))
        .size(width_emu, height_emu))
}

/// The pixel size from a PNG's header (IHDR is the first chunk: width, height as big-endian u32).
fn png_size(png: &[u8]) -> Option<(u32, u32)> {
    let w = png.get(16..20)?;
    let h = png.get(20..24)?;
    Some((
        u32::from_be_bytes(w.try_into().ok()?),
        u32::from_be_bytes(h.try_into().ok()?),
    ))
}

/// Text escaped for an XML attribute.
fn attr(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The agenda item as .docx bytes.
pub fn agenda(d: &Draft) -> Result<Vec<u8>, String> {
    let mut doc = Docx::new()
        .created_at(FIXED_TIME)
        .updated_at(FIXED_TIME)
        .page_size(11906, 16838)
        .page_margin(
            docx_rs::PageMargin::new()
                .top(1134)
                .bottom(1134)
                .left(1134)
                .right(1134)
                .header(567)
                .footer(567),
        )
        .header(Header::new().add_paragraph(text(&d.header_line()).align(AlignmentType::Right)))
        .footer(
            Footer::new().add_paragraph(
                Paragraph::new()
                    .add_run(Run::new().add_text("Side "))
                    .add_page_num(PageNum::new())
                    .align(AlignmentType::Center),
            ),
        )
        .add_paragraph(text(&d.title).style("Title"))
        .add_paragraph(text(&format!(
            "Udkast skrevet af Kadence ud fra tallene pr. {} (profil: {}).",
            d.as_of.dk(),
            d.profile
        )));
    let mut alts = Vec::new();
    for s in &d.sections {
        doc = doc.add_paragraph(text(&s.heading).style("Heading1"));
        for p in &s.paragraphs {
            doc = doc.add_paragraph(text(p));
        }
        for c in &s.charts {
            alts.push(c.alt.clone());
            let pic = image(c, alts.len())?;
            doc = doc
                .add_paragraph(Paragraph::new().add_run(Run::new().add_image(pic)))
                .add_paragraph(text(&c.title).style("Caption"));
        }
        for t in &s.tables {
            doc = doc
                .add_paragraph(text(&t.caption).style("Caption"))
                .add_table(table(t))
                .add_paragraph(Paragraph::new());
        }
    }
    doc = doc.add_paragraph(text("Kilder").style("Heading1"));
    for s in &d.sources {
        doc = doc.add_paragraph(text(s));
    }
    let mut xml = doc.build();
    xml.styles = STYLES.as_bytes().to_vec();
    let body = String::from_utf8(std::mem::take(&mut xml.document)).map_err(|e| e.to_string())?;
    if body.matches(DOC_PR).count() != alts.len() {
        return Err("billederne i dokumentet kunne ikke gives alternativ tekst".into());
    }
    let mut out = String::with_capacity(body.len() + 256 * alts.len());
    let mut rest = body.as_str();
    for (i, alt) in alts.iter().enumerate() {
        let at = rest.find(DOC_PR).unwrap_or(rest.len());
        out.push_str(&rest[..at]);
        out.push_str(&format!(
            r#"<wp:docPr id="{}" name="Graf {}" descr="{}" />"#,
            i + 1,
            i + 1,
            attr(alt)
        ));
        rest = &rest[(at + DOC_PR.len()).min(rest.len())..];
    }
    out.push_str(rest);
    xml.document = out.into_bytes();
    let mut buf = std::io::Cursor::new(Vec::new());
    xml.pack(&mut buf).map_err(|e| e.to_string())?;
    Ok(buf.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;
    use kadence_core::agenda::{ChartData, Content, DraftSection, Kind};
    use kadence_core::date::Day;
    use std::io::Read;

    fn draft() -> Draft {
        Draft {
            kind: Kind::EarlyEffort,
            title: "Status på den tidlige indsats på sygedagpengeområdet, maj 2025".into(),
            profile: "vesthimmerland".into(),
            municipality: "Testby Kommune".into(),
            meeting: Some(Day::ymd(2025, 6, 15)),
            as_of: Day::ymd(2025, 6, 30),
            sections: vec![DraftSection {
                heading: "Baggrund".into(),
                content: Content::Figures,
                paragraphs: vec!["Efter STARs definition «A & B» <i>".into()],
                charts: vec![DraftChart {
                    title: "Tidlig indsats pr. måned".into(),
                    data: ChartData::Shares {
                        points: vec![
                            ("apr. 2025".into(), Some(0.7)),
                            ("maj 2025".into(), Some(0.75)),
                        ],
                        target: Some(0.8),
                    },
                    alt: "Linjediagram: \"tidlig\" indsats & mål <80 %>".into(),
                }],
                tables: vec![DraftTable {
                    caption: "Tidlig indsats pr. måned".into(),
                    header: vec!["Måned".into(), "STARs definition".into()],
                    rows: vec![vec!["maj 2025".into(), "75,0 % (3 af 4)".into()]],
                }],
            }],
            sources: vec!["Kadence, egne data".into()],
        }
    }

    fn part(bytes: &[u8], name: &str) -> String {
        let mut zip = docx_rs_zip(bytes);
        let mut s = String::new();
        zip.by_name(name).unwrap().read_to_string(&mut s).unwrap();
        s
    }

    fn docx_rs_zip(bytes: &[u8]) -> zip::ZipArchive<std::io::Cursor<&[u8]>> {
        zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap()
    }

    /// Regenerating an item for the minutes: the same draft gives the same bytes, also after
    /// other documents were written in the same process (docx-rs counts images process-wide).
    #[test]
    fn the_same_draft_gives_the_same_bytes() {
        let a = agenda(&draft()).unwrap();
        let _other = agenda(&draft()).unwrap();
        std::thread::sleep(std::time::Duration::from_millis(1100));
        let b = agenda(&draft()).unwrap();
        assert_eq!(a, b);
    }

    #[test]
    fn headings_styles_alt_text_header_and_page_number() {
        let bytes = agenda(&draft()).unwrap();
        let doc = part(&bytes, "word/document.xml");
        assert!(doc.contains(r#"<w:pStyle w:val="Heading1" />"#), "{doc}");
        assert!(doc.contains(r#"<w:pStyle w:val="Title" />"#));
        assert!(doc.contains(
            r#"descr="Linjediagram: &quot;tidlig&quot; indsats &amp; mål &lt;80 %&gt;""#
        ));
        assert_eq!(doc.matches("<wp:docPr ").count(), 1);
        assert!(doc.contains("<w:tbl>"), "a real table");
        assert!(doc.contains("Efter STARs definition «A &amp; B» &lt;i&gt;"));
        let styles = part(&bytes, "word/styles.xml");
        assert!(
            styles.contains(r#"<w:name w:val="heading 1"/>"#),
            "{styles}"
        );
        assert!(styles.contains(r#"w:default="1" w:styleId="Normal""#));
        let header = part(&bytes, "word/header1.xml");
        assert!(header.contains("Testby Kommune · Beskæftigelsesudvalget · Møde 15-06-2025"));
        let footer = part(&bytes, "word/footer1.xml");
        assert!(footer.contains("PAGE"), "{footer}");
        let core = part(&bytes, "docProps/core.xml");
        assert!(core.contains(FIXED_TIME));
        let mut zip = docx_rs_zip(&bytes);
        let png = zip.by_name("word/media/rIdImage1.png").unwrap();
        assert!(png.size() > 1000);
    }
}
