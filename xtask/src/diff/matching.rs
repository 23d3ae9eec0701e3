//! Pairs the operations of two specs.

use std::collections::HashMap;

use super::model::{Operation, Spec};

/// Pairs old and new operations: first by `operationId`, because it names the generated
/// method, then by method and path with parameter names ignored. Returns the pairs, the
/// removed old operations and the added new ones.
pub fn match_operations(old: &Spec, new: &Spec) -> (Vec<(usize, usize)>, Vec<usize>, Vec<usize>) {
    let mut pairs = Vec::new();
    let mut old_matched = vec![false; old.operations.len()];
    let mut new_matched = vec![false; new.operations.len()];

    let mut by_id: HashMap<&str, usize> = HashMap::new();
    for (index, operation) in old.operations.iter().enumerate() {
        if let Some(operation_id) = &operation.operation_id {
            by_id.entry(operation_id).or_insert(index);
        }
    }
    for (new_index, operation) in new.operations.iter().enumerate() {
        let old_index = operation
            .operation_id
            .as_deref()
            .and_then(|operation_id| by_id.get(operation_id).copied());
        if let Some(old_index) = old_index
            && !old_matched[old_index]
        {
            old_matched[old_index] = true;
            new_matched[new_index] = true;
            pairs.push((old_index, new_index));
        }
    }

    let mut by_route: HashMap<(String, String), usize> = HashMap::new();
    for (index, operation) in old.operations.iter().enumerate() {
        if !old_matched[index] {
            by_route.insert(route_key(operation), index);
        }
    }
    for (new_index, operation) in new.operations.iter().enumerate() {
        if new_matched[new_index] {
            continue;
        }
        if let Some(old_index) = by_route.remove(&route_key(operation)) {
            old_matched[old_index] = true;
            new_matched[new_index] = true;
            pairs.push((old_index, new_index));
        }
    }

    let removed = (0..old.operations.len())
        .filter(|i| !old_matched[*i])
        .collect();
    let added = (0..new.operations.len())
        .filter(|i| !new_matched[*i])
        .collect();
    (pairs, removed, added)
}

/// Returns the method and the path with every `{name}` replaced by `{}`.
fn route_key(operation: &Operation) -> (String, String) {
    let mut path = String::with_capacity(operation.path.len());
    let mut in_parameter = false;
    for character in operation.path.chars() {
        match character {
            '{' => {
                in_parameter = true;
                path.push('{');
            }
            '}' => {
                in_parameter = false;
                path.push('}');
            }
            _ if in_parameter => {}
            other => path.push(other),
        }
    }
    (operation.method.clone(), path)
}
