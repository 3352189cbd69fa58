//! The `Subscription` root: changes to fiches, cost shares and events, delivered over
//! WebSocket (`/graphql/ws`) to callers who may see them.

use std::future::ready;

use async_graphql::{Context, ID, SimpleObject, Subscription};
use entities::{cost_share, country_group, event, programme};
use futures_util::{Stream, StreamExt, stream};
use sea_orm::DatabaseConnection;
use tokio::sync::broadcast::{Receiver, error::RecvError};

use super::{Bus, Change, ChangeKind, FicheFacts};
use crate::access::Caller;
use crate::context;
use crate::directory::graphql::{Cooperation, CooperationFilterInput};
use crate::directory::{CooperationFilter, Visibility};
use crate::error::ApiError;
use crate::events::graphql::Event;
use crate::ids::{self, NodeKind};
use crate::programmes::graphql::CostShare;
use crate::storage;

/// A fiche of the directory was created, changed or deleted.
#[derive(SimpleObject)]
pub struct CooperationChange {
    /// What happened.
    kind: ChangeKind,
    /// The fiche's id (still given when it was deleted).
    cooperation_id: ID,
    /// The fiche as it is now, under the subscriber's visibility; null once deleted.
    cooperation: Option<Cooperation>,
}

/// A cost share of a programme's action changed: its commitment or its amount.
#[derive(SimpleObject)]
pub struct CommitmentChange {
    /// What happened.
    kind: ChangeKind,
    /// The programme.
    programme_id: ID,
    /// The share's id, as `CostShare.id` gives it.
    share_id: ID,
    /// The share as it is now; null once deleted.
    share: Option<CostShare>,
}

/// An event of a country group was created, changed or deleted.
#[derive(SimpleObject)]
pub struct EventChange {
    /// What happened.
    kind: ChangeKind,
    /// The country group.
    country_group_id: ID,
    /// The event's id (still given when it was deleted).
    event_id: ID,
    /// The event as it is now; null once deleted.
    event: Option<Event>,
}

/// Every change published from now on, skipping those a lagging subscriber missed.
fn changes(bus: &Bus) -> impl Stream<Item = Change> + use<> {
    stream::unfold(
        bus.subscribe(),
        |mut receiver: Receiver<Change>| async move {
            loop {
                match receiver.recv().await {
                    Ok(change) => return Some((change, receiver)),
                    Err(RecvError::Lagged(missed)) => {
                        tracing::warn!(missed, "a slow subscriber skipped changes");
                    }
                    Err(RecvError::Closed) => return None,
                }
            }
        },
    )
}

fn bus<'a>(ctx: &Context<'a>) -> Result<&'a Bus, ApiError> {
    ctx.data::<Bus>()
        .map_err(|_| ApiError::internal("the schema was built without a change bus"))
}

/// Whether a deleted fiche was visible under `visibility` and matched `filter`'s country and
/// authority (the rest of a filter needs the row, which is gone).
fn deletion_matches(
    facts: &FicheFacts,
    visibility: Visibility,
    filter: &CooperationFilter,
) -> bool {
    let visible = match visibility {
        Visibility::All => true,
        Visibility::ValidatedAnd(member) => {
            facts.validated || member.is_some_and(|own| facts.french_partners.contains(&own))
        }
    };
    let country = filter
        .country_code
        .as_ref()
        .is_none_or(|code| *code == facts.country_code);
    let authority = filter.authority_id.is_none_or(|authority| {
        facts.french_partners.contains(&authority) || facts.foreign_partners.contains(&authority)
    });
    visible && country && authority
}

async fn cooperation_change(
    db: &DatabaseConnection,
    visibility: Visibility,
    filter: &CooperationFilter,
    change: Change,
) -> Option<CooperationChange> {
    let Change::Cooperation { id, kind, deleted } = change else {
        return None;
    };
    let cooperation_id = ids::encode(NodeKind::Cooperation, id);
    if let Some(facts) = deleted {
        return deletion_matches(&facts, visibility, filter).then_some(CooperationChange {
            kind,
            cooperation_id,
            cooperation: None,
        });
    }
    match crate::directory::queries::matching_cooperation(db, visibility, filter, id).await {
        Ok(Some(fiche)) => Some(CooperationChange {
            kind,
            cooperation_id,
            cooperation: Some(Cooperation::from(fiche)),
        }),
        Ok(None) => None,
        Err(error) => {
            tracing::warn!(%error, "a fiche change could not be read; not delivered");
            None
        }
    }
}

