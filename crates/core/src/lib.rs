//! # kadence-core
//!
//! The pure core of Kadence: what the law asks of a jobcenter in the follow-up of sick-listed
//! citizens, and how well it is done.
//!
//! - [`committee`]: benefit groups as versioned data, and Kadence's own monthly figures for them.
//! - [`date`]: calendar days as integers, month arithmetic in one step.
//! - [`dk`]: Danish number formatting (decimal comma) shared by every user-facing shell.
//! - [`cpr`]: validated CPR numbers that never print in full.
//! - [`model`]: citizens, courses, conversations, standby, medical requests, rehabilitation meetings.
//! - [`rules`]: the versioned rule sets (2015, 2020, 2022, 2023, 2025, 2026-07, 2027 provisional), each citing its paragraphs.
//! - [`settings`]: municipal settings and the readings of ambiguous wording.
//! - [`municipal`]: the municipality's settings as one whole (readings, rule-set parameters, own
//!   measure definitions), validated by key, with their history of versions.
//! - [`duties`]: every duty of a course as of a date, with status and explanation.
//! - [`exemption`]: the 2026 § 13 f exemption (lov 1750/2025) as Kadence reads it.
//! - [`measures`]: STAR's figures and the municipality's own, by explicit definitions.
//! - [`reconcile`]: course-by-course reasons why two definitions differ.
//! - [`worklist`]: flags, urgency order and short texts of the worklist, shared by every shell.
//!
//! Invariants: no I/O, no clock (the as-of date is always an argument), no async, no panics on any
//! population the builder accepts; results do not depend on input order.

pub mod agenda;
pub mod committee;
pub mod cpr;
pub mod date;
pub mod dk;
pub mod duties;
pub mod exemption;
pub mod figures;
pub mod measures;
pub mod model;
pub mod municipal;
pub mod reconcile;
pub mod registration;
pub mod rules;
pub mod settings;
pub mod worklist;

pub use date::{Day, Month};
