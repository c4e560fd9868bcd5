using System.Reflection;
using System.Text.RegularExpressions;
using GpuCascade.Backends.Ilgpu;
using GpuCascade.Scenarios;
using ILGPU.Algorithms;
using ILGPU.Runtime.Cuda;

namespace GpuCascade.Tests.Backends;

/// <summary>
/// The path kernel compiles for GPUs on a machine without one: PTX for sm_80 and sm_90 in both precisions (ILGPU's
/// PTX backend needs no driver), with libdevice where a CUDA toolkit is installed, assembled by ptxas where one is, and
/// OpenCL C 2.0 source. A kernel ILGPU cannot compile fails here, in CI, not on the first GPU it meets.
/// </summary>
public class OfflineCompilationTests
{
    private static IEnumerable<TestCaseData> Targets()
    {
        foreach (var arch in new[] { CudaArchitecture.SM_80, CudaArchitecture.SM_90 })
            foreach (var precision in new[] { Precision.Double, Precision.Single })
                yield return new TestCaseData(arch, precision).SetArgDisplayNames($"sm_{arch.Major}{arch.Minor}", precision.ToString().ToLowerInvariant());
    }

    [TestCaseSource(nameof(Targets))]
    public void PathKernelCompilesToPtx(CudaArchitecture arch, Precision precision)
    {
        string ptx = OfflineCompiler.Ptx(arch, precision);
        Assert.That(ptx, Does.Contain(".entry").And.Contain(".version 7.8"));
        // Double Math.Exp/Log/Sin/Cos become ILGPU.Algorithms' routines (functions), Math.Sqrt the rounded instruction.
        Assert.That(ptx, Does.Contain("sqrt.rn.f64"));
        Assert.That(Regex.IsMatch(ptx, @"\bfma\.rn\.f64"), Is.False, "ILGPU must not fuse the model's multiply-adds itself");
        // As a CUDA accelerator loads it: every add, sub and mul carries .rn, so ptxas cannot contract them.
        Assert.That(KernelLoader.BareArithmetic().Match(ptx).Value, Is.Empty);
        Assert.That(ptx, Does.Contain("mul.rn.f64").And.Contain("add.rn.f64"));
        if (precision == Precision.Single) Assert.That(ptx, Does.Contain(".f32"), "the fast mode holds its market state in float");
        TestContext.Out.WriteLine($"sm_{arch.Major}{arch.Minor} {precision}: {ptx.Length:N0} characters of PTX");
        Report(ptx, arch);
    }

    [Test]
    public void ASkipForMissingToolsNamesTheToolAndHowCiGetsIt()
    {
        string why = CudaToolsMissing("NVIDIA's ptxas");
        Assert.That(why, Does.StartWith("NVIDIA's ptxas not found (GPUCASCADE_CUDA_ROOT is "));
        Assert.That(why, Does.Contain(".ci/run gets them as root with '.ci/cuda-tools /opt/gpucascade-cuda'")
            .And.Contain("GPUCASCADE_CUDA_ROOT=/opt/gpucascade-cuda"));
        Assert.That(File.Exists(Path.Combine(Docs.DocsCodeTests.RepositoryRoot(), ".ci", "cuda-tools")), Is.True, "the script it names exists");
    }

    /// <summary>Why a test that needs NVIDIA's tools skipped: which tool is missing and how CI gets it.</summary>
    internal static string CudaToolsMissing(string what) =>
        $"{what} not found (GPUCASCADE_CUDA_ROOT is {(Environment.GetEnvironmentVariable("GPUCASCADE_CUDA_ROOT") is { Length: > 0 } root ? $"'{root}'" : "unset")}); " +
        ".ci/run gets them as root with '.ci/cuda-tools /opt/gpucascade-cuda' (unpacked from Debian's non-free nvidia-cuda-toolkit and " +
        "libnvvm4, nothing installed) and sets GPUCASCADE_CUDA_ROOT=/opt/gpucascade-cuda; do the same to run this test (docs/backends.md)";

    [TestCaseSource(nameof(Targets))]
    public void PathKernelCompilesToPtxWithLibDevice(CudaArchitecture arch, Precision precision)
    {
        if (CudaToolkit.LibDevice() is null)
            Assert.Ignore(CudaToolsMissing("NVIDIA's libnvvm and libdevice.10.bc"));
        string ptx = OfflineCompiler.Ptx(arch, precision, libDevice: true);
        Assert.That(ptx, Does.Contain(".entry"));
        TestContext.Out.WriteLine($"sm_{arch.Major}{arch.Minor} {precision} with libdevice: {ptx.Length:N0} characters of PTX");
        Report(ptx, arch);
    }

