//! Property: for any seed and size, every authoritative hole in truth.json,
//! applied to the restored server's view, gives exactly the evidence's list;
//! and every non-authoritative scope has an empty (unknowable) hole.

use std::collections::BTreeMap;
use std::path::Path;

use msmail::dirsync::read_stream;
use msmail::generate::scenario::{generate_restore, PeerLists, Truth};
use msmail::generate::world::WorldParams;
use msmail::model::{Address, Directory, Entry, Scope};
use msmail::source::{load_directory, LoadOptions};
use msmail::tree::PostOffice;
use proptest::prelude::*;

fn server_view(server: &Path, scope: &Scope) -> Directory {
    let po = PostOffice::open(server, &LoadOptions::default()).unwrap();
    let (net, name) = scope.network_postoffice().unwrap();
    let base = if po.data.network == net && po.data.postoffice == name {
        po.pol()
    } else {
        po.usr_list(net, name).unwrap()
    };
    let mut all: Directory = base.iter().cloned().collect();
    let bytes = std::fs::read(server.join("GLB/MSTTRANS.GLB")).unwrap();
    read_stream(&bytes, "MSTTRANS.GLB", false)
        .unwrap()
        .apply_to(&mut all, "MSTTRANS.GLB")
        .unwrap();
    all.in_scope(scope).into_iter().cloned().collect()
}

/// Entries of gateway node lists hosted by the postoffice of `scope` (XTN
/// route naming it), and the server's excluded ADMIN: in truth's counts,
/// not in a PCM scope's view.
fn extra(server: &Path, scope: &Scope, is_server: bool) -> usize {
    let po = PostOffice::open(server, &LoadOptions::default()).unwrap();
    let (_, name) = scope.network_postoffice().unwrap();
    let hosted: usize = po
        .data
        .networks
        .iter()
        .filter(|n| n.kind == 2)
        .flat_map(|n| n.postoffices.iter())
        .filter(|x| x.route.eq_ignore_ascii_case(name))
        .map(|x| x.entries.len())
        .sum();
    hosted + usize::from(is_server)
}

fn names(d: &Directory) -> BTreeMap<String, (String, usize)> {
    d.iter()
        .map(|e| (e.key().0, (e.full_name.to_string(), e.template.len())))
        .collect()
}

fn check(out: &Path, truth: &Truth, peer_lists: PeerLists) {
    let server = out.join("server");
    for p in &truth.postoffices {
        let scope = Scope::parse(&p.scope).unwrap();
        let mut view = server_view(&server, &scope);
        let extra = extra(&server, &scope, p.evidence_form == "server-tree");
        assert_eq!(view.len() + extra, p.server_entries, "{scope}");
        if !p.authoritative {
            assert!(p.missing_adds.is_empty() && p.missing_deletes.is_empty());
            assert!(p.modified.is_empty());
            assert_eq!(p.merged_entries, p.server_entries);
            continue;
        }
        let path = out.join(p.evidence_path.as_deref().unwrap());
        let evidence = if p.evidence == "tree" {
            PostOffice::open(&path, &LoadOptions::default())
                .unwrap()
                .pol()
        } else {
            load_directory(&path, &LoadOptions::default())
                .unwrap()
                .directory
        };
        let want: Directory = evidence.in_scope(&scope).into_iter().cloned().collect();
        for e in &p.missing_deletes {
            let a = Address::parse(&e.address).unwrap();
            assert!(view.remove(&a.key()).is_some());
        }
        for e in &p.missing_adds {
            let a = Address::parse(&e.address).unwrap();
            let full = want
                .get(&a.key())
                .cloned()
                .unwrap_or_else(|| Entry::new(&e.full_name, a));
            assert!(view.upsert(full).is_none());
        }
        for e in &p.modified {
            let a = Address::parse(&e.address).unwrap();
            assert_eq!(view.get(&a.key()).unwrap().full_name, e.server_full_name);
            let new = want.get(&a.key()).unwrap().clone();
            assert_eq!(new.full_name, e.full_name);
            view.upsert(new);
        }
        assert_eq!(names(&view), names(&want), "{scope} ({peer_lists:?})");
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 10, ..ProptestConfig::default() })]
    #[test]
    fn truth_agrees_with_evidence(seed in any::<u64>(), pos in 2usize..12, users in 4usize..16, all in any::<bool>()) {
        let t = tempfile::tempdir().unwrap();
        let out = t.path().join("r");
        let peer_lists = if all { PeerLists::All } else { PeerLists::Server };
        let params = WorldParams { postoffices: pos, users, seed };
        let (_, truth) = generate_restore(&out, params, peer_lists, None, false).unwrap();
        prop_assert_eq!(truth.postoffices.len(), pos);
        check(&out, &truth, peer_lists);
    }
}
