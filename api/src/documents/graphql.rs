//! The GraphQL face of documents: `Document`, the `documents` connection, `createDocument`,
//! `updateDocument` and `uploadDocumentVersion` (a file sent with the GraphQL multipart
//! request specification).

use std::sync::Arc;

use async_graphql::{Context, ID, InputObject, Object, SimpleObject, Upload};
use chrono::{DateTime, Utc};
use entities::{document, document_author, document_milestone, document_version};

use super::queries::{self, DocumentFilter};
use super::{DocumentContent, DocumentKind, DocumentStatus, DocumentVisibility, Milestone, Owner};
use crate::access::{RoleGuard, STAFF};
use crate::context;
use crate::error::ApiError;
use crate::events::fuzzy_date::{DatePrecision, FuzzyDate, FuzzyDateInput};
use crate::files::BlobStore;
use crate::ids::{self, NodeKind};
use crate::mutation::{InputErrors, UserError, UserErrorCode, into_payload, payload, respond};
use crate::pagination::{PageArgs, PageRequest, connection, wants_total_count};
use crate::people::graphql::Person;
use crate::people::loaders::PersonLoader;
use crate::storage::ChildrenLoader;
use crate::values::{Date, ValueError};

/// Where uploaded files go, and how large one may be.
#[derive(Clone)]
pub struct FileStorage {
    pub store: Arc<dyn BlobStore>,
    pub max_bytes: u64,
}

/// A document of the resource centre: a country dossier, minutes, advocacy, a report, an
/// agreement; with its authors, milestones and file versions.
#[derive(Clone)]
pub struct Document(pub document::Model);

/// A document of the resource centre.
#[Object]
impl Document {
    /// The global id of this document.
    pub async fn id(&self) -> ID {
        ids::encode(NodeKind::Document, self.0.id)
    }

    /// Its title.
    async fn title(&self) -> &str {
        &self.0.title
    }

    /// What it is.
    async fn kind(&self) -> Option<DocumentKind> {
        DocumentKind::from_stored(&self.0.kind)
    }

    /// Where it stands.
    async fn status(&self) -> Option<DocumentStatus> {
        DocumentStatus::from_stored(&self.0.status)
    }

    /// Who may read it and download its files.
    async fn visibility(&self) -> Option<DocumentVisibility> {
        DocumentVisibility::from_stored(&self.0.visibility)
    }

    /// Its language (ISO 639-1, e.g. `fr`).
    async fn language(&self) -> &str {
        &self.0.language
    }

    /// The id of the country group, event, programme or fiche it belongs to.
    async fn belongs_to(&self) -> ID {
        match (
            self.0.group_id,
            self.0.event_id,
            self.0.programme_id,
            self.0.cooperation_id,
        ) {
            (Some(id), ..) => ids::encode(NodeKind::CountryGroup, id),
            (_, Some(id), ..) => ids::encode(NodeKind::Event, id),
            (_, _, Some(id), _) => ids::encode(NodeKind::Programme, id),
            (_, _, _, Some(id)) => ids::encode(NodeKind::Cooperation, id),
            _ => ID(String::new()),
        }
    }

    /// Its authors, in order.
    async fn authors(&self, ctx: &Context<'_>) -> Result<Vec<Person>, ApiError> {
        let rows = context::loader::<ChildrenLoader<document_author::Entity>>(ctx)?
            .load_one(self.0.id)
            .await?
            .unwrap_or_default();
        let people = context::loader::<PersonLoader>(ctx)?
            .load_many(rows.iter().map(|row| row.person_id))
            .await?;
        Ok(rows
            .iter()
            .filter_map(|row| people.get(&row.person_id).cloned().map(Person))
            .collect())
    }

    /// Its dated steps, in order.
    async fn milestones(&self, ctx: &Context<'_>) -> Result<Vec<DocumentMilestone>, ApiError> {
        Ok(
            context::loader::<ChildrenLoader<document_milestone::Entity>>(ctx)?
                .load_one(self.0.id)
                .await?
                .unwrap_or_default()
                .into_iter()
                .map(|row| DocumentMilestone {
                    title: row.title,
                    due: FuzzyDate {
                        start: Date(row.due_start),
                        end: Date(row.due_end),
                        precision: DatePrecision::from_stored(&row.due_precision),
                        tentative: row.tentative,
                    },
                    done: row.done,
                })
                .collect(),
        )
    }

