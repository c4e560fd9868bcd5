/* CUDA dialect of the GpuCascade kernels, compiled at run time by NVRTC with --fmad=false (no contraction into
   fused multiply-adds) and without fast-math, so results follow the managed reference operation by operation. */
#define KERNEL extern "C" __global__
#define GLOBAL
#define DEVICE_FN __device__ static
#define GLOBAL_ID ((long long)blockIdx.x * (long long)blockDim.x + (long long)threadIdx.x)
typedef unsigned int uint;
typedef unsigned long long ulong;
typedef long long int64;
