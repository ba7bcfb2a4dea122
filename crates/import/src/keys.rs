//! Courses found by the case system's key, without a second copy of the keys.

use kadence_core::model::{Course, CourseId};

/// Courses found by key: a table of course ids, hashed and compared through the courses' own
/// keys. A map from a copy of each key took 240 MB for the country (issue 15: the import's peak
/// memory), a map from a borrowed key about 100 MB (the re-import's); this table 4 bytes a slot.
/// The courses are the caller's: every call is given the same list the ids index.
#[derive(Default)]
pub struct CourseKeys {
    table: hashbrown::HashTable<CourseId>,
    hasher: rustc_hash::FxBuildHasher,
}

impl CourseKeys {
    /// Every course of `courses`, whose keys are distinct (a population's are).
    pub fn of(courses: &[Course]) -> CourseKeys {
        let mut keys = CourseKeys {
            table: hashbrown::HashTable::with_capacity(courses.len()),
            ..CourseKeys::default()
        };
        for i in 0..courses.len() {
            keys.add(courses, CourseId::new(i as u32));
        }
        keys
    }

    fn hash(&self, key: &str) -> u64 {
        use std::hash::BuildHasher;
        self.hasher.hash_one(key)
    }

    /// The course keyed `key`, if any.
    pub fn get(&self, courses: &[Course], key: &str) -> Option<CourseId> {
        self.table
            .find(self.hash(key), |id| courses[id.index()].key == key)
            .copied()
    }

    /// Adds the course `id` (in `courses` already), whose key is not in the table.
    pub fn add(&mut self, courses: &[Course], id: CourseId) {
        use std::hash::BuildHasher;
        let hasher = self.hasher;
        self.table
            .insert_unique(self.hash(&courses[id.index()].key), id, |other| {
                hasher.hash_one(courses[other.index()].key.as_str())
            });
    }
}
