//! Scalar values for the fuzzer: boundaries, encodings, injections and sizes that tend to
//! break servers, and, chosen by the name of the argument or input field, values shaped
//! like what the server expects (an email, an amount, a cursor) so that some get past
//! parsing into the domain and the database.

use serde_json::{Value, json};

use super::pool::{Pool, cursor};
use super::rng::{Rng, base64};

#[rustfmt::skip]
const WORDS: &[&str] = &[
    "Mexico", "Lyon", "Guadalajara", "Cités Unies France", "Île-de-France", "Oaxaca", "a",
    "  padded  ", "Région Rhône-Alpes", "Ciudad de México", "governance", "culture", "x",
];

#[rustfmt::skip]
const UNICODE: &[&str] = &[
    "Ñandú", "日本語のテキスト", "🦀🇫🇷👨‍👩‍👧", "e\u{301}\u{301}\u{301}", "\u{202E}txet lrt",
    "nul\u{0}byte", "\u{0}", "\u{FEFF}bom", "\u{FFFF}\u{10FFFF}", "a\u{200B}b", "\u{1F600}",
    "Z̷̢͉a̸l̵g̶o̸", "\r\n\t", "\u{7}\u{1B}[31m", "\u{D7FF}\u{E000}", "ǅ", "ß", "İstanbul",
];

#[rustfmt::skip]
const INJECTIONS: &[&str] = &[
    "' OR '1'='1", "'; DROP TABLE authority; --", "%", "_%_", "\\", "\"", "\\'", "%00",
    "<script>alert(1)</script>", "${jndi:ldap://x/a}", "{{7*7}}", "../../etc/passwd", "NULL",
    "null", "undefined", "1; SELECT pg_sleep(10)", "$1", "?", "\\x00", "*/ --", "ESCAPE '\\'",
];

/// A string of `length` characters repeated from `unit`.
fn repeated(unit: &str, length: usize) -> String {
    unit.chars().cycle().take(length).collect()
}

/// Any string, from the lists above or made up.
pub fn string(rng: &mut Rng, pool: &Pool) -> String {
    match rng.below(20) {
        0 => String::new(),
        1..=4 => (*rng.pick(WORDS)).to_owned(),
        5 => (0..rng.between(1, 40))
            .map(|_| char::from(rng.between(0x20, 0x7E) as u8))
            .collect(),
        6 | 7 => (*rng.pick(UNICODE)).to_owned(),
        8 | 9 => (*rng.pick(INJECTIONS)).to_owned(),
        10 => {
            // One past the usual column widths and length limits, and far past them.
            let length = *rng.pick(&[3, 9, 17, 33, 65, 129, 201, 256, 2_049, 10_001, 40_000]);
            repeated(rng.pick::<&str>(&["a", "é", "🦀", "ab "]), length)
        }
        11 => (0..rng.between(1, 30))
            .map(|_| {
                let code: &u32 =
                    rng.pick(&[0, 9, 10, 13, 0x7F, 0x85, 0xA0, 0x2028, 0xFFFD, 0x10FFFF]);
                char::from_u32(*code).unwrap_or('?')
            })
            .collect(),
        12 => pool
            .ids
            .get(rng.below(pool.ids.len().max(1)))
            .cloned()
            .unwrap_or_default(),
        13 => (*rng.pick(&[" ", "\t\n", "\u{A0}", "\u{3000}", "   "])).to_owned(),
        14 => {
            let hint = *rng.pick(&HINTS);
            hinted(rng, pool, hint).unwrap_or_default()
        }
        _ => format!("{} {}", rng.pick(WORDS), rng.below(100_000)),
    }
}

/// The names (lowercase fragments of argument and field names) that shape a value.
const HINTS: [&str; 16] = [
    "email",
    "countrycode",
    "website",
    "phone",
    "currency",
    "amount",
    "unitcost",
    "percentage",
    "timezone",
    "csv",
    "password",
    "after",
    "before",
    "refreshtoken",
    "name",
    "search",
];

