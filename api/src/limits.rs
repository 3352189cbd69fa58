//! The limits every GraphQL document is checked against before any resolver or SQL runs,
//! and its cost: the figure the rate limiter charges.
//!
//! The cost is computed from the document and the schema's shape: every field costs one,
//! a connection multiplies the cost of what it selects by its `first` or `last` (the default
//! page size without either), and a plain list of objects by [`LIST_FACTOR`]. Fragments are
//! expanded where they are spread, so a fragment costs what it selects at each place.

use std::collections::HashMap;

use async_graphql::Name;
use async_graphql::Positioned;
use async_graphql::Variables;
use async_graphql::parser::types::{
    BaseType, Directive, DocumentOperations, ExecutableDocument, OperationDefinition,
    OperationType, Selection, SelectionSet, TypeKind, TypeSystemDefinition,
};
use async_graphql_value::{ConstValue, Value};

use crate::pagination::{DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE};

/// What one element of a plain (non-connection) list of objects is assumed to multiply by:
/// such lists are short by design (a programme's actions, a cooperation's partners).
pub const LIST_FACTOR: u64 = 5;

/// The limits, each configurable (`CUF_MAX_*`), with safe defaults.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// The deepest nesting of fields, counted from the operation's root fields (1).
    pub depth: usize,
    /// The highest cost of one operation.
    pub complexity: u64,
    /// The most aliases in a document (an aliased `__typename` counts too).
    pub aliases: usize,
    /// The most fields written in a document, fragments included once each.
    pub fields: usize,
    /// The most directives on one field, fragment spread or inline fragment.
    pub directives: usize,
    /// The deepest nesting of fragment spreads inside fragments.
    pub fragment_depth: usize,
    /// Whether `__schema` and `__type` may be asked.
    pub introspection: bool,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            depth: 12,
            complexity: 50_000,
            aliases: 50,
            fields: 200,
            directives: 3,
            fragment_depth: 8,
            introspection: true,
        }
    }
}

/// A document over a limit: the error code and a message for the client.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    pub code: &'static str,
    pub message: String,
}

impl Violation {
    fn new(code: &'static str, message: String) -> Self {
        Self { code, message }
    }
}

/// One field of the schema: the type it returns, and how it multiplies what it selects.
#[derive(Debug, Clone)]
struct FieldShape {
    type_name: String,
    multiplier: Multiplier,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Multiplier {
    One,
    Connection,
    List,
}

/// The types and fields of the schema, as far as cost is concerned.
#[derive(Debug, Clone, Default)]
pub struct Shape {
    types: HashMap<String, HashMap<String, FieldShape>>,
}

impl Shape {
    /// The shape of the schema whose SDL is `sdl`; empty if the SDL does not parse (every
    /// field then costs one).
    pub fn from_sdl(sdl: &str) -> Self {
        let Ok(document) = async_graphql::parser::parse_schema(sdl) else {
            return Self::default();
        };
        let mut types = HashMap::new();
        for definition in document.definitions {
            let TypeSystemDefinition::Type(definition) = definition else {
                continue;
            };
            let definition = definition.node;
            // A connection's `edges` and `nodes` are its page: already multiplied.
            let page = definition.name.node.ends_with("Connection");
            let fields = match definition.kind {
                TypeKind::Object(object) => object.fields,
                TypeKind::Interface(interface) => interface.fields,
                _ => continue,
            };
            let fields = fields
                .into_iter()
                .map(|field| {
                    let field = field.node;
                    let (type_name, list) = named_type(&field.ty.node.base);
                    let multiplier = if type_name.ends_with("Connection") {
                        Multiplier::Connection
                    } else if list && !page {
                        Multiplier::List
                    } else {
                        Multiplier::One
                    };
                    let shape = FieldShape {
                        type_name,
                        multiplier,
                    };
                    (field.name.node.to_string(), shape)
                })
                .collect();
            types.insert(definition.name.node.to_string(), fields);
        }
        Self { types }
    }

