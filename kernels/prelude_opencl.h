/* OpenCL C 1.2 dialect of the GpuCascade kernels. Double precision is required (cl_khr_fp64); no contraction
   into fused multiply-adds, so results follow the managed reference operation by operation. */
#pragma OPENCL EXTENSION cl_khr_fp64 : enable
#pragma OPENCL FP_CONTRACT OFF
#define KERNEL __kernel
#define GLOBAL __global
#define DEVICE_FN
#define GLOBAL_ID get_global_id(0)
typedef long int64;
