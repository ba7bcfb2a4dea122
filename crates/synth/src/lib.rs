//! # kadence-synth
//!
//! Seeded, deterministic synthetic municipalities: realistic enough to exercise every rule and measure,
//! obviously fictitious (every CPR number fails the modulus-11 check with a birth date before 2007,
//! see [`kadence_core::cpr::Cpr::synthetic`]; every municipality is called "Syntetisk Kommune").
//!
//! The same [`Params`] always give the same [`Population`], on every machine: the generator uses its own
//! small PRNG ([`Rng`], SplitMix64) rather than a crate whose stream could change between versions.
//!
//! What it models (`shared/domain/README.md` §7-8): employed, unemployed and self-employed citizens with
//! their employer period before the benefit start; visitation categories and re-visitation; early
//! requests (some employer requests after the 5-week window); standby periods (open and closed; about
//! half still contacted, as STAR's 2023 audit found); durations from weeks to years; caseworkers with
//! habits (diligence, lateness, and whether they plan from the benefit start instead of the first day
//! of absence, the Vesthimmerland error); doctors late by days to months; transitions to job
//! clarification with rehabilitation-team meetings, some without LÆ 265; § 13 f markings from 2025;
//! the 2026 § 13 f expectation (fit within 26 weeks), requests, decisions and unemployment that end
//! it; from 2027 the reduced rate instead of job clarification.
//! Facts after the export date (`as_of`) are not generated.

pub mod jobindsats;
pub mod scratch;
pub use scratch::scratch;

use kadence_core::cpr::Cpr;
use kadence_core::date::Day;
use kadence_core::model::*;

/// SplitMix64: tiny, fast, and stable forever.
#[derive(Clone, Debug)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed ^ 0x5EED_CAFE_F00D_D00D)
    }
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in `[0, 1)`.
    pub fn f(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
    /// Uniform integer in `lo..=hi`.
    pub fn range(&mut self, lo: i32, hi: i32) -> i32 {
        if hi <= lo {
            return lo;
        }
        lo + (self.next_u64() % (hi - lo + 1) as u64) as i32
    }
    pub fn chance(&mut self, p: f64) -> bool {
        self.f() < p
    }
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[(self.next_u64() % items.len() as u64) as usize]
    }
}

/// How the municipality works: the habits behind its figures.
#[derive(Clone, Debug, PartialEq)]
pub struct Practice {
    /// Share of caseworkers who plan conversations from the benefit start (KSD) instead of day 1.
    pub ksd_planners: f64,
    /// Range of caseworkers' diligence: the chance that a planned conversation is held at all.
    pub diligence: (f64, f64),
    /// Range of caseworkers' typical lateness in days.
    pub lateness: (f64, f64),
    /// Share of longer courses with a standby period.
    pub standby_share: f64,
    /// Chance that a standby citizen is contacted anyway (STAR's 2023 audit: about half).
    pub standby_contacted: f64,
    /// Share of rehabilitation-team meetings without LÆ 265.
    pub missing_lae265: f64,
    /// Planned days (from the caseworker's clock start) of the four first-half-year conversations.
    pub plan: [i32; 4],
    /// Days between conversations after the first half-year (range).
    pub later_spacing: (i32, i32),
    /// Range of caseworkers' share of conversations registered after the day held (most register
    /// on the day; of the late ones most within a week, a few weeks later).
    pub late_registration: (f64, f64),
}

impl Default for Practice {
    fn default() -> Self {
        Practice {
            ksd_planners: 0.15,
            diligence: (0.90, 0.99),
            lateness: (0.0, 18.0),
            standby_share: 0.07,
            standby_contacted: 0.5,
            missing_lae265: 0.08,
            plan: [38, 78, 118, 152],
            later_spacing: (50, 110),
            late_registration: (0.02, 0.30),
        }
    }
}

/// What to generate.
#[derive(Clone, Debug, PartialEq)]
pub struct Params {
    pub seed: u64,
    pub municipalities: u32,
    /// New sickness courses per municipality per year.
    pub courses_per_year: u32,
    /// First days of absence fall in `from..=to`.
    pub from: Day,
    pub to: Day,
    /// The export date: nothing after it is known.
    pub as_of: Day,
    pub practice: Practice,
}

impl Params {
    /// One municipality the size of Vesthimmerland or Hedensted (~3,000 courses a year), two years up
    /// to `as_of`.
    pub fn municipality(seed: u64, as_of: Day) -> Params {
        Params {
            seed,
            municipalities: 1,
            courses_per_year: 3000,
            from: as_of.add_months(-24),
            to: as_of,
            as_of,
            practice: Practice::default(),
        }
    }

