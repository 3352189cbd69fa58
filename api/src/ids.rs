//! Global object identifiers: the opaque `ID` of every `Node`. An id is the URL-safe base64
//! of `Kind:number`; clients must treat it as opaque, the server decodes it here and nowhere
//! else.

use async_graphql::ID;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

/// The kinds of node the API serves; the first half of every global id.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NodeKind {
    Authority,
    Organisation,
    Person,
    User,
    ApiKey,
    AuditEntry,
    Cooperation,
    Theme,
    CountryGroup,
    Event,
    Programme,
    Document,
    Expertise,
    ConsultantRecommendation,
}

impl NodeKind {
    const ALL: [NodeKind; 14] = [
        Self::Authority,
        Self::Organisation,
        Self::Person,
        Self::User,
        Self::ApiKey,
        Self::AuditEntry,
        Self::Cooperation,
        Self::Theme,
        Self::CountryGroup,
        Self::Event,
        Self::Programme,
        Self::Document,
        Self::Expertise,
        Self::ConsultantRecommendation,
    ];

    /// The GraphQL type name of this kind.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Authority => "Authority",
            Self::Organisation => "Organisation",
            Self::Person => "Person",
            Self::User => "User",
            Self::ApiKey => "ApiKey",
            Self::AuditEntry => "AuditEntry",
            Self::Cooperation => "Cooperation",
            Self::Theme => "Theme",
            Self::CountryGroup => "CountryGroup",
            Self::Event => "Event",
            Self::Programme => "Programme",
            Self::Document => "Document",
            Self::Expertise => "Expertise",
            Self::ConsultantRecommendation => "ConsultantRecommendation",
        }
    }
}

/// A global id that could not be decoded, or names another kind than expected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdError {
    #[error("is not a valid id")]
    Malformed,
    #[error("is not the id of {expected}")]
    WrongKind { expected: &'static str },
}

/// The global id of the row `id` of `kind`.
pub fn encode(kind: NodeKind, id: i64) -> ID {
    // `Kind:id`, written without `format!`: a directory page encodes some 450 ids, and the
    // formatting machinery was 3 % of the page's instructions (bench/RESULTS.md, session 6).
    let mut text = String::with_capacity(40);
    text.push_str(kind.as_str());
    text.push(':');
    text.push_str(itoa::Buffer::new().format(id));
    ID(URL_SAFE_NO_PAD.encode(text))
}

/// The kind and row id behind a global id.
pub fn decode(id: &str) -> Result<(NodeKind, i64), IdError> {
    let bytes = URL_SAFE_NO_PAD
        .decode(id.as_bytes())
        .map_err(|_| IdError::Malformed)?;
    let text = String::from_utf8(bytes).map_err(|_| IdError::Malformed)?;
    let (kind, number) = text.split_once(':').ok_or(IdError::Malformed)?;
    let kind = NodeKind::ALL
        .into_iter()
        .find(|candidate| candidate.as_str() == kind)
        .ok_or(IdError::Malformed)?;
    let number: i64 = number.parse().map_err(|_| IdError::Malformed)?;
    if number <= 0 || encode(kind, number).0 != id {
        return Err(IdError::Malformed);
    }
    Ok((kind, number))
}

/// The row id behind a global id that must be of `expected` kind.
pub fn decode_as(id: &str, expected: NodeKind) -> Result<i64, IdError> {
    match decode(id)? {
        (kind, number) if kind == expected => Ok(number),
        _ => Err(IdError::WrongKind {
            expected: expected.as_str(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_id_is_its_kind_and_number_in_base64() {
        for kind in NodeKind::ALL {
            for id in [0, 1, 42, 1_000_000_007, -5, i64::MAX, i64::MIN] {
                let text = format!("{}:{id}", kind.as_str());
                assert_eq!(encode(kind, id).0, URL_SAFE_NO_PAD.encode(text));
                // Rows have positive ids; no other decodes.
                let decoded = decode(&encode(kind, id));
                assert_eq!(decoded.ok(), (id > 0).then_some((kind, id)));
            }
        }
    }

    #[test]
    fn ids_round_trip_and_reject_anything_else() {
        let id = encode(NodeKind::Person, 42);
        assert_eq!(decode(&id), Ok((NodeKind::Person, 42)));
        assert_eq!(decode_as(&id, NodeKind::Person), Ok(42));
        assert!(matches!(
            decode_as(&id, NodeKind::Authority),
            Err(IdError::WrongKind { .. })
        ));
        for bad in [
            "",
            "42",
            "UGVyc29uOg",
            "UGVyc29uOi0x",
            "VW5rbm93bjox",
            "UGVyc29uOjAx",
        ] {
            assert_eq!(decode(bad), Err(IdError::Malformed), "{bad}");
        }
    }
}