    /// Its files, the newest version first. Nothing is overwritten: each upload is a version.
    async fn versions(&self, ctx: &Context<'_>) -> Result<Vec<DocumentVersion>, ApiError> {
        let mut rows = context::loader::<ChildrenLoader<document_version::Entity>>(ctx)?
            .load_one(self.0.id)
            .await?
            .unwrap_or_default();
        rows.reverse();
        Ok(rows.into_iter().map(DocumentVersion).collect())
    }

    /// Its version number, to send back with an update.
    async fn version(&self) -> i32 {
        self.0.version
    }

    /// When it was created.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }

    /// When it last changed.
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
}

/// A dated step of a document (e.g. "first draft sent to the group", 5 May 2014).
#[derive(SimpleObject)]
pub struct DocumentMilestone {
    /// What is due.
    title: String,
    /// When, as precisely as it is known.
    due: FuzzyDate,
    /// Whether it is done.
    done: bool,
}

/// One uploaded file of a document.
pub struct DocumentVersion(document_version::Model);

/// One uploaded file of a document.
#[Object]
impl DocumentVersion {
    /// The id of this version, which `GET /files/{id}` downloads.
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }

    /// 1 for the first file, then 2, 3, …
    async fn number(&self) -> i32 {
        self.0.number
    }

    /// The file's name, as uploaded (cleaned of any path).
    async fn filename(&self) -> &str {
        &self.0.filename
    }

    /// The type recognised from the content, not from the name.
    async fn media_type(&self) -> &str {
        &self.0.media_type
    }

    /// The size in bytes.
    async fn size(&self) -> i64 {
        self.0.size
    }

    /// The SHA-256 of the content, in hex.
    async fn sha256(&self) -> &str {
        &self.0.sha256
    }

    /// Where to download it (as an attachment; the caller's credentials apply).
    async fn download_path(&self) -> String {
        format!("/files/{}", self.0.id)
    }

    /// When it was uploaded.
    async fn uploaded_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
}

connection!(
    DocumentConnection,
    DocumentEdge,
    Document,
    "A page of documents, as a Relay cursor connection.",
    "A document in a page, with its cursor."
);

/// Conditions on the documents to list; all given conditions must hold.
#[derive(InputObject, Default)]
pub struct DocumentFilterInput {
    /// Only the documents of this country group.
    pub country_group_id: Option<ID>,
    /// Only documents of these kinds.
    pub kinds: Option<Vec<DocumentKind>>,
    /// Only documents with one of these statuses.
    pub statuses: Option<Vec<DocumentStatus>>,
    /// Only documents with a milestone not yet done whose due date starts before this day.
    pub milestones_due_before: Option<Date>,
}

/// The queries about documents.
#[derive(Default)]
pub struct DocumentQuery;

#[Object]
impl DocumentQuery {
    /// The documents the caller may read that match `filter`, by title, a page at a time:
    /// PUBLIC ones for everyone, MEMBERS ones for members and CUF, CUF ones for CUF staff.
    async fn documents(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "Return at most this many documents from the start (at most 100; 20 by default)."
        )]
        first: Option<i32>,
        #[graphql(desc = "Start after the edge with this cursor.")] after: Option<String>,
        #[graphql(desc = "Return at most this many documents from the end (at most 100).")]
        last: Option<i32>,
        #[graphql(desc = "End before the edge with this cursor.")] before: Option<String>,
        #[graphql(desc = "Which documents to list.")] filter: Option<DocumentFilterInput>,
    ) -> Result<DocumentConnection, ApiError> {
        let filter = filter.unwrap_or_default();
        let group_id = filter
            .country_group_id
            .map(|id| ids::decode_as(&id, NodeKind::CountryGroup))
            .transpose()
            .map_err(|error| ApiError::BadUserInput(format!("filter.countryGroupId: {error}")))?;
        let filter = DocumentFilter {
            group_id,
            kinds: filter.kinds.unwrap_or_default(),
            statuses: filter.statuses.unwrap_or_default(),
            milestones_due_before: filter.milestones_due_before.map(|date| date.0),
        };
        let page = PageRequest::parse(
            PageArgs {
                first,
                after,
                last,
                before,
            },
            &queries::by_title().tag(),
        )?;
        let visibilities = DocumentVisibility::readable_by(context::caller(ctx));
        let (rows, total) = queries::documents_page(
            context::db(ctx)?,
            visibilities,
            &filter,
            &page,
            wants_total_count(ctx),
        )
        .await?;
        Ok(DocumentConnection::new(rows.map(Document), total))
    }
}

