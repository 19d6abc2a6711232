//! Labs: experiments that run many sessions and summarize them (the NTK lab's width × exponent
//! sweep), shared by the explorer's Labs menu and `reproduce`. Above `train` (they build
//! sessions) and `export` (they return figures).

pub mod ntk;
pub mod ntk_pde;
pub mod stiff;
