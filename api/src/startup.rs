//! Builds the application from `Settings`: database, migrations, demo data, schema and HTTP
//! server. `main` and the integration tests share it; binding port 0 gives a free port.

use std::net::{SocketAddr, TcpListener};
use std::sync::Arc;
use std::time::Duration;

use actix_cors::Cors;
use actix_web::dev::Server;
use actix_web::middleware::{Compress, from_fn};
use actix_web::{App, HttpResponse, HttpServer, http::header, web};
use anyhow::Context as _;
use sea_orm::DatabaseConnection;

use crate::access::passwords::PasswordHasher;
use crate::access::throttle::Throttle;
use crate::access::tokens::{self, TokenKeys};
use crate::access::{Access, users};
use crate::http::rate_limit::RateLimiter;
use crate::http::{self, AppState};
use crate::limits::{Limits, Shape};
use crate::metrics::Metrics;
use crate::outbox::{self, Mailer};
use crate::schema::{self, Tunables};
use crate::seed;
use crate::settings::{Environment, Settings};

/// A built server, bound and ready to run.
pub struct Application {
    server: Server,
    address: SocketAddr,
    db: DatabaseConnection,
    demo_loaded: bool,
    notices: Vec<String>,
}

/// The signing keys, hasher and throttle that `settings` describe.
pub fn access(settings: &Settings) -> anyhow::Result<Access> {
    let secret = settings
        .jwt_secret
        .clone()
        .unwrap_or_else(tokens::random_secret);
    let previous = settings
        .jwt_previous_secret
        .as_deref()
        .map(|secret| (settings.jwt_previous_key_id.as_str(), secret.as_bytes()));
    Ok(Access {
        keys: TokenKeys::new(
            (settings.jwt_key_id.as_str(), secret.as_bytes()),
            previous,
            chrono::Duration::minutes(settings.access_token_minutes.max(1)),
        ),
        hasher: PasswordHasher::new(settings.hash_concurrency)
            .map_err(|error| anyhow::anyhow!("{error:?}"))?,
        throttle: Throttle::default(),
        session_lifetime: chrono::Duration::days(settings.session_days.max(1)),
    })
}

/// Creates the first administrator: from `CUF_ADMIN_EMAIL`/`CUF_ADMIN_PASSWORD`, or in
/// development on an empty database with a random password printed once. The notices to print.
async fn bootstrap(
    db: &DatabaseConnection,
    access: &Access,
    settings: &Settings,
    was_empty: bool,
) -> anyhow::Result<Vec<String>> {
    if let (Some(email), Some(password)) = (&settings.admin_email, &settings.admin_password) {
        users::ensure_admin(db, &access.hasher, email, password.clone()).await?;
        return Ok(Vec::new());
    }
    if settings.environment != Environment::Development || !was_empty {
        return Ok(Vec::new());
    }
    let password = tokens::random_secret();
    if users::ensure_admin(db, &access.hasher, DEVELOPMENT_ADMIN, password.clone()).await? {
        return Ok(vec![format!(
            "Administrator created: {DEVELOPMENT_ADMIN} / {password} (shown once)"
        )]);
    }
    Ok(Vec::new())
}

/// The administrator made in development when none is configured.
pub const DEVELOPMENT_ADMIN: &str = "admin@cuf.localhost";

fn cors(origins: &[String]) -> Cors {
    let mut cors = Cors::default()
        .allowed_methods(["GET", "POST"])
        .allowed_headers([header::CONTENT_TYPE, header::ACCEPT, header::AUTHORIZATION])
        .expose_headers(["x-request-id"])
        .max_age(3600)
        // Requests from other origins are served without CORS headers rather than refused,
        // so that the browser, not the server, enforces the policy; same-origin pages such
        // as the playground keep working.
        .block_on_origin_mismatch(false);
    for origin in origins
        .iter()
        .map(|origin| origin.trim())
        .filter(|origin| !origin.is_empty())
    {
        cors = if origin == "*" {
            cors.allow_any_origin()
        } else {
            cors.allowed_origin(origin)
        };
    }
    cors
}

async fn not_found() -> HttpResponse {
    HttpResponse::NotFound().json(serde_json::json!({
        "errors": [{ "message": "no such route: the API is at /graphql", "extensions": { "code": "NOT_FOUND" } }]
    }))
}