/// A dated step of a document.
#[derive(InputObject)]
pub struct DocumentMilestoneInput {
    /// What is due.
    pub title: String,
    /// When, as precisely as it is known.
    pub due: FuzzyDateInput,
    /// Whether it is done; false by default.
    #[graphql(default)]
    pub done: bool,
}

/// A document's content, replaced as a whole.
#[derive(InputObject)]
pub struct DocumentInput {
    /// Its title (1 to 300 characters).
    pub title: String,
    /// What it is.
    pub kind: DocumentKind,
    /// Where it stands; PLANNED by default.
    pub status: Option<DocumentStatus>,
    /// Who may read it; MEMBERS by default.
    pub visibility: Option<DocumentVisibility>,
    /// Its language (ISO 639-1); `fr` by default.
    pub language: Option<String>,
    /// The country group, event, programme or fiche it belongs to (exactly one id).
    pub belongs_to: ID,
    /// Its authors, in order.
    #[graphql(default)]
    pub author_ids: Vec<ID>,
    /// Its dated steps, in order (at most 50).
    #[graphql(default)]
    pub milestones: Vec<DocumentMilestoneInput>,
}

/// A document to replace.
#[derive(InputObject)]
pub struct UpdateDocumentInput {
    /// The document.
    pub id: ID,
    /// The version read; a stale one is a CONFLICT.
    pub version: i32,
    /// Its new content.
    pub content: DocumentInput,
}

/// A file to add to a document, sent as a GraphQL multipart request.
#[derive(InputObject)]
pub struct UploadDocumentVersionInput {
    /// The document.
    pub document_id: ID,
    /// The file (PDF, PNG, JPEG, OpenDocument, Office Open XML or plain UTF-8 text, checked on
    /// its content; 20 MiB at most by default).
    pub file: Upload,
}

payload!(CreateDocumentPayload, document: Document, "The result of `createDocument`.", "The new document; null when there are user errors.");
payload!(UpdateDocumentPayload, document: Document, "The result of `updateDocument`.", "The document as saved; null when there are user errors.");

/// The result of `uploadDocumentVersion`.
#[derive(SimpleObject)]
pub struct UploadDocumentVersionPayload {
    /// The document; null when there are user errors.
    pub document: Option<Document>,
    /// The new version; null when there are user errors.
    pub version: Option<DocumentVersion>,
    /// What is wrong with the input; empty on success.
    pub user_errors: Vec<UserError>,
}

impl From<document::Model> for Document {
    fn from(model: document::Model) -> Self {
        Self(model)
    }
}

fn language(text: Option<&str>) -> Result<String, ValueError> {
    let text = text.unwrap_or("fr").trim().to_ascii_lowercase();
    if text.len() == 2 && text.bytes().all(|byte| byte.is_ascii_lowercase()) {
        Ok(text)
    } else {
        Err(ValueError("a two-letter ISO 639-1 code, e.g. fr".into()))
    }
}

fn owner(id: &ID) -> Result<Owner, ValueError> {
    let (kind, number) = ids::decode(id).map_err(|error| ValueError(error.to_string()))?;
    match kind {
        NodeKind::CountryGroup => Ok(Owner::Group(number)),
        NodeKind::Event => Ok(Owner::Event(number)),
        NodeKind::Programme => Ok(Owner::Programme(number)),
        NodeKind::Cooperation => Ok(Owner::Cooperation(number)),
        _ => Err(ValueError(
            "is not the id of a country group, event, programme or fiche".into(),
        )),
    }
}

fn at(parts: &[String]) -> Vec<&str> {
    parts.iter().map(String::as_str).collect()
}

