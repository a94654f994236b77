//! Shared machinery every capability uses by declaring what it needs:
//! jobs with progress (`jobs`), spreadsheet imports through a preview
//! (`import`), and `.xlsx` exports (`xlsx`). Like the web core, the
//! toolkit imports no capability.

pub mod import;
pub mod jobs;
pub mod xlsx;
