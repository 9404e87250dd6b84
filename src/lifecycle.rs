//! The life of one call as a sans-IO step machine: which candidate (the model, then each of its
//! `fallbacks`) to try next, whether and how long to wait before retrying, and when to give up,
//! all under one deadline for the whole call. quinn-proto's shape: the driver (the JS loop in
//! `js/api.js`, or a test) asks [`Lifecycle::poll`] for the next [`Step`], performs it, and hands
//! back what happened through `handle_*`; the clock (`now_ms`) and randomness (`rand`) are
//! parameters, so every decision is tested deterministically with a fake clock.
//!
//! The rules, in order, after an attempt failed with an error:
//! 1. `APIUserAbortError` (the caller's signal) ends the call with it.
//! 2. The deadline passed: the call ends as `Timeout` (the attempt's own error when it was one).
//! 3. A retry is due ([`crate::call::retry_delay_ms`]: retryable kind, retries left on this
//!    candidate; backoff with jitter, never shorter than `Retry-After`) and the wait fits in the
//!    time left: sleep, then the same candidate again.
//! 4. Otherwise the next candidate, with its own retries, if there is one.
//! 5. Otherwise the call ends with the last error. A `Retry-After` longer than the time left
//!    ends it at once, the error's `retryAfterMs` set, rather than sleeping past the deadline.
//!
//! A stream has a commit point: until its first content-bearing chunk has been handed to the
//! caller, an error (before the first byte or inside the stream) is handed back here and may still
//! retry or fall back; after it, the error is the stream's (the driver never reports it here).

use crate::call::retry_delay_ms;
use crate::error::{ErrorKind, LlmError};

/// What the caller asked for: retries per candidate, how many fallbacks, the whole call's time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Policy {
    /// Retries of a retryable error, per candidate (`numRetries`).
    pub max_retries: u32,
    /// Candidates after the first (`fallbacks.length`).
    pub fallbacks: usize,
    /// The whole call's time (`timeout`), from [`Lifecycle::new`]'s `now_ms`.
    pub timeout_ms: u64,
    /// The first retry's backoff; doubled per retry, capped at `backoff_max_ms`.
    pub backoff_ms: u64,
    pub backoff_max_ms: u64,
}

impl Default for Policy {
    fn default() -> Self {
        Policy { max_retries: 0, fallbacks: 0, timeout_ms: 600_000, backoff_ms: 1000, backoff_max_ms: 60_000 }
    }
}

/// What the driver must do next.
#[derive(Debug, Clone, PartialEq)]
#[must_use]
pub enum Step {
    /// Make one attempt on candidate `candidate` (0 = the model, 1.. = its fallbacks), allowing it
    /// `time_left_ms`; report a failure with [`Lifecycle::handle_error`]. A success ends the call
    /// (for a stream: once its commit point passed).
    Attempt { candidate: usize, retry: u32, time_left_ms: u64 },
    /// Wait this long (the caller's signal may cut it short: report that as `APIUserAbortError`),
    /// then poll again.
    Sleep { ms: u64 },
    /// The call failed with this error.
    Fail(LlmError),
}

#[derive(Debug, Clone, PartialEq)]
enum State {
    /// The next poll makes an attempt.
    Ready,
    /// An attempt is under way (polled, not yet reported).
    InFlight,
    /// A sleep is owed before the next attempt.
    Backoff(u64),
    /// A sleep was handed out; the next poll makes the attempt.
    Sleeping,
    Failed(LlmError),
}

#[derive(Debug, Clone)]
pub struct Lifecycle {
    policy: Policy,
    deadline_ms: u64,
    candidate: usize,
    retry: u32,
    state: State,
}

impl Lifecycle {
    pub fn new(policy: Policy, now_ms: u64) -> Self {
        Lifecycle { policy, deadline_ms: now_ms.saturating_add(policy.timeout_ms), candidate: 0, retry: 0, state: State::Ready }
    }

    /// The call's deadline (Unix epoch milliseconds, the caller's clock).
    pub fn deadline_ms(&self) -> u64 {
        self.deadline_ms
    }

    /// The next step. Polling again without reporting an attempt's outcome repeats nothing: it
    /// is a driver bug, answered with a `Fail`.
    pub fn poll(&mut self, now_ms: u64) -> Step {
        match std::mem::replace(&mut self.state, State::InFlight) {
            State::Failed(e) => {
                self.state = State::Failed(e.clone());
                Step::Fail(e)
            }
            State::Backoff(ms) => {
                self.state = State::Sleeping;
                Step::Sleep { ms }
            }
            State::Ready | State::Sleeping if now_ms >= self.deadline_ms => self.fail(timeout(self.policy.timeout_ms)),
            State::Ready | State::Sleeping => {
                Step::Attempt { candidate: self.candidate, retry: self.retry, time_left_ms: self.deadline_ms - now_ms }
            }
            State::InFlight => self.fail(LlmError::bad_request("the call's driver polled again before reporting its attempt")),
        }
    }

