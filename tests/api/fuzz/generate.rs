//! Valid-shaped documents: random root fields of the query or mutation type with arguments
//! of the right types, inline or through variables (whose JSON values are sometimes of the
//! wrong type), and random selection sets on what they return, recursing a few levels.
//! Most documents stay within the server's limits (depth 12, 200 fields); a few go past.

use async_graphql::parser::types::{BaseType, FieldDefinition, InputValueDefinition, Type};
use serde_json::{Map, Value, json};

use super::inputs;
use super::model::{Model, named};
use super::pool::{Pool, id};
use super::rng::Rng;

/// A GraphQL request: its document, variables and operation name.
#[derive(Debug, Clone, Default)]
pub struct Document {
    pub query: String,
    pub variables: Map<String, Value>,
    pub operation_name: Option<String>,
}

/// Builds one document; use once.
pub struct Generator<'a> {
    model: &'a Model,
    pool: &'a Pool,
    rng: &'a mut Rng,
    /// How many more fields this document may have.
    budget: usize,
    /// The deepest field this document reaches (root fields are at depth 1).
    max_depth: usize,
    use_variables: bool,
    /// Out of a hundred: how often a value is of the wrong type, a required one is left
    /// out, an input gets a field it does not have. None in most documents, so that they
    /// get past validation into the resolvers.
    noise: usize,
    declarations: Vec<String>,
    variables: Map<String, Value>,
    fragments: Vec<String>,
    aliases: usize,
}

impl<'a> Generator<'a> {
    /// A generator drawing from `rng`, with ids and cursors from `pool`.
    pub fn new(model: &'a Model, pool: &'a Pool, rng: &'a mut Rng) -> Self {
        Self {
            model,
            pool,
            rng,
            budget: 0,
            max_depth: 0,
            use_variables: false,
            noise: 0,
            declarations: Vec::new(),
            variables: Map::new(),
            fragments: Vec::new(),
            aliases: 0,
        }
    }

    /// A document with one to three root fields of the query or the mutation type.
    pub fn document(mut self) -> Document {
        let mutation = self.rng.chance(40);
        let root = if mutation {
            &self.model.mutation
        } else {
            &self.model.query
        };
        self.choose_bounds();
        let count = if self.rng.chance(80) {
            1
        } else {
            self.rng.between(2, 3)
        };
        let fields: Vec<String> = (0..count).map(|_| self.root_field(root)).collect();
        self.assemble(mutation, &fields.join(" "))
    }

    /// How deep, how large and how noisy this document is, and whether it uses variables.
    fn choose_bounds(&mut self) {
        self.max_depth = if self.rng.chance(5) {
            self.rng.between(11, 14) as usize
        } else {
            self.rng.between(2, 6) as usize
        };
        self.budget = if self.rng.chance(5) {
            self.rng.between(150, 260) as usize
        } else {
            self.rng.between(5, 80) as usize
        };
        self.use_variables = self.rng.chance(50);
        self.noise = if self.rng.chance(65) {
            0
        } else {
            self.rng.between(2, 12) as usize
        };
    }

    /// The operation around `body`, with its variables declared, and the fragments.
    fn assemble(self, mutation: bool, body: &str) -> Document {
        let name = self
            .rng
            .chance(30)
            .then(|| format!("Fuzz{}", self.rng.below(1_000)));
        let keyword = if mutation { "mutation" } else { "query" };
        let declarations = if self.declarations.is_empty() {
            String::new()
        } else {
            format!("({})", self.declarations.join(", "))
        };
        let mut query = if !mutation && name.is_none() && declarations.is_empty() {
            format!("{{ {body} }}")
        } else {
            let name = name.clone().unwrap_or_default();
            format!("{keyword} {name}{declarations} {{ {body} }}")
        };
        for fragment in &self.fragments {
            query.push('\n');
            query.push_str(fragment);
        }
        let operation_name = name.filter(|_| self.rng.chance(70));
        Document {
            query,
            variables: self.variables,
            operation_name,
        }
    }

    fn root_field(&mut self, root: &str) -> String {
        if root == self.model.query && self.rng.chance(3) {
            let name = inputs::hinted_string(self.rng, self.pool, "name");
            let name = if self.rng.chance(70) {
                (*self.rng.pick(&self.model.input_type_names())).to_owned()
            } else {
                name
            };
            return format!(
                "__type(name: {}) {{ name kind fields {{ name type {{ name ofType {{ name }} }} }} }}",
                json!(name)
            );
        }
        let fields = self.model.fields(root);
        let field = &self.rng.pick(fields).node;
        self.field(field, 1)
    }

