//! The progress bar of a long step: drawn on stderr when it is a terminal and `-q` is not
//! given, hidden otherwise (a pipe or a log gets no bar).

use std::io::IsTerminal;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::output::Out;

/// A bar of unknown length yet, with `template` (indicatif's syntax), or a hidden one.
pub fn bar(out: Out, template: &str) -> ProgressBar {
    if !std::io::stderr().is_terminal() || out.quiet {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::stderr());
    bar.set_style(ProgressStyle::with_template(template).unwrap_or_else(|_| ProgressStyle::default_bar()));
    bar
}
