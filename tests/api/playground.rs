//! The GraphiQL playground works offline: the page and everything it loads come from the API.

use reqwest::StatusCode;
use reqwest::header::{ACCEPT, CONTENT_TYPE};

use crate::helpers::spawn_app;

const BROWSER_ACCEPT: &str = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";

/// The values of every `src="…"` and `href="…"` attribute of `html`.
fn linked_urls(html: &str) -> Vec<String> {
    let mut urls = Vec::new();
    for attribute in ["src=\"", "href=\""] {
        for (start, _) in html.match_indices(attribute) {
            let rest = &html[start + attribute.len()..];
            if let Some(end) = rest.find('"') {
                urls.push(rest[..end].to_owned());
            }
        }
    }
    urls
}

#[tokio::test]
async fn the_playground_page_and_all_its_assets_come_from_the_api() {
    let app = spawn_app().await;
    let response = app
        .client
        .get(app.url("/graphql"))
        .header(ACCEPT, BROWSER_ACCEPT)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()[CONTENT_TYPE], "text/html; charset=utf-8");
    let policy = response.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        policy.contains("default-src 'none'") && policy.contains("connect-src 'self'"),
        "{policy}"
    );
    let html = response.text().await.unwrap();
    assert!(
        !html.contains("http://") && !html.contains("https://") && !html.contains("//cdn"),
        "{html}"
    );
    let urls = linked_urls(&html);
    assert_eq!(urls.len(), 5, "{urls:?}");
    for url in urls {
        assert!(
            url.starts_with('/') && !url.starts_with("//"),
            "external asset {url}"
        );
        let asset = app.client.get(app.url(&url)).send().await.unwrap();
        assert_eq!(asset.status(), StatusCode::OK, "{url}");
        let content_type = asset.headers()[CONTENT_TYPE].to_str().unwrap().to_owned();
        let text = asset.text().await.unwrap();
        assert!(text.len() > 100, "{url} is empty");
        if url.ends_with(".css") {
            assert!(content_type.starts_with("text/css"));
            assert!(
                !text.contains("@import") && !text.contains("url(http") && !text.contains("url(//")
            );
        } else {
            assert!(
                content_type.starts_with("text/javascript"),
                "{url}: {content_type}"
            );
        }
    }
}

#[tokio::test]
async fn the_playground_starts_graphiql_against_this_server() {
    let app = spawn_app().await;
    let script = app
        .client
        .get(app.url("/graphql/assets/playground.js"))
        .send()
        .await
        .unwrap();
    let text = script.text().await.unwrap();
    assert!(
        text.contains("window.location.origin + '/graphql'"),
        "{text}"
    );
    let missing = app
        .client
        .get(app.url("/graphql/assets/other.js"))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_get_without_a_query_from_a_program_is_a_400() {
    let app = spawn_app().await;
    let response = app
        .client
        .get(app.url("/graphql"))
        .header(ACCEPT, "application/json")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
}
