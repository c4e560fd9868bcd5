using System.Text;
using GpuCascade.Scenarios;
using GpuCascade.Simulation;

namespace GpuCascade.Backends.Device;

/// <summary>Slots of the plan's integer array read by the kernel (<c>PI_*</c>): scalars, or offsets of arrays.</summary>
internal enum PlanInt
{
    // Scalars.
    Cohorts, Steps, OracleDelay, RoundCap, StudentT, Garch, Jumps, AnyTiered,
    // Offsets of integer arrays (into the same integer array).
    StressStart, StressAsset, ImpactKind, MarginKind, TierStart, PositionStart, PositionAsset, PositionTiered,
    CollateralStart, CollateralAsset, ScreenOrder, Screenable, ScreenGroupStart,
    // Offsets of real arrays (into the real array).
    LogPrice0, Variance0, Drift, JumpBeta, CollateralWeight, GarchOmega, Cholesky, StressLogReturn, ImpactScale,
    ExecutionEta, PermanentShare, ImpactDecay, MarginRate, MarginFloor, MarginVolScale, TierCap, TierRate, TierAmount,
    Accounts, UsdCollateral, EntryValue, PositionUnits, CollateralUnits, BookUnits, ScreenSlack, InversePrice0,
    Count,
}

/// <summary>Scalars at the head of the plan's real array (<c>PD_*</c>).</summary>
internal enum PlanReal
{
    Dt, Dof, StudentNumerator, GarchAlpha, GarchBeta, JumpProbability, JumpMean, JumpVolatility, Penalty, FundStart,
    Tranche, DustPerAccount, CascadeThreshold, ScreenEpsilon, DynamicExposure,
    Count,
}

/// <summary>Per-path real outputs (<c>OUT_*</c>), then per-asset ones (<c>OUT_*</c> x NASSETS), path index fastest.
/// The two work counters are whole numbers held exactly in doubles (up to 2^53).</summary>
internal enum OutReal
{
    BadDebt, BadDebtPaid, UncoveredLoss, Penalties, FundEnd, FundMin, LiquidatedNotional, ClosedUnitsShare,
    MarginChecks, CohortLiquidations, Count,
}

/// <summary>Per-path, per-asset real outputs.</summary>
internal enum OutAsset { LiquidatedByAsset, MaxDrawdown, ExogenousMaxDrawdown, MaxDisplacement, FinalPrice, Count }

/// <summary>Per-path integer outputs.</summary>
internal enum OutInt { MaxRounds, Flags, FailStep, FailAsset, Count }

/// <summary>
/// A <see cref="SimulationPlan"/> packed into one array of reals and one of integers for the kernels, plus the
/// <c>#define</c>s that name every slot. The C# enums above are the single source of the layout.
/// </summary>
internal sealed class DevicePlan
{
    /// <summary>Cohort state per path: s, k, b, round fraction (doubles); open, forceClose, partialStep, touched,
    /// the touched list and the round's list (ints).</summary>
    public const int CohortRealFields = 4, CohortIntFields = 6;