    fn field(&mut self, definition: &FieldDefinition, depth: usize) -> String {
        self.budget = self.budget.saturating_sub(1);
        let alias = if self.rng.chance(5) {
            self.aliases += 1;
            format!("a{}: ", self.aliases)
        } else {
            String::new()
        };
        let arguments = self.arguments(&definition.arguments);
        let directive = match self.rng.below(40) {
            0 => " @include(if: true)",
            1 => " @skip(if: false)",
            2 => " @skip(if: true)",
            _ => "",
        };
        let type_name = named(&definition.ty.node);
        let selection = if self.model.is_composite(type_name) {
            format!(" {}", self.selection_set(type_name, depth + 1))
        } else {
            String::new()
        };
        format!(
            "{alias}{}{arguments}{directive}{selection}",
            definition.name.node
        )
    }

    fn selection_set(&mut self, type_name: &str, depth: usize) -> String {
        let model = self.model;
        let fields = model.fields(type_name);
        // A payload's user errors say whether a mutation did what it was asked: the corpus
        // keeps only documents that did.
        let payload = depth == 2
            && fields
                .iter()
                .any(|field| field.node.name.node.as_str() == "userErrors");
        let mut parts = Vec::new();
        if payload {
            parts.push("userErrors { field code }".to_owned());
        }
        if depth > self.max_depth || self.budget == 0 {
            parts.push("__typename".to_owned());
            return format!("{{ {} }}", parts.join(" "));
        }
        let possible = model.possible_types(type_name);
        let is_abstract = possible != [type_name];
        let mut chosen: Vec<&str> = Vec::new();
        for _ in 0..self.rng.between(1, 4) {
            if self.budget == 0 {
                break;
            }
            let spread = is_abstract && self.rng.chance(40);
            if !fields.is_empty() && !spread {
                let field = &self.rng.pick(fields).node;
                if chosen.contains(&field.name.node.as_str()) {
                    continue;
                }
                chosen.push(field.name.node.as_str());
                parts.push(self.field(field, depth));
            } else if !possible.is_empty() {
                let object = *self.rng.pick(&possible);
                let selection = self.selection_set(object, depth);
                parts.push(format!("... on {object} {selection}"));
            }
        }
        if parts.is_empty() || self.rng.chance(10) {
            parts.push("__typename".to_owned());
        }
        if self.rng.chance(8) {
            let slot = self.fragments.len();
            self.fragments.push(String::new());
            let selection = self.selection_set(type_name, depth);
            self.fragments[slot] = format!("fragment F{slot} on {type_name} {selection}");
            parts.push(format!("...F{slot}"));
        }
        format!("{{ {} }}", parts.join(" "))
    }

    fn arguments(
        &mut self,
        definitions: &[async_graphql::Positioned<InputValueDefinition>],
    ) -> String {
        let mut arguments = Vec::new();
        for definition in definitions {
            let definition = &definition.node;
            let required = !definition.ty.node.nullable && definition.default_value.is_none();
            let include = if required {
                !self.rng.chance(self.noise)
            } else {
                self.rng.chance(35)
            };
            if !include {
                continue;
            }
            let name = definition.name.node.as_str();
            let value = self.value(&definition.ty.node, &name.to_lowercase(), 0);
            let rendered = self.render(&value, Some(&definition.ty.node), false);
            arguments.push(format!("{name}: {rendered}"));
        }
        if arguments.is_empty() {
            String::new()
        } else {
            format!("({})", arguments.join(", "))
        }
    }

    /// A JSON value for `ty`: of that type most of the time, of any type sometimes.
    fn value(&mut self, ty: &Type, hint: &str, depth: usize) -> Value {
        if self.rng.chance(self.noise) {
            return inputs::wild(self.rng, self.pool, depth);
        }
        if ty.nullable && self.rng.chance(8) {
            return Value::Null;
        }
        match &ty.base {
            BaseType::List(inner) => {
                let length = if self.rng.chance(self.noise) {
                    self.rng.between(101, 130)
                } else {
                    self.rng.between(0, 3)
                };
                let depth = if length > 3 { depth + 3 } else { depth + 1 };
                Value::Array(
                    (0..length)
                        .map(|_| self.value(inner, hint, depth))
                        .collect(),
                )
            }
            BaseType::Named(name) => self.named_value(name, hint, depth),
        }
    }