/// A string shaped for what an argument named `hint` expects, if the name says.
fn hinted(rng: &mut Rng, pool: &Pool, hint: &str) -> Option<String> {
    let text = match hint {
        hint if hint.contains("email") => email(rng),
        hint if hint.contains("countrycode") => (*rng.pick(&[
            "FR", "MX", "fr", "ZZ", "XK", "F", "FRA", "", "🇫🇷", "\u{0}R", " FR", "Fr",
        ]))
        .to_owned(),
        hint if hint.contains("website") || hint.contains("url") => url(rng),
        hint if hint.contains("phone") => (*rng.pick(&[
            "+33 1 23 45 67 89",
            "0123456789",
            "+",
            "abc",
            "+52 (55) 1234-5678",
            "11111111111111111111111111111111111111111",
            "+33\u{0}1",
        ]))
        .to_owned(),
        hint if hint.contains("currency") => (*rng.pick(&[
            "EUR", "USD", "MXN", "XXX", "eur", "EURO", "", "€", "XTS", "JPY", "BHD",
        ]))
        .to_owned(),
        hint if hint.contains("amount") || hint.contains("cost") => money(rng),
        hint if hint.contains("percentage") => (*rng.pick(&[
            "0",
            "33.33",
            "33.34",
            "100",
            "100.00",
            "100.01",
            "-1",
            "50.5",
            "1e2",
            "33.333",
            "9999999999999999999",
            "0.01",
            "",
            "50%",
            "NaN",
        ]))
        .to_owned(),
        hint if hint.contains("timezone") => (*rng.pick(&[
            "Europe/Paris",
            "America/Mexico_City",
            "UTC",
            "Mars/Phobos",
            "",
            "+01:00",
            "../../etc/localtime",
            "Europe/Paris\u{0}",
        ]))
        .to_owned(),
        hint if hint.contains("csv") => csv(rng),
        hint if hint.contains("password") => match rng.below(4) {
            0 => "short".to_owned(),
            1 => "a long enough password".to_owned(),
            2 => repeated("p", *rng.pick(&[72, 200, 5_000])),
            _ => "mot de passe très long ✓".to_owned(),
        },
        hint if hint == "after" || hint == "before" || hint.contains("cursor") => cursor(rng, pool),
        hint if hint.contains("token") => {
            let bytes: Vec<u8> = (0..rng.between(0, 48))
                .map(|_| rng.next_u64() as u8)
                .collect();
            base64(&bytes)
        }
        "status" => {
            (*rng.pick(&["PLANNED", "EN COURS", "DONE", "ABANDONNÉE EN 2014", "x"])).to_owned()
        }
        hint if hint.contains("name") || hint.contains("title") || hint.contains("label") => {
            format!("{} {}", rng.pick(WORDS), rng.below(100_000))
        }
        _ => return None,
    };
    Some(text)
}

/// A string for an argument named `hint`: shaped by the name most of the time.
pub fn hinted_string(rng: &mut Rng, pool: &Pool, hint: &str) -> String {
    if rng.chance(75)
        && let Some(text) = hinted(rng, pool, hint)
    {
        return text;
    }
    string(rng, pool)
}

fn email(rng: &mut Rng) -> String {
    match rng.below(8) {
        0 => format!("fuzz{}@example.org", rng.below(1_000_000)),
        1 => "member@demo.example.org".to_owned(),
        2 => format!("{}@example.org", repeated("a", 300)),
        3 => {
            (*rng.pick(&["x@", "@x", "a@b", "a b@c.d", "ÉLODIE@exemple.fr", "a+b@c.d"])).to_owned()
        }
        4 => "  Fuzz@Example.ORG ".to_owned(),
        5 => format!("a@{}.org", repeated("b", 260)),
        _ => format!("user{}@test.example.org", rng.below(100)),
    }
}

fn url(rng: &mut Rng) -> String {
    match rng.below(6) {
        0 => format!("https://{}.org", repeated("a", 3_000)),
        1 => (*rng.pick(&[
            "http://x",
            "ftp://x.org",
            "javascript:alert(1)",
            "https://",
            "//x.org",
            "https://ex ample.org",
            "https://münchen.de",
            "https://[::1]:99999/",
        ]))
        .to_owned(),
        _ => format!("https://www.example{}.org/page", rng.below(1_000)),
    }
}

fn money(rng: &mut Rng) -> String {
    match rng.below(3) {
        0 => (*rng.pick(&[
            "2500",
            "2500.00",
            "2,500.00",
            "0",
            "0.00",
            "-1",
            "-0.01",
            "0.001",
            "1e3",
            "+5",
            ".5",
            "5.",
            "99999999999999999",
            "92233720368547758.07",
            "92233720368547758.08",
            "9223372036854775807",
            "18446744073709551616",
            "1000000000000000000000000000000",
            "NaN",
            "Infinity",
            " 12 ",
            "12.345",
            "١٢",
            "0x10",
            "2500 EUR",
            "-",
            "",
        ]))
        .to_owned(),
        1 => format!("{}.{:02}", rng.below(100_000), rng.below(100)),
        _ => rng.below(10_000).to_string(),
    }
}

