//! Malformed requests: valid-shaped documents with random edits (characters and tokens
//! inserted, deleted or repeated, truncation, duplicated and cyclic fragments, unknown
//! fields, arguments and directives, deep nesting), bodies that are not GraphQL requests
//! at all (invalid JSON, JSON of the wrong shape, huge strings within the body limit), and
//! documents that succeeded, sent again with one value at an edge.

use serde_json::{Value, json};

use super::generate::Document;
use super::inputs;
use super::pool::Pool;
use super::rng::Rng;

#[rustfmt::skip]
const TOKENS: &[&str] = &[
    "{", "}", "(", ")", "[", "]", ":", "$", "$v0", "...", "@skip(if: true)", "@include",
    "@deprecated", "fragment", "on", "query", "mutation", "subscription", "\"", "\"\"\"", "\\u",
    "#", "!", "=", "|", "&", ",", "null", "true", "-", "1e", "0x1", "__typename", "__schema",
    "\u{0}", "\u{FEFF}", "é", "🦀", "\n", "bogusField", "(nope: 1)", "node(id: \"x\")",
];

/// Applies one to three random edits to `document`.
pub fn mangle(rng: &mut Rng, pool: &Pool, document: &mut Document) {
    for _ in 0..rng.between(1, 3) {
        edit(rng, pool, document);
    }
}

fn edit(rng: &mut Rng, pool: &Pool, document: &mut Document) {
    let mut characters: Vec<char> = document.query.chars().collect();
    let length = characters.len();
    let at = rng.below(length + 1);
    match rng.below(14) {
        0 => {
            let end = (at + rng.between(1, 8) as usize).min(length);
            characters.drain(at..end);
        }
        1 | 2 => {
            let token = format!(" {} ", rng.pick(TOKENS));
            characters.splice(at..at, token.chars());
        }
        3 => characters.truncate(at),
        4 => {
            let end = (at + rng.between(1, 40) as usize).min(length);
            let copy: Vec<char> = characters[at..end].to_vec();
            characters.splice(end..end, copy);
        }
        5 => return duplicate_fragments(rng, document),
        6 => return insert_after_brace(rng, &mut document.query, "bogusField "),
        7 => {
            if let Some(position) = document.query.find('(') {
                document.query.insert_str(position + 1, "bogus: \"x\", ");
            } else {
                insert_after_brace(rng, &mut document.query, "__typename(nope: 1) ");
            }
            return;
        }
        8 => {
            let directives = rng.pick(&[
                " @skip(if: true) @skip(if: false) ",
                " @include(if: $undefined) ",
                " @deprecated ",
                " @skip ",
                " @include(if: \"yes\") ",
                " @skip(if: true) @include(if: true) @skip(if: false) @include(if: false) ",
            ]);
            if let Some(position) = document.query.rfind('}') {
                document.query.insert_str(position, directives);
            }
            return;
        }
        9 => {
            document.query = format!("{0}\n{0}", document.query);
            return;
        }
        10 => {
            document.operation_name =
                Some((*rng.pick(&["Missing", "", "Fuzz1", "query", "\u{0}"])).to_owned());
            return;
        }
        11 => {
            let keys: Vec<String> = document.variables.keys().cloned().collect();
            for key in keys {
                if rng.chance(50) {
                    document.variables.insert(key, inputs::wild(rng, pool, 0));
                }
            }
            document
                .variables
                .insert("extra".into(), inputs::wild(rng, pool, 0));
            return;
        }
        12 => {
            document.query = deep_nesting(rng);
            return;
        }
        _ => {
            let code: &u32 = rng.pick(&[0, 0xFFFD, 0x7F, 0x2028, 0xFEFF, 0x1F980, 0xA0]);
            let character = char::from_u32(*code).unwrap_or('?');
            if at < length {
                characters[at] = character;
            } else {
                characters.push(character);
            }
        }
    }
    document.query = characters.into_iter().collect();
}

fn insert_after_brace(rng: &mut Rng, query: &mut String, text: &str) {
    let braces: Vec<usize> = query.match_indices('{').map(|(at, _)| at).collect();
    if braces.is_empty() {
        query.push_str(text);
        return;
    }
    let at = *rng.pick(&braces);
    query.insert_str(at + 1, text);
}

fn duplicate_fragments(rng: &mut Rng, document: &mut Document) {
    let addition = match rng.below(5) {
        0 => "\nfragment F0 on Query { __typename }\nfragment F0 on Query { __typename }",
        1 => "\nfragment Loop on Query { ...Loop }",
        2 => "\nfragment A on Query { ...B }\nfragment B on Query { ...A }",
        3 => "\nfragment Unused on Nothing { id }",
        _ => "\nfragment W on Authority { name }",
    };
    document.query.push_str(addition);
    if rng.chance(50) {
        let spread = rng.pick(&[" ...Loop ", " ...A ", " ...Missing ", " ...W ", " ...F0 "]);
        insert_after_brace(rng, &mut document.query, spread);
    }
}

