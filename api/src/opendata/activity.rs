//! One IATI activity as the export describes it, and its XML in the order the IATI Activity
//! Standard 2.03 schema requires.

use chrono::{DateTime, Datelike, NaiveDate, SecondsFormat, Utc};

use super::xml::Writer;
use super::{ActivityStatus, OrganisationRole};
use crate::organisations::OrganisationKind;

/// The name of CUF, the reporting organisation.
pub const REPORTING_ORG_NAME: &str = "Cités Unies France";
/// CUF's IATI organisation type: 22, national NGO (an association of local authorities).
const REPORTING_ORG_TYPE: &str = "22";
/// The DAC 5-digit sector of decentralised cooperation: 15112, decentralisation and support
/// to subnational government.
pub const DAC_SECTOR: &str = "15112";

/// An organisation taking part in an activity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Participant {
    pub role: OrganisationRole,
    pub name: String,
    /// The IATI organisation type: 11 local government, 10 government, …
    pub kind: &'static str,
}

/// A date of an activity (codelist `ActivityDateType`: 1 planned start, 2 actual start,
/// 3 planned end, 4 actual end), with a note when it is less precise than a day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActivityDate {
    pub kind: &'static str,
    pub date: NaiveDate,
    pub note: Option<String>,
}

/// A budget line: a period and an amount (a decimal string).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Budget {
    /// 1 indicative, 2 committed (codelist `BudgetStatus`).
    pub status: &'static str,
    pub start: NaiveDate,
    pub end: NaiveDate,
    pub amount: String,
}

/// A financial transaction: a commitment (2) or a disbursement (3) by a provider.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transaction {
    pub kind: &'static str,
    pub date: NaiveDate,
    pub amount: String,
    pub provider: String,
}

/// One activity of the file.
#[derive(Debug, Clone)]
pub struct Activity {
    pub identifier: String,
    pub last_updated: DateTime<Utc>,
    /// 1 for a programme or a fiche, 2 for a programme's action.
    pub hierarchy: u8,
    /// Whether CUF reports on an activity it is not responsible for (a fiche).
    pub secondary_reporter: bool,
    pub currency: Option<String>,
    pub title: String,
    pub description: String,
    pub participants: Vec<Participant>,
    pub status: ActivityStatus,
    pub dates: Vec<ActivityDate>,
    pub country_code: String,
    /// CUF themes (code, label), as the reporting organisation's own sector vocabulary.
    pub themes: Vec<(String, String)>,
    pub budgets: Vec<Budget>,
    pub transactions: Vec<Transaction>,
    /// Related activities: identifier and type (1 parent, 2 child).
    pub related: Vec<(String, &'static str)>,
}

/// The IATI organisation type of a local authority: 11, local government.
pub const LOCAL_GOVERNMENT: &str = "11";

/// The IATI organisation type of an organisation of `kind`.
pub fn organisation_type(kind: &str) -> &'static str {
    match OrganisationKind::from_stored(kind) {
        OrganisationKind::Ministry | OrganisationKind::Embassy => "10",
        OrganisationKind::Agency => "15",
        OrganisationKind::Network => "22",
        OrganisationKind::Consultant => "70",
        OrganisationKind::Other => "90",
    }
}

/// The activity dates of something with a `start` and an `end` at `status`; `recorded`, with
/// a note saying so, when neither is known (IATI needs one). `year_only` notes dates known
/// only to their year.
pub fn dates(
    status: ActivityStatus,
    start: Option<NaiveDate>,
    end: Option<NaiveDate>,
    year_only: bool,
    recorded: NaiveDate,
) -> Vec<ActivityDate> {
    let note = |date: NaiveDate| year_only.then(|| format!("{} (year only)", date.year()));
    let mut dates = Vec::new();
    if let Some(start) = start {
        let kind = if status.started() { "2" } else { "1" };
        dates.push(ActivityDate {
            kind,
            date: start,
            note: note(start),
        });
    }
    if let Some(end) = end {
        let kind = if status.ended() { "4" } else { "3" };
        dates.push(ActivityDate {
            kind,
            date: end,
            note: note(end),
        });
    }
    if dates.is_empty() {
        dates.push(ActivityDate {
            kind: if status.started() { "2" } else { "1" },
            date: recorded,
            note: Some("no date known: the day this entry was recorded".into()),
        });
    }
    dates
}

/// Adds `participant` unless it is there already.
pub fn add(participants: &mut Vec<Participant>, participant: Participant) {
    if !participants.contains(&participant) {
        participants.push(participant);
    }
}

/// `count` shares of 100 in hundredths, as decimal strings adding up to exactly 100.
pub fn percentages(count: usize) -> Vec<String> {
    let Ok(parts) = u32::try_from(count) else {
        return Vec::new();
    };
    if parts == 0 {
        return Vec::new();
    }
    let each = 10_000 / parts;
    let first = 10_000 - each * (parts - 1);
    std::iter::once(first)
        .chain(std::iter::repeat_n(each, count - 1))
        .map(|hundredths| format!("{}.{:02}", hundredths / 100, hundredths % 100))
        .collect()
}

