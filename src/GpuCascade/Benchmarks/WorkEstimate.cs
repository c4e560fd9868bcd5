using GpuCascade.Operations;
using GpuCascade.Paths;
using GpuCascade.Reporting;
using GpuCascade.Scenarios;

namespace GpuCascade.Benchmarks;

/// <summary>
/// A device's peak rates, for the floor of a run: floating-point operations per second in single and double
/// precision (non-tensor, fused multiply-add counted as two), and memory bandwidth in bytes per second.
/// </summary>
internal sealed record DevicePeak(string Source, double Fp32FlopsPerSecond, double Fp64FlopsPerSecond, double BytesPerSecond)
{
    /// <summary>
    /// NVIDIA's published peaks for the GPUs this project benchmarks on, by model name (as the CUDA driver or OpenCL
    /// reports it), or null for any other device: H100 SXM (67 / 34 TFLOP/s FP32 / FP64, 3.35 TB/s), H100 PCIe
    /// (51 / 26, 2.0 TB/s), H100 NVL (60 / 30, 3.9 TB/s), H200 SXM (67 / 34, 4.8 TB/s), H200 NVL (60 / 30, 4.8 TB/s).
    /// </summary>
    public static DevicePeak? ForModel(string model)
    {
        ArgumentNullException.ThrowIfNull(model);
        string m = model.ToUpperInvariant();
        if (m.Contains("GH200", StringComparison.Ordinal)) return null; // a superchip with its own memory figures
        if (m.Contains("H200", StringComparison.Ordinal))
            return m.Contains("NVL", StringComparison.Ordinal)
                ? new("H200 NVL (published)", 60e12, 30e12, 4.8e12)
                : new("H200 SXM (published)", 67e12, 34e12, 4.8e12);
        if (!m.Contains("H100", StringComparison.Ordinal)) return null;
        if (m.Contains("PCIE", StringComparison.Ordinal)) return new("H100 PCIe (published)", 51e12, 26e12, 2.0e12);
        if (m.Contains("NVL", StringComparison.Ordinal)) return new("H100 NVL (published)", 60e12, 30e12, 3.9e12);
        return new("H100 SXM (published)", 67e12, 34e12, 3.35e12);
    }

    /// <summary>
    /// Parses <c>FP32,FP64,BANDWIDTH</c> in TFLOP/s, TFLOP/s and TB/s (as <c>gpucascade bench --peak</c> takes it),
    /// e.g. <c>19.5,9.7,1.555</c> for an A100 40GB.
    /// </summary>
    /// <exception cref="FormatException">Not three positive numbers.</exception>
    public static DevicePeak Parse(string text)
    {
        var parts = text.Split(',', StringSplitOptions.TrimEntries);
        var values = new double[parts.Length];
        if (parts.Length != 3 || parts.Select((p, i) => double.TryParse(p, System.Globalization.NumberStyles.Float,
                System.Globalization.CultureInfo.InvariantCulture, out values[i]) && values[i] > 0 && double.IsFinite(values[i]))
            .Contains(false))
            throw new FormatException(
                $"expected FP32,FP64,BANDWIDTH as three positive numbers in TFLOP/s, TFLOP/s and TB/s (e.g. 67,34,3.35), got {Echo.Quote(text)}");
        return new("--peak", values[0] * 1e12, values[1] * 1e12, values[2] * 1e12);
    }
}

/// <summary>
/// The work of a run counted as floating-point operations and memory traffic, for the floor the benchmarks compare
/// against: max(operations / peak rate, bytes / bandwidth). Both counts are lower bounds of what the path kernel does,
/// so the floor is one too.
/// </summary>
/// <remarks>
/// <para>Operations: every floating-point add, multiply, divide, compare and conversion the kernel performs, each
/// transcendental (exp, log, sqrt, sin, cos) counted as <b>one</b> (the hardware spends tens of instructions on a
/// double-precision one), integer work (Philox, indexing) not at all. Per path-step: the exogenous move (normals,
/// the chi-square draw of Student-t shocks, the correlation, per asset the return, GARCH, impact decay, the prices and
/// running minima) and one screening bound; per margin check, the cohort's equity and requirement (7 per position,
/// 4 per collateral holding, 6 for the rest); per cohort liquidation, its flows and settlement (30, plus 13 per
/// position and 8 per collateral holding). The execution of a round's flows (per round, not per liquidation) and the
/// rounds' later screening bounds are not counted: the work counters do not count rounds.</para>
/// <para>Precision: the kernel's fast mode keeps the normals, the margin rates and checks, and all money in double;
/// only the log prices, the mids and their running minima (9 operations per asset and path-step) are in the precision
/// policy's type. <see cref="DoubleOperations"/> are the others, timed at the FP64 peak in either mode.</para>
/// <para>Bytes: per path, the outputs written and the implicit-state bit set cleared once; per cohort liquidation, the
/// cohort's state written and read back (80 bytes, with its attribution fields); with a delayed oracle, the history
/// written and read per step. The plan (read by every path alike) is counted once, as caches serve it; untouched
/// cohorts' state costs nothing (it is implicit: docs/model.md, "Screening").</para>
/// </remarks>
internal sealed record WorkEstimate(double Operations, double DoubleOperations, double Transcendentals, double Bytes)
{
    /// <summary>Operations per asset and path-step that follow the kernel's precision policy (IPrecision: single in the fast mode).</summary>
    internal const double RealOperationsPerAsset = 9;

