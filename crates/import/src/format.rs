//! The import format: one file per entity, Danish column names, Danish words for values.
//!
//! Documented for municipalities in `docs/import-format.md`; this module is the single source of the
//! names, used by both the writer (`kadence generate`) and the reader.

use kadence_core::model::*;

/// One file of the format.
pub struct FileSpec {
    /// The file name `kadence generate` writes; the reader also accepts the name without "oe"/"aa"
    /// spelled out (`forløb.csv`).
    pub name: &'static str,
    pub columns: &'static [Col],
}

/// One column: its Danish header and whether it must be present.
pub struct Col {
    pub header: &'static str,
    pub required: bool,
}

const fn req(header: &'static str) -> Col {
    Col {
        header,
        required: true,
    }
}
const fn opt(header: &'static str) -> Col {
    Col {
        header,
        required: false,
    }
}

pub mod h {
    pub const TEAM_ID: &str = "Team-id";
    pub const TEAM_NAME: &str = "Teamnavn";
    pub const CW_ID: &str = "Sagsbehandler-id";
    pub const CW_NAME: &str = "Sagsbehandler";
    pub const COURSE_ID: &str = "Forløbs-id";
    pub const CPR: &str = "CPR-nr.";
    pub const NAME: &str = "Navn";
    pub const KIND: &str = "Forløbstype";
    pub const FIRST_ABSENCE: &str = "Første fraværsdag";
    pub const BENEFIT_START: &str = "Ydelsesstart";
    pub const TRANSITION: &str = "Overgangsdato";
    pub const FROM_COURSE: &str = "Fra forløb";
    pub const GROUP: &str = "Målgruppe";
    pub const CATEGORY: &str = "Visitationskategori";
    pub const CATEGORY_DATE: &str = "Visiteret dato";
    pub const EARLY_BY: &str = "Tidlig opfølgning anmodet af";
    pub const EARLY_DATE: &str = "Tidlig opfølgning anmodet dato";
    pub const P13F: &str = "§ 13 f markeret dato";
    pub const P13F_LAPSED: &str = "§ 13 f bortfaldet dato";
    pub const FIT26: &str = "Forventet rask inden 26 uger registreret";
    pub const ASKED_BY: &str = "Opfølgning ønsket af";
    pub const ASKED_DATE: &str = "Opfølgning ønsket dato";
    pub const DECIDED: &str = "Kommunen besluttet opfølgning dato";
    pub const UNEMPLOYED: &str = "Ledig fra";
    pub const REDUCED_RATE: &str = "Nedsat sats fra";
    pub const END: &str = "Slutdato";
    pub const END_REASON: &str = "Slutårsag";
    pub const DATE: &str = "Dato";
    pub const FORM: &str = "Form";
    pub const STATUS: &str = "Status";
    pub const START: &str = "Startdato";
    pub const MED_FORM: &str = "Blanket";
    pub const SENT: &str = "Sendt";
    pub const DEADLINE: &str = "Frist";
    pub const RECEIVED: &str = "Modtaget";
    pub const MEETING: &str = "Mødedato";
    pub const BASIS: &str = "Lægeligt grundlag";
    /// The day the case system recorded a conversation or a standby period (registreringsdato).
    pub const REGISTERED: &str = "Registreringsdato";
    /// The day the receipt of a medical statement was recorded.
    pub const RECEIVED_REGISTERED: &str = "Modtagelse registreret";
}

/// The optional registration-date columns: without them the day a fact happened stands in for the
/// day it was registered, and the import says so in one warning.
pub const REGISTRATION_COLUMNS: [(&str, &str); 3] = [
    ("samtaler.csv", h::REGISTERED),
    ("standby.csv", h::REGISTERED),
    ("laegeanmodninger.csv", h::RECEIVED_REGISTERED),
];

