//! Documents of the resource centre ("lieu de ressources"): a country dossier, minutes,
//! advocacy, reports, agreements. Each belongs to one group, event, programme or fiche, has
//! authors, dated milestones and file versions; a new file is a new version, never an
//! overwrite. CUF staff manage them; who reads one is its `visibility`.

pub mod graphql;
pub mod queries;

use std::sync::Arc;

use async_graphql::Enum;
use chrono::{SubsecRound, Utc};
use entities::{
    cooperation, country_group, document, document_author, document_milestone, document_version,
    event, person, programme,
};
use sea_orm::{ConnectionTrait, TransactionTrait};
use serde_json::json;

use crate::access::{Caller, Role};
use crate::audit::{self, Actor};
use crate::error::ApiError;
use crate::events::fuzzy_date::FuzzyDate;
use crate::files::{BlobStore, StoreError};
use crate::ids::{self, NodeKind};
use crate::mutation::{Rejection, UserErrorCode};
use crate::storage::{self, Keyed, Versioned};

macro_rules! stored_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$variant_meta:meta])* $variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
        pub enum $name { $($(#[$variant_meta])* $variant),+ }

        impl $name {
            /// The stored name.
            pub fn as_str(self) -> &'static str {
                match self { $(Self::$variant => $text),+ }
            }

            /// The value stored as `text`, if any.
            pub fn from_stored(text: &str) -> Option<Self> {
                match text { $($text => Some(Self::$variant),)+ _ => None }
            }
        }
    };
}

stored_enum!(
    /// What a document is.
    DocumentKind {
        /// A country dossier: the partner country presented to French authorities.
        CountryDossier => "COUNTRY_DOSSIER",
        /// Minutes of a meeting.
        Minutes => "MINUTES",
        /// An advocacy document, such as the common offer of French authorities.
        Advocacy => "ADVOCACY",
        /// A report.
        Report => "REPORT",
        /// An agreement.
        Agreement => "AGREEMENT",
        /// Anything else.
        Other => "OTHER",
    }
);

stored_enum!(
    /// Where a document stands.
    DocumentStatus {
        /// Planned, not started.
        Planned => "PLANNED",
        /// Being written.
        Drafting => "DRAFTING",
        /// Written, being reviewed.
        InReview => "IN_REVIEW",
        /// Published.
        Published => "PUBLISHED",
        /// Kept for the record, no longer current.
        Archived => "ARCHIVED",
    }
);

stored_enum!(
    /// Who may read a document and download its files.
    DocumentVisibility {
        /// Everyone, anonymous callers included.
        Public => "PUBLIC",
        /// Member authorities and CUF.
        Members => "MEMBERS",
        /// CUF staff only.
        Cuf => "CUF",
    }
);

impl DocumentVisibility {
    /// The visibilities `caller` may read.
    pub fn readable_by(caller: &Caller) -> &'static [DocumentVisibility] {
        match caller.role() {
            Some(Role::Admin | Role::CufStaff) => &[Self::Public, Self::Members, Self::Cuf],
            Some(Role::Member) => &[Self::Public, Self::Members],
            _ => &[Self::Public],
        }
    }
}

/// Whether `caller` may read `document`.
pub fn may_read(caller: &Caller, document: &document::Model) -> bool {
    DocumentVisibility::from_stored(&document.visibility)
        .is_some_and(|visibility| DocumentVisibility::readable_by(caller).contains(&visibility))
}

/// What a document belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Owner {
    Group(i64),
    Event(i64),
    Programme(i64),
    Cooperation(i64),
}

/// A dated step of a document.
#[derive(Debug, Clone)]
pub struct Milestone {
    pub title: String,
    pub due: FuzzyDate,
    pub done: bool,
}

/// A document's content, checked at the edge.
#[derive(Debug, Clone)]
pub struct DocumentContent {
    pub title: String,
    pub kind: DocumentKind,
    pub status: DocumentStatus,
    pub visibility: DocumentVisibility,
    pub language: String,
    pub owner: Owner,
    pub authors: Vec<i64>,
    pub milestones: Vec<Milestone>,
}

impl Keyed for document::Entity {
    const ID: document::Column = document::Column::Id;

    fn id(model: &document::Model) -> i64 {
        model.id
    }
}

impl Versioned for document::Entity {
    const NOUN: &'static str = "document";
    const VERSION: document::Column = document::Column::Version;

    fn version(model: &document::Model) -> i32 {
        model.version
    }
}

impl Keyed for document_author::Entity {
    const ID: document_author::Column = document_author::Column::Id;

    fn id(model: &document_author::Model) -> i64 {
        model.id
    }
}

impl Keyed for document_milestone::Entity {
    const ID: document_milestone::Column = document_milestone::Column::Id;