fn csv(rng: &mut Rng) -> String {
    let mut text = String::from(*rng.pick(&[
        "french_authority,foreign_authority,status,title\n",
        "french_authority;foreign_authority\n",
        "collectivite_francaise,foreign_authority\r\n",
        "",
        "\"french_authority\",\"foreign_authority\",\"titre\"\n",
    ]));
    for _ in 0..rng.below(6) {
        let cells: Vec<String> = (0..rng.between(0, 5))
            .map(|_| match rng.below(5) {
                0 => format!("\"{}\"", rng.pick(WORDS)),
                1 => "\"unterminated".to_owned(),
                2 => (*rng.pick(UNICODE)).to_owned(),
                3 => "\"a \"\"quoted\"\" cell\"".to_owned(),
                _ => (*rng.pick(WORDS)).to_owned(),
            })
            .collect();
        text.push_str(&cells.join(","));
        text.push_str(rng.pick::<&str>(&["\n", "\r\n", "\r", ""]));
    }
    text
}

/// An integer for an argument named `hint`; out of `i32` only in variables.
pub fn int(rng: &mut Rng, pool: &Pool, hint: &str) -> i64 {
    let shaped = rng.chance(70);
    if shaped && (hint == "first" || hint == "last") {
        return if rng.chance(85) {
            rng.between(0, 10)
        } else {
            rng.between(11, 100)
        };
    }
    if shaped && hint == "version" {
        return match pool.versions.is_empty() || rng.chance(30) {
            true => rng.between(1, 5),
            false => *rng.pick(&pool.versions),
        };
    }
    if shaped && hint.contains("year") {
        return rng.between(1950, 2035);
    }
    match rng.below(4) {
        0 => rng.between(-5, 60),
        _ => *rng.pick(&[
            0,
            1,
            -1,
            2,
            100,
            101,
            1_000,
            2_014,
            9_999,
            10_000,
            -2_014,
            65_536,
            366,
            3_650_000,
            1_000_000_000,
            i64::from(i32::MAX),
            i64::from(i32::MIN),
            i64::from(i32::MAX) - 1,
            i64::from(i32::MIN) + 1,
        ]),
    }
}

/// A `Date`: valid, impossible, at the edges of the calendar, or not a date.
pub fn date(rng: &mut Rng) -> String {
    if rng.chance(50) {
        return format!(
            "{:04}-{:02}-{:02}",
            rng.between(1900, 2100),
            rng.between(1, 12),
            rng.between(1, 28)
        );
    }
    (*rng.pick(&[
        "2014-03-26",
        "2024-02-29",
        "2023-02-29",
        "2014-13-01",
        "2014-00-10",
        "0000-01-01",
        "0001-01-01",
        "9999-12-31",
        "+262142-12-31",
        "-262143-01-01",
        "+10000-01-01",
        "2014-3-26",
        "26/03/2014",
        "",
        "2014-03-26T10:00:00Z",
        "1969-12-31",
        "-0001-12-31",
    ]))
    .to_owned()
}

/// A `DateTime`: valid, at the edges, or not one.
pub fn datetime(rng: &mut Rng) -> String {
    if rng.chance(50) {
        return format!(
            "{:04}-{:02}-{:02}T{:02}:{:02}:00Z",
            rng.between(1900, 2100),
            rng.between(1, 12),
            rng.between(1, 28),
            rng.between(0, 23),
            rng.between(0, 59)
        );
    }
    (*rng.pick(&[
        "2014-03-26T10:00:00Z",
        "2014-03-26T10:00:00+02:00",
        "9999-12-31T23:59:59Z",
        "+262142-12-31T23:59:59Z",
        "-0001-01-01T00:00:00Z",
        "0000-01-01T00:00:00Z",
        "2014-03-26",
        "1970-01-01T00:00:00-23:59",
        "2014-03-26T24:00:00Z",
        "2016-12-31T23:59:60Z",
        "-262143-01-01T00:00:00Z",
        "-4714-11-23T00:00:00Z",
        "9999-12-31T23:59:59-14:00",
        "0001-01-01T00:00:00+14:00",
    ]))
    .to_owned()
}

/// Any JSON value, of any type: what a variable gets when its type is ignored.
pub fn wild(rng: &mut Rng, pool: &Pool, depth: usize) -> Value {
    let limit = if depth >= 3 { 6 } else { 8 };
    match rng.below(limit) {
        0 => Value::Null,
        1 => Value::Bool(rng.chance(50)),
        2 => json!(int(rng, pool, "")),
        3 => rng
            .pick(&[
                json!(1.5),
                json!(-0.0),
                json!(1e300),
                json!(i64::MAX),
                json!(u64::MAX),
                json!(2_147_483_648_i64),
                json!(9_007_199_254_740_993_i64),
            ])
            .clone(),
        4 | 5 => Value::String(string(rng, pool)),
        6 => Value::Array(
            (0..rng.below(4))
                .map(|_| wild(rng, pool, depth + 1))
                .collect(),
        ),
        _ => {
            let mut object = serde_json::Map::new();
            for _ in 0..rng.below(4) {
                let key = rng.pick(&["id", "name", "input", "", "__proto__", "first"]);
                object.insert((*key).to_owned(), wild(rng, pool, depth + 1));
            }
            Value::Object(object)
        }
    }
}