/// Nesting far past every limit: selections, lists in an argument, or objects in one.
fn deep_nesting(rng: &mut Rng) -> String {
    let levels = *rng.pick(&[13, 100, 1_000, 10_000, 30_000]);
    match rng.below(4) {
        0 => format!(
            "{{ node(id: \"x\") {{ ... on Authority {{ {}id{} }} }} }}",
            "parent { ".repeat(levels.min(8_000)),
            " }".repeat(levels.min(8_000))
        ),
        1 => format!(
            "{{ nodes(ids: {}\"x\"{}) {{ id }} }}",
            "[".repeat(levels),
            "]".repeat(levels)
        ),
        2 => format!(
            "{{ authorities(filter: {}) {{ totalCount }} }}",
            "{search: ".repeat(levels.min(10_000)) + "\"x\"" + &"}".repeat(levels.min(10_000))
        ),
        _ => format!("{}{}", "{ ".repeat(levels), "}".repeat(levels)),
    }
}

/// A body that is not a well-formed GraphQL request, or one at the edges of the body limit.
pub fn raw_body(rng: &mut Rng, pool: &Pool, document: &Document) -> Vec<u8> {
    let valid = json!({ "query": document.query, "variables": document.variables }).to_string();
    match rng.below(12) {
        0 => valid.as_bytes()[..rng.below(valid.len())].to_vec(),
        1 => (0..rng.below(200)).map(|_| rng.next_u64() as u8).collect(),
        2 => rng
            .pick(&[
                "", "{", "}", "null", "[]", "\"query\"", "42", "{}", "{\"query\": 42}",
                "{\"query\": null}", "{\"query\": \"{ __typename }\", \"variables\": \"x\"}",
                "{\"query\": \"{ __typename }\", \"variables\": [1]}",
                "{\"query\": \"{ __typename }\", \"operationName\": 5}",
                "{\"query\": [\"{ __typename }\"]}",
                "[{\"query\": \"{ __typename }\"}, {\"query\": \"{ viewer { id } }\"}]",
                "{\"query\": \"{ __typename }\", \"query\": \"mutation { logoutEverywhere { userErrors { message } } }\"}",
                "{\"query\": \"\\ud800\"}",
                "{\"query\": \"{ __typename }\", \"extensions\": {\"persistedQuery\": {\"version\": 1, \"sha256Hash\": \"x\"}}}",
                "{\"query\": \"{ __typename }\"} trailing",
                "\u{FEFF}{\"query\": \"{ __typename }\"}",
                "{\"query\": \"{ __typename }\", \"variables\": {\"a\": 1e999}}",
            ])
            .as_bytes()
            .to_vec(),
        3 => {
            let depth = *rng.pick(&[200, 5_000, 40_000]);
            format!(
                "{{\"query\": \"query($v: String) {{ __typename }}\", \"variables\": {{\"v\": {}1{}}}}}",
                "[".repeat(depth),
                "]".repeat(depth)
            )
            .into_bytes()
        }
        4 => {
            let size = *rng.pick(&[50_000, 90_000, 102_300]);
            json!({ "query": format!("{{ __typename }}#{}", "x".repeat(size)) })
                .to_string()
                .into_bytes()
        }
        5 => {
            let size = *rng.pick(&[50_000, 90_000]);
            json!({ "query": "query($v: String) { authorities(filter: {search: $v}) { totalCount } }",
                    "variables": { "v": "é".repeat(size / 2) } })
            .to_string()
            .into_bytes()
        }
        6 => {
            let mut value: Value = serde_json::from_str(&valid).unwrap_or(Value::Null);
            value["variables"] = inputs::wild(rng, pool, 0);
            value["operationName"] = inputs::wild(rng, pool, 2);
            value.to_string().into_bytes()
        }
        7 => {
            let mut bytes = valid.into_bytes();
            let at = rng.below(bytes.len());
            bytes[at] = *rng.pick(&[0xFF, 0xC0, 0x80, 0x00, b'"', b'\\']);
            bytes
        }
        8 => json!({ "query": format!("{{ {} }}", "__typename ".repeat(rng.between(100, 9_000) as usize)) })
            .to_string()
            .into_bytes(),
        9 => json!({ "query": format!("{{ {} }}", (0..rng.between(50, 3_000)).map(|index| format!("a{index}: __typename")).collect::<Vec<_>>().join(" ")) })
            .to_string()
            .into_bytes(),
        _ => json!({ "query": inputs::string(rng, pool), "variables": inputs::wild(rng, pool, 1) })
            .to_string()
            .into_bytes(),
    }
}

