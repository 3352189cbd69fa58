//! The schema as the fuzzer sees it, parsed from the committed SDL: types by name, the root
//! types, and which objects stand behind an interface or a union.

use std::collections::HashMap;

use async_graphql::Positioned;
use async_graphql::parser::types::{
    BaseType, FieldDefinition, InputValueDefinition, Type, TypeKind, TypeSystemDefinition,
};

/// The types of the schema.
pub struct Model {
    types: HashMap<String, TypeKind>,
    /// The name of the root query type.
    pub query: String,
    /// The name of the root mutation type.
    pub mutation: String,
}

impl Model {
    /// The model of `sdl`, which must parse.
    pub fn parse(sdl: &str) -> Self {
        let document = async_graphql::parser::parse_schema(sdl).expect("the SDL parses");
        let mut types = HashMap::new();
        let mut query = "Query".to_owned();
        let mut mutation = "Mutation".to_owned();
        for definition in document.definitions {
            match definition {
                TypeSystemDefinition::Type(definition) => {
                    let definition = definition.node;
                    types.insert(definition.name.node.to_string(), definition.kind);
                }
                TypeSystemDefinition::Schema(schema) => {
                    if let Some(name) = schema.node.query {
                        query = name.node.to_string();
                    }
                    if let Some(name) = schema.node.mutation {
                        mutation = name.node.to_string();
                    }
                }
                TypeSystemDefinition::Directive(_) => {}
            }
        }
        Self {
            types,
            query,
            mutation,
        }
    }

    /// The fields of an object or interface; none for any other type.
    pub fn fields(&self, name: &str) -> &[Positioned<FieldDefinition>] {
        match self.types.get(name) {
            Some(TypeKind::Object(object)) => &object.fields,
            Some(TypeKind::Interface(interface)) => &interface.fields,
            _ => &[],
        }
    }

    /// The fields of an input object; none for any other type.
    pub fn input_fields(&self, name: &str) -> &[Positioned<InputValueDefinition>] {
        match self.types.get(name) {
            Some(TypeKind::InputObject(input)) => &input.fields,
            _ => &[],
        }
    }

    /// The values of an enum; none for any other type.
    pub fn enum_values(&self, name: &str) -> Vec<&str> {
        match self.types.get(name) {
            Some(TypeKind::Enum(enumeration)) => enumeration
                .values
                .iter()
                .map(|value| value.node.value.node.as_str())
                .collect(),
            _ => Vec::new(),
        }
    }

    /// Whether `name` is an enum.
    pub fn is_enum(&self, name: &str) -> bool {
        matches!(self.types.get(name), Some(TypeKind::Enum(_)))
    }

    /// Whether `name` is an input object.
    pub fn is_input(&self, name: &str) -> bool {
        matches!(self.types.get(name), Some(TypeKind::InputObject(_)))
    }

    /// Whether a field of type `name` takes a selection set.
    pub fn is_composite(&self, name: &str) -> bool {
        matches!(
            self.types.get(name),
            Some(TypeKind::Object(_) | TypeKind::Interface(_) | TypeKind::Union(_))
        )
    }

    /// The object types a value of `name` can be: itself for an object, the members of a
    /// union, the implementors of an interface.
    pub fn possible_types<'a>(&'a self, name: &'a str) -> Vec<&'a str> {
        match self.types.get(name) {
            Some(TypeKind::Union(union)) => union
                .members
                .iter()
                .map(|member| member.node.as_str())
                .collect(),
            Some(TypeKind::Interface(_)) => {
                let mut objects: Vec<&str> = self
                    .types
                    .iter()
                    .filter(|(_, kind)| match kind {
                        TypeKind::Object(object) => object
                            .implements
                            .iter()
                            .any(|interface| interface.node.as_str() == name),
                        _ => false,
                    })
                    .map(|(object, _)| object.as_str())
                    .collect();
                // The map's order is random per process; a seed must replay the same run.
                objects.sort_unstable();
                objects
            }
            Some(TypeKind::Object(_)) => vec![name],
            _ => Vec::new(),
        }
    }

    /// The names of all input objects and enums: types a variable can be declared with.
    pub fn input_type_names(&self) -> Vec<&str> {
        let mut names: Vec<&str> = self
            .types
            .iter()
            .filter(|(_, kind)| {
                matches!(
                    kind,
                    TypeKind::InputObject(_) | TypeKind::Enum(_) | TypeKind::Scalar
                )
            })
            .map(|(name, _)| name.as_str())
            .collect();
        names.sort_unstable();
        names
    }
}

/// The named type at the bottom of `ty` (`ID` for `[ID!]!`).
pub fn named(ty: &Type) -> &str {
    match &ty.base {
        BaseType::Named(name) => name.as_str(),
        BaseType::List(inner) => named(inner),
    }
}