pub const TEAMS: FileSpec = FileSpec {
    name: "teams.csv",
    columns: &[req(h::TEAM_ID), req(h::TEAM_NAME)],
};
pub const CASEWORKERS: FileSpec = FileSpec {
    name: "sagsbehandlere.csv",
    columns: &[req(h::CW_ID), req(h::CW_NAME), req(h::TEAM_ID)],
};
pub const COURSES: FileSpec = FileSpec {
    name: "forloeb.csv",
    columns: &[
        req(h::COURSE_ID),
        req(h::CPR),
        req(h::NAME),
        req(h::KIND),
        req(h::FIRST_ABSENCE),
        req(h::BENEFIT_START),
        opt(h::TRANSITION),
        opt(h::FROM_COURSE),
        req(h::GROUP),
        opt(h::CATEGORY),
        opt(h::CATEGORY_DATE),
        opt(h::EARLY_BY),
        opt(h::EARLY_DATE),
        opt(h::P13F),
        opt(h::P13F_LAPSED),
        opt(h::FIT26),
        opt(h::ASKED_BY),
        opt(h::ASKED_DATE),
        opt(h::DECIDED),
        opt(h::UNEMPLOYED),
        opt(h::REDUCED_RATE),
        opt(h::END),
        opt(h::END_REASON),
        opt(h::CW_ID),
    ],
};
pub const CONVERSATIONS: FileSpec = FileSpec {
    name: "samtaler.csv",
    columns: &[
        req(h::COURSE_ID),
        req(h::DATE),
        req(h::FORM),
        req(h::STATUS),
        opt(h::CW_ID),
        opt(h::REGISTERED),
    ],
};
pub const STANDBY: FileSpec = FileSpec {
    name: "standby.csv",
    columns: &[
        req(h::COURSE_ID),
        req(h::START),
        opt(h::END),
        opt(h::REGISTERED),
    ],
};
pub const MEDICAL: FileSpec = FileSpec {
    name: "laegeanmodninger.csv",
    columns: &[
        req(h::COURSE_ID),
        req(h::MED_FORM),
        req(h::SENT),
        opt(h::DEADLINE),
        opt(h::RECEIVED),
        opt(h::RECEIVED_REGISTERED),
    ],
};
pub const REHAB: FileSpec = FileSpec {
    name: "rehabiliteringsmoeder.csv",
    columns: &[req(h::COURSE_ID), req(h::MEETING), req(h::BASIS)],
};

/// All files, in the order they are read (referenced entities first).
pub const FILES: [&FileSpec; 7] = [
    &TEAMS,
    &CASEWORKERS,
    &COURSES,
    &CONVERSATIONS,
    &STANDBY,
    &MEDICAL,
    &REHAB,
];

/// A value's Danish words, first one written, all accepted (case-insensitive).
pub trait Words: Sized + Copy + 'static {
    const ALL: &'static [(Self, &'static [&'static str])];
    fn word(self) -> &'static str
    where
        Self: PartialEq,
    {
        Self::ALL
            .iter()
            .find(|(v, _)| *v == self)
            .map_or("", |(_, w)| w[0])
    }
    fn parse_word(s: &str) -> Option<Self> {
        // This runs for every coded cell of an export (issue 15): first as written or with other
        // ASCII case, which is nearly every cell and needs no copy; then, for a cell with other
        // letters than ASCII, in lower case letter by letter ("FREMMØDE").
        let s = s.trim();
        let find = |same: &dyn Fn(&str) -> bool| {
            Self::ALL
                .iter()
                .find(|(_, ws)| ws.iter().any(|w| same(w)))
                .map(|(v, _)| *v)
        };
        find(&|w| w.eq_ignore_ascii_case(s)).or_else(|| {
            if s.is_ascii() {
                return None;
            }
            let lower = |t: &str| t.chars().flat_map(char::to_lowercase).collect::<String>();
            let s = lower(s);
            find(&|w| lower(w) == s)
        })
    }
    fn expected() -> String {
        Self::ALL
            .iter()
            .map(|(_, w)| w[0])
            .collect::<Vec<_>>()
            .join(", ")
    }
}