    /// The Vesthimmerland case of 2021-22: every caseworker plans from the benefit start, standby
    /// courses are common, and the export is taken at the end of April 2022.
    pub fn vesthimmerland_2021(seed: u64) -> Params {
        Params {
            seed,
            municipalities: 1,
            courses_per_year: 3000,
            from: Day::ymd(2020, 5, 1),
            to: Day::ymd(2022, 4, 30),
            as_of: Day::ymd(2022, 4, 30),
            practice: Practice {
                ksd_planners: 1.0,
                diligence: (0.93, 0.99),
                lateness: (0.0, 8.0),
                standby_share: 0.12,
                standby_contacted: 0.3,
                // Planned from the benefit start with some margin: fits from KSD, not from day 1.
                plan: [38, 75, 110, 140],
                ..Practice::default()
            },
        }
    }

    /// The whole country over ten years: 98 municipalities, ~3 million courses, ~15 million
    /// conversations.
    pub fn national(seed: u64, as_of: Day) -> Params {
        Params {
            seed,
            municipalities: 98,
            courses_per_year: 2950,
            from: as_of.add_months(-120),
            to: as_of,
            as_of,
            // Long courses are followed more closely across the country than in the default
            // municipality: about 5 conversations a course, as in the national figures.
            practice: Practice {
                later_spacing: (14, 30),
                ..Practice::default()
            },
        }
    }

    /// Scales the number of courses per year (e.g. for quick tests).
    #[must_use]
    pub fn with_courses_per_year(mut self, n: u32) -> Params {
        self.courses_per_year = n;
        self
    }
}

const FIRST_NAMES: &[&str] = &[
    "Anne",
    "Mette",
    "Hanne",
    "Susanne",
    "Lene",
    "Kirsten",
    "Camilla",
    "Louise",
    "Maria",
    "Sofie",
    "Ida",
    "Emma",
    "Freja",
    "Karen",
    "Birgitte",
    "Tina",
    "Jens",
    "Peter",
    "Lars",
    "Michael",
    "Henrik",
    "Søren",
    "Thomas",
    "Jesper",
    "Niels",
    "Morten",
    "Rasmus",
    "Anders",
    "Mads",
    "Frederik",
    "Mikkel",
    "Kasper",
    "Jørgen",
    "Ole",
    "Bo",
    "Åse",
    "Ærenlund",
    "Øjvind",
];
const LAST_NAMES: &[&str] = &[
    "Nielsen",
    "Jensen",
    "Hansen",
    "Pedersen",
    "Andersen",
    "Christensen",
    "Larsen",
    "Sørensen",
    "Rasmussen",
    "Jørgensen",
    "Petersen",
    "Madsen",
    "Kristensen",
    "Olsen",
    "Thomsen",
    "Christiansen",
    "Poulsen",
    "Johansen",
    "Møller",
    "Mortensen",
    "Østergaard",
    "Aagaard",
    "Kjær",
    "Lund",
    "Bach",
    "Dahl",
    "Holm",
    "Skov",
    "Vestergaard",
    "Bæk",
];
const TEAM_NAMES: &[&str] = &[
    "Nord",
    "Syd",
    "Øst",
    "Vest",
    "Midt",
    "Jobafklaring",
    "Fastholdelse",
];

struct Worker {
    id: CaseworkerId,
    diligence: f64,
    lateness: f64,
    ksd: bool,
    /// Share of this caseworker's conversations registered after the day held.
    late_registration: f64,
}

/// When a conversation held on `date` is registered: drawn from a stream of its own (per course),
/// so the held conversations and every figure by the day held stay as they were before
/// registration dates existed. `None` when the registration falls after the export: the case
/// system does not hold the conversation yet, so the export leaves it out.
fn registered(rng: &mut Rng, worker: &Worker, date: Day, as_of: Day) -> Option<Day> {
    let lag = if rng.chance(worker.late_registration) {
        if rng.chance(0.8) {
            rng.range(1, 7)
        } else {
            rng.range(8, 30)
        }
    } else {
        0
    };
    known(date.add_days(lag), as_of)
}

