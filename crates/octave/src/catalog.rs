//! The saved agents of the workspace, the agent types, and the API key's own details.

use std::collections::HashSet;
use std::hash::{DefaultHasher, Hash, Hasher};

use futures::stream::{self, Stream, TryStreamExt};
use octave_types::{
    AgentOrderField, AgentSummary, AgentType, AgentTypesResponse, GetAgentResponse,
    ListAgentsResponse, OrderDirection, ValidateApiKeyResponse,
};
use tracing::Instrument;

use crate::client::Client;
use crate::error::{Error, Result};
use crate::transport::{Call, Operation};
use crate::validate::check_id;

/// Filters and paging of [`Client::list_agents`]. Every field is optional; the service's
/// defaults are an offset of 0, a limit of 10, newest first.
///
/// ```
/// use octave::ListAgentsQuery;
/// use octave::types::AgentType;
///
/// let query = ListAgentsQuery::new()
///     .agent_type(AgentType::EnrichCompany)
///     .search("enrich")
///     .limit(50);
/// # let _ = query;
/// ```
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ListAgentsQuery {
    agent_type: Option<AgentType>,
    search: Option<String>,
    offset: Option<i64>,
    limit: Option<i64>,
    order_field: Option<AgentOrderField>,
    order_direction: Option<OrderDirection>,
    include_experiments: Option<bool>,
}

impl ListAgentsQuery {
    /// Returns a query with no filter.
    pub fn new() -> Self {
        ListAgentsQuery::default()
    }

    /// Lists only agents of this type (`type`).
    pub fn agent_type(mut self, agent_type: AgentType) -> Self {
        self.agent_type = Some(agent_type);
        self
    }

    /// Lists only agents whose name or description contains this text (`query`).
    pub fn search(mut self, text: impl Into<String>) -> Self {
        self.search = Some(text.into());
        self
    }

    /// Skips this many items (`offset`).
    pub fn offset(mut self, offset: u32) -> Self {
        self.offset = Some(i64::from(offset));
        self
    }

    /// Returns at most this many items per page (`limit`), at least 1.
    pub fn limit(mut self, limit: u32) -> Self {
        self.limit = Some(i64::from(limit));
        self
    }

    /// Sorts by this field (`orderField`).
    pub fn order_field(mut self, field: AgentOrderField) -> Self {
        self.order_field = Some(field);
        self
    }

    /// Sorts in this direction (`orderDirection`).
    pub fn order_direction(mut self, direction: OrderDirection) -> Self {
        self.order_direction = Some(direction);
        self
    }

    /// Also lists agent experiments of Sequence and Content agents
    /// (`includeExperiments`). A page can then hold more items than the limit.
    pub fn include_experiments(mut self, include: bool) -> Self {
        self.include_experiments = Some(include);
        self
    }

    fn check(&self) -> Result<()> {
        if self.limit == Some(0) {
            return Err(Error::invalid_input(
                "limit",
                "is 0; pass at least 1, or leave it out for the service's default of 10",
            ));
        }
        Ok(())
    }
}

impl Client {
    /// Checks the API key and returns its workspace, organization and credit balance.
    ///
    /// # Errors
    ///
    /// [`Error::Api`] with status 401 or 403 for a key the service rejects; the other
    /// request errors of [`Error`] once retries are spent.
    pub async fn validate_api_key(&self) -> Result<ValidateApiKeyResponse> {
        let span = tracing::info_span!("octave.validate_api_key");
        let api = self.transport().api();
        self.transport()
            .send(&Call::read(Operation::VALIDATE_API_KEY), move || {
                api.validate_api_key()
            })
            .instrument(span)
            .await
    }

    /// Lists one page of the workspace's saved agents.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidInput`] for a limit of 0; the request errors of [`Error`] once
    /// retries are spent.
    pub async fn list_agents(&self, query: ListAgentsQuery) -> Result<ListAgentsResponse> {
        query.check()?;
        let span = tracing::info_span!(
            "octave.list_agents",
            offset = query.offset,
            limit = query.limit,
        );
        let api = self.transport().api();
        let query = &query;
        self.transport()
            .send(&Call::read(Operation::LIST_AGENTS), move || {
                api.list_agents(
                    query.include_experiments,
                    query.limit,
                    query.offset,
                    query.order_direction.as_ref(),
                    query.order_field.as_ref(),
                    query.search.as_deref(),
                    query.agent_type.as_ref(),
                )
            })
            .instrument(span)
            .await
    }