    public DevicePlan(SimulationPlan plan)
    {
        Plan = plan;
        var ints = new List<int>(new int[(int)PlanInt.Count]);
        var reals = new List<double>(new double[(int)PlanReal.Count]);
        void Int(PlanInt slot, int value) => ints[(int)slot] = value;
        void IntArray(PlanInt slot, IEnumerable<int> values)
        {
            ints[(int)slot] = ints.Count;
            ints.AddRange(values);
        }
        void RealArray(PlanInt slot, IEnumerable<double> values)
        {
            ints[(int)slot] = reals.Count;
            reals.AddRange(values);
        }
        void Real(PlanReal slot, double value) => reals[(int)slot] = value;

        Int(PlanInt.Cohorts, plan.CohortCount);
        Int(PlanInt.Steps, plan.Steps);
        Int(PlanInt.OracleDelay, plan.OracleDelay);
        Int(PlanInt.RoundCap, plan.RoundCap);
        Int(PlanInt.StudentT, plan.StudentT ? 1 : 0);
        Int(PlanInt.Garch, plan.Garch ? 1 : 0);
        Int(PlanInt.Jumps, plan.Jumps ? 1 : 0);
        Int(PlanInt.AnyTiered, plan.Margin.Contains(MarginKind.Tiered) ? 1 : 0);
        IntArray(PlanInt.StressStart, plan.StressStart);
        IntArray(PlanInt.StressAsset, plan.StressAsset);
        IntArray(PlanInt.ImpactKind, plan.Impact.Select(k => (int)k));
        IntArray(PlanInt.MarginKind, plan.Margin.Select(k => (int)k));
        IntArray(PlanInt.TierStart, plan.TierStart);
        IntArray(PlanInt.PositionStart, plan.PositionStart);
        IntArray(PlanInt.PositionAsset, plan.PositionAsset);
        IntArray(PlanInt.PositionTiered, plan.PositionTiered.Select(t => t ? 1 : 0));
        IntArray(PlanInt.CollateralStart, plan.CollateralStart);
        IntArray(PlanInt.CollateralAsset, plan.CollateralAsset);
        IntArray(PlanInt.ScreenOrder, plan.ScreenOrder);
        IntArray(PlanInt.Screenable, plan.Screenable.Select(x => x ? 1 : 0));
        IntArray(PlanInt.ScreenGroupStart, plan.ScreenGroupStart);

        Real(PlanReal.Dt, plan.Dt);
        Real(PlanReal.Dof, plan.Dof);
        Real(PlanReal.StudentNumerator, plan.StudentScaleNumerator);
        Real(PlanReal.GarchAlpha, plan.GarchAlpha);
        Real(PlanReal.GarchBeta, plan.GarchBeta);
        Real(PlanReal.JumpProbability, plan.JumpProbability);
        Real(PlanReal.JumpMean, plan.JumpMean);
        Real(PlanReal.JumpVolatility, plan.JumpVolatility);
        Real(PlanReal.Penalty, plan.Penalty);
        Real(PlanReal.FundStart, plan.FundStart);
        Real(PlanReal.Tranche, plan.Tranche);
        Real(PlanReal.DustPerAccount, plan.DustPerAccount);
        Real(PlanReal.CascadeThreshold, plan.CascadeThreshold);
        Real(PlanReal.ScreenEpsilon, SimulationPlan.ScreenEpsilon);
        Real(PlanReal.DynamicExposure, plan.DynamicExposure);
        RealArray(PlanInt.LogPrice0, plan.LogPrice0);
        RealArray(PlanInt.Variance0, plan.Variance0);
        RealArray(PlanInt.Drift, plan.Drift);
        RealArray(PlanInt.JumpBeta, plan.JumpBeta);
        RealArray(PlanInt.CollateralWeight, plan.CollateralWeight);
        RealArray(PlanInt.GarchOmega, plan.GarchOmega);
        RealArray(PlanInt.Cholesky, plan.CholeskyLower);
        RealArray(PlanInt.StressLogReturn, plan.StressLogReturn);
        RealArray(PlanInt.ImpactScale, plan.ImpactScale);
        RealArray(PlanInt.ExecutionEta, plan.ExecutionEta);
        RealArray(PlanInt.PermanentShare, plan.PermanentShare);
        RealArray(PlanInt.ImpactDecay, plan.ImpactDecay);
        RealArray(PlanInt.MarginRate, plan.MarginRate);
        RealArray(PlanInt.MarginFloor, plan.MarginFloor);
        RealArray(PlanInt.MarginVolScale, plan.MarginVolScale);
        RealArray(PlanInt.TierCap, plan.TierCap);
        RealArray(PlanInt.TierRate, plan.TierRate);
        RealArray(PlanInt.TierAmount, plan.TierAmount);
        RealArray(PlanInt.Accounts, plan.Accounts);
        RealArray(PlanInt.UsdCollateral, plan.UsdCollateral);
        RealArray(PlanInt.EntryValue, plan.EntryValue);
        RealArray(PlanInt.PositionUnits, plan.PositionUnits);
        RealArray(PlanInt.CollateralUnits, plan.CollateralUnits);
        RealArray(PlanInt.BookUnits, plan.BookUnits);
        RealArray(PlanInt.ScreenSlack, plan.ScreenSlack);
        RealArray(PlanInt.InversePrice0, plan.LogPrice0.Select(x => 1.0 / Math.Exp(x)));

        // Keep both arrays non-empty (zero-length device buffers are invalid in OpenCL).
        Ints = ints.ToArray();
        Reals = reals.ToArray();
    }