/// Generates a population. Deterministic in `params`.
pub fn generate(p: &Params) -> Population {
    let mut b = PopulationBuilder::new();
    let mut rng = Rng::new(p.seed);
    let span = p.from.days_until(p.to).max(0) + 1;
    let years = f64::from(span) / 365.25;
    let per_muni = (f64::from(p.courses_per_year) * years).round() as u32;
    let mut course_seq = 0u64;
    // The caseworkers' registration habits come from a stream of their own, so everything drawn
    // before registration dates existed stays as it was.
    let mut habits = Rng::new(p.seed ^ 0x5e61_57e5);
    for m in 0..p.municipalities {
        let muni = if p.municipalities == 1 {
            "Syntetisk Kommune".to_string()
        } else {
            format!("Syntetisk Kommune {:02}", m + 1)
        };
        let n_workers = (p.courses_per_year as usize).div_ceil(115).max(2);
        let n_teams = n_workers.div_ceil(8).clamp(1, TEAM_NAMES.len());
        let teams: Vec<TeamId> = (0..n_teams)
            .map(|t| {
                b.add_team(Team {
                    key: format!("K{:02}-T{}", m + 1, t + 1),
                    name: format!("{muni} · Team {}", TEAM_NAMES[t]),
                })
            })
            .collect();
        let workers: Vec<Worker> = (0..n_workers)
            .map(|w| {
                let name = format!("{} {}", rng.pick(FIRST_NAMES), rng.pick(LAST_NAMES));
                let id = b.add_caseworker(Caseworker {
                    key: format!("K{:02}-S{:03}", m + 1, w + 1),
                    name,
                    team: teams[w % n_teams],
                });
                let pr = &p.practice;
                let (lo, hi) = pr.late_registration;
                Worker {
                    id,
                    diligence: pr.diligence.0 + rng.f() * (pr.diligence.1 - pr.diligence.0),
                    lateness: pr.lateness.0 + rng.f() * (pr.lateness.1 - pr.lateness.0),
                    ksd: rng.chance(pr.ksd_planners),
                    late_registration: lo + habits.f() * (hi - lo),
                }
            })
            .collect();
        for _ in 0..per_muni {
            course_seq += 1;
            let fa = p.from.add_days(rng.range(0, span - 1));
            one_course(&mut b, &mut rng, p, &workers, fa, m, course_seq);
        }
    }
    b.build().0
}

fn name(rng: &mut Rng) -> String {
    let mut s = String::with_capacity(24);
    s.push_str(rng.pick::<&str>(FIRST_NAMES));
    s.push(' ');
    s.push_str(rng.pick::<&str>(LAST_NAMES));
    s
}

fn known(d: Day, as_of: Day) -> Option<Day> {
    (d <= as_of).then_some(d)
}

/// The reform's facts of one sickness course, and the days it is exempt as the generator planned it
/// (the caseworkers of an exempt course hold no conversations then, most of the time).
struct Reform {
    facts: ReformFacts,
    exempt: Option<(Day, Day)>,
    skip_while_exempt: bool,
}

/// Employed citizens expected back within 26 weeks get the 2026 § 13 f expectation recorded (most
/// are back in time; some are not, the "2026 trap" of the domain brief); a few ask for follow-up, are
/// called in by the municipality or become unemployed. From 2027 a course that would have gone on to
/// job clarification continues at the reduced rate.
fn reform_facts(
    p: &Params,
    seq: u64,
    fa: Day,
    group: TargetGroup,
    duration: i32,
    sick_last: Day,
    reduced_rate: Option<Day>,
) -> Reform {
    let as_of = p.as_of;
    let start = Day::ymd(2026, 7, 1);
    let mut out = Reform {
        facts: ReformFacts::default(),
        exempt: None,
        skip_while_exempt: false,
    };
    let mut rng = Rng::new(p.seed ^ seq.wrapping_mul(0x2545_F491_4F6C_DD1D) ^ 0x1750_2025);
    let until = fa.add_days(181);
    if group == TargetGroup::Employed && sick_last >= start && fa.add_days(40) <= until {
        let expected_short = duration <= 182;
        if rng.chance(if expected_short { 0.55 } else { 0.2 }) {
            let recorded = fa.add_days(rng.range(3, 21));
            if let Some(recorded) = known(recorded, as_of).filter(|d| *d <= sick_last) {
                out.facts.fit_within_26_weeks = Some(recorded);
                let from = recorded.max(start);
                let mut to = until.min(sick_last);
                let end_at = |d: Day, to: &mut Day| {
                    let d = known(d, as_of).filter(|d| *d <= sick_last && *d >= recorded)?;
                    *to = (*to).min(d.add_days(-1));
                    Some(d)
                };
                let u = rng.f();
                let when = fa.add_days(rng.range(25, 150));
                if u < 0.06 {
                    let by = if rng.chance(0.5) {
                        Requester::Citizen
                    } else {
                        Requester::Employer
                    };
                    if let Some(date) = end_at(when, &mut to) {
                        out.facts.follow_up_asked = Some(FollowUpAsked { by, date });
                    }
                } else if u < 0.09 {
                    out.facts.municipality_decided = end_at(when, &mut to);
                } else if u < 0.14 {
                    out.facts.unemployed_on = end_at(when, &mut to);
                }
                out.exempt = (from <= to).then_some((from, to));
                out.skip_while_exempt = rng.chance(0.9);
            }
        }
    }
    out.facts.reduced_rate_from = reduced_rate.and_then(|t| known(t, as_of));
    out
}

