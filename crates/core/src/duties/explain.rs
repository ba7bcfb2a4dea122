//! The Danish title and one-sentence explanation of a duty, rendered on demand.

use super::*;

impl Duty {
    /// Why the duty is provisional, in Danish: the set and the unconfirmed facts it rests on; `None`
    /// when it is not.
    pub fn provisional_reason(&self, book: &RuleBook) -> Option<String> {
        let points = self.kind.provisional_points(book, self.rule_set);
        (!points.is_empty()).then(|| {
            format!(
                "Foreløbig: regelsæt {} er ikke bekræftet. {}.",
                self.rule_set,
                points
                    .iter()
                    .map(|p| p.text())
                    .collect::<Vec<_>>()
                    .join(". ")
            )
        })
    }

    /// Danish name of the duty, e.g. "1. samtale".
    pub fn title(&self) -> String {
        match self.kind {
            DutyKind::FirstFollowUp => "1. opfølgningssamtale".into(),
            DutyKind::Category1Revisit => "Opfølgning med revisitation (kategori 1)".into(),
            DutyKind::HalfYearFollowUps => format!("{} samtaler i første halvår", self.required),
            DutyKind::RegularFollowUp => "Opfølgning mindst hver 4. uge".into(),
            DutyKind::PredictableCheck => "§ 13 f: tjek af raskmelding".into(),
            DutyKind::MedicalStatement(_) => "Lægeattest".into(),
            DutyKind::JobClarificationFollowUps => {
                format!(
                    "{} samtaler i jobafklaringens første 6 måneder",
                    self.required
                )
            }
            DutyKind::RehabTeam => "Rehabiliteringsteam inden 4 uger".into(),
            DutyKind::Lae265BeforeRehab(_) => "LÆ 265 før rehabiliteringsteamet".into(),
            DutyKind::Exemption26 => {
                "§ 13 f: ingen opfølgning ved forventet raskmelding inden 26 uger".into()
            }
        }
    }

