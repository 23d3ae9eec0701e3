//! Compares two schemas. Each pair of component schemas is compared once and cached.
//! A `$ref` met on the way is recorded as a child pair instead of being followed. So the
//! comparison of a recursive schema ends, and a shared schema is compared only once.

use std::collections::HashMap;

use serde_json::Value;

use super::change::{RawChange, Segment};
use super::model::{Additional, CONSTRAINT_KEYWORDS, ComponentId, SchemaRef, Spec};
use super::view::View;

/// A pair of component schemas: the old one and the new one it is compared with.
pub type PairKey = (ComponentId, ComponentId);

/// A change found inside a schema, located relative to where the comparison started.
#[derive(Clone, Debug)]
pub struct RelChange {
    /// Path from the start of the comparison.
    pub path: Vec<Segment>,
    /// The component schema that declares the changed part, if any.
    pub component: Option<String>,
    /// Path from that component's root, starting with its name, when there is one.
    pub component_path: Option<Vec<Segment>>,
    /// What changed.
    pub change: RawChange,
}

/// The component that declares the part being compared, and the path length at which that
/// component's root sits.
#[derive(Clone, Copy)]
struct Origin<'o> {
    name: Option<&'o str>,
    base: usize,
}

/// The outcome of comparing two schemas.
#[derive(Debug, Default)]
pub struct SchemaDiff {
    /// Changes found without following any `$ref` to a component.
    pub changes: Vec<RelChange>,
    /// Component pairs met on the way, with the path where each was met.
    pub children: Vec<(Vec<Segment>, PairKey)>,
    /// Components of the new spec merged in through `allOf`, which are used here even
    /// though no child pair names them.
    pub inlined: Vec<ComponentId>,
}

/// Compares schemas of two specs and caches the result for each component pair.
pub struct SchemaComparer<'s> {
    old: &'s Spec,
    new: &'s Spec,
    cache: HashMap<PairKey, SchemaDiff>,
}

impl<'s> SchemaComparer<'s> {
    /// Creates a comparer for two specs.
    pub fn new(old: &'s Spec, new: &'s Spec) -> Self {
        Self {
            old,
            new,
            cache: HashMap::new(),
        }
    }

    /// Compares two schemas found in place, for example a request body's schema.
    pub fn compare(&self, old: SchemaRef, new: SchemaRef) -> SchemaDiff {
        let mut walk = Walk {
            old: self.old,
            new: self.new,
            path: Vec::new(),
            out: SchemaDiff::default(),
        };
        walk.compare(
            old,
            new,
            Origin {
                name: None,
                base: 0,
            },
        );
        walk.out
    }

    /// Returns the comparison of a component pair, computing it on first use.
    pub fn pair(&mut self, key: PairKey) -> &SchemaDiff {
        let (old, new) = (self.old, self.new);
        self.cache.entry(key).or_insert_with(|| {
            let mut walk = Walk {
                old,
                new,
                path: Vec::new(),
                out: SchemaDiff::default(),
            };
            let origin = pair_label(old, new, key);
            let old_view = View::of(old, SchemaRef::Component(key.0), Some(&origin));
            let new_view = View::of(new, SchemaRef::Component(key.1), Some(&origin));
            let root = Origin {
                name: Some(&origin),
                base: 0,
            };
            walk.compare_views(&old_view, &new_view, root);
            walk.out
        })
    }

    /// Returns the name readers know a component pair by.
    pub fn label(&self, key: PairKey) -> String {
        pair_label(self.old, self.new, key)
    }
}

/// Names a component pair: its name, or `New (was Old)` when the `$ref` target changed.
fn pair_label(old: &Spec, new: &Spec, key: PairKey) -> String {
    let old_name = old.component_name(key.0);
    let new_name = new.component_name(key.1);
    if old_name == new_name {
        new_name.to_owned()
    } else {
        format!("{new_name} (was {old_name})")
    }
}

/// Formats whose change alters the Rust type generated for a string.
const TYPE_BEARING_STRING_FORMATS: [&str; 8] = [
    "date-time",
    "date",
    "uuid",
    "ip",
    "ipv4",
    "ipv6",
    "binary",
    "byte",
];

fn format_changes_rust_type(type_label: &str, format: Option<&str>) -> bool {
    match type_label {
        "integer" | "number" => true,
        "string" => format.is_some_and(|format| TYPE_BEARING_STRING_FORMATS.contains(&format)),
        _ => false,
    }
}

struct Walk<'s> {
    old: &'s Spec,
    new: &'s Spec,
    path: Vec<Segment>,
    out: SchemaDiff,
}

