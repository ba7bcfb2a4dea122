//! The snapshot after a write, made from the snapshot before it and what the write changed, so
//! that an import and a retention run keep it current in their own transaction without reading
//! the tables back.
//!
//! Each function mirrors, in memory, exactly what its write does to the tables, and the
//! conformance suite holds the result equal to a population read from the tables after the write,
//! on SQLite and PostgreSQL:
//!
//! - [`after_import`]: [`crate::Store::import`] upserts teams, caseworkers and citizens by key
//!   (the export's names and teams win), keeps every stored course the export does not name, and
//!   puts the export's version of every course it names in place of the stored one (an unchanged
//!   course's rows equal the export's, its content hash says so).
//! - [`after_retention`]: [`crate::Store::apply_retention`] deletes the expired courses with
//!   their facts, then every citizen left without a course.
//!
//! Teams and caseworkers are written in key order, as the tables are read; citizens and courses
//! in the order they come (the tables are read in storage order, and nothing depends on the order
//! of course ids: lists break ties by the course key).

use std::collections::{BTreeMap, HashMap, HashSet};

use kadence_core::cpr::Cpr;
use kadence_core::model::*;
use rustc_hash::FxBuildHasher;

use super::{CourseIds, Decoded, Writer};

const NONE: u32 = u32::MAX;

/// The snapshot (of population version `version`) of `prev` after the import of `export`.
pub fn after_import(prev: &Decoded, export: &Population, version: i64) -> Vec<u8> {
    let p = &prev.population;
    let e = export;
    let mut w = Writer::new(
        version,
        64 + (p.courses.len() + e.courses.len()) * 120
            + (p.conversation_count() + e.conversation_count()) * 16,
    );

    // Teams and caseworkers by key, the export's version winning.
    let mut teams: BTreeMap<&str, &str> = p
        .teams
        .iter()
        .map(|t| (t.key.as_str(), t.name.as_str()))
        .collect();
    for t in &e.teams {
        teams.insert(&t.key, &t.name);
    }
    let team_index: HashMap<&str, u32> = teams
        .keys()
        .enumerate()
        .map(|(i, k)| (*k, i as u32))
        .collect();
    let team_list: Vec<Team> = teams
        .iter()
        .map(|(k, n)| Team {
            key: k.to_string(),
            name: n.to_string(),
        })
        .collect();
    w.teams(&team_list);
    let mut workers: BTreeMap<&str, (&str, &str)> = p
        .caseworkers
        .iter()
        .map(|c| {
            (
                c.key.as_str(),
                (c.name.as_str(), p.teams[c.team.index()].key.as_str()),
            )
        })
        .collect();
    for c in &e.caseworkers {
        workers.insert(&c.key, (&c.name, &e.teams[c.team.index()].key));
    }
    let worker_index: HashMap<&str, u32> = workers
        .keys()
        .enumerate()
        .map(|(i, k)| (*k, i as u32))
        .collect();
    let worker_list: Vec<Caseworker> = workers
        .iter()
        .map(|(k, (name, team))| Caseworker {
            key: k.to_string(),
            name: name.to_string(),
            team: TeamId(team_index[team]),
        })
        .collect();
    w.caseworkers(&worker_list);
    let p_worker: Vec<u32> = p
        .caseworkers
        .iter()
        .map(|c| worker_index[c.key.as_str()])
        .collect();
    let e_worker: Vec<u32> = e
        .caseworkers
        .iter()
        .map(|c| worker_index[c.key.as_str()])
        .collect();

    // Citizens: the stored ones in their order (the export's name winning), then the new ones.
    let e_cpr: HashMap<Cpr, usize, FxBuildHasher> = e
        .citizens
        .iter()
        .enumerate()
        .map(|(j, c)| (c.cpr, j))
        .collect();
    let mut e_citizen = vec![NONE; e.citizens.len()];
    for (i, c) in p.citizens.iter().enumerate() {
        let name = match e_cpr.get(&c.cpr) {
            Some(&j) => {
                e_citizen[j] = i as u32;
                e.citizens[j].name.as_str()
            }
            None => c.name.as_str(),
        };
        w.citizen(&c.cpr, name);
    }
    let mut next = p.citizens.len() as u32;
    for (j, c) in e.citizens.iter().enumerate() {
        if e_citizen[j] == NONE {
            e_citizen[j] = next;
            next += 1;
            w.citizen(&c.cpr, &c.name);
        }
    }

    // Courses: the stored ones the export does not name, then the export's.
    let e_key: HashMap<&str, u32, FxBuildHasher> = e
        .courses
        .iter()
        .enumerate()
        .map(|(j, c)| (c.key.as_str(), j as u32))
        .collect();
    let mut p_course = vec![NONE; p.courses.len()];
    let mut kept = 0u32;
    for (i, c) in p.courses.iter().enumerate() {
        if !e_key.contains_key(c.key.as_str()) {
            p_course[i] = kept;
            kept += 1;
        }
    }
    for (i, f) in p.all_facts().enumerate() {
        if p_course[i] == NONE {
            continue;
        }
        let from = f.course.from_course.map(|x| match p_course[x.index()] {
            NONE => kept + e_key[p.courses[x.index()].key.as_str()],
            n => n,
        });
        let ids = CourseIds {
            citizen: f.course.citizen.0,
            from,
        };
        let imported = prev.imported.get(i).and_then(|k| k.as_deref());
        w.course(&f, ids, imported, |x| p_worker[x.index()]);
    }
    for f in e.all_facts() {
        let ids = CourseIds {
            citizen: e_citizen[f.course.citizen.index()],
            from: f.course.from_course.map(|x| kept + x.0),
        };
        let imported = f
            .course
            .caseworker
            .map(|x| e.caseworkers[x.index()].key.as_str());
        w.course(&f, ids, imported, |x| e_worker[x.index()]);
    }
    w.finish()
}

/// The snapshot (of population version `version`) of `prev` after retention deleted the courses
/// keyed `gone` and every citizen left without a course.
pub fn after_retention(prev: &Decoded, gone: &HashSet<String>, version: i64) -> Vec<u8> {
    let p = &prev.population;
    let mut w = Writer::new(
        version,
        64 + p.courses.len() * 120 + p.conversation_count() * 16,
    );
    w.teams(&p.teams);
    w.caseworkers(&p.caseworkers);
    let mut course = vec![NONE; p.courses.len()];
    let mut has_course = vec![false; p.citizens.len()];
    let mut kept = 0u32;
    for (i, c) in p.courses.iter().enumerate() {
        if !gone.contains(&c.key) {
            course[i] = kept;
            kept += 1;
            has_course[c.citizen.index()] = true;
        }
    }
    let mut citizen = vec![NONE; p.citizens.len()];
    let mut n = 0u32;
    for (i, c) in p.citizens.iter().enumerate() {
        if has_course[i] {
            citizen[i] = n;
            n += 1;
            w.citizen(&c.cpr, &c.name);
        }
    }
    for (i, f) in p.all_facts().enumerate() {
        if course[i] == NONE {
            continue;
        }
        let ids = CourseIds {
            citizen: citizen[f.course.citizen.index()],
            // A course a kept course continues from is never deleted; were it gone, the table
            // would no longer link it either.
            from: f
                .course
                .from_course
                .map(|x| course[x.index()])
                .filter(|&x| x != NONE),
        };
        let imported = prev.imported.get(i).and_then(|k| k.as_deref());
        w.course(&f, ids, imported, |x| x.0);
    }
    w.finish()
}
