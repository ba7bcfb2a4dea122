//! Writes a population in the import format (what `kadence generate` produces): UTF-8 with BOM, `;`
//! separators and `dd-mm-åååå` dates, as a Danish municipality's Excel would save it.

use std::io::Write;
use std::path::Path;

use kadence_core::date::Day;
use kadence_core::model::*;

use crate::format::{self, ConversationStatus, Words};

fn date(d: Option<Day>) -> String {
    d.map(|d| d.dk().to_string()).unwrap_or_default()
}

struct Out {
    w: csv::Writer<Vec<u8>>,
}

impl Out {
    fn new(spec: &format::FileSpec) -> Out {
        let mut buf = Vec::with_capacity(1 << 16);
        buf.extend_from_slice(&[0xEF, 0xBB, 0xBF]);
        let mut w = csv::WriterBuilder::new().delimiter(b';').from_writer(buf);
        // Writing to a Vec cannot fail.
        let _ = w.write_record(spec.columns.iter().map(|c| c.header));
        Out { w }
    }
    fn row<I, S>(&mut self, fields: I)
    where
        I: IntoIterator<Item = S>,
        S: AsRef<[u8]>,
    {
        let _ = self.w.write_record(fields);
    }
    fn finish(self) -> Vec<u8> {
        self.w.into_inner().unwrap_or_default()
    }
}

/// The files of the import format for `pop`, as (file name, bytes).
pub fn to_files(pop: &Population) -> Vec<(String, Vec<u8>)> {
    let cw_key = |c: Option<CaseworkerId>| {
        c.map(|c| pop.caseworkers[c.index()].key.clone())
            .unwrap_or_default()
    };
    let course_key = |c: CourseId| pop.courses[c.index()].key.to_string();

    let mut teams = Out::new(&format::TEAMS);
    for t in &pop.teams {
        teams.row([t.key.as_str(), t.name.as_str()]);
    }
    let mut cws = Out::new(&format::CASEWORKERS);
    for c in &pop.caseworkers {
        cws.row([
            c.key.as_str(),
            c.name.as_str(),
            pop.teams[c.team.index()].key.as_str(),
        ]);
    }
    let mut courses = Out::new(&format::COURSES);
    let mut convs = Out::new(&format::CONVERSATIONS);
    let mut standby = Out::new(&format::STANDBY);
    let mut medical = Out::new(&format::MEDICAL);
    let mut rehab = Out::new(&format::REHAB);
    for f in pop.all_facts() {
        let c = f.course;
        let citizen = &pop.citizens[c.citizen.index()];
        courses.row([
            c.key.to_string(),
            citizen.cpr.reveal(),
            citizen.name.to_string(),
            c.kind.word().into(),
            date(Some(c.first_absence)),
            date(Some(c.benefit_start)),
            date(c.transition),
            c.from_course.map(course_key).unwrap_or_default(),
            c.target_group.word().into(),
            c.visitation
                .map(|v| v.category.word().to_string())
                .unwrap_or_default(),
            date(c.visitation.map(|v| v.set_on)),
            c.early_request
                .map(|r| r.by.word().to_string())
                .unwrap_or_default(),
            date(c.early_request.map(|r| r.date)),
            date(c.predictable.map(|p| p.marked_on)),
            date(c.predictable.and_then(|p| p.lapsed_on)),
            date(c.reform().fit_within_26_weeks),
            c.reform()
                .follow_up_asked
                .map(|a| a.by.word().to_string())
                .unwrap_or_default(),
            date(c.reform().follow_up_asked.map(|a| a.date)),
            date(c.reform().municipality_decided),
            date(c.reform().unemployed_on),
            date(c.reform().reduced_rate_from),
            date(c.end.map(|e| e.date)),
            c.end
                .map(|e| e.reason.word().to_string())
                .unwrap_or_default(),
            cw_key(c.caseworker),
        ]);
        for x in f.conversations {
            convs.row([
                c.key.to_string(),
                date(Some(x.date)),
                x.form.word().into(),
                ConversationStatus::of(x).word().into(),
                cw_key(x.caseworker),
                date(x.registered),
            ]);
        }
        for s in f.standby {
            standby.row([
                c.key.to_string(),
                date(Some(s.start)),
                date(s.end),
                date(s.registered),
            ]);
        }
        for m in f.medical {
            medical.row([
                c.key.to_string(),
                m.form.word().into(),
                date(Some(m.sent)),
                date(m.deadline),
                date(m.received),
                date(m.received_registered),
            ]);
        }
        for r in f.rehab {
            rehab.row([c.key.to_string(), date(Some(r.date)), r.basis.word().into()]);
        }
    }
    [
        (format::TEAMS.name, teams),
        (format::CASEWORKERS.name, cws),
        (format::COURSES.name, courses),
        (format::CONVERSATIONS.name, convs),
        (format::STANDBY.name, standby),
        (format::MEDICAL.name, medical),
        (format::REHAB.name, rehab),
    ]
    .into_iter()
    .map(|(n, o)| (n.to_string(), o.finish()))
    .collect()
}

/// Writes the files into `dir` (created if missing). Returns the paths written.
pub fn write_dir(pop: &Population, dir: &Path) -> std::io::Result<Vec<std::path::PathBuf>> {
    std::fs::create_dir_all(dir)?;
    let mut out = Vec::new();
    for (name, bytes) in to_files(pop) {
        let path = dir.join(name);
        let mut f = std::fs::File::create(&path)?;
        f.write_all(&bytes)?;
        out.push(path);
    }
    Ok(out)
}
