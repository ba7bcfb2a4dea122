//! Reconciliation: why two definitions of the same measure give different figures.
//!
//! [`reconcile`] computes a measure under two definitions and lists, course by course, every course
//! that counts differently (in one population and not the other, in a different month, or in the
//! numerator under one and not the other), each with the [`Reason`]s that explain it: a different
//! clock start (with both dates), standby handled differently, a different half-year reading. A course
//! that differs always gets at least one reason; a test holds this over generated populations.

use serde::Serialize;

use crate::date::{Day, Month};
use crate::exemption::{exemption, Relief};
use crate::measures::{compute, Definition, ExemptTreatment, MeasureKind, MeasureResult, Member};
use crate::model::{CourseId, Population};
use crate::rules::RuleBook;
use crate::settings::{HalfYear, StandbyHandling};

/// One reason a course counts differently.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub enum Reason {
    /// The clocks start on different days (first day of absence vs benefit start).
    ClockStart { a: Day, b: Day },
    /// Standby is handled differently and the course has standby in the window.
    Standby {
        a: StandbyHandling,
        b: StandbyHandling,
        first_standby: Day,
    },
    /// The half-year readings give different window ends.
    HalfYearReading { a: HalfYear, b: HalfYear },
    /// The definitions treat courses relieved by the 2026 § 13 f exemption differently, and this
    /// course is one (exempt from `from`; how it stands as of the as-of date in `relief`).
    Exemption13f {
        a: ExemptTreatment,
        b: ExemptTreatment,
        from: Day,
        relief: Relief,
    },
    /// One definition counts conversations by registration, the other by the day held, and
    /// `late` conversations in the course's window were held by the as-of date but registered
    /// after it (registreret for sent); `held` and `registered` are those of the latest
    /// registered, so the days of lag are `held.days_until(registered)`.
    RegisteredLate {
        late: u16,
        held: Day,
        registered: Day,
    },
}

/// How a difference affects the figures.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum Effect {
    /// In the numerator under one definition and not under the other: changes the share.
    Numerator,
    /// Measured under one definition only: changes the population.
    Population,
    /// Measured under both, equally, but in different months: changes only the monthly split.
    MonthOnly,
}

/// A course that counts differently under the two definitions.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Difference {
    pub course: CourseId,
    pub a: Option<Member>,
    pub b: Option<Member>,
    pub reasons: Vec<Reason>,
}

/// Both results and the differences.
#[derive(Clone, Debug, Serialize)]
pub struct Reconciliation {
    pub a: MeasureResult,
    pub b: MeasureResult,
    pub differences: Vec<Difference>,
}

/// Compares `kind` under definitions `a` and `b` for the months `from..=to`.
#[allow(clippy::too_many_arguments)]
pub fn reconcile(
    pop: &Population,
    book: &RuleBook,
    kind: MeasureKind,
    a: &Definition,
    b: &Definition,
    from: Month,
    to: Month,
    as_of: Day,
) -> Reconciliation {
    let ra = compute(pop, book, kind, a, from, to, as_of);
    let rb = compute(pop, book, kind, b, from, to, as_of);
    // Focus target 2 counts a course once per month end; the others once per course. Members come out
    // of `compute` ordered by course (and month), so the two lists are merged in one pass.
    let per_month = kind == MeasureKind::FocusTarget2;
    let key = |m: &Member| (m.course, if per_month { Some(m.month) } else { None });
    let (xs, ys) = (&ra.members, &rb.members);
    let (mut i, mut j) = (0, 0);
    let mut differences = Vec::new();
    while i < xs.len() || j < ys.len() {
        let (x, y) = match (xs.get(i), ys.get(j)) {
            (Some(x), Some(y)) if key(x) == key(y) => (Some(*x), Some(*y)),
            (Some(x), Some(y)) if key(x) < key(y) => (Some(*x), None),
            (Some(_), Some(y)) => (None, Some(*y)),
            (Some(x), None) => (Some(*x), None),
            (None, y) => (None, y.copied()),
        };
        i += usize::from(x.is_some());
        j += usize::from(y.is_some());
        if x.map(|m| (m.month, m.in_numerator)) != y.map(|m| (m.month, m.in_numerator)) {
            let course = x.or(y).map_or(CourseId::new(0), |m| m.course);
            differences.push(Difference {
                course,
                a: x,
                b: y,
                reasons: reasons(pop, book, course, a, b, x, y, as_of),
            });
        }
    }
    Reconciliation {
        a: ra,
        b: rb,
        differences,
    }
}

