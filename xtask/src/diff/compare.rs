//! Compares two specs operation by operation, then the document-level parts: component
//! schemas, security schemes and servers.

use std::collections::HashSet;

use super::change::{Direction, RawChange, Segment, render_location};
use super::classify::classify;
use super::matching::match_operations;
use super::model::{ComponentId, Header, MediaType, Operation, Parameter, Response, Spec};
use super::reach::{Located, expand};
use super::report::{Change, OperationInfo};
use super::schema::{SchemaComparer, SchemaDiff};

/// Compares two specs and returns every change, classified.
pub fn compare(old: &Spec, new: &Spec) -> Vec<Change> {
    let mut run = Run {
        old,
        new,
        comparer: SchemaComparer::new(old, new),
        reached: HashSet::new(),
        changes: Vec::new(),
    };

    let (pairs, removed, added) = match_operations(old, new);
    for (old_index, new_index) in pairs {
        run.compare_operation(&old.operations[old_index], &new.operations[new_index]);
    }
    for index in removed {
        let info = info(&old.operations[index]);
        run.push_operation(&info, None, RawChange::OperationRemoved);
    }
    for index in added {
        let info = info(&new.operations[index]);
        run.push_operation(&info, None, RawChange::OperationAdded);
    }

    run.compare_components();
    run.compare_security_schemes();
    run.compare_servers();
    run.changes
}

/// The state of one comparison of two specs.
pub struct Run<'s> {
    /// The old spec.
    pub old: &'s Spec,
    /// The new spec.
    pub new: &'s Spec,
    /// Schema comparisons, cached per component pair.
    pub comparer: SchemaComparer<'s>,
    /// New-spec components that some operation reaches.
    pub reached: HashSet<ComponentId>,
    /// Changes found so far.
    pub changes: Vec<Change>,
}

/// Schema comparisons made at an operation's roots, per direction.
#[derive(Default)]
struct Roots {
    request: Vec<(Vec<Segment>, SchemaDiff)>,
    response: Vec<(Vec<Segment>, SchemaDiff)>,
}

impl<'s> Run<'s> {
    /// Classifies a change and records it.
    pub fn push(
        &mut self,
        operation: Option<&OperationInfo>,
        direction: Option<Direction>,
        location: Option<&[Segment]>,
        change: RawChange,
    ) {
        let verdict = classify(&change, direction);
        self.changes.push(Change {
            operation: operation.cloned(),
            direction,
            locations: location.map(render_location).into_iter().collect(),
            omitted_locations: 0,
            component: None,
            component_location: None,
            change,
            verdict,
        });
    }

    fn push_operation(
        &mut self,
        operation: &OperationInfo,
        location: Option<&[Segment]>,
        change: RawChange,
    ) {
        self.push(Some(operation), None, location, change);
    }

    fn compare_operation(&mut self, old: &'s Operation, new: &'s Operation) {
        let operation = info(new);
        let mut roots = Roots::default();

        if let (Some(old_id), Some(new_id)) = (&old.operation_id, &new.operation_id)
            && old_id != new_id
        {
            let change = RawChange::OperationIdChanged {
                old: old_id.clone(),
                new: new_id.clone(),
            };
            self.push_operation(&operation, None, change);
        }
        if old.method != new.method || old.path != new.path {
            let change = RawChange::OperationMoved {
                old: format!("{} {}", old.method, old.path),
                new: format!("{} {}", new.method, new.path),
            };
            self.push_operation(&operation, None, change);
        }
        if old.deprecated != new.deprecated {
            let change = RawChange::OperationDeprecated {
                now: new.deprecated,
            };
            self.push_operation(&operation, None, change);
        }

        self.compare_parameters(&operation, old, new, &mut roots);
        self.compare_request_body(&operation, old, new, &mut roots);
        self.compare_responses(&operation, old, new, &mut roots);
        self.compare_security(&operation, &old.security, &new.security);

        let request = expand(&mut self.comparer, roots.request, &mut self.reached);
        self.push_located(&operation, Direction::Request, request);
        let response = expand(&mut self.comparer, roots.response, &mut self.reached);
        self.push_located(&operation, Direction::Response, response);
    }

    fn push_located(
        &mut self,
        operation: &OperationInfo,
        direction: Direction,
        found: Vec<Located>,
    ) {
        for located in found {
            let verdict = classify(&located.change, Some(direction));
            self.changes.push(Change {
                operation: Some(operation.clone()),
                direction: Some(direction),
                locations: located
                    .locations
                    .iter()
                    .map(|path| render_location(path))
                    .collect(),
                omitted_locations: located.omitted,
                component: located.component,
                component_location: located.component_path.as_deref().map(render_location),
                change: located.change,
                verdict,
            });
        }
    }

