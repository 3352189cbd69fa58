//! The `api` binary: read settings, start telemetry, then serve or run a subcommand.

use clap::Parser;

use api::settings::{Cli, Command, Dataset};
use api::startup::Application;

#[actix_web::main]
async fn main() -> anyhow::Result<()> {
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
    }
    Ok(())
}
