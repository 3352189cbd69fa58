//! Reminding late authorities: one message per authority in the outbox, delivered by SMTP or
//! to the log, never twice within the interval.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

use crate::helpers::{TestApp, spawn_app_with, spawn_demo_app};

const SEND: &str = "mutation($days: Int!) { sendValidationReminders(input: {countryCode: \"MX\", olderThanDays: $days}) {
    reminded { authority { name } cooperationCount recipients } skipped { authority { name } reason } userErrors { field } } }";
const OUTBOX: &str = "{ outbox(first: 50) { totalCount nodes { kind subject body recipients attempts sentAt lastError authority { name } } } }";

/// Waits until every message of the outbox satisfies `done`; the outbox.
async fn outbox_when(app: &TestApp, done: impl Fn(&Value) -> bool) -> Value {
    for _ in 0..100 {
        let outbox = app.data(OUTBOX, json!({})).await["outbox"].clone();
        if outbox["nodes"].as_array().unwrap().iter().all(&done) {
            return outbox;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!(
        "the outbox never settled: {}",
        app.data(OUTBOX, json!({})).await
    );
}

#[tokio::test]
async fn late_authorities_get_one_reminder_each_and_not_twice() {
    let app = spawn_demo_app().await;
    let recent = app.data(SEND, json!({ "days": 30 })).await["sendValidationReminders"].clone();
    assert_eq!(
        recent["reminded"],
        json!([]),
        "the demo fiches have waited less than 30 days"
    );
    let sent = app.data(SEND, json!({ "days": 0 })).await["sendValidationReminders"].clone();
    let reminded = sent["reminded"].as_array().unwrap();
    assert_eq!(reminded.len(), 3, "{sent}");
    let haute_saone = reminded
        .iter()
        .find(|entry| entry["authority"]["name"] == "Conseil départemental de la Haute-Saône")
        .unwrap();
    assert_eq!(haute_saone["cooperationCount"], 1);
    assert_eq!(
        haute_saone["recipients"],
        json!(["nathalie.coiraton@example.org"])
    );
    let again = app.data(SEND, json!({ "days": 0 })).await["sendValidationReminders"].clone();
    assert_eq!(again["reminded"], json!([]));
    assert_eq!(again["skipped"].as_array().unwrap().len(), 3);
    assert_eq!(again["skipped"][0]["reason"], "reminded recently");
    let pending = app
        .data(
            "{ pendingValidations(countryCode: \"MX\") { lastRemindedAt reminderCount } }",
            json!({}),
        )
        .await;
    for entry in pending["pendingValidations"].as_array().unwrap() {
        assert_eq!(entry["reminderCount"], 1);
        assert!(entry["lastRemindedAt"].is_string());
    }
    let outbox = outbox_when(&app, |message| message["sentAt"].is_string()).await;
    assert_eq!(outbox["totalCount"], 3);
    let message = &outbox["nodes"][0];
    assert_eq!(message["kind"], "VALIDATION_REMINDER");
    assert!(
        message["body"].as_str().unwrap().contains("- "),
        "{message}"
    );
}

/// A minimal SMTP server that accepts every message and keeps its data.
async fn fake_smtp() -> (u16, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let received = Arc::new(Mutex::new(Vec::new()));
    let store = received.clone();
    tokio::spawn(async move {
        while let Ok((socket, _)) = listener.accept().await {
            let store = store.clone();
            tokio::spawn(async move {
                let (read, mut write) = socket.into_split();
                let mut lines = BufReader::new(read).lines();
                write.write_all(b"220 fake ESMTP\r\n").await.unwrap();
                let mut data: Option<String> = None;
                while let Ok(Some(line)) = lines.next_line().await {
                    if let Some(body) = data.as_mut() {
                        if line == "." {
                            store.lock().unwrap().push(data.take().unwrap());
                            write.write_all(b"250 queued\r\n").await.unwrap();
                        } else {
                            body.push_str(&line);
                            body.push('\n');
                        }
                        continue;
                    }
                    let verb = line
                        .split_whitespace()
                        .next()
                        .unwrap_or_default()
                        .to_uppercase();
                    let reply: &[u8] = match verb.as_str() {
                        "EHLO" => b"250-fake\r\n250 8BITMIME\r\n",
                        "DATA" => {
                            data = Some(String::new());
                            b"354 go ahead\r\n"
                        }
                        "QUIT" => {
                            write.write_all(b"221 bye\r\n").await.unwrap();
                            break;
                        }
                        _ => b"250 ok\r\n",
                    };
                    write.write_all(reply).await.unwrap();
                }
            });
        }
    });
    (port, received)
}

#[tokio::test]
async fn reminders_are_delivered_by_smtp_when_configured() {
    let (port, received) = fake_smtp().await;
    let app = spawn_app_with(|settings| {
        settings.demo_data = Some(true);
        settings.smtp_url = Some(format!("smtp://127.0.0.1:{port}"));
    })
    .await;
    app.data(SEND, json!({ "days": 0 })).await;
    outbox_when(&app, |message| message["sentAt"].is_string()).await;
    let messages = received.lock().unwrap().clone();
    assert_eq!(messages.len(), 3);
    assert!(
        messages
            .iter()
            .any(|message| message.contains("nathalie.coiraton@example.org")),
        "{messages:?}"
    );
    assert!(messages.iter().all(|message| message.contains("Subject:")));
}

#[tokio::test]
async fn a_failed_delivery_stays_in_the_outbox_with_its_error() {
    let closed = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = closed.local_addr().unwrap().port();
    drop(closed);
    let app = spawn_app_with(|settings| {
        settings.demo_data = Some(true);
        settings.smtp_url = Some(format!("smtp://127.0.0.1:{port}"));
    })
    .await;
    app.data(SEND, json!({ "days": 0 })).await;
    let outbox = outbox_when(&app, |message| message["lastError"].is_string()).await;
    for message in outbox["nodes"].as_array().unwrap() {
        assert_eq!(message["sentAt"], json!(null));
        assert!(message["attempts"].as_i64().unwrap() >= 1);
    }
    let undelivered = app
        .data(
            "{ outbox(undeliveredOnly: true) { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(undelivered["outbox"]["totalCount"], 3);
}