    fn field(&self, parent: Option<&str>, name: &str) -> Option<&FieldShape> {
        self.types.get(parent?)?.get(name)
    }

    fn is_object(&self, name: &str) -> bool {
        self.types.contains_key(name)
    }
}

/// The named type under lists and non-null wrappers, and whether it is a list.
fn named_type(base: &BaseType) -> (String, bool) {
    match base {
        BaseType::Named(name) => (name.to_string(), false),
        BaseType::List(inner) => (named_type(&inner.base).0, true),
    }
}

/// What the analysis found in an accepted document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Analysis {
    /// The cost of the selected operation.
    pub cost: u64,
}

/// Checks `document` against `limits`; the cost of the operation that will run.
///
/// Counts (aliases, fields, directives) cover the whole document; depth and cost cover the
/// operation named `operation_name` (or the only one). A document the executor would refuse
/// anyway (an unknown operation, a missing fragment) is left to its validation.
pub fn analyse(
    shape: &Shape,
    limits: &Limits,
    document: &ExecutableDocument,
    operation_name: Option<&str>,
    variables: &Variables,
) -> Result<Analysis, Violation> {
    count(limits, document)?;
    no_nul(document, variables)?;
    let Some(operation) = select(document, operation_name) else {
        return Ok(Analysis { cost: 1 });
    };
    let root = match operation.ty {
        OperationType::Query => "Query",
        OperationType::Mutation => "Mutation",
        OperationType::Subscription => "Subscription",
    };
    let walker = Walker {
        shape,
        limits,
        document,
        operation,
        variables,
    };
    let cost = walker.selection_set(
        &operation.selection_set.node,
        Some(root),
        1,
        &mut Vec::new(),
    )?;
    if cost > limits.complexity {
        return Err(Violation::new(
            "QUERY_TOO_COMPLEX",
            format!(
                "the query costs {cost}, more than the limit of {}: ask for smaller pages (`first`) or fewer fields",
                limits.complexity
            ),
        ));
    }
    Ok(Analysis { cost: cost.max(1) })
}

fn select<'a>(
    document: &'a ExecutableDocument,
    operation_name: Option<&str>,
) -> Option<&'a OperationDefinition> {
    match (&document.operations, operation_name) {
        (DocumentOperations::Single(operation), _) => Some(&operation.node),
        (DocumentOperations::Multiple(operations), Some(name)) => {
            operations.get(name).map(|operation| &operation.node)
        }
        (DocumentOperations::Multiple(operations), None) if operations.len() == 1 => {
            operations.values().next().map(|operation| &operation.node)
        }
        (DocumentOperations::Multiple(_), None) => None,
    }
}

/// The document-wide counts: aliases, fields and directives as written.
fn count(limits: &Limits, document: &ExecutableDocument) -> Result<(), Violation> {
    #[derive(Default)]
    struct Counts {
        aliases: usize,
        fields: usize,
    }
    fn visit(limits: &Limits, set: &SelectionSet, counts: &mut Counts) -> Result<(), Violation> {
        for item in &set.items {
            let (directives, inner) = match &item.node {
                Selection::Field(field) => {
                    counts.fields += 1;
                    if field.node.alias.is_some() {
                        counts.aliases += 1;
                    }
                    (
                        field.node.directives.len(),
                        Some(&field.node.selection_set.node),
                    )
                }
                Selection::FragmentSpread(spread) => (spread.node.directives.len(), None),
                Selection::InlineFragment(fragment) => (
                    fragment.node.directives.len(),
                    Some(&fragment.node.selection_set.node),
                ),
            };
            if directives > limits.directives {
                return Err(Violation::new(
                    "TOO_MANY_DIRECTIVES",
                    format!(
                        "a selection carries {directives} directives, more than the limit of {}",
                        limits.directives
                    ),
                ));
            }
            if let Some(inner) = inner {
                visit(limits, inner, counts)?;
            }
        }
        Ok(())
    }
    let mut counts = Counts::default();
    for (_, operation) in document.operations.iter() {
        visit(limits, &operation.node.selection_set.node, &mut counts)?;
    }
    for fragment in document.fragments.values() {
        visit(limits, &fragment.node.selection_set.node, &mut counts)?;
    }
    if counts.aliases > limits.aliases {
        return Err(Violation::new(
            "TOO_MANY_ALIASES",
            format!(
                "the document has {} aliases, more than the limit of {}",
                counts.aliases, limits.aliases
            ),
        ));
    }
    if counts.fields > limits.fields {
        return Err(Violation::new(
            "TOO_MANY_FIELDS",
            format!(
                "the document has {} fields, more than the limit of {}",
                counts.fields, limits.fields
            ),
        ));
    }
    Ok(())
}