/// The content of `input`, parsed; errors are recorded under `prefix`.
fn parse_content(
    errors: &mut InputErrors,
    prefix: &[&str],
    input: DocumentInput,
) -> Option<DocumentContent> {
    let path = |field: &str| -> Vec<String> {
        prefix
            .iter()
            .map(|part| (*part).to_owned())
            .chain([field.to_owned()])
            .collect()
    };
    let title = input.title.trim().to_owned();
    let title = errors.check(
        &at(&path("title")),
        if title.is_empty() || title.chars().count() > 300 || title.chars().any(char::is_control) {
            Err(ValueError(
                "1 to 300 characters, without control characters".into(),
            ))
        } else {
            Ok(title)
        },
    );
    let language = errors.check(&at(&path("language")), language(input.language.as_deref()));
    let owner = errors.check(&at(&path("belongsTo")), owner(&input.belongs_to));
    let mut authors = Vec::with_capacity(input.author_ids.len());
    for (position, id) in input.author_ids.iter().enumerate() {
        let field = path("authorIds");
        let mut field = at(&field);
        let position = position.to_string();
        field.push(&position);
        if let Some(id) = errors.id(&field, id, NodeKind::Person) {
            authors.push(id);
        }
    }
    if input.milestones.len() > 50 {
        errors.push(UserError::new(
            &at(&path("milestones")),
            UserErrorCode::Invalid,
            "at most 50 milestones",
        ));
    }
    let mut milestones = Vec::with_capacity(input.milestones.len());
    for (position, milestone) in input.milestones.into_iter().enumerate() {
        let position = position.to_string();
        let base = path("milestones");
        let mut title_path = at(&base);
        title_path.extend([position.as_str(), "title"]);
        let title = milestone.title.trim().to_owned();
        let title = errors.check(
            &title_path,
            if title.is_empty() || title.chars().count() > 300 {
                Err(ValueError("1 to 300 characters".into()))
            } else {
                Ok(title)
            },
        );
        let mut due_path = at(&base);
        due_path.extend([position.as_str(), "due"]);
        let due = errors.check(&due_path, milestone.due.parse());
        if let (Some(title), Some(due)) = (title, due) {
            milestones.push(Milestone {
                title,
                due,
                done: milestone.done,
            });
        }
    }
    Some(DocumentContent {
        title: title?,
        kind: input.kind,
        status: input.status.unwrap_or(DocumentStatus::Planned),
        visibility: input.visibility.unwrap_or(DocumentVisibility::Members),
        language: language?,
        owner: owner?,
        authors,
        milestones,
    })
}

/// The mutations on documents (CUF staff).
#[derive(Default)]
pub struct DocumentMutation;

#[Object]
impl DocumentMutation {
    /// Creates a document with its authors and milestones.
    #[graphql(guard = "RoleGuard(STAFF)")]
    async fn create_document(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The document.")] input: DocumentInput,
    ) -> Result<CreateDocumentPayload, ApiError> {
        let mut errors = InputErrors::default();
        let content = parse_content(&mut errors, &[], input);
        let (db, actor) = (context::db(ctx)?, context::actor(ctx));
        respond(errors.finish(|| content), |content| async move {
            super::create_document(db, &actor, content).await
        })
        .await
    }

    /// Replaces a document's content (its authors and milestones too) if it is still at the
    /// version read.
    #[graphql(guard = "RoleGuard(STAFF)")]
    async fn update_document(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The document, the version read and the new content.")]
        input: UpdateDocumentInput,
    ) -> Result<UpdateDocumentPayload, ApiError> {
        let mut errors = InputErrors::default();
        let id = errors.id(&["id"], &input.id, NodeKind::Document);
        let content = parse_content(&mut errors, &["content"], input.content);
        let (db, actor, version) = (context::db(ctx)?, context::actor(ctx), input.version);
        respond(
            errors.finish(|| Some((id?, content?))),
            |(id, content)| async move {
                super::update_document(db, &actor, id, version, content).await
            },
        )
        .await
    }

    /// Adds a file to a document as its next version (send the request as a GraphQL multipart
    /// request). The type is checked on the content; HTML and SVG are refused.
    #[graphql(guard = "RoleGuard(STAFF)")]
    async fn upload_document_version(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The document and the file.")] input: UploadDocumentVersionInput,
    ) -> Result<UploadDocumentVersionPayload, ApiError> {
        let mut errors = InputErrors::default();
        let id = errors.id(&["documentId"], &input.document_id, NodeKind::Document);
        let upload = match input.file.value(ctx) {
            Ok(value) => Some(super::Upload {
                filename: value.filename,
                content: value.content,
            }),
            Err(_) => {
                errors.push(UserError::new(
                    &["file"],
                    UserErrorCode::Invalid,
                    "send the file as a GraphQL multipart request",
                ));
                None
            }
        };
        let storage = ctx
            .data::<FileStorage>()
            .map_err(|_| ApiError::internal("the schema was built without file storage"))?;
        let (db, actor) = (context::db(ctx)?, context::actor(ctx));
        let result = match errors.finish(|| Some((id?, upload?))) {
            Ok((id, upload)) => {
                super::add_version(db, &storage.store, storage.max_bytes, &actor, id, upload).await
            }
            Err(rejection) => Err(rejection),
        };
        let (saved, user_errors) = into_payload(result)?;
        let (document, version) = saved.map_or((None, None), |(document, version)| {
            (Some(Document(document)), Some(DocumentVersion(version)))
        });
        Ok(UploadDocumentVersionPayload {
            document,
            version,
            user_errors,
        })
    }
}
