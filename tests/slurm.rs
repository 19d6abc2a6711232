//! A sweep on a real Slurm: `tests/slurm/cluster.sh` starts a one-node cluster (munged,
//! slurmctld, slurmd; Debian's slurm-wlm and munge, which `.ci/deps` installs), the sweep's
//! `sweep.sbatch` is submitted as a 4-task array and waited for, and its collected table must
//! equal `sweep run --jobs N` of the same manifest. A cluster that cannot start fails the test
//! with the reason; it never passes silently.

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
fn a_sweep_run_as_a_slurm_array_collects_to_the_same_table_as_a_local_run() {
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

    let o = Command::new(BIN)
        .args(["sweep", "slurm"])
        .arg(&on_cluster)
        .args(["--mem", "500M", "--time", "10"])
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", text(&o));
    let script_path = dir.join("cluster").join("sweep.sbatch");
    let o = Command::new("sbatch")
        .arg("--wait")
        .arg(&script_path)
        .env("SLURM_CONF", &conf)
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(
        o.status.success(),
        "the array failed: {}; task logs: {:?}",
        text(&o),
        std::fs::read_dir(dir.join("cluster/logs"))
            .map(|d| d
                .filter_map(|e| std::fs::read_to_string(e.ok()?.path()).ok())
                .collect::<Vec<_>>())
            .unwrap_or_default()
    );
    let o = Command::new(BIN)
        .args(["sweep", "collect"])
        .arg(dir.join("cluster"))
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", text(&o));

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
}