async fn commitment_change(
    db: &DatabaseConnection,
    programme: &programme::Model,
    change: Change,
) -> Option<CommitmentChange> {
    let Change::Commitment {
        programme_id,
        share_id,
        kind,
    } = change
    else {
        return None;
    };
    if programme_id != programme.id {
        return None;
    }
    let share = match storage::find::<cost_share::Entity>(db, share_id).await {
        Ok(share) => share,
        Err(error) => {
            tracing::warn!(%error, "a share change could not be read; not delivered");
            return None;
        }
    };
    let currency = crate::programmes::currency_of(programme);
    Some(CommitmentChange {
        kind,
        programme_id: ids::encode(NodeKind::Programme, programme_id),
        share_id: ID(share_id.to_string()),
        share: share.map(|share| CostShare::new(share, currency)),
    })
}

async fn event_change(
    db: &DatabaseConnection,
    group: i64,
    sees_members_events: bool,
    change: Change,
) -> Option<EventChange> {
    let Change::Event {
        country_group_id,
        id,
        kind,
        members_only,
    } = change
    else {
        return None;
    };
    if country_group_id != group || (members_only && !sees_members_events) {
        return None;
    }
    let event = if kind == ChangeKind::Deleted {
        None
    } else {
        match storage::find::<event::Entity>(db, id).await {
            Ok(event) => event.map(Event),
            Err(error) => {
                tracing::warn!(%error, "an event change could not be read; not delivered");
                return None;
            }
        }
    };
    Some(EventChange {
        kind,
        country_group_id: ids::encode(NodeKind::CountryGroup, group),
        event_id: ids::encode(NodeKind::Event, id),
        event,
    })
}

fn bad_id(field: &str, error: impl std::fmt::Display) -> ApiError {
    ApiError::BadUserInput(format!("{field}: {error}"))
}

/// The root of subscriptions.
#[derive(Default)]
pub struct SubscriptionRoot;

/// Changes as they are committed, over WebSocket at `/graphql/ws` (graphql-transport-ws):
/// each is delivered only to subscribers who may see the changed object.
#[Subscription(name = "Subscription")]
impl SubscriptionRoot {
    /// Fiches created, changed or deleted from now on that the caller may see and that match
    /// `filter` (as `cooperations` applies it, on the fiche as it is when the change is
    /// delivered). A deletion is delivered to those who could see the fiche, when the
    /// filter's country and authority (its other conditions need the fiche) match.
    async fn cooperation_changed(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Which fiches to follow; all visible fiches by default.")] filter: Option<
            CooperationFilterInput,
        >,
    ) -> Result<impl Stream<Item = CooperationChange> + use<>, ApiError> {
        let filter = filter.unwrap_or_default().parse()?;
        let visibility = Visibility::of(context::caller(ctx));
        let db = context::db(ctx)?.clone();
        Ok(changes(bus(ctx)?)
            .filter(|change| ready(matches!(change, Change::Cooperation { .. })))
            .filter_map(move |change| {
                let (db, filter) = (db.clone(), filter.clone());
                async move { cooperation_change(&db, visibility, &filter, change).await }
            }))
    }

    /// Changes from now on to the cost shares of the programme `programmeId`: commitments
    /// (pledged, confirmed, paid, declined) and amounts. For the roles that may read
    /// programmes.
    async fn commitment_changed(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The programme to follow.")] programme_id: ID,
    ) -> Result<impl Stream<Item = CommitmentChange> + use<>, ApiError> {
        let caller: &Caller = context::caller(ctx);
        caller.require(crate::programmes::graphql::READERS)?;
        let id = ids::decode_as(&programme_id, NodeKind::Programme)
            .map_err(|error| bad_id("programmeId", error))?;
        let db = context::db(ctx)?.clone();
        let Some(programme) = storage::find::<programme::Entity>(&db, id).await? else {
            return Err(ApiError::NotFound("programme".into()));
        };
        Ok(changes(bus(ctx)?)
            .filter(|change| ready(matches!(change, Change::Commitment { .. })))
            .filter_map(move |change| {
                let (db, programme) = (db.clone(), programme.clone());
                async move { commitment_change(&db, &programme, change).await }
            }))
    }

    /// Events of the country group `countryGroupId` created, changed or deleted from now on;
    /// members' events only for the roles that may see them.
    async fn event_changed(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The country group to follow.")] country_group_id: ID,
    ) -> Result<impl Stream<Item = EventChange> + use<>, ApiError> {
        let group = ids::decode_as(&country_group_id, NodeKind::CountryGroup)
            .map_err(|error| bad_id("countryGroupId", error))?;
        let sees_members_events = crate::events::may_see_members_events(context::caller(ctx));
        let db = context::db(ctx)?.clone();
        if storage::find::<country_group::Entity>(&db, group)
            .await?
            .is_none()
        {
            return Err(ApiError::NotFound("country group".into()));
        }
        Ok(changes(bus(ctx)?)
            .filter(|change| ready(matches!(change, Change::Event { .. })))
            .filter_map(move |change| {
                let db = db.clone();
                async move { event_change(&db, group, sees_members_events, change).await }
            }))
    }
}
