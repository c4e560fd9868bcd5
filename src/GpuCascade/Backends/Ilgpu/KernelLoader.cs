using System.Reflection;
using System.Text.RegularExpressions;
using ILGPU;
using ILGPU.Backends;
using ILGPU.Backends.EntryPoints;
using ILGPU.Backends.OpenCL;
using ILGPU.Backends.PTX;
using ILGPU.Runtime;
using GpuCascade.Paths;

namespace GpuCascade.Backends.Ilgpu;

/// <summary>
/// Loads an implicitly grouped kernel on an accelerator with every floating-point operation rounded as written, as the
/// managed backend computes. ILGPU emits PTX <c>add/sub/mul.f64</c> without a rounding modifier, which lets ptxas and the
/// driver fuse a multiply and an add into one FMA (one rounding instead of two), and OpenCL C allows the same by default;
/// ILGPU has no switch for it. So the kernel is compiled by the accelerator's own backend, the code is rewritten
/// (<see cref="NoContractionPtx"/>, <see cref="NoContractionOpenCl"/>) and the result is loaded. ILGPU's CPU accelerator
/// runs .NET code, which never contracts: its compiled kernel is loaded as it is.
/// </summary>
internal static partial class KernelLoader
{
    /// <summary>The kernel <paramref name="method"/> as a launcher <c>(stream, extent, arguments...)</c>.</summary>
    /// <remarks>Every accelerator takes the same steps (compile, rewrite, load, bind), so the tests on ILGPU's CPU
    /// accelerator exercise the sequence a GPU uses; only the rewrite itself is a no-op there (IL is not contracted).</remarks>
    public static TDelegate Load<TDelegate>(Accelerator accelerator, MethodInfo method) where TDelegate : Delegate
    {
        var entry = EntryPointDescription.FromImplicitlyGroupedKernel(method);
        var compiled = accelerator.GetBackend().Compile(entry, KernelSpecialization.Empty);
        MakeStrict(compiled);
        return accelerator.LoadAutoGroupedKernel(compiled).CreateLauncherDelegate<TDelegate>();
    }

    /// <summary>
    /// Rewrites the code of <paramref name="compiled"/> in place (PTX or OpenCL C). ILGPU 1.5 offers no constructor for a
    /// compiled kernel with other code, so its code property's backing field is set; a later ILGPU without that field is
    /// refused loudly rather than run with contraction (tested offline in OfflineCompilationTests).
    /// </summary>
    public static void MakeStrict(CompiledKernel compiled)
    {
        switch (compiled)
        {
            case PTXCompiledKernel ptx:
                SetCode(ptx, "<PTXAssembly>k__BackingField", NoContractionPtx(ptx.PTXAssembly));
                break;
            case CLCompiledKernel cl:
                SetCode(cl, "<Source>k__BackingField", NoContractionOpenCl(cl.Source));
                break;
        }
    }

    private static void SetCode(CompiledKernel compiled, string field, string code)
    {
        var backing = compiled.GetType().GetField(field, BindingFlags.Instance | BindingFlags.NonPublic)
                      ?? throw new DeviceException($"ILGPU {typeof(Context).Assembly.GetName().Version}: {compiled.GetType().Name} has no " +
                                                   $"field {field}, so its code cannot be made free of contraction (KernelLoader)");
        backing.SetValue(compiled, code);
    }

    /// <summary>
    /// PTX with every <c>add</c>, <c>sub</c> and <c>mul</c> on f32 and f64 given the explicit round-to-nearest modifier
    /// (<c>mul.f64</c> becomes <c>mul.rn.f64</c>): PTX never fuses an instruction that carries a rounding modifier into an
    /// FMA, so each rounds once, as written. The results are otherwise the same instructions.
    /// </summary>
    public static string NoContractionPtx(string ptx) => BareArithmetic().Replace(ptx, "$1.rn$2$3.f$4");

    /// <summary>OpenCL C with contraction off for the whole program (OpenCL C allows it by default).</summary>
    public static string NoContractionOpenCl(string source) => "#pragma OPENCL FP_CONTRACT OFF\n" + source;

    /// <summary>add/sub/mul on f32 or f64 with no rounding modifier (ftz and sat may follow the opcode).</summary>
    [GeneratedRegex(@"\b(add|sub|mul)((?:\.ftz)?)((?:\.sat)?)\.f(32|64)\b")]
    internal static partial Regex BareArithmetic();
}
