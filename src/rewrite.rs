//! Stage 5: point every reference at the versioned names (SPEC §5). What
//! the table cannot rewrite unambiguously is returned, and the render
//! refuses it with the rest of the stale names (`refs::stale`).

use crate::model::Object;
use crate::refs::{FieldPath, Link, Role, Seg};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

/// Rewrites every reference to a renamed bundle. `new_names[i]` is object
/// `i`'s versioned name, if it got one. Returns the links whose target was
/// renamed but which name it in several namespaces under different new
/// names (a cluster-scoped referrer without a namespace field): guessing
/// would be a silent wrong render.
pub fn rewrite(objects: &mut [Object], links: &[Link], new_names: &[Option<String>]) -> Vec<usize> {
    let mut left = Vec::new();
    let mut rbac: Vec<&Link> = Vec::new();
    // What each shared target list is renamed to, worked out once: `None`
    // when nothing in it is renamed, `Some(None)` when it cannot be said
    // with one name.
    let mut answers: HashMap<*const [usize], Option<Option<&str>>> = HashMap::new();
    for (n, l) in links.iter().enumerate() {
        match l.reference.role {
            Role::Provides => continue,
            Role::Rbac => {
                rbac.push(l);
                continue;
            }
            _ => {}
        }
        let answer = *answers.entry(std::sync::Arc::as_ptr(&l.to)).or_insert_with(|| {
            crate::work::add(crate::work::Site::Rewrite, l.to.len() as u64);
            let news: BTreeSet<&str> = l.to.iter().filter_map(|&t| new_names[t].as_deref()).collect();
            // Objects of one name in several namespaces: one answer only
            // when all are renamed to the same name (the same content).
            let one = news.len() == 1 && l.to.iter().all(|&t| new_names[t].is_some());
            news.first().map(|&new| one.then_some(new))
        });
        let new = match answer {
            None => continue,
            // The name may also mean an object declared external in another
            // namespace, which keeps its name: not a guess to make.
            Some(_) if l.external_elsewhere.is_some() => {
                left.push(n);
                continue;
            }
            Some(None) => {
                left.push(n);
                continue;
            }
            Some(Some(new)) => new,
        };
        let r = &l.reference;
        if let Some(slot) = r.path.get_mut(&mut objects[l.from].value) {
            *slot = Value::String(format!("{}{new}", r.prefix));
        }
    }
    rewrite_rbac(objects, &rbac, new_names);
    left
}

/// `resourceNames` entries become every versioned name they stand for: a
/// Role's in its own namespace; a ClusterRole's (not namespaced) in all.
fn rewrite_rbac(objects: &mut [Object], links: &[&Link], new_names: &[Option<String>]) {
    // (object, path of the resourceNames list) -> element index -> its new
    // names (maps and sets throughout: a list may hold 300,000 names).
    let mut edits: BTreeMap<(usize, String), BTreeMap<usize, Vec<&str>>> = BTreeMap::new();
    // Elements that keep their original name as well: something it may
    // stand for (the other kind, or, for a ClusterRole, another namespace)
    // is not renamed, and its access must not be lost.
    let mut keep: HashSet<(usize, String, usize)> = HashSet::new();
    // The new names, each set once per list, at the first element that
    // names it: a name listed n times over n namespaces would otherwise
    // hold n x n strings (6,000: 2 GB) only for the list to drop repeats.
    let mut done: HashSet<(usize, String, *const [usize])> = HashSet::new();
    // Each shared target list's new names, and whether all are renamed.
    let mut renamed: HashMap<*const [usize], (Vec<&str>, bool)> = HashMap::new();
    for l in links {
        let Some(Seg::Index(idx)) = l.reference.path.0.last() else { continue };
        let list_path = l.reference.path.parent().to_string();
        let key = std::sync::Arc::as_ptr(&l.to);
        let (news, all) = renamed.entry(key).or_insert_with(|| {
            crate::work::add(crate::work::Site::RbacRewrite, l.to.len() as u64);
            let news: Vec<&str> = l.to.iter().filter_map(|&t| new_names[t].as_deref()).collect();
            let all = news.len() == l.to.len();
            (news, all)
        });
        if news.is_empty() || l.namespace.is_none() || !*all {
            keep.insert((l.from, list_path.clone(), *idx));
        }
        if news.is_empty() {
            continue;
        }
        let list = edits.entry((l.from, list_path.clone())).or_default();
        let names = list.entry(*idx).or_default();
        if done.insert((l.from, list_path, key)) {
            crate::work::add(crate::work::Site::RbacRewrite, news.len() as u64);
            names.extend(news.iter().copied());
        }
    }
    for l in links {
        let list_path: FieldPath = l.reference.path.parent();
        let (from, list_key) = (l.from, list_path.to_string());
        let Some(changes) = edits.remove(&(from, list_key.clone())) else { continue };
        let Some(Value::Array(items)) = list_path.get_mut(&mut objects[from].value) else { continue };
        let mut out: Vec<Value> = Vec::new();
        let mut names: HashSet<String> = HashSet::new();
        // The names each changed element brings, before they are deduplicated:
        // without the dedup above, this is what would grow quadratically.
        crate::work::add(crate::work::Site::RbacRewrite, changes.values().map(Vec::len).sum::<usize>() as u64);
        for (i, item) in std::mem::take(items).into_iter().enumerate() {
            match changes.get(&i) {
                Some(news) => {
                    if keep.contains(&(from, list_key.clone(), i)) {
                        if let Some(s) = item.as_str() {
                            names.insert(s.to_string());
                        }
                        out.push(item);
                    }
                    for n in news {
                        if names.insert((*n).to_string()) {
                            out.push(Value::String((*n).to_string()));
                        }
                    }
                }
                None => {
                    if let Some(s) = item.as_str() {
                        names.insert(s.to_string());
                    }
                    out.push(item);
                }
            }
        }
        crate::work::add(crate::work::Site::RbacRewrite, out.len() as u64);
        *items = out;
    }
}
