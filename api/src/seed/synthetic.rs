//! The synthetic dataset for benchmarks (`api seed synthetic --scale N`): at scale 1, 2,000
//! authorities, 50,000 directory fiches, 100 country groups, 5,000 events with 40,000
//! participants, 500 programmes with 3,000 actions and 12,000 cost shares, and the people,
//! organisations and themes they refer to. Rows are generated from fixed-seed random streams
//! (the same scale always loads the same rows, timestamps included), obey the domains' rules
//! (derived columns come from the domains' own functions, shares from `programmes::sharing`),
//! and are written with multi-row inserts in one transaction: all or nothing.

mod actors;
mod directory;
mod events;
mod names;
mod programmes;
mod queries;
mod random;

use std::collections::HashMap;
use std::fmt;
use std::time::{Duration, Instant};

use chrono::{DateTime, NaiveDate, Utc};
use entities::authority;
use sea_orm::{ConnectionTrait, DatabaseConnection, DbErr, EntityTrait, IntoActiveModel};

use random::Random;

/// How big the synthetic dataset is: a multiple of the scale-1 counts, written as a decimal
/// (`1`, `3`, `0.01`) from 0.01 to 1,000 with at most six decimals. Every count is rounded to
/// the nearest whole row, and is at least one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Scale {
    millionths: u64,
}

impl Scale {
    /// Scale 1: 50,000 fiches.
    pub const ONE: Scale = Scale {
        millionths: 1_000_000,
    };
    const MIN: u64 = 10_000;
    const MAX: u64 = 1_000_000_000;

    /// Parses a decimal such as `2` or `0.01`; refuses anything else, and scales outside
    /// 0.01..=1000.
    pub fn parse(text: &str) -> Result<Self, String> {
        let text = text.trim();
        let invalid = || format!("{text:?} is not a scale: a decimal from 0.01 to 1000");
        let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
        let digits = |part: &str| part.bytes().all(|byte| byte.is_ascii_digit());
        if (whole.is_empty() && fraction.is_empty())
            || !digits(whole)
            || !digits(fraction)
            || whole.len() > 4
            || fraction.len() > 6
        {
            return Err(invalid());
        }
        let whole: u64 = if whole.is_empty() {
            0
        } else {
            whole.parse().map_err(|_| invalid())?
        };
        let fraction: u64 = format!("{fraction:0<6}").parse().map_err(|_| invalid())?;
        let millionths = whole * 1_000_000 + fraction;
        if !(Self::MIN..=Self::MAX).contains(&millionths) {
            return Err(invalid());
        }
        Ok(Self { millionths })
    }

    /// `base` rows at this scale: rounded to the nearest row, at least one.
    pub fn of(self, base: usize) -> usize {
        let scaled = (base as u128 * u128::from(self.millionths) + 500_000) / 1_000_000;
        usize::try_from(scaled).unwrap_or(usize::MAX).max(1)
    }
}

impl std::str::FromStr for Scale {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        Self::parse(text)
    }
}

impl fmt::Display for Scale {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (whole, fraction) = (self.millionths / 1_000_000, self.millionths % 1_000_000);
        if fraction == 0 {
            return write!(formatter, "{whole}");
        }
        let fraction = format!("{fraction:06}");
        write!(formatter, "{whole}.{}", fraction.trim_end_matches('0'))
    }
}

/// The most actions per programme, shares per action and participants per event.
const ACTIONS_PER_PROGRAMME: usize = 12;
const SHARES_PER_ACTION: usize = 8;
const PARTICIPANTS_PER_EVENT: usize = 14;

/// The row counts of the dataset at one scale.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Counts {
    /// French and foreign authorities (2,000 at scale 1).
    pub authorities: usize,
    /// CUF, the DAECT, embassies, networks, agencies, consultants (200).
    pub organisations: usize,
    /// People, each with one affiliation (6,000).
    pub people: usize,
    /// Country groups (100).
    pub country_groups: usize,
    /// Directory fiches (50,000).
    pub cooperations: usize,
    /// Events (5,000).
    pub events: usize,
    /// Event participants (40,000).
    pub participants: usize,
    /// Concerted action programmes (500).
    pub programmes: usize,
    /// Programme actions (3,000).
    pub actions: usize,
    /// Cost shares (12,000).
    pub shares: usize,
}

impl Counts {
    /// The counts at `scale`.
    pub fn at(scale: Scale) -> Self {
        Self {
            authorities: scale.of(2_000),
            organisations: scale.of(200),
            people: scale.of(6_000),
            country_groups: scale.of(100),
            cooperations: scale.of(50_000),
            events: scale.of(5_000),
            participants: scale.of(40_000),
            programmes: scale.of(500),
            actions: scale.of(3_000),
            shares: scale.of(12_000),
        }
    }