    /// Lists every saved agent that matches `query`, fetching pages as the stream is read.
    ///
    /// Paging starts at the query's offset and advances by the length of each page while
    /// the service reports `hasNext` (or, without it, while `total` is not reached). An
    /// empty page ends the stream, and so does a page that a service ignoring `offset`
    /// sends again: one whose agents all came on earlier pages, or one equal to an earlier
    /// page.
    ///
    /// NOTE: with `include_experiments`, a page can hold more items than `limit`. The API
    /// reference does not say whether `offset` then counts the experiments too; this stream
    /// assumes it does, as other clients of the API do.
    ///
    /// ```no_run
    /// # async fn example(client: octave::Client) -> octave::Result<()> {
    /// use futures::TryStreamExt;
    ///
    /// let agents: Vec<_> = client
    ///     .list_all_agents(octave::ListAgentsQuery::new().limit(100))
    ///     .try_collect()
    ///     .await?;
    /// println!("{} agents", agents.len());
    /// # Ok(())
    /// # }
    /// ```
    pub fn list_all_agents(
        &self,
        query: ListAgentsQuery,
    ) -> impl Stream<Item = Result<AgentSummary>> + Send + 'static {
        let start = query.offset.unwrap_or(0);
        let pages = stream::try_unfold(
            (
                self.clone(),
                query,
                Some(start),
                HashSet::new(),
                HashSet::new(),
            ),
            |(client, query, offset, mut seen, mut pages_seen)| async move {
                let Some(offset) = offset else {
                    return Ok(None);
                };
                let page = client.list_agents(query.clone().offset_i64(offset)).await?;
                // Pages of agents without an `oId` are compared by a hash of their text,
                // which only this process uses.
                let page_hash = {
                    let mut hasher = DefaultHasher::new();
                    serde_json::to_string(&page.data)
                        .unwrap_or_default()
                        .hash(&mut hasher);
                    hasher.finish()
                };
                let repeated = !page.data.is_empty()
                    && (page
                        .data
                        .iter()
                        .all(|agent| agent.o_id.as_ref().is_some_and(|id| seen.contains(id)))
                        || !pages_seen.insert(page_hash));
                if repeated {
                    tracing::warn!(
                        offset,
                        "the service returned agents of earlier pages again; stopping the listing"
                    );
                    return Ok(None);
                }
                seen.extend(page.data.iter().filter_map(|agent| agent.o_id.clone()));
                let next = next_offset(offset, &page);
                Ok(Some((page.data, (client, query, next, seen, pages_seen))))
            },
        );
        pages
            .map_ok(|items| stream::iter(items.into_iter().map(Ok)))
            .try_flatten()
    }

    /// Returns one saved agent with its configuration.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidInput`] for a blank OId; [`Error::Api`] with status 404 for an OId
    /// not on this account; the other request errors of [`Error`].
    pub async fn get_agent(&self, agent_id: &str) -> Result<GetAgentResponse> {
        check_id("oId", agent_id)?;
        let span = tracing::info_span!("octave.get_agent", agent.id = agent_id);
        let api = self.transport().api();
        self.transport()
            .send(&Call::read(Operation::GET_AGENT), move || {
                api.get_agent(agent_id)
            })
            .instrument(span)
            .await
    }

    /// Lists the agent types the service supports.
    ///
    /// # Errors
    ///
    /// The request errors of [`Error`] once retries are spent.
    pub async fn list_agent_types(&self) -> Result<AgentTypesResponse> {
        let span = tracing::info_span!("octave.list_agent_types");
        let api = self.transport().api();
        self.transport()
            .send(&Call::read(Operation::LIST_AGENT_TYPES), move || {
                api.list_agent_types()
            })
            .instrument(span)
            .await
    }
}

impl ListAgentsQuery {
    fn offset_i64(mut self, offset: i64) -> Self {
        self.offset = Some(offset);
        self
    }
}

/// Returns the offset of the page after `page`, or `None` when `page` was the last.
fn next_offset(offset: i64, page: &ListAgentsResponse) -> Option<i64> {
    if page.data.is_empty() {
        return None;
    }
    let next = offset + i64::try_from(page.data.len()).unwrap_or(i64::MAX);
    let more = match page.has_next {
        Some(has_next) => has_next,
        None => page.total.is_some_and(|total| next < total),
    };
    more.then_some(next)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn page(items: usize, has_next: Option<bool>, total: Option<i64>) -> ListAgentsResponse {
        let data: Vec<_> = (0..items)
            .map(|index| json!({"oId": format!("ca_{index}")}))
            .collect();
        let mut fields = json!({"_metadata": {}, "data": data});
        if let Some(has_next) = has_next {
            fields["hasNext"] = json!(has_next);
        }
        if let Some(total) = total {
            fields["total"] = json!(total);
        }
        serde_json::from_value(fields).expect("valid page")
    }

    #[test]
    fn paging_follows_has_next() {
        assert_eq!(next_offset(0, &page(10, Some(true), None)), Some(10));
        assert_eq!(next_offset(10, &page(10, Some(false), Some(100))), None);
    }

    #[test]
    fn paging_falls_back_to_total() {
        assert_eq!(next_offset(0, &page(10, None, Some(25))), Some(10));
        assert_eq!(next_offset(20, &page(5, None, Some(25))), None);
        assert_eq!(next_offset(0, &page(10, None, None)), None);
    }

    #[test]
    fn empty_page_ends_paging() {
        assert_eq!(next_offset(0, &page(0, Some(true), Some(50))), None);
    }
}
