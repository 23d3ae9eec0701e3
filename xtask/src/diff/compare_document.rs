//! Comparison of the document-level parts of two specs: component schemas that no
//! operation reaches, security schemes and servers.

use std::collections::HashMap;

use super::change::{RawChange, Segment, render_location};
use super::classify::classify;
use super::compare::Run;
use super::report::Change;

impl Run<'_> {
    /// Reports added and removed component schemas, and the changes of those that no
    /// operation reaches, since they are still types in octave-types.
    pub fn compare_components(&mut self) {
        let (old, new) = (self.old, self.new);
        for (old_id, component) in old.components.iter().enumerate() {
            let Some(&new_id) = new.component_index.get(&component.name) else {
                let change = RawChange::SchemaRemoved {
                    name: component.name.clone(),
                };
                self.push(None, None, None, change);
                continue;
            };
            if self.reached.contains(&new_id) {
                continue;
            }
            let label = self.comparer.label((old_id, new_id));
            let changes = self.comparer.pair((old_id, new_id)).changes.clone();
            for relative in changes {
                let mut path = vec![Segment::Root(format!("schema {label}"))];
                path.extend(relative.path);
                let verdict = classify(&relative.change, None);
                self.changes.push(Change {
                    operation: None,
                    direction: None,
                    locations: vec![render_location(&path)],
                    omitted_locations: 0,
                    component: relative.component,
                    component_location: relative.component_path.as_deref().map(render_location),
                    change: relative.change,
                    verdict,
                });
            }
        }
        for component in &new.components {
            if !old.component_index.contains_key(&component.name) {
                let change = RawChange::SchemaAdded {
                    name: component.name.clone(),
                };
                self.push(None, None, None, change);
            }
        }
    }

    /// Reports added, removed and changed security schemes.
    pub fn compare_security_schemes(&mut self) {
        let (old, new) = (self.old, self.new);
        for old_scheme in &old.security_schemes {
            let Some(new_scheme) = new
                .security_schemes
                .iter()
                .find(|scheme| scheme.name == old_scheme.name)
            else {
                let change = RawChange::SecuritySchemeRemoved {
                    name: old_scheme.name.clone(),
                };
                self.push(None, None, None, change);
                continue;
            };
            let old_settings: HashMap<_, _> = old_scheme.settings.iter().cloned().collect();
            let new_settings: HashMap<_, _> = new_scheme.settings.iter().cloned().collect();
            let mut keys: Vec<&str> = old_settings
                .keys()
                .chain(new_settings.keys())
                .copied()
                .collect();
            keys.sort_unstable();
            keys.dedup();
            for key in keys {
                let old_value = old_settings
                    .get(key)
                    .cloned()
                    .unwrap_or_else(|| "none".to_owned());
                let new_value = new_settings
                    .get(key)
                    .cloned()
                    .unwrap_or_else(|| "none".to_owned());
                if old_value != new_value {
                    let change = RawChange::SecuritySchemeChanged {
                        name: old_scheme.name.clone(),
                        setting: key.to_owned(),
                        old: old_value,
                        new: new_value,
                    };
                    self.push(None, None, None, change);
                }
            }
        }
        for new_scheme in &new.security_schemes {
            let existed = old
                .security_schemes
                .iter()
                .any(|scheme| scheme.name == new_scheme.name);
            if !existed {
                let change = RawChange::SecuritySchemeAdded {
                    name: new_scheme.name.clone(),
                };
                self.push(None, None, None, change);
            }
        }
    }

    /// Reports added and removed server URLs.
    pub fn compare_servers(&mut self) {
        let (old, new) = (self.old, self.new);
        for url in &old.servers {
            if !new.servers.contains(url) {
                self.push(
                    None,
                    None,
                    None,
                    RawChange::ServerRemoved { url: url.clone() },
                );
            }
        }
        for url in &new.servers {
            if !old.servers.contains(url) {
                self.push(
                    None,
                    None,
                    None,
                    RawChange::ServerAdded { url: url.clone() },
                );
            }
        }
    }
}
