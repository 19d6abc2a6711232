//! Sweeps and reproductions on a real Slurm: `tests/slurm/cluster.sh` starts a one-node
//! cluster (munged, slurmctld, slurmd; Debian's slurm-wlm and munge, which `.ci/deps`
//! installs); a sweep (a 4-task array) and `reproduce bu` (a 5-task array, one per cell) are
//! submitted with the commands `sweep slurm` and `reproduce --slurm` print, each with its
//! collect job chained after the array; the collected table must equal `sweep run --jobs N`
//! of the same manifest, and the page `reproduce bu --jobs N` on this machine. A cluster that
//! cannot start fails the test with the reason; it never passes silently.

use std::path::Path;
use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_homotopy-explorer");

mod common;

/// Stops the cluster however the test ends.
struct Cluster<'a>(&'a Path);

impl Drop for Cluster<'_> {
    fn drop(&mut self) {
        let _ = Command::new(script()).arg("stop").arg(self.0).output();
    }
}

fn script() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/slurm/cluster.sh")
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// The sweep table without its seconds column (wall time differs between machines and runs).
fn table_without_seconds(path: &Path) -> Vec<Vec<String>> {
    let mut r = csv::Reader::from_path(path).unwrap();
    let header = r.headers().unwrap().clone();
    let skip = header.iter().position(|h| h == "seconds").unwrap();
    r.records()
        .map(|rec| {
            rec.unwrap()
                .iter()
                .enumerate()
                .filter(|(i, _)| *i != skip)
                .map(|(_, v)| v.to_string())
                .collect()
        })
        .collect()
}

#[test]
fn sweeps_and_reproductions_run_as_slurm_arrays_collect_to_the_same_tables_as_local_runs() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    std::fs::write(dir.join("short.toml"), common::short_ac1(40, 20)).unwrap();
    let manifest = |name: &str, out: &str| {
        let path = dir.join(name);
        std::fs::write(
            &path,
            format!(
                "version = 1\nname = \"tiny\"\npresets = [\"short.toml\"]\nseeds = [0, 1]\nout = \"{}\"\n[[axis]]\nkey = \"problem.eps\"\nvalues = [0.1, 0.05]\n",
                dir.join(out).display()
            ),
        )
        .unwrap();
        path
    };
    let on_cluster = manifest("cluster.toml", "cluster");
    let local = manifest("local.toml", "local");

    let state = dir.join("slurm");
    let started = Command::new(script())
        .arg("start")
        .arg(&state)
        .output()
        .unwrap();
    let _cluster = Cluster(&state);
    assert!(
        started.status.success(),
        "the one-node Slurm cluster did not start: {}",
        text(&started)
    );
    let conf = state.join("slurm.conf");

    // Both arrays and their collect jobs, submitted as the commands printed say.
    let presets = common::quick_bu_presets(dir);
    let bu_args = |out: &str| {
        vec![
            "reproduce".to_string(),
            "bu".into(),
            "--seeds".into(),
            "1".into(),
            "--presets".into(),
            presets.display().to_string(),
            "--out".into(),
            dir.join(out).display().to_string(),
        ]
    };
    let mut sweep_slurm = vec!["sweep".to_string(), "slurm".into()];
    sweep_slurm.push(on_cluster.display().to_string());
    let mut bu_slurm = bu_args("bu-cluster");
    bu_slurm.push("--slurm".into());
    for args in [sweep_slurm, bu_slurm] {
        let o = Command::new(BIN)
            .args(&args)
            .args(["--mem", "500M", "--time", "10"])
            .current_dir(dir)
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", text(&o));
        let submit = String::from_utf8_lossy(&o.stdout)
            .lines()
            .find_map(|l| l.trim().starts_with("jobid=").then(|| l.trim().to_string()))
            .unwrap_or_else(|| panic!("no submit command printed: {}", text(&o)));
        let o = Command::new("bash")
            .args(["-c", &submit])
            .env("SLURM_CONF", &conf)
            .current_dir(dir)
            .output()
            .unwrap();
        assert!(o.status.success(), "`{submit}` failed: {}", text(&o));
    }
    // Wait until the queue is empty: both arrays and both collect jobs have ended.
    let logs = || {
        ["cluster/logs", "bu-cluster/logs"]
            .iter()
            .filter_map(|d| std::fs::read_dir(dir.join(d)).ok())
            .flatten()
            .filter_map(|e| {
                let p = e.ok()?.path();
                Some(format!(
                    "{}: {}",
                    p.display(),
                    std::fs::read_to_string(&p).ok()?
                ))
            })
            .collect::<Vec<_>>()
    };
    let started = std::time::Instant::now();
    loop {
        let q = Command::new("squeue")
            .args(["-h", "-o", "%i %j %T"])
            .env("SLURM_CONF", &conf)
            .output()
            .unwrap();
        assert!(q.status.success(), "squeue failed: {}", text(&q));
        if q.stdout.iter().all(u8::is_ascii_whitespace) {
            break;
        }
        assert!(
            started.elapsed().as_secs() < 300,
            "the jobs did not end within 5 minutes: {}; logs: {:?}",
            String::from_utf8_lossy(&q.stdout),
            logs()
        );
        std::thread::sleep(std::time::Duration::from_millis(500));
    }
    for (page, folder) in [("sweep.md", "cluster"), ("reproduce.md", "bu-cluster")] {
        assert!(
            dir.join(folder).join(page).is_file(),
            "the collect job wrote no {folder}/{page}; logs: {:?}",
            logs()
        );
    }

    let jobs = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(2)
        .to_string();
    let o = Command::new(BIN)
        .args(["sweep", "run"])
        .arg(&local)
        .args(["--jobs", &jobs, "--quiet"])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", text(&o));

    let cluster_table = table_without_seconds(&dir.join("cluster/sweep.csv"));
    assert_eq!(cluster_table.len(), 4, "four tasks ran on the cluster");
    assert_eq!(
        cluster_table,
        table_without_seconds(&dir.join("local/sweep.csv"))
    );
    assert_eq!(
        std::fs::read_to_string(dir.join("cluster/sweep.md")).unwrap(),
        std::fs::read_to_string(dir.join("local/sweep.md")).unwrap()
    );

    let mut bu_local = bu_args("bu-local");
    bu_local.extend(["--jobs".into(), jobs, "--quiet".into()]);
    let o = Command::new(BIN).args(&bu_local).output().unwrap();
    assert!(o.status.success(), "{}", text(&o));
    assert_eq!(
        common::page_without_seconds(&dir.join("bu-cluster")),
        common::page_without_seconds(&dir.join("bu-local"))
    );
}
