//! # kadence-import
//!
//! The shell between a municipality's case-system exports and the core: the documented import format
//! ([`format`], `docs/import-format.md`), a writer ([`write`], used by `kadence generate`) and an
//! all-or-nothing reader with located Danish errors ([`read`]) for CSV and Excel files, and the
//! column-mapping file ([`mapping`]). Text-level parsing (encodings,
//! double-decoded UTF-8, separators, Danish dates) is in [`text`].

pub mod committee;
pub mod format;
mod keys;
pub mod mapping;
pub mod read;
mod source;
pub mod text;
pub mod write;

pub use keys::CourseKeys;
pub use read::{
    list_files, read_files, read_files_in_blocks, read_paths, ImportError, ImportErrors, Loaded,
    ReadError, SourceFile,
};
pub use write::{to_files, write_dir};
