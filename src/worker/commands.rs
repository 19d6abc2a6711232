//! What the worker does with each [`Command`]: play, pause, step, ε target, settings applied
//! to the run or restarting it, HRTA, diagnostics and operator requests, checkpoints, reset —
//! one arm per command, each calling the session's façade or the worker's own helpers.

use std::time::Instant;

use super::{Command, Event, Worker, operator_input, save_checkpoint};

impl Worker {
    pub(super) fn handle(&mut self, command: Command) {
        match command {
            Command::Play => {
                if self.session.end_reason().is_some() {
                    // A finished run continues with a fresh stopping state.
                    let config = self.session.config().clone();
                    self.session.reconfigure(config);
                }
                self.running = true;
                self.last_snapshot = Instant::now();
                self.steps_at_snapshot = self.session.state().step;
            }
            Command::Pause => {
                self.running = false;
                self.dirty = true;
            }
            Command::Step => {
                if self.session.end_reason().is_some() {
                    let config = self.session.config().clone();
                    self.session.reconfigure(config);
                }
                self.step();
                self.dirty = true;
            }
            Command::Reset => {
                let config = self.session.config().clone();
                self.rebuild(config);
                self.dirty = true;
                self.push(Event::Config(Box::new(self.session.config().clone())));
            }
            Command::SetEpsTarget(eps) => {
                if !(eps.is_finite() && eps > 0.0) {
                    self.error(format!("ε must be > 0 (got {eps})"));
                    return;
                }
                self.session.set_eps_target(eps);
                self.dirty = true;
            }
            Command::SetStrategy(strategy) => {
                let mut config = self.session.config().clone();
                config.strategy = *strategy;
                self.apply_config(config);
            }
            Command::SetSchedule(schedule) => {
                let mut config = self.session.config().clone();
                config.strategy.schedule = schedule;
                self.apply_config(config);
            }
            Command::SetHrta(hrta) => {
                let mut config = self.session.config().clone();
                config.hrta = *hrta;
                self.apply_config(config);
            }
            Command::ApplyConfig(config) => self.apply_config(*config),
            Command::SetLectureLocks(lecture) => self.session.set_lecture(lecture),
            Command::LoadConfig(config) => {
                if let Err(e) = config.validate() {
                    self.error(format!("configuration rejected: {e}"));
                    return;
                }
                self.rebuild(*config);
                self.dirty = true;
                self.push(Event::Config(Box::new(self.session.config().clone())));
            }
            Command::RequestDiagnostics => self.diagnose_now(),
            Command::RequestStageDiagnostics { step, theta, eps } => {
                match self.session.spectral_report_at(&theta, eps) {
                    Some(Ok(report)) => {
                        let residual_x = self.residual_x();
                        self.push(Event::StageDiagnostics {
                            step,
                            report: Box::new(report),
                            residual_x,
                        });
                    }
                    Some(Err(e)) => self.error(format!("diagnostics of the stage failed: {e}")),
                    None => self.error(
                        "that stage's parameters do not fit the present network (it was changed \
                         since); scrub to a stage of this run"
                            .into(),
                    ),
                }
            }
            Command::NewOperatorInput => {
                self.draws += 1;
                match operator_input::InputProbe::draw(&self.session, self.draws) {
                    Some(probe) => {
                        self.probe = Some(probe);
                        self.answer_probe();
                    }
                    None => self.error(
                        "New input applies to an operator problem (burgers_operator); this one learns a single solution".into(),
                    ),
                }
            }
            Command::SetOperatorInput(sensors) => {
                self.probe = Some(operator_input::InputProbe::given(
                    sensors,
                    "the input drawn with the mouse".into(),
                ));
                self.answer_probe();
            }
            Command::ClearOperatorInput => self.probe = None,
            Command::AnswerOperatorInputAt { step, theta, eps } => {
                if let Some(probe) = self.probe.as_mut() {
                    match probe.evaluate_at(&self.session, &theta, eps, step) {
                        Ok(answer) => self.push(Event::OperatorInputAt(Box::new(answer))),
                        Err(e) => self.error(format!("the shown input at that stage: {e}")),
                    }
                }
            }
            Command::RequestSweep => match self.session.operator_sweep() {
                Some(sweep) => self.push(Event::Sweep {
                    points: sweep.points,
                    current: sweep.current,
                }),
                None => self.error(format!(
                    "{} defines no discrete operator D_ε on these points",
                    self.session.problem().kind().label()
                )),
            },
            Command::SaveCheckpoint(path) => {
                match save_checkpoint(&path, &self.session.checkpoint()) {
                    Ok(()) => self.push(Event::Checkpoint(format!(
                        "saved checkpoint {}",
                        path.display()
                    ))),
                    Err(e) => self.error(format!("{e:#}")),
                }
            }
            Command::LoadCheckpoint(path) => self.load_checkpoint(&path),
            Command::Shutdown => {}
        }
    }
}
