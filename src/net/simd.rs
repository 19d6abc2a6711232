//! Runtime dispatch of elementwise kernels to an AVX2+FMA build when the CPU has it.

/// Run `$body` compiled for AVX2+FMA when the CPU has it, else for the baseline target. The
/// elementwise loops vectorize 4-wide instead of 2-wide; results are deterministic per machine.
macro_rules! simd_dispatch {
    ($name:ident ( $($arg:ident : $ty:ty),* ) $body:block) => {
        #[inline(always)]
        fn generic($($arg: $ty),*) $body
        #[cfg(target_arch = "x86_64")]
        #[target_feature(enable = "avx2,fma")]
        unsafe fn avx2($($arg: $ty),*) { generic($($arg),*) }
        #[cfg(target_arch = "x86_64")]
        {
            if std::arch::is_x86_feature_detected!("avx2")
                && std::arch::is_x86_feature_detected!("fma")
            {
                // SAFETY: the CPU supports the features `avx2` was compiled for.
                return unsafe { avx2($($arg),*) };
            }
        }
        generic($($arg),*)
    };
}

pub(crate) use simd_dispatch;
