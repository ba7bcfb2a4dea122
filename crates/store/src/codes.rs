//! Stable codes for enum values in the database (English, never renamed).

use kadence_core::model::*;

/// An enum value stored as a code.
pub trait Code: Sized + Copy + PartialEq + 'static {
    const CODES: &'static [(Self, &'static str)];
    fn code(self) -> &'static str {
        Self::CODES
            .iter()
            .find(|(v, _)| *v == self)
            .map_or("", |(_, c)| c)
    }
    fn from_code(s: &str) -> Option<Self> {
        Self::CODES.iter().find(|(_, c)| *c == s).map(|(v, _)| *v)
    }
}

impl Code for CourseKind {
    const CODES: &'static [(Self, &'static str)] = &[
        (CourseKind::SicknessBenefit, "sickness_benefit"),
        (CourseKind::JobClarification, "job_clarification"),
    ];
}
impl Code for TargetGroup {
    const CODES: &'static [(Self, &'static str)] = &[
        (TargetGroup::Employed, "employed"),
        (TargetGroup::Unemployed, "unemployed"),
        (TargetGroup::SelfEmployed, "self_employed"),
    ];
}
impl Code for Category {
    const CODES: &'static [(Self, &'static str)] = &[
        (Category::One, "1"),
        (Category::Two, "2"),
        (Category::Three, "3"),
    ];
}
impl Code for Requester {
    const CODES: &'static [(Self, &'static str)] = &[
        (Requester::Employer, "employer"),
        (Requester::Citizen, "citizen"),
    ];
}
impl Code for EndReason {
    const CODES: &'static [(Self, &'static str)] = &[
        (EndReason::BackToWork, "back_to_work"),
        (EndReason::TransitionToJobClarification, "job_clarification"),
        (EndReason::BenefitExhausted, "benefit_exhausted"),
        (EndReason::Moved, "moved"),
        (EndReason::Other, "other"),
    ];
}
impl Code for ConversationForm {
    const CODES: &'static [(Self, &'static str)] = &[
        (ConversationForm::InPerson, "in_person"),
        (ConversationForm::Phone, "phone"),
        (ConversationForm::Video, "video"),
    ];
}
impl Code for MedicalForm {
    const CODES: &'static [(Self, &'static str)] = &[
        (MedicalForm::Lae285, "lae285"),
        (MedicalForm::Lae265, "lae265"),
        (MedicalForm::Other, "other"),
    ];
}
impl Code for Lae265Basis {
    const CODES: &'static [(Self, &'static str)] = &[
        (Lae265Basis::Present, "lae265"),
        (Lae265Basis::Lae285Exception, "lae285_exception"),
        (Lae265Basis::SufficientlyInformed, "sufficiently_informed"),
        (Lae265Basis::Missing, "missing"),
    ];
}
