//! Unit tests of the synthetic world.

use super::*;

fn small() -> World {
    let mut w = World::new(WorldParams {
        postoffices: 5,
        users: 30,
        seed: 3,
    });
    w.history();
    w
}

#[test]
fn names_and_limits() {
    let w = small();
    let mut ten = 0;
    let mut thirty = 0;
    for po in &w.pos {
        assert!(po.name.len() <= 10 && po.network.len() <= 10);
        for e in po.list.iter() {
            assert!(e.limit_violations().is_empty(), "{e:?}");
            assert!(crate::codepage::is_cp850(&e.full_name));
            let mb = e.address.parts().unwrap().2;
            ten += usize::from(mb.len() == 10);
            thirty += usize::from(e.full_name.chars().count() == 30);
        }
    }
    assert!(ten > 0 && thirty > 0, "{ten} {thirty}");
    assert!(w.pos.iter().any(|p| !p.gateways.is_empty()));
    let nets: HashSet<&str> = w.pos.iter().map(|p| p.network.as_str()).collect();
    assert!(nets.len() >= 2);
}

#[test]
fn history_numbers_agree() {
    let w = small();
    assert_eq!(w.server.cycle, 4);
    for (p, po) in w.pos.iter().enumerate() {
        assert!(po.queue.is_empty());
        assert_eq!(po.reqsync, w.server.reqsync[p]);
        assert_eq!(po.srvsync, w.server.sync);
        assert_eq!(w.server.srvsync[p], w.server.sync);
    }
    let kept: Vec<u32> = w.kept_master().map(|t| t.sync).collect();
    assert!(!kept.is_empty());
    assert!(kept.windows(2).all(|p| p[1] == p[0] + 1));
    assert_eq!(kept.last().copied(), Some(w.server.sync));
    // Replaying the whole history rebuilds every list.
    let mut d = Directory::new();
    let mut fresh = World::new(w.params);
    fresh.initial_load();
    for po in &fresh.pos {
        for e in po.list.iter() {
            d.upsert(e.clone());
        }
    }
    for t in w.kept_master() {
        d.apply(t.op.clone());
    }
    for po in &w.pos {
        let got = d.in_scope(&po.scope());
        let want = po.list.in_scope(&po.scope());
        assert_eq!(got.len(), want.len());
        for (a, b) in got.iter().zip(&want) {
            assert!(a.same_content(b));
        }
    }
}

#[test]
fn same_seed_same_world() {
    let a = small();
    let b = small();
    for (x, y) in a.pos.iter().zip(&b.pos) {
        let xs: Vec<_> = x.list.sorted().into_iter().cloned().collect();
        let ys: Vec<_> = y.list.sorted().into_iter().cloned().collect();
        assert_eq!(xs, ys);
    }
}
