//! The `breachdesk` command: parse the arguments, start logging, run, map the result to an
//! exit code (0 done, 1 failure, 2 bad input).

use std::io::Write;
use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = breachdesk::Cli::parse();
    breachdesk::config::init_logging();
    match cli.run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            let _ = writeln!(std::io::stderr(), "breachdesk: {e}");
            ExitCode::from(e.exit_code())
        }
    }
}
