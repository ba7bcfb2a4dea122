//! The SVG charts: a course's timeline and a figure's trend line, and the same drawing as PNG for
//! Word and paper. Each is drawn with a description in words, and every chart has a table
//! alternative on its page and in the documents.

use kadence_core::date::Day;
use kadence_core::dk;
use kadence_core::duties::{CourseStatus, Status};
use kadence_core::model::*;

/// Text escaped for SVG content and attributes.
fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The widest month label on the timeline's axis ("juni", "sep."), in the SVG's units at font
/// size 10, with a margin.
const LABEL_WIDTH: f64 = 30.0;

/// One label on the timeline's month axis: at a month's first day, the month's short Danish name,
/// and the year under it on the first label and on every January.
#[derive(Debug, PartialEq)]
pub struct AxisLabel {
    pub day: Day,
    pub month: &'static str,
    pub year: Option<i32>,
}

/// The month labels for a timeline from `start` to `end` drawn `width` units wide: every month
/// when there is room, otherwise every 2nd, 3rd, 6th or 12th (counted from January, so the same
/// months are labelled on every course), so no two labels overlap however long the course.
pub fn month_axis(start: Day, end: Day, width: f64) -> Vec<AxisLabel> {
    const SHORT: [&str; 12] = [
        "jan.", "feb.", "mar.", "apr.", "maj", "juni", "juli", "aug.", "sep.", "okt.", "nov.",
        "dec.",
    ];
    let span = f64::from(start.days_until(end).max(1));
    // The narrowest month (28 days) decides the room per label.
    let per_month = width * 28.0 / span;
    let step = [1, 2, 3, 6, 12]
        .into_iter()
        .find(|k| per_month * f64::from(*k) >= LABEL_WIDTH + 4.0)
        .unwrap_or(12);
    let mut out: Vec<AxisLabel> = Vec::new();
    let mut tick = start.month_start();
    if tick < start {
        tick = tick.add_months(1);
    }
    while tick <= end {
        let (y, m, _) = tick.to_ymd();
        if (m - 1) % step == 0 {
            let year = (out.is_empty() || m == 1).then_some(y);
            out.push(AxisLabel {
                day: tick,
                month: SHORT[m as usize - 1],
                year,
            });
        }
        tick = tick.add_months(1);
    }
    out
}

