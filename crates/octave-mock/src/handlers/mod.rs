//! Handlers of the API endpoints.

pub(crate) mod agents;
pub(crate) mod checks;
pub(crate) mod runs;

/// Returns the first value of a query parameter, percent-decoded.
pub(crate) fn query_param(query: &str, name: &str) -> Option<String> {
    url::form_urlencoded::parse(query.as_bytes())
        .find(|(key, _)| key == name)
        .map(|(_, value)| value.into_owned())
}