    /// <summary>Where a ptxas is installed, the PTX must assemble; registers and spills are reported.</summary>
    private static void Report(string ptx, CudaArchitecture arch)
    {
        if (CudaToolkit.Ptxas() is not { } ptxas) return;
        string report = OfflineCompiler.Assemble(ptxas, ptx, $"sm_{arch.Major}{arch.Minor}");
        var resources = OfflineCompiler.ParseResources(report);
        Assert.That(resources, Is.Not.Null, report);
        Assert.That(resources!.Registers, Is.InRange(1, 255));
        TestContext.Out.WriteLine($"sm_{arch.Major}{arch.Minor}: {resources}");
    }

    [TestCase("mul.f64 %fd3, %fd1, %fd2;", "mul.rn.f64 %fd3, %fd1, %fd2;")]
    [TestCase("add.f32 %f1, %f2, %f3;", "add.rn.f32 %f1, %f2, %f3;")]
    [TestCase("sub.ftz.f32 %f1, %f2, %f3;", "sub.rn.ftz.f32 %f1, %f2, %f3;")]
    [TestCase("mul.rn.f64 %fd3, %fd1, %fd2;", "mul.rn.f64 %fd3, %fd1, %fd2;")]
    [TestCase("fma.rn.f64 %fd4, %fd1, %fd2, %fd3;", "fma.rn.f64 %fd4, %fd1, %fd2, %fd3;")]
    [TestCase("mul.wide.u32 %rd1, %r1, %r2; add.s64 %rd2, %rd1, 1;", "mul.wide.u32 %rd1, %r1, %r2; add.s64 %rd2, %rd1, 1;")]
    [TestCase("div.rn.f64 %fd1, %fd2, %fd3;", "div.rn.f64 %fd1, %fd2, %fd3;")]
    public void OnlyUnroundedFloatArithmeticIsRewritten(string ptx, string expected) =>
        Assert.That(KernelLoader.NoContractionPtx(ptx), Is.EqualTo(expected));

    /// <summary>
    /// The machine code proves it: ptxas fuses ILGPU's own PTX for a*b + c into one DFMA, and the rewritten PTX into a
    /// DMUL and a DADD (two roundings, as .NET computes). Needs ptxas and cuobjdump (.ci/cuda-tools).
    /// </summary>
    [Test]
    public void RewrittenPtxIsNotContractedByPtxas()
    {
        string? ptxas = CudaToolkit.Ptxas(), cuobjdump = CudaToolkit.Cuobjdump();
        if (ptxas is null || cuobjdump is null)
        {
            Assert.Ignore(CudaToolsMissing(ptxas is null && cuobjdump is null ? "NVIDIA's ptxas and cuobjdump" : ptxas is null ? "NVIDIA's ptxas" : "NVIDIA's cuobjdump"));
            return;
        }
        string Sass(bool strict)
        {
            var probe = typeof(GpuCascade.Kernels.PathKernels).GetMethod(nameof(GpuCascade.Kernels.PathKernels.ContractionProbe))!;
            string ptx = OfflineCompiler.Ptx(probe, CudaArchitecture.SM_90, strict: strict);
            string cubin = Path.Combine(Path.GetTempPath(), $"gpucascade-{Guid.NewGuid():N}.cubin");
            try
            {
                OfflineCompiler.Assemble(ptxas, ptx, "sm_90", cubin);
                var start = new System.Diagnostics.ProcessStartInfo(cuobjdump, ["-sass", cubin]) { RedirectStandardOutput = true };
                start.Environment["NVDISASM_PATH"] = Path.GetDirectoryName(cuobjdump); // cuobjdump runs nvdisasm beside it
                using var process = System.Diagnostics.Process.Start(start)!;
                string sass = process.StandardOutput.ReadToEnd();
                process.WaitForExit();
                return sass;
            }
            finally
            {
                File.Delete(cubin);
            }
        }
        string raw = Sass(strict: false), strict = Sass(strict: true);
        Assert.That(raw, Does.Contain("DFMA"), "ILGPU's PTX as it comes is contracted (else this test proves nothing)");
        Assert.That(strict, Does.Not.Contain("DFMA"));
        Assert.That(strict, Does.Contain("DMUL").And.Contain("DADD"));
    }