impl Words for CourseKind {
    const ALL: &'static [(Self, &'static [&'static str])] = &[
        (
            CourseKind::SicknessBenefit,
            &["Sygedagpenge", "SDP", "Sygedagpengeforløb"],
        ),
        (
            CourseKind::JobClarification,
            &["Jobafklaring", "JAF", "Jobafklaringsforløb"],
        ),
    ];
}
impl Words for TargetGroup {
    const ALL: &'static [(Self, &'static [&'static str])] = &[
        (
            TargetGroup::Employed,
            &["Beskæftiget", "Lønmodtager", "I job"],
        ),
        (TargetGroup::Unemployed, &["Ledig", "Arbejdsløs"]),
        (TargetGroup::SelfEmployed, &["Selvstændig"]),
    ];
}
impl Words for Category {
    const ALL: &'static [(Self, &'static [&'static str])] = &[
        (Category::One, &["1", "Kategori 1"]),
        (Category::Two, &["2", "Kategori 2"]),
        (Category::Three, &["3", "Kategori 3"]),
    ];
}
impl Words for Requester {
    const ALL: &'static [(Self, &'static [&'static str])] = &[
        (Requester::Employer, &["Arbejdsgiver", "§ 7 c"]),
        (Requester::Citizen, &["Borger", "Sygemeldt", "§ 7 e"]),
    ];
}
impl Words for EndReason {
    const ALL: &'static [(Self, &'static [&'static str])] = &[
        (EndReason::BackToWork, &["Raskmeldt", "Tilbage i job"]),
        (
            EndReason::TransitionToJobClarification,
            &["Overgang til jobafklaring", "Jobafklaring"],
        ),
        (
            EndReason::BenefitExhausted,
            &["Ophør efter revurdering", "Revurdering"],
        ),
        (EndReason::Moved, &["Fraflyttet"]),
        (EndReason::Other, &["Andet"]),
    ];
}
impl Words for ConversationForm {
    const ALL: &'static [(Self, &'static [&'static str])] = &[
        (
            ConversationForm::InPerson,
            &["Fremmøde", "Personligt fremmøde", "Personligt"],
        ),
        (ConversationForm::Phone, &["Telefon", "Telefonisk"]),
        (ConversationForm::Video, &["Video", "Digitalt fremmøde"]),
    ];
}
/// A conversation's status: held, cancelled, or booked and not yet held.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum ConversationStatus {
    Held,
    Cancelled,
    Planned,
}
impl ConversationStatus {
    pub fn of(c: &kadence_core::model::Conversation) -> ConversationStatus {
        if c.held {
            ConversationStatus::Held
        } else if c.planned {
            ConversationStatus::Planned
        } else {
            ConversationStatus::Cancelled
        }
    }
}
impl Words for ConversationStatus {
    const ALL: &'static [(Self, &'static [&'static str])] = &[
        (ConversationStatus::Held, &["Afholdt", "Holdt"]),
        (ConversationStatus::Cancelled, &["Aflyst", "Udeblevet"]),
        (ConversationStatus::Planned, &["Planlagt", "Booket"]),
    ];
}
impl Words for MedicalForm {
    const ALL: &'static [(Self, &'static [&'static str])] = &[
        (MedicalForm::Lae285, &["LÆ 285", "LÆ285", "LAE 285"]),
        (MedicalForm::Lae265, &["LÆ 265", "LÆ265", "LAE 265"]),
        (MedicalForm::Other, &["Anden", "Andet"]),
    ];
}
impl Words for Lae265Basis {
    const ALL: &'static [(Self, &'static [&'static str])] = &[
        (Lae265Basis::Present, &["LÆ 265", "LÆ265"]),
        (
            Lae265Basis::Lae285Exception,
            &["LÆ 285 (undtagelse)", "LÆ 285"],
        ),
        (
            Lae265Basis::SufficientlyInformed,
            &["Tilstrækkeligt oplyst"],
        ),
        (Lae265Basis::Missing, &["Mangler", "Ingen"]),
    ];
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A coded cell is read in any case, with Danish letters too, and around spaces; the fast path
    /// for cells as written must not change what is accepted.
    #[test]
    fn words_are_read_in_any_case() {
        for (cell, form) in [
            ("Fremmøde", Some(ConversationForm::InPerson)),
            ("fremmøde", Some(ConversationForm::InPerson)),
            ("FREMMØDE", Some(ConversationForm::InPerson)),
            ("  personligt FREMMØDE ", Some(ConversationForm::InPerson)),
            ("TELEFON", Some(ConversationForm::Phone)),
            ("telefonisk", Some(ConversationForm::Phone)),
            ("Digitalt Fremmøde", Some(ConversationForm::Video)),
            ("DIGITALT FREMMØDE", Some(ConversationForm::Video)),
            ("Fremmøde!", None),
            ("Fremmode", None),
            ("", None),
        ] {
            assert_eq!(ConversationForm::parse_word(cell), form, "{cell:?}");
        }
    }
}