impl<'s> Walk<'s> {
    fn push(&mut self, origin: Origin<'_>, change: RawChange) {
        let component_path = origin.name.map(|name| {
            let mut path = vec![Segment::Root(name.to_owned())];
            path.extend_from_slice(&self.path[origin.base.min(self.path.len())..]);
            path
        });
        self.out.changes.push(RelChange {
            path: self.path.clone(),
            component: origin.name.map(str::to_owned),
            component_path,
            change,
        });
    }

    /// Returns the origin of a property declared by `declared_by`: the current one when the
    /// same component declares it, else that component starting at the current path.
    fn property_origin<'o>(&self, origin: Origin<'o>, declared_by: Option<&'o str>) -> Origin<'o> {
        if declared_by == origin.name {
            origin
        } else {
            Origin {
                name: declared_by,
                base: self.path.len(),
            }
        }
    }

    fn compare(&mut self, old: SchemaRef, new: SchemaRef, origin: Origin<'_>) {
        if let (SchemaRef::Component(old_id), SchemaRef::Component(new_id)) = (old, new) {
            let old_name = self.old.component_name(old_id);
            let new_name = self.new.component_name(new_id);
            if old_name != new_name {
                let change = RawChange::SchemaRefChanged {
                    old: old_name.to_owned(),
                    new: new_name.to_owned(),
                };
                self.push(origin, change);
            }
            self.out
                .children
                .push((self.path.clone(), (old_id, new_id)));
            return;
        }

        let old_view = View::of(self.old, old, origin.name);
        let new_view = View::of(self.new, new, origin.name);
        self.compare_views(&old_view, &new_view, origin);
    }

    fn compare_views(&mut self, old: &View<'s>, new: &View<'s>, origin: Origin<'_>) {
        self.out.inlined.extend_from_slice(&new.members);
        if old.type_label != new.type_label {
            let change = RawChange::TypeChanged {
                old: old.type_label.to_owned(),
                new: new.type_label.to_owned(),
            };
            self.push(origin, change);
            return;
        }

        self.compare_scalars(old, new, origin);
        self.compare_properties(old, new, origin);

        if let (Some(old_items), Some(new_items)) = (old.items, new.items) {
            self.path.push(Segment::Items);
            self.compare(old_items, new_items, origin);
            self.path.pop();
        }

        match (old.additional, new.additional) {
            (Additional::Schema(old_values), Additional::Schema(new_values)) => {
                self.path.push(Segment::MapValue);
                self.compare(old_values, new_values, origin);
                self.path.pop();
            }
            (Additional::Allowed, Additional::Forbidden) => {
                let change = RawChange::AdditionalPropertiesChanged { allowed: false };
                self.push(origin, change);
            }
            (Additional::Forbidden, Additional::Allowed) => {
                let change = RawChange::AdditionalPropertiesChanged { allowed: true };
                self.push(origin, change);
            }
            _ => {}
        }

        self.compare_variants(&old.one_of, &new.one_of, origin);
        self.compare_variants(&old.any_of, &new.any_of, origin);
    }

    fn compare_scalars(&mut self, old: &View<'s>, new: &View<'s>, origin: Origin<'_>) {
        if old.format != new.format {
            let changes_rust_type = format_changes_rust_type(old.type_label, old.format)
                || format_changes_rust_type(new.type_label, new.format);
            let change = RawChange::FormatChanged {
                old: old.format.map(str::to_owned),
                new: new.format.map(str::to_owned),
                changes_rust_type,
            };
            self.push(origin, change);
        }

        if old.nullable != new.nullable {
            self.push(origin, RawChange::NullableChanged { now: new.nullable });
        }

        match (old.enum_values, new.enum_values) {
            (None, Some(values)) => {
                let change = RawChange::EnumAdded {
                    values: values.to_vec(),
                };
                self.push(origin, change);
            }
            (Some(_), None) => self.push(origin, RawChange::EnumRemoved),
            (Some(old_values), Some(new_values)) => {
                for value in new_values
                    .iter()
                    .filter(|value| !old_values.contains(value))
                {
                    let change = RawChange::EnumValueAdded {
                        value: value.clone(),
                    };
                    self.push(origin, change);
                }
                for value in old_values
                    .iter()
                    .filter(|value| !new_values.contains(value))
                {
                    let change = RawChange::EnumValueRemoved {
                        value: value.clone(),
                    };
                    self.push(origin, change);
                }
            }
            (None, None) => {}
        }

        for keyword in CONSTRAINT_KEYWORDS {
            let old_value = old.constraint(keyword);
            let new_value = new.constraint(keyword);
            if old_value != new_value {
                let change = RawChange::ConstraintChanged {
                    keyword,
                    old: old_value.cloned(),
                    new: new_value.cloned(),
                    narrowed: is_narrowed(keyword, old_value, new_value),
                };
                self.push(origin, change);
            }
        }

        if old.discriminator != new.discriminator {
            let change = RawChange::DiscriminatorChanged {
                old: old.discriminator.map(str::to_owned),
                new: new.discriminator.map(str::to_owned),
            };
            self.push(origin, change);
        }
        if old.read_only != new.read_only {
            self.push(origin, RawChange::ReadOnlyChanged { now: new.read_only });
        }
        if old.write_only != new.write_only {
            let change = RawChange::WriteOnlyChanged {
                now: new.write_only,
            };
            self.push(origin, change);
        }
        if old.deprecated != new.deprecated {
            let change = RawChange::SchemaDeprecated {
                now: new.deprecated,
            };
            self.push(origin, change);
        }
        if old.default != new.default {
            let change = RawChange::DefaultChanged {
                old: old.default.cloned(),
                new: new.default.cloned(),
            };
            self.push(origin, change);
        }
    }

