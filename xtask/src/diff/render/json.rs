//! JSON for tools. The field names are stable; new fields may be added, and
//! `format_version` goes up when a field is renamed, removed or changes meaning.
//!
//! ```text
//! {
//!   "format_version": 1,
//!   "old": "openapi/old.yaml",           // paths as given on the command line
//!   "new": "openapi/new.yaml",
//!   "summary": { "breaking": 1, "non_breaking": 2 },
//!   "changes": [                          // breaking first, then by operation
//!     {
//!       "kind": "property_became_required",   // stable snake_case change kind
//!       "breaking": true,
//!       "breaks": ["callers"],                // "callers", "readers", both, or []
//!       "message": "property became required",
//!       "reason": "callers that leave this field out are now rejected",
//!       "operation": { "name": "runEnrichCompanyAgent", "method": "POST",
//!                      "path": "/api/v2/agents/enrich-company/run" },   // or null
//!       "direction": "request",               // "request", "response" or null
//!       "location": "request body → companyDomain",   // first of "locations", or null
//!       "locations": ["request body → companyDomain"],
//!       "omitted_locations": 0,               // further places not listed
//!       "component": "EnrichCompanyAgentInput",        // or null
//!       "component_location": "EnrichCompanyAgentInput → companyDomain",  // or null
//!       "old": null,                          // value before, as a string, or null
//!       "new": null                           // value after, as a string, or null
//!     }
//!   ],
//!   "components": [
//!     { "name": "EnrichCompanyAgentInput", "changes": 1, "breaking": 1,
//!       "operations": ["runEnrichCompanyAgent"] }
//!   ]
//! }
//! ```
//!
//! `operation.name` is the `operationId`, or `METHOD path` when the operation has none.

use serde_json::{Value, json};

use crate::diff::report::{Change, Report};

/// Version of the JSON layout described in this module's documentation.
pub const FORMAT_VERSION: u32 = 1;

/// Renders the report as pretty-printed JSON.
pub fn render(report: &Report) -> String {
    let changes: Vec<Value> = report.changes.iter().map(change_json).collect();
    let components: Vec<Value> = report
        .components()
        .into_iter()
        .map(|component| {
            json!({
                "name": component.name,
                "changes": component.changes,
                "breaking": component.breaking,
                "operations": component.operations,
            })
        })
        .collect();

    let document = json!({
        "format_version": FORMAT_VERSION,
        "old": report.old_file,
        "new": report.new_file,
        "summary": {
            "breaking": report.breaking_count(),
            "non_breaking": report.non_breaking_count(),
        },
        "changes": changes,
        "components": components,
    });
    let mut text = serde_json::to_string_pretty(&document).unwrap_or_default();
    text.push('\n');
    text
}

fn change_json(change: &Change) -> Value {
    let operation = change.operation.as_ref().map(|operation| {
        json!({
            "name": operation.name,
            "method": operation.method,
            "path": operation.path,
        })
    });
    let breaks: &[&str] = change.verdict.breaks.map_or(&[], |breaks| breaks.names());
    json!({
        "kind": change.change.kind(),
        "breaking": change.verdict.is_breaking(),
        "breaks": breaks,
        "message": change.change.describe(),
        "reason": change.verdict.reason,
        "operation": operation,
        "direction": change.direction.map(|direction| direction.as_str()),
        "location": change.locations.first(),
        "locations": change.locations,
        "omitted_locations": change.omitted_locations,
        "component": change.component,
        "component_location": change.component_location,
        "old": change.change.old_value(),
        "new": change.change.new_value(),
    })
}