    [Test]
    public void PtxasReportsAreParsedForTheEntryFunction()
    {
        const string report = """
            ptxas info    : 0 bytes gmem
            ptxas info    : Function properties for helper
                8 bytes stack frame, 4 bytes spill stores, 4 bytes spill loads
            ptxas info    : Compiling entry function 'Kernel_SimulateDouble' for 'sm_90'
            ptxas info    : Function properties for Kernel_SimulateDouble
                160 bytes stack frame, 0 bytes spill stores, 0 bytes spill loads
            ptxas info    : Used 99 registers, 848 bytes cmem[0], 144 bytes cmem[2]
            """;
        Assert.That(OfflineCompiler.ParseResources(report), Is.EqualTo(new KernelResources(99, 160, 0, 0)));
        Assert.That(OfflineCompiler.ParseResources("ptxas info : 0 bytes gmem"), Is.Null);
    }

    /// <summary>The per-cohort totals kernel (attribution) that every device runs after the path kernel.</summary>
    [Test]
    public void CohortTotalsKernelCompilesToPtx()
    {
        var kernel = typeof(GpuCascade.Kernels.PathKernels).GetMethod(nameof(GpuCascade.Kernels.PathKernels.CohortBlockTotals))!;
        string ptx = OfflineCompiler.Ptx(kernel, CudaArchitecture.SM_90);
        Assert.That(ptx, Does.Contain(".entry"));
        Assert.That(KernelLoader.BareArithmetic().Match(ptx).Value, Is.Empty);
        Report(ptx, CudaArchitecture.SM_90);
    }

    [TestCase(Precision.Double)]
    [TestCase(Precision.Single)]
    public void PathKernelCompilesToOpenClC(Precision precision)
    {
        string source = OfflineCompiler.OpenClSource(precision);
        Assert.That(source, Does.StartWith("#pragma OPENCL FP_CONTRACT OFF"));
        Assert.That(source, Does.Contain("kernel void"));
        Assert.That(source, Does.Contain("double"));
    }

    /// <summary>
    /// Without libdevice, ILGPU compiles double Math.Exp/Log/Sin/Cos on CUDA to ILGPU.Algorithms' software routines
    /// (XMath's CORDIC implementation, callable here). Their error against System.Math over 1e6 arguments each, in the
    /// ranges the model uses, is the stated bound of docs/backends.md: relative 1e-14 for exp and for log away from 1,
    /// absolute 1e-14 for sin, cos and log near 1 (where a relative error is meaningless: the value crosses zero).
    /// </summary>
    [Test]
    public void SoftwareMathRoutinesStayWithinTheirStatedError()
    {
        var cordic = typeof(XMath).GetNestedType("Cordic", BindingFlags.NonPublic)
                     ?? throw new AssertionException("ILGPU.Algorithms no longer has XMath.Cordic: re-measure the software math (docs/backends.md)");
        Func<double, double> F(string name) => cordic.GetMethod(name, BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static,
            null, [typeof(double)], null)!.CreateDelegate<Func<double, double>>();
        var rng = new Random(2026);
        const int count = 1_000_000;
        (long Ulp, double Relative, double Absolute) Measure(Func<double, double> f, Func<double, double> reference, double lo, double hi)
        {
            long ulp = 0;
            double relative = 0, absolute = 0;
            for (int i = 0; i < count; i++)
            {
                double x = lo + (hi - lo) * rng.NextDouble();
                double a = f(x), b = reference(x);
                absolute = Math.Max(absolute, Math.Abs(a - b));
                if (b != 0) relative = Math.Max(relative, Math.Abs(a - b) / Math.Abs(b));
                ulp = Math.Max(ulp, Math.Abs(BitConverter.DoubleToInt64Bits(a) - BitConverter.DoubleToInt64Bits(b)));
            }
            TestContext.Out.WriteLine($"[{lo:G4}, {hi:G4}]: max {ulp:N0} ulp, relative {relative:E2}, absolute {absolute:E2}");
            return (ulp, relative, absolute);
        }
        // exp of log prices and impact moves; Box-Muller's log of a uniform; the angle 2 pi u.
        Assert.That(Measure(F("Exp"), Math.Exp, -30, 30).Relative, Is.LessThan(1e-14), "exp");
        Assert.That(Measure(F("Log"), Math.Log, 1e-10, 0.5).Relative, Is.LessThan(1e-14), "log away from 1");
        Assert.That(Measure(F("Log"), Math.Log, 0.5, 1).Absolute, Is.LessThan(1e-14), "log near 1");
        Assert.That(Measure(F("Sin"), Math.Sin, 0, 2 * Math.PI).Absolute, Is.LessThan(1e-14), "sin");
        Assert.That(Measure(F("Cos"), Math.Cos, 0, 2 * Math.PI).Absolute, Is.LessThan(1e-14), "cos");
    }
}