/// One course's timeline as accessible SVG: the days from the first day of absence to the as-of date
/// (or the end), with every fact and deadline; a description lists them in words, and the tables
/// under it hold the same facts.
pub fn timeline_svg(f: &CourseFacts<'_>, st: &CourseStatus) -> String {
    let c = f.course;
    let as_of = st.as_of;
    let start = c.first_absence.min(c.clock_start());
    let mut end = c
        .end
        .map(|e| e.date)
        .filter(|d| *d <= as_of)
        .unwrap_or(as_of);
    for d in &st.duties {
        if let Some(due) = d.next_by.or(d.due) {
            end = end.max(due);
        }
    }
    let end = end.max(start.add_days(30));
    let (w, left, right) = (760.0, 16.0, 16.0);
    let span = f64::from(start.days_until(end).max(1));
    let x = |d: Day| left + (w - left - right) * f64::from(start.days_until(d)) / span;
    let mut words: Vec<String> = vec![
        format!("1. fraværsdag {}", c.first_absence.dk()),
        format!("ydelsesstart {}", c.benefit_start.dk()),
    ];
    let mut body = String::new();
    // Lanes: 1 events, 2 standby and medical, 3 deadlines.
    let (y_axis, y_events, y_standby, y_medical, y_deadlines) = (40.0, 70.0, 100.0, 125.0, 150.0);
    body.push_str(&format!(r##"<line x1="{left}" x2="{}" y1="{y_axis}" y2="{y_axis}" stroke="#4a4a4a" stroke-width="1.5"/>"##, w - right));
    // Grid lines at every month start; labels only as often as they fit (see `month_axis`).
    let mut tick = start.month_start();
    while tick <= end {
        if tick >= start {
            let tx = x(tick);
            body.push_str(&format!(
                r##"<line x1="{tx:.1}" x2="{tx:.1}" y1="{}" y2="{}" stroke="#c8c8c8"/>"##,
                y_axis - 4.0,
                y_deadlines + 12.0
            ));
        }
        tick = tick.add_months(1);
    }
    for l in month_axis(start, end, w - left - right) {
        let tx = x(l.day);
        // A label near an edge is anchored at its tick's side, so it is never cut off.
        let anchor = if tx - left < LABEL_WIDTH / 2.0 {
            "start"
        } else if w - right - tx < LABEL_WIDTH / 2.0 {
            "end"
        } else {
            "middle"
        };
        body.push_str(&format!(
            r##"<text class="axis" x="{tx:.1}" y="{}" font-size="10" text-anchor="{anchor}" fill="#4a4a4a">{}{}</text>"##,
            y_axis - 19.0,
            l.month,
            l.year
                .map(|y| format!(r#"<tspan x="{tx:.1}" dy="11">{y}</tspan>"#))
                .unwrap_or_default()
        ));
    }
    let mark = |body: &mut String, d: Day, label: &str, color: &str| {
        body.push_str(&format!(
            r##"<line x1="{0:.1}" x2="{0:.1}" y1="{1}" y2="{2}" stroke="{color}" stroke-width="2"><title>{3}</title></line>"##,
            x(d), y_axis - 2.0, y_deadlines + 12.0, esc(label)
        ));
    };
    mark(
        &mut body,
        c.first_absence,
        &format!("1. fraværsdag {}", c.first_absence.dk()),
        "#1b1b1b",
    );
    mark(
        &mut body,
        c.benefit_start,
        &format!("Ydelsesstart {}", c.benefit_start.dk()),
        "#6b6b6b",
    );
    for conv in f.conversations.iter().filter(|x| x.date <= as_of) {
        let label = format!(
            "Samtale {}{}",
            conv.date.dk(),
            if conv.held {
                String::new()
            } else {
                format!(" ({})", conv.status_label().to_lowercase())
            }
        );
        body.push_str(&format!(
            r##"<circle cx="{:.1}" cy="{y_events}" r="6" fill="{}" stroke="#004b87" stroke-width="2"><title>{}</title></circle>"##,
            x(conv.date), if conv.held { "#004b87" } else { "#ffffff" }, esc(&label)
        ));
        words.push(label.to_lowercase());
    }
    for sb in f.standby.iter().filter(|p| p.start <= as_of) {
        let e = sb.end.filter(|e| *e < as_of).unwrap_or(as_of);
        let label = format!("Standby {} til {}", sb.start.dk(), e.dk());
        body.push_str(&format!(
            r##"<rect x="{:.1}" y="{}" width="{:.1}" height="12" fill="#f0d9a8" stroke="#7a4a00"><title>{}</title></rect>"##,
            x(sb.start), y_standby - 6.0, (x(e) - x(sb.start)).max(2.0), esc(&label)
        ));
        words.push(label.to_lowercase());
    }
    for m in f.medical.iter().filter(|m| m.sent <= as_of) {
        let until = m.received.filter(|r| *r <= as_of).unwrap_or(as_of);
        let label = format!(
            "Lægeattest sendt {}{}",
            m.sent.dk(),
            m.received
                .filter(|r| *r <= as_of)
                .map(|r| format!(", modtaget {}", r.dk()))
                .unwrap_or_else(|| ", ikke modtaget".into())
        );
        body.push_str(&format!(
            r##"<line x1="{:.1}" x2="{:.1}" y1="{y_medical}" y2="{y_medical}" stroke="#4a4a4a" stroke-width="4"><title>{}</title></line>"##,
            x(m.sent), x(until).max(x(m.sent) + 2.0), esc(&label)
        ));
        words.push(label.to_lowercase());
    }
    for r in f.rehab {
        let label = format!("Rehabiliteringsteam {}", r.date.dk());
        let rx = x(r.date);
        body.push_str(&format!(
            r##"<polygon points="{:.1},{y_events} {rx:.1},{} {:.1},{y_events} {rx:.1},{}" fill="#5a2d82"><title>{}</title></polygon>"##,
            rx - 7.0, y_events - 7.0, rx + 7.0, y_events + 7.0, esc(&label)
        ));
        words.push(label.to_lowercase());
    }
    for d in st.duties.iter().filter(|d| d.kind.is_caseworker_deadline()) {
        let Some(due) = d.next_by.or(d.due) else {
            continue;
        };
        let label = format!("Frist: {} {} ({})", d.title(), due.dk(), d.status.label());
        let color = match d.status {
            Status::Overdue | Status::Missed => "#a4000f",
            Status::Met | Status::MetLate | Status::NotApplicable => "#4a4a4a",
            _ => "#004b87",
        };
        let dx = x(due);
        body.push_str(&format!(
            r##"<path d="M{:.1},{} L{:.1},{} L{:.1},{} Z" fill="{color}"><title>{}</title></path>"##,
            dx - 6.0, y_deadlines + 8.0, dx, y_deadlines - 4.0, dx + 6.0, y_deadlines + 8.0, esc(&label)
        ));
        words.push(label.to_lowercase());
    }
    let ax = x(as_of.min(end));
    body.push_str(&format!(
        r##"<line x1="{ax:.1}" x2="{ax:.1}" y1="{}" y2="{}" stroke="#a4000f" stroke-dasharray="4 3" stroke-width="1.5"/><text x="{ax:.1}" y="{}" font-size="10" text-anchor="{}" fill="#a4000f">{}</text>"##,
        y_axis - 2.0, y_deadlines + 12.0, y_deadlines + 26.0,
        // Near the right edge the label ends at the line instead of centring on it.
        if ax > w * 0.85 { "end" } else { "middle" },
        esc(&format!("pr. {}", as_of.dk()))
    ));
    format!(
        r##"<svg class="timeline" viewBox="0 0 {w} 190" role="img" aria-labelledby="tl-title tl-desc" xmlns="http://www.w3.org/2000/svg"><title id="tl-title">Tidslinje for forløb {}</title><desc id="tl-desc">{}</desc>{body}</svg>"##,
        esc(&c.key),
        esc(&words.join("; "))
    )
}

/// A line chart of monthly shares (0-100 %) with the target as a dashed line, as accessible SVG: a
/// title and a description, and every point with its value. The same numbers are in a table beside it.
pub fn line_chart(title: &str, points: &[(String, Option<f64>)], target: Option<f64>) -> String {
    line_chart_provisional(title, points, target, None)
}

/// [`line_chart`] with the points from index `provisional_from` on (a month not yet ended) drawn
/// apart: a dotted line to them and open circles, and "(foreløbig)" in their description. Month
/// labels written "nov. 2026" get the year on a second line, and at most twelve labels are drawn,
/// so they never overlap.
pub fn line_chart_provisional(
    title: &str,
    points: &[(String, Option<f64>)],
    target: Option<f64>,
    provisional_from: Option<usize>,
) -> String {
    let provisional = |i: usize| provisional_from.is_some_and(|p| i >= p);
    let (w, h, left, right, top, bottom) = (720.0, 240.0, 48.0, 12.0, 12.0, 36.0);
    let n = points.len().max(1) as f64;
    let x = |i: usize| left + (w - left - right) * (i as f64 + 0.5) / n;
    let y = |v: f64| top + (h - top - bottom) * (1.0 - v.clamp(0.0, 1.0));
    let described: Vec<String> = points
        .iter()
        .enumerate()
        .map(|(i, (m, v))| {
            format!(
                "{m}: {}{}",
                v.map(dk::percent).unwrap_or_else(|| "intet tal".into()),
                if provisional(i) { " (foreløbig)" } else { "" }
            )
        })
        .collect();
    let mut svg = format!(
        r#"<svg class="chart" viewBox="0 0 {w} {h}" role="img" aria-labelledby="chart-title chart-desc" font-family="Liberation Sans, Arial, sans-serif" xmlns="http://www.w3.org/2000/svg"><title id="chart-title">{}</title><desc id="chart-desc">{}</desc>"#,
        esc(title),
        esc(&described.join("; "))
    );
    for pct in [0.0, 0.25, 0.5, 0.75, 1.0] {
        let yy = y(pct);
        svg.push_str(&format!(
            r##"<line x1="{left}" x2="{}" y1="{yy:.1}" y2="{yy:.1}" stroke="#c8c8c8" stroke-width="1"/><text x="{}" y="{:.1}" font-size="11" text-anchor="end" fill="#4a4a4a">{} %</text>"##,
            w - right,
            left - 6.0,
            yy + 4.0,
            (pct * 100.0) as u32
        ));
    }
    if let Some(t) = target {
        let yy = y(t);
        svg.push_str(&format!(
            r##"<line x1="{left}" x2="{}" y1="{yy:.1}" y2="{yy:.1}" stroke="#a4000f" stroke-width="2" stroke-dasharray="6 4"/><text x="{}" y="{:.1}" font-size="11" text-anchor="end" fill="#a4000f">mål {}</text>"##,
            w - right,
            w - right,
            yy - 4.0,
            esc(&dk::percent(t))
        ));
    }
    let at = |i: usize, v: f64| format!("{:.1},{:.1}", x(i), y(v));
    // The complete months as a solid line; from the last complete point to the provisional ones
    // a dotted line.
    let solid: Vec<String> = points
        .iter()
        .enumerate()
        .filter(|(i, _)| !provisional(*i))
        .filter_map(|(i, (_, v))| v.map(|v| at(i, v)))
        .collect();
    if solid.len() > 1 {
        svg.push_str(&format!(
            r##"<polyline points="{}" fill="none" stroke="#004b87" stroke-width="2.5"/>"##,
            solid.join(" ")
        ));
    }
    if let Some(p) = provisional_from {
        // The last complete point with a value, then every provisional point with one.
        let last_complete = (0..p.min(points.len()))
            .rev()
            .find_map(|i| points[i].1.map(|v| (i, v)));
        let dotted: Vec<String> = last_complete
            .into_iter()
            .chain(
                points
                    .iter()
                    .enumerate()
                    .skip(p)
                    .filter_map(|(i, (_, v))| v.map(|v| (i, v))),
            )
            .map(|(i, v)| at(i, v))
            .collect();
        if dotted.len() > 1 {
            svg.push_str(&format!(
                r##"<polyline points="{}" fill="none" stroke="#004b87" stroke-width="2" stroke-dasharray="2 4"/>"##,
                dotted.join(" ")
            ));
        }
    }
    let every = points.len().div_ceil(12).max(1);
    for (i, (m, v)) in points.iter().enumerate() {
        if let Some(v) = v {
            let (fill, note) = if provisional(i) {
                ("#ffffff", " (foreløbig)")
            } else {
                ("#004b87", "")
            };
            svg.push_str(&format!(
                r##"<circle cx="{:.1}" cy="{:.1}" r="4" fill="{fill}" stroke="#004b87" stroke-width="2"><title>{}: {}{note}</title></circle>"##,
                x(i),
                y(*v),
                esc(m),
                esc(&dk::percent(*v))
            ));
        }
        // The newest month always gets its label; the others every `every`th counted back from it.
        if (points.len() - 1 - i) % every == 0 {
            let label = match m.rsplit_once(' ') {
                Some((month, year)) => format!(
                    r#"{}<tspan x="{:.1}" dy="12">{}</tspan>"#,
                    esc(month),
                    x(i),
                    esc(year)
                ),
                None => esc(m),
            };
            svg.push_str(&format!(
                r##"<text x="{:.1}" y="{}" font-size="11" text-anchor="middle" fill="#4a4a4a">{label}</text>"##,
                x(i),
                h - 20.0,
            ));
        }
    }
    svg.push_str("</svg>");
    svg
}

/// A round step for a value axis from 0 to `max`: 1, 2 or 5 times a power of ten, about 4-6 lines.
fn nice_step(max: f64) -> f64 {
    let raw = (max / 5.0).max(1e-9);
    let p = 10f64.powf(raw.log10().floor());
    [1.0, 2.0, 5.0, 10.0]
        .into_iter()
        .map(|m| m * p)
        .find(|s| *s >= raw)
        .unwrap_or(10.0 * p)
}

/// A benefit group's three years January-December as accessible, self-contained SVG (it is also
/// downloaded on its own): one line per year, told apart by dash pattern as well as colour, the
/// budget figures as a dashed step line and the yearly target as a dotted rule, Danish month
/// abbreviations and numbers with "." for thousands. `id` makes the title and description ids
/// unique on a page with several charts. The page's table under each chart holds the same numbers.
pub fn year_chart(id: &str, series: &kadence_core::committee::report::GroupSeries) -> String {
    use kadence_core::committee::MONTH_ABBREVIATIONS as MONTHS;
    let (w, h, left, right, top, bottom) = (720.0, 260.0, 64.0, 12.0, 12.0, 56.0);
    let max = series
        .years
        .iter()
        .flat_map(|y| y.months.iter().flatten())
        .chain(series.budget.iter().flatten())
        .chain(series.target.iter())
        .fold(0.0f64, |a, b| a.max(*b));
    let step = nice_step(max.max(1.0));
    let top_value = (max / step).ceil().max(1.0) * step;
    let x = |i: usize| left + (w - left - right) * (i as f64 + 0.5) / 12.0;
    let y = |v: f64| top + (h - top - bottom) * (1.0 - (v / top_value).clamp(0.0, 1.0));
    let decimals = if top_value < 20.0 { 1 } else { 0 };
    let title = format!("{}: fuldtidspersoner pr. måned, tre år", series.label);
    let mut desc: Vec<String> = series
        .years
        .iter()
        .map(|yr| {
            let pts: Vec<String> = yr
                .months
                .iter()
                .enumerate()
                .filter_map(|(i, v)| v.map(|v| format!("{} {}", MONTHS[i], dk::decimal(v, 1))))
                .collect();
            format!(
                "{}: {}",
                yr.year,
                if pts.is_empty() {
                    "ingen tal".into()
                } else {
                    pts.join(", ")
                }
            )
        })
        .collect();
    if let Some(t) = series.target {
        desc.push(format!("måltal {}", dk::decimal(t, 1)));
    }
    let mut svg = format!(
        r##"<svg class="chart" viewBox="0 0 {w} {h}" role="img" aria-labelledby="{id}-title {id}-desc" xmlns="http://www.w3.org/2000/svg" font-family="Liberation Sans, Arial, sans-serif"><title id="{id}-title">{}</title><desc id="{id}-desc">{}</desc><rect x="0" y="0" width="{w}" height="{h}" fill="#ffffff"/>"##,
        esc(&title),
        esc(&desc.join("; "))
    );
    let mut v = 0.0;
    while v <= top_value + step / 2.0 {
        let yy = y(v);
        svg.push_str(&format!(
            r##"<line x1="{left}" x2="{}" y1="{yy:.1}" y2="{yy:.1}" stroke="#c8c8c8" stroke-width="1"/><text x="{}" y="{:.1}" font-size="11" text-anchor="end" fill="#4a4a4a">{}</text>"##,
            w - right,
            left - 6.0,
            yy + 4.0,
            dk::decimal(v, decimals)
        ));
        v += step;
    }
    for (i, m) in MONTHS.iter().enumerate() {
        svg.push_str(&format!(
            r##"<text x="{:.1}" y="{}" font-size="11" text-anchor="middle" fill="#4a4a4a">{m}</text>"##,
            x(i),
            h - bottom + 16.0
        ));
    }
    // Oldest to newest: grey dotted, blue dashed, dark blue solid (contrast ≥ 3:1 on white).
    let styles = [
        ("#6b6b6b", "2 3", 2.0),
        ("#2f6fb0", "7 4", 2.0),
        ("#00345e", "", 3.0),
    ];
    let n = series.years.len();
    let mut legend = Vec::new();
    for (k, yr) in series.years.iter().enumerate() {
        let (colour, dash, width) =
            styles[(styles.len() + k).saturating_sub(n).min(styles.len() - 1)];
        let pts: Vec<String> = yr
            .months
            .iter()
            .enumerate()
            .filter_map(|(i, v)| v.map(|v| format!("{:.1},{:.1}", x(i), y(v))))
            .collect();
        if pts.len() > 1 {
            svg.push_str(&format!(
                r##"<polyline points="{}" fill="none" stroke="{colour}" stroke-width="{width}" stroke-dasharray="{dash}"/>"##,
                pts.join(" ")
            ));
        }
        for (i, v) in yr.months.iter().enumerate() {
            if let Some(v) = v {
                svg.push_str(&format!(
                    r##"<circle cx="{:.1}" cy="{:.1}" r="3" fill="{colour}"><title>{} {}: {}</title></circle>"##,
                    x(i),
                    y(*v),
                    MONTHS[i],
                    yr.year,
                    dk::decimal(*v, 1)
                ));
            }
        }
        legend.push((yr.year.to_string(), colour, dash, width));
    }
    let budget: Vec<String> = series
        .budget
        .iter()
        .enumerate()
        .filter_map(|(i, v)| v.map(|v| format!("{:.1},{:.1}", x(i), y(v))))
        .collect();
    if !budget.is_empty() {
        svg.push_str(&format!(
            r##"<polyline points="{}" fill="none" stroke="#a4000f" stroke-width="2" stroke-dasharray="8 4"/>"##,
            budget.join(" ")
        ));
        legend.push(("Budgetpersoner".into(), "#a4000f", "8 4", 2.0));
    }
    if let Some(t) = series.target {
        let yy = y(t);
        svg.push_str(&format!(
            r##"<line x1="{left}" x2="{}" y1="{yy:.1}" y2="{yy:.1}" stroke="#8a4b00" stroke-width="2" stroke-dasharray="2 2"/>"##,
            w - right
        ));
        legend.push((
            format!("Måltal {}", dk::decimal(t, 1)),
            "#8a4b00",
            "2 2",
            2.0,
        ));
    }
    let mut lx = left;
    for (label, colour, dash, width) in legend {
        let ly = h - 14.0;
        svg.push_str(&format!(
            r##"<line x1="{lx:.1}" x2="{:.1}" y1="{ly:.1}" y2="{ly:.1}" stroke="{colour}" stroke-width="{width}" stroke-dasharray="{dash}"/><text x="{:.1}" y="{:.1}" font-size="11" fill="#1a1a1a">{}</text>"##,
            lx + 24.0,
            lx + 28.0,
            ly + 4.0,
            esc(&label)
        ));
        lx += 40.0 + 7.0 * label.chars().count() as f64;
    }
    svg.push_str("</svg>");
    svg
}

/// The system's fonts, loaded once, and the family for text that names none; the charts ask for
/// "Liberation Sans, Arial, sans-serif", and the generic family is pointed at the first of the
/// usual free fonts present.
static FONTS: std::sync::LazyLock<(std::sync::Arc<resvg::usvg::fontdb::Database>, String)> =
    std::sync::LazyLock::new(|| {
        let mut db = resvg::usvg::fontdb::Database::new();
        db.load_system_fonts();
        let mut chosen = "sans-serif".to_string();
        for family in ["Liberation Sans", "DejaVu Sans", "Noto Sans", "Arial"] {
            if db
                .faces()
                .any(|f| f.families.iter().any(|(n, _)| n == family))
            {
                db.set_sans_serif_family(family);
                chosen = family.to_string();
                break;
            }
        }
        (std::sync::Arc::new(db), chosen)
    });

/// A chart's SVG as PNG, rendered by resvg at `scale` (2: sharp on paper and in Word). The same
/// drawing as the SVG, so the two cannot disagree.
pub fn png(svg: &str, scale: f32) -> Result<Vec<u8>, String> {
    let options = resvg::usvg::Options {
        fontdb: FONTS.0.clone(),
        font_family: FONTS.1.clone(),
        ..Default::default()
    };
    let tree = resvg::usvg::Tree::from_str(svg, &options).map_err(|e| e.to_string())?;
    let size = tree
        .size()
        .to_int_size()
        .scale_by(scale)
        .ok_or("tom graf")?;
    let mut pixmap =
        resvg::tiny_skia::Pixmap::new(size.width(), size.height()).ok_or("tom graf")?;
    resvg::render(
        &tree,
        resvg::tiny_skia::Transform::from_scale(scale, scale),
        &mut pixmap.as_mut(),
    );
    pixmap.encode_png().map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::{line_chart_provisional, month_axis, LABEL_WIDTH};
    use kadence_core::date::Day;

    /// The timeline's labels never overlap: for courses of a few weeks to five years, starting at a
    /// month's first day, its last, and 29 February, each label's box (centred on its tick) is
    /// apart from the next one's.
    #[test]
    fn timeline_axis_labels_never_overlap() {
        let width = 728.0;
        for start in [
            Day::ymd(2025, 6, 1),
            Day::ymd(2025, 6, 30),
            Day::ymd(2024, 2, 29),
            Day::ymd(2026, 12, 31),
        ] {
            for days in [30, 45, 90, 183, 365, 548, 730, 1100, 1826] {
                let end = start.add_days(days);
                let labels = month_axis(start, end, width);
                assert!(!labels.is_empty(), "{start:?} +{days}: some labels");
                let x = |d: Day| width * f64::from(start.days_until(d)) / f64::from(days);
                for pair in labels.windows(2) {
                    let gap = x(pair[1].day) - x(pair[0].day);
                    assert!(
                        gap >= LABEL_WIDTH,
                        "{start:?} +{days}: {:?} and {:?} {gap:.1} apart",
                        pair[0].day,
                        pair[1].day
                    );
                }
                // Every label within the course, the first with its year, and every January too.
                assert!(labels.iter().all(|l| l.day >= start && l.day <= end));
                assert!(labels[0].year.is_some());
                assert!(labels.iter().all(|l| l.month != "jan." || l.year.is_some()));
            }
        }
        // Short courses: every month; long ones: fewer, from January.
        let few = month_axis(Day::ymd(2025, 6, 1), Day::ymd(2025, 11, 30), width);
        assert_eq!(
            few.iter().map(|l| l.month).collect::<Vec<_>>(),
            ["juni", "juli", "aug.", "sep.", "okt.", "nov."]
        );
        assert_eq!(few[0].year, Some(2025));
        assert_eq!(few[1].year, None);
        let many = month_axis(Day::ymd(2022, 3, 10), Day::ymd(2027, 3, 10), width);
        assert!(
            many.iter().all(|l| ["jan.", "juli"].contains(&l.month))
                || many.iter().all(|l| l.month == "jan.")
        );
    }

    fn months(n: usize) -> Vec<(String, Option<f64>)> {
        const M: [&str; 12] = [
            "jan.", "feb.", "mar.", "apr.", "maj", "juni", "juli", "aug.", "sep.", "okt.", "nov.",
            "dec.",
        ];
        (0..n)
            .map(|i| (format!("{} {}", M[i % 12], 2024 + i / 12), Some(0.5)))
            .collect()
    }

    #[test]
    fn the_provisional_month_is_drawn_apart() {
        let svg = line_chart_provisional("t", &months(12), Some(0.8), Some(11));
        // One solid line over the eleven complete months, a dotted one from the 11th to the 12th.
        assert_eq!(svg.matches("<polyline").count(), 2);
        assert_eq!(svg.matches(r#"stroke-dasharray="2 4""#).count(), 1);
        assert_eq!(
            svg.matches(r##"fill="#ffffff""##).count(),
            1,
            "one open circle"
        );
        assert!(svg.contains("dec. 2024: 50,0 % (foreløbig)"));
        assert_eq!(
            svg.matches("(foreløbig)").count(),
            2,
            "in the description and the mark"
        );
        // Without a provisional month: one line, no open circle.
        let svg = line_chart_provisional("t", &months(12), None, None);
        assert_eq!(svg.matches("<polyline").count(), 1);
        assert!(!svg.contains("foreløbig"));
    }

    #[test]
    fn month_labels_never_crowd() {
        for n in [1, 6, 12, 13, 24, 36, 60] {
            let svg = line_chart_provisional("t", &months(n), None, None);
            let labels = svg.matches("<tspan").count();
            assert!(labels <= 12, "{n} months: {labels} labels");
            assert!(labels >= n.min(12) / 2, "{n} months: {labels} labels");
            // The newest month is always labelled, its year on a line of its own.
            let last = &months(n)[n - 1].0;
            let (m, y) = last.rsplit_once(' ').unwrap();
            assert!(svg.contains(&format!(">{m}<tspan")), "{n}: {m}");
            assert!(svg.contains(&format!(r#"dy="12">{y}</tspan>"#)));
        }
    }
}