    fn compare_properties(&mut self, old: &View<'s>, new: &View<'s>, origin: Origin<'_>) {
        for (name, new_schema, declared_by) in &new.properties {
            let new_origin = self.property_origin(origin, declared_by.as_deref());
            self.path.push(Segment::Property((*name).to_owned()));
            let old_property = old
                .properties
                .iter()
                .find(|(old_name, ..)| old_name == name);
            match old_property {
                None => {
                    let required = new.required.contains(name);
                    self.push(new_origin, RawChange::PropertyAdded { required });
                }
                Some((_, old_schema, _)) => {
                    let was_required = old.required.contains(name);
                    let is_required = new.required.contains(name);
                    if was_required != is_required {
                        let change = RawChange::PropertyRequired { now: is_required };
                        self.push(new_origin, change);
                    }
                    self.compare(*old_schema, *new_schema, new_origin);
                }
            }
            self.path.pop();
        }

        for (name, _, declared_by) in &old.properties {
            if new.properties.iter().any(|(new_name, ..)| new_name == name) {
                continue;
            }
            let old_origin = self.property_origin(origin, declared_by.as_deref());
            self.path.push(Segment::Property((*name).to_owned()));
            self.push(old_origin, RawChange::PropertyRemoved);
            self.path.pop();
        }
    }

    fn compare_variants(&mut self, old: &[SchemaRef], new: &[SchemaRef], origin: Origin<'_>) {
        if old.is_empty() && new.is_empty() {
            return;
        }
        let old_keys = variant_keys(self.old, old);
        let new_keys = variant_keys(self.new, new);

        for (index, (new_key, new_label)) in new_keys.iter().enumerate() {
            match old_keys.iter().position(|(old_key, _)| old_key == new_key) {
                Some(old_index) => {
                    self.path.push(Segment::Variant(new_label.clone()));
                    self.compare(old[old_index], new[index], origin);
                    self.path.pop();
                }
                None => {
                    let change = RawChange::VariantAdded {
                        label: new_label.clone(),
                    };
                    self.push(origin, change);
                }
            }
        }
        for (old_key, old_label) in &old_keys {
            if !new_keys.iter().any(|(new_key, _)| new_key == old_key) {
                let change = RawChange::VariantRemoved {
                    label: old_label.clone(),
                };
                self.push(origin, change);
            }
        }
    }
}

/// Keys that match `oneOf` or `anyOf` alternatives across versions, with a label for readers:
/// the component name for a `$ref`, else the `title`, else the position among untitled ones.
fn variant_keys(spec: &Spec, variants: &[SchemaRef]) -> Vec<(String, String)> {
    let mut untitled = 0;
    variants
        .iter()
        .map(|variant| match variant {
            SchemaRef::Component(id) => {
                let name = spec.component_name(*id);
                (format!("ref:{name}"), name.to_owned())
            }
            SchemaRef::Inline(node) => match &spec.nodes[*node].title {
                Some(title) => (format!("title:{title}"), title.clone()),
                None => {
                    untitled += 1;
                    (format!("inline:{untitled}"), format!("#{untitled}"))
                }
            },
        })
        .collect()
}

/// Returns true when the new value of a validation keyword makes fewer values valid.
fn is_narrowed(keyword: &str, old: Option<&Value>, new: Option<&Value>) -> bool {
    let (old, new) = match (old, new) {
        (_, None) => return false,
        (None, Some(_)) => return true,
        (Some(old), Some(new)) => (old, new),
    };
    match keyword {
        "minLength" | "minimum" | "minItems" | "minProperties" => new.as_f64() > old.as_f64(),
        "maxLength" | "maximum" | "maxItems" | "maxProperties" => new.as_f64() < old.as_f64(),
        "exclusiveMinimum" | "exclusiveMaximum" | "uniqueItems" => new.as_bool() == Some(true),
        _ => true,
    }
}