fn one_course(
    b: &mut PopulationBuilder,
    rng: &mut Rng,
    p: &Params,
    workers: &[Worker],
    fa: Day,
    muni: u32,
    seq: u64,
) {
    let as_of = p.as_of;
    let birth = Day::ymd(1958, 1, 1).add_days(rng.range(0, 46 * 365));
    let citizen = b.add_citizen(Citizen {
        cpr: Cpr::synthetic(birth, (seq % 10_000) as u16),
        name: name(rng).into(),
    });
    let r = rng.f();
    let (group, lag) = if r < 0.68 {
        (TargetGroup::Employed, 30)
    } else if r < 0.95 {
        (TargetGroup::Unemployed, 14)
    } else {
        (TargetGroup::SelfEmployed, 14)
    };
    let benefit_start = fa.add_days(lag);
    let u = rng.f();
    let duration = if u < 0.30 {
        rng.range(lag + 5, 56)
    } else if u < 0.58 {
        rng.range(57, 182)
    } else if u < 0.84 {
        rng.range(183, 365)
    } else if u < 0.97 {
        rng.range(366, 730)
    } else {
        rng.range(731, 1400)
    }
    .max(lag + 5);
    let last = fa.add_days(duration - 1);
    let worker = rng.pick(workers);
    let caseworker = (!rng.chance(0.03)).then_some(worker.id);

    // Transition to job clarification for some long courses.
    let transition = (duration > 300 && rng.chance(0.35)).then(|| fa.add_days(rng.range(154, 300)));
    // From 2027 (planned) there is no job clarification: the course continues at the reduced rate.
    let reduced_rate = transition.filter(|t| *t >= Day::ymd(2027, 1, 1));
    let transition = transition.filter(|_| reduced_rate.is_none());
    let sick_last = transition.map_or(last, |t| t.add_days(-1));
    let end = known(sick_last, as_of).map(|d| CourseEnd {
        date: d,
        reason: if transition.is_some() {
            EndReason::TransitionToJobClarification
        } else if duration > 700 {
            EndReason::BenefitExhausted
        } else if rng.chance(0.04) {
            EndReason::Moved
        } else {
            EndReason::BackToWork
        },
    });

    let y2025 = Day::ymd(2025, 1, 1);
    let short = duration <= 56;
    let first_cat = if short && rng.chance(0.7) {
        Category::One
    } else if fa < y2025 && rng.chance(0.15) {
        Category::Three
    } else {
        Category::Two
    };
    let mut visitation = Some(Visitation {
        category: first_cat,
        set_on: benefit_start.add_days(rng.range(0, 21)),
    });
    if first_cat == Category::One && duration > 56 && rng.chance(0.6) {
        visitation = Some(Visitation {
            category: Category::Two,
            set_on: fa.add_days(rng.range(56, 86)),
        });
    }
    let visitation = visitation.filter(|v| v.set_on <= as_of);
    let early_request = if rng.chance(0.08) {
        let (by, date) = if group == TargetGroup::Employed && rng.chance(0.6) {
            (Requester::Employer, fa.add_days(rng.range(5, 42)))
        } else {
            (Requester::Citizen, fa.add_days(rng.range(7, 50)))
        };
        known(date, as_of).map(|date| EarlyRequest { by, date })
    } else {
        None
    };

    let sick = b.add_course(Course {
        key: format!("K{:02}-SDP-{seq:07}", muni + 1).into(),
        citizen,
        kind: CourseKind::SicknessBenefit,
        first_absence: fa,
        benefit_start,
        transition: None,
        from_course: None,
        target_group: group,
        visitation,
        early_request,
        predictable: None,
        reform: Default::default(),
        end,
        caseworker,
    });

    // Standby.
    let mut standby: Option<(Day, Option<Day>)> = None;
    if duration > 90 && rng.chance(p.practice.standby_share) {
        let start = fa.add_days(rng.range(20, 100));
        let sb_end = if rng.chance(0.5) {
            None
        } else {
            Some(start.add_days(rng.range(30, 150)))
        };
        if start <= sick_last.min(as_of) {
            let sb_end = sb_end.filter(|e| *e < sick_last && *e <= as_of);
            standby = Some((start, sb_end));
            b.standby.push(StandbyPeriod {
                course: sick,
                start,
                end: sb_end,
                registered: None,
            });
        }
    }
    let in_standby = |d: Day| standby.is_some_and(|(s, e)| d >= s && e.is_none_or(|e| d <= e));

    // The 2026 § 13 f (lov 1750/2025) and the 2027 reduced rate. Drawn from a stream of their own,
    // so that courses and presets from before the reform come out exactly as before.
    let reform = reform_facts(p, seq, fa, group, duration, sick_last, reduced_rate);
    b.courses[sick.index()].reform = reform.facts.boxed();
    let exempt_on = |d: Day| reform.exempt.is_some_and(|(from, to)| d >= from && d <= to);

    // Conversations, each with the day it was registered (a stream of its own, see `registered`).
    let mut reg_rng = Rng::new(p.seed ^ seq.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ 0x5e61_57e5);
    let mut reg = |date: Day| registered(&mut reg_rng, worker, date, as_of);
    let base = if worker.ksd { benefit_start } else { fa };
    let plan = p.practice.plan;
    let mut first_held: Option<Day> = None;
    let mut plan_days: Vec<i32> = plan.iter().map(|d| d + rng.range(-12, 4)).collect();
    let mut next = 172 + rng.range(40, 80);
    while next < duration {
        plan_days.push(next);
        next += rng.range(p.practice.later_spacing.0, p.practice.later_spacing.1);
    }
    if let Some(req) = early_request {
        plan_days[0] = plan_days[0].min(base.days_until(req.date) + rng.range(5, 16));
    }
    for (i, pd) in plan_days.iter().enumerate() {
        if !rng.chance(worker.diligence) {
            continue;
        }
        let delay = (rng.f() * rng.f() * 2.0 * worker.lateness) as i32 - rng.range(0, 4);
        let date = base.add_days(pd + delay).max(fa.add_days(7));
        if date > sick_last || date > as_of {
            // The next conversation of a course still running at the export is booked when it is
            // due within five weeks ("Planlagt"). No draw from the generator, so every preset's
            // held conversations and figures stay as they were.
            if date > as_of && date <= sick_last && date <= as_of.add_days(35) {
                b.conversations.push((
                    sick,
                    Conversation {
                        planned: true,
                        ..conversation(date, ConversationForm::InPerson, false, caseworker)
                    },
                ));
            }
            break;
        }
        if in_standby(date) && !rng.chance(p.practice.standby_contacted) {
            continue;
        }
        if exempt_on(date) && reform.skip_while_exempt {
            continue; // § 13 f (2026): the municipality does not follow up
        }
        let date = if rng.chance(0.05) {
            if let Some(r) = reg(date) {
                b.conversations.push((
                    sick,
                    Conversation {
                        registered: Some(r),
                        ..conversation(date, ConversationForm::InPerson, false, caseworker)
                    },
                ));
            }
            let d2 = date.add_days(rng.range(5, 14));
            if d2 > sick_last || d2 > as_of {
                break;
            }
            d2
        } else {
            date
        };
        let form = if i == 0 || fa.year() < 2020 || rng.chance(0.6) {
            ConversationForm::InPerson
        } else if rng.chance(0.8) {
            ConversationForm::Phone
        } else {
            ConversationForm::Video
        };
        first_held.get_or_insert(date);
        if let Some(r) = reg(date) {
            b.conversations.push((
                sick,
                Conversation {
                    registered: Some(r),
                    ..conversation(date, form, true, caseworker)
                },
            ));
        }
    }

    // § 13 f from 2025: employed, predictable, marked at the first conversation.
    if fa >= y2025 && group == TargetGroup::Employed && duration < 150 && rng.chance(0.15) {
        if let Some(first) = first_held {
            let lapsed = rng
                .chance(0.05)
                .then(|| first.add_days(rng.range(10, 60)))
                .and_then(|d| known(d, as_of));
            b.courses[sick.index()].predictable = Some(Predictable {
                marked_on: first,
                lapsed_on: lapsed,
            });
        }
    }

    // LÆ 285 for longer courses.
    if !short && rng.chance(0.7) {
        let sent = benefit_start.add_days(rng.range(0, 14));
        medical(b, rng, sick, MedicalForm::Lae285, sent, as_of);
    }

    // Job clarification.
    if let Some(t) = transition.filter(|t| *t <= as_of) {
        let jc_duration = rng.range(90, 730);
        let jc_last = t.add_days(jc_duration);
        let jc = b.add_course(Course {
            key: format!("K{:02}-JAF-{seq:07}", muni + 1).into(),
            citizen,
            kind: CourseKind::JobClarification,
            first_absence: fa,
            benefit_start: t,
            transition: Some(t),
            from_course: Some(sick),
            target_group: group,
            visitation: None,
            early_request: None,
            predictable: None,
            reform: Default::default(),
            end: known(jc_last, as_of).map(|d| CourseEnd {
                date: d,
                reason: EndReason::Other,
            }),
            caseworker,
        });
        for (i, pd) in [25, 65, 110, 165, 230, 300, 380, 460, 540, 620, 700]
            .iter()
            .enumerate()
        {
            if !rng.chance(worker.diligence) {
                continue;
            }
            let date = t.add_days(pd + (rng.f() * worker.lateness) as i32 - rng.range(0, 10));
            if date > jc_last || date > as_of {
                break;
            }
            let form = if i == 0 {
                ConversationForm::InPerson
            } else {
                ConversationForm::Phone
            };
            if let Some(r) = reg(date) {
                b.conversations.push((
                    jc,
                    Conversation {
                        registered: Some(r),
                        ..conversation(date, form, true, caseworker)
                    },
                ));
            }
        }
        if rng.chance(0.85) {
            let meeting = t.add_days(rng.range(14, 60));
            if meeting <= as_of.add_days(30) && meeting <= jc_last {
                let basis = if rng.chance(p.practice.missing_lae265) {
                    Lae265Basis::Missing
                } else if rng.chance(0.07) {
                    if meeting < y2025 {
                        Lae265Basis::Lae285Exception
                    } else {
                        Lae265Basis::SufficientlyInformed
                    }
                } else {
                    let sent = meeting.add_days(-rng.range(25, 40));
                    medical(b, rng, jc, MedicalForm::Lae265, sent, as_of);
                    Lae265Basis::Present
                };
                b.rehab.push(RehabMeeting {
                    course: jc,
                    date: meeting,
                    basis,
                });
            }
        }
    }
}

