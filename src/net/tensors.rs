//! Moving values between the host and burn tensors: a host vector as a 1-D tensor on a
//! device, and a tensor read back as f64 (the error names what the device said).

use burn::tensor::{Device, Tensor, TensorData};

/// A host vector as a 1-D tensor on `device` (cast to the device's float type).
pub fn vec_tensor(v: Vec<f64>, device: &Device) -> Tensor<1> {
    let n = v.len();
    Tensor::from_data(TensorData::new(v, [n]), device)
}

/// A tensor's values as f64 on the host.
pub fn host_vec<const D: usize>(t: Tensor<D>) -> Result<Vec<f64>, String> {
    t.try_into_vec_as::<f64>().map_err(|e| format!("{e:?}"))
}