    /// The one-sentence Danish explanation, naming the rule set and paragraph; "foreløbig" when the
    /// rule set rests on unconfirmed facts of the law.
    pub fn explain(&self) -> String {
        let src = format!(
            "{}, regelsæt {}{}",
            self.paragraph,
            self.rule_set,
            if self.provisional { ", foreløbig" } else { "" }
        );
        let due = self.due.map(|d| d.dk().to_string()).unwrap_or_default();
        let what = self.title();
        let status = match self.status {
            Status::Met => match self.met_on {
                Some(m) => format!("opfyldt {}", m.dk()),
                None => "opfyldt".into(),
            },
            Status::MetLate => format!(
                "opfyldt for sent ({} efter fristen {due})",
                crate::dk::days(-i64::from(self.days_left.unwrap_or(0)))
            ),
            Status::Open | Status::DueSoon => match self.next_by {
                Some(n) => format!(
                    "{} af {} holdt; næste samtale senest {} ({}), halvåret slutter {due}",
                    self.counted,
                    self.required,
                    n.dk(),
                    crate::dk::days(i64::from(self.days_left.unwrap_or(0)))
                ),
                None => format!(
                    "frist {due} ({} tilbage)",
                    crate::dk::days(i64::from(self.days_left.unwrap_or(0)))
                ),
            },
            Status::Overdue => match self.next_by {
                Some(n) => format!(
                    "{} af {} holdt; næste samtale skulle have været holdt senest {} for at nå resten inden {due}",
                    self.counted,
                    self.required,
                    n.dk()
                ),
                None => format!(
                    "fristen {due} er overskredet med {}",
                    crate::dk::days(-i64::from(self.days_left.unwrap_or(0)))
                ),
            },
            Status::Missed if self.required > 1 => format!(
                "forsømt: {} af {} inden {due}, da vinduet lukkede",
                self.counted, self.required
            ),
            Status::Missed => format!("forsømt: ikke sket inden {due}"),
            Status::SuspendedByStandby => "sat i bero: borgeren er i standby".into(),
            Status::Conflict => "kan ikke afgøres, fordi data er modstridende".into(),
            Status::Exempt => match self.exemption.as_deref() {
                Some(x) => format!(
                    "fritaget: kommunen følger ikke op, så længe borgeren forventes rask senest ved udgangen af uge 26 ({})",
                    x.until.dk()
                ),
                None => "fritaget".into(),
            },
            Status::NotApplicable => "gælder ikke".into(),
        };
        let note = match self.note {
            Note::None => String::new(),
            Note::EarlyRequest(d) => format!("; fristen er 2 uger fra anmodningen om tidlig opfølgning {}", d.dk()),
            Note::EmployerRequestTooLate(d) => format!(
                "; arbejdsgiverens anmodning {} kom efter de første 5 uger og forkorter ikke fristen (§ 7 c)",
                d.dk()
            ),
            Note::CategoryNotCovered => "; kategorien er ikke omfattet".into(),
            Note::Category1WithinWeek8 => "; gælder kun, hvis fraværet passerer 8 uger".into(),
            Note::CourseEnded(d) => format!("; forløbet sluttede {}", d.dk()),
            Note::StandbyExcluded => "; standby i perioden, og indstillingen udelader sådanne forløb".into(),
            Note::StandbyPaused(0) => "; uret står stille under standby".into(),
            Note::StandbyPaused(n) => format!(
                "; fristen er rykket {} for standby",
                crate::dk::days(i64::from(n))
            ),
            Note::Predictable(d) => format!("; § 13 f-forløb: kun tjek af raskmelding senest {}", d.dk()),
            Note::PredictableLapsed(d) => format!("; § 13 f bortfaldt {}, de almindelige regler gælder", d.dk()),
            Note::PredictableNotInForce => "; § 13 f gælder først fra 1. januar 2025".into(),
            Note::AwaitingFirstConversation => "; afventer første samtale".into(),
            Note::DeadlineTooShort { given, minimum } => {
                format!(
                    "; lægens frist var {}, mindst {minimum} er tilladt",
                    crate::dk::days(i64::from(given))
                )
            }
            Note::NotInRules => "; pligten findes ikke i de gældende regler".into(),
            Note::Lae265Substitute(b) => match b {
                Lae265Basis::Lae285Exception => "; LÆ 285 i stedet for LÆ 265".into(),
                Lae265Basis::SufficientlyInformed => "; vurderet tilstrækkeligt oplyst uden LÆ 265".into(),
                Lae265Basis::Missing => "; LÆ 265 mangler".into(),
                Lae265Basis::Present => String::new(),
            },
            Note::LateIntervals(0) => String::new(),
            Note::LateIntervals(n) => format!("; {n} interval(ler) over 4 uger"),
            Note::PredictableEmployedOnly => "; § 13 f gælder kun beskæftigede, og borgeren er ikke beskæftiget".into(),
            Note::PredictableReplaced(d) => format!(
                "; § 13 f-reglen fra 2025 (13 uger efter første samtale) er afløst af lov 1750/2025 fra {}, så markeringen har ingen virkning",
                d.dk()
            ),
            Note::RehabTeamAbolished(d) => format!(
                "; kravet om rehabiliteringsteam er afskaffet fra {} (lov 1750/2025; datoen er en indstilling)",
                d.dk()
            ),
            Note::JobClarificationAbolished(d) => format!(
                "; efter reglerne oprettes der ikke nye jobafklaringsforløb fra {}; forløbet følges efter de senest gældende regler for jobafklaring",
                d.dk()
            ),
            Note::JobClarificationOldRules(d) => format!(
                "; jobafklaring er afskaffet fra {}, men forløb i gang følger de hidtidige regler til deres afslutning (indstilling)",
                d.dk()
            ),
            Note::Lae265Conflict { requested } => format!(
                "; mødet er registreret med LÆ 265, men LÆ 265 anmodet {} var ikke modtaget inden mødet",
                requested.dk()
            ),
            Note::Category1ArisesOn(d) => format!(
                "; pligten opstår først {}, når fraværet passerer 8 uger, så en samtale før da tæller ikke",
                d.dk()
            ),
            Note::FormNotAllowed(d, f) => format!(
                "; samtalen {} var {} og skulle have været ved personligt fremmøde",
                d.dk(),
                match f {
                    ConversationForm::Phone => "telefonisk",
                    ConversationForm::Video => "over video",
                    ConversationForm::InPerson => "ved fremmøde",
                }
            ),
        };
        let exemption = match self.exemption.as_deref() {
            Some(x) => match (x.relief, x.ended) {
                (_, Some((end, why))) if end <= x.from => format!(
                    "; aldrig fritaget efter § 13 f, da {} {}",
                    why.words(),
                    end.dk()
                ),
                (Relief::AsAgreed, Some((end, why))) => format!(
                    "; § 13 f-fritagelsen ophørte {}, da {}; {} følger herefter op efter aftale og behov (§ 13 b, stk. 1, 3.-8. pkt.), uden frist for 1. samtale og uden krav om antal samtaler i første halvår",
                    end.dk(),
                    why.words(),
                    self.authority.word()
                ),
                (Relief::Restored, Some((end, why))) => format!(
                    "; § 13 f-fritagelsen ophørte {}, da {}, og de almindelige regler gælder, som om borgeren aldrig var fritaget",
                    end.dk(),
                    why.words()
                ),
                _ => String::new(),
            },
            None => String::new(),
        };
        let carried = if self.carried_from_category3 {
            "; kategori 3 blev ophævet 1. januar 2025, så forløbet følges efter reglerne for kategori 2"
        } else {
            ""
        };
        format!("{what}: {status}{note}{exemption}{carried} ({src}).")
    }
}
