//! The snapshot after a write, made from the snapshot before it and what the write changed, so
//! that an import and a retention run keep it current in their own transaction without reading
//! the tables back.
//!
//! Each plan mirrors, in memory, exactly what its write does to the tables, and the conformance
//! suite holds the result equal to a population read from the tables after the write, on SQLite
//! and PostgreSQL:
//!
//! - [`AfterImport`]: [`crate::Store::import`] upserts teams, caseworkers and citizens by key (the
//!   export's names and teams win), keeps every stored course the export does not name, and puts
//!   the export's version of every course it names in place of the stored one (an unchanged
//!   course's rows equal the export's: its content hash says so).
//! - [`AfterRetention`]: [`crate::Store::apply_retention`] deletes the expired courses with their
//!   facts, then every citizen left without a course.
//!
//! Teams and caseworkers are written in key order, as the tables are read; citizens and courses
//! in the order they come (the tables are read in storage order, and nothing depends on the order
//! of course ids: lists break ties by the course key). A plan hands its snapshot over part by
//! part ([`super::Parts`]), so the transaction stores each part as it is filled.

use std::collections::{BTreeMap, HashMap, HashSet};

use kadence_core::cpr::Cpr;
use kadence_core::model::*;
use rustc_hash::FxBuildHasher;

use super::{CitizenItem, CourseIds, Item, Parts, Writer};

const NONE: u32 = u32::MAX;

/// The population after the import of `export` into the tables that held `prev`.
pub struct AfterImport<'a> {
    prev: &'a Population,
    export: &'a Population,
    teams: Vec<Team>,
    workers: Vec<Caseworker>,
    /// The snapshot's index of each caseworker of `prev` and of `export`.
    p_worker: Vec<u32>,
    e_worker: Vec<u32>,
    /// The snapshot's index of each citizen of `export` (those of `prev` keep theirs), and the
    /// citizens of `prev` the export renames.
    e_citizen: Vec<u32>,
    renamed: HashMap<u32, u32, FxBuildHasher>,
    /// The snapshot's index of each course of `prev` it keeps (`NONE`: the export replaces it),
    /// how many it keeps, and the export's courses by key.
    p_course: Vec<u32>,
    kept: u32,
    e_key: HashMap<&'a str, u32, FxBuildHasher>,
}

