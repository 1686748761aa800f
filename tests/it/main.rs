//! Integration tests: the real `breachdesk` binary, end to end, once per database backend.
//! PostgreSQL variants run when BREACHDESK_TEST_DATABASE_URL names a server.

mod audit;
mod common;
mod database;
mod errors;
mod incident;
mod letters;

use common::On::{Both, SqliteOnly};

fn main() {
    let args = libtest_mimic::Arguments::from_args();
    let tests: &[(&str, common::On, common::TestFn)] = &[
        (
            "database::init_creates_private_sqlite_file",
            SqliteOnly,
            database::init_creates_private_sqlite_file,
        ),
        (
            "database::init_is_idempotent_and_status_reports",
            Both,
            database::init_is_idempotent_and_status_reports,
        ),
        (
            "database::commands_need_an_initialised_database",
            Both,
            database::commands_need_an_initialised_database,
        ),
        (
            "database::newer_schema_is_refused",
            Both,
            database::newer_schema_is_refused,
        ),
        (
            "database::demo_runs_on_a_fresh_directory",
            SqliteOnly,
            database::demo_runs_on_a_fresh_directory,
        ),
        ("incident::declare_list_show", Both, incident::declare_list_show),
        (
            "incident::references_are_numbered_per_year",
            Both,
            incident::references_are_numbered_per_year,
        ),
        (
            "incident::deadline_counts_elapsed_hours_across_dst",
            Both,
            incident::deadline_counts_elapsed_hours_across_dst,
        ),
        (
            "incident::local_times_are_read_in_the_zone",
            Both,
            incident::local_times_are_read_in_the_zone,
        ),
        (
            "incident::late_declaration_is_flagged",
            Both,
            incident::late_declaration_is_flagged,
        ),
        (
            "incident::update_changes_and_clears_fields",
            Both,
            incident::update_changes_and_clears_fields,
        ),
        ("incident::close_and_reopen", Both, incident::close_and_reopen),
        ("incident::timeline_in_order", Both, incident::timeline_in_order),
        (
            "incident::show_text_snapshot",
            SqliteOnly,
            incident::show_text_snapshot,
        ),
        (
            "incident::concurrent_declarations_get_distinct_references",
            Both,
            incident::concurrent_declarations_get_distinct_references,
        ),
        (
            "incident::actor_comes_from_flag_env_or_config",
            Both,
            incident::actor_comes_from_flag_env_or_config,
        ),
        (
            "audit::verify_passes_on_an_intact_chain",
            Both,
            audit::verify_passes_on_an_intact_chain,
        ),
        (
            "audit::verify_names_an_edited_entry",
            Both,
            audit::verify_names_an_edited_entry,
        ),
        (
            "audit::verify_names_a_deleted_entry",
            Both,
            audit::verify_names_a_deleted_entry,
        ),
        (
            "audit::verify_names_reordered_entries",
            Both,
            audit::verify_names_reordered_entries,
        ),
        (
            "audit::verify_notices_entries_cut_from_the_end",
            Both,
            audit::verify_notices_entries_cut_from_the_end,
        ),
        (
            "audit::log_filters_by_incident",
            Both,
            audit::log_filters_by_incident,
        ),
        (
            "errors::bad_times_are_bad_input",
            Both,
            errors::bad_times_are_bad_input,
        ),
        (
            "errors::unknown_and_malformed_references",
            Both,
            errors::unknown_and_malformed_references,
        ),
        ("errors::bad_flags_and_values", Both, errors::bad_flags_and_values),
        (
            "errors::unreadable_databases_are_failures",
            SqliteOnly,
            errors::unreadable_databases_are_failures,
        ),
        (
            "errors::unreachable_postgres_is_a_failure",
            SqliteOnly,
            errors::unreachable_postgres_is_a_failure,
        ),
        (
            "errors::passwords_stay_off_the_command_line",
            SqliteOnly,
            errors::passwords_stay_off_the_command_line,
        ),
        (
            "letters::lint_passes_on_the_default_set",
            SqliteOnly,
            letters::lint_passes_on_the_default_set,
        ),
        (
            "letters::lint_names_a_template_without_the_dpo_contact",
            SqliteOnly,
            letters::lint_names_a_template_without_the_dpo_contact,
        ),
        (
            "letters::lint_reports_file_and_line_of_a_broken_template",
            SqliteOnly,
            letters::lint_reports_file_and_line_of_a_broken_template,
        ),
        (
            "letters::sample_prints_the_letter_in_the_person_s_language",
            SqliteOnly,
            letters::sample_prints_the_letter_in_the_person_s_language,
        ),
        (
            "letters::sample_refuses_bad_input",
            SqliteOnly,
            letters::sample_refuses_bad_input,
        ),
    ];
    libtest_mimic::run(&args, common::trials(tests)).exit();
}
