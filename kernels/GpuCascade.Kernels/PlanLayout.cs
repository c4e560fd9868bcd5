namespace GpuCascade.Kernels;

/// <summary>
/// What the path model reads of a plan besides its two packed arrays: the scalars, where each plan array starts in
/// the packed reals or integers, and where each piece of a path's state lives among its slots. Built on the host
/// (GpuCascade's <c>PackedPlan</c>) and passed by value to every path, natively and to device kernels alike.
/// </summary>
public partial struct PlanLayout
{
    // ---- Shape and switches (switches are 0 or 1: a kernel parameter must be blittable, which bool is not).
    /// <summary>Assets N.</summary>
    public int Assets;
    /// <summary>Cohorts.</summary>
    public int Cohorts;
    /// <summary>Steps.</summary>
    public int Steps;
    /// <summary>Liquidation rounds per step at most.</summary>
    public int RoundCap;
    /// <summary>Some cohort is liquidated in the opening round, at the starting prices before step 0's move.</summary>
    public int OpeningRound;
    /// <summary>The path writes its state at the start and after every step into its record (<see cref="PathSeries"/>,
    /// docs/model.md section 8.5): <c>run --series</c> and <c>--sample-paths</c>.</summary>
    public int Series;
    /// <summary>The path reads its cancel slot every <see cref="PathState.CancelCheckSteps"/> steps and stops when it is
    /// set (the managed backend's Ctrl-C inside a long path; devices leave it 0 and never read the slot).</summary>
    public int CancelCheck;
    /// <summary>The path seed.</summary>
    public ulong Seed;

    // ---- Real scalars.
    /// <summary>Step in years and its square root.</summary>
    public double Dt, SqrtDt;
    /// <summary>Venue: penalty rate, starting fund, tranche, dust per account, cascade threshold.</summary>
    public double Penalty, FundStart, Tranche, DustPerAccount, CascadeThreshold;
    /// <summary>ln B: a path whose |ln(P / F)| passes it has run away (docs/model.md section 8.7); +infinity for none.</summary>
    public double RunawayLogBound;

    // ---- Parameters of the phases, each a struct beside the code that reads it (Path/). Each mechanism's parameters
    // (Mechanisms/: Screen, Oracle, Liquidity, Capacity, Adl, Uncertainty, ...) join the plan from their own file: a struct
    // marked [PlanParams("Name")] becomes the field PlanLayout.Name (Wiring.cs).
    /// <summary>The market move (Path/MarketMove.cs).</summary>
    public MarketParams Market;
    /// <summary>The maintenance margin rules (Path/Margin.cs).</summary>
    public MarginParams Margin;
    /// <summary>Price impact of executed flow (Path/Execution.cs).</summary>
    public ImpactParams Impact;

    // ---- Offsets of integer arrays (into the packed integers).
    /// <summary>Offsets of the plan's integer arrays.</summary>
    public int PositionStart, PositionAsset, CollateralStart, CollateralAsset, LiquidateAtStart;

    // ---- Offsets of real arrays (into the packed reals).
    /// <summary>Offsets of the plan's per-asset real arrays.</summary>
    public int LogPrice0, Variance0, CollateralWeight, BookUnits, InversePrice0;
    /// <summary>Offsets of the plan's per-cohort and per-position real arrays.</summary>
    public int Accounts, UsdCollateral, EntryValue, PositionUnits, CollateralUnits;

    // ---- A path's slots (PathState).
    /// <summary>First real slot of the normals (N + 3 of them), of the oracle history (delay x N), of the screening
    /// thresholds (one per group: the slack of its first open cohort, +inf when none) and of the cohort reals.</summary>
    public int NormalsSlot, HistorySlot, ThresholdSlot, CohortRealSlot;
    /// <summary>The mechanisms' region of real slots (after the cohort reals): how many, set by the host from what each
    /// mechanism asks for (a history of several steps, say; each mechanism's parameters hold where its part starts, relative
    /// to <see cref="MechanismSlot"/>), and where it starts.</summary>
    public int MechanismSlots, MechanismSlot;
    /// <summary>Real slots per path.</summary>
    public int RealSlots;
    /// <summary>First integer slot of the modified-cohort words.</summary>
    public int ModifiedSlot;
    /// <summary>First integer slot of the screening cursors (one per group: where its closed prefix ends).</summary>
    public int CursorSlot;
    /// <summary>The integer slot a host sets to stop the path (read only with <see cref="CancelCheck"/>; a path never
    /// writes it).</summary>
    public int CancelSlot;
    /// <summary>Integer slots per path.</summary>
    public int IntSlots;