    fn compare_parameters(
        &mut self,
        operation: &OperationInfo,
        old: &Operation,
        new: &Operation,
        roots: &mut Roots,
    ) {
        for new_parameter in &new.parameters {
            let root = vec![Segment::Root(parameter_label(new_parameter))];
            let Some(old_parameter) = find_parameter(&old.parameters, new_parameter) else {
                let change = RawChange::ParameterAdded {
                    required: new_parameter.required,
                };
                self.push(
                    Some(operation),
                    Some(Direction::Request),
                    Some(&root),
                    change,
                );
                continue;
            };
            if old_parameter.required != new_parameter.required {
                let change = RawChange::ParameterRequired {
                    now: new_parameter.required,
                };
                self.push(
                    Some(operation),
                    Some(Direction::Request),
                    Some(&root),
                    change,
                );
            }
            if old_parameter.deprecated != new_parameter.deprecated {
                let change = RawChange::ParameterDeprecated {
                    now: new_parameter.deprecated,
                };
                self.push(
                    Some(operation),
                    Some(Direction::Request),
                    Some(&root),
                    change,
                );
            }
            if let (Some(old_schema), Some(new_schema)) =
                (old_parameter.schema, new_parameter.schema)
            {
                roots
                    .request
                    .push((root, self.comparer.compare(old_schema, new_schema)));
            }
        }
        for old_parameter in &old.parameters {
            if find_parameter(&new.parameters, old_parameter).is_none() {
                let root = vec![Segment::Root(parameter_label(old_parameter))];
                self.push(
                    Some(operation),
                    Some(Direction::Request),
                    Some(&root),
                    RawChange::ParameterRemoved,
                );
            }
        }
    }

    fn compare_request_body(
        &mut self,
        operation: &OperationInfo,
        old: &Operation,
        new: &Operation,
        roots: &mut Roots,
    ) {
        let (old_body, new_body) = match (&old.request_body, &new.request_body) {
            (None, None) => return,
            (None, Some(body)) => {
                let change = RawChange::RequestBodyAdded {
                    required: body.required,
                };
                self.push(Some(operation), Some(Direction::Request), None, change);
                return;
            }
            (Some(_), None) => {
                self.push(
                    Some(operation),
                    Some(Direction::Request),
                    None,
                    RawChange::RequestBodyRemoved,
                );
                return;
            }
            (Some(old_body), Some(new_body)) => (old_body, new_body),
        };

        if old_body.required != new_body.required {
            let change = RawChange::RequestBodyRequired {
                now: new_body.required,
            };
            self.push(Some(operation), Some(Direction::Request), None, change);
        }
        let found = self.compare_content(
            operation,
            "request body",
            Direction::Request,
            &old_body.content,
            &new_body.content,
        );
        roots.request.extend(found);
    }

    fn compare_responses(
        &mut self,
        operation: &OperationInfo,
        old: &Operation,
        new: &Operation,
        roots: &mut Roots,
    ) {
        for (status, new_response) in &new.responses {
            let root_name = format!("response {status}");
            let Some((_, old_response)) = old.responses.iter().find(|(code, _)| code == status)
            else {
                let change = RawChange::ResponseAdded {
                    status: status.clone(),
                };
                self.push(Some(operation), Some(Direction::Response), None, change);
                continue;
            };
            self.compare_headers(operation, &root_name, old_response, new_response, roots);
            let found = self.compare_content(
                operation,
                &root_name,
                Direction::Response,
                &old_response.content,
                &new_response.content,
            );
            roots.response.extend(found);
        }
        for (status, _) in &old.responses {
            if !new.responses.iter().any(|(code, _)| code == status) {
                let change = RawChange::ResponseRemoved {
                    status: status.clone(),
                };
                self.push(Some(operation), Some(Direction::Response), None, change);
            }
        }
    }

    fn compare_headers(
        &mut self,
        operation: &OperationInfo,
        root_name: &str,
        old: &Response,
        new: &Response,
        roots: &mut Roots,
    ) {
        for new_header in &new.headers {
            let root = vec![Segment::Root(format!(
                "{root_name} header {}",
                new_header.name
            ))];
            let Some(old_header) = find_header(&old.headers, &new_header.name) else {
                let change = RawChange::HeaderAdded {
                    required: new_header.required,
                };
                self.push(
                    Some(operation),
                    Some(Direction::Response),
                    Some(&root),
                    change,
                );
                continue;
            };
            if old_header.required != new_header.required {
                let change = RawChange::HeaderRequired {
                    now: new_header.required,
                };
                self.push(
                    Some(operation),
                    Some(Direction::Response),
                    Some(&root),
                    change,
                );
            }
            if let (Some(old_schema), Some(new_schema)) = (old_header.schema, new_header.schema) {
                roots
                    .response
                    .push((root, self.comparer.compare(old_schema, new_schema)));
            }
        }
        for old_header in &old.headers {
            if find_header(&new.headers, &old_header.name).is_none() {
                let root = vec![Segment::Root(format!(
                    "{root_name} header {}",
                    old_header.name
                ))];
                let change = RawChange::HeaderRemoved;
                self.push(
                    Some(operation),
                    Some(Direction::Response),
                    Some(&root),
                    change,
                );
            }
        }
    }