/// Refuses text holding a NUL character (U+0000) anywhere in the document's values or in the
/// variables. No field of the API can hold one, and PostgreSQL refuses it in text, so the
/// fields that pass text on to SQL unchecked (a filter, an id looked up) would fail there;
/// SQLite would take it and answer differently. Found by the fuzzer, one field at a time:
/// this refuses it once, for every field, before anything runs.
fn no_nul(document: &ExecutableDocument, variables: &Variables) -> Result<(), Violation> {
    fn in_value(value: &Value) -> bool {
        match value {
            Value::String(text) => text.contains('\0'),
            Value::List(items) => items.iter().any(in_value),
            Value::Object(fields) => fields.values().any(in_value),
            _ => false,
        }
    }
    fn in_constant(value: &ConstValue) -> bool {
        match value {
            ConstValue::String(text) => text.contains('\0'),
            ConstValue::List(items) => items.iter().any(in_constant),
            ConstValue::Object(fields) => fields.values().any(in_constant),
            _ => false,
        }
    }
    fn in_arguments(arguments: &[(Positioned<Name>, Positioned<Value>)]) -> Option<&str> {
        arguments
            .iter()
            .find(|(_, value)| in_value(&value.node))
            .map(|(name, _)| name.node.as_str())
    }
    fn in_directives(directives: &[Positioned<Directive>]) -> Option<&str> {
        directives
            .iter()
            .find_map(|directive| in_arguments(&directive.node.arguments))
    }
    fn in_set(set: &SelectionSet) -> Option<&str> {
        set.items.iter().find_map(|item| match &item.node {
            Selection::Field(field) => in_arguments(&field.node.arguments)
                .or_else(|| in_directives(&field.node.directives))
                .or_else(|| in_set(&field.node.selection_set.node)),
            Selection::FragmentSpread(spread) => in_directives(&spread.node.directives),
            Selection::InlineFragment(fragment) => in_directives(&fragment.node.directives)
                .or_else(|| in_set(&fragment.node.selection_set.node)),
        })
    }
    let refuse = |place: String| {
        Err(Violation::new(
            "BAD_USER_INPUT",
            format!("{place} holds a NUL character (U+0000), which no text may hold"),
        ))
    };
    if let Some((name, _)) = variables.iter().find(|(_, value)| in_constant(value)) {
        return refuse(format!("the variable `${name}`"));
    }
    for (_, operation) in document.operations.iter() {
        let operation = &operation.node;
        for definition in &operation.variable_definitions {
            let default = definition.node.default_value.as_ref();
            if default.is_some_and(|value| in_constant(&value.node)) {
                let name = &definition.node.name.node;
                return refuse(format!("the default value of `${name}`"));
            }
            if let Some(name) = in_directives(&definition.node.directives) {
                return refuse(format!("the argument `{name}`"));
            }
        }
        let found =
            in_directives(&operation.directives).or_else(|| in_set(&operation.selection_set.node));
        if let Some(name) = found {
            return refuse(format!("the argument `{name}`"));
        }
    }
    for fragment in document.fragments.values() {
        let found = in_directives(&fragment.node.directives)
            .or_else(|| in_set(&fragment.node.selection_set.node));
        if let Some(name) = found {
            return refuse(format!("the argument `{name}`"));
        }
    }
    Ok(())
}

