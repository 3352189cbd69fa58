//! Fuzzing the API from its own schema: random documents, variables and bodies, generated
//! from the committed SDL, sent by every kind of caller to a server with the demo dataset.
//! Whatever the input, the server answers: never a 5xx status, never an `INTERNAL`,
//! `SERVICE_UNAVAILABLE` or `TIMEOUT` error, never a dropped connection.
//!
//! The run is seeded and bounded: `CUF_FUZZ_SEED` replays one (the seed is printed),
//! `CUF_FUZZ_CASES` sets how many requests it sends, `CUF_FUZZ_STREAMS` how many go at
//! once (1 replays a run exactly; more find contention, such as a busy SQLite).

mod client;
mod generate;
mod inputs;
mod mangle;
mod model;
mod pool;
mod rng;

use std::collections::BTreeMap;

use serde_json::{Value, json};

use crate::helpers::spawn_demo_app_with;
use client::{Answer, Client, Credential, Payload, Request, callers};
use generate::Generator;
use model::Model;
use pool::Pool;
use rng::Rng;

/// The schema the fuzzer generates from: the committed SDL, which a test keeps current.
const SDL: &str = include_str!("../../schema.graphql");

/// Requests per run by default: well under half a minute in a debug build.
const DEFAULT_CASES: usize = 1_200;
/// Requests in flight at once by default.
const DEFAULT_STREAMS: usize = 3;

/// The codes that mean the server failed, not the client.
const SERVER_CODES: [&str; 3] = ["INTERNAL", "SERVICE_UNAVAILABLE", "TIMEOUT"];

/// The shared state of a run.
struct Run<'a> {
    client: Client<'a>,
    model: &'a Model,
    seed: u64,
}

