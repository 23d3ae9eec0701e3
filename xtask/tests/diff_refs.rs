//! `$ref` following by `cargo xtask diff`: a change inside a shared schema is reported at
//! every operation that reaches it, through `allOf`, `oneOf`, `anyOf`, array items and
//! recursive schemas.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

fn fixture(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/diff")
        .join(relative)
}

/// Runs the diff of `PAIR/old.yaml` and `PAIR/new.yaml` and returns the whole JSON report.
fn report(pair: &str) -> Value {
    let output = Command::new(env!("CARGO_BIN_EXE_xtask"))
        .arg("diff")
        .arg(fixture(&format!("{pair}/old.yaml")))
        .arg(fixture(&format!("{pair}/new.yaml")))
        .args(["--format", "json"])
        .output()
        .expect("the xtask binary runs");
    serde_json::from_slice(&output.stdout).unwrap_or_else(|error| {
        panic!(
            "diff of {pair} printed no JSON ({error}); stderr: {}",
            String::from_utf8_lossy(&output.stderr)
        )
    })
}

fn changes_of_kind<'r>(report: &'r Value, kind: &str) -> Vec<&'r Value> {
    report["changes"]
        .as_array()
        .map(|changes| {
            changes
                .iter()
                .filter(|change| change["kind"] == kind)
                .collect()
        })
        .unwrap_or_default()
}

/// Returns `(operation, location)` for every change of `kind`.
fn places(report: &Value, kind: &str) -> BTreeSet<(String, String)> {
    changes_of_kind(report, kind)
        .into_iter()
        .map(|change| {
            (
                change["operation"]["name"]
                    .as_str()
                    .unwrap_or("")
                    .to_owned(),
                change["location"].as_str().unwrap_or("").to_owned(),
            )
        })
        .collect()
}

fn place(operation: &str, location: &str) -> (String, String) {
    (operation.to_owned(), location.to_owned())
}

#[test]
fn shared_schema_reaches_every_operation() {
    let report = report("shared-refs");
    let found = places(&report, "property_became_required");
    let expected = BTreeSet::from([
        place("runEnrichCompanyAgent", "request body → companyDomain"),
        place("runQualifyCompanyAgent", "request body → companyDomain"),
        place(
            "runAgentAsync",
            "request body → input → (variant EnrichCompanyAgentInput) → companyDomain",
        ),
        place(
            "runAgentAsync",
            "request body → input → (variant QualifyCompanyAgentInput) → companyDomain",
        ),
    ]);
    assert_eq!(found, expected);

    for change in changes_of_kind(&report, "property_became_required") {
        assert_eq!(change["component"], "CompanyIdentity", "{change:#}");
        assert_eq!(
            change["component_location"], "CompanyIdentity → companyDomain",
            "{change:#}"
        );
        assert_eq!(change["breaking"], true, "{change:#}");
        assert_eq!(change["direction"], "request", "{change:#}");
    }
}

#[test]
fn shared_response_schema_reported_per_operation() {
    let report = report("shared-refs");
    let found = places(&report, "property_removed");
    let expected = BTreeSet::from([
        place("runEnrichCompanyAgent", "response 200 → _metadata → usage"),
        place("runQualifyCompanyAgent", "response 200 → _metadata → usage"),
        place(
            "runAgentAsync",
            "response 200 → outcome → (variant Metadata) → usage",
        ),
    ]);
    assert_eq!(found, expected);
    for change in changes_of_kind(&report, "property_removed") {
        assert_eq!(change["component"], "Metadata", "{change:#}");
        assert_eq!(
            change["breaks"],
            serde_json::json!(["readers"]),
            "{change:#}"
        );
    }
}

#[test]
fn component_summary_counts_each_change_once() {
    let report = report("shared-refs");
    let components = report["components"].as_array().cloned().unwrap_or_default();
    let identity = components
        .iter()
        .find(|component| component["name"] == "CompanyIdentity")
        .unwrap_or_else(|| panic!("CompanyIdentity missing: {components:#?}"));
    assert_eq!(identity["changes"], 1);
    assert_eq!(identity["breaking"], 1);
    assert_eq!(
        identity["operations"],
        serde_json::json!([
            "runAgentAsync",
            "runEnrichCompanyAgent",
            "runQualifyCompanyAgent"
        ])
    );
}

#[test]
fn recursive_schema_reported_once() {
    let report = report("shared-refs");
    let found = places(&report, "became_nullable");
    assert_eq!(
        found,
        BTreeSet::from([place("getAgent", "response 200 → name")])
    );
}

#[test]
fn request_variant_addition_is_safe() {
    let report = report("shared-refs");
    let added = changes_of_kind(&report, "variant_added");
    let request = added
        .iter()
        .find(|change| change["direction"] == "request")
        .unwrap_or_else(|| panic!("no request variant_added: {added:#?}"));
    assert_eq!(request["location"], "request body → input");
    assert_eq!(request["new"], "CompanyIdentity");
    assert_eq!(request["breaking"], false);
}

#[test]
fn response_variant_addition_breaks_readers() {
    let report = report("shared-refs");
    let added = changes_of_kind(&report, "variant_added");
    let response = added
        .iter()
        .find(|change| change["direction"] == "response")
        .unwrap_or_else(|| panic!("no response variant_added: {added:#?}"));
    assert_eq!(response["location"], "response 200 → outcome");
    assert_eq!(response["new"], "code");
    assert_eq!(response["breaks"], serde_json::json!(["readers"]));
}

#[test]
fn array_items_use_bracket_notation() {
    let report = report("types");
    let found = places(&report, "format_changed");
    assert!(
        found.contains(&place("listAgents", "response 200 → data[] → createdAt")),
        "{found:?}"
    );
}

#[test]
fn schema_used_twice_lists_both_places() {
    let report = report("composition");
    let changes = changes_of_kind(&report, "property_became_required");
    assert_eq!(changes.len(), 1, "{changes:#?}");
    let change = changes[0];
    assert_eq!(change["operation"]["name"], "createOrder");
    assert_eq!(
        change["locations"],
        serde_json::json!([
            "request body → billingAddress → zip",
            "request body → shippingAddress → zip"
        ])
    );
    assert_eq!(change["component"], "Address");
}

#[test]
fn property_moved_into_allof_unchanged() {
    let report = report("composition");
    let about_created_at: Vec<&Value> = report["changes"]
        .as_array()
        .map(|changes| {
            changes
                .iter()
                .filter(|change| {
                    change["location"]
                        .as_str()
                        .unwrap_or("")
                        .contains("createdAt")
                })
                .collect()
        })
        .unwrap_or_default();
    assert!(about_created_at.is_empty(), "{about_created_at:#?}");

    let nullable = places(&report, "became_nullable");
    assert_eq!(
        nullable,
        BTreeSet::from([place("getCompany", "response 200 → name")])
    );
}
