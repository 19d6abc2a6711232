//! Compute devices: burn Flex on the CPU in f64 (the default) and burn wgpu in f32 (opt-in),
//! both with autodiff. Asking for wgpu where no adapter exists is an error value, never a panic.

use burn::tensor::{Device, DeviceError, FloatDType};
use thiserror::Error;

use crate::config::BackendKind;

/// A device could not be made ready.
#[derive(Debug, Error, Clone, PartialEq)]
pub enum BackendError {
    #[error("no usable wgpu adapter: {0}")]
    NoAdapter(String),
    #[error("the CPU device is already configured with {0:?} floats, not f64")]
    WrongCpuPrecision(String),
}

/// A ready device and what it is.
#[derive(Clone, Debug)]
pub struct ComputeDevice {
    pub kind: BackendKind,
    /// Autodiff-enabled burn device.
    pub device: Device,
    /// Human-readable description (backend, precision).
    pub description: String,
}

/// The CPU device: burn Flex, f64 floats, autodiff on.
pub fn cpu() -> Result<ComputeDevice, BackendError> {
    let mut device = Device::flex();
    match device.configure(FloatDType::F64) {
        Ok(()) => {}
        Err(DeviceError::AlreadyInitialized { .. }) => {
            let dtype = device.settings().float_dtype;
            if dtype != FloatDType::F64 {
                return Err(BackendError::WrongCpuPrecision(format!("{dtype:?}")));
            }
        }
        Err(e) => return Err(BackendError::WrongCpuPrecision(e.to_string())),
    }
    Ok(ComputeDevice {
        kind: BackendKind::Cpu,
        device: device.autodiff(),
        description: "CPU (burn Flex, f64)".into(),
    })
}

/// The wgpu device (f32), or why there is none. Driver panics during adapter discovery are
/// caught and reported as [`BackendError::NoAdapter`].
pub fn wgpu() -> Result<ComputeDevice, BackendError> {
    let attempt = std::panic::catch_unwind(|| Device::wgpu_options().init());
    match attempt {
        Ok(Ok(device)) => Ok(ComputeDevice {
            kind: BackendKind::Wgpu,
            device: device.autodiff(),
            description: "GPU (burn wgpu, f32)".into(),
        }),
        Ok(Err(e)) => Err(BackendError::NoAdapter(e.to_string())),
        Err(panic) => Err(BackendError::NoAdapter(panic_message(&panic))),
    }
}

/// The device for a backend kind.
pub fn device_for(kind: BackendKind) -> Result<ComputeDevice, BackendError> {
    match kind {
        BackendKind::Cpu => cpu(),
        BackendKind::Wgpu => wgpu(),
    }
}

/// Text of a caught panic payload.
pub fn panic_message(payload: &Box<dyn std::any::Any + Send>) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "unknown panic".into()
    }
}
