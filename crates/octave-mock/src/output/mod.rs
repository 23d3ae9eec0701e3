//! Deterministic agent outputs: the same input and seed always give the same output.
//!
//! Each output is drawn from a SplitMix64 stream seeded with a 64-bit FNV-1a hash of the
//! seed, the agent kind and the input, where the input is hashed as JSON with object keys in
//! sorted order. Both algorithms are written out in this module instead of using
//! `std::collections::hash_map::DefaultHasher`, whose algorithm may change between Rust
//! releases, so outputs stay the same across toolchains.

mod company;
mod library;
mod person;
mod words;
mod writing;

use octave_types::agents::{
    CallPrep, Content, EnrichCompany, EnrichPerson, Prospector, QualifyCompany, QualifyPerson,
    Sequence,
};
use octave_types::{Agent, AgentKind, Metadata};
use serde_json::Value;

use crate::state::splitmix64;

/// Random numbers drawn from a SplitMix64 stream.
pub(crate) struct Rng {
    state: u64,
}

impl Rng {
    /// Seeds a stream from the server seed, the agent kind and the input.
    pub fn for_input(seed: u64, kind: AgentKind, input: &Value) -> Rng {
        let mut hasher = Fnv1a::new();
        hasher.write(&seed.to_le_bytes());
        hasher.write(kind.slug().as_bytes());
        hash_json(&mut hasher, input);
        Rng {
            state: hasher.finish(),
        }
    }

    /// Starts an independent stream, for parts generated in a loop.
    pub fn fork(&self, salt: u64) -> Rng {
        Rng {
            state: splitmix64(self.state ^ splitmix64(salt)),
        }
    }

    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        splitmix64(self.state)
    }

    /// Returns a number in `0..bound`; `bound` of 0 is treated as 1.
    pub fn below(&mut self, bound: u64) -> u64 {
        self.next_u64() % bound.max(1)
    }

    /// Returns a number in `low..=high`.
    pub fn range(&mut self, low: i64, high: i64) -> i64 {
        let span = high.saturating_sub(low).max(0) as u64 + 1;
        low + self.below(span) as i64
    }

    /// Returns `true` with the given probability.
    pub fn chance(&mut self, probability: f64) -> bool {
        let unit = (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64;
        unit < probability
    }

    /// Picks one item; the slice must not be empty.
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        let index = self.below(items.len() as u64) as usize;
        &items[index]
    }

    /// Picks `count` different items (fewer when the slice is shorter), in slice order.
    pub fn pick_many<T: Clone>(&mut self, items: &[T], count: usize) -> Vec<T> {
        let mut indices: Vec<usize> = (0..items.len()).collect();
        for position in 0..indices.len() {
            let remaining = (indices.len() - position) as u64;
            let swap = position + self.below(remaining) as usize;
            indices.swap(position, swap);
        }
        let mut chosen: Vec<usize> = indices.into_iter().take(count).collect();
        chosen.sort_unstable();
        chosen
            .into_iter()
            .map(|index| items[index].clone())
            .collect()
    }

    /// Returns a score from 0.0 to 10.0 with one decimal.
    pub fn score(&mut self) -> f64 {
        self.below(101) as f64 / 10.0
    }
}

/// 64-bit FNV-1a.
struct Fnv1a(u64);

impl Fnv1a {
    fn new() -> Fnv1a {
        Fnv1a(0xCBF2_9CE4_8422_2325)
    }

