//! Shared machinery every capability uses by declaring what it needs:
//! jobs with progress (`jobs`), rate limits of anonymous forms (`rate`), spreadsheet imports through a preview
//! (`import`), `.xlsx` exports (`xlsx`) and PDF downloads (`pdf`). Like the web core, the
//! toolkit imports no capability.

pub mod import;
pub mod jobs;
pub mod pdf;
pub mod rate;
pub mod xlsx;