impl<'a> AfterImport<'a> {
    pub fn new(prev: &'a Population, export: &'a Population) -> AfterImport<'a> {
        let (p, e) = (prev, export);
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
        let mut workers: BTreeMap<&str, (&str, &str)> = p
            .caseworkers
            .iter()
            .map(|c| {
                let team = p.teams[c.team.index()].key.as_str();
                (c.key.as_str(), (c.name.as_str(), team))
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
        let index_of = |list: &[Caseworker]| -> Vec<u32> {
            list.iter().map(|c| worker_index[c.key.as_str()]).collect()
        };
        let (p_worker, e_worker) = (index_of(&p.caseworkers), index_of(&e.caseworkers));
        let workers = workers
            .iter()
            .map(|(k, (name, team))| Caseworker {
                key: k.to_string(),
                name: name.to_string(),
                team: TeamId::new(team_index[team]),
            })
            .collect();
        let teams = teams
            .iter()
            .map(|(k, n)| Team {
                key: k.to_string(),
                name: n.to_string(),
            })
            .collect();

        // Citizens: the stored ones keep their places (the export's name winning), the new ones
        // follow. The export is the small side of a daily import, so its numbers are looked up.
        let mut e_citizen = vec![NONE; e.citizens.len()];
        let mut renamed = HashMap::default();
        if !p.citizens.is_empty() && !e.citizens.is_empty() {
            let e_cpr: HashMap<Cpr, u32, FxBuildHasher> = e
                .citizens
                .iter()
                .enumerate()
                .map(|(j, c)| (c.cpr, j as u32))
                .collect();
            for (i, c) in p.citizens.iter().enumerate() {
                if let Some(&j) = e_cpr.get(&c.cpr) {
                    e_citizen[j as usize] = i as u32;
                    renamed.insert(i as u32, j);
                }
            }
        }
        let mut next = p.citizens.len() as u32;
        for slot in &mut e_citizen {
            if *slot == NONE {
                *slot = next;
                next += 1;
            }
        }

        // Courses: the stored ones the export does not name, then the export's.
        let mut e_key = HashMap::default();
        let mut p_course = vec![NONE; p.courses.len()];
        let mut kept = 0u32;
        if !p.courses.is_empty() {
            e_key = e
                .courses
                .iter()
                .enumerate()
                .map(|(j, c)| (c.key.as_str(), j as u32))
                .collect();
            for (i, c) in p.courses.iter().enumerate() {
                if !e_key.contains_key(c.key.as_str()) {
                    p_course[i] = kept;
                    kept += 1;
                }
            }
        }
        AfterImport {
            prev,
            export,
            teams,
            workers,
            p_worker,
            e_worker,
            e_citizen,
            renamed,
            p_course,
            kept,
            e_key,
        }
    }

    /// The snapshot of population version `version`, part by part.
    pub fn parts(
        &self,
        version: i64,
        part_size: usize,
    ) -> Parts<
        '_,
        impl Iterator<Item = CitizenItem<'_>> + Send + '_,
        impl Iterator<Item = Item<'_>> + Send + '_,
    > {
        let (p, e) = (self.prev, self.export);
        let mut w = Writer::new(version, part_size);
        w.teams(&self.teams);
        w.caseworkers(&self.workers);
        let stored_citizens = p.citizens.iter().enumerate().map(|(i, c)| {
            let name = match self.renamed.get(&(i as u32)) {
                Some(&j) => &e.citizens[j as usize].name,
                None => &c.name,
            };
            (&c.cpr, name.as_str())
        });
        let new_citizens = e
            .citizens
            .iter()
            .enumerate()
            .filter(|(j, _)| self.e_citizen[*j] as usize >= p.citizens.len())
            .map(|(_, c)| (&c.cpr, c.name.as_str()));
        let kept = self.kept;
        let stored = p
            .all_facts()
            .filter(|f| self.p_course[f.id.index()] != NONE)
            .map(move |f| Item {
                ids: CourseIds {
                    citizen: f.course.citizen.get(),
                    from: f
                        .course
                        .from_course
                        .map(|x| match self.p_course[x.index()] {
                            NONE => kept + self.e_key[p.courses[x.index()].key.as_str()],
                            n => n,
                        }),
                },
                facts: f,
                workers: Some(&self.p_worker),
            });
        let exported = e.all_facts().map(move |f| Item {
            ids: CourseIds {
                citizen: self.e_citizen[f.course.citizen.index()],
                from: f.course.from_course.map(|x| kept + x.get()),
            },
            facts: f,
            workers: Some(&self.e_worker),
        });
        Parts::new(
            w,
            stored_citizens.chain(new_citizens),
            stored.chain(exported),
        )
    }
}

/// The population after retention deleted the courses keyed `gone` and every citizen left
/// without a course.
pub struct AfterRetention<'a> {
    prev: &'a Population,
    course: Vec<u32>,
    citizen: Vec<u32>,
}

impl<'a> AfterRetention<'a> {
    pub fn new(prev: &'a Population, gone: &HashSet<String>) -> AfterRetention<'a> {
        let p = prev;
        let mut course = vec![NONE; p.courses.len()];
        let mut has_course = vec![false; p.citizens.len()];
        let mut kept = 0u32;
        for (i, c) in p.courses.iter().enumerate() {
            if !gone.contains(c.key.as_str()) {
                course[i] = kept;
                kept += 1;
                has_course[c.citizen.index()] = true;
            }
        }
        let mut citizen = vec![NONE; p.citizens.len()];
        let mut n = 0u32;
        for (i, keep) in has_course.iter().enumerate() {
            if *keep {
                citizen[i] = n;
                n += 1;
            }
        }
        AfterRetention {
            prev,
            course,
            citizen,
        }
    }

    /// The snapshot of population version `version`, part by part.
    pub fn parts(
        &self,
        version: i64,
        part_size: usize,
    ) -> Parts<
        '_,
        impl Iterator<Item = CitizenItem<'_>> + Send + '_,
        impl Iterator<Item = Item<'_>> + Send + '_,
    > {
        let p = self.prev;
        let mut w = Writer::new(version, part_size);
        w.teams(&p.teams);
        w.caseworkers(&p.caseworkers);
        let citizens = p
            .citizens
            .iter()
            .enumerate()
            .filter(|(i, _)| self.citizen[*i] != NONE)
            .map(|(_, c)| (&c.cpr, c.name.as_str()));
        let items = p
            .all_facts()
            .filter(|f| self.course[f.id.index()] != NONE)
            .map(move |f| Item {
                ids: CourseIds {
                    citizen: self.citizen[f.course.citizen.index()],
                    // A course a kept course continues from is never deleted; were it gone, the
                    // table would no longer link it either.
                    from: f
                        .course
                        .from_course
                        .map(|x| self.course[x.index()])
                        .filter(|&x| x != NONE),
                },
                facts: f,
                workers: None,
            });
        Parts::new(w, citizens, items)
    }
}