    /// Two in five authorities are French; the rest are foreign.
    fn french_authorities(&self) -> usize {
        (self.authorities * 2 / 5).clamp(1, self.authorities.saturating_sub(1).max(1))
    }

    /// The partner countries that get authorities (each country one in turn).
    fn countries(&self) -> usize {
        (self.authorities - self.french_authorities()).min(names::COUNTRIES.len())
    }

    /// Whether rows can be drawn at these counts: fiches need a French and a foreign
    /// partner, shares distinct authorities, participants distinct people.
    fn check(&self) -> Result<(), String> {
        let french = self.french_authorities();
        let feasible = self.countries() > 0
            && self.actions >= self.programmes
            && self.actions <= self.programmes * ACTIONS_PER_PROGRAMME
            && self.shares >= self.actions
            && self.shares <= self.actions * SHARES_PER_ACTION.min(french)
            && self.participants >= self.events
            && self.participants <= self.events * PARTICIPANTS_PER_EVENT.min(self.people);
        if feasible {
            Ok(())
        } else {
            Err(format!(
                "the counts {self:?} cannot make a consistent dataset"
            ))
        }
    }
}

/// A person as later tables refer to them: their one employer and job title.
#[derive(Debug, Clone)]
struct PersonRef {
    id: i64,
    authority_id: Option<i64>,
    organisation_id: Option<i64>,
    job_title: &'static str,
}

/// A country group as later tables refer to it.
#[derive(Debug, Clone)]
struct Group {
    id: i64,
    /// Its index in `names::COUNTRIES`.
    country: usize,
    chair: i64,
    /// Its active member authorities, the chair first.
    members: Vec<i64>,
}

/// The rows generated so far that later tables refer to, by role.
#[derive(Debug, Default)]
struct World {
    /// Every authority; the one with id `n` at `n - 1`.
    authorities: Vec<authority::Model>,
    french: Vec<i64>,
    /// Foreign authorities, by index in `names::COUNTRIES`.
    foreign: Vec<Vec<i64>>,
    cuf: i64,
    daect: Option<i64>,
    /// Embassies, by index in `names::COUNTRIES`.
    embassies: Vec<Option<i64>>,
    consultants: Vec<i64>,
    people: Vec<PersonRef>,
    /// CUF's desk officers (chargés de mission), who coordinate groups.
    desk_officers: Vec<i64>,
    /// One person of each authority that has any.
    representatives: HashMap<i64, i64>,
    themes: Vec<i64>,
    groups: Vec<Group>,
}

impl World {
    /// The authority with this id.
    fn authority(&self, id: i64) -> Option<&authority::Model> {
        usize::try_from(id - 1)
            .ok()
            .and_then(|index| self.authorities.get(index))
    }
}