    /// <summary>Fills the slot fields from the shape (Assets, Cohorts, Oracle.Delay, MechanismSlots): each region starts
    /// where the previous one ends.</summary>
    public void LayOutSlots()
    {
        NormalsSlot = PathState.AssetFields * Assets;
        HistorySlot = NormalsSlot + PathState.NormalSlots(Assets);
        ThresholdSlot = HistorySlot + OracleState.HistorySlots(Assets, Oracle.Delay);
        CohortRealSlot = ThresholdSlot + PathState.ScreenGroups(Assets);
        MechanismSlot = CohortRealSlot + PathState.CohortRealFields * Cohorts;
        RealSlots = MechanismSlot + MechanismSlots;
        ModifiedSlot = PathState.CohortIntFields * Cohorts;
        CursorSlot = ModifiedSlot + PathState.ModifiedWords(Cohorts);
        CancelSlot = CursorSlot + PathState.ScreenGroups(Assets);
        IntSlots = CancelSlot + 1;
    }
}

/// <summary>
/// The per-path outputs as the model writes them, each a real slot of the output block (lane = the path's row in the
/// batch): the core fields, then each mechanism's block (a class marked [OutputBlock], Wiring.cs; RealFields is the total), then the
/// per-asset fields (field x N + asset); and a few integer slots (flags, where a path failed). What each slot means, its
/// unit and how the run aggregates it is the output schema's row for it (the host's <c>OutputSchema</c>).
/// </summary>
public static partial class PathOutput
{
    /// <summary>Core per-path outputs. Counts and 0/1 flags are whole numbers, exact in doubles up to 2^53.</summary>
    public const int AnyLiquidation = 0, Cascade = 1, BadDebt = 2, UncoveredBeforeAdl = 3, LiquidatedNotional = 4, BadDebtPaid = 5,
        Penalties = 6, FundEnd = 7, FundMin = 8, UncoveredLoss = 9, ClosedUnitsShare = 10, MaxRounds = 11, RoundCapHit = 12,
        MarginChecks = 13, CohortLiquidations = 14, FailLogPrice = 15, FailFlow = 16, Runaway = 17, CoreFields = 18;

    /// <summary>Per-asset real outputs, after the per-path ones.</summary>
    public const int LiquidatedByAsset = 0, MaxDrawdown = 1, ExogenousMaxDrawdown = 2, MaxDisplacement = 3, FinalPrice = 4,
        MinDepthFactor = 5, AssetFields = 6;

    /// <summary>Integer outputs: the flags, and where a path failed.</summary>
    public const int Flags = 0, FailStep = 1, FailAsset = 2, IntFields = 3;

    /// <summary>Flag bits.</summary>
    public const int ExogenousFailureFlag = 4, FlowFailureFlag = 8, CancelledFlag = 16, RunawayFlag = 32;

    /// <summary>The flags of a path that ran away: a price out of the representable range or beyond the runaway bound.</summary>
    public const int RunawayFlags = ExogenousFailureFlag | FlowFailureFlag | RunawayFlag;

    /// <summary>Real output slots for <paramref name="assets"/> assets.</summary>
    public static int RealSlots(int assets) => RealFields + AssetFields * assets;

    /// <summary>The slot of per-asset field <paramref name="field"/> of asset <paramref name="asset"/> of <paramref name="assets"/>.</summary>
    public static int AssetSlot(int field, int assets, int asset) => RealFields + field * assets + asset;
}

/// <summary>
/// The per-step record of a path (docs/model.md section 8.5), written only with <see cref="PlanLayout.Series"/> into its own array (strided
/// on a device, contiguous per path natively): row 0 is the start (after the opening round, if any), row k + 1 the end of
/// step k. Row r's fields start at r x <see cref="Fields"/>(N): the path fields, then the per-asset fields (field x N + asset).
/// </summary>
public static class PathSeries
{
    /// <summary>Per-path fields: the insurance fund; the uncovered loss before ADL so far (the fund is depleted once it is
    /// positive).</summary>
    public const int Fund = 0, UncoveredBeforeAdl = 1, PathFields = 2;

    /// <summary>Per-asset fields: the mid and the exogenous price relative to the start, the notional liquidated so far
    /// (cumulative: a step's is the difference of two rows), the step's lowest depth factor u g, the queued notional.</summary>
    public const int Price = 0, ExogenousPrice = 1, LiquidatedNotional = 2, DepthFactor = 3, QueuedNotional = 4, AssetFields = 5;

    /// <summary>Fields of one row for <paramref name="assets"/> assets.</summary>
    public static int Fields(int assets) => PathFields + AssetFields * assets;

    /// <summary>The record slot of row <paramref name="row"/>'s first field.</summary>
    public static int Slot(int assets, int row) => row * Fields(assets);
}
