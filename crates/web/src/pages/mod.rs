//! The pages, one module per page area. Each uses the shared frame (`crate::frame`) and the charts
//! (`crate::charts`); no page imports another page.

pub(crate) mod admin;
pub(crate) mod agenda;
pub(crate) mod audit_log;
pub(crate) mod committee;
pub(crate) mod course;
pub(crate) mod duty_lists;
pub(crate) mod find;
pub(crate) mod focus;
pub(crate) mod forecast;
pub(crate) mod login;
pub(crate) mod reassign;
pub(crate) mod settings;
pub(crate) mod worklists;