/// Replaces one leaf of a document that succeeded (a string or integer literal in its text,
/// or a value in its variables) with an extreme value of the same type: the same request,
/// one value off, gets past everything up to the place that value is used.
pub fn tweak(rng: &mut Rng, pool: &Pool, document: &mut Document) {
    let strings = string_literals(&document.query);
    let integers = integer_literals(&document.query);
    let mut leaves = Vec::new();
    for (name, value) in &document.variables {
        leaf_paths(value, vec![name.clone()], &mut leaves);
    }
    let total = strings.len() + integers.len() + leaves.len();
    if total == 0 {
        return;
    }
    let choice = rng.below(total);
    if choice < strings.len() {
        let (start, end) = strings[choice];
        let literal = Value::String(extreme_string(rng, pool)).to_string();
        document.query.replace_range(start..end, &literal);
    } else if choice < strings.len() + integers.len() {
        let (start, end) = integers[choice - strings.len()];
        let integer = rng
            .pick(&[0, -1, i32::MAX, i32::MIN, 1, 100, 101])
            .to_string();
        document.query.replace_range(start..end, &integer);
    } else {
        let path = &leaves[choice - strings.len() - integers.len()];
        let mut slot = document.variables.get_mut(&path[0]);
        for step in &path[1..] {
            slot = slot.and_then(|value| match value {
                Value::Array(items) => items.get_mut(step.parse::<usize>().unwrap_or(0)),
                Value::Object(object) => object.get_mut(step),
                _ => None,
            });
        }
        if let Some(slot) = slot {
            *slot = match slot {
                Value::String(_) => Value::String(extreme_string(rng, pool)),
                Value::Number(_) => rng
                    .pick(&[
                        json!(0),
                        json!(-1),
                        json!(i32::MAX),
                        json!(i32::MIN),
                        json!(i64::MAX),
                        json!(2_147_483_648_i64),
                        json!(0.5),
                    ])
                    .clone(),
                _ => Value::Null,
            };
        }
    }
}

/// A string at an edge: a NUL, control characters, past a length limit, blank, bidi
/// overrides, or any string of [`inputs::string`].
fn extreme_string(rng: &mut Rng, pool: &Pool) -> String {
    match rng.below(13) {
        0 => "a\u{0}b".to_owned(),
        1 => "\u{0}".to_owned(),
        2 => "x".repeat(*rng.pick(&[65, 201, 256, 2_049, 10_001])),
        3 => "é".repeat(*rng.pick(&[201, 10_001, 30_000])),
        4 => (*rng.pick(&["", " ", "\t", "\u{A0}", "\r\n"])).to_owned(),
        5 => (*rng.pick(&[
            "\u{202E}abc",
            "a\u{7}b",
            "a\u{1B}b",
            "\u{FFFF}",
            "\u{10FFFF}",
        ]))
        .to_owned(),
        6 => "🦀".repeat(*rng.pick(&[1, 60, 201])),
        // Numbers in strings (amounts, percentages) at the edges of what they hold.
        7 => (*rng.pick(&[
            "92233720368547758.07",
            "9223372036854775807",
            "99999999999999999999",
            "-1",
            "0",
            "0.001",
            "100.01",
        ]))
        .to_owned(),
        _ => inputs::string(rng, pool),
    }
}

/// The byte ranges of the (non-block) string literals in `query`, quotes included.
fn string_literals(query: &str) -> Vec<(usize, usize)> {
    let bytes = query.as_bytes();
    let mut spans = Vec::new();
    let mut at = 0;
    while at < bytes.len() {
        if bytes[at] != b'"' {
            at += 1;
            continue;
        }
        if bytes[at..].starts_with(b"\"\"\"") {
            return spans;
        }
        let start = at;
        at += 1;
        while at < bytes.len() && bytes[at] != b'"' {
            at += if bytes[at] == b'\\' { 2 } else { 1 };
        }
        if at >= bytes.len() {
            return spans;
        }
        at += 1;
        spans.push((start, at));
    }
    spans
}

/// The byte ranges of the integer literals after a `: ` in `query` (argument and input
/// field values as the generator writes them), outside string literals.
fn integer_literals(query: &str) -> Vec<(usize, usize)> {
    let strings = string_literals(query);
    let bytes = query.as_bytes();
    let mut spans = Vec::new();
    for (colon, _) in query.match_indices(": ") {
        let start = colon + 2;
        let mut end = start;
        while end < bytes.len()
            && (bytes[end].is_ascii_digit() || (end == start && bytes[end] == b'-'))
        {
            end += 1;
        }
        let inside_string = strings
            .iter()
            .any(|(from, to)| (*from..*to).contains(&colon));
        if end > start && bytes[end - 1].is_ascii_digit() && !inside_string {
            spans.push((start, end));
        }
    }
    spans
}

/// The paths to the scalar leaves of `value`.
fn leaf_paths(value: &Value, path: Vec<String>, leaves: &mut Vec<Vec<String>>) {
    match value {
        Value::Array(items) => {
            for (index, item) in items.iter().enumerate() {
                let mut next = path.clone();
                next.push(index.to_string());
                leaf_paths(item, next, leaves);
            }
        }
        Value::Object(object) => {
            for (key, item) in object {
                let mut next = path.clone();
                next.push(key.clone());
                leaf_paths(item, next, leaves);
            }
        }
        _ => leaves.push(path),
    }
}