    /// <summary>Operations of one margin check of an average cohort of <paramref name="plan"/>.</summary>
    internal static double OperationsPerCheck(SimulationPlan plan) =>
        6 + (7.0 * plan.PositionStart[^1] + 4.0 * plan.CollateralStart[^1]) / Math.Max(1, plan.CohortCount);

    /// <summary>Operations of one cohort liquidation of an average cohort of <paramref name="plan"/>.</summary>
    internal static double OperationsPerLiquidation(SimulationPlan plan) =>
        30 + (13.0 * plan.PositionStart[^1] + 8.0 * plan.CollateralStart[^1]) / Math.Max(1, plan.CohortCount);

    /// <summary>(operations, transcendentals) of one path-step's exogenous move and screening bound.</summary>
    internal static (double Operations, double Transcendentals) PerPathStep(SimulationPlan plan)
    {
        int n = plan.AssetCount;
        int groups = (n + 3) / 4;
        // Box-Muller per Philox call: 4 uniforms (2 each), 2 x (log, -2x, sqrt), 2 x (2 pi u), 4 x (sin or cos, product).
        double ops = groups * (8 + 6 + 4 + 8), transcendentals = groups * 8.0;
        if (plan.StudentT)
        {
            // One Marsaglia-Tsang attempt (about 1.02 on average): 3 uniforms, a normal (log, sqrt, cos), the cube, the
            // acceptance test (two logs), then sqrt(numerator / w).
            ops += 6 + 5 + 3 + 2 + 8 + 2 + 2;
            transcendentals += 3 + 2 + 1;
        }
        ops += n * (n + 1) + (plan.StudentT ? n : 0); // the correlation (multiply-add per term) and the scale
        if (plan.Jumps) ops += 3;                     // the jump test; the rare jump itself is not counted
        // Per asset: diffusion (sqrt, 2 products), return (4), x and exogenous x (2), GARCH (6), impact decay (2), the mid
        // (exp of a sum: 2), the exogenous price (2) and both running minima (3), the margin rate (1).
        ops += n * (3 + 4 + 2 + (plan.Garch ? 6 : 0) + 2 + 2 + 2 + 3 + 1);
        transcendentals += n * 3;                     // sqrt(h), exp(mid), exp(exogenous)
        if (plan.OracleDelay > 0) { ops += n; transcendentals += n; } // the delayed oracle's exp
        ops += 4 * n + 4;                             // the screening bound of the step's first round
        return (ops, transcendentals);
    }

    /// <summary>Output and per-path state bytes of one path.</summary>
    internal static double BytesPerPath(SimulationPlan plan) =>
        8.0 * (10 + 5 * plan.AssetCount) + 4.0 * 4 + 4.0 * ((plan.CohortCount + 31) / 32)
        + (plan.OracleDelay > 0 ? 16.0 * plan.AssetCount * plan.Steps : 0);

    /// <summary>The work of a run of <paramref name="plan"/> that did <paramref name="work"/>.</summary>
    public static WorkEstimate Of(SimulationPlan plan, RunWork work)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(work);
        var (stepOps, stepTranscendentals) = PerPathStep(plan);
        double paths = plan.Steps > 0 ? (double)work.PathSteps / plan.Steps : 0;
        double operations = work.PathSteps * stepOps
            + work.MarginChecks * OperationsPerCheck(plan)
            + work.CohortLiquidations * OperationsPerLiquidation(plan);
        // The share held in the precision policy's type: log prices, mids and minima, and the delayed oracle's exp where there is one.
        double real = work.PathSteps * (RealOperationsPerAsset + (plan.OracleDelay > 0 ? 1 : 0)) * plan.AssetCount;
        double bytes = paths * BytesPerPath(plan) + work.CohortLiquidations * 80.0;
        return new WorkEstimate(operations, operations - real, work.PathSteps * stepTranscendentals, bytes);
    }

    /// <summary>
    /// max(compute, bytes / bandwidth) on <paramref name="peak"/>: compute is operations / FP64 peak in double; in
    /// single, the operations in the precision policy's type at the FP32 peak plus <see cref="DoubleOperations"/> at the FP64 peak.
    /// </summary>
    public double FloorSeconds(DevicePeak peak, Precision precision)
    {
        ArgumentNullException.ThrowIfNull(peak);
        double compute = precision == Precision.Single
            ? (Operations - DoubleOperations) / peak.Fp32FlopsPerSecond + DoubleOperations / peak.Fp64FlopsPerSecond
            : Operations / peak.Fp64FlopsPerSecond;
        return Math.Max(compute, Bytes / peak.BytesPerSecond);
    }
}