    fn write(&mut self, bytes: &[u8]) {
        for byte in bytes {
            self.0 ^= u64::from(*byte);
            self.0 = self.0.wrapping_mul(0x0000_0100_0000_01B3);
        }
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

/// Hashes a JSON value with a type tag before each value and lengths before strings, arrays
/// and objects, so different values never hash the same bytes. Object keys are sorted.
fn hash_json(hasher: &mut Fnv1a, value: &Value) {
    match value {
        Value::Null => hasher.write(&[0]),
        Value::Bool(flag) => hasher.write(&[1, u8::from(*flag)]),
        Value::Number(number) => {
            hasher.write(&[2]);
            hash_str(hasher, &number.to_string());
        }
        Value::String(text) => {
            hasher.write(&[3]);
            hash_str(hasher, text);
        }
        Value::Array(items) => {
            hasher.write(&[4]);
            hasher.write(&(items.len() as u64).to_le_bytes());
            for item in items {
                hash_json(hasher, item);
            }
        }
        Value::Object(fields) => {
            hasher.write(&[5]);
            hasher.write(&(fields.len() as u64).to_le_bytes());
            let mut keys: Vec<&String> = fields.keys().collect();
            keys.sort_unstable();
            for key in keys {
                hash_str(hasher, key);
                hash_json(hasher, &fields[key.as_str()]);
            }
        }
    }
}

fn hash_str(hasher: &mut Fnv1a, text: &str) {
    hasher.write(&(text.len() as u64).to_le_bytes());
    hasher.write(text.as_bytes());
}

/// An agent whose output the mock can generate.
pub(crate) trait Generate: Agent {
    /// Generates the output for a valid input.
    fn generate(input: &Self::Input, rng: &mut Rng) -> Self::Output;

    /// Wraps an output in the synchronous response envelope.
    fn envelope(output: Self::Output, metadata: Metadata, message: String) -> Self::Response;
}

macro_rules! generate_impl {
    ($($marker:ident => $function:path, $response:ident;)*) => {
        $(
            impl Generate for $marker {
                fn generate(input: &Self::Input, rng: &mut Rng) -> Self::Output {
                    $function(input, rng)
                }

                fn envelope(
                    output: Self::Output,
                    metadata: Metadata,
                    message: String,
                ) -> Self::Response {
                    octave_types::$response {
                        data: Some(output),
                        found: true,
                        message: Some(message),
                        metadata,
                    }
                }
            }
        )*
    };
}

generate_impl! {
    EnrichCompany => company::enrich_company, EnrichCompanyAgentResponse;
    EnrichPerson => person::enrich_person, EnrichPersonAgentResponse;
    Content => writing::content, ContentAgentResponse;
    Sequence => writing::sequence, SequenceAgentResponse;
    QualifyPerson => person::qualify_person, QualifyPersonAgentResponse;
    Prospector => person::prospector, ProspectorAgentResponse;
    QualifyCompany => company::qualify_company, QualifyCompanyAgentResponse;
    CallPrep => writing::call_prep, CallPrepAgentResponse;
}

/// Code that runs for one agent kind, chosen at run time by [`visit_kind`].
pub(crate) trait KindVisitor {
    type Output;

    fn visit<A: Generate>(self) -> Self::Output;
}

/// Runs a visitor with the agent type of a kind; `None` for kinds this version cannot run.
pub(crate) fn visit_kind<V: KindVisitor>(kind: AgentKind, visitor: V) -> Option<V::Output> {
    let output = match kind {
        AgentKind::EnrichCompany => visitor.visit::<EnrichCompany>(),
        AgentKind::EnrichPerson => visitor.visit::<EnrichPerson>(),
        AgentKind::Content => visitor.visit::<Content>(),
        AgentKind::Sequence => visitor.visit::<Sequence>(),
        AgentKind::QualifyPerson => visitor.visit::<QualifyPerson>(),
        AgentKind::Prospector => visitor.visit::<Prospector>(),
        AgentKind::QualifyCompany => visitor.visit::<QualifyCompany>(),
        AgentKind::CallPrep => visitor.visit::<CallPrep>(),
        _ => return None,
    };
    Some(output)
}

/// Generates an agent's output for a valid input and seed.
pub(crate) fn generate<A: Generate>(input: &A::Input, seed: u64) -> A::Output {
    let value = serde_json::to_value(input).unwrap_or(Value::Null);
    let mut rng = Rng::for_input(seed, A::KIND, &value);
    A::generate(input, &mut rng)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fnv1a_matches_reference_vectors() {
        let mut empty = Fnv1a::new();
        empty.write(b"");
        assert_eq!(empty.finish(), 0xCBF2_9CE4_8422_2325);
        let mut letter = Fnv1a::new();
        letter.write(b"a");
        assert_eq!(letter.finish(), 0xAF63_DC4C_8601_EC8C);
    }

    #[test]
    fn key_order_does_not_change_the_stream() {
        let first: Value = serde_json::from_str(r#"{"a": 1, "b": {"c": 2, "d": 3}}"#).unwrap();
        let second: Value = serde_json::from_str(r#"{"b": {"d": 3, "c": 2}, "a": 1}"#).unwrap();
        let mut left = Rng::for_input(7, AgentKind::Content, &first);
        let mut right = Rng::for_input(7, AgentKind::Content, &second);
        assert_eq!(left.next_u64(), right.next_u64());
    }

    #[test]
    fn pick_many_returns_distinct_items() {
        let mut rng = Rng { state: 1 };
        let items = [1, 2, 3, 4, 5];
        let chosen = rng.pick_many(&items, 3);
        assert_eq!(chosen.len(), 3);
        assert!(chosen.windows(2).all(|pair| pair[0] < pair[1]));
    }
}