/// Rows written per table, in the order the tables were first written.
#[derive(Debug, Default)]
struct Tally(Vec<(&'static str, u64)>);

impl Tally {
    /// Inserts `rows` and counts them.
    async fn write<E>(&mut self, db: &impl ConnectionTrait, rows: &[E::Model]) -> Result<(), DbErr>
    where
        E: EntityTrait,
        E::Model: IntoActiveModel<E::ActiveModel> + Clone,
    {
        let started = Instant::now();
        let written = queries::insert_all::<E>(db, rows).await?;
        let table = E::default().table_name();
        tracing::debug!(table, written, elapsed = ?started.elapsed(), "synthetic rows inserted");
        match self.0.iter_mut().find(|(name, _)| *name == table) {
            Some((_, count)) => *count += written,
            None => self.0.push((table, written)),
        }
        Ok(())
    }
}

/// What `load` wrote, and how long it took.
#[derive(Debug)]
pub struct Report {
    /// The scale loaded.
    pub scale: Scale,
    /// Rows per table.
    pub rows: Vec<(&'static str, u64)>,
    /// From the first row generated to the commit.
    pub elapsed: Duration,
}

impl fmt::Display for Report {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        let total: u64 = self.rows.iter().map(|(_, count)| count).sum();
        writeln!(
            formatter,
            "Loaded the synthetic dataset at scale {}: {total} rows in {:.1} s.",
            self.scale,
            self.elapsed.as_secs_f64()
        )?;
        for (table, count) in &self.rows {
            writeln!(formatter, "  {table:<22} {count:>9}")?;
        }
        Ok(())
    }
}

/// 2025-01-01T00:00:00Z: the moment the dataset is generated "at". Timestamps, and which
/// events are past, are relative to it rather than to the clock, so that loads repeat.
const ANCHOR_SECONDS: i64 = 1_735_689_600;

fn anchor() -> DateTime<Utc> {
    DateTime::from_timestamp(ANCHOR_SECONDS, 0).unwrap_or_default()
}

/// A creation time between a month and ten years before the anchor.
fn created_before_anchor(random: &mut Random) -> DateTime<Utc> {
    const DAY: i64 = 86_400;
    anchor() - chrono::Duration::seconds(random.between(30 * DAY, 3_650 * DAY))
}

/// A calendar date; the callers' dates all exist.
fn date(year: i32, month: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, month, day).unwrap_or_default()
}

/// The tables whose ids the dataset sets itself.
fn tables_with_ids() -> [&'static str; 16] {
    use entities::*;
    [
        queries::table::<authority::Entity>(),
        queries::table::<organisation::Entity>(),
        queries::table::<person::Entity>(),
        queries::table::<affiliation::Entity>(),
        queries::table::<theme::Entity>(),
        queries::table::<cooperation::Entity>(),
        queries::table::<country_group::Entity>(),
        queries::table::<group_membership::Entity>(),
        queries::table::<event::Entity>(),
        queries::table::<event_participant::Entity>(),
        queries::table::<programme::Entity>(),
        queries::table::<programme_partner::Entity>(),
        queries::table::<programme_milestone::Entity>(),
        queries::table::<programme_action::Entity>(),
        queries::table::<cost_item::Entity>(),
        queries::table::<cost_share::Entity>(),
    ]
}

/// Loads the dataset at `scale` in one transaction. The caller checks that the database is
/// empty: ids start at 1.
pub async fn load(db: &DatabaseConnection, scale: Scale) -> anyhow::Result<Report> {
    let started = Instant::now();
    let counts = Counts::at(scale);
    counts.check().map_err(anyhow::Error::msg)?;
    let transaction = crate::db::begin_write(db).await?;
    let mut tally = Tally::default();
    let mut world = actors::load(&transaction, &counts, &mut tally).await?;
    directory::load(&transaction, &counts, &mut world, &mut tally).await?;
    events::load(&transaction, &counts, &mut world, &mut tally).await?;
    programmes::load(&transaction, &counts, &world, &mut tally).await?;
    queries::restart_id_sequences(&transaction, &tables_with_ids()).await?;
    let counted: serde_json::Map<String, serde_json::Value> = tally
        .0
        .iter()
        .map(|(table, count)| ((*table).to_owned(), (*count).into()))
        .collect();
    crate::audit::record(
        &transaction,
        &crate::audit::Actor::system(),
        "seedSynthetic",
        None,
        None,
        Some(serde_json::json!({ "scale": scale.to_string(), "rows": counted })),
    )
    .await?;
    transaction.commit().await?;
    queries::analyze(db).await?;
    Ok(Report {
        scale,
        rows: tally.0,
        elapsed: started.elapsed(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The counts and world of scale 0.01, with themes, built without a database.
    pub(super) fn small_world() -> (Counts, World) {
        let counts = Counts::at(Scale::parse("0.01").unwrap());
        let (mut world, _) = actors::generate(&counts);
        world.themes = (1..=names::THEMES.len() as i64).collect();
        (counts, world)
    }

    #[test]
    fn scales_parse_as_decimals_within_bounds() {
        for (text, millionths) in [("1", 1_000_000), ("0.01", 10_000), ("2.5", 2_500_000)] {
            assert_eq!(
                Scale::parse(text).map(|scale| scale.millionths),
                Ok(millionths)
            );
        }
        for text in [
            "",
            ".",
            "0",
            "0.001",
            "1001",
            "-1",
            "1e3",
            "1,5",
            "0.0000001",
        ] {
            assert!(Scale::parse(text).is_err(), "{text:?}");
        }
        assert_eq!(Scale::parse("0.250").unwrap().to_string(), "0.25");
        assert_eq!(Scale::ONE.to_string(), "1");
    }

    #[test]
    fn counts_multiply_and_round_to_at_least_one() {
        let one = Counts::at(Scale::ONE);
        assert_eq!((one.cooperations, one.participants), (50_000, 40_000));
        let small = Counts::at(Scale::parse("0.01").unwrap());
        assert_eq!((small.authorities, small.cooperations), (20, 500));
        assert_eq!((small.country_groups, small.programmes), (1, 5));
        let triple = Counts::at(Scale::parse("3").unwrap());
        assert_eq!(triple.shares, 36_000);
    }

    #[test]
    fn the_same_scale_generates_the_same_rows() {
        let (counts, mut world) = small_world();
        let (_, mut again) = small_world();
        assert_eq!(world.authorities, again.authorities);
        assert_eq!(
            events::groups(&counts, &mut world),
            events::groups(&counts, &mut again)
        );
    }

    #[test]
    fn every_allowed_scale_makes_a_consistent_dataset() {
        for text in ["0.01", "0.013", "0.07", "0.5", "1", "2.75", "10", "1000"] {
            let counts = Counts::at(Scale::parse(text).unwrap());
            assert_eq!(counts.check(), Ok(()), "{text}");
        }
    }
}