    /// The attempt failed with `error` at `now_ms`; `rand` in `[0, 1)` jitters the backoff.
    pub fn handle_error(&mut self, error: LlmError, now_ms: u64, rand: f64) {
        if self.state != State::InFlight {
            self.state = State::Failed(LlmError::bad_request("the call's driver reported an attempt it was not given"));
            return;
        }
        if error.kind == ErrorKind::APIUserAbortError {
            self.state = State::Failed(error);
            return;
        }
        if now_ms >= self.deadline_ms {
            let e = if error.kind == ErrorKind::Timeout { error } else { timeout(self.policy.timeout_ms) };
            self.state = State::Failed(e);
            return;
        }
        let left = self.deadline_ms - now_ms;
        let delay = retry_delay_ms(&error, self.retry, self.policy.max_retries, rand, self.policy.backoff_ms, self.policy.backoff_max_ms);
        match delay {
            Some(ms) if ms < left => {
                self.retry += 1;
                self.state = if ms == 0 { State::Ready } else { State::Backoff(ms) };
            }
            _ if self.candidate < self.policy.fallbacks => {
                self.candidate += 1;
                self.retry = 0;
                self.state = State::Ready;
            }
            _ => self.state = State::Failed(error),
        }
    }

    /// The sleep was cut short by the caller's signal.
    pub fn handle_abort(&mut self) {
        self.state = State::Failed(LlmError::new(ErrorKind::APIUserAbortError, "the request was aborted"));
    }

    fn fail(&mut self, e: LlmError) -> Step {
        self.state = State::Failed(e.clone());
        Step::Fail(e)
    }
}