fn conversation(
    date: Day,
    form: ConversationForm,
    held: bool,
    caseworker: Option<CaseworkerId>,
) -> Conversation {
    Conversation {
        date,
        form,
        held,
        planned: false,
        caseworker,
        registered: None,
    }
}

fn medical(
    b: &mut PopulationBuilder,
    rng: &mut Rng,
    course: CourseId,
    form: MedicalForm,
    sent: Day,
    as_of: Day,
) {
    if sent > as_of {
        return;
    }
    let r = rng.f();
    let days = if r < 0.85 {
        14
    } else if r < 0.98 {
        rng.range(8, 13)
    } else {
        rng.range(5, 7)
    };
    let deadline = sent.add_days(days);
    let r = rng.f();
    let received = if r < 0.55 {
        Some(sent.add_days(rng.range(3, days)))
    } else if r < 0.85 {
        Some(deadline.add_days(rng.range(1, 20)))
    } else if r < 0.97 {
        Some(deadline.add_days(rng.range(21, 335)))
    } else {
        None
    };
    b.medical.push(MedicalRequest {
        course,
        form,
        sent,
        deadline: Some(deadline),
        received: received.and_then(|d| known(d, as_of)),
        received_registered: None,
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deterministic_and_fictitious() {
        let p = Params::municipality(7, Day::ymd(2024, 6, 30)).with_courses_per_year(400);
        let a = generate(&p);
        let b = generate(&p);
        assert_eq!(a.courses, b.courses);
        assert_eq!(a.citizens, b.citizens);
        assert!(a.citizens.iter().all(|c| c.cpr.is_synthetic()));
        assert!(a.courses.len() > 700);
        let other = generate(&Params { seed: 8, ..p });
        assert_ne!(a.courses, other.courses);
    }
}
