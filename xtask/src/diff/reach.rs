//! Follows component schemas from the places an operation uses them, so a change inside a
//! shared schema is reported at each operation it reaches, with a path from the operation.

use std::collections::{HashMap, HashSet, VecDeque};

use super::change::{RawChange, Segment};
use super::model::ComponentId;
use super::schema::{PairKey, SchemaComparer, SchemaDiff};

/// How many locations are kept for one component within one operation and direction. The
/// rest are counted, not listed, because a schema reached along many paths would otherwise
/// fill the report with the same change.
const MAX_LOCATIONS: usize = 5;

/// A change found inside the schemas of one operation, with every place it was reached.
#[derive(Debug)]
pub struct Located {
    /// Full paths from the operation, at most [`MAX_LOCATIONS`] of them.
    pub locations: Vec<Vec<Segment>>,
    /// How many more paths reach the same change.
    pub omitted: usize,
    /// The component schema that declares the changed part, if any.
    pub component: Option<String>,
    /// Path from the root of the component that declares the changed part, starting with
    /// its name; `None` for a change outside any component.
    pub component_path: Option<Vec<Segment>>,
    /// What changed.
    pub change: RawChange,
}

#[derive(Default)]
struct PairState {
    locations: Vec<Vec<Segment>>,
    omitted: usize,
    parent: Option<PairKey>,
}

/// Expands the comparisons made at an operation's roots (its bodies, parameters and headers
/// for one direction) into located changes, visiting each component pair once.
/// `reached` collects the new spec's components that the comparison visited, directly or
/// through `allOf`.
pub fn expand(
    comparer: &mut SchemaComparer<'_>,
    roots: Vec<(Vec<Segment>, SchemaDiff)>,
    reached: &mut HashSet<ComponentId>,
) -> Vec<Located> {
    let mut located = Vec::new();
    let mut order: Vec<PairKey> = Vec::new();
    let mut states: HashMap<PairKey, PairState> = HashMap::new();
    let mut queue = VecDeque::new();

    for (root, diff) in roots {
        reached.extend(diff.inlined.iter().copied());
        for relative in diff.changes {
            located.push(Located {
                locations: vec![join(&root, &relative.path)],
                omitted: 0,
                component: relative.component,
                component_path: relative.component_path,
                change: relative.change,
            });
        }
        for (path, key) in diff.children {
            let is_new = !states.contains_key(&key);
            add_location(&mut states, key, join(&root, &path), None);
            if is_new {
                order.push(key);
                queue.push_back(key);
            }
        }
    }

    while let Some(key) = queue.pop_front() {
        let base = states
            .get(&key)
            .map(|state| state.locations.clone())
            .unwrap_or_default();
        let children = comparer.pair(key).children.clone();
        for (path, child) in children {
            if child == key || is_ancestor(&states, child, key) {
                continue;
            }
            let is_new = !states.contains_key(&child);
            for location in &base {
                add_location(&mut states, child, join(location, &path), Some(key));
            }
            if is_new {
                order.push(child);
                queue.push_back(child);
            }
        }
    }

    for key in order {
        reached.insert(key.1);
        reached.extend(comparer.pair(key).inlined.iter().copied());
        let Some(state) = states.get(&key) else {
            continue;
        };
        for relative in &comparer.pair(key).changes {
            located.push(Located {
                locations: state
                    .locations
                    .iter()
                    .map(|location| join(location, &relative.path))
                    .collect(),
                omitted: state.omitted,
                component: relative.component.clone(),
                component_path: relative.component_path.clone(),
                change: relative.change.clone(),
            });
        }
    }
    located
}

fn add_location(
    states: &mut HashMap<PairKey, PairState>,
    key: PairKey,
    location: Vec<Segment>,
    parent: Option<PairKey>,
) {
    let state = states.entry(key).or_insert_with(|| PairState {
        parent,
        ..PairState::default()
    });
    if state.locations.contains(&location) {
        return;
    }
    if state.locations.len() < MAX_LOCATIONS {
        state.locations.push(location);
    } else {
        state.omitted += 1;
    }
}

/// Returns true when `candidate` is `key` or one of the pairs through which `key` was first
/// reached, which means following `candidate` again would go round a cycle.
fn is_ancestor(states: &HashMap<PairKey, PairState>, candidate: PairKey, key: PairKey) -> bool {
    let mut current = Some(key);
    while let Some(pair) = current {
        if pair == candidate {
            return true;
        }
        current = states.get(&pair).and_then(|state| state.parent);
    }
    false
}

fn join(base: &[Segment], rest: &[Segment]) -> Vec<Segment> {
    let mut path = Vec::with_capacity(base.len() + rest.len());
    path.extend_from_slice(base);
    path.extend_from_slice(rest);
    path
}