fn iso(date: NaiveDate) -> String {
    date.format("%Y-%m-%d").to_string()
}

impl Activity {
    /// Writes the activity, reported by the organisation `reporting_ref`.
    pub fn write(&self, writer: &mut Writer, reporting_ref: &str) {
        let updated = self.last_updated.to_rfc3339_opts(SecondsFormat::Secs, true);
        let hierarchy = self.hierarchy.to_string();
        let mut attributes = vec![
            ("last-updated-datetime", updated.as_str()),
            ("xml:lang", "fr"),
            ("hierarchy", hierarchy.as_str()),
        ];
        if let Some(currency) = &self.currency {
            attributes.push(("default-currency", currency.as_str()));
        }
        writer.open("iati-activity", &attributes);
        writer.text("iati-identifier", &[], &self.identifier);
        let secondary = if self.secondary_reporter { "1" } else { "0" };
        writer.open(
            "reporting-org",
            &[
                ("ref", reporting_ref),
                ("type", REPORTING_ORG_TYPE),
                ("secondary-reporter", secondary),
            ],
        );
        writer.text("narrative", &[], REPORTING_ORG_NAME);
        writer.close("reporting-org");
        narrated(writer, "title", &[], &self.title);
        narrated(writer, "description", &[("type", "1")], &self.description);
        for participant in &self.participants {
            let attributes = [
                ("role", participant.role.code()),
                ("type", participant.kind),
            ];
            narrated(writer, "participating-org", &attributes, &participant.name);
        }
        writer.empty("activity-status", &[("code", self.status.code())]);
        self.write_dates(writer);
        writer.empty(
            "recipient-country",
            &[("code", &self.country_code), ("percentage", "100")],
        );
        self.write_sectors(writer);
        self.write_money(writer);
        for (reference, kind) in &self.related {
            writer.empty("related-activity", &[("ref", reference), ("type", kind)]);
        }
        writer.close("iati-activity");
    }

    fn write_dates(&self, writer: &mut Writer) {
        for date in &self.dates {
            let attributes = [("type", date.kind), ("iso-date", &iso(date.date))];
            match &date.note {
                Some(note) => narrated(writer, "activity-date", &attributes, note),
                None => writer.empty("activity-date", &attributes),
            }
        }
    }

    fn write_sectors(&self, writer: &mut Writer) {
        writer.empty(
            "sector",
            &[
                ("vocabulary", "1"),
                ("code", DAC_SECTOR),
                ("percentage", "100"),
            ],
        );
        // Vocabulary 98: the reporting organisation's own (CUF's theme codes), with labels.
        for ((code, label), percentage) in self.themes.iter().zip(percentages(self.themes.len())) {
            let attributes = [
                ("vocabulary", "98"),
                ("code", code.as_str()),
                ("percentage", percentage.as_str()),
            ];
            narrated(writer, "sector", &attributes, label);
        }
    }

    fn write_money(&self, writer: &mut Writer) {
        let currency = self.currency.as_deref().unwrap_or("EUR");
        for budget in &self.budgets {
            writer.open("budget", &[("type", "1"), ("status", budget.status)]);
            writer.empty("period-start", &[("iso-date", &iso(budget.start))]);
            writer.empty("period-end", &[("iso-date", &iso(budget.end))]);
            let value = [("currency", currency), ("value-date", &iso(budget.start))];
            writer.text("value", &value, &budget.amount);
            writer.close("budget");
        }
        for transaction in &self.transactions {
            let date = iso(transaction.date);
            writer.open("transaction", &[]);
            writer.empty("transaction-type", &[("code", transaction.kind)]);
            writer.empty("transaction-date", &[("iso-date", &date)]);
            let value = [("currency", currency), ("value-date", &date)];
            writer.text("value", &value, &transaction.amount);
            narrated(
                writer,
                "provider-org",
                &[("type", "11")],
                &transaction.provider,
            );
            writer.close("transaction");
        }
    }
}

/// `<name attributes…><narrative>text</narrative></name>`.
fn narrated(writer: &mut Writer, name: &str, attributes: &[(&str, &str)], text: &str) {
    writer.open(name, attributes);
    writer.text("narrative", &[], text);
    writer.close(name);
}

#[cfg(test)]
mod tests {
    use super::percentages;

    #[test]
    fn theme_percentages_add_up_to_exactly_one_hundred() {
        assert_eq!(percentages(0), Vec::<String>::new());
        assert_eq!(percentages(1), ["100.00"]);
        assert_eq!(percentages(3), ["33.34", "33.33", "33.33"]);
        assert_eq!(percentages(7).len(), 7);
    }
}
