//! The `api` binary: read settings, start telemetry, then serve or run a subcommand.

use clap::Parser;

use api::settings::{Cli, Command, Dataset, UserAction};
use api::startup::Application;

/// mimalloc: a directory page allocates some ten thousand blocks, many just above the sizes
/// glibc's thread caches take, and with glibc's allocator a third of the server's CPU went
/// to `malloc` and `free` (see ARCHITECTURE.md, "Performance").
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// The allocator's options, which it reads from the environment before `main` runs: give
/// freed memory back to the system after 25 ms, and commit its arenas only as they are used.
/// With its defaults the server held about half as much memory again; giving memory back at
/// once cost a fifth of a directory page's CPU in page faults (ARCHITECTURE.md).
const ALLOCATOR_OPTIONS: [(&str, &str); 2] = [
    ("MIMALLOC_PURGE_DELAY", "25"),
    ("MIMALLOC_ARENA_EAGER_COMMIT", "0"),
];

/// Marks the process as started with [`ALLOCATOR_OPTIONS`] in its environment.
const ALLOCATOR_TUNED: &str = "CUF_ALLOCATOR_TUNED";

/// Replaces this process (same pid, arguments and environment) by the same program with
/// [`ALLOCATOR_OPTIONS`] set, unless they are already; an option the environment sets
/// itself is kept. Returns only when the options are in place or re-executing failed.
fn apply_allocator_options() {
    use std::os::unix::process::CommandExt;
    if std::env::var_os(ALLOCATOR_TUNED).is_some() {
        return;
    }
    let Ok(program) = std::env::current_exe() else {
        return;
    };
    let mut command = std::process::Command::new(program);
    command
        .args(std::env::args_os().skip(1))
        .env(ALLOCATOR_TUNED, "1");
    for (name, value) in ALLOCATOR_OPTIONS {
        if std::env::var_os(name).is_none() {
            command.env(name, value);
        }
    }
    let error = command.exec();
    eprintln!("warning: running with the allocator's default options: {error}");
}

fn main() -> anyhow::Result<()> {
    apply_allocator_options();
    actix_web::rt::System::new().block_on(run())
}

async fn run() -> anyhow::Result<()> {
    let cli = Cli::parse();
    api::telemetry::init(&cli.settings);
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => {
            let application = Application::build(cli.settings).await?;
            let url = format!("http://{}/graphql", application.address());
            if application.demo_loaded() {
                println!(
                    "Loaded the demo dataset (minutes of the Mexico country group, 26 March 2014)."
                );
            }
            for notice in application.notices() {
                println!("{notice}");
            }
            println!("CUF Cooperation API listening: playground and endpoint at {url}");
            application.run_until_stopped().await?;
        }
        Command::ExportSchema => print!("{}", api::schema::sdl()),
        Command::Migrate => {
            let db = api::db::connect(&cli.settings).await?;
            api::db::migrate(&db).await?;
            println!("Migrations applied.");
        }
        Command::Seed {
            dataset: Dataset::Demo,
        } => {
            let db = api::db::connect(&cli.settings).await?;
            api::db::migrate(&db).await?;
            if api::seed::load_demo_if_empty(&db).await? {
                println!("Loaded the demo dataset.");
            } else {
                anyhow::bail!(
                    "the database is not empty: the demo dataset is loaded only into an empty database"
                );
            }
        }
        Command::Seed {
            dataset: Dataset::Synthetic { scale },
        } => {
            let db = api::db::connect(&cli.settings).await?;
            api::db::migrate(&db).await?;
            match api::seed::load_synthetic_if_empty(&db, scale).await? {
                Some(report) => print!("{report}"),
                None => anyhow::bail!(
                    "the database is not empty: the synthetic dataset is loaded only into an empty database"
                ),
            }
        }
        Command::User {
            action: UserAction::Create { email, role, name },
        } => create_user(&cli.settings, &email, &role, &name).await?,
    }
    Ok(())
}

/// `api user create`: the password comes from standard input, never from the command line.
async fn create_user(
    settings: &api::settings::Settings,
    email: &str,
    role: &str,
    name: &str,
) -> anyhow::Result<()> {
    use api::access::Role;
    use api::access::passwords::Password;
    use api::access::users::{Assignment, NewUser, create_user};
    let role = match role.to_uppercase().as_str() {
        "ADMIN" => Role::Admin,
        "CUF_STAFF" => Role::CufStaff,
        other => anyhow::bail!(
            "--role {other}: create ADMIN or CUF_STAFF users here; others through the API"
        ),
    };
    let mut password = String::new();
    std::io::stdin().read_line(&mut password)?;
    let new = NewUser {
        email: api::values::Email::parse(email)?,
        display_name: api::values::Name::parse(name)?,
        assignment: Assignment {
            role,
            authority_id: None,
            organisation_id: None,
        },
        password: Password::parse_new(password.trim_end_matches(['\r', '\n']).to_owned())?,
    };
    let db = api::db::connect(settings).await?;
    api::db::migrate(&db).await?;
    let hasher = api::access::passwords::PasswordHasher::new(1)
        .map_err(|error| anyhow::anyhow!("{error:?}"))?;
    match create_user(&db, &hasher, &api::audit::Actor::system(), new).await {
        Ok(user) => println!("Created {} ({}).", user.email, user.role),
        Err(api::mutation::Rejection::User(errors)) => {
            let messages: Vec<String> = errors
                .iter()
                .map(|error| format!("{:?}: {}", error.field, error.message))
                .collect();
            anyhow::bail!("refused: {}", messages.join("; "))
        }
        Err(api::mutation::Rejection::Api(error)) => anyhow::bail!("failed: {error:?}"),
    }
    Ok(())
}
