//! Integration tests: the real `breachdesk` binary, end to end, once per database backend.
//! PostgreSQL variants run when BREACHDESK_TEST_DATABASE_URL names a server.

mod assess;
mod audit;
mod clock;
mod common;
mod database;
mod errors;
mod followup;
mod incident;
mod inventory;
mod jurisdiction;
mod languages;
mod letters;
mod logs;
mod narrative;
mod outbox;
mod outputs;
mod people;
mod playbook;
mod postal;
mod reach;
mod register;
mod report;
mod secrets;
mod send;
mod send_pipelining;
mod smtp_abuse;
mod subject;
mod tasks_follow;
mod us_states;

use common::On::{Both, PostgresOnly, SqliteOnly};

/// `tests![Both database::x, SqliteOnly incident::y]`: (name, backends, function) entries.
macro_rules! tests {
    ($($on:ident $module:ident :: $name:ident),* $(,)?) => {
        vec![$((concat!(stringify!($module), "::", stringify!($name)), $on, $module::$name as common::TestFn)),*]
    };
}

fn main() {
    let args = libtest_mimic::Arguments::from_args();
    let tests = tests![
        Both send::sends_every_letter_once_as_proper_mime,
        Both send::failures_are_retried_or_failed_with_the_reply,
        SqliteOnly send::rate_limit_spaces_messages,
        Both send::limit_and_dry_run,
        Both send::a_killed_sender_resumes_without_sending_twice,
        Both send::settle_resend_sends_uncertain_letters_again,
        SqliteOnly send::sqlite_refuses_a_second_sender,
        PostgresOnly send::several_workers_share_the_postgres_outbox,
        SqliteOnly send::plaintext_and_secrets_policy,
        Both send::file_transport_writes_private_eml_files,
        Both send::bounces_mark_letters_and_make_postal_due,
        Both reach::narrowing_the_scope_sends_exactly_the_remaining_person,
        Both reach::people_taken_out_after_their_letter_went_are_reported,
        Both reach::changed_data_renders_pending_letters_again,
        Both reach::withdraw_has_a_dry_run_and_is_audited,
        Both reach::one_bounce_adds_exactly_one_postal_letter,
        Both reach::initial_and_update_never_go_in_one_run,
        SqliteOnly send::starttls_is_verified_against_the_configured_ca,
        SqliteOnly send::dkim_signs_when_configured,
        Both send::ctrl_c_finishes_the_letters_in_flight,
        SqliteOnly send_pipelining::pipelined_delivery_through_postfix_smtp_sink,
        SqliteOnly database::init_creates_private_sqlite_file,
        Both database::init_is_idempotent_and_status_reports,
        Both database::commands_need_an_initialised_database,
        Both database::newer_schema_is_refused,
        SqliteOnly database::demo_runs_on_a_fresh_directory,
        Both clock::a_timely_submission_meets_the_deadline,
        Both clock::a_late_submission_with_reasons_is_late_reasons_given,
        Both clock::california_is_judged_by_its_own_rule,
        Both clock::the_late_warning_names_its_regime,
        Both tasks_follow::tasks_close_themselves_on_the_record,
        Both incident::declare_list_show,
        Both incident::references_are_numbered_per_year,
        Both incident::deadline_counts_elapsed_hours_across_dst,
        Both incident::local_times_are_read_in_the_zone,
        Both incident::late_declaration_is_flagged,
        Both incident::update_changes_and_clears_fields,
        Both incident::close_and_reopen,
        Both incident::timeline_in_order,
        SqliteOnly incident::show_text_snapshot,
        Both incident::concurrent_declarations_get_distinct_references,
        Both incident::actor_comes_from_flag_env_or_config,
        Both people::a_person_without_email_is_not_told_about_email,
        Both people::people_without_email_in_two_systems_are_one_person,
        Both people::an_invalid_email_with_an_address_becomes_a_postal_letter,
        Both people::import_names_every_column_and_hints_at_look_alikes,
        Both people::dry_run_imports_nothing,
        Both inventory::systems_register,
        Both inventory::messy_csv_with_exact_counts_and_rejects,
        Both inventory::reimport_is_idempotent_and_newer_files_update,
        Both inventory::a_person_on_several_lines_takes_the_newest_values,
        Both inventory::encodings_and_delimiters,
        Both inventory::strict_imports_nothing_when_a_row_is_bad,
        Both inventory::identity_resolution_across_systems,
        Both inventory::scope_windows_categories_and_changes,
        Both inventory::stats_numbers,
        Both inventory::exports_are_safe_in_spreadsheets,
        Both inventory::killed_import_recovers,
        Both inventory::sql_source_sync,
        Both audit::verify_passes_on_an_intact_chain,
        Both audit::verify_names_an_edited_entry,
        Both audit::verify_names_a_deleted_entry,
        Both audit::verify_names_reordered_entries,
        Both audit::verify_notices_entries_cut_from_the_end,
        Both audit::log_filters_by_incident,
        Both audit::the_schema_refuses_entries_below_one,
        Both audit::verify_names_rows_outside_the_chain,
        Both outputs::outputs_refuse_the_database_configuration_and_inputs,
        Both outputs::rejects_and_configuration_are_private,
        Both secrets::passwords_are_refused_on_argv_and_in_the_file_and_never_printed,
        SqliteOnly smtp_abuse::silent_servers_time_out,
        SqliteOnly smtp_abuse::ctrl_c_ends_within_the_timeout,
        SqliteOnly smtp_abuse::endless_lines_fail_the_connection,
        SqliteOnly logs::demo_at_trace_logs_no_personal_data,
        Both errors::bad_times_are_bad_input,
        Both errors::unknown_and_malformed_references,
        Both errors::bad_flags_and_values,
        SqliteOnly errors::unreadable_databases_are_failures,
        SqliteOnly errors::unreachable_postgres_is_a_failure,
        SqliteOnly errors::passwords_stay_off_the_command_line,
        Both assess::assess_with_answers_file,
        Both assess::answers_errors_name_file_and_line,
        Both assess::decide_records_a_decision_directly,
        Both assess::policy_comes_from_the_configuration,
        SqliteOnly playbook::validate_names_file_and_line,
        SqliteOnly playbook::list_show_and_configured_directory,
        Both playbook::declare_with_playbook_and_tasks,
        SqliteOnly jurisdiction::list_show_and_validate,
        Both jurisdiction::incident_obligations_follow_counts_decisions_and_anchors,
        SqliteOnly jurisdiction::configured_directory_replaces_the_rules,
        Both us_states::every_state_and_territory_has_rules,
        Both us_states::multi_state_breach_lists_each_state_s_obligations,
        Both us_states::thresholds_are_exact_at_each_limit,
        Both report::authority_report_in_every_format,
        Both report::late_report_needs_delay_reasons,
        Both report::follow_up_shows_what_changed,
        Both register::submission_meets_the_obligation,
        Both register::register_lists_every_incident,
        SqliteOnly report::authority_report_as_pdf,
        SqliteOnly letters::lint_passes_on_the_default_set,
        SqliteOnly letters::lint_names_a_template_without_the_dpo_contact,
        SqliteOnly letters::lint_reports_file_and_line_of_a_broken_template,
        SqliteOnly letters::lint_refuses_templates_linked_out_of_the_directory,
        SqliteOnly letters::sample_prints_the_letter_in_the_person_s_language,
        SqliteOnly letters::sample_refuses_bad_input,
        Both languages::letters_follow_the_fallback_chain_and_render_names_who_reads_another_language,
        Both languages::lint_lists_the_locales_of_people_affected_without_templates,
        Both outbox::render_fills_email_and_postal_and_is_idempotent,
        Both outbox::verification_codes_are_unique_across_the_outbox,
        Both outbox::a_changed_template_set_is_reported_not_rerendered,
        Both outbox::show_reproduces_the_stored_letter_and_checks_its_hash,
        Both outbox::preview_by_email_and_by_subject_id,
        Both outbox::render_refuses_without_a_way_to_verify,
        Both outbox::a_bounced_email_makes_a_postal_letter_due,
        Both followup::cases_open_once_and_follow_the_scope,
        Both followup::every_transition_is_checked,
        Both followup::deliveries_and_bounces_move_cases,
        Both followup::replies_are_matched_from_a_maildir,
        Both followup::requests_and_overdue_follow_the_clock,
        Both followup::statistics_numbers,
        Both subject::export_holds_everything_about_the_person,
        Both subject::erase_keeps_counts_and_the_audit_chain,
        SqliteOnly subject::erase_leaves_no_bytes_in_the_sqlite_file,
        SqliteOnly subject::show_text_snapshot,
        Both postal::pdf_prints_the_stored_letters_with_a_manifest,
        Both postal::posted_marks_the_manifest_s_letters_sent,
        SqliteOnly postal::duplex_us_letter_starts_each_letter_on_an_odd_page,
        Both narrative::update_letters_tell_each_stored_update,
        Both narrative::translations_are_used_per_language_and_removable,
        Both narrative::letters_are_dated_in_the_person_s_zone,
        SqliteOnly narrative::update_letters_snapshot,
        Both postal::domestic_letters_have_no_country_line,
    ];
    libtest_mimic::run(&args, common::trials(&tests)).exit();
}