fn timeout(ms: u64) -> LlmError {
    LlmError::new(ErrorKind::Timeout, format!("the call did not finish within its timeout ({ms} ms)"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rate_limited(after_ms: Option<u64>) -> LlmError {
        LlmError::new(ErrorKind::RateLimitError, "slow down").with_status(429).with_retry_after_ms(after_ms)
    }

    /// Drives a machine against scripted outcomes with a fake clock: each attempt takes
    /// `attempt_ms` and fails with the next scripted error (`None`: succeeds). Returns the steps.
    fn drive(policy: Policy, attempt_ms: u64, mut script: Vec<Option<LlmError>>) -> (Vec<Step>, u64) {
        let mut now = 1_000_000;
        let mut m = Lifecycle::new(policy, now);
        let mut steps = Vec::new();
        for _ in 0..100 {
            let step = m.poll(now);
            steps.push(step.clone());
            match step {
                Step::Attempt { .. } => {
                    now += attempt_ms;
                    match script.remove(0) {
                        None => return (steps, now),
                        Some(e) => m.handle_error(e, now, 0.5),
                    }
                }
                Step::Sleep { ms } => now += ms,
                Step::Fail(_) => return (steps, now),
            }
        }
        panic!("did not end: {steps:?}");
    }

    fn attempts(steps: &[Step]) -> Vec<(usize, u32)> {
        steps.iter().filter_map(|s| if let Step::Attempt { candidate, retry, .. } = s { Some((*candidate, *retry)) } else { None }).collect()
    }

    #[test]
    fn retries_back_off_with_jitter_and_honour_retry_after() {
        let p = Policy { max_retries: 3, ..Policy::default() };
        let e500 = || Some(LlmError::new(ErrorKind::InternalServerError, "boom"));
        let (steps, _) = drive(p, 10, vec![e500(), e500(), Some(rate_limited(Some(7000))), None]);
        assert_eq!(attempts(&steps), vec![(0, 0), (0, 1), (0, 2), (0, 3)]);
        // equal jitter at rand 0.5: 750, 1500; then Retry-After 7 s beats the 3 s backoff
        let sleeps: Vec<u64> = steps.iter().filter_map(|s| if let Step::Sleep { ms } = s { Some(*ms) } else { None }).collect();
        assert_eq!(sleeps, vec![750, 1500, 7000]);
    }

    #[test]
    fn retries_exhausted_fall_back_in_order_each_with_its_own_retries() {
        let p = Policy { max_retries: 1, fallbacks: 2, ..Policy::default() };
        let e503 = || Some(LlmError::new(ErrorKind::ServiceUnavailableError, "down"));
        let auth = Some(LlmError::new(ErrorKind::AuthenticationError, "bad key"));
        let (steps, _) = drive(p, 10, vec![e503(), e503(), auth, e503(), e503()]);
        // candidate 0: attempt + retry; 1: not retryable, at once to 2; 2: attempt + retry; then fail
        assert_eq!(attempts(&steps), vec![(0, 0), (0, 1), (1, 0), (2, 0), (2, 1)]);
        let Some(Step::Fail(e)) = steps.last() else { panic!("{steps:?}") };
        assert_eq!(e.kind, ErrorKind::ServiceUnavailableError, "the last error ends the call");
    }

    #[test]
    fn the_deadline_covers_attempts_sleeps_and_fallbacks() {
        // 3 s for the whole call; each attempt takes 1 s; backoff would be 1 s, 2 s, ...
        let p = Policy { max_retries: 5, fallbacks: 1, timeout_ms: 3000, backoff_ms: 1000, ..Policy::default() };
        let e500 = || Some(LlmError::new(ErrorKind::InternalServerError, "boom"));
        let (steps, end) = drive(p, 1000, vec![e500(), e500(), e500(), e500()]);
        // 0 s attempt → 1 s: sleep 750 → 1.75 s attempt → 2.75 s: the 1.5 s backoff does not fit
        // in 0.25 s: the fallback, which gets the 0.25 s left; its failure at 3.75 s is past the
        // deadline: Timeout
        assert_eq!(attempts(&steps), vec![(0, 0), (0, 1), (1, 0)]);
        let Some(Step::Attempt { time_left_ms, .. }) = steps.iter().rev().find(|s| matches!(s, Step::Attempt { .. })) else { panic!() };
        assert_eq!(*time_left_ms, 250);
        let Some(Step::Fail(e)) = steps.last() else { panic!("{steps:?}") };
        assert_eq!(e.kind, ErrorKind::Timeout);
        assert!(end <= 1_000_000 + 3000 + 1000, "ended at +{} ms", end - 1_000_000);
    }

    #[test]
    fn a_retry_after_longer_than_the_time_left_ends_the_call_at_once() {
        let p = Policy { max_retries: 3, timeout_ms: 5000, ..Policy::default() };
        let (steps, end) = drive(p, 10, vec![Some(rate_limited(Some(86_400_000)))]);
        assert_eq!(steps.len(), 2, "{steps:?}");
        let Step::Fail(e) = &steps[1] else { panic!("{steps:?}") };
        assert_eq!(e.kind, ErrorKind::RateLimitError);
        assert_eq!(e.retry_after_ms, Some(86_400_000));
        assert_eq!(end, 1_000_010, "no sleep");
        // with a fallback, the fallback is tried instead (another model need not be limited)
        let p = Policy { fallbacks: 1, ..p };
        let (steps, _) = drive(p, 10, vec![Some(rate_limited(Some(86_400_000))), None]);
        assert_eq!(attempts(&steps), vec![(0, 0), (1, 0)]);
    }

    #[test]
    fn a_deadline_passed_during_an_attempt_is_a_timeout_and_aborts_end_everything() {
        let p = Policy { max_retries: 3, fallbacks: 3, timeout_ms: 100, ..Policy::default() };
        let (steps, _) = drive(p, 150, vec![Some(LlmError::new(ErrorKind::APIConnectionError, "reset"))]);
        assert!(matches!(steps.last(), Some(Step::Fail(e)) if e.kind == ErrorKind::Timeout), "{steps:?}");
        let (steps, _) = drive(Policy { timeout_ms: 10_000, ..p }, 10, vec![Some(LlmError::new(ErrorKind::APIUserAbortError, "aborted"))]);
        assert_eq!(steps.len(), 2);
        assert!(matches!(&steps[1], Step::Fail(e) if e.kind == ErrorKind::APIUserAbortError));
        // an abort during a sleep
        let mut m = Lifecycle::new(Policy { max_retries: 1, ..Policy::default() }, 0);
        assert!(matches!(m.poll(0), Step::Attempt { .. }));
        m.handle_error(rate_limited(Some(5000)), 10, 0.0);
        assert_eq!(m.poll(10), Step::Sleep { ms: 5000 });
        m.handle_abort();
        assert!(matches!(m.poll(20), Step::Fail(e) if e.kind == ErrorKind::APIUserAbortError));
    }

    #[test]
    fn a_zero_wait_retries_at_once_and_driver_mistakes_fail_cleanly() {
        let mut m = Lifecycle::new(Policy { max_retries: 2, ..Policy::default() }, 0);
        assert!(matches!(m.poll(0), Step::Attempt { retry: 0, .. }));
        m.handle_error(rate_limited(Some(0)).with_retry_after_ms(None), 5, 0.0);
        // backoff 500 at rand 0: a sleep
        assert_eq!(m.poll(5), Step::Sleep { ms: 500 });
        assert!(matches!(m.poll(505), Step::Attempt { retry: 1, .. }));
        assert!(matches!(m.poll(505), Step::Fail(e) if e.kind == ErrorKind::BadRequestError), "polled twice");
        let mut m = Lifecycle::new(Policy::default(), 0);
        m.handle_error(rate_limited(None), 0, 0.0);
        assert!(matches!(m.poll(0), Step::Fail(_)), "an outcome for an attempt never handed out");
    }
}
