//! Benchmark: loading a generated postoffice tree (the server tree of a world).
//!
//! `cargo bench --bench tree -- [POSTOFFICES] [USERS]` (default 100 × 2,000,
//! about 210,000 entries; 500 × 2,000 is the 1,000,000-entry case). The tree is
//! written with `tree::write_tree` into a temporary folder.
//! `cargo bench --bench tree -- /path/to/MAILDATA` loads an existing tree
//! instead (e.g. the server tree of `msmail generate`). Timed:
//! `PostOffice::open`, `directory()`, one `usr_list()` per external postoffice
//! plus `pol()` (the reconcile access pattern), and `into_directory()` (what
//! `export` and `source::load_directory` use). Prints the peak RSS (VmHWM)
//! after each step; the RSS of the writing phase is printed first, so later
//! lines only grow above it when loading needs more.

use std::time::Instant;

use msmail::generate::trees::postoffice_data;
use msmail::generate::world::{World, WorldParams};
use msmail::source::LoadOptions;
use msmail::tree::{write_tree, PostOffice};

fn peak_rss_kib() -> Option<u64> {
    let s = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = s.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn report(what: &str, t: Instant) {
    println!(
        "{what:<44} {:>8.3} s   peak RSS {:>8} KiB",
        t.elapsed().as_secs_f64(),
        peak_rss_kib().unwrap_or(0)
    );
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    // An existing MAILDATA folder as argument: load it instead of generating.
    if let Some(tree) = args.iter().map(std::path::Path::new).find(|p| p.is_dir()) {
        load(tree);
        return;
    }
    let nums: Vec<usize> = args.iter().filter_map(|a| a.parse().ok()).collect();
    let postoffices = nums.first().copied().unwrap_or(100);
    let users = nums.get(1).copied().unwrap_or(2_000);
    let dir = tempfile::tempdir().expect("temp folder");
    let t = Instant::now();
    {
        let world = World::new(WorldParams {
            postoffices,
            users,
            seed: 1,
        });
        let view = |i: usize| world.pos.get(i).map(|p| &p.list);
        let own = &world.pos.first().expect("a postoffice").list;
        let data = postoffice_data(&world, 0, own, Some(&view));
        write_tree(&data, dir.path(), false).expect("write the tree");
    }
    report(
        &format!("generate + write_tree ({postoffices} x {users})"),
        t,
    );

    load(dir.path());
}

fn load(tree: &std::path::Path) {
    let opts = LoadOptions::default();
    let t = Instant::now();
    let po = PostOffice::open(tree, &opts).expect("open");
    report("PostOffice::open", t);
    let t = Instant::now();
    let d = po.directory();
    report(&format!("directory() ({} entries)", d.len()), t);
    drop(d);
    let t = Instant::now();
    let mut n = po.pol().len();
    for (scope, _) in po.external_postoffices() {
        if let Some((net, name)) = scope.network_postoffice() {
            n += po.usr_list(net, name).map_or(0, |l| l.len());
        }
    }
    report(&format!("pol() + every usr_list() ({n} entries)"), t);
    drop(po);

    let t = Instant::now();
    let po = PostOffice::open(tree, &opts).expect("open");
    let d = po.into_directory();
    report(&format!("open + into_directory() ({} entries)", d.len()), t);
}