/// Walks the selected operation, fragments expanded, for depth and cost.
struct Walker<'a> {
    shape: &'a Shape,
    limits: &'a Limits,
    document: &'a ExecutableDocument,
    operation: &'a OperationDefinition,
    variables: &'a Variables,
}

impl Walker<'_> {
    /// The cost of `set`, selected on `parent` at `depth`; `fragments` are the fragment
    /// spreads being expanded, outermost first.
    fn selection_set(
        &self,
        set: &SelectionSet,
        parent: Option<&str>,
        depth: usize,
        fragments: &mut Vec<Name>,
    ) -> Result<u64, Violation> {
        let mut cost: u64 = 0;
        for item in &set.items {
            let item_cost = match &item.node {
                Selection::Field(field) => self.field(&field.node, parent, depth, fragments)?,
                Selection::InlineFragment(fragment) => {
                    let condition = fragment
                        .node
                        .type_condition
                        .as_ref()
                        .map(|condition| condition.node.on.node.as_str());
                    let parent = self.narrow(parent, condition);
                    self.selection_set(&fragment.node.selection_set.node, parent, depth, fragments)?
                }
                Selection::FragmentSpread(spread) => {
                    let name = &spread.node.fragment_name.node;
                    // A cycle or an unknown fragment is the validator's to report.
                    if fragments.contains(name) {
                        continue;
                    }
                    let Some(fragment) = self.document.fragments.get(name) else {
                        continue;
                    };
                    if fragments.len() >= self.limits.fragment_depth {
                        return Err(Violation::new(
                            "FRAGMENTS_TOO_DEEP",
                            format!(
                                "fragments are spread inside each other more than {} deep",
                                self.limits.fragment_depth
                            ),
                        ));
                    }
                    let condition = fragment.node.type_condition.node.on.node.as_str();
                    let parent = self.narrow(parent, Some(condition));
                    fragments.push(name.clone());
                    let cost = self.selection_set(
                        &fragment.node.selection_set.node,
                        parent,
                        depth,
                        fragments,
                    );
                    fragments.pop();
                    cost?
                }
            };
            cost = cost.saturating_add(item_cost);
        }
        Ok(cost)
    }

    /// The type a fragment's fields are looked up on.
    fn narrow<'s>(
        &'s self,
        parent: Option<&'s str>,
        condition: Option<&'s str>,
    ) -> Option<&'s str> {
        match condition {
            Some(condition) if self.shape.is_object(condition) => Some(condition),
            Some(_) => None,
            None => parent,
        }
    }

    fn field(
        &self,
        field: &async_graphql::parser::types::Field,
        parent: Option<&str>,
        depth: usize,
        fragments: &mut Vec<Name>,
    ) -> Result<u64, Violation> {
        if depth == 1
            && !self.limits.introspection
            && matches!(field.name.node.as_str(), "__schema" | "__type")
        {
            return Err(Violation::new(
                "INTROSPECTION_DISABLED",
                "introspection is turned off on this server".into(),
            ));
        }
        if depth > self.limits.depth {
            return Err(Violation::new(
                "QUERY_TOO_DEEP",
                format!(
                    "the query nests fields more than {} deep",
                    self.limits.depth
                ),
            ));
        }
        let mut page = None;
        for (name, value) in &field.arguments {
            if matches!(name.node.as_str(), "first" | "last") {
                let size = self.integer(&value.node);
                if let Some(size) = size
                    && !(0..=MAX_PAGE_SIZE as i64).contains(&size)
                {
                    return Err(Violation::new(
                        "PAGE_TOO_LARGE",
                        format!("`{}` must be between 0 and {MAX_PAGE_SIZE}", name.node),
                    ));
                }
                page = page.max(size.map(|size| size as u64));
            }
        }
        let shape = self.shape.field(parent, field.name.node.as_str());
        let children = if field.selection_set.node.items.is_empty() {
            0
        } else {
            self.selection_set(
                &field.selection_set.node,
                shape.map(|shape| shape.type_name.as_str()),
                depth + 1,
                fragments,
            )?
        };
        let multiplier = match shape.map(|shape| shape.multiplier) {
            Some(Multiplier::Connection) => page.unwrap_or(DEFAULT_PAGE_SIZE).max(1),
            Some(Multiplier::List) => LIST_FACTOR,
            Some(Multiplier::One) | None => 1,
        };
        Ok(1u64.saturating_add(children.saturating_mul(multiplier)))
    }

    /// The integer an argument holds, literally or through a variable (its value, else its
    /// default); `None` when it is not an integer (the executor reports that).
    fn integer(&self, value: &Value) -> Option<i64> {
        let constant = match value {
            Value::Variable(name) => match self.variables.get(name) {
                Some(value) => value.clone(),
                None => self
                    .operation
                    .variable_definitions
                    .iter()
                    .find(|definition| definition.node.name.node == *name)
                    .and_then(|definition| definition.node.default_value.as_ref())
                    .map(|value| value.node.clone())?,
            },
            other => other.clone().into_const()?,
        };
        match constant {
            ConstValue::Number(number) => number.as_i64(),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SDL: &str = r#"
        type Query { node(id: ID!): Node, things(first: Int, last: Int): ThingConnection!, me: Thing }
        interface Node { id: ID! }
        type ThingConnection { edges: [ThingEdge!]!, nodes: [Thing!]! }
        type ThingEdge { node: Thing! }
        type Thing implements Node { id: ID!, name: String, parts: [Thing!]!, children(first: Int): ThingConnection! }
    "#;

    fn check(query: &str, variables: serde_json::Value) -> Result<u64, Violation> {
        check_with(query, variables, &Limits::default())
    }

    fn check_with(
        query: &str,
        variables: serde_json::Value,
        limits: &Limits,
    ) -> Result<u64, Violation> {
        let shape = Shape::from_sdl(SDL);
        let document = async_graphql::parser::parse_query(query).expect("the test query parses");
        analyse(
            &shape,
            limits,
            &document,
            None,
            &Variables::from_json(variables),
        )
        .map(|analysis| analysis.cost)
    }

    fn code(result: Result<u64, Violation>) -> &'static str {
        result.expect_err("the document is refused").code
    }

    #[test]
    fn connections_multiply_their_selection_by_the_page_size() {
        let ten = check(
            "{ things(first: 10) { nodes { id name } } }",
            serde_json::json!({}),
        );
        let hundred = check(
            "{ things(first: 100) { nodes { id name } } }",
            serde_json::json!({}),
        );
        assert_eq!(ten, Ok(1 + 10 * (1 + 2)));
        assert_eq!(hundred, Ok(1 + 100 * (1 + 2)));
        let default = check("{ things { nodes { id } } }", serde_json::json!({}));
        assert_eq!(default, Ok(1 + DEFAULT_PAGE_SIZE * 2));
    }

    #[test]
    fn variables_and_fragments_are_followed() {
        let query = "query($n: Int = 7) { things(first: $n) { ...F } } fragment F on ThingConnection { nodes { id } }";
        assert_eq!(check(query, serde_json::json!({})), Ok(1 + 7 * 2));
        assert_eq!(check(query, serde_json::json!({ "n": 3 })), Ok(1 + 3 * 2));
        let inline = "{ node(id: \"x\") { ... on Thing { children(first: 4) { nodes { id } } } } }";
        assert_eq!(check(inline, serde_json::json!({})), Ok(1 + 1 + 4 * 2));
    }

    #[test]
    fn nested_connections_multiply() {
        let query = "{ things(first: 100) { nodes { children(first: 100) { nodes { id children(first: 10) { nodes { id } } } } } } }";
        assert_eq!(
            code(check(query, serde_json::json!({}))),
            "QUERY_TOO_COMPLEX"
        );
        let lists = "{ me { parts { parts { id } } } }";
        assert_eq!(
            check(lists, serde_json::json!({})),
            Ok(1 + 1 + LIST_FACTOR * (1 + LIST_FACTOR))
        );
    }

    #[test]
    fn page_sizes_over_the_maximum_are_refused() {
        assert_eq!(
            code(check(
                "{ things(first: 101) { nodes { id } } }",
                serde_json::json!({})
            )),
            "PAGE_TOO_LARGE"
        );
        assert_eq!(
            code(check(
                "query($n: Int) { things(last: $n) { nodes { id } } }",
                serde_json::json!({ "n": 1000 })
            )),
            "PAGE_TOO_LARGE"
        );
        assert_eq!(
            code(check(
                "{ things(first: -1) { nodes { id } } }",
                serde_json::json!({})
            )),
            "PAGE_TOO_LARGE"
        );
    }

    #[test]
    fn depth_aliases_fields_and_directives_are_bounded() {
        let limits = Limits {
            depth: 3,
            aliases: 2,
            fields: 5,
            directives: 1,
            ..Limits::default()
        };
        let run = |query: &str| check_with(query, serde_json::json!({}), &limits);
        assert!(run("{ me { parts { id } } }").is_ok());
        assert_eq!(
            code(run("{ me { parts { parts { id } } } }")),
            "QUERY_TOO_DEEP"
        );
        assert_eq!(
            code(run("{ a: __typename b: __typename c: __typename }")),
            "TOO_MANY_ALIASES"
        );
        assert_eq!(
            code(run(
                "{ __typename __typename __typename __typename __typename __typename }"
            )),
            "TOO_MANY_FIELDS"
        );
        assert_eq!(
            code(run("{ me @include(if: true) @skip(if: false) { id } }")),
            "TOO_MANY_DIRECTIVES"
        );
    }

    #[test]
    fn a_nul_anywhere_in_the_values_is_refused() {
        let none = serde_json::json!({});
        for query in [
            r#"{ node(id: "\u0000") { id } }"#,
            r#"query A { node(id: "a") { ... on Thing { children(first: 1) @include(if: true) { nodes { name } } } } me { id @skip(if: false) } things { nodes { ...F } } } fragment F on Thing { node: children(first: 2) { nodes { id } } } query Q { node(id: "x\u0000") { id } }"#,
            r#"query($id: ID = "\u0000") { node(id: $id) { id } }"#,
            r#"query { me { ...F } } fragment F on Thing { parts { children(first: 1) { nodes { p: node(id: ["a", {b: "c\u0000"}]) { id } } } } }"#,
        ] {
            let refused = check(query, none.clone()).expect_err(query);
            assert_eq!(refused.code, "BAD_USER_INPUT", "{query}");
            assert!(refused.message.contains("NUL"), "{}", refused.message);
        }
        let query = "query($id: ID) { node(id: $id) { id } }";
        for variables in [
            serde_json::json!({ "id": "\u{0}" }),
            serde_json::json!({ "unused": [1, { "deep": ["a\u{0}b"] }] }),
        ] {
            let refused = check(query, variables).expect_err("refused");
            assert_eq!(refused.code, "BAD_USER_INPUT");
            assert!(refused.message.contains('$'), "{}", refused.message);
        }
        assert!(check(query, serde_json::json!({ "id": "a\\u0000 \u{1}" })).is_ok());
        assert!(check(r#"{ node(id: "\\u0000") { id } }"#, none).is_ok());
    }

    #[test]
    fn fragment_nesting_is_bounded_and_cycles_end() {
        let limits = Limits {
            fragment_depth: 2,
            ..Limits::default()
        };
        let nested = "{ me { ...A } } fragment A on Thing { ...B } fragment B on Thing { ...C } fragment C on Thing { id }";
        assert_eq!(
            code(check_with(nested, serde_json::json!({}), &limits)),
            "FRAGMENTS_TOO_DEEP"
        );
        let cycle = "{ me { ...A } } fragment A on Thing { ...B } fragment B on Thing { ...A }";
        assert!(check(cycle, serde_json::json!({})).is_ok());
    }
}