    /// Compares the media types of a body and returns the schema comparisons to expand.
    fn compare_content(
        &mut self,
        operation: &OperationInfo,
        root_name: &str,
        direction: Direction,
        old: &[MediaType],
        new: &[MediaType],
    ) -> Vec<(Vec<Segment>, SchemaDiff)> {
        let single = old.len() <= 1 && new.len() <= 1;
        let plain_root = vec![Segment::Root(root_name.to_owned())];
        let root_for = |media_type: &str| {
            if single {
                vec![Segment::Root(root_name.to_owned())]
            } else {
                vec![Segment::Root(format!("{root_name} ({media_type})"))]
            }
        };

        let mut found = Vec::new();
        for new_media in new {
            let root = root_for(&new_media.name);
            let old_media = old
                .iter()
                .find(|media| media_essence(&media.name) == media_essence(&new_media.name));
            let Some(old_media) = old_media else {
                let change = RawChange::MediaTypeAdded {
                    media_type: new_media.name.clone(),
                };
                self.push(Some(operation), Some(direction), Some(&plain_root), change);
                continue;
            };
            if let (Some(old_schema), Some(new_schema)) = (old_media.schema, new_media.schema) {
                found.push((root, self.comparer.compare(old_schema, new_schema)));
            }
        }
        for old_media in old {
            let still_there = new
                .iter()
                .any(|media| media_essence(&media.name) == media_essence(&old_media.name));
            if !still_there {
                let change = RawChange::MediaTypeRemoved {
                    media_type: old_media.name.clone(),
                };
                self.push(Some(operation), Some(direction), Some(&plain_root), change);
            }
        }
        found
    }

    fn compare_security(
        &mut self,
        operation: &OperationInfo,
        old: &[Vec<String>],
        new: &[Vec<String>],
    ) {
        let normalize = |alternatives: &[Vec<String>]| {
            let mut sorted = alternatives.to_vec();
            sorted.sort();
            sorted.dedup();
            if sorted.is_empty() {
                sorted.push(Vec::new());
            }
            sorted
        };
        let old = normalize(old);
        let new = normalize(new);
        if old == new {
            return;
        }
        // A credential set that satisfied an old alternative is still accepted when some new
        // alternative requires no more than it.
        let still_accepted = old.iter().all(|old_alternative| {
            new.iter().any(|new_alternative| {
                new_alternative
                    .iter()
                    .all(|scheme| old_alternative.contains(scheme))
            })
        });
        let change = RawChange::SecurityChanged {
            old: show_security(&old),
            new: show_security(&new),
            still_accepted,
        };
        let root = vec![Segment::Root("security".to_owned())];
        self.push_operation(operation, Some(&root), change);
    }
}

fn info(operation: &Operation) -> OperationInfo {
    OperationInfo {
        method: operation.method.clone(),
        path: operation.path.clone(),
        name: operation.display_name(),
    }
}

fn find_parameter<'p>(parameters: &'p [Parameter], wanted: &Parameter) -> Option<&'p Parameter> {
    parameters.iter().find(|parameter| {
        parameter.location == wanted.location
            && if parameter.location == "header" {
                parameter.name.eq_ignore_ascii_case(&wanted.name)
            } else {
                parameter.name == wanted.name
            }
    })
}

fn find_header<'h>(headers: &'h [Header], name: &str) -> Option<&'h Header> {
    headers
        .iter()
        .find(|header| header.name.eq_ignore_ascii_case(name))
}

fn parameter_label(parameter: &Parameter) -> String {
    match parameter.location.as_str() {
        "header" => format!("header {}", parameter.name),
        "cookie" => format!("cookie {}", parameter.name),
        location => format!("{location} parameter {}", parameter.name),
    }
}

/// Returns a media type without parameters, in lower case.
fn media_essence(media_type: &str) -> String {
    media_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase()
}

fn show_security(alternatives: &[Vec<String>]) -> String {
    let shown: Vec<String> = alternatives
        .iter()
        .map(|schemes| {
            if schemes.is_empty() {
                "no credentials".to_owned()
            } else {
                schemes.join(" and ")
            }
        })
        .collect();
    shown.join(" or ")
}