#[tokio::test]
async fn no_input_yields_a_server_error() {
    let seed = env_number("CUF_FUZZ_SEED").unwrap_or_else(|| {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(1, |elapsed| elapsed.as_nanos() as u64)
    });
    let cases = env_number("CUF_FUZZ_CASES").map_or(DEFAULT_CASES, |cases| cases as usize);
    let streams =
        env_number("CUF_FUZZ_STREAMS").map_or(DEFAULT_STREAMS, |streams| streams.max(1) as usize);
    eprintln!(
        "fuzz: seed {seed}, {cases} cases in {streams} streams (replay with CUF_FUZZ_SEED={seed} CUF_FUZZ_CASES={cases} CUF_FUZZ_STREAMS={streams})"
    );
    let app = spawn_demo_app_with(|settings| settings.protection.rate_limit_capacity = 0).await;
    let model = Model::parse(SDL);
    let (callers, protected) = callers(&app).await;
    let mut pool = Pool {
        protected,
        ..Pool::default()
    };
    pool.harvest(&app.data(HARVEST, json!({})).await);
    let run = Run {
        client: Client {
            app: &app,
            callers: &callers,
            relogin: reqwest::Client::builder()
                .local_address(std::net::IpAddr::from([127, 0, 0, 2]))
                .build()
                .unwrap(),
        },
        model: &model,
        seed,
    };
    let mut rng = Rng::new(seed);
    let streams: Vec<_> = (0..streams)
        .map(|stream| {
            let share = cases / streams + usize::from(stream < cases % streams);
            run.stream(stream, rng.fork(), pool.clone(), share)
        })
        .collect();
    let results = futures_util::future::join_all(streams).await;
    let mut tally = BTreeMap::new();
    let mut failures = Vec::new();
    for (stream_tally, stream_failures) in results {
        for (key, count) in stream_tally {
            *tally.entry(key).or_insert(0) += count;
        }
        failures.extend(stream_failures);
    }
    eprintln!("fuzz: seed {seed}, outcomes {tally:?}");
    assert!(
        failures.is_empty(),
        "{} fuzzed requests failed (seed {seed}):\n\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}

/// Ids, cursors and versions to start from, across the demo dataset.
const HARVEST: &str = "{
    authorities(first: 50) { pageInfo { endCursor } edges { cursor node { id version } } }
    organisations(first: 20) { edges { cursor node { id version } } }
    people(first: 20) { edges { cursor node { id version } } }
    cooperations(first: 20) { edges { cursor node { id version themes { id } } } }
    countryGroups { nodes { id version events(first: 10) { edges { cursor node { id version } } } } }
    programmes(first: 10) { edges { cursor node { id version } } }
    users(first: 20) { edges { cursor node { id } } }
}";

fn env_number(name: &str) -> Option<u64> {
    std::env::var(name).ok()?.trim().parse().ok()
}

impl Run<'_> {
    /// Sends `cases` requests one after another; the outcomes, and the failures described.
    async fn stream(
        &self,
        stream: usize,
        mut rng: Rng,
        mut pool: Pool,
        cases: usize,
    ) -> (BTreeMap<String, usize>, Vec<String>) {
        let mut tally = BTreeMap::new();
        let mut failures = Vec::new();
        for case in 0..cases {
            let request = self.request(&mut rng, &pool);
            let answer = self.client.send(&request).await;
            let failure = match &answer {
                // A request the client cannot even build (a URL too long) never left.
                Err(error) if error.is_builder() => continue,
                Err(error) => Some(format!("no response: {error}")),
                Ok(answer) => {
                    let credential = &self.client.callers[request.caller].credential;
                    let invalid = matches!(credential, Credential::Invalid);
                    failure(answer, invalid).or_else(|| {
                        matches!(credential, Credential::Anonymous)
                            .then(|| leak(&request, answer))
                            .flatten()
                    })
                }
            };
            if let Some(reason) = failure {
                let report = self.describe(stream, case, &request, &answer, &reason);
                eprintln!("{report}\n");
                failures.push(report);
                continue;
            }
            let Ok(answer) = answer else { continue };
            *tally.entry(outcome(&answer)).or_insert(0) += 1;
            if answer.status == 401 {
                self.client
                    .sign_in_again(&self.client.callers[request.caller])
                    .await;
            }
            if let Some(body) = &answer.body {
                pool.harvest(body);
                if let Payload::Graphql(document) = request.payload
                    && succeeded(body)
                {
                    pool.remember(document, request.caller, case);
                }
            }
        }
        (tally, failures)
    }

    fn request(&self, rng: &mut Rng, pool: &Pool) -> Request {
        if rng.chance(25)
            && let Some((mut document, caller)) = pool.pick_from_corpus(rng)
        {
            mangle::tweak(rng, pool, &mut document);
            return Request {
                caller,
                invalid: 0,
                accept: None,
                content_type: "application/json",
                payload: Payload::Graphql(document),
            };
        }
        let mut document = Generator::new(self.model, pool, rng).document();
        let mut pick = rng.below(100);
        let caller = self
            .client
            .callers
            .iter()
            .position(|caller| {
                let hit = pick < caller.weight;
                pick = pick.saturating_sub(caller.weight);
                hit
            })
            .unwrap_or(0);
        let accept = match rng.below(40) {
            0..=19 => None,
            20..=27 => Some("application/graphql-response+json"),
            28..=31 => Some("application/json"),
            32..=35 => Some("application/graphql-response+json, application/json;q=0.9"),
            36..=38 => Some("*/*"),
            _ => Some("text/html"),
        };
        let mut content_type = "application/json";
        let payload = match rng.below(100) {
            0..=59 => Payload::Graphql(document),
            60..=79 => {
                mangle::mangle(rng, pool, &mut document);
                Payload::Graphql(document)
            }
            80..=91 => {
                if rng.chance(10) {
                    content_type = *rng.pick(&[
                        "text/plain",
                        "application/json; charset=latin1",
                        "application/graphql",
                        "",
                    ]);
                }
                Payload::Raw(mangle::raw_body(rng, pool, &document))
            }
            _ => {
                if rng.chance(30) {
                    mangle::mangle(rng, pool, &mut document);
                }
                // Long documents go by POST: a URL has its limits, in the client too.
                if document.query.len() < 4_000 {
                    Payload::Get(document)
                } else {
                    Payload::Graphql(document)
                }
            }
        };
        Request {
            caller,
            invalid: rng.next_u64() as usize,
            accept,
            content_type,
            payload,
        }
    }

    fn describe(
        &self,
        stream: usize,
        case: usize,
        request: &Request,
        answer: &Result<Answer, reqwest::Error>,
        reason: &str,
    ) -> String {
        let sent = match &request.payload {
            Payload::Graphql(document) | Payload::Get(document) => format!(
                "{} document:\n{}\nvariables: {}\noperationName: {:?}",
                if matches!(request.payload, Payload::Get(_)) {
                    "GET"
                } else {
                    "POST"
                },
                clip(&document.query),
                clip(&Value::Object(document.variables.clone()).to_string()),
                document.operation_name
            ),
            Payload::Raw(bytes) => format!("raw body:\n{}", clip(&String::from_utf8_lossy(bytes))),
        };
        let received = match answer {
            Ok(answer) => format!("response {}: {}", answer.status, clip(&answer.text)),
            Err(error) => format!("no response: {error:?}"),
        };
        let caller = &self.client.callers[request.caller];
        let credentials = match caller.credential {
            Credential::Invalid => {
                let (name, value) = client::INVALID[request.invalid % client::INVALID.len()];
                format!(" ({name}: {:?})", String::from_utf8_lossy(value))
            }
            _ => String::new(),
        };
        format!(
            "FUZZ FAILURE (seed {}, stream {stream}, case {case}): {reason}\ncaller: {}{credentials}, accept: {:?}, content-type: {:?}\n{sent}\n{received}",
            self.seed, caller.label, request.accept, request.content_type
        )
    }
}

