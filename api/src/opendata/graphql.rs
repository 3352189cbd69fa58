//! The GraphQL face of open data: `aidSummary`, what authorities committed to programmes in
//! a year, as they declare it as official development assistance.

use async_graphql::{Context, ID, InputObject, Object, SimpleObject};

use super::AidLine;
use crate::access::RoleGuard;
use crate::authorities::graphql::Authority;
use crate::context;
use crate::error::ApiError;
use crate::money::Currency;
use crate::programmes::graphql::{Money, READERS, money};

/// What one authority committed to the programmes of one partner country, in one year and
/// one currency.
#[derive(SimpleObject)]
pub struct AidSummaryLine {
    /// The contributing authority.
    pub authority: Authority,
    /// The partner country (ISO 3166-1 alpha-2) of the programmes' country group; null for
    /// programmes attached to no group.
    pub country_code: Option<String>,
    /// The year the money counts in: the year the programme starts (`startsOn`); without a
    /// start date, the year it ends; without either, the year it was recorded. Every share
    /// of the programme counts in that one year.
    pub year: i32,
    /// The programmes' currency (ISO 4217): one line per currency, amounts never mixed.
    pub currency: String,
    /// Pledged: the shares whose commitment reached PLEDGED or beyond (PLEDGED, CONFIRMED
    /// or PAID). Proposed and declined shares count nowhere.
    pub pledged: Money,
    /// Confirmed: the shares CONFIRMED or PAID (budget voted).
    pub confirmed: Money,
    /// Paid: the shares PAID, as recorded by CUF.
    pub paid: Money,
}

impl From<AidLine> for AidSummaryLine {
    fn from(line: AidLine) -> Self {
        let currency = Currency::parse(&line.currency).unwrap_or(Currency::EUR);
        Self {
            authority: Authority::from(line.authority),
            country_code: line.country_code,
            year: line.year,
            currency: line.currency,
            pledged: money(line.totals.pledged, currency),
            confirmed: money(line.totals.confirmed, currency),
            paid: money(line.totals.paid, currency),
        }
    }
}

/// Which aid summary to compute.
#[derive(InputObject)]
pub struct AidSummaryInput {
    /// Only this authority (its `id`); every authority that committed something when
    /// omitted.
    pub authority_id: Option<ID>,
    /// The year, from 1950 to 2100.
    pub year: i32,
}

/// The open-data queries.
#[derive(Default)]
pub struct OpenDataQuery;

#[Object]
impl OpenDataQuery {
    /// What authorities pledged, confirmed and paid to concerted action programmes in a
    /// year, per authority, partner country and currency (by authority name, country and
    /// currency): the figures an authority declares as official development assistance.
    /// Also at `GET /export/aid-summary.csv?year=`. Signed-in callers only (ministries,
    /// members, CUF), as for programmes; a bad year or id is `BAD_USER_INPUT`, an unknown
    /// authority `NOT_FOUND`.
    #[graphql(guard = "RoleGuard(READERS)")]
    async fn aid_summary(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The year and, optionally, the authority.")] input: AidSummaryInput,
    ) -> Result<Vec<AidSummaryLine>, ApiError> {
        let (year, authority_id) = super::aid_request(
            input.year,
            input.authority_id.as_ref().map(|id| id.as_str()),
        )?;
        let lines = super::aid_summary(context::db(ctx)?, year, authority_id).await?;
        Ok(lines.into_iter().map(AidSummaryLine::from).collect())
    }
}
