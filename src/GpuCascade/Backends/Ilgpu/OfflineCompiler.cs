using System.Diagnostics;
using System.Reflection;
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
internal static class OfflineCompiler
{
    /// <summary>PTX ISA 7.8: the newest that CUDA 11.8's ptxas (Debian's nvidia-cuda-toolkit) accepts, and enough for sm_90.</summary>
    public static readonly CudaInstructionSet InstructionSet = new(7, 8);

    /// <summary>The path kernel as PTX for <paramref name="architecture"/>.</summary>
    /// <param name="architecture">For example <see cref="CudaArchitecture.SM_80"/> or <see cref="CudaArchitecture.SM_90"/>.</param>
    /// <param name="precision">The kernel's precision.</param>
    /// <param name="libDevice">Compile Math.* with NVIDIA's libdevice (needs <see cref="CudaToolkit.LibDevice"/>); else ILGPU.Algorithms' routines.</param>
    public static string Ptx(CudaArchitecture architecture, Precision precision, bool libDevice = false) =>
        Ptx(PathKernel(precision), architecture, libDevice);

    /// <summary>
    /// The implicitly grouped kernel <paramref name="kernel"/> as PTX, as a CUDA accelerator loads it: with every add, sub
    /// and mul rounded as written (<see cref="KernelLoader.NoContractionPtx"/>) unless <paramref name="strict"/> is false.
    /// </summary>
    public static string Ptx(MethodInfo kernel, CudaArchitecture architecture, bool libDevice = false, bool strict = true)
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
        var compiled = (PTXCompiledKernel)backend.Compile(EntryPointDescription.FromImplicitlyGroupedKernel(kernel), KernelSpecialization.Empty);
        if (strict) KernelLoader.MakeStrict(compiled);
        return compiled.PTXAssembly;
    }

    /// <summary>The path kernel as OpenCL C 2.0 source (the dialect of a device with generic address space and fp64), as
    /// an OpenCL accelerator loads it (contraction off).</summary>
    public static string OpenClSource(Precision precision)
    {
        using var context = Context.Create(builder => builder.EnableAlgorithms());
        var capabilities = new CLCapabilityContext(false, true, true, false, false);
        using var backend = new CLBackend(context, capabilities, CLDeviceVendor.Other, CLCVersion.CL20);
        var compiled = (CLCompiledKernel)backend.Compile(EntryPointDescription.FromImplicitlyGroupedKernel(PathKernel(precision)), KernelSpecialization.Empty);
        KernelLoader.MakeStrict(compiled);
        return compiled.Source;
    }

    private static MethodInfo PathKernel(Precision precision) =>
        typeof(PathKernels).GetMethod(precision == Precision.Single ? nameof(PathKernels.SimulateSingle) : nameof(PathKernels.SimulateDouble))!;

    /// <summary>
    /// Assembles <paramref name="ptx"/> for <paramref name="arch"/> (for example "sm_90") with <paramref name="ptxas"/> and
    /// returns its resource report ("Used 230 registers, ... bytes spill stores ..."). Throws when ptxas rejects the PTX.
    /// </summary>
    public static string Assemble(string ptxas, string ptx, string arch, string? cubin = null)
    {
        string file = Path.Combine(Path.GetTempPath(), $"gpucascade-{Guid.NewGuid():N}.ptx");
        File.WriteAllText(file, ptx);
        try
        {
            var start = new ProcessStartInfo(ptxas, ["-arch=" + arch, "-v", "-o", cubin ?? "/dev/null", file])
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

    /// <summary>
    /// The entry function's resources from ptxas -v output: "Compiling entry function 'X'", then its "Function properties"
    /// (stack frame, spill stores and loads) and "Used N registers". Null when the output has no entry function.
    /// </summary>
    public static KernelResources? ParseResources(string ptxasOutput)
    {
        var lines = ptxasOutput.Split('\n');
        int entry = Array.FindIndex(lines, l => l.Contains("Compiling entry function", StringComparison.Ordinal));
        if (entry < 0) return null;
        int? registers = null, stack = null, spillStores = null, spillLoads = null;
        for (int i = entry + 1; i < lines.Length && registers is null; i++)
        {
            var frame = System.Text.RegularExpressions.Regex.Match(lines[i], @"(\d+) bytes stack frame, (\d+) bytes spill stores, (\d+) bytes spill loads");
            if (frame.Success && stack is null)
            {
                stack = int.Parse(frame.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
                spillStores = int.Parse(frame.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture);
                spillLoads = int.Parse(frame.Groups[3].Value, System.Globalization.CultureInfo.InvariantCulture);
            }
            var used = System.Text.RegularExpressions.Regex.Match(lines[i], @"Used (\d+) registers");
            if (used.Success) registers = int.Parse(used.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        }
        return registers is int r ? new KernelResources(r, stack ?? 0, spillStores ?? 0, spillLoads ?? 0) : null;
    }

    /// <summary>
    /// The path kernel's resources per thread on <paramref name="architecture"/> as ptxas reports them, or null when no
    /// ptxas is installed (<see cref="CudaToolkit.Ptxas"/>). ILGPU 1.5 has no API for a loaded kernel's attributes, so the
    /// kernel is compiled again offline, the same way (libdevice when the toolkit has it) and assembled.
    /// </summary>
    public static KernelResources? Resources(CudaArchitecture architecture, Precision precision)
    {
        if (CudaToolkit.Ptxas() is not { } ptxas) return null;
        string ptx = Ptx(architecture, precision, CudaToolkit.LibDevice() is not null);
        return ParseResources(Assemble(ptxas, ptx, $"sm_{architecture.Major}{architecture.Minor}"));
    }
}

/// <summary>A kernel's resources per thread, as ptxas reports them.</summary>
/// <param name="Registers">Registers per thread.</param>
/// <param name="StackBytes">Stack frame (local memory) in bytes.</param>
/// <param name="SpillStoreBytes">Bytes of register spill stores.</param>
/// <param name="SpillLoadBytes">Bytes of register spill loads.</param>
internal sealed record KernelResources(int Registers, int StackBytes, int SpillStoreBytes, int SpillLoadBytes)
{
    /// <inheritdoc/>
    public override string ToString() =>
        $"{Registers} registers, {StackBytes} B stack, {SpillStoreBytes} B spill stores, {SpillLoadBytes} B spill loads (ptxas)";
}