    fn named_value(&mut self, name: &str, hint: &str, depth: usize) -> Value {
        let (rng, pool, noise) = (&mut *self.rng, self.pool, self.noise);
        match name {
            "Int" => json!(inputs::int(rng, pool, hint)),
            "Float" => rng
                .pick(&[json!(0.0), json!(1.5), json!(-1e10), json!(1e300)])
                .clone(),
            "Boolean" => Value::Bool(rng.chance(50)),
            "ID" => Value::String(id(rng, pool, hint)),
            "Date" => Value::String(inputs::date(rng)),
            "DateTime" => Value::String(inputs::datetime(rng)),
            name if self.model.is_enum(name) => {
                let values = self.model.enum_values(name);
                if values.is_empty() || rng.chance(noise) {
                    Value::String(rng.pick(&["BOGUS", "asc", "", "null"]).to_string())
                } else {
                    Value::String(rng.pick(&values).to_string())
                }
            }
            name if self.model.is_input(name) => self.object(name, depth),
            _ => Value::String(inputs::hinted_string(rng, pool, hint)),
        }
    }

    /// An input object: its required fields, a random subset of the others (fewer deeper
    /// down), and now and then a field it does not have.
    fn object(&mut self, name: &str, depth: usize) -> Value {
        let mut object = Map::new();
        for field in self.model.input_fields(name) {
            let field = &field.node;
            let required = !field.ty.node.nullable && field.default_value.is_none();
            let include = if required {
                !self.rng.chance(self.noise)
            } else {
                depth < 3 && self.rng.chance(55)
            };
            if include {
                // An input's `id` is of the kind its type names (`UpdateEventInput`).
                let hint = match field.name.node.as_str() {
                    "id" => name.to_lowercase(),
                    other => other.to_lowercase(),
                };
                let value = self.value(&field.ty.node, &hint, depth + 1);
                object.insert(field.name.node.to_string(), value);
            }
        }
        if self.rng.chance(self.noise) {
            object.insert(
                "bogusField".into(),
                inputs::wild(self.rng, self.pool, depth),
            );
        }
        Value::Object(object)
    }

    /// `value` as a GraphQL literal of type `ty`; any part of it may become a variable
    /// (unless `constant`), declared with its type (or, rarely, another) and sometimes left
    /// without a value.
    fn render(&mut self, value: &Value, ty: Option<&Type>, constant: bool) -> String {
        if let Some(ty) = ty.filter(|_| !constant && self.use_variables && self.rng.chance(25)) {
            return self.variable(value, ty);
        }
        match value {
            Value::Null => "null".to_owned(),
            Value::Bool(flag) => flag.to_string(),
            Value::Number(number) => number.to_string(),
            Value::String(text) => {
                let is_enum = ty.is_some_and(|ty| self.model.is_enum(named(ty)));
                if is_enum && is_name(text) {
                    text.clone()
                } else {
                    Value::String(text.clone()).to_string()
                }
            }
            Value::Array(items) => {
                let inner = ty.and_then(|ty| match &ty.base {
                    BaseType::List(inner) => Some(inner.as_ref()),
                    BaseType::Named(_) => None,
                });
                let items: Vec<String> = items
                    .iter()
                    .map(|item| self.render(item, inner, constant))
                    .collect();
                format!("[{}]", items.join(", "))
            }
            Value::Object(object) => {
                let model = self.model;
                let fields = ty.map_or(&[][..], |ty| model.input_fields(named(ty)));
                let entries: Vec<String> = object
                    .iter()
                    .map(|(key, item)| {
                        let field_type = fields
                            .iter()
                            .find(|field| field.node.name.node.as_str() == key)
                            .map(|field| &field.node.ty.node);
                        format!("{key}: {}", self.render(item, field_type, constant))
                    })
                    .collect();
                format!("{{{}}}", entries.join(", "))
            }
        }
    }

    fn variable(&mut self, value: &Value, ty: &Type) -> String {
        let name = format!("v{}", self.declarations.len());
        let declared = if self.rng.chance(self.noise) {
            let names = self.model.input_type_names();
            let other = *self.rng.pick(&names);
            (*self.rng.pick(&[
                other,
                "String",
                "Int!",
                "[ID]",
                "ID!",
                "Boolean",
                "[String!]!",
            ]))
            .to_owned()
        } else {
            ty.to_string()
        };
        let default = if self.rng.chance(5) {
            format!(" = {}", self.render(value, Some(ty), true))
        } else {
            String::new()
        };
        self.declarations
            .push(format!("${name}: {declared}{default}"));
        if !self.rng.chance(self.noise) {
            self.variables.insert(name.clone(), value.clone());
        }
        format!("${name}")
    }
}

/// Whether `text` can be written as a bare GraphQL name (an enum value).
fn is_name(text: &str) -> bool {
    let mut characters = text.chars();
    let first_ok = characters
        .next()
        .is_some_and(|first| first == '_' || first.is_ascii_alphabetic());
    first_ok
        && characters.all(|character| character == '_' || character.is_ascii_alphanumeric())
        && !matches!(text, "true" | "false" | "null")
}
