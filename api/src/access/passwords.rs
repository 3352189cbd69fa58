//! Password hashing: argon2id with OWASP's parameters, on a few threads of its own, so that
//! a flood of sign-ins can neither starve the async executor nor grow the memory: each hash
//! takes 19 MiB, and a thread that hashes again reuses the block it freed, where tokio's
//! blocking pool spread them over many threads and kept them all (1.5 GiB resident after a
//! flood of 32 connections, measured with `bench/run.sh`).

use std::sync::mpsc::{Receiver, Sender};
use std::sync::{Arc, Mutex};

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher as _, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};

use crate::error::ApiError;
use crate::values::ValueError;

/// The shortest password accepted, in characters.
pub const MIN_PASSWORD_CHARS: usize = 12;
/// The longest password accepted, in bytes (hashing cost grows with it).
pub const MAX_PASSWORD_BYTES: usize = 1024;

/// A password as typed, checked for length. It is never logged: `Debug` hides it.
pub struct Password(String);

impl std::fmt::Debug for Password {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str("Password(…)")
    }
}

impl Password {
    /// A new password: at least 12 characters, at most 1,024 bytes.
    pub fn parse_new(text: String) -> Result<Self, ValueError> {
        if text.chars().count() < MIN_PASSWORD_CHARS {
            return Err(ValueError(format!(
                "must be at least {MIN_PASSWORD_CHARS} characters"
            )));
        }
        if text.len() > MAX_PASSWORD_BYTES {
            return Err(ValueError(format!(
                "must be at most {MAX_PASSWORD_BYTES} bytes"
            )));
        }
        Ok(Self(text))
    }

    /// A password offered at sign-in, unchecked but for its size.
    pub fn offered(text: String) -> Self {
        let mut text = text;
        text.truncate(MAX_PASSWORD_BYTES);
        Self(text)
    }
}

fn argon2() -> Argon2<'static> {
    Argon2::new(Algorithm::Argon2id, Version::V0x13, Params::DEFAULT)
}

/// Hashes and verifies passwords, a few at a time.
#[derive(Clone)]
pub struct PasswordHasher {
    /// The queue of the hashing threads; they stop when the last hasher is dropped.
    jobs: Sender<Job>,
    /// A hash of a random password, verified when the email is unknown so that an unknown
    /// email costs the same time as a wrong password.
    dummy_hash: Arc<String>,
}

/// The outcome of a verification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verified {
    No,
    Yes,
    /// Correct, but hashed with other parameters: here is a new hash to store.
    YesRehashed(String),
}

/// One hash to run, with where to send its result.
type Job = Box<dyn FnOnce() + Send>;

/// How much less the scheduler favours a hashing thread than the threads that serve
/// requests (a nice value, added to the process's). When both want the CPU, a flood of
/// sign-ins then waits for the reads instead of taking half the machine from them; when the
/// reads leave it idle, hashing gets all of it. Measured with `bench/run.sh`'s flood
/// (bench/RESULTS.md, session 6).
const HASHING_NICENESS: i32 = 5;

/// Lowers the calling thread's priority by [`HASHING_NICENESS`]. Best effort: lowering a
/// priority needs no privilege, and a thread left at the usual one only hashes sooner.
#[cfg(target_os = "linux")]
fn lower_priority() {
    use rustix::process::{getpriority_process, setpriority_process};
    // On Linux the nice value belongs to each thread.
    let thread = Some(rustix::thread::gettid());
    if let Ok(current) = getpriority_process(thread) {
        let _ = setpriority_process(thread, (current + HASHING_NICENESS).min(19));
    }
}

/// Elsewhere the nice value belongs to the whole process: hashing keeps the usual priority.
#[cfg(not(target_os = "linux"))]
fn lower_priority() {}

fn hashing_thread(jobs: &Mutex<Receiver<Job>>) {
    lower_priority();
    loop {
        let job = match jobs.lock() {
            Ok(receiver) => receiver.recv(),
            Err(_) => return,
        };
        match job {
            Ok(job) => job(),
            Err(_) => return,
        }
    }
}