    fn id(model: &document_milestone::Model) -> i64 {
        model.id
    }
}

impl Keyed for document_version::Entity {
    const ID: document_version::Column = document_version::Column::Id;

    fn id(model: &document_version::Model) -> i64 {
        model.id
    }
}

/// A document's authors, milestones and versions load a batch of documents at a time.
impl crate::storage::Children for document_author::Entity {
    const PARENT: document_author::Column = document_author::Column::DocumentId;
    const ORDER: document_author::Column = document_author::Column::Position;

    fn parent(model: &document_author::Model) -> Option<i64> {
        Some(model.document_id)
    }
}

impl crate::storage::Children for document_milestone::Entity {
    const PARENT: document_milestone::Column = document_milestone::Column::DocumentId;
    const ORDER: document_milestone::Column = document_milestone::Column::Position;

    fn parent(model: &document_milestone::Model) -> Option<i64> {
        Some(model.document_id)
    }
}

impl crate::storage::Children for document_version::Entity {
    const PARENT: document_version::Column = document_version::Column::DocumentId;
    const ORDER: document_version::Column = document_version::Column::Number;

    fn parent(model: &document_version::Model) -> Option<i64> {
        Some(model.document_id)
    }
}

fn not_found(field: &str, noun: &str) -> Rejection {
    Rejection::user(
        &[field],
        UserErrorCode::NotFound,
        format!("no {noun} has this id"),
    )
}

/// Checks that the owner and the authors exist.
async fn check_references(
    db: &impl ConnectionTrait,
    content: &DocumentContent,
) -> Result<(), Rejection> {
    let exists = match content.owner {
        Owner::Group(id) => storage::find::<country_group::Entity>(db, id)
            .await?
            .is_some(),
        Owner::Event(id) => storage::find::<event::Entity>(db, id).await?.is_some(),
        Owner::Programme(id) => storage::find::<programme::Entity>(db, id).await?.is_some(),
        Owner::Cooperation(id) => storage::find::<cooperation::Entity>(db, id)
            .await?
            .is_some(),
    };
    if !exists {
        return Err(not_found("belongsTo", "group, event, programme or fiche"));
    }
    let people = storage::find_many::<person::Entity>(db, &content.authors).await?;
    if let Some(position) = content
        .authors
        .iter()
        .position(|id| !people.iter().any(|person| person.id == *id))
    {
        return Err(Rejection::user(
            &["authorIds", &position.to_string()],
            UserErrorCode::NotFound,
            "no person has this id",
        ));
    }
    Ok(())
}

fn row(
    id: i64,
    content: &DocumentContent,
    version: i32,
    created: chrono::DateTime<Utc>,
    now: chrono::DateTime<Utc>,
) -> document::Model {
    let (mut group_id, mut event_id, mut programme_id, mut cooperation_id) =
        (None, None, None, None);
    match content.owner {
        Owner::Group(owner) => group_id = Some(owner),
        Owner::Event(owner) => event_id = Some(owner),
        Owner::Programme(owner) => programme_id = Some(owner),
        Owner::Cooperation(owner) => cooperation_id = Some(owner),
    }
    document::Model {
        id,
        title: content.title.clone(),
        sort_key: crate::text::fold(&content.title),
        kind: content.kind.as_str().to_owned(),
        status: content.status.as_str().to_owned(),
        visibility: content.visibility.as_str().to_owned(),
        language: content.language.clone(),
        group_id,
        event_id,
        programme_id,
        cooperation_id,
        version,
        created_at: created,
        updated_at: now,
    }
}

async fn write_children(
    db: &impl ConnectionTrait,
    id: i64,
    content: &DocumentContent,
) -> Result<(), ApiError> {
    queries::delete_children(db, id).await?;
    for (position, person_id) in content.authors.iter().enumerate() {
        let author = document_author::Model {
            id: 0,
            document_id: id,
            person_id: *person_id,
            position: position as i32,
        };
        storage::insert::<document_author::Entity>(db, author).await?;
    }
    for (position, milestone) in content.milestones.iter().enumerate() {
        let row = document_milestone::Model {
            id: 0,
            document_id: id,
            position: position as i32,
            title: milestone.title.clone(),
            due_start: milestone.due.start.0,
            due_end: milestone.due.end.0,
            due_precision: milestone.due.precision.as_str().to_owned(),
            tentative: milestone.due.tentative,
            done: milestone.done,
        };
        storage::insert::<document_milestone::Entity>(db, row).await?;
    }
    Ok(())
}

fn snapshot(model: &document::Model, content: &DocumentContent) -> serde_json::Value {
    json!({ "title": model.title, "kind": model.kind, "status": model.status,
        "visibility": model.visibility, "authors": content.authors.len(),
        "milestones": content.milestones.len() })
}