#[allow(clippy::too_many_arguments)]
fn reasons(
    pop: &Population,
    book: &RuleBook,
    course: CourseId,
    a: &Definition,
    b: &Definition,
    x: Option<Member>,
    y: Option<Member>,
    as_of: Day,
) -> Vec<Reason> {
    let f = pop.facts(course);
    let c = f.course;
    let mut out = Vec::new();
    let (sa, sb) = (a.start(c), b.start(c));
    if sa != sb {
        out.push(Reason::ClockStart { a: sa, b: sb });
    }
    if a.standby != b.standby {
        let lo = sa.min(sb);
        let hi = [x, y]
            .iter()
            .flatten()
            .map(|m| m.window.1)
            .max()
            .unwrap_or(lo)
            .max(a.half_year.window_end(sa.max(sb), 6));
        if let Some(s) = f
            .standby
            .iter()
            .find(|s| s.start <= hi && s.end.is_none_or(|e| e >= lo))
        {
            out.push(Reason::Standby {
                a: a.standby,
                b: b.standby,
                first_standby: s.start,
            });
        }
    }
    if a.half_year != b.half_year && a.half_year.window_end(sa, 6) != b.half_year.window_end(sa, 6)
    {
        out.push(Reason::HalfYearReading {
            a: a.half_year,
            b: b.half_year,
        });
    }
    if a.reading != b.reading {
        let (lo, hi) = [x, y]
            .into_iter()
            .flatten()
            .map(|m| m.window)
            .reduce(|(lo, hi), (s, e)| (lo.min(s), hi.max(e)))
            .unwrap_or((as_of, as_of));
        let late: Vec<_> = f
            .conversations
            .iter()
            .filter(|c| c.held && c.date >= lo && c.date <= hi.min(as_of))
            .filter_map(|c| c.registered.filter(|r| *r > as_of).map(|r| (r, c.date)))
            .collect();
        if let Some((registered, held)) = late.iter().max().copied() {
            out.push(Reason::RegisteredLate {
                late: late.len() as u16,
                held,
                registered,
            });
        }
    }
    if a.exempt != b.exempt {
        if let Some(ex) = exemption(c, book, as_of).filter(|e| !e.never()) {
            let relief = ex.relief(book.params().after_exemption);
            out.push(Reason::Exemption13f {
                a: a.exempt,
                b: b.exempt,
                from: ex.from,
                relief,
            });
        }
    }
    out
}

impl Difference {
    pub fn effect(&self) -> Effect {
        match (self.a, self.b) {
            (Some(x), Some(y)) if x.in_numerator == y.in_numerator => Effect::MonthOnly,
            (Some(_), Some(_)) => Effect::Numerator,
            _ => Effect::Population,
        }
    }

    /// One Danish sentence per difference, for lists and reports.
    pub fn explain(&self, a: &Definition, b: &Definition) -> String {
        let side = |m: Option<Member>| match m {
            None => "tælles ikke med".to_string(),
            Some(m) => format!(
                "tælles i {} {} ({} i {}–{})",
                m.month,
                if m.in_numerator {
                    "i tælleren"
                } else {
                    "uden for tælleren"
                },
                crate::dk::count(u64::from(m.counted), "samtale", "samtaler"),
                m.window.0.dk(),
                m.window.1.dk()
            ),
        };
        let why: Vec<String> = self
            .reasons
            .iter()
            .map(|r| match r {
                Reason::ClockStart { a: da, b: db } => format!(
                    "uret starter {} under «{}» men {} under «{}»",
                    da.dk(),
                    a.name,
                    db.dk(),
                    b.name
                ),
                Reason::Standby { first_standby, .. } => format!(
                    "standby fra {} behandles forskelligt ({} / {})",
                    first_standby.dk(),
                    standby_word(a.standby),
                    standby_word(b.standby)
                ),
                Reason::HalfYearReading { .. } => {
                    "halvåret læses forskelligt (kalendermåneder / 182 dage)".to_string()
                }
                Reason::Exemption13f { from, relief, .. } => format!(
                    "§ 13 f: borgeren er fritaget for opfølgning fra {}{} og behandles forskelligt ({} / {})",
                    from.dk(),
                    match relief {
                        Relief::AsAgreed => ", og fritagelsen ophørte efter § 13 f, stk. 3",
                        Relief::Restored => ", men fritagelsen ophørte efter anmodning eller beslutning",
                        _ => "",
                    },
                    exempt_word(a.exempt),
                    exempt_word(b.exempt)
                ),
                Reason::RegisteredLate {
                    late,
                    held,
                    registered,
                } => format!(
                    "registreret for sent: {} holdt inden opgørelsesdagen blev registreret efter den (senest holdt {}, registreret {}, {} efter)",
                    crate::dk::count(u64::from(*late), "samtale", "samtaler"),
                    held.dk(),
                    registered.dk(),
                    crate::dk::days(i64::from(held.days_until(*registered)))
                ),
            })
            .collect();
        format!(
            "«{}»: {}; «{}»: {}. Årsag: {}.",
            a.name,
            side(self.a),
            b.name,
            side(self.b),
            if why.is_empty() {
                "ukendt".to_string()
            } else {
                why.join("; ")
            }
        )
    }
}

fn exempt_word(e: ExemptTreatment) -> &'static str {
    match e {
        ExemptTreatment::CountAsUsual => "tæller med",
        ExemptTreatment::Exclude => "udeladt",
    }
}

fn standby_word(h: StandbyHandling) -> &'static str {
    match h {
        StandbyHandling::Exclude => "udeladt",
        StandbyHandling::PauseClock => "uret står stille",
        StandbyHandling::CountAsUsual => "tæller med",
    }
}