impl PasswordHasher {
    /// A hasher running at most `concurrency` hashes at once, on as many threads.
    pub fn new(concurrency: usize) -> Result<Self, ApiError> {
        let dummy = SaltString::generate(&mut OsRng);
        let dummy_hash = argon2()
            .hash_password(dummy.as_str().as_bytes(), &SaltString::generate(&mut OsRng))
            .map_err(|error| ApiError::internal(error.to_string()))?
            .to_string();
        let (jobs, receiver) = std::sync::mpsc::channel::<Job>();
        let receiver = Arc::new(Mutex::new(receiver));
        for index in 0..concurrency.max(1) {
            let receiver = Arc::clone(&receiver);
            std::thread::Builder::new()
                .name(format!("cuf-hash-{index}"))
                .spawn(move || hashing_thread(&receiver))
                .map_err(ApiError::internal)?;
        }
        Ok(Self {
            jobs,
            dummy_hash: Arc::new(dummy_hash),
        })
    }

    async fn blocking<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, ApiError> {
        let (sender, result) = tokio::sync::oneshot::channel();
        let job: Job = Box::new(move || {
            // The request may have gone; its result then has nowhere to go.
            let _ = sender.send(work());
        });
        self.jobs
            .send(job)
            .map_err(|_| ApiError::internal("the hashing threads have stopped"))?;
        result
            .await
            .map_err(|_| ApiError::internal("a hashing thread failed"))
    }

    /// The argon2id PHC string of `password`.
    pub async fn hash(&self, password: &Password) -> Result<String, ApiError> {
        let password = password.0.clone();
        self.blocking(move || {
            argon2()
                .hash_password(password.as_bytes(), &SaltString::generate(&mut OsRng))
                .map(|hash| hash.to_string())
                .map_err(|error| ApiError::internal(error.to_string()))
        })
        .await?
    }

    /// Whether `password` matches `stored` (or, for an unknown account, the dummy hash,
    /// which never matches but costs the same).
    pub async fn verify(
        &self,
        password: &Password,
        stored: Option<&str>,
    ) -> Result<Verified, ApiError> {
        let known = stored.is_some();
        let stored = stored.unwrap_or(&self.dummy_hash).to_owned();
        let password = password.0.clone();
        self.blocking(move || {
            let Ok(parsed) = PasswordHash::new(&stored) else {
                return Ok(Verified::No);
            };
            if argon2()
                .verify_password(password.as_bytes(), &parsed)
                .is_err()
                || !known
            {
                return Ok(Verified::No);
            }
            let current = Params::DEFAULT;
            let same = Params::try_from(&parsed).is_ok_and(|params| {
                params.m_cost() == current.m_cost()
                    && params.t_cost() == current.t_cost()
                    && params.p_cost() == current.p_cost()
            }) && parsed.algorithm == argon2::ARGON2ID_IDENT;
            if same {
                return Ok(Verified::Yes);
            }
            argon2()
                .hash_password(password.as_bytes(), &SaltString::generate(&mut OsRng))
                .map(|hash| Verified::YesRehashed(hash.to_string()))
                .map_err(|error| ApiError::internal(error.to_string()))
        })
        .await?
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(target_os = "linux")]
    #[tokio::test]
    async fn hashing_threads_give_way_to_the_threads_serving_requests() {
        let nice = || rustix::process::getpriority_process(Some(rustix::thread::gettid()));
        let serving = nice().unwrap();
        let hasher = PasswordHasher::new(1).unwrap();
        let hashing = hasher.blocking(move || nice().unwrap()).await.unwrap();
        assert_eq!(hashing, (serving + HASHING_NICENESS).min(19));
    }

    #[tokio::test]
    async fn passwords_hash_verify_and_rehash_weaker_parameters() {
        let hasher = PasswordHasher::new(2).unwrap();
        let password = Password::parse_new("correct horse battery".into()).unwrap();
        let hash = hasher.hash(&password).await.unwrap();
        assert!(
            hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{hash}"
        );
        assert!(!hash.contains("correct horse"));
        assert_eq!(
            hasher.verify(&password, Some(&hash)).await.unwrap(),
            Verified::Yes
        );
        let wrong = Password::offered("wrong password!".into());
        assert_eq!(
            hasher.verify(&wrong, Some(&hash)).await.unwrap(),
            Verified::No
        );
        assert_eq!(hasher.verify(&password, None).await.unwrap(), Verified::No);
        let weak = Argon2::new(
            Algorithm::Argon2id,
            Version::V0x13,
            Params::new(8192, 1, 1, None).unwrap(),
        )
        .hash_password(b"correct horse battery", &SaltString::generate(&mut OsRng))
        .unwrap()
        .to_string();
        assert!(matches!(
            hasher.verify(&password, Some(&weak)).await.unwrap(),
            Verified::YesRehashed(_)
        ));
        assert!(Password::parse_new("short".into()).is_err());
        assert_eq!(format!("{password:?}"), "Password(…)");
    }
}
