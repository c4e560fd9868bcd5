using System.Diagnostics;
using GpuCascade.Kernels;
using GpuCascade.Scenarios;
using ILGPU;
using ILGPU.Backends;
using ILGPU.Backends.EntryPoints;
using ILGPU.Backends.OpenCL;
using ILGPU.Backends.PTX;
using ILGPU.Runtime;
using ILGPU.Runtime.Cuda;
using ILGPU.Runtime.OpenCL;

namespace GpuCascade.Backends.Ilgpu;

/// <summary>
/// Compiles the path kernel with no GPU present: PTX for an NVIDIA architecture (ILGPU.Algorithms' math, or libdevice
/// where a CUDA toolkit is installed) and OpenCL C 2.0 source. The tests run it so that a kernel ILGPU cannot compile
/// fails CI on a machine without a GPU; <see cref="Assemble"/> runs the PTX where a ptxas is installed and reports
/// registers and spills.
/// </summary>
public static class OfflineCompiler
{
    /// <summary>PTX ISA 7.8: the newest that CUDA 11.8's ptxas (Debian's nvidia-cuda-toolkit) accepts, and enough for sm_90.</summary>
    public static readonly CudaInstructionSet InstructionSet = new(7, 8);

    /// <summary>The path kernel as PTX for <paramref name="architecture"/>.</summary>
    /// <param name="architecture">For example <see cref="CudaArchitecture.SM_80"/> or <see cref="CudaArchitecture.SM_90"/>.</param>
    /// <param name="precision">The kernel's precision.</param>
    /// <param name="libDevice">Compile Math.* with NVIDIA's libdevice (needs <see cref="CudaToolkit.LibDevice"/>); else ILGPU.Algorithms' routines.</param>
    public static string Ptx(CudaArchitecture architecture, Precision precision, bool libDevice = false)
    {
        NvvmAPI? nvvm = null;
        if (libDevice)
        {
            var (nvvmPath, bitcode) = CudaToolkit.LibDevice() ?? throw new InvalidOperationException("no CUDA toolkit with libdevice found");
            nvvm = NvvmAPI.Create(nvvmPath, bitcode);
        }
        using var context = Context.Create(builder => builder.EnableAlgorithms());
        // The backend disposes the NVVM API it was given.
        using var backend = new PTXBackend(context, new CudaCapabilityContext(architecture), architecture, InstructionSet, nvvm);
        var compiled = (PTXCompiledKernel)backend.Compile(Entry(precision), KernelSpecialization.Empty);
        return compiled.PTXAssembly;
    }

    /// <summary>The path kernel as OpenCL C 2.0 source (the dialect of a device with generic address space and fp64).</summary>
    public static string OpenClSource(Precision precision)
    {
        using var context = Context.Create(builder => builder.EnableAlgorithms());
        var capabilities = new CLCapabilityContext(false, true, true, false, false);
        using var backend = new CLBackend(context, capabilities, CLDeviceVendor.Other, CLCVersion.CL20);
        return ((CLCompiledKernel)backend.Compile(Entry(precision), KernelSpecialization.Empty)).Source;
    }

    private static EntryPointDescription Entry(Precision precision) =>
        EntryPointDescription.FromImplicitlyGroupedKernel(typeof(PathKernels).GetMethod(
            precision == Precision.Single ? nameof(PathKernels.SimulateSingle) : nameof(PathKernels.SimulateDouble))!);

    /// <summary>
    /// Assembles <paramref name="ptx"/> for <paramref name="arch"/> (for example "sm_90") with <paramref name="ptxas"/> and
    /// returns its resource report ("Used 230 registers, ... bytes spill stores ..."). Throws when ptxas rejects the PTX.
    /// </summary>
    public static string Assemble(string ptxas, string ptx, string arch)
    {
        string file = Path.Combine(Path.GetTempPath(), $"gpucascade-{Guid.NewGuid():N}.ptx");
        File.WriteAllText(file, ptx);
        try
        {
            var start = new ProcessStartInfo(ptxas, ["-arch=" + arch, "-v", "-o", "/dev/null", file])
            {
                RedirectStandardError = true,
                RedirectStandardOutput = true,
            };
            using var process = Process.Start(start)!;
            string output = process.StandardOutput.ReadToEnd() + process.StandardError.ReadToEnd();
            process.WaitForExit();
            if (process.ExitCode != 0) throw new InvalidOperationException($"ptxas -arch={arch} failed ({process.ExitCode}): {output}");
            return output;
        }
        finally
        {
            File.Delete(file);
        }
    }
}
