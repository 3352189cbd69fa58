//! Content negotiation for GraphQL over HTTP: which media type a response takes, from the
//! request's `Accept` header.

/// The media types a GraphQL response can take.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResponseFormat {
    /// `application/graphql-response+json`: request errors get a 4xx status.
    GraphqlResponseJson,
    /// `application/json`: the legacy format, status 200 for every executed request.
    Json,
}

impl ResponseFormat {
    /// The `Content-Type` of this format.
    pub fn content_type(self) -> &'static str {
        match self {
            Self::GraphqlResponseJson => "application/graphql-response+json; charset=utf-8",
            Self::Json => "application/json; charset=utf-8",
        }
    }
}

/// One media range of an `Accept` header, with its quality.
fn media_ranges(accept: &str) -> impl Iterator<Item = (String, f32)> + '_ {
    accept.split(',').filter_map(|range| {
        let mut parts = range.split(';');
        let media = parts.next()?.trim().to_ascii_lowercase();
        let quality = parts
            .filter_map(|parameter| parameter.trim().strip_prefix("q="))
            .find_map(|value| value.trim().parse::<f32>().ok())
            .unwrap_or(1.0);
        (!media.is_empty()).then_some((media, quality))
    })
}

/// The response format for `accept`: the supported type with the highest quality, the
/// GraphQL response type winning ties; wildcards and a missing header mean `application/json`
/// (what legacy clients expect). `None` when nothing acceptable is supported (406).
pub fn negotiate(accept: Option<&str>) -> Option<ResponseFormat> {
    let Some(accept) = accept.filter(|accept| !accept.trim().is_empty()) else {
        return Some(ResponseFormat::Json);
    };
    let mut best: Option<(ResponseFormat, f32)> = None;
    for (media, quality) in media_ranges(accept) {
        let format = match media.as_str() {
            "application/graphql-response+json" => ResponseFormat::GraphqlResponseJson,
            "application/json" | "application/*" | "*/*" => ResponseFormat::Json,
            _ => continue,
        };
        let better = match best {
            None => true,
            Some((current, best_quality)) => {
                quality > best_quality
                    || (quality == best_quality
                        && format == ResponseFormat::GraphqlResponseJson
                        && current == ResponseFormat::Json
                        && media != "*/*")
            }
        };
        if quality > 0.0 && better {
            best = Some((format, quality));
        }
    }
    best.map(|(format, _)| format)
}

/// Whether a browser asks for a page: `text/html` is acceptable and preferred to JSON.
pub fn prefers_html(accept: Option<&str>) -> bool {
    let Some(accept) = accept else {
        return false;
    };
    let quality = |wanted: &[&str]| {
        media_ranges(accept)
            .filter(|(media, _)| wanted.contains(&media.as_str()))
            .map(|(_, quality)| quality)
            .fold(0.0_f32, f32::max)
    };
    let html = quality(&["text/html"]);
    html > 0.0 && html >= quality(&["application/json", "application/graphql-response+json"])
}

#[cfg(test)]
mod tests {
    use super::ResponseFormat::{GraphqlResponseJson, Json};
    use super::*;

    #[test]
    fn accept_headers_choose_the_format() {
        let cases = [
            (None, Some(Json)),
            (Some(""), Some(Json)),
            (Some("application/json"), Some(Json)),
            (
                Some("application/graphql-response+json"),
                Some(GraphqlResponseJson),
            ),
            (
                Some("application/graphql-response+json, application/json"),
                Some(GraphqlResponseJson),
            ),
            (
                Some("application/json, application/graphql-response+json"),
                Some(GraphqlResponseJson),
            ),
            (
                Some("application/graphql-response+json;q=0.5, application/json"),
                Some(Json),
            ),
            (Some("application/json;charset=utf-8"), Some(Json)),
            (Some("*/*"), Some(Json)),
            (Some("text/html,*/*;q=0.8"), Some(Json)),
            (Some("text/html"), None),
            (Some("application/xml"), None),
            (Some("application/json;q=0"), None),
        ];
        for (accept, expected) in cases {
            assert_eq!(negotiate(accept), expected, "{accept:?}");
        }
    }

    #[test]
    fn browsers_prefer_html() {
        assert!(prefers_html(Some(
            "text/html,application/xhtml+xml,*/*;q=0.8"
        )));
        assert!(!prefers_html(Some("application/json")));
        assert!(!prefers_html(Some("*/*")));
        assert!(!prefers_html(None));
    }
}
