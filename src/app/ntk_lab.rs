//! The NTK lab window's state: the sweep's settings, what it sweeps on (the run's problem or
//! one of the NTK paper's equations), the rows found so far, and the sweep itself on its own thread (rows stream in as (a, N) cells finish;
//! Stop ends it after the run in progress; a failure or panic becomes a message).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use crossbeam_channel::Receiver;

use crate::backend::ComputeDevice;
use crate::config::RunConfig;
use crate::lab::ntk::{self, LabSettings, NtkRow};
use crate::lab::ntk_pde::{self, PaperPde};

/// What the sweep thread reports.
enum LabMsg {
    Row(NtkRow),
    Finished(Result<(), String>),
}

/// A sweep in progress.
pub struct LabJob {
    rx: Receiver<LabMsg>,
    stop: Arc<AtomicBool>,
    pub total: usize,
    pub started: Instant,
}

/// What a sweep's rows were measured on.
#[derive(Clone, Debug, PartialEq)]
pub enum Subject {
    /// The run's problem through the engine: the lab's base run (width swept).
    Run(Box<RunConfig>),
    /// One of the NTK paper's equations, with the sweep's steps and rate.
    Paper {
        pde: PaperPde,
        steps: usize,
        lr: f64,
    },
}

impl Subject {
    /// One line for the results' heading.
    pub fn describe(&self) -> String {
        match self {
            Subject::Run(base) => format!(
                "{} at ε = {}, {} steps",
                base.problem.kind.label(),
                base.problem.eps,
                base.training.max_steps
            ),
            Subject::Paper { pde, steps, .. } => format!("{}, {steps} steps", pde.label()),
        }
    }
}

/// The lab: settings (widths and exponents as editable text), results, the running sweep.
pub struct NtkLab {
    pub open: bool,
    pub widths: String,
    pub exponents: String,
    /// Seeds, steps and rate (widths and exponents are parsed from the text on start).
    pub settings: LabSettings,
    pub rows: Vec<NtkRow>,
    /// What the next sweep runs on: the run's problem (`None`) or one of the paper's equations.
    pub pick: Option<PaperPde>,
    /// What the rows were measured on.
    pub measured: Option<Subject>,
    pub job: Option<LabJob>,
    /// Why the last start or sweep failed.
    pub error: Option<String>,
}

impl Default for NtkLab {
    fn default() -> Self {
        let settings = LabSettings::default();
        let join = |v: Vec<String>| v.join(", ");
        Self {
            open: false,
            widths: join(settings.widths.iter().map(|w| w.to_string()).collect()),
            exponents: join(settings.exponents.iter().map(|a| a.to_string()).collect()),
            settings,
            rows: Vec::new(),
            pick: None,
            measured: None,
            job: None,
            error: None,
        }
    }
}

impl NtkLab {
    pub fn running(&self) -> bool {
        self.job.is_some()
    }

    /// Cells finished in the running sweep (or the last one).
    pub fn done(&self) -> usize {
        self.rows.len()
    }

    /// Start a sweep on `run`'s problem or on the picked equation of the NTK paper; a bad
    /// setting or a problem the lab cannot run is kept in `error` and nothing starts.
    pub fn start(&mut self, run: &RunConfig, device: ComputeDevice, ctx: egui::Context) {
        if self.running() {
            return;
        }
        let parsed = super::parse_list::<usize>(&self.widths)
            .map_err(|e| format!("widths: {e}"))
            .and_then(|w| {
                super::parse_list::<f64>(&self.exponents)
                    .map_err(|e| format!("exponents a: {e}"))
                    .map(|a| (w, a))
            });
        let subject = parsed.and_then(|(widths, exponents)| {
            self.settings.widths = widths;
            self.settings.exponents = exponents;
            match self.pick {
                None => ntk::base_config(run, &self.settings).map(|b| Subject::Run(Box::new(b))),
                Some(pde) => self.settings.validate().map(|()| Subject::Paper {
                    pde,
                    steps: self.settings.steps,
                    lr: self.settings.lr,
                }),
            }
        });
        let subject = match subject {
            Ok(s) => s,
            Err(e) => {
                self.error = Some(e);
                return;
            }
        };
        self.error = None;
        self.rows.clear();
        self.measured = Some(subject.clone());
        let (tx, rx) = crossbeam_channel::unbounded();
        let stop = Arc::new(AtomicBool::new(false));
        let settings = self.settings.clone();
        let flag = stop.clone();
        std::thread::spawn(move || {
            let sweep = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                for &a in &settings.exponents {
                    for &width in &settings.widths {
                        let seeds = settings.seeds;
                        let cell = match &subject {
                            Subject::Run(base) => ntk::cell(base, a, width, seeds, &device, &flag),
                            Subject::Paper { pde, steps, lr } => {
                                ntk_pde::cell(*pde, a, width, (seeds, *steps, *lr), &flag)
                            }
                        };
                        match cell {
                            Ok(Some(row)) => {
                                let _ = tx.send(LabMsg::Row(row));
                                ctx.request_repaint();
                            }
                            Ok(None) => return Ok(()),
                            Err(e) => return Err(format!("a = {a}, N = {width}: {e:#}")),
                        }
                    }
                }
                Ok(())
            }))
            .unwrap_or_else(|panic| {
                Err(format!(
                    "the sweep stopped on an internal error: {}",
                    crate::backend::panic_message(&panic)
                ))
            });
            let _ = tx.send(LabMsg::Finished(sweep));
            ctx.request_repaint();
        });
        self.job = Some(LabJob {
            rx,
            stop,
            total: self.settings.cells(),
            started: Instant::now(),
        });
    }

    /// Ask the running sweep to stop after the run in progress.
    pub fn stop(&self) {
        if let Some(job) = &self.job {
            job.stop.store(true, Ordering::Relaxed);
        }
    }

    /// Take finished cells; returns a status-line message (is_error, text) when the sweep ends.
    pub fn poll(&mut self) -> Option<(bool, String)> {
        let job = self.job.as_ref()?;
        let mut finished = None;
        for msg in job.rx.try_iter() {
            match msg {
                LabMsg::Row(row) => self.rows.push(row),
                LabMsg::Finished(result) => finished = Some(result),
            }
        }
        let result = finished?;
        let (secs, total) = (job.started.elapsed().as_secs_f64(), job.total);
        let stopped = job.stop.load(Ordering::Relaxed);
        self.job = None;
        Some(match result {
            Err(e) => {
                self.error = Some(e.clone());
                (true, format!("NTK lab failed: {e}"))
            }
            Ok(()) if stopped && self.rows.len() < total => (
                false,
                format!(
                    "NTK lab stopped after {} of {total} cells ({secs:.0} s)",
                    self.rows.len()
                ),
            ),
            Ok(()) => (
                false,
                format!("NTK lab finished {total} cells in {secs:.0} s"),
            ),
        })
    }
}

impl Drop for NtkLab {
    /// Closing the explorer stops the sweep.
    fn drop(&mut self) {
        self.stop();
    }
}