/// Why `answer` is a failure of the server, if it is one; `invalid` when the request
/// carried credentials that identify no one, which must never run a document.
fn failure(answer: &Answer, invalid: bool) -> Option<String> {
    if answer.status >= 500 {
        return Some(format!("status {}", answer.status));
    }
    if invalid
        && answer
            .body
            .as_ref()
            .is_some_and(|body| body.get("data").is_some())
    {
        return Some("invalid credentials ran a document".to_owned());
    }
    let errors = answer.body.as_ref()?.get("errors")?.as_array()?;
    errors.iter().find_map(|error| {
        let code = error["extensions"]["code"].as_str()?;
        SERVER_CODES
            .contains(&code)
            .then(|| format!("error code {code}: {}", error["message"]))
    })
}

/// The contact detail an anonymous caller was shown, if any: no e-mail address or phone
/// number reaches anonymous callers (DESIGN.md, section 2), unless their request signed
/// someone in.
fn leak(request: &Request, answer: &Answer) -> Option<String> {
    fn find(value: &Value) -> Option<String> {
        match value {
            Value::Object(object) => object.iter().find_map(|(key, value)| match key.as_str() {
                "email" | "phone" if !value.is_null() => Some(format!("{key}: {value}")),
                _ => find(value),
            }),
            Value::Array(items) => items.iter().find_map(find),
            _ => None,
        }
    }
    if let Payload::Graphql(document) | Payload::Get(document) = &request.payload
        && ["login", "refreshSession"]
            .iter()
            .any(|field| document.query.contains(field))
    {
        return None;
    }
    let shown = find(answer.body.as_ref()?.get("data")?)?;
    Some(format!("an anonymous caller was shown {shown}"))
}

/// Whether `body` has data, no error and no user error anywhere.
fn succeeded(body: &Value) -> bool {
    fn no_user_errors(value: &Value) -> bool {
        match value {
            Value::Object(object) => {
                object
                    .iter()
                    .all(|(key, value)| match (key.as_str(), value) {
                        ("userErrors", Value::Array(errors)) => errors.is_empty(),
                        _ => no_user_errors(value),
                    })
            }
            Value::Array(items) => items.iter().all(no_user_errors),
            _ => true,
        }
    }
    body.get("errors").is_none() && body["data"].is_object() && no_user_errors(&body["data"])
}

/// The tally key of an answer: its status and its first error code, if any.
fn outcome(answer: &Answer) -> String {
    let code = answer
        .body
        .as_ref()
        .and_then(|body| body["errors"][0]["extensions"]["code"].as_str())
        .unwrap_or(
            if answer
                .body
                .as_ref()
                .is_some_and(|body| body.get("data").is_some())
            {
                "data"
            } else {
                "-"
            },
        );
    format!("{} {code}", answer.status)
}

/// `text`, cut to a readable length.
fn clip(text: &str) -> String {
    const LIMIT: usize = 6_000;
    if text.chars().count() <= LIMIT {
        return text.to_owned();
    }
    let kept: String = text.chars().take(LIMIT).collect();
    format!("{kept}… ({} characters in all)", text.chars().count())
}
