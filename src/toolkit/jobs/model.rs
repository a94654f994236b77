//! A job as stored and as shown: its state, its progress and an estimate
//! of the time left.

use serde::Serialize;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum JobStatus {
    Queued,
    Running,
    Done,
    Failed,
    Cancelled,
}

impl JobStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            JobStatus::Queued => "queued",
            JobStatus::Running => "running",
            JobStatus::Done => "done",
            JobStatus::Failed => "failed",
            JobStatus::Cancelled => "cancelled",
        }
    }

    /// Unknown text reads as failed: a job in a state this server does not
    /// know is not one it should wait for.
    pub fn parse(text: &str) -> JobStatus {
        match text {
            "queued" => JobStatus::Queued,
            "running" => JobStatus::Running,
            "done" => JobStatus::Done,
            "cancelled" => JobStatus::Cancelled,
            _ => JobStatus::Failed,
        }
    }

    pub fn is_over(self) -> bool {
        matches!(self, JobStatus::Done | JobStatus::Failed | JobStatus::Cancelled)
    }

    pub fn label_key(self) -> &'static str {
        match self {
            JobStatus::Queued => "jobs.status.queued",
            JobStatus::Running => "jobs.status.running",
            JobStatus::Done => "jobs.status.done",
            JobStatus::Failed => "jobs.status.failed",
            JobStatus::Cancelled => "jobs.status.cancelled",
        }
    }
}

#[derive(Clone, Debug)]
pub struct Job {
    pub id: i64,
    pub kind: String,
    pub subject_id: i64,
    pub user_id: i64,
    pub status: JobStatus,
    pub done: i64,
    pub total: i64,
    pub attempts: i64,
    pub cancel_requested: bool,
    /// Catalogue key of why it failed.
    pub message: Option<String>,
    pub created_at: String,
    /// When the current attempt started.
    pub started_at: Option<String>,
    pub finished_at: Option<String>,
}

/// Seconds left at the pace so far: `elapsed` seconds did `done` of
/// `total`. None until there is a pace to go by.
pub fn estimate_seconds(done: i64, total: i64, elapsed: f64) -> Option<i64> {
    if done <= 0 || total <= done || elapsed <= 0.0 {
        return None;
    }
    let rate = done as f64 / elapsed;
    Some(((total - done) as f64 / rate).ceil() as i64)
}

impl Job {
    /// The estimate of the time left, from when this attempt started.
    pub fn eta_seconds(&self) -> Option<i64> {
        if self.status != JobStatus::Running {
            return None;
        }
        let started = self.started_at.as_deref()?;
        let started = time::OffsetDateTime::parse(started, &time::format_description::well_known::Rfc3339).ok()?;
        let elapsed = (time::OffsetDateTime::now_utc() - started).as_seconds_f64();
        estimate_seconds(self.done, self.total, elapsed)
    }

    /// Per cent done, for the progress bar.
    pub fn percent(&self) -> i64 {
        if self.status == JobStatus::Done {
            return 100;
        }
        (self.done * 100).checked_div(self.total).unwrap_or(0).clamp(0, 100)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_estimate_follows_the_pace_so_far() {
        assert_eq!(estimate_seconds(0, 100, 5.0), None);
        assert_eq!(estimate_seconds(25, 100, 5.0), Some(15));
        assert_eq!(estimate_seconds(100, 100, 5.0), None);
    }

    #[test]
    fn statuses_read_back_and_unknown_ones_are_failures() {
        for s in [
            JobStatus::Queued,
            JobStatus::Running,
            JobStatus::Done,
            JobStatus::Failed,
            JobStatus::Cancelled,
        ] {
            assert_eq!(JobStatus::parse(s.as_str()), s);
        }
        assert_eq!(JobStatus::parse("exploded"), JobStatus::Failed);
    }
}
