using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using GpuCascade.Kernels;
using GpuCascade.Scenarios;

namespace GpuCascade.Paths;

/// <summary>
/// A <see cref="SimulationPlan"/> packed for the path model (<see cref="CascadePath{TD,TI,TSD,TSI,TP}"/>): one array of
/// reals, one of integers, and a <see cref="PlanLayout"/> naming the scalars and where every array starts. The
/// managed backend reads the arrays in place (they are pinned); device backends upload them once per plan.
/// </summary>
internal sealed class PackedPlan
{
    private PlanLayout _layout;

    public PackedPlan(SimulationPlan plan, bool screen = true, bool cancellable = false)
    {
        Plan = plan;
        var ints = new List<int>();
        var reals = new List<double>();
        int IntArray(IEnumerable<int> values)
        {
            int offset = ints.Count;
            ints.AddRange(values);
            return offset;
        }
        int RealArray(IEnumerable<double> values)
        {
            int offset = reals.Count;
            reals.AddRange(values);
            return offset;
        }

        var l = new PlanLayout
        {
            Assets = plan.AssetCount,
            Cohorts = plan.CohortCount,
            Steps = plan.Steps,
            RoundCap = plan.RoundCap,
            OpeningRound = plan.LiquidateAtStart.Contains(true) ? 1 : 0,
            CancelCheck = cancellable ? 1 : 0,
            Oracle = OracleModule.Pack(plan.OracleDelay),
            Uncertainty = UncertaintyModule.Pack(plan.Scenario.Uncertainty),
            History = HistoryModule.Pack(plan.Scenario, RealArray),
            Adl = AdlModule.Pack(plan.Scenario.Venue.Adl),
            Venues = VenuesModule.Pack(plan.Scenario, plan.Cohorts, plan.Dt, RealArray, IntArray),
            Capacity = CapacityModule.Pack(plan.Scenario.Venue.LiquidationCapacity, plan.Dt),
            Seed = plan.Seed,
            Dt = plan.Dt,
            SqrtDt = Math.Sqrt(plan.Dt),
            Penalty = plan.Penalty,
            FundStart = plan.FundStart,
            Tranche = plan.Tranche,
            DustPerAccount = plan.DustPerAccount,
            CascadeThreshold = plan.CascadeThreshold,
            RunawayLogBound = plan.RunawayLogBound,

            PositionStart = IntArray(plan.PositionStart),
            PositionAsset = IntArray(plan.PositionAsset),
            CollateralStart = IntArray(plan.CollateralStart),
            CollateralAsset = IntArray(plan.CollateralAsset),
            LiquidateAtStart = IntArray(plan.LiquidateAtStart.Select(x => x ? 1 : 0)),

            LogPrice0 = RealArray(plan.LogPrice0),
            Variance0 = RealArray(plan.Variance0),
            CollateralWeight = RealArray(plan.CollateralWeight),
            BookUnits = RealArray(plan.BookUnits),
            InversePrice0 = RealArray(plan.LogPrice0.Select(x => 1.0 / Math.Exp(x))),
            Market = new MarketParams
            {
                StudentT = plan.StudentT ? 1 : 0,
                Garch = plan.Garch ? 1 : 0,
                Jumps = plan.Jumps ? 1 : 0,
                Dof = plan.Dof,
                StudentScaleNumerator = plan.StudentScaleNumerator,
                GarchAlpha = plan.GarchAlpha,
                GarchBeta = plan.GarchBeta,
                JumpProbability = plan.JumpProbability,
                JumpMean = plan.JumpMean,
                JumpVolatility = plan.JumpVolatility,
                Drift = RealArray(plan.Drift),
                JumpBeta = RealArray(plan.JumpBeta),
                GarchOmega = RealArray(plan.GarchOmega),
                Cholesky = RealArray(plan.CholeskyLower),
                StressStart = IntArray(plan.StressStart),
                StressAsset = IntArray(plan.StressAsset),
                StressLogReturn = RealArray(plan.StressLogReturn),
            },
            Margin = new MarginParams
            {
                AnyTiered = plan.Margin.Contains(MarginKind.Tiered) ? 1 : 0,
                Kind = IntArray(plan.Margin.Select(k => (int)k)),
                TierStart = IntArray(plan.TierStart),
                PositionTiered = IntArray(plan.PositionTiered.Select(t => t ? 1 : 0)),
                Rate = RealArray(plan.MarginRate),
                Floor = RealArray(plan.MarginFloor),
                VolScale = RealArray(plan.MarginVolScale),
                TierCap = RealArray(plan.TierCap),
                TierRate = RealArray(plan.TierRate),
                TierAmount = RealArray(plan.TierAmount),
            },
            Impact = new ImpactParams
            {
                Kind = IntArray(plan.Impact.Select(k => (int)k)),
                Scale = RealArray(plan.ImpactScale),
                ExecutionEta = RealArray(plan.ExecutionEta),
                PermanentShare = RealArray(plan.PermanentShare),
                Decay = RealArray(plan.ImpactDecay),
            },
            Screen = new ScreenParams
            {
                On = screen ? 1 : 0,
                MultiAsset = plan.ScreenGroupStart[SimulationPlan.ScreenGroups] > 0 ? 1 : 0,
                Epsilon = SimulationPlan.ScreenEpsilon,
                DynamicExposure = plan.DynamicExposure,
                Order = IntArray(plan.ScreenOrder),
                Screenable = IntArray(plan.Screenable.Select(x => x ? 1 : 0)),
                GroupStart = IntArray(plan.ScreenGroupStart),
                Slack = RealArray(plan.ScreenSlack),
            },
            Liquidity = LiquidityModule.Pack(plan.Liquidity, RealArray),
            Accounts = RealArray(plan.Accounts),
            UsdCollateral = RealArray(plan.UsdCollateral),
            EntryValue = RealArray(plan.EntryValue),
            PositionUnits = RealArray(plan.PositionUnits),
            CollateralUnits = RealArray(plan.CollateralUnits),
        };
        MechanismCatalogue.Pack(new PlanPacking(plan.Scenario, plan.Dt, RealArray, IntArray), ref l);
        l.LayOutSlots();
        _layout = l;
        // Pinned (on the pinned object heap) so that the managed backend reads them by pointer; never empty, since a
        // zero-length device buffer is invalid on some APIs.
        Reals = GC.AllocateUninitializedArray<double>(Math.Max(1, reals.Count), pinned: true);
        Ints = GC.AllocateUninitializedArray<int>(Math.Max(1, ints.Count), pinned: true);
        reals.CopyTo(Reals);
        ints.CopyTo(Ints);
    }

    public SimulationPlan Plan { get; }

    /// <summary>Scalars, offsets and the path's slots.</summary>
    public ref readonly PlanLayout Layout => ref _layout;

    /// <summary>The packed reals (pinned).</summary>
    public double[] Reals { get; }

    /// <summary>The packed integers (pinned).</summary>
    public int[] Ints { get; }

    /// <summary>A native view of a pinned array.</summary>
    public static unsafe HostArray<T> View<T>(T[] pinned) where T : unmanaged =>
        new((T*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(pinned)));

    /// <summary>Bytes of device memory per path in flight: state slots and outputs.</summary>
    public static long BytesPerPath(SimulationPlan plan)
    {
        var l = new PlanLayout
        {
            Assets = plan.AssetCount, Cohorts = plan.CohortCount, Oracle = OracleModule.Pack(plan.OracleDelay),
            MechanismSlots = checked((int)MechanismCatalogue.RegionSlots(plan.Scenario)),
        };
        l.LayOutSlots();
        return 8L * l.RealSlots + 4L * l.IntSlots + 8L * PathOutput.RealSlots(plan.AssetCount) + 4L * PathOutput.IntFields;
    }
}