impl Application {
    /// Connects, migrates, seeds (when asked and empty) and binds the server.
    pub async fn build(settings: Settings) -> anyhow::Result<Self> {
        settings.validate().map_err(anyhow::Error::msg)?;
        let mut db = crate::db::connect(&settings)
            .await
            .context("cannot connect to the database")?;
        let protection = &settings.protection;
        let metrics = Arc::new(Metrics::new(Duration::from_millis(
            protection.slow_query_ms,
        )));
        metrics.watch(&mut db);
        crate::db::migrate(&db)
            .await
            .context("cannot migrate the database")?;
        let access = access(&settings)?;
        let was_empty = seed::is_empty(&db).await?;
        let mut notices = bootstrap(&db, &access, &settings, was_empty).await?;
        let demo_loaded = settings.loads_demo_data() && seed::load_demo_if_empty(&db).await?;
        if demo_loaded && settings.environment == Environment::Development {
            notices.extend(seed::demo_users(&db, &access.hasher).await?);
        }
        let listener = TcpListener::bind(&settings.bind)
            .with_context(|| format!("cannot listen on {}", settings.bind))?;
        let address = listener.local_addr()?;
        let mailer = Mailer::new(settings.smtp_url.as_deref(), &settings.mail_from)?;
        outbox::spawn_worker(
            db.clone(),
            mailer,
            std::time::Duration::from_secs(settings.outbox_interval_seconds.max(1)),
        );
        let tunables = Tunables {
            reminder_interval: chrono::Duration::days(settings.reminder_interval_days.max(0)),
        };
        let options = schema::Options {
            introspection: settings.introspection(),
            suggestions: settings.suggestions(),
            prevalidated: false,
        };
        let bus = crate::live::Bus::default();
        if db.get_database_backend() == sea_orm::DbBackend::Postgres {
            crate::live::listen(settings.database_url.clone(), bus.clone());
        }
        let store = crate::files::FolderStore::new(&settings.files_dir)
            .with_context(|| format!("cannot use {} for files", settings.files_dir.display()))?;
        let files = crate::documents::graphql::FileStorage {
            store: Arc::new(store),
            max_bytes: settings.max_upload_bytes,
        };
        let build = |options| {
            let (db, access, bus, files) = (db.clone(), access.clone(), bus.clone(), files.clone());
            schema::build(db, access, options, tunables, bus, files)
        };
        let schema = build(options);
        let prevalidated = build(schema::Options {
            prevalidated: true,
            ..options
        });
        let sdl = schema::sdl();
        let state = web::Data::new(AppState {
            shape: Shape::from_sdl(&sdl),
            sdl,
            schema,
            prevalidated,
            access,
            db: db.clone(),
            body_limit: settings.body_limit,
            limits: Limits {
                introspection: settings.introspection(),
                ..protection.limits()
            },
            rate_limiter: RateLimiter::new(
                protection.rate_limit_capacity,
                protection.rate_limit_refill,
            ),
            metrics,
            request_timeout: Duration::from_secs(protection.request_timeout_seconds.max(1)),
            admission: http::admission::Admission::new(protection.max_concurrent_operations),
            playground: settings.playground(),
            introspection: settings.introspection(),
            bus,
            origins: settings.cors_origins.clone(),
            ws_init_timeout: Duration::from_secs(settings.ws_init_timeout_seconds.max(1)),
            persisted: Default::default(),
            documents: Default::default(),
            files,
            iati_reporting_org_ref: settings.iati_reporting_org_ref.clone(),
        });
        let origins = settings.cors_origins.clone();
        let mut server = HttpServer::new(move || {
            App::new()
                .wrap(Compress::default())
                .wrap(cors(&origins))
                .wrap(from_fn(http::request_id))
                .app_data(state.clone())
                .configure(http::routes)
                .default_service(web::to(not_found))
        })
        .listen(listener)?
        .shutdown_timeout(30);
        if let Some(workers) = settings.workers {
            server = server.workers(workers);
        }
        Ok(Self {
            server: server.run(),
            address,
            db,
            demo_loaded,
            notices,
        })
    }

    /// The address the server listens on.
    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// The database the server uses.
    pub fn db(&self) -> &DatabaseConnection {
        &self.db
    }

    /// What the operator must read once: generated passwords of development users.
    pub fn notices(&self) -> &[String] {
        &self.notices
    }

    /// Whether the demo dataset was loaded at start.
    pub fn demo_loaded(&self) -> bool {
        self.demo_loaded
    }

    /// Serves until SIGTERM or SIGINT, then lets in-flight requests finish (30 s at most).
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        self.server.await
    }
}