/// Creates a document with its authors and milestones (CUF staff).
pub async fn create_document(
    db: &impl TransactionTrait,
    actor: &Actor,
    content: DocumentContent,
) -> Result<document::Model, Rejection> {
    actor.caller.require(crate::access::STAFF)?;
    let transaction = crate::db::begin_write(db).await.map_err(ApiError::from)?;
    check_references(&transaction, &content).await?;
    let now = Utc::now().trunc_subsecs(6);
    let created =
        storage::insert::<document::Entity>(&transaction, row(0, &content, 1, now, now)).await?;
    write_children(&transaction, created.id, &content).await?;
    let node = ids::encode(NodeKind::Document, created.id);
    audit::record(
        &transaction,
        actor,
        "createDocument",
        Some(&node),
        None,
        Some(snapshot(&created, &content)),
    )
    .await?;
    crate::live::commit(transaction)
        .await
        .map_err(ApiError::from)?;
    Ok(created)
}

/// Replaces the document `id` (with its authors and milestones) if it is still at `version`.
pub async fn update_document(
    db: &impl TransactionTrait,
    actor: &Actor,
    id: i64,
    version: i32,
    content: DocumentContent,
) -> Result<document::Model, Rejection> {
    actor.caller.require(crate::access::STAFF)?;
    let transaction = crate::db::begin_write(db).await.map_err(ApiError::from)?;
    let current = storage::current::<document::Entity>(&transaction, id, version).await?;
    check_references(&transaction, &content).await?;
    let now = Utc::now().trunc_subsecs(6);
    let next = row(id, &content, version + 1, current.created_at, now);
    let Some(updated) =
        storage::update_at_version::<document::Entity>(&transaction, id, version, next).await?
    else {
        return Err(storage::stale::<document::Entity>(version, version + 1));
    };
    write_children(&transaction, id, &content).await?;
    let node = ids::encode(NodeKind::Document, id);
    audit::record(
        &transaction,
        actor,
        "updateDocument",
        Some(&node),
        Some(json!({ "title": current.title, "status": current.status, "visibility": current.visibility })),
        Some(snapshot(&updated, &content)),
    )
    .await?;
    crate::live::commit(transaction)
        .await
        .map_err(ApiError::from)?;
    Ok(updated)
}

/// An uploaded file: its name as sent and its content (a temporary file).
pub struct Upload {
    pub filename: String,
    pub content: std::fs::File,
}

/// Adds `upload` as the next version of the document `id` (CUF staff), after the store has
/// checked its type and size and kept it under its digest.
pub async fn add_version(
    db: &(impl TransactionTrait + ConnectionTrait),
    store: &Arc<dyn BlobStore>,
    limit: u64,
    actor: &Actor,
    id: i64,
    upload: Upload,
) -> Result<(document::Model, document_version::Model), Rejection> {
    actor.caller.require(crate::access::STAFF)?;
    if storage::find::<document::Entity>(db, id).await?.is_none() {
        return Err(not_found("documentId", "document"));
    }
    let stored = match store.put(upload.content, limit).await {
        Ok(stored) => stored,
        Err(StoreError::Refused(message)) => {
            return Err(Rejection::user(&["file"], UserErrorCode::Invalid, message));
        }
        Err(StoreError::Io(error)) => {
            return Err(ApiError::internal(format!("cannot store a file: {error}")).into());
        }
    };
    let transaction = crate::db::begin_write(db).await.map_err(ApiError::from)?;
    let Some(document) = storage::find::<document::Entity>(&transaction, id).await? else {
        return Err(not_found("documentId", "document"));
    };
    let number = queries::last_version_number(&transaction, id).await? + 1;
    let now = Utc::now().trunc_subsecs(6);
    let version = document_version::Model {
        id: 0,
        document_id: id,
        number,
        filename: crate::files::clean_filename(&upload.filename),
        media_type: stored.media_type.to_owned(),
        size: i64::try_from(stored.size).map_err(ApiError::internal)?,
        sha256: stored.sha256,
        uploaded_by: actor.caller.user_id(),
        created_at: now,
    };
    let version = storage::insert::<document_version::Entity>(&transaction, version).await?;
    let node = ids::encode(NodeKind::Document, id);
    audit::record(
        &transaction,
        actor,
        "uploadDocumentVersion",
        Some(&node),
        None,
        Some(json!({ "number": version.number, "filename": version.filename, "sha256": version.sha256, "size": version.size })),
    )
    .await?;
    crate::live::commit(transaction)
        .await
        .map_err(ApiError::from)?;
    Ok((document, version))
}
