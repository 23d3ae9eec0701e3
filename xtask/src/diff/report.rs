//! The classified changes between two specs, in the order the renderers show them.

use std::collections::{BTreeMap, BTreeSet};

use super::change::{Direction, RawChange};
use super::classify::Verdict;

/// The operation a change belongs to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OperationInfo {
    /// Upper-case HTTP method (of the new spec, or the old one for a removed operation).
    pub method: String,
    /// Path template.
    pub path: String,
    /// The `operationId`, or `METHOD path` when there is none.
    pub name: String,
}

/// One classified change.
#[derive(Clone, Debug)]
pub struct Change {
    /// The operation it affects, or `None` for document-level changes such as a removed
    /// component or security scheme.
    pub operation: Option<OperationInfo>,
    /// Whether the change sits in data the caller sends or reads, where that applies.
    pub direction: Option<Direction>,
    /// Locations of the change, for example `request body → companyDomain`. Empty for
    /// changes to a whole operation or body.
    pub locations: Vec<String>,
    /// How many more places reach the same change within the operation.
    pub omitted_locations: usize,
    /// The component schema that declares the changed part, if any.
    pub component: Option<String>,
    /// Location inside the component schema that declares the changed part, for example
    /// `EnrichCompanyAgentInput → companyDomain`.
    pub component_location: Option<String>,
    /// What changed.
    pub change: RawChange,
    /// Whether it breaks users of the SDK, and why.
    pub verdict: Verdict,
}

/// Everything the diff found, breaking changes first.
#[derive(Debug)]
pub struct Report {
    /// The old spec's path as given.
    pub old_file: String,
    /// The new spec's path as given.
    pub new_file: String,
    /// All changes, breaking first, then by operation path and method, then as found.
    pub changes: Vec<Change>,
}

/// A component schema with changes, for the summary.
#[derive(Debug)]
pub struct ComponentSummary {
    /// The component's name.
    pub name: String,
    /// How many distinct changes it contains.
    pub changes: usize,
    /// How many of them break someone somewhere.
    pub breaking: usize,
    /// Names of the operations that reach it.
    pub operations: BTreeSet<String>,
}

impl Report {
    /// Creates a report and puts the changes in display order.
    pub fn new(old_file: String, new_file: String, mut changes: Vec<Change>) -> Self {
        // A stable sort keeps the order in which changes were found within one operation.
        changes.sort_by_key(|change| {
            let operation = change
                .operation
                .as_ref()
                .map(|operation| (operation.path.clone(), operation.method.clone()));
            (
                !change.verdict.is_breaking(),
                operation.is_none(),
                operation,
            )
        });
        Self {
            old_file,
            new_file,
            changes,
        }
    }

    /// Returns how many changes break someone.
    pub fn breaking_count(&self) -> usize {
        self.changes
            .iter()
            .filter(|change| change.verdict.is_breaking())
            .count()
    }

    /// Returns how many changes break no one.
    pub fn non_breaking_count(&self) -> usize {
        self.changes.len() - self.breaking_count()
    }

    /// Returns true when at least one change breaks someone.
    pub fn has_breaking(&self) -> bool {
        self.breaking_count() > 0
    }

    /// Returns the changes of one severity, grouped by operation in display order. Changes
    /// without an operation come last, under `None`.
    pub fn grouped(&self, breaking: bool) -> Vec<(Option<&OperationInfo>, Vec<&Change>)> {
        let mut groups: Vec<(Option<&OperationInfo>, Vec<&Change>)> = Vec::new();
        for change in &self.changes {
            if change.verdict.is_breaking() != breaking {
                continue;
            }
            match groups.last_mut() {
                Some((operation, members)) if *operation == change.operation.as_ref() => {
                    members.push(change);
                }
                _ => groups.push((change.operation.as_ref(), vec![change])),
            }
        }
        groups
    }

    /// Returns the component schemas that contain changes, by name. A change reached from
    /// several operations counts once.
    pub fn components(&self) -> Vec<ComponentSummary> {
        let mut by_name: BTreeMap<&str, ComponentSummary> = BTreeMap::new();
        let mut seen: BTreeSet<(&str, String, bool)> = BTreeSet::new();
        for change in &self.changes {
            let Some(component) = change.component.as_deref() else {
                continue;
            };
            let summary = by_name
                .entry(component)
                .or_insert_with(|| ComponentSummary {
                    name: component.to_owned(),
                    changes: 0,
                    breaking: 0,
                    operations: BTreeSet::new(),
                });
            if let Some(operation) = &change.operation {
                summary.operations.insert(operation.name.clone());
            }

            let place = change
                .component_location
                .clone()
                .or_else(|| change.locations.first().cloned())
                .unwrap_or_default();
            let identity = format!("{place}|{}", change.change.describe());
            if seen.insert((component, identity.clone(), false)) {
                summary.changes += 1;
            }
            if change.verdict.is_breaking() && seen.insert((component, identity, true)) {
                summary.breaking += 1;
            }
        }
        by_name.into_values().collect()
    }
}