    public SimulationPlan Plan { get; }
    public int[] Ints { get; }
    public double[] Reals { get; }

    /// <summary>
    /// Device bytes per path in flight: cohort state, the oracle history and outputs (doubles), cohort flags and
    /// lists, the modified-cohort words and outputs (ints). Needs only the plan's shape, not the packed arrays.
    /// </summary>
    public static long BytesPerPath(SimulationPlan plan)
    {
        long reals = (long)CohortRealFields * plan.CohortCount + Math.Max(1, plan.OracleDelay) * plan.AssetCount
                     + (int)OutReal.Count + (int)OutAsset.Count * plan.AssetCount;
        long ints = (long)CohortIntFields * plan.CohortCount + ModifiedWords(plan.CohortCount) + (int)OutInt.Count;
        return 8 * reals + 4 * ints;
    }

    /// <summary>32-bit words of the per-path set of cohorts whose state has left its start (at least one).</summary>
    public static int ModifiedWords(int cohorts) => Math.Max(1, (cohorts + 31) / 32);

    /// <summary>The <c>#define</c> lines naming the layout, the shape and the precision.</summary>
    public static string Defines(int assetCount, Precision precision)
    {
        var sb = new StringBuilder();
        sb.Append("#define NASSETS ").Append(assetCount).Append('\n');
        sb.Append("#define REAL ").Append(precision == Precision.Single ? "float" : "double").Append('\n');
        Emit<PlanInt>(sb, "PI_");
        Emit<PlanReal>(sb, "PD_");
        Emit<OutReal>(sb, "OUT_");
        sb.Append("#define OUT_REAL_FIELDS ").Append((int)OutReal.Count).Append('\n');
        Emit<OutAsset>(sb, "OUT_");
        sb.Append("#define OUT_ASSET_FIELDS ").Append((int)OutAsset.Count).Append('\n');
        Emit<OutInt>(sb, "OUT_");
        sb.Append("#define OUT_INT_FIELDS ").Append((int)OutInt.Count).Append('\n');
        return sb.ToString();
    }

    private static void Emit<T>(StringBuilder sb, string prefix) where T : struct, Enum
    {
        foreach (var value in Enum.GetValues<T>())
        {
            string name = value.ToString();
            if (name == "Count") continue;
            sb.Append("#define ").Append(prefix).Append(UpperSnake(name)).Append(' ')
              .Append(Convert.ToInt32(value, System.Globalization.CultureInfo.InvariantCulture)).Append('\n');
        }
    }

    /// <summary>LogPrice0 -> LOG_PRICE0, UsdCollateral -> USD_COLLATERAL.</summary>
    internal static string UpperSnake(string name)
    {
        var sb = new StringBuilder();
        for (int i = 0; i < name.Length; i++)
        {
            char ch = name[i];
            if (i > 0 && char.IsUpper(ch) && !char.IsUpper(name[i - 1])) sb.Append('_');
            sb.Append(char.ToUpperInvariant(ch));
        }
        return sb.ToString();
    }
}
